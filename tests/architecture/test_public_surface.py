"""The public surface, listed: adding or removing a name is a deliberate edit here.

``sume_async.__all__`` (and ``sume_async.testing.__all__``) is the promise to users; every
other module is private by its leading underscore. Whoever adds a public export updates the
list below in the same change.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import sume_async

SUME_ASYNC = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "AccountUser",
    "AdsVideoStyle",
    "ApiKeyInfo",
    "Asset",
    "AssetMetadata",
    "AssetSearch",
    "AsyncPager",
    "AsyncSume",
    "AuthenticationError",
    "Avatar",
    "AvatarCapabilities",
    "AvatarVisibility",
    "BadRequestError",
    "Brand",
    "BrandImage",
    "ClientClosedError",
    "ClusterError",
    "ConflictError",
    "Credits",
    "DownloadError",
    "EventLoopError",
    "InsufficientCreditsError",
    "InternalServerError",
    "InvalidInputError",
    "Job",
    "JobError",
    "JobErrorInfo",
    "JobFailedError",
    "JobOutput",
    "JobResult",
    "JobStatus",
    "JobTimeoutError",
    "JobType",
    "JobWithResult",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "PollPolicy",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
    "RetryPolicy",
    "SumeError",
    "UnprocessableEntityError",
    "Upload",
    "UploadError",
    "UploadPurpose",
    "UploadedFile",
    "VideoResolution",
    "Workspace",
    "__version__",
]

TESTING = [
    "Clock",
    "ConnectionDropped",
    "DEFAULT_API_KEY",
    "FEATURES",
    "Faults",
    "JobView",
    "LoopbackServer",
    "ManualClock",
    "MediaView",
    "MockSume",
    "ScaledClock",
    "UploadView",
    "client_for",
    "serve",
    "speed_of",
]

#: Public (non-underscore) modules and packages directly under ``sume_async``.
PUBLIC_MODULES = ["batch", "cli", "resources", "testing"]


#: ``sume_async.batch``: batch pipelines (runner, journal, keys) and the seam for distributed engines.
BATCH = [
    "DEFAULT_MAX_IN_FLIGHT",
    "DaskEngine",
    "Engine",
    "KINDS",
    "Batch",
    "BatchRun",
    "DownloadOptions",
    "Journal",
    "JournalRow",
    "LocalPacer",
    "Manifest",
    "OutputFile",
    "Pacer",
    "ParamsChangedError",
    "Plan",
    "Progress",
    "RateLimitGate",
    "Reporter",
    "Row",
    "RowOutcome",
    "RunEnd",
    "WorkItem",
    "check_rows",
    "fingerprint",
    "idempotency_key",
    "in_shard",
    "load_manifest",
    "parse_row",
    "plan_rows",
    "run_items",
]


@pytest.mark.parametrize(
    ("module", "expected"),
    [("sume_async", SUME_ASYNC), ("sume_async.testing", TESTING), ("sume_async.batch", BATCH)],
)
def test_all_is_exactly_the_listed_surface(module: str, expected: list[str]) -> None:
    exported = importlib.import_module(module).__all__
    assert len(exported) == len(set(exported)), "a name appears twice in __all__"
    assert sorted(exported) == sorted(expected), (
        f"{module}.__all__ changed: added {sorted(set(exported) - set(expected))}, "
        f"removed {sorted(set(expected) - set(exported))}; update tests/architecture/test_public_surface.py"
    )


@pytest.mark.parametrize("module", ["sume_async", "sume_async.testing"])
def test_every_exported_name_exists_and_star_import_gives_exactly_all(module: str) -> None:
    imported = importlib.import_module(module)
    missing = [name for name in imported.__all__ if not hasattr(imported, name)]
    assert not missing
    namespace: dict[str, object] = {}
    exec(f"from {module} import *", namespace)  # the star import is what is under test
    assert sorted(set(namespace) - {"__builtins__"}) == sorted(imported.__all__)


def test_implementation_modules_are_private_by_name() -> None:
    public = sorted(info.name for info in pkgutil.iter_modules(sume_async.__path__) if not info.name.startswith("_"))
    assert public == PUBLIC_MODULES
