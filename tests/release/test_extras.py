"""Each entry point and optional module names the extra it needs: one line, exit 2, no traceback.

A missing module is simulated in a child Python (``sys.modules[name] = None`` makes its import
fail as an uninstalled one does); ``test_packaging`` proves the same with real clean installs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sume_async._extras import USAGE, MissingExtraError, install_command, needs_extra
from sume_async.cli._exit import ExitCode


def _without(modules: tuple[str, ...], code: str) -> subprocess.CompletedProcess[str]:
    block = "; ".join(f"sys.modules[{m!r}] = None" for m in modules)
    return subprocess.run(
        [sys.executable, "-c", f"import sys; {block}; {code}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _cli(*args: str) -> str:
    return f"sys.argv = ['sume-async', *{list(args)!r}]; from sume_async._console import run; run()"


@pytest.mark.parametrize(
    ("missing", "args", "extra"),
    [
        (("click",), ("me",), "cli"),
        (("rich",), ("me",), "cli"),
        (("rich",), ("--version",), "cli"),
        (("mcp",), ("mcp",), "mcp"),
    ],
)
def test_a_command_without_its_extra_says_which(missing: tuple[str, ...], args: tuple[str, ...], extra: str) -> None:
    result = _without(missing, _cli(*args))
    assert result.returncode == USAGE == ExitCode.USAGE, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert install_command(extra) in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_dask_engine_without_its_extra_says_which(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": "a", "kind": "image", "params": {"prompt": "p"}}\n', encoding="utf-8")
    result = _without(("distributed",), _cli("batch", "run", str(rows), "--engine", "dask", "--json"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert install_command("dask") in result.stderr, result.stderr


def test_json_mode_reports_the_missing_extra_as_one_json_error() -> None:
    result = _without(("rich",), _cli("me", "--json"))
    assert result.returncode == 2 and result.stdout == ""
    assert '"code": "missing_extra"' in result.stderr and install_command("cli") in result.stderr


def test_importing_the_mock_without_its_extra_is_an_import_error_naming_it() -> None:
    result = _without(("starlette",), "import sume_async.testing")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "sume_async._extras.MissingExtraError: sume_async.testing needs the testing extra "
        "(starlette is not installed): pip install 'sume-async[testing]'"
    )


def test_an_unrelated_import_error_goes_on_unchanged() -> None:
    with pytest.raises(ModuleNotFoundError) as caught, needs_extra("testing", "x"):
        import sume_async_no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert not isinstance(caught.value, MissingExtraError)
    assert issubclass(MissingExtraError, ImportError)
