"""Fault injection: 429 with both Retry-After forms, 5xx, HTML 520, latency, dropped connections."""

from __future__ import annotations

import email.utils
import inspect
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from mock_fixtures import TRANSPORTS, conforms, error_code, open_api

from sume_async.testing import ConnectionDropped, Faults, ManualClock, MockSume, _faults
from sume_async.testing._faults import FaultKind, FaultReply

pytestmark = pytest.mark.anyio


async def test_rate_limited_with_seconds() -> None:
    mock = MockSume(faults=Faults(rate_429=1.0, retry_after_seconds=2))
    async with open_api(mock) as c:
        response = await c.get("/me")
    assert response.status_code == 429 and error_code(response) == "rate_limited"
    assert response.headers["retry-after"] == "2"
    conforms(response, "GET", "/me")


async def test_rate_limited_with_http_date() -> None:
    mock = MockSume(faults=Faults(rate_429=1.0, retry_after="http-date", retry_after_seconds=3))
    async with open_api(mock) as c:
        response = await c.get("/jobs")
    when = email.utils.parsedate_to_datetime(response.headers["retry-after"])
    assert response.status_code == 429
    assert 3 <= when.timestamp() - time.time() <= 5


async def test_server_errors_mix_500_502_503() -> None:
    mock = MockSume(faults=Faults(rate_5xx=1.0, seed=1))
    async with open_api(mock) as c:
        statuses = Counter()
        for _ in range(30):
            response = await c.get("/credits")
            statuses[response.status_code] += 1
            expected = "internal_error" if response.status_code == 500 else "service_unavailable"
            assert error_code(response) == expected
            conforms(response, "GET", "/credits")
    assert set(statuses) == {500, 502, 503}


async def test_cdn_520_is_html() -> None:
    mock = MockSume(faults=Faults(rate_520=1.0))
    async with open_api(mock, "socket") as c:
        response = await c.get("/me")
    assert response.status_code == 520
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text.lower()


async def test_faults_are_seeded_and_deterministic() -> None:
    async def run(seed: int) -> list[int]:
        mock = MockSume(faults=Faults(seed=seed, rate_429=0.2, rate_5xx=0.2, rate_520=0.1))
        async with open_api(mock) as c:
            return [(await c.get("/me")).status_code for _ in range(40)]

    first = await run(5)
    assert first == await run(5)
    assert first != await run(6)
    assert {200, 429, 520} <= set(first)


async def test_per_route_faults_override_the_global_ones() -> None:
    faults = Faults(rate_5xx=1.0, routes={"GET /jobs/{jobId}": Faults(rate_429=1.0), "/credits": Faults()})
    mock = MockSume(faults=faults)
    async with open_api(mock) as c:
        assert (await c.get("/jobs/job_x")).status_code == 429
        assert (await c.get("/credits")).status_code == 200
        assert (await c.get("/me")).status_code >= 500


async def test_faults_come_before_auth_and_are_counted() -> None:
    mock = MockSume(faults=Faults(rate_429=1.0))
    async with open_api(mock) as c:
        response = await c.get("/me", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 429
    assert mock.route_counts["GET /me"] == 1 and mock.requests[-1].status == 429


async def test_latency_delays_without_changing_the_answer() -> None:
    mock = MockSume(faults=Faults(latency=(0.01, 0.02)))
    async with open_api(mock) as c:
        assert (await c.get("/me")).status_code == 200


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_drop_sends_no_response(transport: str) -> None:
    mock = MockSume(faults=Faults(rate_drop=1.0))
    async with open_api(mock, transport) as c:
        with pytest.raises(httpx.RemoteProtocolError) as raised:
            await c.get("/me")
        if transport == "asgi":
            assert isinstance(raised.value, ConnectionDropped)
        assert mock.requests[-1].dropped and mock.requests[-1].status is None


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_drop_after_create_leaves_exactly_one_job(transport: str) -> None:
    mock = MockSume(clock=ManualClock(), faults=Faults(rate_drop_after_create=1.0))
    async with open_api(mock, transport) as c:
        body, headers = {"prompt": "mug"}, {"Idempotency-Key": "create-1"}
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post("/images/generations", body, headers=headers)
        assert len(mock.jobs) == 1  # created and charged before the connection dropped
        assert mock.faults is not None
        mock.faults.rate_drop_after_create = 0.0
        retried = await c.post("/images/generations", body, headers=headers)
        assert retried.status_code == 202 and retried.headers["idempotent-replayed"] == "true"
        assert list(mock.jobs) == [retried.json()["job"]["id"]]
        assert mock.balance() == 10_000 - mock.job_costs["image_generation"]
        # Reads are never dropped by this fault.
        mock.faults.rate_drop_after_create = 1.0
        assert (await c.get("/jobs")).status_code == 200


async def test_drop_after_create_skips_failed_creates() -> None:
    mock = MockSume(faults=Faults(rate_drop_after_create=1.0))
    async with open_api(mock) as c:
        assert (await c.post("/images/generations", {})).status_code == 422


def test_fault_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        Faults(rate_429=1.5)
    with pytest.raises(ValueError):
        Faults(rate_429=0.6, rate_5xx=0.6)
    with pytest.raises(ValueError):
        Faults(retry_after="minutes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Faults(latency=(0.2, 0.1))
    assert "rate_429=0.5" in repr(Faults(rate_429=0.5))


class _TeapotFaults(Faults):
    """``Faults`` with the keyword a real new kind adds to ``Faults.__init__``."""

    def __init__(self, *, rate_418: float = 0.0, **settings: Any) -> None:
        self.rate_418 = rate_418
        super().__init__(**settings)


def _teapot(faults: Faults, status: int, request_id: str) -> FaultReply:
    return FaultReply(status, b"short and stout", "text/plain", {"X-Request-Id": request_id})


async def test_a_new_fault_kind_is_one_table_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Appending a kind needs no change to the app, and earlier kinds keep their draws."""
    kinds = (*_faults.FAULT_KINDS, FaultKind("teapot", "rate_418", (418,), _teapot))
    monkeypatch.setattr(_faults, "FAULT_KINDS", kinds)
    mock = MockSume(faults=_TeapotFaults(seed=4, rate_429=0.3, rate_418=0.4))
    async with open_api(mock) as c:
        answers = [await c.get("/me") for _ in range(40)]
    statuses = {r.status_code for r in answers}
    assert statuses == {200, 418, 429}
    first = [r.status_code for r in answers].index(418)
    assert answers[first].text == "short and stout"
    assert answers[first].headers["x-request-id"] == mock.requests[first].request_id
    assert mock.requests[first].status == 418

    monkeypatch.setattr(_faults, "FAULT_KINDS", kinds[:-1])
    plain = MockSume(faults=Faults(seed=4, rate_429=0.3))
    async with open_api(plain) as c:
        before = [(await c.get("/me")).status_code for _ in range(40)]
    # The 429s fall on the same requests with or without the appended kind.
    assert [s == 429 for s in before] == [r.status_code == 429 for r in answers]


def test_every_fault_kind_has_its_rate_keyword_and_statuses() -> None:
    faults = Faults()
    for kind in _faults.FAULT_KINDS:
        assert getattr(faults, kind.rate) == 0.0, kind.name
        assert (kind.render is None) == (kind.statuses == ()), kind.name
        assert kind.rate in inspect.signature(Faults).parameters, kind.name
