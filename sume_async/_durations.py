"""How long each job type takes, learned from the client's own jobs, and where to poll next.

Every job a client sees complete adds its duration to a bounded window for its type, but only
from evidence this client observed on its own clock: the job existed when the wait began and
was fresh then, and a poll saw it finished (see ``Schedule._learn``); the server's timestamps,
which a skewed clock or an old job would turn into days, are never taken as a duration.

A log-normal fitted to the window (job durations are close to log-normal: a floor of fixed
work and a long tail) places the next poll: while completion is
unlikely the poll waits longer; where completion becomes likely the polls come at most
``max_lag`` apart, so a finished job is seen quickly; no gap is ever longer than the policy's
``learned_cap``, whatever was learned. Until a type has enough samples, the fixed
:class:`~sume_async.PollPolicy` schedule applies.

Plain bookkeeping: no clock, no event loop.
"""

from __future__ import annotations

import math
from collections import deque

#: Completed jobs of a type before its learned schedule is used.
MIN_SAMPLES = 20
#: Durations kept per type (the most recent): the model follows a service that slows down.
WINDOW = 512
#: Stretch a gap while the chance to finish within it, per second of extra gap and per
#: ``max_lag`` of lag, stays below this: the trade of a late detection against a saved poll.
LATE_DENSITY = 0.1
#: A learned gap is never longer than this fraction of the type's median duration.
MAX_GAP_OF_MEDIAN = 1.0
#: The longest duration a sample may claim (a day): anything longer is not a job's duration.
MAX_SAMPLE_SECONDS = 86_400.0
_SQRT_2PI = math.sqrt(2 * math.pi)
_POOLED = "\x00any"


class LogNormal:
    """A fitted log-normal duration (seconds): ``log(duration) ~ N(mu, sigma)``."""

    __slots__ = ("median", "mu", "sigma")

    def __init__(self, mu: float, sigma: float) -> None:
        self.mu: float = mu
        self.sigma: float = max(sigma, 0.05)  # a type with identical durations still has some spread
        self.median: float = math.exp(mu)

    def survival(self, t: float) -> float:
        """P(duration > t)."""
        if t <= 0:
            return 1.0
        return 0.5 * math.erfc((math.log(t) - self.mu) / (self.sigma * math.sqrt(2)))

    def next_gap(self, elapsed: float, max_lag: float, cap: float = math.inf) -> float:
        """Seconds from now (the job ran ``elapsed`` s and is not done) to the next poll.

        Where the density of finishing is high enough, ``max_lag``; before that region the
        poll waits for it to begin (minus ``max_lag``), after it (the tail) the gap grows to
        its ceiling, as does a job that outlived what the model expects. Never above ``cap``.
        """
        max_lag = min(max_lag, cap)
        ceiling = min(cap, max(max_lag, self.median * MAX_GAP_OF_MEDIAN))
        alive = self.survival(elapsed)
        if alive < 1e-9:
            return max_lag  # far past every duration seen: poll on the fixed cadence
        threshold = LATE_DENSITY * alive / max_lag
        # Where is the density f(t) >= threshold? With x = log t that is the quadratic
        # x^2 + 2(sigma^2 - mu) x + mu^2 + 2 sigma^2 k <= 0, k = log(threshold sigma sqrt(2 pi)).
        s2 = self.sigma * self.sigma
        k = math.log(threshold * self.sigma * _SQRT_2PI)
        centre = self.mu - s2
        disc = centre * centre - self.mu * self.mu - 2 * s2 * k
        if disc < 0:
            return ceiling  # completion is nowhere likely enough to poll closely
        root = math.sqrt(disc)
        start, end = math.exp(centre - root), math.exp(centre + root)
        if elapsed < start:
            return min(ceiling, max(max_lag, start - elapsed + max_lag))
        if elapsed <= end:
            return max_lag
        return ceiling


class _Window:
    __slots__ = ("logs", "total", "total_sq")

    def __init__(self) -> None:
        self.logs: deque[float] = deque()
        self.total = 0.0
        self.total_sq = 0.0

    def add(self, value: float) -> None:
        self.logs.append(value)
        self.total += value
        self.total_sq += value * value
        if len(self.logs) > WINDOW:
            old = self.logs.popleft()
            self.total -= old
            self.total_sq -= old * old

    def fit(self) -> LogNormal | None:
        n = len(self.logs)
        if n < MIN_SAMPLES:
            return None
        mean = self.total / n
        variance = max(0.0, self.total_sq / n - mean * mean)
        return LogNormal(mean, math.sqrt(variance))


class Durations:
    """Completed-job durations per type (client seconds), shared by all waits of a client."""

    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self._fits: dict[str, LogNormal | None] = {}

    def record(self, job_type: str | None, seconds: float) -> None:
        """One completed job of ``job_type`` took ``seconds``."""
        if not (0 < seconds <= MAX_SAMPLE_SECONDS):
            return  # nonsense (or NaN): not a duration
        value = math.log(seconds)
        for key in (job_type, _POOLED) if job_type is not None else (_POOLED,):
            self._windows.setdefault(key, _Window()).add(value)
            self._fits.pop(key, None)

    def model(self, job_type: str | None) -> LogNormal | None:
        """The fitted model of ``job_type`` (``None``: every type), or ``None`` while too few samples."""
        key = _POOLED if job_type is None else job_type
        if key not in self._fits:
            window = self._windows.get(key)
            self._fits[key] = None if window is None else window.fit()
        return self._fits[key]
