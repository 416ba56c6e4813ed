"""The public surface, listed in ``public_surface.txt``: a name changes only on purpose.

Each public module's ``__all__`` is the promise to users; every other module is private by
its leading underscore. Whoever adds or removes a public export updates the list in the same
change.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import sume_async

LISTING = Path(__file__).with_name("public_surface.txt")
MODULES_SECTION = "public modules"


def _sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in LISTING.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            assert current is not None, f"{LISTING.name}: {line!r} is outside a [section]"
            current.append(line)
    return sections


SECTIONS = _sections()
LISTED_MODULES = sorted(name for name in SECTIONS if name != MODULES_SECTION)


def test_the_listing_names_the_package_and_its_public_modules() -> None:
    assert "sume_async" in SECTIONS and MODULES_SECTION in SECTIONS
    assert {f"sume_async.{name}" for name in SECTIONS[MODULES_SECTION]} >= set(LISTED_MODULES) - {"sume_async"}


@pytest.mark.parametrize("module", LISTED_MODULES)
def test_all_is_exactly_the_listed_surface(module: str) -> None:
    exported = importlib.import_module(module).__all__
    expected = SECTIONS[module]
    assert len(exported) == len(set(exported)), "a name appears twice in __all__"
    assert len(expected) == len(set(expected)), f"a name appears twice under [{module}]"
    assert sorted(exported) == sorted(expected), (
        f"{module}.__all__ changed: added {sorted(set(exported) - set(expected))}, "
        f"removed {sorted(set(expected) - set(exported))}; update tests/architecture/{LISTING.name}"
    )


@pytest.mark.parametrize("module", LISTED_MODULES)
def test_every_exported_name_exists_and_star_import_gives_exactly_all(module: str) -> None:
    imported = importlib.import_module(module)
    missing = [name for name in imported.__all__ if not hasattr(imported, name)]
    assert not missing
    namespace: dict[str, object] = {}
    exec(f"from {module} import *", namespace)  # the star import is what is under test
    assert sorted(set(namespace) - {"__builtins__"}) == sorted(imported.__all__)


def test_implementation_modules_are_private_by_name() -> None:
    public = sorted(info.name for info in pkgutil.iter_modules(sume_async.__path__) if not info.name.startswith("_"))
    assert public == sorted(SECTIONS[MODULES_SECTION]), f"update [{MODULES_SECTION}] in {LISTING.name}"
