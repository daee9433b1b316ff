"""The crisis detector: is this 15-minute bucket of messages a spike against the series' past?

Pure functions over numbers, so the method can be tested and replayed (``benchmarks/
crisis_backtest.py``) without a database. The method and its parameters are described, with
the formulas and measured false-alarm rates, in ``docs/crisis-detection.md``. In short:

- time is cut into fixed UTC buckets of 15 minutes (no local time, so daylight-saving changes
  never stretch, squeeze or repeat a bucket);
- a series (one topic on one channel, or all topics, or all channels) keeps an exponentially
  weighted average of its count and of its negative count per bucket, and an estimate of its
  burstiness (the dispersion: variance over mean);
- a bucket is a volume spike when its count is improbable under that average (tail probability
  below ``alpha``, with the quasi-Poisson scaling for bursty series), at least ``min_count``
  and at least ``min_ratio`` times the average; a negativity spike is the same test on the
  negative messages;
- a bucket enters the average only once it is settled (an hour old), capped at the largest
  count that would not have alarmed, so a long crisis does not teach the detector that a crisis
  is normal.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from rippledesk.triage.crisis.stats import critical_count, poisson_tail

BUCKET_SECONDS = 15 * 60
# Buckets younger than this many buckets are still counting late arrivals; older ones are
# folded into the average and never change again.
SETTLE_BUCKETS = 4
# Longer silences than this are decayed in one step rather than bucket by bucket.
_ZERO_LOOP = 7 * 24 * 4


def bucket_of(moment: datetime) -> int:
    """The index of the UTC bucket holding ``moment`` (an aware datetime)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"bucket_of needs an aware datetime, got naive {moment.isoformat()}")
    return math.floor(moment.timestamp()) // BUCKET_SECONDS


def bucket_start(index: int) -> datetime:
    return datetime.fromtimestamp(index * BUCKET_SECONDS, UTC)


@dataclass(frozen=True)
class Params:
    """The detector's knobs; the defaults are the documented ones."""

    alpha: float = 0.001
    min_count: int = 6
    min_ratio: float = 2.0
    half_life: int = 96  # buckets (24 hours) for the averages
    dispersion_half_life: int = 96
    max_dispersion: float = 5.0
    floor: float = 0.25  # messages per bucket: a quiet series is expected to see one an hour
    warmup: int = 96  # buckets after watching starts before anything may alarm
    quiet: int = 4  # buckets without a spike that end an incident
    cooldown: int = 8  # buckets after a person resolves an incident before it alerts again

    def __post_init__(self) -> None:
        checks = (
            ("alpha", 0 < self.alpha < 0.5, "between 0 and 0.5"),
            ("min_count", self.min_count >= 1, "at least 1"),
            ("min_ratio", self.min_ratio >= 1, "at least 1"),
            ("half_life", self.half_life >= 1, "at least 1 bucket"),
            ("dispersion_half_life", self.dispersion_half_life >= 1, "at least 1 bucket"),
            ("max_dispersion", self.max_dispersion >= 1, "at least 1"),
            ("floor", self.floor > 0, "above 0"),
            ("warmup", self.warmup >= 0, "0 or more buckets"),
            ("quiet", self.quiet >= 1, "at least 1 bucket"),
            ("cooldown", self.cooldown >= 0, "0 or more buckets"),
        )
        for name, ok, rule in checks:
            if not ok:
                raise ValueError(f"crisis detector {name}={getattr(self, name)!r} must be {rule}")

    @property
    def decay(self) -> float:
        """Weight an average keeps per bucket: half of it is gone after ``half_life``."""
        return float(0.5 ** (1.0 / self.half_life))

    @property
    def dispersion_decay(self) -> float:
        return float(0.5 ** (1.0 / self.dispersion_half_life))


@dataclass(frozen=True)
class Baseline:
    """What a series has learned: averages folded through bucket ``through``.

    ``level`` and ``negative_level`` are exponentially weighted sums that start at zero at
    ``origin`` (when watching began); dividing by the weight accumulated since gives an
    unbiased average even after a few buckets. ``dispersion`` values are running means of the
    squared Pearson residuals, starting at 1 (Poisson).
    """

    origin: int
    through: int
    level: float = 0.0
    negative_level: float = 0.0
    dispersion: float = 1.0
    negative_dispersion: float = 1.0

    @classmethod
    def start(cls, origin: int) -> Baseline:
        return cls(origin=origin, through=origin - 1)


@dataclass(frozen=True)
class Expectation:
    """What a series expects of its next bucket: means and dispersions of both counts."""

    count: float
    negatives: float
    dispersion: float
    negative_dispersion: float


def expectation(state: Baseline, params: Params) -> Expectation:
    folded = state.through - state.origin + 1
    weight = 1.0 - params.decay**folded if folded > 0 else 0.0
    if weight <= 0:
        return Expectation(params.floor, params.floor, 1.0, 1.0)
    return Expectation(
        count=max(params.floor, state.level / weight),
        negatives=max(params.floor, state.negative_level / weight),
        dispersion=min(params.max_dispersion, max(1.0, state.dispersion)),
        negative_dispersion=min(params.max_dispersion, max(1.0, state.negative_dispersion)),
    )


@dataclass(frozen=True)
class Verdict:
    """One bucket judged against its series' expectation."""

    count: int
    negatives: int
    expected: float
    expected_negatives: float
    volume_p: float
    negative_p: float
    volume: bool
    negativity: bool

    @property
    def spiking(self) -> bool:
        return self.volume or self.negativity


def threshold(mean: float, dispersion: float, params: Params) -> int:
    """The smallest count that alarms against ``mean``: all three conditions at once."""
    return max(
        critical_count(mean, params.alpha, dispersion),
        params.min_count,
        math.ceil(params.min_ratio * mean),
    )


def _alarms(count: int, mean: float, dispersion: float, params: Params) -> tuple[bool, float]:
    p = poisson_tail(count, mean, dispersion)
    loud = count >= params.min_count and count >= params.min_ratio * mean
    return loud and p < params.alpha, p


def judge(count: int, negatives: int, expected: Expectation, params: Params) -> Verdict:
    """Is a bucket with ``count`` messages, ``negatives`` of them negative, a spike?

    A bucket still filling (the current quarter hour) may be judged too: counts only grow, so
    a partial bucket that already alarms would alarm complete.
    """
    if count < 0 or negatives < 0 or negatives > count:
        raise ValueError(f"counts must satisfy 0 <= negatives <= count, got {negatives}/{count}")
    volume, volume_p = _alarms(count, expected.count, expected.dispersion, params)
    negativity, negative_p = _alarms(
        negatives, expected.negatives, expected.negative_dispersion, params
    )
    return Verdict(
        count=count,
        negatives=negatives,
        expected=expected.count,
        expected_negatives=expected.negatives,
        volume_p=volume_p,
        negative_p=negative_p,
        volume=volume,
        negativity=negativity,
    )


def fold(state: Baseline, bucket: int, count: int, negatives: int, params: Params) -> Baseline:
    """The baseline after settled ``bucket`` (and the silent buckets before it) is learned.

    Buckets must be folded in order and once: ``bucket`` comes after ``state.through``.
    """
    if bucket <= state.through:
        raise ValueError(f"bucket {bucket} is already folded (through {state.through})")
    if count < 0 or negatives < 0 or negatives > count:
        raise ValueError(f"counts must satisfy 0 <= negatives <= count, got {negatives}/{count}")
    state = fold_silence(state, bucket - 1, params)
    return _fold_one(state, count, negatives, params)


def fold_silence(state: Baseline, through: int, params: Params) -> Baseline:
    """Fold empty buckets up to and including ``through``."""
    gap = through - state.through
    if gap <= 0:
        return state
    if gap > _ZERO_LOOP:
        skipped = gap - _ZERO_LOOP
        keep = params.decay**skipped
        state = replace(
            state,
            through=state.through + skipped,
            level=state.level * keep,
            negative_level=state.negative_level * keep,
        )
        gap = _ZERO_LOOP
    for _ in range(gap):
        state = _fold_one(state, 0, 0, params)
    return state


def _fold_one(state: Baseline, count: int, negatives: int, params: Params) -> Baseline:
    expected = expectation(state, params)
    has_history = state.through >= state.origin
    if count:  # cap what a spike teaches; a zero never needs the (costlier) cap
        count = min(count, threshold(expected.count, expected.dispersion, params) - 1)
    if negatives:
        cap = threshold(expected.negatives, expected.negative_dispersion, params) - 1
        negatives = min(negatives, cap)
    keep, learn = params.decay, 1.0 - params.decay
    d_keep, d_learn = params.dispersion_decay, 1.0 - params.dispersion_decay
    dispersion, negative_dispersion = state.dispersion, state.negative_dispersion
    if has_history:  # with no history the expectation is the floor, not a measurement
        dispersion = d_keep * dispersion + d_learn * (count - expected.count) ** 2 / expected.count
        negative_dispersion = (
            d_keep * negative_dispersion
            + d_learn * (negatives - expected.negatives) ** 2 / expected.negatives
        )
    return Baseline(
        origin=state.origin,
        through=state.through + 1,
        level=keep * state.level + learn * count,
        negative_level=keep * state.negative_level + learn * negatives,
        dispersion=dispersion,
        negative_dispersion=negative_dispersion,
    )


def replay(
    counts: Mapping[int, tuple[int, int]],
    first: int,
    last: int,
    params: Params,
    *,
    origin: int | None = None,
) -> Iterator[tuple[int, Verdict]]:
    """Judge buckets ``first..last`` the way the tick does once each has closed.

    ``counts`` maps a bucket to (messages, negative messages); missing buckets had none. A
    closed bucket is judged against the baseline folded through ``SETTLE_BUCKETS`` buckets
    before it (the tick's first look at the complete count). Used by the tests and by
    ``benchmarks/crisis_backtest.py`` to replay a series without a database.
    """
    state = Baseline.start(first if origin is None else origin)
    for bucket in range(first, last + 1):
        target = bucket - SETTLE_BUCKETS
        while state.through < target:
            upcoming = [b for b in range(state.through + 1, target + 1) if b in counts]
            if not upcoming:
                state = fold_silence(state, target, params)
                break
            state = fold(state, upcoming[0], *counts[upcoming[0]], params)
        count, negatives = counts.get(bucket, (0, 0))
        yield bucket, judge(count, negatives, expectation(state, params), params)
