"""The layers as ARCHITECTURE.md draws them: its tables are the rules the import tests check.

A table row is ``| layer | `a.py`, `pkg/`, ... | its job |``; ``pkg/`` stands for the package
and all its modules, ``__init__.py`` for the package the table is about.
"""

from __future__ import annotations

import re
from pathlib import Path

ARCHITECTURE = Path(__file__).resolve().parents[2] / "ARCHITECTURE.md"

Layers = tuple[tuple[str, frozenset[str]], ...]


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else len(text)]


def layers(heading: str, text: str | None = None) -> Layers:
    """``((layer, {module patterns}), ...)`` top to bottom from the table under ``heading``."""
    section = _section(ARCHITECTURE.read_text() if text is None else text, heading)
    found: list[tuple[str, frozenset[str]]] = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("layer", "") or set(cells[0]) <= {"-"}:
            continue
        members = set()
        for name in re.findall(r"`([^`]+)`", cells[1]):
            if name == "__init__.py":
                members.add("")
            elif name.endswith("/"):
                members.add(name[:-1].replace("/", ".") + ".*")
            else:
                members.add(name.removesuffix(".py").replace("/", "."))
        found.append((cells[0], frozenset(members)))
    return tuple(found)
