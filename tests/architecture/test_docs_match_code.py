"""The "Project layout" (``docs/development.md``) and ARCHITECTURE.md name what exists, and leave nothing out."""

from __future__ import annotations

import re
from pathlib import Path

from layers import ARCHITECTURE

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "docs" / "development.md"


def _layout_paths() -> list[str]:
    text = README.read_text()
    start = text.index("## Project layout")
    end = text.find("\n## ", start + 1)
    rows = [line for line in text[start : end if end != -1 else len(text)].splitlines() if line.startswith("| `")]
    return [name for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[1])]


def test_every_path_in_the_project_layout_exists() -> None:
    paths = _layout_paths()
    assert len(paths) >= 10
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert not missing, f"README's Project layout names paths that do not exist: {missing}"


def test_the_project_layout_covers_every_part_of_the_package() -> None:
    listed = {path.rstrip("/") for path in _layout_paths()}
    parts = sorted(
        f"sume_async/{entry.name}"
        for entry in (ROOT / "sume_async").iterdir()
        if (entry.is_dir() and (entry / "__init__.py").exists())
        or (entry.suffix == ".py" and entry.name != "_version.py")
    )
    missing = [part for part in parts if part not in listed]
    assert not missing, f"README's Project layout leaves out: {missing}"


def test_architecture_md_names_only_files_that_exist() -> None:
    text = ARCHITECTURE.read_text()
    named = set(re.findall(r"`((?:sume_async/|openapi/|generated/|tests/|testing/|resources/|batch/)[\w/.]*)`", text))
    missing = [
        name
        for name in sorted(named)
        if not any((ROOT / base / name).exists() for base in ("", "sume_async", "sume_async/testing"))
    ]
    assert not missing, f"ARCHITECTURE.md names files that do not exist: {missing}"
