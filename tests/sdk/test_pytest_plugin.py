"""The pytest plugin (``pytest11`` entry point): ``sume_mock`` and ``sume_client`` in a user's tests.

Each case runs pytest in a subprocess (``pytester``) so the plugin is loaded as users get it,
from the installed entry point, not from this suite's conftest.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import pytest
from sume_async import AsyncSume
from sume_async.testing import ManualClock, MockSume


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


@pytest.mark.anyio
async def test_a_job_completes(sume_client: AsyncSume, sume_mock: MockSume) -> None:
    job = await sume_client.images.generate(prompt="A red bicycle at dawn")
    done = await sume_client.jobs.wait(job, timeout=30)
    assert done.status == "completed"
    assert sume_mock.jobs[job.id].status == "completed"


@pytest.mark.anyio
async def test_each_test_gets_a_fresh_mock(sume_client: AsyncSume, sume_mock: MockSume) -> None:
    assert len(sume_mock.jobs) == 0
    await sume_client.images.generate(prompt="one")
    assert len(sume_mock.jobs) == 1


@pytest.mark.sume_mock(clock=ManualClock(), failure_rate=0.5)
def test_the_marker_configures_the_mock(sume_mock: MockSume) -> None:
    assert isinstance(sume_mock.clock, ManualClock)
    assert sume_mock.failure_rate == 0.5


def test_the_default_speed(sume_mock: MockSume) -> None:
    assert sume_mock.clock.speed == 100
"""


def test_the_entry_point_is_registered() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("sume_async") == "sume_async._pytest_plugin"


def test_fixtures_on_asyncio_and_trio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=240)
    result.assert_outcomes(passed=6)


def test_a_positional_marker_argument_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user="import pytest\n\n@pytest.mark.sume_mock(100)\ndef test_x(sume_mock):\n    pass\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=120)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*keyword arguments only*"])


def test_pytest_starts_without_the_testing_extra(pytester: pytest.Pytester) -> None:
    """The entry point is there even without the extra: loading it must not import the mock."""
    pytester.makepyfile(test_user="def test_plain():\n    pass\n\ndef test_wants_the_mock(sume_mock):\n    pass\n")
    code = (
        "import sys\n"
        "for name in ('starlette', 'uvicorn'):\n"
        "    sys.modules[name] = None  # as if the testing extra were not installed\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'test_user.py']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=pytester.path, capture_output=True, text=True, timeout=120
    )
    assert "1 passed" in result.stdout and "1 error" in result.stdout, result.stdout + result.stderr
    assert "pip install 'sume-async[testing]'" in result.stdout
