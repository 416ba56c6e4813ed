"""Check built distributions as a user meets them (``make release-check`` runs this after the build).

    python scripts/release_check.py dist/ --venv build/release-venv

The wheel in ``dist/`` must put exactly one package, ``sume_async``, on the path (plus its
dist-info) and carry the LICENSE; the sdist must have LICENSE and CHANGELOG.md. Then, with the
wheel already installed in ``--venv`` (with the ``cli`` and ``testing`` extras), from a folder
outside the checkout: ``import sume_async``, ``sume-async --version`` and the README's quick
start against the mock server that venv serves (``python -m sume_async.testing``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PACKAGE = "sume_async"


def wheel_problems(wheel: Path) -> list[str]:
    """What is wrong with the wheel's contents (nothing: ``[]``)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    problems = []
    tops = {name.split("/", 1)[0] for name in names}
    infos = {top for top in tops if top.endswith(".dist-info")}
    if tops - infos != {PACKAGE} or len(infos) != 1:
        problems.append(f"top-level names are {sorted(tops)}, not {PACKAGE} and one dist-info")
    for required in (f"{PACKAGE}/py.typed", f"{PACKAGE}/_generated/__init__.py", f"{PACKAGE}/openapi.json"):
        if required not in names:
            problems.append(f"{required} is missing")
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        problems.append("the LICENSE is not in the wheel's metadata")
    if any("__pycache__" in name or name.endswith(".pyc") for name in names):
        problems.append("bytecode in the wheel")
    return problems


def sdist_problems(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[-1]: m for m in archive.getmembers()}
    problems = [f"{name} is missing from the sdist" for name in ("LICENSE", "CHANGELOG.md") if name not in members]
    problems += [f"{name} is a link in the sdist" for name, m in members.items() if m.issym() or m.islnk()]
    return problems


def quick_start() -> str:
    """The first Python block under the README's ``## Quick start``."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Quick start") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "no Python block under ## Quick start"
    return match.group(1)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args)}\n{result.stdout}{result.stderr}")
    return result.stdout


def check_installed(venv: Path, work: Path) -> None:
    python, command = str(venv / "bin" / "python"), str(venv / "bin" / "sume-async")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SUME_", "VIRTUAL_ENV"))}
    where = _run([python, "-c", "import sume_async; print(sume_async.__version__, sume_async.__file__)"], work, env)
    version, _, location = where.strip().partition(" ")
    if not Path(location).resolve().is_relative_to(venv):
        raise SystemExit(f"imported {location}, not the wheel installed in {venv}")
    print(f"import sume_async: {version} from {location}")
    shown = _run([command, "--version"], work, env).strip()
    if version not in shown:
        raise SystemExit(f"sume-async --version says {shown!r}, the package {version}")
    print(f"sume-async --version: {shown}")
    mock = subprocess.Popen(
        [python, "-m", "sume_async.testing", "--port", "0", "--speed", "200"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert mock.stdout is not None
        base_url = mock.stdout.readline().strip().rsplit(" ", 1)[-1]
        key = mock.stdout.readline().strip().rsplit(" ", 1)[-1]
        if not base_url.startswith("http://127.0.0.1:"):
            raise SystemExit(f"the mock server did not start: {base_url!r}")
        script = work / "quick_start.py"
        script.write_text(quick_start(), encoding="utf-8")
        out = _run([python, str(script)], work, {**env, "SUME_API_KEY": key, "SUME_API_BASE_URL": base_url})
        if not out.strip():
            raise SystemExit("the quick start printed no output URL")
        print(f"quick start against the mock: {len(out.splitlines())} output URL(s)")
    finally:
        mock.terminate()
        try:
            mock.wait(timeout=20)
        except subprocess.TimeoutExpired:
            mock.kill()
            mock.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path)
    parser.add_argument("--venv", type=Path, help="a venv the wheel is installed in (with [cli,testing])")
    args = parser.parse_args(argv)
    (wheel,) = args.dist.glob("*.whl")
    (sdist,) = args.dist.glob("*.tar.gz")
    problems = wheel_problems(wheel) + sdist_problems(sdist)
    if problems:
        print("\n".join(f"release check: {p}" for p in problems), file=sys.stderr)
        return 1
    print(f"{wheel.name}: only {PACKAGE} on the path, LICENSE included; {sdist.name}: complete")
    if args.venv is not None:
        with tempfile.TemporaryDirectory(prefix="sume-release-") as work:
            check_installed(args.venv.resolve(), Path(work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
