"""Proof under chaos: hundreds of create-and-wait jobs through every fault the mock can inject.

One mock server on a real loopback socket injects, all at once: dropped connections, 429 with
``Retry-After`` in seconds and as an HTTP date, 500/502/503, the HTML 520 page of a CDN, latency,
and "created, then the connection dropped before the response" on creates. Two SDK clients
share it:

- a *sturdy* client (many fast retries) runs a few hundred image and video create-and-wait
  tasks. Every create must succeed, the server must hold exactly one job per call (the internal
  retries reuse one ``Idempotency-Key``), every job is awaited to its terminal state (``failed``
  ones by ``JobFailedError``), each job is charged once, and nothing but ``SumeError`` ever
  reaches the caller;
- a *fragile* client (no retries) on a route with harsher faults, whose creates do fail. For
  every create, failed or not, the server holds zero or one job, and the caller's own retry with
  the same ``idempotency_key=`` returns that very job (or creates the only one): in the end there
  is still exactly one job per call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import anyio
import pytest

from sume_async import (
    AsyncSume,
    Job,
    JobFailedError,
    PollPolicy,
    RetryPolicy,
    SumeError,
)
from sume_async.testing import DEFAULT_API_KEY, Faults, MockSume, serve

pytestmark = pytest.mark.anyio

SPEED = 50.0  # a 40 s video job takes 0.8 s of real time, an image 0.12 s
POLL = PollPolicy().scaled(1 / SPEED)
# An attempt on the harshest route fails with p ~ 0.54 (fault before or response lost after the
# create): 31 attempts make a call fail with p ~ 5e-9. Delays are tiny, so retries cost little.
STURDY = RetryPolicy(max_retries=30, initial_delay=0.002, max_delay=0.02, max_retry_after=0.02)
FRAGILE = RetryPolicy(max_retries=0)
CREDITS = 10_000_000
FAILURE_RATE = 0.1

N_STURDY = 240  # every third one a video
N_FRAGILE = 60
FRAGILE_ROUTE = "POST /reference-analysis"
SERVER_ERRORS = {500, 502, 503}


def _faults(seed: int, *, retry_after: str, drop_after_create: float = 0.0, scale: float = 1.0) -> Faults:
    return Faults(
        seed=seed,
        rate_drop=0.05 * scale,
        rate_429=0.07 * scale,
        retry_after=retry_after,  # type: ignore[arg-type]
        retry_after_seconds=1,
        rate_5xx=0.07 * scale,
        rate_520=0.04 * scale,
        latency=(0.0, 0.004),
        rate_drop_after_create=drop_after_create,
    )


def chaos(seed: int) -> Faults:
    """Every fault at once; the Retry-After format differs by route so both are exercised."""
    base = _faults(seed, retry_after="seconds", drop_after_create=0.15)
    base.routes = {
        "POST /videos/generations": _faults(seed + 1, retry_after="http-date", drop_after_create=0.15),
        "GET /jobs/{jobId}": _faults(seed + 2, retry_after="http-date"),
        # The fragile client's route: harsher, so its single attempts fail often, both before
        # the job is created and after (the response is then lost).
        FRAGILE_ROUTE: _faults(seed + 3, retry_after="http-date", drop_after_create=0.3, scale=1.5),
    }
    return base


def describe(errors: list[BaseException]) -> str:
    return ", ".join(sorted({f"{type(e).__module__}.{type(e).__qualname__}" for e in errors}))


async def wait_until(predicate: Callable[[], bool], *, interval: float = 0.01) -> None:
    """Poll ``predicate`` until true; the caller bounds it with ``fail_after``."""
    while not predicate():
        await anyio.sleep(interval)


async def test_hundreds_of_jobs_through_every_fault(anyio_backend: str) -> None:
    mock = MockSume(speed=SPEED, seed=7, credits=CREDITS, failure_rate=FAILURE_RATE, faults=chaos(11))
    prompts = [f"chaos {anyio_backend} #{i}" for i in range(N_STURDY)]
    urls = [f"https://www.tiktok.com/@chaos/video/{i}" for i in range(N_FRAGILE)]
    keys = [f"chaos-{anyio_backend}-fragile-{i}" for i in range(N_FRAGILE)]

    created: dict[int, Job] = {}
    create_errors: dict[int, BaseException] = {}
    waited: dict[int, Job | BaseException] = {}
    fragile_jobs: dict[int, Job] = {}
    fragile_errors: dict[int, BaseException] = {}

    try:
        with anyio.fail_after(150):
            async with serve(mock) as base_url:
                async with (
                    AsyncSume(
                        DEFAULT_API_KEY,
                        base_url=base_url,
                        retry_policy=STURDY,
                        poll_policy=POLL,
                        max_concurrent_requests=16,
                        max_concurrent_polls=8,
                    ) as sume,
                    AsyncSume(
                        DEFAULT_API_KEY, base_url=base_url, retry_policy=FRAGILE, max_concurrent_requests=4
                    ) as fragile,
                ):

                    async def create_and_wait(i: int) -> None:
                        try:
                            if i % 3 == 0:
                                job = await sume.videos.generate(prompt=prompts[i], duration=5, resolution="480p")
                            else:
                                job = await sume.images.generate(prompt=prompts[i], aspect_ratio="4:5")
                        except Exception as exc:  # anything at all: it is checked below
                            create_errors[i] = exc
                            return
                        created[i] = job
                        try:
                            waited[i] = await sume.jobs.wait(job, timeout=120)
                        except Exception as exc:
                            waited[i] = exc

                    async def fragile_create(i: int) -> None:
                        try:
                            fragile_jobs[i] = await fragile.reference_analysis.create(
                                url=urls[i], idempotency_key=keys[i]
                            )
                        except Exception as exc:
                            fragile_errors[i] = exc

                    async with anyio.create_task_group() as tg:
                        for i in range(max(N_STURDY, N_FRAGILE)):
                            if i < N_STURDY:
                                tg.start_soon(create_and_wait, i)
                            if i < N_FRAGILE:
                                tg.start_soon(fragile_create, i)

                    # -- the fragile client's failed creates: zero or one job each, never two -----
                    by_url_before = Counter(
                        j.request.get("url") for j in mock.jobs.values() if j.type == "reference_analysis"
                    )
                    assert all(count <= 1 for count in by_url_before.values()), by_url_before.most_common(3)
                    failed_with_job = [i for i in fragile_errors if by_url_before[urls[i]] == 1]
                    failed_without_job = [i for i in fragile_errors if by_url_before[urls[i]] == 0]
                    jobs_by_url = {
                        j.request.get("url"): j for j in mock.jobs.values() if j.type == "reference_analysis"
                    }
                    for i in failed_with_job:
                        assert jobs_by_url[urls[i]].idempotency_key == keys[i]

                    # The caller retries every fragile create with its own key (the sturdy client
                    # rides out the faults): a created job comes back, never a second one.
                    retried: dict[int, Job] = {}
                    retry_errors: dict[int, BaseException] = {}

                    async def caller_retry(i: int) -> None:
                        try:
                            retried[i] = await sume.reference_analysis.create(url=urls[i], idempotency_key=keys[i])
                        except Exception as exc:
                            retry_errors[i] = exc

                    async with anyio.create_task_group() as tg:
                        for i in range(N_FRAGILE):
                            tg.start_soon(caller_retry, i)
                    assert not retry_errors, describe(list(retry_errors.values()))

                    fragile_outcomes: dict[str, Job | SumeError] = {}
                    async for outcome in sume.jobs.as_completed(
                        list(retried.values()), timeout=120, return_exceptions=True
                    ):
                        key = outcome.id if isinstance(outcome, Job) else getattr(outcome, "job_id", repr(outcome))
                        fragile_outcomes[key] = outcome

                # Every connection the two clients opened (and re-opened after drops) is closed.
                await wait_until(lambda: mock.open_connections == 0)
    finally:
        mock.close()

    # -- only SumeErrors ever reached the caller ----------------------------------------------
    every_error: list[BaseException] = [
        *create_errors.values(),
        *(w for w in waited.values() if isinstance(w, BaseException)),
        *fragile_errors.values(),
        *(o for o in fragile_outcomes.values() if isinstance(o, BaseException)),
    ]
    assert all(isinstance(e, SumeError) for e in every_error), describe(every_error)

    # -- the sturdy batch: every create succeeded, exactly one job per call, all awaited ------
    assert not create_errors, describe(list(create_errors.values()))
    jobs = mock.jobs
    sturdy_jobs = [j for j in jobs.values() if j.type in ("image_generation", "video_generation")]
    per_prompt = Counter(j.request["prompt"] for j in sturdy_jobs)
    assert per_prompt == Counter(prompts), "duplicates or missing jobs: " + repr(
        [(p, n) for p, n in (per_prompt - Counter(prompts)).items()][:5]
        + [(p, 0) for p in prompts if p not in per_prompt][:5]
    )
    server_id = {j.request["prompt"]: j.id for j in sturdy_jobs}
    for i, job in created.items():
        assert job.id == server_id[prompts[i]], i  # the SDK returned the job the server kept
        assert str(job.type_) == ("video_generation" if i % 3 == 0 else "image_generation")

    assert set(waited) == set(range(N_STURDY))
    completed = failed = 0
    for i, result in waited.items():
        record = jobs[created[i].id]
        if isinstance(result, Job):
            assert result.id == record.id and str(result.status) == "completed" == record.status
            completed += 1
        else:
            assert isinstance(result, JobFailedError), describe([result])
            assert result.job_id == record.id and result.status == "failed" == record.status
            failed += 1
    # failure_rate=0.1 over 240 jobs: both outcomes occur (P(no failure) ~ 1e-11).
    assert completed and failed

    # -- the fragile calls: in the end exactly one job per call, and the caller's retry got it -
    fragile_all = [j for j in jobs.values() if j.type == "reference_analysis"]
    per_url = Counter(j.request["url"] for j in fragile_all)
    assert per_url == Counter(urls)
    by_url = {j.request["url"]: j for j in fragile_all}
    assert set(retried) == set(range(N_FRAGILE))
    for i in range(N_FRAGILE):
        record = by_url[urls[i]]
        assert record.idempotency_key == keys[i]
        assert retried[i].id == record.id, i  # the caller's retry returned the one job
        if i in fragile_jobs:
            assert fragile_jobs[i].id == record.id
    # Both kinds of failed create occurred: refused before the job existed, and the job created
    # but its response lost (each is near-certain over 60 calls at these rates).
    assert failed_without_job and failed_with_job, (len(failed_without_job), len(failed_with_job))
    assert all(isinstance(e, SumeError) and not isinstance(e, JobFailedError) for e in fragile_errors.values()), (
        describe(list(fragile_errors.values()))
    )
    assert set(fragile_outcomes) == {r.id for r in retried.values()}
    for key, outcome in fragile_outcomes.items():
        expected = jobs[key].status
        assert (isinstance(outcome, Job) and expected == "completed") or (
            isinstance(outcome, JobFailedError) and expected == "failed"
        ), (key, expected, describe([outcome]) if isinstance(outcome, BaseException) else "job")

    # -- nothing left running on the server, and each job was charged exactly once ------------
    assert len(jobs) == N_STURDY + N_FRAGILE
    assert all(j.status in ("completed", "failed") for j in jobs.values())
    assert mock.balance() == CREDITS - sum(j.cost for j in jobs.values())
    costs = Counter(j.type for j in jobs.values())
    assert sum(j.cost for j in jobs.values()) == (
        costs["image_generation"] * 4 + costs["video_generation"] * 40 + costs["reference_analysis"] * 10
    )

    # -- the chaos really happened --------------------------------------------------------------
    log = mock.requests
    statuses = Counter(r.status for r in log)
    assert statuses[429] and statuses[520] and any(statuses[s] for s in SERVER_ERRORS), statuses
    assert any(r.dropped for r in log)
    # Retry-After as an HTTP date (video creates, polls) and as seconds (image creates).
    routes_429 = Counter(r.route for r in log if r.status == 429)
    assert routes_429["POST /videos/generations"] + routes_429["GET /jobs/{jobId}"], routes_429
    assert routes_429["POST /images/generations"], routes_429
    # "created, then dropped": the request that created a job got no response, yet the SDK
    # returned that same job (its retry was answered from the idempotency record).
    by_request = {r.request_id: r for r in log}
    lost = [j for j in sturdy_jobs if by_request[j.request_id].dropped]
    assert lost, "no create lost its response"
    returned_ids = {job.id for job in created.values()}
    assert all(j.id in returned_ids for j in lost)
