"""A batch pipeline with sume-async: the demo behind ``make demo``.

Without ``SUME_API_KEY`` it runs against the embedded mock Sume server, started on
loopback with time sped up. With a key it still uses the mock unless you pass
``--production`` (which spends real credits). On the mock, a share of jobs fails on purpose
(``failure_rate``): the demo says so next to each one. Progress is drawn in place on a
terminal; piped or redirected, it prints one line per step instead.

    python examples/batch_pipeline.py [--images 12] [--videos 4] [--production]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from sume_async import AsyncSume, Job, JobError, PollPolicy, SumeError

MOCK_SPEED = 40.0  # simulated seconds per real second on the mock
MOCK_FAILURE_RATE = 0.1  # the share of jobs the mock fails on purpose
#: Draw progress in place (``\r``) only on a terminal; a pipe or a log file gets whole lines.
INTERACTIVE = sys.stdout.isatty()


@asynccontextmanager
async def open_client(production: bool) -> AsyncGenerator[AsyncSume, None]:
    if production:
        if not os.environ.get("SUME_API_KEY"):
            sys.exit("--production needs SUME_API_KEY")
        print("Target: production Sume (this spends credits)\n")
        async with AsyncSume() as sume:
            yield sume
        return

    from sume_async.testing import DEFAULT_API_KEY, MockSume, serve

    mock = MockSume(speed=MOCK_SPEED, failure_rate=MOCK_FAILURE_RATE, seed=3)
    async with serve(mock) as base_url:
        print(f"Target: embedded mock Sume server at {base_url} (time x{MOCK_SPEED:g})")
        print(
            f"The mock fails {MOCK_FAILURE_RATE:.0%} of jobs on purpose: a failure marked (simulated) below"
            " is the mock's, not a bug.\n"
        )
        # Poll on the mock's sped-up clock; against production use the default policy.
        policy = PollPolicy().scaled(1 / MOCK_SPEED)
        async with AsyncSume(DEFAULT_API_KEY, base_url=base_url, poll_policy=policy) as sume:
            yield sume


def progress_line(done: int, failed: int, total: int, width: int = 30) -> str:
    filled = int(width * (done + failed) / total)
    return f"\r  [{'#' * filled}{'.' * (width - filled)}] {done} completed, {failed} failed, {total} total"


async def create_batch(sume: AsyncSume, images: int, videos: int) -> list[Job]:
    """Create every job concurrently; creates are idempotent, so retries never double-charge."""
    jobs: list[Job] = []

    async def image(i: int) -> None:
        jobs.append(
            await sume.images.generate(prompt=f"Product shot #{i} of a ceramic mug, soft light", aspect_ratio="1:1")
        )

    async def video(i: int) -> None:
        jobs.append(await sume.videos.generate(prompt=f"Unboxing clip #{i}", duration=6, resolution="720p"))

    async with anyio.create_task_group() as tg:
        for i in range(images):
            tg.start_soon(image, i)
        for i in range(videos):
            tg.start_soon(video, i)
    return jobs


async def main(args: argparse.Namespace) -> None:
    async with open_client(args.production) as sume:
        account = await sume.account.me()
        credits = await sume.credits.get()
        workspace = account.workspace.name if account.workspace else None
        print(f"Workspace {workspace!s} · plan {credits.plan} · {credits.remaining_credits} credits left")

        started = anyio.current_time()
        jobs = await create_batch(sume, args.images, args.videos)
        print(f"Created {len(jobs)} jobs in {anyio.current_time() - started:.2f}s; waiting:")

        completed: list[Job] = []
        failures: list[SumeError] = []
        simulated = "" if args.production else " (simulated)"
        async for outcome in sume.jobs.as_completed(jobs, return_exceptions=True):
            if isinstance(outcome, SumeError):
                failures.append(outcome)
            else:
                completed.append(outcome)
            if INTERACTIVE:
                print(progress_line(len(completed), len(failures), len(jobs)), end="", flush=True)
            elif isinstance(outcome, SumeError):
                print(f"  failed{simulated}: {type(outcome).__name__}: {outcome}", flush=True)
            else:
                print(f"  completed {outcome.id} ({outcome.type_})", flush=True)
        print(("\n" if INTERACTIVE else "") + f"  done in {anyio.current_time() - started:.1f}s", end="")
        print(f": {len(completed)} completed, {len(failures)} failed{simulated if failures else ''}, {len(jobs)} total")
        if INTERACTIVE:
            for failure in failures:
                print(f"  ! {type(failure).__name__}{simulated}: {failure}")

        for done in completed[:3]:
            result = await sume.jobs.result(done)
            outputs = result.result.outputs if result.result else []
            print(f"  {done.id} ({done.type_}): {len(outputs or [])} output(s)")

        print("\nUploading a video to the Asset Library:")
        with tempfile.TemporaryDirectory() as tmp:
            video = Path(tmp) / "launch-ad.mp4"
            video.write_bytes(os.urandom(4 * 1024 * 1024))

            def show(sent: int, total: int) -> None:
                if INTERACTIVE:
                    print(f"\r  uploaded {sent / 2**20:5.1f} / {total / 2**20:.1f} MiB", end="", flush=True)

            ingest = await sume.assets.upload(video, title="Launch ad hook", on_progress=show)
        print(("\n" if INTERACTIVE else "") + f"  uploaded {video.name}: ingest job {ingest.id}")
        try:
            print(f"  ingest job {ingest.id}: {(await sume.jobs.wait(ingest)).status}")
        except JobError as exc:  # the mock fails a share of jobs on purpose
            print(f"  ingest did not complete{simulated}: {exc}")

        print("\nSearching the Asset Library for 'hook':")
        for asset in await sume.assets.search("hook", limit=5).to_list(max_items=5):
            score = asset.search.score if asset.search else None
            print(f"  {asset.id}  {asset.title!s:40}  score={score}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--images", type=int, default=12)
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--production", action="store_true", help="use production Sume (spends credits)")
    anyio.run(main, parser.parse_args())
