"""One table of job types: it matches the schema, and the SDK and the mock both read it."""

from __future__ import annotations

import json
from pathlib import Path

from sume_async import Job, JobStatus, JobType
from sume_async import _job_types as job_types
from sume_async._job_states import is_short
from sume_async._waiting import default_timeout
from sume_async.testing import FEATURES, MockSume

SCHEMA = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_the_table_has_a_row_for_every_job_type_in_the_schema_and_no_other() -> None:
    enum = json.loads(SCHEMA.read_text())["components"]["schemas"]["JobType"]["enum"]
    assert sorted(job_types.JOB_TYPES) == sorted(enum) == sorted(str(t) for t in JobType)
    for name, row in job_types.JOB_TYPES.items():
        assert str(row.type) == name
        assert row.default_timeout > 0 and row.feature


def test_the_mock_defaults_come_from_the_table() -> None:
    from sume_async.testing._lifecycle import DEFAULT_COSTS, DEFAULT_DURATIONS

    mock = MockSume()
    assert set(mock.durations) == set(mock.job_costs) == set(job_types.JOB_TYPES)
    assert mock.durations == DEFAULT_DURATIONS and mock.job_costs == DEFAULT_COSTS
    assert all(seconds > 0 for seconds in DEFAULT_DURATIONS.values()) and all(DEFAULT_COSTS.values())
    assert set(FEATURES) == {row.feature for row in job_types.JOB_TYPES.values()}
    mock.close()


def test_the_sdk_reads_short_and_timeouts_from_the_table() -> None:
    for name, row in job_types.JOB_TYPES.items():
        job = Job(id="job_1", status=JobStatus.QUEUED, type_=JobType(name))
        assert is_short(name) is row.short
        assert default_timeout([job]) == row.default_timeout
    unknown = Job(id="job_2", status=JobStatus.QUEUED, type_=JobType("hologram_generation"))
    assert job_types.info("hologram_generation") is job_types.info(None) is job_types.UNKNOWN
    assert not is_short("hologram_generation") and not is_short(None)
    assert default_timeout([unknown]) == default_timeout([]) == default_timeout(["job_3"]) == job_types.VIDEO_TIMEOUT
