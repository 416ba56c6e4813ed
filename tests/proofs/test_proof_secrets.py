"""No secret in any log record, exception text or repr, across the whole workflow.

The full workflow runs with DEBUG logging on for ``sume_async``, ``httpx`` and
``httpcore``, against a mock that injects faults and fails some jobs. Every log
record (formatted), every exception (message, repr, full traceback text) and the
repr of every returned object are then searched for the API key, each signed upload
URL and its query, each signature, upload token and object key, and every private
media URL. The expected count of hits is zero.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sume_async import AsyncSume, PollPolicy, RetryPolicy, SumeError
from sume_async._logs import redact_url
from sume_async.testing import DEFAULT_API_KEY, Faults, MockSume, serve

pytestmark = pytest.mark.anyio

SPEED = 500.0


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r}")
        if record.exc_info and record.exc_info[1] is not None:
            self.lines.append("".join(traceback.format_exception(record.exc_info[1])))


@pytest.fixture
def captured() -> AsyncIterator[Capture]:
    handler = Capture()
    loggers = [logging.getLogger(name) for name in ("sume_async", "httpx", "httpcore")]
    before = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.addHandler(handler)
    yield handler  # type: ignore[misc]
    for lg, (level, _) in zip(loggers, before, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def secrets_of(url: str) -> list[str]:
    parsed = httpx.URL(url)
    found = [url, parsed.query.decode(), parsed.path]
    found += [value for key, value in parsed.params.multi_items() if key in ("signature", "expires", "sig")]
    return [s for s in found if len(s) >= 8]


async def test_nothing_secret_leaks_anywhere(captured: Capture, tmp_path: Path) -> None:
    faults = Faults(seed=11, rate_429=0.15, retry_after="http-date", rate_5xx=0.1, rate_520=0.05)
    mock = MockSume(speed=SPEED, failure_rate=0.3, seed=5, faults=faults)
    seen_urls: list[str] = []
    outputs: list[Any] = []
    errors: list[BaseException] = []

    async def record_put(request: httpx.Request) -> None:
        if request.method == "PUT":
            seen_urls.append(str(request.url))

    async def keep(call: Awaitable[Any]) -> Any:
        try:
            result = await call
        except SumeError as exc:
            errors.append(exc)
            return None
        outputs.append(result)
        return result

    video = tmp_path / "secret-launch.mp4"
    video.write_bytes(b"\x02" * 300_000)
    retry = RetryPolicy(max_retries=6, initial_delay=0.001, max_delay=0.01, max_retry_after=0.01)
    poll = PollPolicy().scaled(1 / SPEED)
    async with serve(mock) as base_url:
        http = httpx.AsyncClient(event_hooks={"request": [record_put]})
        async with (
            http,
            AsyncSume(
                DEFAULT_API_KEY, base_url=base_url, http_client=http, retry_policy=retry, poll_policy=poll
            ) as sume,
        ):
            outputs.append(sume)
            await keep(sume.account.me())
            await keep(sume.credits.get())
            await keep(sume.brand.list().to_list())
            await keep(sume.brand.current())
            avatars = await keep(sume.avatars.list().to_list()) or []
            await keep(sume.avatars.get(avatars[0].id))
            await keep(sume.avatars.get("avatar_missing"))
            target = await keep(
                sume.uploads.presign(
                    filename="x.mp4", content_type="video/mp4", size_bytes=5, purpose="asset_library_video"
                )
            )
            face = await keep(sume.uploads.upload(video, purpose="face_swap_source_video"))
            jobs = [
                await keep(sume.images.generate(prompt="one")),
                await keep(sume.videos.generate(prompt="two", duration=6)),
                await keep(sume.ads.videos.create(avatar_id=avatars[0].id, script="three")),
                await keep(sume.reference_analysis.create(url="https://www.instagram.com/reel/abc")),
                await keep(sume.assets.upload(video, title="Secret launch")),
            ]
            jobs += await keep(sume.face_swap.create(media_url=face.media_url, avatar_ids=[avatars[0].id])) or []
            done = await keep(sume.jobs.wait_all([j for j in jobs if j], return_exceptions=True)) or []
            errors.extend(d for d in done if isinstance(d, BaseException))
            for job in [d for d in done if not isinstance(d, BaseException)]:
                await keep(sume.jobs.result(job))
            await keep(sume.jobs.result(jobs[0].id))
            await keep(sume.jobs.list().to_list())
            scenes = await keep(sume.assets.search("launch").to_list()) or []
            if scenes:
                await keep(sume.assets.get(scenes[0].id, q="launch"))
            await keep(sume.ads.videos.create(avatar_id="avatar_bogus", script="x"))
        async with AsyncSume("sume_live_not_a_real_key_123456", base_url=base_url, retry_policy=retry) as bad:
            await keep(bad.account.me())

    assert mock.credential_leaks == []
    assert target is not None and face is not None and len(seen_urls) >= 2
    assert errors, "the workflow should have met failures"
    secrets = {DEFAULT_API_KEY, "sume_live_not_a_real_key_123456", target.upload_url, target.object_key}
    for url in [*seen_urls, target.upload_url]:
        secrets.update(secrets_of(url))
    secrets.update(mock.uploads)  # object keys
    headers = target.required_headers.additional_properties
    secrets.update(v for k, v in headers.items() if k.lower() != "content-type")  # upload tokens
    secrets.add(str(face.media_url))
    for item in outputs:
        result = getattr(item, "result", None)
        for output in getattr(result, "outputs", None) or []:
            secrets.add(output.url)

    texts = list(captured.lines)
    for exc in errors:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    texts += [repr(item) for item in outputs]
    assert len(captured.lines) > 50  # DEBUG logging really was on
    leaks = [(secret, text[:200]) for secret in secrets for text in texts if secret in text]
    assert leaks == []


def test_redact_url_keeps_only_the_host_of_signed_urls() -> None:
    signed = "https://storage.example:9000/bucket/uploads/k1/a.mp4?X-Amz-Signature=abc&X-Amz-Expires=60"
    assert redact_url(signed) == "https://storage.example:9000/<redacted>"
    assert (
        redact_url("https://www.sume.so/api/v1/assets?q=hook&limit=5")
        == "https://www.sume.so/api/v1/assets?q=hook&limit=5"
    )
    assert redact_url("https://x.example/p?token=t") == "https://x.example/<redacted>"
