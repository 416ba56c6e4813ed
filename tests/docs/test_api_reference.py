"""The API reference: ``make docs`` builds it without a warning, and nothing public goes undocumented.

What counts as public: every name in ``sume_async.__all__`` (and in ``sume_async.batch`` and
``sume_async.testing``) and every resource class reached from ``AsyncSume`` (``sume.images``,
``sume.ads.videos``, ...). Each is rendered on a reference page and has a docstring; every
parameter of every public method (and constructor) is named in its docstring's ``Args:``; a
resource method also says what it returns (``Returns:``), what it raises (``Raises:``) and
whether it spends credits.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from public_api import constructed_by_users, documented_classes, public_methods, public_names, resource_classes

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"


def own_doc(obj: Any) -> str:
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


def args_section_names(doc: str) -> set[str]:
    """The names an ``Args:`` (or ``Attributes:``) section documents."""
    names: set[str] = set()
    for section in re.finditer(r"^(?:Args|Arguments|Parameters|Attributes):\n((?:[ \t]+.*\n?|\n)+)", doc, re.M):
        names.update(m.group(1) for m in re.finditer(r"^[ \t]+\**(\w+)(?: \([^)]*\))?:", section.group(1), re.M))
    return names


def parameters(function: Callable[..., Any]) -> list[str]:
    return [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]


def test_the_site_builds_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "WARNING" not in output, output
    assert (tmp_path / "site" / "reference" / "resources" / "index.html").exists()


def test_every_public_name_is_on_a_reference_page() -> None:
    pages = "\n".join(p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.md"))
    rendered = set(re.findall(r"^::: ([\w.]+)$", pages, re.M))
    missing = [name for name, _ in public_names() if name not in rendered]
    missing += [f"{c.__module__}.{c.__qualname__}" for c in resource_classes()]
    missing = [name for name in missing if name not in rendered]
    assert not missing, "not on any page of docs/reference/: " + ", ".join(missing)


def test_every_public_class_and_function_has_a_docstring() -> None:
    objects = [(name, obj) for name, obj in public_names() if inspect.isclass(obj) or inspect.isfunction(obj)]
    objects += [(f"{c.__module__}.{c.__qualname__}", c) for c in resource_classes()]
    missing = [name for name, obj in objects if not own_doc(obj)]
    for cls in documented_classes():
        missing += [f"{cls.__qualname__}.{n}" for n, f in public_methods(cls) if n != "__init__" and not own_doc(f)]
    assert not missing, "no docstring: " + ", ".join(missing)


def test_every_parameter_of_every_public_method_is_documented() -> None:
    missing: list[str] = []
    for cls in documented_classes():
        for name, function in public_methods(cls):
            if name == "__init__" and not constructed_by_users(cls):
                continue
            doc = own_doc(cls) + "\n" + own_doc(function) if name == "__init__" else own_doc(function)
            documented = args_section_names(doc)
            missing += [f"{cls.__qualname__}.{name}({p})" for p in parameters(function) if p not in documented]
    assert not missing, "parameters no docstring's Args: names:\n" + "\n".join(missing)


@pytest.mark.parametrize("cls", resource_classes(), ids=lambda c: c.__qualname__)
def test_resource_methods_say_what_they_return_raise_and_spend(cls: type) -> None:
    problems: list[str] = []
    for name, function in public_methods(cls):
        if name == "__init__":
            continue
        doc = own_doc(function)
        returns = inspect.signature(function).return_annotation
        if returns not in ("None", None) and not re.search(r"^(Returns|Yields):", doc, re.M):
            problems.append(f"{name}: no Returns:")
        if not re.search(r"^Raises:", doc, re.M):
            problems.append(f"{name}: no Raises:")
        if "credit" not in doc.lower():
            problems.append(f"{name}: does not say whether it spends credits")
    assert not problems, f"{cls.__qualname__}: " + "; ".join(problems)
