"""Only ``SumeError``s reach a caller: closed clients, a broken environment, odd text and sources.

Each case used to escape as something else: a bare ``RuntimeError`` (or an
``ExceptionGroup`` of them from waits) from a caller-closed ``http_client``;
``FileNotFoundError``/``ImportError``/``httpx.InvalidURL`` from ``AsyncSume()`` under a bad
``SSL_CERT_FILE``, ``ALL_PROXY`` or ``HTTPS_PROXY``; ``UnicodeEncodeError`` from a lone
surrogate; ``TypeError`` from an async file object; idna's errors from a ``base_url``.
Every refusal happens before anything is sent.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest
from sdk_helpers import FAST_POLL, FAST_RETRY, KEY, job

from sume_async import (
    AsyncSume,
    ClientClosedError,
    ConfigurationError,
    InvalidInputError,
    JobWithResult,
    SumeError,
)

pytestmark = pytest.mark.anyio

LONE = "\udcff"  # what os.fsdecode makes of a byte that is not UTF-8


class Counting:
    """An ``httpx.MockTransport`` handler counting requests; answers a queued job."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/uploads/presign"):
            target = {
                "object": "upload",
                "upload_url": "https://storage.example/obj",
                "method": "PUT",
                "required_headers": {},
                "object_key": "uploads/obj",
                "expires_at": "2030-01-01T00:00:00Z",
            }
            return httpx.Response(200, json=target)
        if request.method == "PUT":
            return httpx.Response(200)
        return httpx.Response(200, json=job(status="completed"))


def make(handler: Counting, **kwargs: Any) -> tuple[AsyncSume, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    sume = AsyncSume(KEY, http_client=http, retry_policy=FAST_RETRY, poll_policy=FAST_POLL, **kwargs)
    return sume, http


# -- a caller-closed http_client ----------------------------------------------------------


CLOSED_CALLS = {
    "get": lambda sume, tmp: sume.jobs.get("job_1"),
    "wait": lambda sume, tmp: sume.jobs.wait("job_1"),
    "wait_all": lambda sume, tmp: sume.jobs.wait_all(["job_1", "job_2"]),
    "wait_all-return_exceptions": lambda sume, tmp: sume.jobs.wait_all(["job_1", "job_2"], return_exceptions=True),
    "generate": lambda sume, tmp: sume.images.generate(prompt="a cat", idempotency_key="k-1"),
    "upload": lambda sume, tmp: sume.uploads.upload(b"0123", purpose="asset_library_video", filename="a.mp4"),
    "list": lambda sume, tmp: sume.jobs.list().first_page(),
}


@pytest.mark.parametrize("call", sorted(CLOSED_CALLS))
async def test_a_caller_closed_http_client_is_a_client_closed_error(call: str, tmp_path: Path) -> None:
    handler = Counting()
    sume, http = make(handler)
    await http.aclose()
    with anyio.fail_after(10), pytest.raises(ClientClosedError, match="http_client"):
        result = await CLOSED_CALLS[call](sume, tmp_path)
        if isinstance(result, list) and result and isinstance(result[0], BaseException):
            raise result[0]
    assert handler.requests == []
    await sume.close()


async def test_a_wait_whose_http_client_closes_midway_ends_in_a_client_closed_error() -> None:
    polls = 0
    http: httpx.AsyncClient

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal polls
        polls += 1
        if polls == 2:
            await http.aclose()
        return httpx.Response(200, json=job(request.url.path.rsplit("/", 1)[-1], status="running"))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    sume = AsyncSume(KEY, http_client=http, retry_policy=FAST_RETRY, poll_policy=FAST_POLL, max_polls_per_second=None)
    with anyio.fail_after(10), pytest.raises(ClientClosedError):
        await sume.jobs.wait_all(["job_1", "job_2", "job_3"], timeout=60)
    assert polls <= 4


async def test_entering_a_client_whose_http_client_is_closed_says_so() -> None:
    sume, http = make(Counting())
    await http.aclose()
    with pytest.raises(ClientClosedError, match="http_client"):
        async with sume:
            pass


# -- the environment ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SSL_CERT_FILE", "/nonexistent/ca-bundle.pem"),
        ("SSL_CERT_FILE", __file__),  # a file, but not PEM
        ("HTTPS_PROXY", "http://proxy.example:99999"),
        ("https_proxy", "http://prox y.example:3128"),
        ("HTTPS_PROXY", "http://proxy.example:port"),
        ("HTTP_PROXY", "ftp://proxy.example:21"),
        ("ALL_PROXY", "socks5://127.0.0.1:1080"),  # without socksio: the socks extra is missing
    ],
)
def test_a_bad_environment_variable_is_a_configuration_error_naming_it(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setitem(sys.modules, "socksio", None)  # as if the extra were not installed
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        AsyncSume(KEY, base_url="https://api.example/v1")
    assert caught.value.field == variable
    assert isinstance(caught.value, InvalidInputError)
    if "@" in value:
        assert value not in str(caught.value)


def test_a_proxy_with_credentials_is_named_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "socksio", None)
    monkeypatch.setenv("ALL_PROXY", "socks5://user:s3cr3t@127.0.0.1:1080")
    with pytest.raises(ConfigurationError, match="ALL_PROXY") as caught:
        AsyncSume(KEY, base_url="https://api.example/v1")
    assert "s3cr3t" not in str(caught.value)


def test_a_good_proxy_variable_still_builds_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example:3128")  # httpx reads a bare host:port as http://
    AsyncSume(KEY, base_url="https://api.example/v1")


# -- text that cannot be sent --------------------------------------------------------------


SURROGATE_CALLS = {
    "job id": lambda sume: sume.jobs.get(f"job_{LONE}"),
    "prompt": lambda sume: sume.images.generate(prompt=f"a cat {LONE}", idempotency_key="k-1"),
    "video prompt": lambda sume: sume.videos.generate(prompt=LONE + "x", idempotency_key="k-1"),
    "avatar id": lambda sume: sume.avatars.get(f"av_{LONE}"),
    "wait id": lambda sume: sume.jobs.wait(f"job_{LONE}"),
    "wait_all id": lambda sume: sume.jobs.wait_all(["job_1", f"job_{LONE}"]),
    "extra_query": lambda sume: sume.jobs.get("job_1", extra_query={"x": LONE}),
    "upload filename": lambda sume: sume.uploads.upload(b"0123", purpose="asset_library_video", filename=f"{LONE}.mp4"),
    "presign filename": lambda sume: sume.uploads.presign(
        filename=f"{LONE}.mp4", content_type="video/mp4", size_bytes=4, purpose="asset_library_video"
    ),
}


@pytest.mark.parametrize("call", sorted(SURROGATE_CALLS))
async def test_a_lone_surrogate_is_invalid_input_before_sending(call: str) -> None:
    handler = Counting()
    sume, _ = make(handler)
    async with sume:
        with pytest.raises(InvalidInputError):
            await SURROGATE_CALLS[call](sume)
    assert handler.requests == []


async def test_a_file_whose_name_is_not_utf8_needs_a_filename(tmp_path: Path) -> None:
    path = Path(str(tmp_path / "clip") + LONE + ".mp4")  # the name os.fsdecode gives b"clip\xff.mp4"
    try:
        path.write_bytes(b"0123")
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system cannot hold a non-UTF-8 name")
    handler = Counting()
    sume, _ = make(handler)
    async with sume:
        with pytest.raises(InvalidInputError, match="filename"):
            await sume.uploads.upload(path, purpose="asset_library_video")
        assert handler.requests == []
        uploaded = await sume.uploads.upload(path, purpose="asset_library_video", filename="clip.mp4")
    assert uploaded.filename == "clip.mp4"


@pytest.mark.parametrize(
    "base_url",
    [
        "https://xn--a.example/api/v1",  # not a valid A-label
        "https://xn--zz-.example/api/v1",  # an A-label ending in a hyphen
        f"https://api{LONE}.example/v1",
        "https://\u2488.example/v1",  # a character IDNA forbids
    ],
)
def test_an_idna_invalid_base_url_is_invalid_input(base_url: str) -> None:
    with pytest.raises(InvalidInputError, match="base_url"):
        AsyncSume(KEY, base_url=base_url)


# -- async file objects ---------------------------------------------------------------------


class AsyncReader:
    """An async file object that wraps nothing (as aiofiles' handles look from outside)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, size: int = -1) -> bytes:
        chunk, self._data = self._data[:size], self._data[size:]
        return chunk


async def test_an_anyio_file_is_an_upload_source(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"0123456789")
    handler = Counting()
    sume, _ = make(handler)
    async with sume, await anyio.open_file(path, "rb") as handle:
        uploaded = await sume.uploads.upload(handle, purpose="asset_library_video")
    assert uploaded.size_bytes == 10 and uploaded.filename == "clip.mp4"
    assert [r.method for r in handler.requests] == ["POST", "PUT"]
    assert handler.requests[1].content == b"0123456789"


async def test_an_async_reader_is_an_upload_source_given_its_size() -> None:
    handler = Counting()
    sume, _ = make(handler)
    async with sume:
        with pytest.raises(InvalidInputError, match="size_bytes"):
            await sume.uploads.upload(AsyncReader(b"0123"), purpose="asset_library_video", filename="a.mp4")
        assert handler.requests == []
        uploaded = await sume.uploads.upload(
            AsyncReader(b"0123"), purpose="asset_library_video", filename="a.mp4", size_bytes=4
        )
    assert uploaded.size_bytes == 4 and handler.requests[-1].content == b"0123"


async def test_an_anyio_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_text("text")
    handler = Counting()
    sume, _ = make(handler)
    async with sume, await anyio.open_file(path, "r") as handle:
        with pytest.raises(InvalidInputError, match="binary"):
            await sume.uploads.upload(cast(Any, handle), purpose="asset_library_video")
    assert handler.requests == []


# -- helper arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dest_dir": "out\x00dir"},
        {"dest_dir": 5},
        {"on_progress": "print"},
        {"max_concurrency": 0},
        {"max_bytes": float("nan")},
    ],
)
async def test_download_arguments_are_checked_before_anything_is_fetched(
    kwargs: dict[str, Any], tmp_path: Path
) -> None:
    handler = Counting()
    sume, _ = make(handler)
    arguments: dict[str, Any] = {"dest_dir": tmp_path, **kwargs}
    result = JobWithResult.from_dict(
        {
            "id": "job_1",
            "status": "completed",
            "type": "image_generation",
            "result": {"outputs": [{"url": "https://media.example/1.png", "content_type": "image/png"}]},
        }
    )
    async with sume:
        with pytest.raises(InvalidInputError):
            await sume.jobs.download(result, arguments.pop("dest_dir"), **arguments)
    assert handler.requests == []


def test_every_error_here_is_a_sume_error() -> None:
    assert issubclass(ConfigurationError, SumeError) and issubclass(ClientClosedError, SumeError)


# -- every parameter of the client, with hostile values --------------------------------------

HOSTILE: list[Any] = [
    float("nan"),
    float("inf"),
    -1,
    10**100,
    "",
    " ",
    LONE,
    "a\x00b",
    b"bytes",
    object(),
    [],
    {"k": LONE},
    True,
]
CLIENT_PARAMETERS = [
    "api_key",
    "base_url",
    "auth",
    "timeout",
    "max_retries",
    "http_client",
    "transport",
    "max_concurrent_requests",
    "max_concurrent_polls",
    "max_polls_per_second",
    "poll_policy",
    "retry_policy",
    "default_headers",
    "allow_insecure_http",
    "max_response_bytes",
]
DERIVE_PARAMETERS = ["timeout", "max_retries", "retry_policy", "poll_policy", "default_headers"]


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
@pytest.mark.parametrize("parameter", CLIENT_PARAMETERS)
def test_every_client_parameter_gives_a_client_or_an_invalid_input_error(parameter: str, value: Any) -> None:
    kwargs: dict[str, Any] = {"api_key": KEY, "base_url": "http://127.0.0.1:9/api/v1", parameter: value}
    try:
        AsyncSume(**kwargs)
    except InvalidInputError as exc:
        assert exc.field, exc


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
@pytest.mark.parametrize("parameter", DERIVE_PARAMETERS)
def test_every_with_options_parameter_gives_a_client_or_an_invalid_input_error(parameter: str, value: Any) -> None:
    sume = AsyncSume(KEY, base_url="http://127.0.0.1:9/api/v1")
    try:
        sume.with_options(**{parameter: value})
    except InvalidInputError as exc:
        assert exc.field, exc


# -- every parameter of every resource method, with hostile values ---------------------------

#: A valid value for each required parameter, so each hostile value is tried alone.
REQUIRED = {
    "prompt": "a cat",
    "job": "job_1",
    "jobs": ["job_1"],
    "avatar_id": "av_1",
    "avatar_ids": ["av_1"],
    "asset_id": "as_1",
    "media_url": "https://media.example/v.mp4",
    "url": "https://media.example/v",
    "source": b"0123",
    "purpose": "asset_library_video",
    "filename": "a.mp4",
    "content_type": "video/mp4",
    "size_bytes": 4,
    "object_key": "uploads/obj",
    "q": "cat",
}
AREAS = ["account", "credits", "brand", "avatars", "jobs", "images", "videos", "ads", "face_swap"]
AREAS += ["reference_analysis", "uploads", "assets"]


def _methods() -> list[tuple[str, str]]:
    sume = AsyncSume(KEY, base_url="http://127.0.0.1:9/api/v1")
    found = []
    for area in AREAS:
        for name, _method in inspect.getmembers(getattr(sume, area), inspect.ismethod):
            if not name.startswith("_"):
                found.append((area, name))
    return found


@pytest.mark.parametrize(("area", "name"), _methods())
async def test_every_resource_parameter_is_checked_where_it_enters(area: str, name: str, tmp_path: Path) -> None:
    """Each parameter, given each hostile value: a result or a ``SumeError``; an ``InvalidInputError`` sends nothing."""
    handler = Counting()
    sume, _ = make(handler, max_retries=0, max_polls_per_second=None)
    method = getattr(getattr(sume, area), name)
    parameters = [
        p
        for p in inspect.signature(method).parameters.values()
        if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    ]
    required = {**REQUIRED, "dest_dir": tmp_path}
    base = {p.name: required[p.name] for p in parameters if p.default is inspect.Parameter.empty}
    async with sume:
        for parameter in parameters:
            for value in HOSTILE:
                if parameter.name == "poll_interval" and value == 10**100:
                    continue  # a valid interval: the wait would be a real one
                handler.requests.clear()
                try:
                    with anyio.fail_after(10):
                        outcome = method(**{**base, parameter.name: value})
                        if inspect.isawaitable(outcome):
                            await outcome
                        elif hasattr(outcome, "first_page"):
                            await outcome.first_page()
                except InvalidInputError:
                    assert handler.requests == [], f"{area}.{name}({parameter.name}={value!r}) sent, then refused"
                except SumeError:
                    pass
