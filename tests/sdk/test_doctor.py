"""``sume_async.doctor()`` against the mock (everything confirmed) and against mocks altered to contradict it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from altered_mock import Altered, html_errors, renamed, replaced_value

from sume_async import DoctorReport, doctor
from sume_async.testing import DEFAULT_API_KEY, MockSume, client_for, serve

pytestmark = pytest.mark.anyio

KEY = DEFAULT_API_KEY
SPEED = 200.0
IMAGE_COST = 4  # the mock's price of one image (its job-type table)


@asynccontextmanager
async def served(alter: Callable[[Any], Any] | None = None) -> AsyncIterator[tuple[MockSume, str]]:
    """A mock with one completed image job, served on loopback (its app wrapped by ``alter``)."""
    mock = MockSume(speed=SPEED)
    async with client_for(mock) as sume:
        await sume.images.generate(prompt="seed")
    mock.complete_all()
    if alter is not None:
        mock.app = alter(mock.app)
    try:
        async with serve(mock) as url:
            yield mock, url
    finally:
        mock.close()


def secrets_of(mock: MockSume) -> list[str]:
    """What a report must never carry: the key, ids of the workspace and user, e-mails, URLs."""
    return [KEY, "ws_mock", "user_mock", "@mock.sume.test", "https://", "http://", "media.sume.test"]


def assert_safe(report: DoctorReport, mock: MockSume) -> None:
    text = report.render_text() + json.dumps(report.to_dict())
    for secret in secrets_of(mock):
        assert secret not in text, f"the report carries {secret!r}"


def verdicts(report: DoctorReport) -> dict[str, str]:
    return {m.pointer: m.verdict for m in report.marks}


async def test_the_mock_matches_the_snapshot_and_the_report_is_safe() -> None:
    async with served() as (mock, url):
        report = await doctor(KEY, url)
    assert report.findings == (), report.render_text()
    assert report.ok and report.paid is None
    names = {c.name for c in report.checks}
    assert {"me", "credits", "brand current", "avatars list", "jobs list", "assets list", "assets search"} <= names
    assert "jobs result (a completed job)" in names and all(c.outcome == "ok" for c in report.checks)
    marks = verdicts(report)
    assert "contradicted" not in marks.values()
    assert marks["#/components/schemas/JobType"] == "confirmed"
    assert marks["#/components/parameters/Limit"] == "confirmed"
    assert marks["#/components/parameters/IdempotencyKey"] == "not exercised"  # read-only run
    assert all(c.request_ids for c in report.checks if c.outcome != "skipped")
    assert_safe(report, mock)
    assert mock.balance() == 10_000 - IMAGE_COST  # the seed job only: nothing was paid


async def test_paid_check_confirms_the_idempotency_key_and_spends_one_job() -> None:
    async with served() as (mock, url):
        asked: list[str] = []
        before = mock.balance()
        report = await doctor(KEY, url, paid=True, confirm=lambda text: asked.append(text) or True)
        spent = before - mock.balance()
    assert asked and "Idempotency-Key" in asked[0]
    assert report.ok, report.render_text()
    assert report.paid is not None and report.paid.same_job and report.paid.status == "completed"
    assert len(report.paid.job_ids) == 1 and report.paid.credits_spent == spent == IMAGE_COST
    assert verdicts(report)["#/components/parameters/IdempotencyKey"] == "confirmed"
    assert_safe(report, mock)


async def test_a_declined_paid_check_sends_nothing_paid() -> None:
    async with served() as (mock, url):
        before = mock.balance()
        report = await doctor(KEY, url, paid=True, confirm=lambda text: False)
        assert mock.balance() == before
    assert report.paid is None and any("declined" in note for note in report.notes)


@pytest.mark.parametrize(
    ("alter", "operation", "path", "mark"),
    [
        pytest.param(
            lambda app: Altered(app, rewrite=renamed("remaining_credits", "credits_remaining")),
            "GET /credits",
            "$.credits_remaining",
            None,
            id="renamed-field",
        ),
        pytest.param(
            lambda app: Altered(app, rewrite=replaced_value("type", "image_generation", "image_edit")),
            "GET /jobs",
            "$.data[0].type",
            "#/components/schemas/JobType",
            id="extra-enum-value",
        ),
        pytest.param(
            lambda app: Altered(app, rewrite=html_errors),
            "GET /jobs/{jobId}",
            "header Content-Type",
            None,
            id="html-error-body",
        ),
    ],
)
async def test_each_contradiction_is_reported_with_its_path(
    alter: Callable[[Any], Any], operation: str, path: str, mark: str | None
) -> None:
    async with served(alter) as (mock, url):
        before = mock.balance()
        report = await doctor(KEY, url)
        assert mock.balance() == before
    assert not report.ok
    assert any(f.operation == operation and f.path == path for f in report.findings), report.render_text()
    if mark is not None:
        assert verdicts(report)[mark] == "contradicted"
        seen = next(m for m in report.marks if m.pointer == mark).seen
        assert any(path in line for line in seen)
    assert_safe(report, mock)


async def test_an_html_error_body_is_no_envelope_and_no_request_id() -> None:
    async with served(lambda app: Altered(app, rewrite=html_errors)) as (_, url):
        report = await doctor(KEY, url)
    problems = {(f.operation, f.path) for f in report.findings}
    assert ("GET /jobs/{jobId}", "$") in problems and ("GET /jobs", "$") in problems  # 404 and 422: not JSON


async def test_an_ignored_idempotency_key_is_reported_and_costs_no_more_than_stated() -> None:
    async with served(lambda app: Altered(app, drop_request_headers=["Idempotency-Key"])) as (mock, url):
        before = mock.balance()
        report = await doctor(KEY, url, paid=True)
        spent = before - mock.balance()
    assert not report.ok and report.paid is not None and report.paid.same_job is False
    assert len(report.paid.job_ids) == 2  # both reported: no paid work lost
    assert spent == 2 * IMAGE_COST  # the stated worst case: two images, nothing more
    finding = next(f for f in report.findings if f.path == "header Idempotency-Key")
    assert finding.operation == "POST /images/generations"
    assert verdicts(report)["#/components/parameters/IdempotencyKey"] == "contradicted"
    assert_safe(report, mock)


def _first_me_rate_limited(retry_after: bytes) -> Callable[[Any], Any]:
    """The first ``GET /me`` answers 429 with this ``Retry-After``; the SDK retries, the doctor checks both answers."""
    sent: list[bool] = []

    def rewrite(method: str, path: str, status: int, headers: Any, body: bytes) -> Any:
        if path.endswith("/me") and not sent:
            sent.append(True)
            envelope = b'{"error":{"code":"rate_limited","message":"Too many requests."},"request_id":"req_doctor429"}'
            return 429, [(b"content-type", b"application/json"), (b"retry-after", retry_after)], envelope
        return status, headers, body

    return lambda app: Altered(app, rewrite=rewrite)


@pytest.mark.parametrize("value", [b"0", b"Wed, 21 Oct 2015 07:28:00 GMT"])
async def test_a_429_with_a_readable_retry_after_is_no_contradiction(value: bytes) -> None:
    async with served(_first_me_rate_limited(value)) as (_, url):
        report = await doctor(KEY, url)
    assert report.ok, report.render_text()
    assert "req_doctor429" in next(c for c in report.checks if c.name == "me").request_ids


async def test_an_unreadable_retry_after_is_reported() -> None:
    async with served(_first_me_rate_limited(b"soon")) as (_, url):
        report = await doctor(KEY, url, max_retries=1)
    finding = next(f for f in report.findings if f.path == "header Retry-After")
    assert finding.operation == "GET /me" and finding.status == 429 and finding.request_id == "req_doctor429"


async def test_a_rate_limit_header_that_is_not_a_number_is_reported() -> None:
    def rewrite(method: str, path: str, status: int, headers: Any, body: bytes) -> Any:
        extra = [(b"x-ratelimit-remaining", b"lots")] if path.endswith("/credits") else []
        return status, [*headers, *extra], body

    async with served(lambda app: Altered(app, rewrite=rewrite)) as (_, url):
        report = await doctor(KEY, url)
    assert [(f.operation, f.path) for f in report.findings] == [("GET /credits", "header X-Ratelimit-Remaining")]
