"""Whether to retry, and how long to wait first: decided here and nowhere else.

:func:`should_retry` is the one retry decision. API requests, the storage PUT, downloads
and job polls all ask it, so they cannot disagree on what is transient. Whether a *request*
may be sent again at all (a POST needs an ``Idempotency-Key``, a body must be
re-readable) is the transport's concern: :func:`may_resend`.

A ``Retry-After`` is a floor, never a target: every wait it sets (a retry, a job poll, the
pause of the client's whole poll budget) is that long plus jitter (:func:`spread_retry_after`),
so the callers one 429 storm told the same delay do not all come back in the same instant.
A job poll listens for the 429s its requests get, even those the transport retries itself
(:data:`rate_limit_listener`), so one rate-limited poll slows every wait of the client.

Retrying is safe for every Sume operation: reads are idempotent, and every create
carries an ``Idempotency-Key`` that stays the same across its retries, so a retried
create returns the first job instead of paying for a second one.
"""

from __future__ import annotations

import contextvars
import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping

import attrs

from ._errors import APIConnectionError, APIStatusError, InvalidInputError

#: Statuses below 500 worth another try: request timeout and rate limiting.
RETRYABLE_STATUSES = frozenset({408, 429})

#: Methods HTTP defines as idempotent: sending one twice has the effect of sending it once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def should_retry(error: BaseException) -> bool:
    """Whether the failure is transient: worth the same request again, later.

    True for no response at all (connection trouble, timeouts, a body cut short) and for
    408, 429 and every server error (500-599, CDN codes such as 520-524, and above);
    False for everything else, including every error that is not a ``SumeError``.
    """
    if isinstance(error, APIStatusError):
        return error.status_code in RETRYABLE_STATUSES or error.status_code >= 500
    return isinstance(error, APIConnectionError)


def may_resend(method: str, headers: Mapping[str, str]) -> bool:
    """Whether sending this request a second time is safe.

    Idempotent methods are; a POST only with an ``Idempotency-Key`` (the server then
    answers a repeat with the first result instead of acting twice).
    """
    return method.upper() in IDEMPOTENT_METHODS or bool(headers.get("idempotency-key"))


_RNG = random.Random()

#: A ``Retry-After`` wait is stretched by up to this fraction (of itself, or of the floor).
RETRY_AFTER_SPREAD = 0.25


def spread_retry_after(seconds: float, *, floor: float, rng: random.Random | None = None) -> float:
    """``seconds`` plus jitter: up to :data:`RETRY_AFTER_SPREAD` of it (of ``floor`` when larger), never less.

    The server's delay is honoured (never shortened); the jitter spreads the callers it told
    the same thing, and ``floor`` keeps a ``Retry-After: 0`` from sending them back at once.
    """
    base = max(seconds, 0.0)
    return base + (rng or _RNG).uniform(0, RETRY_AFTER_SPREAD * max(base, floor))


#: Told of every 429 a request made in this context gets, with its ``Retry-After`` in seconds
#: (``None`` without one), on each attempt: also those the transport then retries itself. Job
#: polls set it so that one rate-limited poll slows the whole client's poll gate.
rate_limit_listener: contextvars.ContextVar[Callable[[float | None], None] | None] = contextvars.ContextVar(
    "sume_async_rate_limit_listener", default=None
)


def report_rate_limit(error: BaseException) -> None:
    """Tell this context's :data:`rate_limit_listener` about ``error`` if it is a 429."""
    if isinstance(error, APIStatusError) and error.status_code == 429:
        listener = rate_limit_listener.get()
        if listener is not None:
            listener(error.retry_after)


def _check_retries(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidInputError(attribute.name, "must be an integer from 0 to 100")


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter, bounded by ``max_delay``.

    A ``Retry-After`` from the server wins over the computed delay, up to
    ``max_retry_after`` seconds (a misconfigured proxy must not park a batch for hours),
    with jitter on top (:meth:`retry_after_delay`).

    Attributes:
        max_retries: Retries after the first attempt, 0 to 20 (default 2).
        initial_delay: Seconds before the first retry's ceiling, at least 0 (default 0.5); each
            retry doubles it.
        max_delay: The most seconds one computed delay may be, at least 0 (default 8).
        max_retry_after: The most seconds a server's ``Retry-After`` is honoured for, at least 0
            (default 60).
    """

    max_retries: int = attrs.field(default=2, validator=_check_retries)
    initial_delay: float = attrs.field(default=0.5, validator=lambda _i, a, v: _check_number(a.name, v))
    max_delay: float = attrs.field(default=8.0, validator=lambda _i, a, v: _check_number(a.name, v))
    max_retry_after: float = attrs.field(default=60.0, validator=lambda _i, a, v: _check_number(a.name, v))

    def delay(self, retry: int, retry_after: float | None = None, *, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based).

        Args:
            retry: Which retry this is: 1 for the first.
            retry_after: The server's ``Retry-After`` in seconds, if it sent one: it wins, capped
                at ``max_retry_after``.
            rng: The random source of the jitter (default: a shared one).

        Returns:
            Seconds: half the ceiling plus up to half again at random ("equal jitter").
        """
        if retry_after is not None:
            return self.retry_after_delay(retry_after, rng=rng)
        # The exponent is capped so that a large retry count cannot overflow the float.
        ceiling = min(self.initial_delay * 2.0 ** min(retry - 1, 60), self.max_delay)
        # "Equal jitter": never less than half the ceiling, so retries still back off.
        return ceiling / 2 + (rng or _RNG).uniform(0, ceiling / 2)

    def retry_after_delay(self, retry_after: float, *, rng: random.Random | None = None) -> float:
        """Seconds to wait after a ``Retry-After`` of ``retry_after``: at least that (up to
        ``max_retry_after``), plus up to a quarter more (at least ``initial_delay / 4``) of jitter.

        Args:
            retry_after: The server's ``Retry-After``, in seconds.
            rng: The random source of the jitter (default: the module's).
        """
        capped = min(max(retry_after, 0.0), self.max_retry_after)
        return spread_retry_after(capped, floor=self.initial_delay, rng=rng)


def _check_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InvalidInputError(name, "must be a finite, non-negative number of seconds")


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date; ``None`` if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError, OSError):
            return None
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(seconds, 0.0)
