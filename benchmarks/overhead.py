"""Per-call overhead of ``sume.jobs.get``.

Part 1, in memory: 20,000 sequential ``jobs.get`` calls through one in-memory transport
(an ``httpx.AsyncBaseTransport`` that answers every request with the same canned job),
four ways: ``AsyncSume`` with the httpx client it creates, ``AsyncSume`` with a caller's
``http_client``, the generated ``get_job.asyncio_detailed`` with a generated ``Client``,
and raw ``httpx.AsyncClient`` + ``json.loads``. A fifth, informational row
adds the generated ``Job.from_dict`` to the raw call: the price of a typed model.
Rounds run the variants back to back, in rotating order; ratios are per round, then
the median across rounds.

Part 2, loopback: 200 concurrent callers against the mock server on a real socket (the
server in this process, the client in a fresh child process), ``AsyncSume`` with its
default bound of 64 requests in flight vs raw httpx with a pool of 64 connections.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import httpx

from ._common import API_KEY, Child, clean, fmt, log, median, spread, table, usage, verdict

TARGET_RATIO = 1.00
STRETCH_RATIO = 0.85
BASE_URL = "http://testserver/api/v1"
JOB_ID = "job_0a5d6baa9455e3e70682"
JOB_BODY = json.dumps(
    {
        "id": JOB_ID,
        "object": "job",
        "type": "video_generation",
        "status": "processing",
        "created_at": "2025-01-01T00:00:00.000Z",
        "updated_at": "2025-01-01T00:00:04.000Z",
        "error": None,
        "result_url": None,
        "request_id": "req_5b0e4cc1a3e2d6f7a8b9",
    },
    separators=(",", ":"),
).encode()
JOB_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(JOB_BODY)).encode()),
    (b"x-request-id", b"req_5b0e4cc1a3e2d6f7a8b9"),
]


class CannedJobTransport(httpx.AsyncBaseTransport):
    """Answers every request with the same prebuilt 200 job response (status, headers, body).

    httpx binds a response to its request and wraps its stream on every send, so one
    ``Response`` object cannot be handed out twice; each call gets a fresh one over
    the same prebuilt headers and bytes (about 2 µs, the same for every variant).
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=JOB_HEADERS, stream=httpx.ByteStream(JOB_BODY))


# ---------------------------------------------------------------- part 1: in memory


async def _variants(transport: httpx.AsyncBaseTransport) -> tuple[dict[str, Any], list[Any]]:
    from sume_async import AsyncSume
    from sume_async._generated.api.jobs import get_job
    from sume_async._generated.client import Client
    from sume_async._generated.models import Job

    auth = {"Authorization": f"Bearer {API_KEY}"}
    # The SDK-owned httpx client (given only the transport), and a caller's own http_client.
    sume = AsyncSume(api_key=API_KEY, base_url=BASE_URL, transport=transport, allow_insecure_http=True)
    sume_http = httpx.AsyncClient(transport=transport)
    sume_user = AsyncSume(api_key=API_KEY, base_url=BASE_URL, http_client=sume_http, allow_insecure_http=True)
    generated = Client(base_url=BASE_URL)
    gen_http = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=auth)
    generated.set_async_httpx_client(gen_http)
    raw = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=auth)
    path = f"/jobs/{JOB_ID}"

    async def call_sume() -> None:
        job = await sume.jobs.get(JOB_ID)
        assert job.id == JOB_ID

    async def call_sume_user_http() -> None:
        job = await sume_user.jobs.get(JOB_ID)
        assert job.id == JOB_ID

    async def call_generated() -> None:
        response = await get_job.asyncio_detailed(JOB_ID, client=generated)
        assert isinstance(response.parsed, Job)

    async def call_raw() -> None:
        response = await raw.get(path)
        if response.status_code != 200:
            raise RuntimeError(response.status_code)
        assert json.loads(response.content)["id"] == JOB_ID

    async def call_raw_model() -> None:
        response = await raw.get(path)
        if response.status_code != 200:
            raise RuntimeError(response.status_code)
        assert Job.from_dict(json.loads(response.content)).id == JOB_ID

    variants = {
        "AsyncSume jobs.get": call_sume,
        "AsyncSume jobs.get, your http_client": call_sume_user_http,
        "generated get_job.asyncio_detailed": call_generated,
        "raw httpx + json.loads": call_raw,
        "raw httpx + json.loads + Job.from_dict": call_raw_model,
    }
    return variants, [sume, sume_user, gen_http, raw, sume_http]


async def _time_calls(call: Any, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await call()
    return (time.perf_counter() - start) / n * 1e6


async def in_memory(calls: int, rounds: int) -> dict[str, Any]:
    variants, closers = await _variants(CannedJobTransport())
    names = list(variants)
    times: dict[str, list[float]] = {name: [] for name in names}
    ratios: dict[str, list[float]] = {name: [] for name in names}
    try:
        for name in names:  # warm up: imports, caches, code paths
            await _time_calls(variants[name], 1000)
        for r in range(rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            this_round = {name: await _time_calls(variants[name], calls) for name in order}
            for name in names:
                times[name].append(this_round[name])
                ratios[name].append(this_round[name] / this_round["raw httpx + json.loads"])
    finally:
        for closer in closers:
            await closer.aclose() if hasattr(closer, "aclose") else await closer.close()
    return {
        name: {"us_per_call": median(times[name]), "ratio_to_raw": median(ratios[name]), "runs_us": times[name]}
        for name in names
    }


# ---------------------------------------------------------------- part 2: loopback, concurrent


async def loopback_child(args: dict[str, Any]) -> dict[str, Any]:
    """Runs in a child process: ``callers`` tasks share ``calls`` GETs of one job."""
    base_url, variant, callers, calls, pool = (
        args["base_url"],
        args["variant"],
        args["callers"],
        args["calls"],
        args["pool"],
    )
    job_id = args["job_id"]
    from sume_async import AsyncSume

    if variant == "sume":
        sume = AsyncSume(api_key=args["api_key"], base_url=base_url, max_concurrent_requests=pool)

        async def call() -> None:
            await sume.jobs.get(job_id)

        close = sume.close
    else:
        raw = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {args['api_key']}"},
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            timeout=httpx.Timeout(60.0),
        )

        async def call() -> None:
            response = await raw.get(f"/jobs/{job_id}")
            response.raise_for_status()
            json.loads(response.content)

        close = raw.aclose
    remaining = calls
    errors = 0

    async def caller() -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            try:
                await call()
            except Exception:
                errors += 1

    for _ in range(20):  # open a few connections before the clock starts
        await call()
    before = usage()
    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(callers):
            tg.start_soon(caller)
    elapsed = time.perf_counter() - start
    after = usage()
    await close()
    return {
        "calls_per_s": calls / elapsed,
        "client_cpu_us_per_call": (after["cpu_s"] - before["cpu_s"]) / calls * 1e6,
        "errors": errors,
    }


async def loopback(callers: int, calls: int, rounds: int, pool: int) -> dict[str, Any]:
    from sume_async.testing import DEFAULT_API_KEY, ManualClock, MockSume, serve

    mock = MockSume(clock=ManualClock(), credits=10**9)
    results: dict[str, dict[str, list[float]]] = {
        v: {"calls_per_s": [], "client_cpu_us_per_call": [], "peak_connections": [], "server_cpu_us_per_call": []}
        for v in ("sume", "raw")
    }
    async with serve(mock) as base_url:
        async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}) as c:
            created = await c.post("/videos/generations", json={"prompt": "benchmark"})
            created.raise_for_status()
            job_id = created.json()["job_id"]
        for r in range(rounds):
            for variant in ("sume", "raw") if r % 2 == 0 else ("raw", "sume"):
                child = Child(
                    "benchmarks.overhead:loopback_child",
                    {
                        "base_url": base_url,
                        "api_key": DEFAULT_API_KEY,
                        "variant": variant,
                        "callers": callers,
                        "calls": calls,
                        "pool": pool,
                        "job_id": job_id,
                    },
                    timeout=300,
                )
                mock.reset_peak()
                server_before = usage()["cpu_s"]
                out = await anyio.to_thread.run_sync(child.result)
                server_cpu = usage()["cpu_s"] - server_before
                if out["errors"]:
                    raise RuntimeError(f"{variant}: {out['errors']} failed calls")
                for key in ("calls_per_s", "client_cpu_us_per_call"):
                    results[variant][key].append(out[key])
                results[variant]["peak_connections"].append(mock.peak_connections)
                results[variant]["server_cpu_us_per_call"].append(server_cpu / (calls + 20) * 1e6)
    mock.close()
    return {
        v: {k: {"median": median(vals), "runs": vals} for k, vals in metrics.items()} for v, metrics in results.items()
    }


# ---------------------------------------------------------------- entry point


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    calls = 2_000 if quick else 20_000
    rounds = runs or (2 if quick else 5)
    log(f"overhead: {calls:,} sequential calls x {rounds} rounds per variant, in memory")
    mem = anyio.run(in_memory, calls, rounds)
    raw_us = mem["raw httpx + json.loads"]["us_per_call"]
    sume_ratio = mem["AsyncSume jobs.get"]["ratio_to_raw"]
    met = sume_ratio <= TARGET_RATIO
    stretch = sume_ratio <= STRETCH_RATIO
    table(
        f"Per-call overhead, in-memory transport ({calls:,} calls, median of {rounds} rounds)",
        ["client", "µs/call", "× raw httpx", "overhead µs", "runs µs"],
        [
            [name, m["us_per_call"], m["ratio_to_raw"], m["us_per_call"] - raw_us, spread(m["runs_us"])]
            for name, m in mem.items()
        ],
        [
            f"Target: AsyncSume <= {fmt(TARGET_RATIO)}x raw httpx + json.loads per call: {verdict(met)} "
            f"({fmt(sume_ratio)}x); stretch <= {fmt(STRETCH_RATIO)}x: {verdict(stretch)}. AsyncSume uses the "
            "httpx client it creates (no cookies, requests built once-merged); with your own http_client, "
            "httpx's full request building applies (the second row).",
        ],
    )

    callers, pool = 200, 64
    lb_calls = 1_000 if quick else 2_000
    lb_rounds = runs or (1 if quick else 3)
    log(f"overhead: {callers} concurrent callers, {lb_calls:,} calls x {lb_rounds} rounds per variant, loopback")
    lb = anyio.run(loopback, callers, lb_calls, lb_rounds, pool)
    ratio = lb["sume"]["calls_per_s"]["median"] / lb["raw"]["calls_per_s"]["median"]
    table(
        f"{callers} concurrent callers over loopback to the mock server ({lb_calls:,} calls, median of {lb_rounds})",
        ["client (pool 64)", "calls/s", "client CPU µs/call", "server CPU µs/call", "peak connections"],
        [
            [
                label,
                lb[v]["calls_per_s"]["median"],
                lb[v]["client_cpu_us_per_call"]["median"],
                lb[v]["server_cpu_us_per_call"]["median"],
                int(lb[v]["peak_connections"]["median"]),
            ]
            for v, label in (
                ("sume", "AsyncSume (max_concurrent_requests=64)"),
                ("raw", "raw httpx (max_connections=64)"),
            )
        ],
        [f"AsyncSume throughput = {fmt(ratio)}x raw httpx."],
    )
    return clean(
        {
            "in_memory": {"calls": calls, "rounds": rounds, "variants": mem},
            "loopback": {"callers": callers, "pool": pool, "calls": lb_calls, "rounds": lb_rounds, **lb},
            "loopback_throughput_ratio": ratio,
            "target": {
                "max_ratio_to_raw": TARGET_RATIO,
                "stretch_ratio": STRETCH_RATIO,
                "ratio": sume_ratio,
                "met": met,
                "stretch_met": stretch,
            },
        }
    )
