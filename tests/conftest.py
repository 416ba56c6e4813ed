"""Shared test set-up: every async test runs on both asyncio and trio; the longest proofs are marked."""

from __future__ import annotations

import pytest

#: The longest proofs (by ``--durations`` on a 2-core machine), marked ``slow``: CI runs them on one
#: Python and everything else on each supported Python (``make test-quick``, ``.ci/run``). A node id
#: prefix: a file, or one test of it.
LONGEST_PROOFS = (
    "tests/proofs/test_proof_chaos.py",
    "tests/proofs/test_proof_load.py",
    "tests/proofs/test_proof_wait_races.py::test_batch_waits_end_with_their_documented_error_under_cancellation_fuzzing",
    "tests/batch/test_dask_engine.py",
    "tests/batch/test_batch_cli.py::test_sigkill_at_random_moments_then_rerun_pays_once",
    "tests/mock/test_mock_schema.py::test_every_response_conforms",
    "tests/codegen/test_codegen.py::test_generated_package_passes_mypy_strict",
    "tests/docs/test_docs_typecheck.py",
    # Tool runs whose outcome does not depend on the interpreter (a wheel build, generation with
    # mypy, pyright, mkdocs) and the real-cluster Dask proofs: the full suite runs them once.
    "tests/batch/test_dask_cluster.py",
    "tests/release/test_packaging.py",
    "tests/codegen/test_template_schemas.py",
    "tests/codegen/test_schema_mutations.py",
    "tests/codegen/test_generation_guards.py",
    "tests/codegen/test_rules_drive_every_front_end.py",
    "tests/architecture/test_type_completeness.py",
    "tests/docs/test_api_reference.py",
    "tests/docs/test_demo.py",
)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(LONGEST_PROOFS):
            item.add_marker(pytest.mark.slow)
