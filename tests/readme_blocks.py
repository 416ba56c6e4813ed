"""The fenced code blocks of a Markdown file (the README's examples, for the tests that check them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    code: str
    line: int
    """Line number (1-based) of the block's first line of code in the file."""
    info: str
    """The fence's info string, e.g. ``python``."""


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(code=m.group(2), line=text.count("\n", 0, m.start()) + 2, info=m.group(1).strip())
        for m in _FENCE.finditer(text)
    ]


def python_blocks(path: Path) -> list[Block]:
    """Every block fenced as ``python`` (``py`` too; extra words after the language are kept in ``info``)."""
    return [b for b in blocks(path) if b.info.split(" ")[0] in ("python", "py")]


def is_fragment(code: str) -> bool:
    """Whether the block only makes sense inside an ``async def`` (top-level ``await``/``async``)."""
    try:
        compile(code, "<block>", "exec", dont_inherit=True)
    except SyntaxError:
        return True
    return False
