"""Build the distributions as a release does, and install the wheel into clean virtualenvs offline.

The build runs ``python -m build --no-isolation`` (sdist first, then the wheel *from the sdist*, as
a registry's users get it), so hatchling must be in the environment. A clean venv has no pip and no
site-packages of ours: it gets exactly the distributions asked for, copied from this environment's
installed files (no index, no network), then the wheel with ``pip --python``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def build(out: Path) -> tuple[Path, Path]:
    """``(sdist, wheel)`` built into ``out``."""
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def closure(requirements: list[str], extras: tuple[str, ...] = ()) -> set[str]:
    """The installed distributions ``requirements`` need, recursively (markers evaluated here)."""
    found: set[str] = set()
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo = [(Requirement(r), extras) for r in requirements]
    while todo:
        requirement, wanted = todo.pop()
        environments = [{"extra": extra} for extra in wanted] or [{"extra": ""}]
        if requirement.marker is not None and not any(requirement.marker.evaluate(e) for e in environments):
            continue
        name = canonicalize_name(requirement.name)
        key = (name, tuple(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        if name != "sume-async":  # a self-reference (``sume-async[cli]``) brings only its extras
            found.add(name)
        todo.extend((Requirement(r), key[1]) for r in metadata.requires(name) or [])
    return found


def dependencies_of(*extras: str) -> set[str]:
    """The installed distributions ``sume-async[extras]`` needs (ours not counted)."""
    return closure(metadata.requires("sume-async") or [], extras)


class CleanVenv:
    """A fresh virtualenv holding only what it was given."""

    def __init__(self, path: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
        self.path = path
        self.python = path / "bin" / "python"
        purelib = subprocess.run(
            [str(self.python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        self.site = Path(purelib)

    def add(self, distributions: set[str]) -> None:
        """Copy these installed distributions' files (as their RECORD lists them) into the venv."""
        here = Path(sysconfig.get_path("purelib"))
        for name in sorted(distributions):
            for file in metadata.distribution(name).files or []:
                if file.parts[0] == ".." or "__pycache__" in file.parts:
                    continue  # scripts and bytecode: not needed to import
                source = here / file
                if source.is_file():
                    target = self.site / file
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)

    def install(self, wheel: Path) -> None:
        """``pip install`` the wheel, offline: its dependencies must already be here."""
        result = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(self.python), "install", "-q", "--no-index", str(wheel)],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run a program of the venv (``python``, ``sume-async``) from a folder outside the checkout."""
        program = str(self.path / "bin" / args[0])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SUME_", "VIRTUAL_ENV"))}
        env["PATH"] = f"{self.path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run(
            [program, *args[1:]],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=cwd or self.path,
            env=env,
            stdin=subprocess.DEVNULL,
        )
