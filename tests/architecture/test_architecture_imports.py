"""The package's shape: no import circle, no reaching into another module's privates, the mock in layers.

Static (read from the source), so type-only imports under ``if TYPE_CHECKING:`` and imports
inside functions count too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from import_graph import Reach, cycles, imports, module_files, private_reaches
from layers import layers

MODULES = module_files()
GRAPH = imports(MODULES)

#: The layers, top to bottom, as ARCHITECTURE.md draws them: a module may import only from its
#: own layer or below, and every module has a layer (so the page stays true).
MOCK = "sume_async.testing."
MOCK_LAYERS = layers("## The mock server")
SDK = "sume_async."
SDK_LAYERS = layers("## The SDK")


def _rank(module: str, prefix: str, layers: tuple[tuple[str, frozenset[str]], ...]) -> int | None:
    if module != prefix[:-1] and not module.startswith(prefix):
        return None
    short = module.removeprefix(prefix) if module != prefix[:-1] else ""
    for rank, (_, members) in enumerate(layers):
        if short in members or any(m.endswith(".*") and (short + ".").startswith(m[:-1]) for m in members):
            return rank
    return None


def _layer_of(module: str) -> int | None:
    return _rank(module, MOCK, MOCK_LAYERS)


def _sdk_layer_of(module: str) -> int | None:
    if module.startswith(MOCK) or module == MOCK[:-1]:
        return None
    return _rank(module, SDK, SDK_LAYERS)


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


#: Reaches into a third party's internals, each on purpose (the finder cannot tell them from ours).
#: ``distributed`` offers no public way to drop an event topic: the Dask engine removes the topics
#: its runs leave on the scheduler (row and job ids) through the scheduler's broker.
THIRD_PARTY_REACHES = {
    ("sume_async.batch._dask", "getattr(dask_scheduler, '_broker', None)"),
    ("sume_async.batch._dask", "getattr(broker, '_topics', None)"),
}


def test_no_module_reaches_into_another_modules_privates() -> None:
    found = [reach for reach in private_reaches(MODULES) if (reach.module, reach.what) not in THIRD_PARTY_REACHES]
    assert not found, "private names used from outside their module (give them a public name):\n" + "\n".join(
        map(str, found)
    )


def test_private_reach_finder_sees_attribute_and_import_reaches(tmp_path: Path) -> None:
    package = tmp_path / "sume_async"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_a.py").write_text("class A:\n    def __init__(self):\n        self._x = 1\n_helper = 2\n")
    (package / "_b.py").write_text(
        "from ._a import A, _helper\n\ndef f(a: A) -> int:\n    return a._x + _helper + getattr(a, '_x')\n"
    )
    import import_graph

    original = import_graph.ROOT
    import_graph.ROOT = tmp_path
    try:
        found = private_reaches(module_files())
    finally:
        import_graph.ROOT = original
    assert sorted(found, key=str) == [
        Reach("sume_async._b", 1, "imports _helper from sume_async._a"),
        Reach("sume_async._b", 4, "a._x"),
        Reach("sume_async._b", 4, "getattr(a, '_x')"),
    ]


def _layer(module: str) -> tuple[str, int] | None:
    """``(layer name, rank)`` of a module in ARCHITECTURE.md's tables (rank 0 is the top)."""
    for rank_of, table in ((_layer_of, MOCK_LAYERS), (_sdk_layer_of, SDK_LAYERS)):
        rank = rank_of(module)
        if rank is not None:
            return table[rank][0], rank
    return None


def upward_imports(module: str, graph: dict[str, set[str]]) -> list[str]:
    """Imports of ``module`` that go up a layer (within the same table)."""
    here = _layer(module)
    if here is None:
        return []
    found = []
    for target in sorted(graph[module]):
        there = _layer(target)
        same_table = target.startswith(MOCK) == module.startswith(MOCK)
        if there is not None and same_table and there[1] < here[1]:
            found.append(f"{target} ({there[0]})")
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_import_only_their_layer_or_below(module: str) -> None:
    upward = upward_imports(module, GRAPH)
    assert not upward, f"{module} ({_layer(module)}) imports from above: {upward}"


def test_the_layer_check_sees_an_upward_import() -> None:
    graph = {name: set(targets) for name, targets in GRAPH.items()}
    graph["sume_async._errors"].add("sume_async._client")
    graph["sume_async.testing._state"].add("sume_async.testing._mock")
    assert upward_imports("sume_async._errors", graph) == ["sume_async._client (client)"]
    assert upward_imports("sume_async.testing._state", graph) == ["sume_async.testing._mock (mock)"]


def test_every_module_has_a_layer_in_architecture_md() -> None:
    """A new module gets its row in ARCHITECTURE.md, so the page keeps matching the code."""
    unplaced = sorted(m for m in MODULES if _layer(m) is None)
    assert not unplaced, f"modules without a layer in ARCHITECTURE.md: {unplaced}"


def test_layer_tables_name_only_modules_that_exist() -> None:
    for prefix, table in ((SDK, SDK_LAYERS), (MOCK, MOCK_LAYERS)):
        assert len(table) >= 5
        for layer, members in table:
            for member in members:
                name = prefix[:-1] if member == "" else prefix + member.removesuffix(".*")
                assert name in MODULES, f"ARCHITECTURE.md ({layer}) names {member or '__init__.py'}: no such module"
