"""A static view of ``sume_async``'s modules: who imports whom, and who touches whose privates.

Read from the source with :mod:`ast`, so every import counts: module level, inside functions
and under ``if TYPE_CHECKING:`` (a type-only import is still a dependency for a reader).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "sume_async"
#: The generated client (``sume_async._generated``): one module of the graph, seen from outside.
GENERATED = "_generated"


def module_files(package: str = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` (packages by ``__init__``).

    The generated client counts as one module, ``sume_async._generated``: an import of any of its
    modules is an import of it.
    """
    base = ROOT / package
    found: dict[str, Path] = {}
    for path in sorted(base.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[1:2] == [GENERATED]:
            continue  # the generated client is one node (below): its inside is the generator's
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    generated = base / GENERATED / "__init__.py"
    if generated.is_file():
        found[f"{package}.{GENERATED}"] = generated
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names."""
    if node.level == 0:
        return node.module or ""
    # A package's ``__init__`` is its own anchor; a plain module's anchor is its package.
    anchor = module.split(".") if _is_package(path) else module.split(".")[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join(anchor + ([node.module] if node.module else []))


def imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the package modules it imports (``from pkg import submodule`` names the submodule)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = resolve(name, path, node)
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source for alias in node.names
                ]
            else:
                continue
            for target in targets:
                # ``import a.b.c`` depends on the deepest module of ours it names.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        # Iterative, so a deep graph cannot hit the recursion limit.
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(found)


@dataclass(frozen=True)
class Reach:
    """One use of another module's private name."""

    module: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.what}"


#: Public API with a leading underscore (named tuples keep it clear of field names).
NAMEDTUPLE_API = frozenset({"_replace", "_asdict", "_fields", "_field_defaults", "_make"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in NAMEDTUPLE_API


def _own_names(tree: ast.AST) -> set[str]:
    """Private names this module defines: functions, classes, assignments, ``self._x`` attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {name for name in names if _private(name)}


def private_reaches(modules: dict[str, Path]) -> list[Reach]:
    """Private names of one of our modules used from another (as far as the source shows).

    ``from .x import _name`` of a non-module name, ``obj._name`` where ``obj`` is not
    ``self``/``cls``/``super()`` and ``getattr(obj, "_name")``, when this module defines no
    ``_name`` of its own. Private
    *modules* (``from . import _client``) are the package's own layout, not a reach.
    """
    found: list[Reach] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        own = _own_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = resolve(name, path, node)
                if not source.startswith(PACKAGE):
                    continue
                for alias in node.names:
                    if _private(alias.name) and f"{source}.{alias.name}" not in modules:
                        found.append(Reach(name, node.lineno, f"imports {alias.name} from {source}"))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and _private(node.args[1].value)
                and node.args[1].value not in own
            ):
                found.append(Reach(name, node.lineno, ast.unparse(node)))
            elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own:
                value = node.value
                if isinstance(value, ast.Name) and value.id in ("self", "cls"):
                    continue
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super":
                    continue
                found.append(Reach(name, node.lineno, f"{ast.unparse(node)}"))
    return found
