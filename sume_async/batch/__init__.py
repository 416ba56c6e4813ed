"""Batch pipelines that never pay twice: ``sume_async.batch``.

::

    from sume_async import AsyncSume
    from sume_async.batch import Batch

    rows = [{"id": "sku-1", "kind": "image", "params": {"prompt": "A red bicycle"}}]
    async with AsyncSume() as sume:
        async with Batch(sume, name="catalog", state="catalog.state").run(rows) as outcomes:
            async for outcome in outcomes:
                print(outcome.row_id, outcome.status)

Each row gets a deterministic ``Idempotency-Key`` (batch name, row id, canonical params), its
job ids are journaled (SQLite, WAL) the moment its create returns, and a rerun skips finished
rows, waits for created ones by id and creates only the rest.
"""

from ._batch import DEFAULT_MAX_IN_FLIGHT, Batch, BatchRun, Engine, ParamsChangedError, Plan, deferred_items, plan_rows
from ._check import RowChecker, check_rows
from ._dask import DaskEngine
from ._journal import Journal, JournalError, JournalRow
from ._keys import fingerprint, idempotency_key
from ._manifest import Manifest, ManifestFile, in_shard, iter_manifest, load_manifest
from ._pacing import LocalPacer, Pacer, RateLimitGate
from ._rows import KINDS, Row, parse_row
from ._runner import DownloadOptions, OutputFile, Progress, Reporter, RowOutcome, RunEnd, WorkItem, run_items

__all__ = [
    "DEFAULT_MAX_IN_FLIGHT",
    "KINDS",
    "Batch",
    "BatchRun",
    "DaskEngine",
    "DownloadOptions",
    "Engine",
    "Journal",
    "JournalError",
    "JournalRow",
    "LocalPacer",
    "Manifest",
    "ManifestFile",
    "OutputFile",
    "Pacer",
    "ParamsChangedError",
    "Plan",
    "Progress",
    "RateLimitGate",
    "Reporter",
    "Row",
    "RowChecker",
    "RowOutcome",
    "RunEnd",
    "WorkItem",
    "check_rows",
    "deferred_items",
    "fingerprint",
    "idempotency_key",
    "in_shard",
    "iter_manifest",
    "load_manifest",
    "parse_row",
    "plan_rows",
    "run_items",
]
