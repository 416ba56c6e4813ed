"""The fenced code blocks of a Markdown file (the README's examples, for the tests that check them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    code: str
    path: Path
    """The Markdown file the block is in."""
    line: int
    """Line number (1-based) of the block's first line of code in the file."""
    info: str
    """The fence's info string, e.g. ``python``."""


ROOT = Path(__file__).resolve().parents[1]
#: The Markdown whose code blocks the tests run and type-check: the README and the guides in docs/
#: (the reference pages hold no code of their own).
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(code=m.group(2), path=path, line=text.count("\n", 0, m.start()) + 2, info=m.group(1).strip())
        for m in _FENCE.finditer(text)
    ]


def python_blocks(path: Path) -> list[Block]:
    """Every block fenced as ``python`` (``py`` too; extra words after the language are kept in ``info``)."""
    return [b for b in blocks(path) if b.info.split(" ")[0] in ("python", "py")]


def all_python_blocks() -> list[Block]:
    """The Python blocks of every file of :data:`DOC_FILES`."""
    return [block for path in DOC_FILES for block in python_blocks(path)]


def where(block: Block) -> str:
    """``README.md:12`` or ``docs/batch.md:40``: the block's file (from the repository root) and line."""
    return f"{block.path.relative_to(ROOT).as_posix()}:{block.line}"


def is_fragment(code: str) -> bool:
    """Whether the block only makes sense inside an ``async def`` (top-level ``await``/``async``)."""
    try:
        compile(code, "<block>", "exec", dont_inherit=True)
    except SyntaxError:
        return True
    return False
