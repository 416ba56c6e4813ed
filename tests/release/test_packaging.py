"""The distributions a user gets: one package on the path, complete metadata, LICENSE, a clean install.

Built as a release builds them (sdist, then the wheel from the sdist; see ``release_helpers``).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from release_helpers import ROOT, CleanVenv, build, dependencies_of

import sume_async
from sume_async._extras import EXTRAS

GENERATED = ROOT / "generated" / "_generated"
#: The Pythons the package supports and CI runs (``.ci/run``): each has its classifier.
SUPPORTED = ("3.11", "3.12", "3.13")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def wheel(dists: tuple[Path, Path]) -> zipfile.ZipFile:
    assert dists[1].name == f"sume_async-{sume_async.__version__}-py3-none-any.whl"
    return zipfile.ZipFile(dists[1])


def wheel_dist_info(wheel: zipfile.ZipFile) -> str:
    (dist_info,) = {n.split("/", 1)[0] for n in wheel.namelist() if n.split("/", 1)[0].endswith(".dist-info")}
    return dist_info


def wheel_metadata(wheel: zipfile.ZipFile) -> Message:
    return Parser().parsestr(wheel.read(f"{wheel_dist_info(wheel)}/METADATA").decode("utf-8"))


def test_the_wheel_puts_one_package_on_the_path(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"sume_async", wheel_dist_info(wheel)}
    for required in (
        "sume_async/__init__.py",
        "sume_async/py.typed",
        "sume_async/openapi.json",  # the snapshot `sume-async schema check` compares with
        "sume_async/_generated/__init__.py",
        "sume_async/_generated/py.typed",
        "sume_async/_generated/client.py",
        "sume_async/_generated/api/jobs/get_job.py",
        "sume_async/_generated/models/job.py",
    ):
        assert required in names, required
    # The generated client is complete inside the package, and nothing else of the repo leaks in.
    generated = {
        f"sume_async/_generated/{p.relative_to(GENERATED).as_posix()}"
        for p in GENERATED.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert generated <= names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_the_wheel_carries_the_license(wheel: zipfile.ZipFile) -> None:
    info = wheel_dist_info(wheel)
    assert wheel.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
    meta = wheel_metadata(wheel)
    assert meta["License-Expression"] == "MIT" and meta["License-File"] == "LICENSE"


def test_wheel_ships_the_schema_snapshot_unchanged(wheel: zipfile.ZipFile) -> None:
    """``sume-async schema check`` compares with the very schema the client was generated from."""
    assert wheel.read("sume_async/openapi.json") == (ROOT / "openapi" / "openapi.json").read_bytes()


def test_wheel_metadata(wheel: zipfile.ZipFile) -> None:
    meta = wheel_metadata(wheel)
    assert meta["Name"] == "sume-async"
    assert meta["Version"] == sume_async.__version__  # one source: sume_async/_version.py
    assert meta["Requires-Python"] == ">=3.11"
    requirements = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    runtime = {r.name for r in requirements if r.marker is None}
    assert runtime == {"httpx", "attrs", "anyio"}
    httpx = next(r for r in requirements if r.name == "httpx")
    assert not httpx.specifier.contains("0.29")  # the generated client supports httpx < 0.29
    # The published extras are the user-facing ones; the project's own tools are a dependency group.
    assert set(meta.get_all("Provides-Extra") or []) == set(EXTRAS)
    published = {r.name for r in requirements}
    assert not published & {"mypy", "ruff", "pytest", "schemathesis", "openapi-python-client", "twine"}
    assert meta["Author"]
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls)
    classifiers = set(meta.get_all("Classifier") or [])
    assert {f"Programming Language :: Python :: {v}" for v in SUPPORTED} <= classifiers
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)


def test_the_sdist_has_what_a_wheel_is_built_from(dists: tuple[Path, Path]) -> None:
    with tarfile.open(dists[0]) as sdist:
        members = {m.name.split("/", 1)[1]: m for m in sdist.getmembers() if "/" in m.name}
    for required in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "generated/_generated/client.py"):
        assert required in members, required
    assert not any(m.issym() or m.islnk() for m in members.values())


def test_the_release_check_accepts_the_distributions(dists: tuple[Path, Path]) -> None:
    """``make release-check``'s contents check (``scripts/release_check.py``) on these very files."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import release_check
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert release_check.sdist_problems(dists[0]) == [] and release_check.wheel_problems(dists[1]) == []


def test_twine_check_passes(dists: tuple[Path, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_extras_table_matches_the_published_extras() -> None:
    """``sume_async._extras`` names, for each extra, modules that the extra really installs."""
    owners = metadata.packages_distributions()
    assert set(metadata.metadata("sume-async").get_all("Provides-Extra") or []) == set(EXTRAS)
    for extra, modules in EXTRAS.items():
        brought = dependencies_of(extra) - dependencies_of()
        for module in modules:
            assert {name.lower() for name in owners[module]} & brought, f"{module} does not come with [{extra}]"


@pytest.fixture(scope="module")
def bare(dists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> CleanVenv:
    """The wheel in a clean venv with its core dependencies and no extra."""
    venv = CleanVenv(tmp_path_factory.mktemp("venv") / "bare")
    venv.add(dependencies_of())
    venv.install(dists[1])
    return venv


def _one_friendly_line(result: subprocess.CompletedProcess[str], extra: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert f"pip install 'sume-async[{extra}]'" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_wheel_alone_imports_and_its_command_names_the_cli_extra(bare: CleanVenv) -> None:
    imported = bare.run("python", "-c", "import sume_async, sume_async.batch; print(sume_async.__version__)")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == sume_async.__version__
    model = bare.run("python", "-c", "import sume_async; print(sume_async.Job, sume_async.Job.__module__)")
    assert model.returncode == 0 and "sume_api_client" not in model.stdout, model.stdout + model.stderr
    assert model.stdout.startswith("<class 'sume_async.")
    for args in (("--version",), ("me",), ("me", "--json")):
        result = bare.run("sume-async", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        _one_friendly_line(result, "cli")
        assert result.stdout == ""
    as_module = bare.run("python", "-m", "sume_async.cli", "me")
    assert as_module.returncode == 2
    _one_friendly_line(as_module, "cli")


def test_the_mock_without_its_extra_names_it(bare: CleanVenv) -> None:
    imported = bare.run("python", "-c", "import sume_async.testing")
    assert imported.returncode == 1
    assert imported.stderr.strip().splitlines()[-1].startswith("sume_async._extras.MissingExtraError: ")
    assert "pip install 'sume-async[testing]'" in imported.stderr
    served = bare.run("python", "-m", "sume_async.testing")
    assert served.returncode == 2
    _one_friendly_line(served, "testing")


def test_click_without_rich_still_names_the_cli_extra(dists: tuple[Path, Path], tmp_path: Path) -> None:
    """``[testing]`` (uvicorn) brings click but not rich: the command still explains, exit 2."""
    venv = CleanVenv(tmp_path / "click-only")
    venv.add(dependencies_of() | {"click"})
    venv.install(dists[1])
    result = venv.run("sume-async", "me")
    assert result.returncode == 2, result.stderr
    _one_friendly_line(result, "cli")
    assert "rich" in result.stderr


def test_the_cli_extra_alone_gives_a_working_command(dists: tuple[Path, Path], tmp_path: Path) -> None:
    venv = CleanVenv(tmp_path / "cli")
    venv.add(dependencies_of("cli"))
    venv.install(dists[1])
    version = venv.run("sume-async", "--version")
    assert version.returncode == 0, version.stderr
    assert sume_async.__version__ in version.stdout
    no_key = venv.run("sume-async", "me", "--json")
    assert no_key.returncode == 2 and "Traceback" not in no_key.stderr, no_key.stderr
