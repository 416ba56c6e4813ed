"""Job waits: adaptive polling, failure, deadlines, cancellation, the poll bound."""

from __future__ import annotations

import random
from collections import Counter

import anyio
import httpx
import pytest
from sdk_helpers import FAST_POLL, FAST_RETRY, KEY, envelope, job

from sume_async import AsyncSume, Job, JobFailedError, JobTimeoutError, NotFoundError, PollPolicy
from sume_async._job_types import IMAGE_TIMEOUT, VIDEO_TIMEOUT
from sume_async._waiting import default_timeout

pytestmark = pytest.mark.anyio


class Scripted:
    """A server whose job ``i`` completes after ``polls[i]`` polls (``status`` at the end)."""

    def __init__(self, polls: dict[str, int], final: dict[str, str] | None = None) -> None:
        self.remaining = dict(polls)
        self.final = final or {}
        self.counts: Counter[str] = Counter()
        self.in_flight = 0
        self.peak = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[-1]
        self.counts[job_id] += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await anyio.sleep(0.001)
        finally:
            self.in_flight -= 1
        if job_id not in self.remaining:
            return httpx.Response(404, json=envelope("not_found"))
        self.remaining[job_id] -= 1
        if self.remaining[job_id] > 0:
            status = "mystery_state" if self.remaining[job_id] == 1 else "processing"
            return httpx.Response(200, json=job(job_id, status))
        final = self.final.get(job_id, "completed")
        error = {"code": "content_policy", "message": "Refused."} if final != "completed" else None
        return httpx.Response(200, json=job(job_id, final, error=error))


def make(server: Scripted, **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("retry_policy", FAST_RETRY)
    kwargs.setdefault("poll_policy", FAST_POLL)
    kwargs.setdefault("max_polls_per_second", None)
    return AsyncSume(KEY, http_client=httpx.AsyncClient(transport=httpx.MockTransport(server.handle)), **kwargs)  # type: ignore[arg-type]


async def test_wait_polls_through_unknown_states_until_completed() -> None:
    server = Scripted({"job_1": 4})
    async with make(server) as sume:
        done = await sume.jobs.wait("job_1")
    assert done.status == "completed"
    assert server.counts["job_1"] == 4  # an unknown state did not end the wait


async def test_wait_raises_job_failed_with_the_sanitized_error() -> None:
    server = Scripted({"job_1": 2}, final={"job_1": "failed"})
    async with make(server) as sume:
        with pytest.raises(JobFailedError) as info:
            await sume.jobs.wait(Job.from_dict(job("job_1")))
    err = info.value
    assert (err.job_id, err.status, err.error_code, err.error_message) == (
        "job_1",
        "failed",
        "content_policy",
        "Refused.",
    )


@pytest.mark.parametrize("final", ["canceled", "expired"])
async def test_other_terminal_states_also_fail(final: str) -> None:
    server = Scripted({"job_1": 1}, final={"job_1": final})
    async with make(server) as sume:
        with pytest.raises(JobFailedError, match=final):
            await sume.jobs.wait("job_1")


async def test_wait_times_out_with_the_last_status_seen() -> None:
    server = Scripted({"job_1": 10**6})
    async with make(server) as sume:
        with pytest.raises(JobTimeoutError) as info:
            await sume.jobs.wait("job_1", timeout=0.1)
    assert info.value.last_status in ("processing", "mystery_state")
    assert info.value.timeout == 0.1


async def test_not_found_job_raises_the_status_error() -> None:
    async with make(Scripted({})) as sume:
        with pytest.raises(NotFoundError):
            await sume.jobs.wait("job_missing")


async def test_transient_poll_errors_do_not_end_the_wait() -> None:
    server = Scripted({"job_1": 3})
    failures = iter([True, True, True, True])

    async def flaky(request: httpx.Request) -> httpx.Response:
        if next(failures, False):
            return httpx.Response(503, text="busy")
        return await server.handle(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(flaky))
    async with AsyncSume(
        KEY, http_client=http, retry_policy=FAST_RETRY, poll_policy=FAST_POLL, max_polls_per_second=None
    ) as sume:
        assert (await sume.jobs.wait("job_1")).status == "completed"


async def test_as_completed_yields_in_completion_order_with_bounded_polls() -> None:
    polls = {f"job_{i}": 1 + (i * 7) % 5 for i in range(60)}
    server = Scripted(polls)
    async with make(server, max_concurrent_polls=4) as sume:
        order = [j.id async for j in sume.jobs.as_completed(list(polls))]
    assert sorted(order) == sorted(polls)
    assert server.peak <= 4
    quick = {j for j, n in polls.items() if n == 1}
    assert set(order[: len(quick)]) == quick


async def test_wait_all_keeps_input_order_and_can_return_failures() -> None:
    server = Scripted({"job_a": 3, "job_b": 1, "job_c": 2}, final={"job_b": "failed"})
    async with make(server) as sume:
        results = await sume.jobs.wait_all(["job_a", "job_b", "job_c"], return_exceptions=True)
        assert [getattr(r, "id", None) for r in results] == ["job_a", None, "job_c"]
        assert isinstance(results[1], JobFailedError)
        with pytest.raises(JobFailedError):
            await sume.jobs.wait_all(["job_b"])


async def test_wait_all_deadline_reports_each_unfinished_job() -> None:
    server = Scripted({"job_fast": 1, "job_slow": 10**6})
    async with make(server) as sume:
        results = await sume.jobs.wait_all(["job_slow", "job_fast"], timeout=0.2, return_exceptions=True)
    assert isinstance(results[0], JobTimeoutError) and results[0].job_id == "job_slow"
    assert results[1].id == "job_fast"  # type: ignore[union-attr]


async def test_cancelling_a_wait_leaves_no_poll_running() -> None:
    server = Scripted({f"job_{i}": 10**6 for i in range(20)})
    async with make(server) as sume:
        with anyio.move_on_after(0.1):
            await sume.jobs.wait_all(list(server.remaining))
        before = sum(server.counts.values())
        await anyio.sleep(0.1)
        assert sum(server.counts.values()) == before
        assert server.in_flight == 0


async def test_breaking_out_of_as_completed_stops_polling() -> None:
    server = Scripted({"job_0": 1, **{f"job_{i}": 10**6 for i in range(1, 10)}})
    async with make(server) as sume:
        async for _ in sume.jobs.as_completed(list(server.remaining)):
            break
        before = sum(server.counts.values())
        await anyio.sleep(0.1)
        assert sum(server.counts.values()) == before


def test_poll_intervals_grow_to_a_cap_that_fits_the_job_type() -> None:
    policy = PollPolicy(first=1.0, factor=1.5, short_cap=3.0, long_cap=6.0, jitter=0.0)
    rng = random.Random(0)
    image = [policy.interval(n, "image_generation", rng) for n in range(8)]
    video = [policy.interval(n, "video_generation", rng) for n in range(8)]
    assert image[0] == video[0] == 1.0
    assert image == sorted(image) and max(image) == 3.0
    assert video == sorted(video) and max(video) == 6.0
    jittered = {PollPolicy(jitter=0.2).interval(0, None, rng) for _ in range(10)}
    assert len(jittered) > 1 and all(0.8 <= d <= 1.2 for d in jittered)


def test_default_deadlines_follow_the_job_type() -> None:
    from sume_async import Job, JobStatus, JobType

    image = Job(id="job_1", status=JobStatus.QUEUED, type_=JobType.IMAGE_GENERATION)
    video = Job(id="job_2", status=JobStatus.QUEUED, type_=JobType.VIDEO_GENERATION)
    assert default_timeout([image]) == IMAGE_TIMEOUT == 600
    assert default_timeout([image, video]) == VIDEO_TIMEOUT == 1800
    assert default_timeout(["job_3"]) == VIDEO_TIMEOUT


async def test_a_malformed_poll_response_ends_the_wait_with_its_own_error() -> None:
    from sume_async import APIResponseValidationError

    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"status": 5})))
    async with AsyncSume(
        KEY, http_client=http, retry_policy=FAST_RETRY, poll_policy=FAST_POLL, max_polls_per_second=None
    ) as sume:
        with pytest.raises(APIResponseValidationError):
            await sume.jobs.wait("job_1")
        results = await sume.jobs.wait_all(["job_1", "job_2"], return_exceptions=True)
    assert all(isinstance(r, APIResponseValidationError) for r in results)


async def test_as_completed_as_a_context_keeps_polling_while_the_caller_works() -> None:
    polls = {f"job_{i}": 1 + i % 4 for i in range(40)}
    server = Scripted(polls)
    async with make(server, max_concurrent_polls=4) as sume:
        seen: list[str] = []
        async with sume.jobs.as_completed(list(polls)) as finished:
            async for job in finished:
                if not seen:
                    before = sum(server.counts.values())
                    await anyio.sleep(0.2)  # the caller is busy; polling goes on
                    assert sum(server.counts.values()) > before
                seen.append(job.id)
    assert sorted(seen) == sorted(polls)
    assert server.peak <= 4


async def test_leaving_the_context_early_stops_polling() -> None:
    server = Scripted({"job_0": 1, **{f"job_{i}": 10**6 for i in range(1, 10)}})
    async with make(server) as sume:
        async with sume.jobs.as_completed(list(server.remaining)) as finished:
            async for _ in finished:
                break
        before = sum(server.counts.values())
        await anyio.sleep(0.1)
        assert sum(server.counts.values()) == before and server.in_flight == 0


async def test_context_form_raises_plain_errors_and_reports_deadlines() -> None:
    server = Scripted({"job_ok": 1, "job_bad": 2, "job_slow": 10**6}, final={"job_bad": "failed"})
    async with make(server) as sume:
        with pytest.raises(JobFailedError):
            async with sume.jobs.as_completed(["job_bad", "job_slow"]) as finished:
                async for _ in finished:
                    pass
        outcomes = []
        async with sume.jobs.as_completed(["job_ok", "job_slow"], timeout=0.2, return_exceptions=True) as finished:
            async for outcome in finished:
                outcomes.append(outcome)
        assert [type(o).__name__ for o in outcomes] == ["Job", "JobTimeoutError"]
        with pytest.raises(KeyError):  # the caller's own error comes out as itself
            async with sume.jobs.as_completed(["job_slow"]) as finished:
                raise KeyError("mine")


async def test_waits_on_a_closed_client_raise_client_closed_error() -> None:
    from sume_async import ClientClosedError

    server = Scripted({"job_1": 10**6})
    sume = make(server)
    await sume.close()
    with pytest.raises(ClientClosedError):
        await sume.jobs.wait_all(["job_1"])
    with pytest.raises(ClientClosedError):
        async with sume.jobs.as_completed(["job_1"]) as finished:
            async for _ in finished:
                pass


@pytest.mark.parametrize("jobs", ["job_abc", b"job_abc", 42, None])
async def test_batch_waits_refuse_a_single_string_or_non_list(jobs: object) -> None:
    from sume_async import InvalidInputError

    async with make(Scripted({})) as sume:
        with pytest.raises(InvalidInputError, match="jobs"):
            await sume.jobs.wait_all(jobs)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="jobs"):
            sume.jobs.as_completed(jobs)  # type: ignore[arg-type]


# -- answers about another job are refused, never handed over as the one asked for


def _answering_as(other: dict[str, str]) -> httpx.MockTransport:
    """A server whose answer about ``job`` (or ``asset``/``avatar``) is the object ``other[id]``, if listed."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removesuffix("/result")
        asked = path.rsplit("/", 1)[-1]
        answered = other.get(asked, asked)
        if "/jobs/" in path:
            return httpx.Response(200, json=job(answered, "completed", result={"outputs": []}))
        return httpx.Response(200, json={"id": answered})

    return httpx.MockTransport(handle)


def _mismatched(other: dict[str, str]) -> AsyncSume:
    return AsyncSume(
        KEY,
        http_client=httpx.AsyncClient(transport=_answering_as(other)),
        retry_policy=FAST_RETRY,
        poll_policy=FAST_POLL,
        max_polls_per_second=None,
    )


async def test_a_poll_answered_with_another_jobs_id_is_a_mismatch_not_the_job() -> None:
    from sume_async import APIResponseValidationError, ResponseMismatchError

    async with _mismatched({"job_1": "job_2", "job_3": "job_2"}) as sume:
        with pytest.raises(ResponseMismatchError) as info:
            await sume.jobs.wait("job_1")
        assert (info.value.asked, info.value.answered) == ("job_1", "job_2")
        assert isinstance(info.value, APIResponseValidationError)
        # wait_all never returns a job nobody asked for: the mismatched ones are errors in place.
        results = await sume.jobs.wait_all(["job_1", "job_2", "job_3"], return_exceptions=True)
        assert isinstance(results[0], ResponseMismatchError) and isinstance(results[2], ResponseMismatchError)
        assert isinstance(results[1], Job) and results[1].id == "job_2"
        with pytest.raises(ResponseMismatchError):
            await sume.jobs.wait_all(["job_2", "job_3"])
        seen = [o async for o in sume.jobs.as_completed(["job_1", "job_2"], return_exceptions=True)]
        assert sorted(type(o).__name__ for o in seen) == ["Job", "ResponseMismatchError"]
        assert [o.id for o in seen if isinstance(o, Job)] == ["job_2"]


async def test_every_read_by_id_refuses_an_answer_about_something_else() -> None:
    from sume_async import ResponseMismatchError

    async with _mismatched({"job_1": "job_9", "asset_1": "asset_9", "avatar_1": "avatar_9"}) as sume:
        for call in (
            sume.jobs.get("job_1"),
            sume.jobs.get(Job.from_dict(job("job_1"))),
            sume.jobs.result("job_1"),
            sume.assets.get("asset_1"),
            sume.avatars.get("avatar_1"),
        ):
            with pytest.raises(ResponseMismatchError, match="_9"):
                await call
        with pytest.raises(ResponseMismatchError):
            await sume.jobs.download("job_1", "never-written")
        assert (await sume.jobs.get("job_2")).id == "job_2"  # a matching answer is fine


async def test_a_filtered_job_list_refuses_jobs_the_filter_excludes() -> None:
    from sume_async import ResponseMismatchError

    def handle(request: httpx.Request) -> httpx.Response:
        items = [job("job_1", "completed", type_="video_generation"), job("job_2", "failed", type_="image_generation")]
        return httpx.Response(200, json={"object": "list", "data": items, "has_more": False, "next_cursor": None})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    async with AsyncSume(KEY, http_client=http, retry_policy=FAST_RETRY, max_polls_per_second=None) as sume:
        assert len(await sume.jobs.list().to_list()) == 2  # no filter: every job is an answer
        with pytest.raises(ResponseMismatchError, match="image_generation"):
            await sume.jobs.list(type="video_generation").to_list()
        with pytest.raises(ResponseMismatchError, match="failed"):
            await sume.jobs.list(status="completed").to_list()
        with pytest.raises(ResponseMismatchError):
            [j async for j in sume.jobs.list(type="video_generation", status="completed")]
