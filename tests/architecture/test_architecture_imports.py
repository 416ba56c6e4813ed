"""The package's shape: no import circle, no reaching into another module's privates, the mock in layers.

Static (read from the source), so type-only imports under ``if TYPE_CHECKING:`` and imports
inside functions count too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from import_graph import Reach, cycles, imports, module_files, private_reaches

MODULES = module_files()
GRAPH = imports(MODULES)

#: The mock server, top to bottom: a module may import only from its own layer or below.
#: Modules not named here (new ones) are held only by the circle test.
MOCK = "sume_async.testing."
MOCK_LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("server", frozenset({"_server", "__main__", "_client"})),
    ("mock", frozenset({"_mock", "_views"})),
    ("app", frozenset({"_app", "_storage", "_media", "_idempotency"})),
    (
        "handlers",
        frozenset(
            {
                "_context",
                "_handlers",
                "_handlers.account",
                "_handlers.assets",
                "_handlers.generation",
                "_handlers.jobs",
                "_handlers.uploads",
                "_validation",
                "_pagination",
                "_search",
                "_catalog",
            }
        ),
    ),
    ("runtime", frozenset({"_runtime"})),
    (
        "state",
        frozenset({"_state", "_clock", "_faults", "_signer", "_connections", "_lifecycle", "_errors", "_redact"}),
    ),
)


def _layer_of(module: str) -> int | None:
    if not module.startswith(MOCK):
        return None
    short = module.removeprefix(MOCK)
    for rank, (_, members) in enumerate(MOCK_LAYERS):
        if short in members:
            return rank
    return None


def test_the_graph_sees_every_module_and_real_edges() -> None:
    """Guards the guard: the scan finds the modules and the imports we know are there."""
    assert "sume_async._client" in MODULES and "sume_async.testing._app" in MODULES
    assert "sume_async._endpoint_caller" in GRAPH["sume_async._client"]
    assert "sume_async.testing._runtime" in GRAPH["sume_async.testing._context"]
    assert "sume_async.testing._handlers.jobs" in GRAPH["sume_async.testing._app"]


def test_no_import_circle_in_sume_async() -> None:
    found = cycles(GRAPH)
    assert not found, "import circles (break each by moving the shared piece down a layer):\n" + "\n".join(
        " <-> ".join(component) for component in found
    )


def test_cycle_finder_finds_a_type_only_circle(tmp_path: Path) -> None:
    package = tmp_path / "sume_async"
    (package / "testing").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "testing" / "__init__.py").write_text("from ._a import A\n")
    (package / "testing" / "_a.py").write_text("from ._b import B\nclass A: ...\n")
    (package / "testing" / "_b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import _a\nclass B: ...\n"
    )
    import import_graph

    original = import_graph.ROOT
    import_graph.ROOT = tmp_path
    try:
        modules = module_files()
        assert cycles(imports(modules)) == [["sume_async.testing._a", "sume_async.testing._b"]]
    finally:
        import_graph.ROOT = original


def test_no_module_reaches_into_another_modules_privates() -> None:
    found = private_reaches(MODULES)
    assert not found, "private names used from outside their module (give them a public name):\n" + "\n".join(
        map(str, found)
    )


def test_private_reach_finder_sees_attribute_and_import_reaches(tmp_path: Path) -> None:
    package = tmp_path / "sume_async"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_a.py").write_text("class A:\n    def __init__(self):\n        self._x = 1\n_helper = 2\n")
    (package / "_b.py").write_text("from ._a import A, _helper\n\ndef f(a: A) -> int:\n    return a._x + _helper\n")
    import import_graph

    original = import_graph.ROOT
    import_graph.ROOT = tmp_path
    try:
        found = private_reaches(module_files())
    finally:
        import_graph.ROOT = original
    assert found == [
        Reach("sume_async._b", 1, "imports _helper from sume_async._a"),
        Reach("sume_async._b", 4, "a._x"),
    ]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer_of(m) is not None))
def test_mock_modules_import_only_their_layer_or_below(module: str) -> None:
    rank = _layer_of(module)
    assert rank is not None
    upward = sorted(
        f"{target} ({MOCK_LAYERS[target_rank][0]})"
        for target in GRAPH[module]
        if (target_rank := _layer_of(target)) is not None and target_rank < rank
    )
    assert not upward, f"{module} ({MOCK_LAYERS[rank][0]}) imports from above: {upward}"


def test_every_mock_module_has_a_layer() -> None:
    """A new mock module gets a place in ``MOCK_LAYERS`` (and in ARCHITECTURE.md)."""
    unplaced = sorted(
        m.removeprefix(MOCK) for m in MODULES if m.startswith(MOCK) and _layer_of(m) is None and m != MOCK[:-1]
    )
    assert not unplaced, f"mock modules without a layer in MOCK_LAYERS: {unplaced}"
