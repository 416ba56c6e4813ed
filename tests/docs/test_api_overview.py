"""``docs/api.md`` lists every method of every resource as the code has it (``scripts/api_overview.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_api_md_matches_the_code() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/api_overview.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_api_md_names_every_resource_method() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import api_overview
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    areas = dict(api_overview.resources())
    assert {"sume.images", "sume.jobs", "sume.ads.videos", "sume.assets", "sume.uploads"} <= set(areas)
    for path, cls in areas.items():
        for name, _ in api_overview.methods(cls):
            assert f"- `{path}.{name}(" in text, f"{path}.{name} is missing from docs/api.md"
    assert "- `sume.images.generate(*, prompt, aspect_ratio=..." in text
    assert "-> Job` (`POST /images/generations`)" in text
