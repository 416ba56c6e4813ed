"""A batch driver on a local Dask cluster, run as its own process by the driver-crash test.

``python dask_driver.py ROWS.json STATE [SCHEDULER]``: key and base URL from the environment; a
local cluster of 2 workers unless a scheduler address is given. Prints one JSON line per
outcome, then a summary line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio

from sume_async import AsyncSume, PollPolicy
from sume_async.batch import Batch, DaskEngine


async def main(rows_path: str, state: str, scheduler: str | None) -> int:
    rows = json.loads(Path(rows_path).read_text())
    engine = DaskEngine(
        scheduler=scheduler,
        local_workers=None if scheduler else 2,
        threads_per_worker=2,
        chunk_size=5 if scheduler else 8,
        poll_policy=PollPolicy().scaled(0.02),
    )
    async with AsyncSume() as sume:
        limit = 4 if scheduler else 12
        batch = Batch(sume, name="driver-crash", state=state, engine=engine, max_in_flight=limit)
        async with batch.run(rows) as outcomes:
            async for outcome in outcomes:
                print(json.dumps(outcome.to_dict()), flush=True)
    stopped = outcomes.stopped
    print(json.dumps({"stopped": None if stopped is None else stopped.reason}), flush=True)
    return 0 if stopped is None else 3


if __name__ == "__main__":
    sys.exit(anyio.run(main, sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
