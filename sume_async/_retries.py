"""When to retry a request, and how long to wait first.

Retrying is safe for every Sume operation: reads are idempotent, and every create
carries an ``Idempotency-Key`` that stays the same across its retries, so a retried
create returns the first job instead of paying for a second one.
"""

from __future__ import annotations

import email.utils
import math
import random
import time

import attrs

#: Statuses worth another try: timeouts, rate limits and server or CDN errors.
RETRYABLE_STATUSES = frozenset({408, 429})


def is_retryable_status(status_code: int) -> bool:
    """408, 429 and every 5xx (500-504 and CDN codes such as 520-524)."""
    return status_code in RETRYABLE_STATUSES or 500 <= status_code <= 599


_RNG = random.Random()


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by ``max_delay``.

    A ``Retry-After`` from the server wins over the computed delay, up to
    ``max_retry_after`` seconds (a misconfigured proxy must not park a batch for hours).
    """

    max_retries: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, retry: int, retry_after: float | None = None, *, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.initial_delay * 2.0 ** (retry - 1), self.max_delay)
        # "Equal jitter": never less than half the ceiling, so retries still back off.
        return ceiling / 2 + (rng or _RNG).uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(seconds, 0.0)
