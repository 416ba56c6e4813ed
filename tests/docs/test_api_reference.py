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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import sume_async
import sume_async.batch
import sume_async.testing
from sume_async import AsyncSume

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
PUBLIC_MODULES = (sume_async, sume_async.batch, sume_async.testing)
#: Generated from the schema: their fields are documented by its descriptions (rendered from the
#: attrs fields), their methods by the template.
MODELS_MODULE = "sume_api_client"


def public_names() -> list[tuple[str, Any]]:
    return [
        (f"{module.__name__}.{name}", getattr(module, name))
        for module in PUBLIC_MODULES
        for name in module.__all__
        if name != "__version__"
    ]


def resource_classes() -> list[type]:
    """Every resource class reached from an ``AsyncSume``: its API areas and theirs (``ads.videos``)."""
    found: list[type] = []

    def walk(obj: object) -> None:
        for name in dir(type(obj)):
            if name.startswith("_") or name == "with_raw_response":
                continue
            value = getattr(obj, name)
            cls = type(value)
            if cls.__module__.startswith("sume_async.resources.") and cls not in found:
                found.append(cls)
                walk(value)

    walk(AsyncSume(api_key="sk_test_docs"))
    return found


def documented_classes() -> list[type]:
    """The classes whose methods' parameters must be documented: ``sume_async``'s and the resources."""
    classes = [getattr(sume_async, name) for name in sume_async.__all__ if inspect.isclass(getattr(sume_async, name))]
    return [c for c in classes if not c.__module__.startswith(MODELS_MODULE)] + resource_classes()


def constructed_by_users(cls: type) -> bool:
    """Whether callers build the class themselves (exceptions and resources are built by the SDK)."""
    return not issubclass(cls, BaseException) and cls not in resource_classes() and cls.__name__ not in BUILT_BY_THE_SDK


#: Public classes only the SDK instantiates: their constructors are not part of the documented API.
BUILT_BY_THE_SDK = frozenset({"AsyncPager", "RawResponse", "UploadedFile"})


def public_methods(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Methods the class itself defines (not inherited), public ones and ``__init__``."""
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if inspect.isfunction(value) and value.__module__.startswith("sume_async"):
            yield name, value


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
