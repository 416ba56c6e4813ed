"""``import sume_async`` loads only what a client needs to start; the rest loads on first use.

Import time is measured by ``make bench`` (``benchmarks/imports.py``); this guards its cause:
the generated endpoints, most models and the resource modules stay out of a bare import.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import sume_async
bare = sorted(sys.modules)
sume = sume_async.AsyncSume("sume_live_k", base_url="http://127.0.0.1:9/api/v1")
built = sorted(sys.modules)
sume.jobs, sume.images, sume_async.Asset, sume_async.UploadedFile, sume.with_raw_response
used = sorted(sys.modules)
print(json.dumps([bare, built, used]))
"""


def test_a_bare_import_leaves_the_endpoints_resources_and_most_models_for_later() -> None:
    done = subprocess.run([sys.executable, "-I", "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    bare, built, used = (set(modules) for modules in json.loads(done.stdout))
    for modules in (bare, built):
        assert not {m for m in modules if m.startswith(("sume_async._generated.api", "sume_async.resources."))}
        assert not {"sume_async._raw_views", "sume_async.cli", "sume_async.testing"} & modules
        models = {m for m in modules if m.startswith("sume_async._generated.models.")}
        assert len(models) <= 6, sorted(models)  # what the waits need: Job and its enums
    assert {"sume_async.resources.jobs", "sume_async.resources.generation", "sume_async._raw_views"} <= used
    assert "sume_async._generated.api.jobs.get_job" in used and "sume_async._generated.models.asset" in used


def test_lazy_exports_are_the_real_objects() -> None:
    import sume_async
    import sume_async._generated.models
    from sume_async.resources.uploads import UploadedFile

    for name in sume_async.__all__:
        assert getattr(sume_async, name) is not None
    assert sume_async.Job is sume_async._generated.models.Job and sume_async.UploadedFile is UploadedFile
    assert set(sume_async.__all__) <= set(dir(sume_async))
    try:
        sume_async.NotAThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NotAThing" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
