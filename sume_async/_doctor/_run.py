"""``doctor()``: call the live API once per read operation and check every answer against the snapshot.

The run, in order (each answer, retries and polls included, is checked by :class:`Contract`):

1. ``GET /me``, ``/credits``, ``/brand/current``; ``/avatars``, ``/jobs``, ``/assets`` with
   ``limit=1``, and an asset search;
2. ``GET /jobs/{id}`` and ``/jobs/{id}/result`` of one completed job, if the workspace has one;
3. a job id that cannot exist (a 404 and its error envelope), and ``GET /jobs?limit=0``: a
   request the API must refuse, which could never cost anything;
4. with ``paid=True`` only: one image generation (the cheapest job) created twice with one
   ``Idempotency-Key``: the second answer must be the same job. Then it is waited for and
   its result fetched, and the credits before and after are compared.

Errors that stop the run are raised as the SDK raises them (a refused key, the network, the
server failing after retries); everything else ends up in the :class:`DoctorReport`.
"""

from __future__ import annotations

import inspect
import os
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from .._client import AsyncSume
from .._errors import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    InvalidInputError,
    JobError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    SumeError,
    UnprocessableEntityError,
)
from .._schema_source import snapshot
from .._version import __version__
from ..resources._common import new_idempotency_key
from ._contract import Contract, Finding, request_id_of
from ._recorder import Recorder
from ._report import Check, DoctorReport, PaidCheck

__all__ = ["PAID_PROMPT", "PAID_WAIT_SECONDS", "doctor", "paid_cost"]

#: The prompt of the ``paid`` check's job.
PAID_PROMPT = "sume-async doctor: a plain grey square"
#: How long the ``paid`` check waits for its job by default.
PAID_WAIT_SECONDS = 600.0

Confirm = Callable[[str], bool | Awaitable[bool]]


def paid_cost(wait_seconds: float = PAID_WAIT_SECONDS) -> str:
    """What ``paid=True`` spends, in words: stated before anything is sent."""
    return (
        "The paid check creates one image generation (image_count 1, the cheapest Sume job) and sends that "
        "create twice with one Idempotency-Key: it costs the credits of one image on your plan, or of two if "
        "the API ignores the key (which is what the check is there to find). It then waits for the job "
        f"(at most {wait_seconds:g} s) and fetches its result."
    )


async def doctor(
    api_key: str | None = None,
    base_url: str | None = None,
    *,
    paid: bool = False,
    confirm: Confirm | None = None,
    wait_seconds: float = PAID_WAIT_SECONDS,
    transport: httpx.AsyncBaseTransport | None = None,
    **client_options: Any,
) -> DoctorReport:
    """Check the live API against the schema snapshot this SDK was built on.

    Read-only unless ``paid=True``. With ``paid=True`` and a ``confirm`` callable, ``confirm``
    gets :func:`paid_cost`'s statement before any request is sent; if it returns false, the run
    stays read-only (the report says so). ``api_key`` and ``base_url`` default as for
    ``AsyncSume``; ``client_options`` go to it too (``timeout``, ``max_retries``, ...), and
    ``transport`` is the httpx transport its requests go through.

    Raises the SDK's errors that make the check impossible: ``AuthenticationError`` (the
    key), ``APIConnectionError`` (the network), ``InternalServerError``/``RateLimitError``
    after retries. Anything the API answered differently from the snapshot is in the report.
    """
    notes: list[str] = []
    if paid and confirm is not None:
        answer = confirm(paid_cost(wait_seconds))
        if inspect.isawaitable(answer):
            answer = await answer
        if not answer:
            paid = False
            notes.append("The paid check was declined: nothing was created.")
    doc, label = snapshot()
    contract = Contract(doc)
    recorder = Recorder(transport, base_path="")
    sume = AsyncSume(api_key, base_url, transport=recorder, **client_options)
    recorder.base_path = httpx.URL(sume.base_url).path.rstrip("/")
    if transport is None:
        recorder.inner = _network_transport(sume.base_url)
    run = _Run(sume, recorder, contract, notes)
    async with sume:
        await run.read_only()
        paid_check = await run.paid(wait_seconds) if paid else None
    return DoctorReport(
        sdk_version=__version__,
        snapshot=label,
        checks=tuple(run.checks),
        findings=tuple(run.findings),
        marks=tuple(contract.marks()),
        paid=paid_check,
        notes=tuple(notes),
        secrets=frozenset({sume_key} if (sume_key := _key(api_key)) else ()),
    )


def _network_transport(base_url: str) -> httpx.AsyncBaseTransport:
    """A transport to ``base_url`` as httpx's own client would make it: the environment's proxy and CA settings."""
    url = httpx.URL(base_url)
    proxy = None if urllib.request.proxy_bypass(url.host) else urllib.request.getproxies().get(url.scheme)
    try:
        return httpx.AsyncHTTPTransport(trust_env=True, proxy=proxy or None)
    except (ValueError, TypeError, httpx.InvalidURL) as exc:
        raise InvalidInputError(
            f"{url.scheme}_proxy", f"the proxy setting cannot be used ({type(exc).__name__})"
        ) from None


def _key(api_key: str | None) -> str | None:
    key = api_key if api_key is not None else os.environ.get("SUME_API_KEY")
    return key.strip() if key and len(key.strip()) >= 8 else None


class _Run:
    def __init__(self, sume: AsyncSume, recorder: Recorder, contract: Contract, notes: list[str]) -> None:
        self.sume = sume
        self.recorder = recorder
        self.contract = contract
        self.notes = notes
        self.checks: list[Check] = []
        self.findings: list[Finding] = []
        self.limit = contract.parameter_pointer("/jobs", "get", "limit")

    async def read_only(self) -> None:
        sume = self.sume
        await self.probe("me", sume.account.me)
        await self.probe("credits", sume.credits.get)
        await self.probe("brand current", sume.brand.current, allowed=(NotFoundError,))
        await self.list_probe("avatars list", lambda: sume.avatars.list(limit=1).first_page())
        first = await self.list_probe("jobs list", lambda: sume.jobs.list(limit=1).first_page())
        completed = [job for job in (first or []) if str(getattr(job, "status", "")) == "completed"]
        if not completed:
            found = await self.list_probe(
                "jobs list (completed)", lambda: sume.jobs.list(status="completed", limit=1).first_page()
            )
            completed = list(found or [])
        if completed:
            job_id = str(completed[0].id)
            await self.probe("jobs get (a completed job)", lambda: sume.jobs.get(job_id))
            await self.probe("jobs result (a completed job)", lambda: sume.jobs.result(job_id))
        else:
            self.checks.append(Check("jobs get/result", "skipped", detail="the workspace has no completed job"))
        await self.list_probe("assets list", lambda: sume.assets.list(limit=1).first_page())
        found_assets = await self.list_probe(
            "assets search", lambda: sume.assets.search("product", limit=1).first_page()
        )
        if found_assets:
            await self.asset_in_context(str(found_assets[0].id))
        await self.not_found()
        await self.invalid()

    # -- probes -------------------------------------------------------------------------------

    async def probe(
        self, name: str, call: Callable[[], Awaitable[Any]], *, allowed: tuple[type[SumeError], ...] = ()
    ) -> Any:
        """Run ``call``, check every exchange it made; the value, or ``None`` when it was refused."""
        start = len(self.recorder.exchanges)
        value: Any = None
        error: SumeError | None = None
        try:
            value = await call()
        except PermissionDeniedError as exc:
            error = exc
        except (AuthenticationError, InsufficientCreditsError):
            raise
        except APIStatusError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                raise
            error = exc
        except APIResponseValidationError as exc:
            error = exc
        found = self.check_since(start)
        ids = self.request_ids_since(start)
        if isinstance(error, PermissionDeniedError):
            self.checks.append(Check(name, "skipped" if not found else "contradicted", ids, "no access (403)"))
            self.notes.append(f"{name}: this workspace has no access (403): its answers were not checked")
            return None
        if isinstance(error, APIResponseValidationError) and not found:
            self.add(Finding(name, None, "$", f"the SDK could not read the answer: {error}", ids[-1] if ids else None))
            found = 1
        elif isinstance(error, APIStatusError) and not isinstance(error, allowed) and not found:
            status = error.status_code
            self.add(
                Finding(name, status, "status", f"HTTP {status} ({error.code}) to a valid request", error.request_id)
            )
            found = 1
        self.checks.append(Check(name, "contradicted" if found else "ok", ids))
        return value

    async def list_probe(self, name: str, call: Callable[[], Awaitable[Any]]) -> list[Any] | None:
        """A first page asked for with ``limit=1``: at most one item may come back."""
        page = await self.probe(name, call)
        if self.limit is not None:
            self.contract.touch_under(self.limit)
        if page is None:
            return None
        items = list(page.data)
        if len(items) > 1 and self.limit is not None:
            exchange = self.recorder.exchanges[-1]
            self.add(
                Finding(
                    f"{exchange.method} {self.contract.operation_of(exchange.method, exchange.path) or exchange.path}",
                    exchange.status,
                    "$.data",
                    f"{len(items)} items for limit=1",
                    exchange.headers.get("x-request-id"),
                    (self.limit,),
                )
            )
            self.checks[-1] = Check(name, "contradicted", self.checks[-1].request_ids)
        return items

    async def asset_in_context(self, asset_id: str) -> None:
        """``GET /assets/{id}`` with the search context (``q``, ``search_mode``, ``search_score``): all guesses."""
        start = len(self.recorder.exchanges)
        value = await self.probe(
            "assets get (with the search context)",
            lambda: self.sume.assets.get(asset_id, q="product", search_mode="auto", search_score=0.5),
        )
        last = self.recorder.exchanges[-1] if len(self.recorder.exchanges) > start else None
        if value is None or last is None or not 200 <= last.status < 300:
            return
        for name in ("q", "search_mode", "search_score"):
            pointer = self.contract.parameter_pointer("/assets/{assetId}", "get", name)
            if pointer is not None:
                self.contract.touch_under(pointer)

    async def not_found(self) -> None:
        """A job id that cannot exist: a 404 in the error envelope."""
        name = "jobs get (a job that cannot exist: 404)"
        missing = f"job_doctor_{uuid.uuid4().hex}"
        start = len(self.recorder.exchanges)
        try:
            await self.sume.jobs.get(missing)
        except NotFoundError:
            pass
        except APIStatusError as exc:
            if exc.status_code >= 500 or exc.status_code == 429 or isinstance(exc, AuthenticationError):
                raise
        except APIResponseValidationError:
            pass
        found = self.check_since(start)
        last = self.recorder.exchanges[-1] if len(self.recorder.exchanges) > start else None
        if last is not None and last.status != 404:
            self.add(Finding("GET /jobs/{jobId}", last.status, "status", "expected 404 for a job that cannot exist"))
            found += 1
        self.checks.append(Check(name, "contradicted" if found else "ok", self.request_ids_since(start)))

    async def invalid(self) -> None:
        """``GET /jobs?limit=0``: refused by the API (the snapshot's minimum is 1), so it can never cost anything."""
        name = "jobs list with limit=0 (must be refused)"
        start = len(self.recorder.exchanges)
        self.recorder.rewrite_next({"limit": "0"})
        accepted = False
        try:
            await self.sume.jobs.list(limit=1).first_page()
            accepted = True
        except (BadRequestError, UnprocessableEntityError):
            pass
        except APIStatusError as exc:
            if exc.status_code >= 500 or exc.status_code == 429 or isinstance(exc, AuthenticationError):
                raise
        except APIResponseValidationError:
            pass
        found = self.check_since(start)
        if self.limit is not None:
            self.contract.touch_under(self.limit)
        last = self.recorder.exchanges[-1] if len(self.recorder.exchanges) > start else None
        if accepted or (last is not None and last.status not in (400, 422)):
            status = last.status if last is not None else None
            marks = (self.limit,) if self.limit is not None else ()
            self.add(Finding("GET /jobs", status, "query limit", "limit=0 was not refused (400/422)", None, marks))
            found += 1
        self.checks.append(Check(name, "contradicted" if found else "ok", self.request_ids_since(start)))

    async def paid(self, wait_seconds: float) -> PaidCheck:
        """One image generation, created twice with one key; waited for; its result fetched."""
        sume = self.sume
        before = await self.credits("credits (before the paid check)")
        key = new_idempotency_key(None)
        pointer = self.contract.parameter_pointer("/images/generations", "post", "Idempotency-Key")
        job_id: str | None = None
        replay_id: str | None = None
        status: str | None = None
        start = len(self.recorder.exchanges)
        try:
            job = await sume.images.generate(prompt=PAID_PROMPT, image_count=1, idempotency_key=key)
        finally:
            found = self.check_since(start)
        job_id = str(job.id)
        body = self.contract.request_fields("/images/generations", "post")
        if body is not None:  # the request the API accepted exercised the guesses about its fields
            for field in ("prompt", "image_count"):
                self.contract.touch_under(f"{body}/properties/{field}")
        middle = len(self.recorder.exchanges)
        try:
            again = await sume.images.generate(prompt=PAID_PROMPT, image_count=1, idempotency_key=key)
            replay_id = str(again.id)
        except SumeError as exc:  # the job exists and is paid: keep going, and say why the replay is unknown
            self.notes.append(f"The second create (the replay) failed: {type(exc).__name__}: {exc}")
        found += self.check_since(middle)
        if pointer is not None and replay_id is not None:
            self.contract.touch_under(pointer)
        same = None if replay_id is None else replay_id == job_id
        if same is False:
            marks = (pointer,) if pointer is not None else ()
            self.add(
                Finding(
                    "POST /images/generations",
                    self.recorder.exchanges[-1].status,
                    "header Idempotency-Key",
                    f"the same key and body created a second job ({replay_id}, the first was {job_id})",
                    self.recorder.exchanges[-1].headers.get("x-request-id"),
                    marks,
                )
            )
            found += 1
        self.checks.append(
            Check(
                "images generate, twice with one Idempotency-Key",
                "contradicted" if found else "ok",
                self.request_ids_since(start),
            )
        )
        start = len(self.recorder.exchanges)
        try:
            done = await sume.jobs.wait(job_id, timeout=wait_seconds)
            status = str(done.status)
            await sume.jobs.result(job_id)
        except JobFailedError as exc:
            status = exc.status
            self.notes.append(f"The paid job {job_id} did not complete: {type(exc).__name__}: {exc}")
        except JobError as exc:
            self.notes.append(f"The paid job {job_id} did not complete: {type(exc).__name__}: {exc}")
        except (APIStatusError, APIResponseValidationError) as exc:
            self.notes.append(f"Waiting for the paid job {job_id} stopped: {type(exc).__name__}: {exc}")
        found = self.check_since(start)
        self.checks.append(
            Check(
                "jobs wait and result (the paid job)", "contradicted" if found else "ok", self.request_ids_since(start)
            )
        )
        after = await self.credits("credits (after the paid check)")
        return PaidCheck(job_id, replay_id, same, status, before, after)

    async def credits(self, name: str) -> float | None:
        value = await self.probe(name, self.sume.credits.get)
        remaining = getattr(value, "remaining_credits", None)
        return float(remaining) if isinstance(remaining, int | float) and not isinstance(remaining, bool) else None

    # -- bookkeeping ----------------------------------------------------------------------------

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)
        self.contract.contradict(finding)

    def check_since(self, start: int) -> int:
        """Check the exchanges recorded from ``start`` on; how many findings they gave."""
        count = 0
        for exchange in self.recorder.exchanges[start:]:
            for finding in self.contract.check(exchange):
                self.add(finding)
                count += 1
        return count

    def request_ids_since(self, start: int) -> tuple[str, ...]:
        ids = []
        for exchange in self.recorder.exchanges[start:]:
            rid = request_id_of(exchange)
            if rid:
                ids.append(rid)
        return tuple(dict.fromkeys(ids))
