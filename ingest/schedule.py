"""When to poll a feed next: adaptive intervals, backoff, dead feeds. Pure functions.

- After a successful poll the interval follows the feed's item rate (an exponentially
  weighted average of new items per hour): about one new item expected per poll,
  clamped to [min, max] (5 minutes to 24 hours by default), growing at most twofold a poll
  so a quiet spell does not push a feed out to a day at once.
- After an error: exponential backoff from the current interval's floor, doubled per
  consecutive error, never sooner than the server's Retry-After, at most ``max``.
- A feed that has failed :data:`DEAD_AFTER_ERRORS` times in a row over at least
  :data:`DEAD_AFTER_S`, or answered 410 Gone, is dead: retried every
  :data:`DEAD_RETRY_S` until it answers again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MIN_INTERVAL_S = 5 * 60.0
MAX_INTERVAL_S = 24 * 3600.0
RATE_SMOOTHING = 0.3  # weight of the newest observation in the item-rate average
DEAD_AFTER_ERRORS = 10
DEAD_AFTER_S = 3 * 24 * 3600.0
DEAD_RETRY_S = 7 * 24 * 3600.0
JITTER = 0.1  # ± share of an interval, so feeds added together drift apart


@dataclass(frozen=True)
class Limits:
    min_interval_s: float = MIN_INTERVAL_S
    max_interval_s: float = MAX_INTERVAL_S

    def clamp(self, seconds: float) -> float:
        return max(self.min_interval_s, min(self.max_interval_s, seconds))


def update_rate(rate_per_h: float | None, new_items: int, elapsed_s: float) -> float:
    """Blend the newest observation (new items over the time since the last success)."""
    observed = new_items / max(elapsed_s / 3600.0, 1e-6)
    if rate_per_h is None:
        return observed
    return RATE_SMOOTHING * observed + (1 - RATE_SMOOTHING) * rate_per_h


def success_interval(rate_per_h: float, current_s: float, limits: Limits) -> float:
    target = 3600.0 / rate_per_h if rate_per_h > 0 else limits.max_interval_s
    return limits.clamp(min(target, 2 * current_s))


def backoff_interval(
    consecutive_errors: int, retry_after_s: float | None, current_s: float, limits: Limits
) -> float:
    base = max(limits.min_interval_s, min(current_s, limits.max_interval_s))
    delay: float = base * 2.0 ** min(max(0, consecutive_errors - 1), 30)
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return min(delay, limits.max_interval_s)


def is_dead(consecutive_errors: int, failing_since_s: float, status: int | None) -> bool:
    if status == 410:
        return True
    return consecutive_errors >= DEAD_AFTER_ERRORS and failing_since_s >= DEAD_AFTER_S


def jittered(seconds: float, rng: random.Random | None = None) -> float:
    r: float = rng.random() if rng else random.random()
    return seconds * (1 + JITTER * (2 * r - 1))
