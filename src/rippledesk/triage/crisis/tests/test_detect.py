"""Properties of the detector on replayed series (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from rippledesk.triage.crisis.detect import (
    BUCKET_SECONDS,
    SETTLE_BUCKETS,
    Baseline,
    Params,
    Verdict,
    bucket_of,
    bucket_start,
    expectation,
    fold,
    judge,
    replay,
)

DAY = 96  # buckets
PARAMS = Params()


def verdicts(counts: dict[int, tuple[int, int]], last: int) -> dict[int, Verdict]:
    return dict(replay(counts, 0, last, PARAMS))


def alarms(counts: dict[int, tuple[int, int]], last: int) -> list[int]:
    return [b for b, v in verdicts(counts, last).items() if v.spiking and b >= PARAMS.warmup]


def test_a_flat_series_never_alarms() -> None:
    counts = dict.fromkeys(range(10 * DAY), (4, 1))
    assert alarms(counts, 10 * DAY - 1) == []


@pytest.mark.parametrize("rate", [0.3, 2.0, 10.0, 50.0])
def test_random_flat_traffic_alarms_no_more_than_alpha_allows(rate: float) -> None:
    """Poisson traffic at a constant rate: at most alpha of the buckets may alarm."""
    rng = np.random.default_rng(int(rate * 10))
    counts = {}
    for b in range(14 * DAY):
        count = int(rng.poisson(rate))
        counts[b] = (count, int(rng.binomial(count, 0.3)))
    judged = 13 * DAY  # after the warm-up
    assert len(alarms(counts, 14 * DAY - 1)) <= max(1, PARAMS.alpha * judged * 2)


def test_a_fivefold_spike_alarms_on_volume() -> None:
    counts = dict.fromkeys(range(3 * DAY), (3, 1))
    counts[3 * DAY] = (15, 5)
    spike = verdicts(counts, 3 * DAY)[3 * DAY]
    assert spike.volume
    assert spike.expected == pytest.approx(3.0, rel=0.01)
    assert not spike.negativity  # 5 negatives: the usual share, and below the minimum anyway


def test_a_spike_of_neutral_messages_is_volume_not_negativity() -> None:
    counts = dict.fromkeys(range(3 * DAY), (4, 1))
    counts[3 * DAY] = (24, 1)
    spike = verdicts(counts, 3 * DAY)[3 * DAY]
    assert spike.volume
    assert not spike.negativity


def test_an_angry_spike_alarms_on_both() -> None:
    counts = dict.fromkeys(range(3 * DAY), (4, 1))
    counts[3 * DAY] = (20, 17)
    spike = verdicts(counts, 3 * DAY)[3 * DAY]
    assert spike.volume
    assert spike.negativity


def test_turning_angry_at_the_same_volume_is_negativity_only() -> None:
    counts = dict.fromkeys(range(3 * DAY), (10, 1))
    counts[3 * DAY] = (10, 9)
    spike = verdicts(counts, 3 * DAY)[3 * DAY]
    assert spike.negativity
    assert not spike.volume


def test_few_messages_never_alarm_however_unusual() -> None:
    counts = {3 * DAY: (PARAMS.min_count - 1, PARAMS.min_count - 1)}
    spike = verdicts(counts, 3 * DAY)[3 * DAY]
    assert spike.volume_p < PARAMS.alpha
    assert not spike.spiking


def test_a_long_crisis_does_not_become_the_new_normal() -> None:
    """Spiking buckets are capped when learned: after four hours at five times the usual
    count, the expectation has moved by far less than the spike."""
    counts = dict.fromkeys(range(3 * DAY), (4, 1))
    counts.update(dict.fromkeys(range(3 * DAY, 3 * DAY + 16), (20, 15)))
    judged = verdicts(counts, 3 * DAY + 16 + SETTLE_BUCKETS)
    spiking = [b for b, v in judged.items() if v.spiking]
    assert spiking == list(range(3 * DAY, 3 * DAY + 16))  # every bucket of it, nothing else
    assert judged[3 * DAY + 15].expected < 4 * 1.5


def test_a_lasting_rise_is_learned_within_days() -> None:
    counts = dict.fromkeys(range(3 * DAY), (4, 1))
    counts.update(dict.fromkeys(range(3 * DAY, 10 * DAY), (12, 3)))
    late = [b for b in alarms(counts, 10 * DAY - 1) if b >= 6 * DAY]
    assert late == []


def test_bursty_series_need_a_bigger_spike() -> None:
    """Alternating quiet and busy buckets: the dispersion grows, and a count that would alarm
    against a smooth series of the same mean does not."""
    smooth = dict.fromkeys(range(3 * DAY), (6, 1))
    bursty = {b: (1 if b % 2 else 11, 1) for b in range(3 * DAY)}
    smooth[3 * DAY] = bursty[3 * DAY] = (16, 1)
    assert verdicts(smooth, 3 * DAY)[3 * DAY].volume
    assert not verdicts(bursty, 3 * DAY)[3 * DAY].volume


def test_a_new_series_expects_the_floor() -> None:
    state = Baseline.start(100)
    assert expectation(state, PARAMS).count == PARAMS.floor
    verdict = judge(8, 8, expectation(state, PARAMS), PARAMS)
    assert verdict.volume
    assert verdict.negativity


def test_folding_refuses_out_of_order_and_impossible_counts() -> None:
    state = fold(Baseline.start(0), 0, 3, 1, PARAMS)
    with pytest.raises(ValueError, match="already folded"):
        fold(state, 0, 3, 1, PARAMS)
    with pytest.raises(ValueError, match="negatives <= count"):
        fold(state, 5, 3, 4, PARAMS)
    with pytest.raises(ValueError, match="negatives <= count"):
        judge(-1, 0, expectation(state, PARAMS), PARAMS)


def test_a_long_silence_decays_in_one_step() -> None:
    state = fold(Baseline.start(0), 0, 40, 10, PARAMS)
    later = fold(state, 60 * DAY, 1, 0, PARAMS)
    assert later.through == 60 * DAY
    assert expectation(later, PARAMS).count == PARAMS.floor


def test_params_name_the_bad_field() -> None:
    with pytest.raises(ValueError, match=r"alpha=0\.7 must be between 0 and 0\.5"):
        Params(alpha=0.7)
    with pytest.raises(ValueError, match="min_count=0 must be at least 1"):
        Params(min_count=0)


# --- buckets are UTC: local time-zone edges never bend them --------------------------------


def test_bucket_of_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        bucket_of(datetime(2026, 3, 8, 1, 0))


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("America/New_York", datetime(2026, 3, 8, 5, 0, tzinfo=UTC)),  # 01:00 EST, spring ahead
        ("America/New_York", datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),  # 00:00 EDT, fall back
        ("Europe/Paris", datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),
        ("Australia/Lord_Howe", datetime(2026, 4, 4, 14, 0, tzinfo=UTC)),  # a half-hour shift
    ],
)
def test_daylight_saving_changes_neither_skip_nor_repeat_buckets(
    zone: str, start: datetime
) -> None:
    local = ZoneInfo(zone)
    moments = [(start + timedelta(minutes=15 * i)).astimezone(local) for i in range(16)]
    offsets = {m.utcoffset() for m in moments}
    assert len(offsets) == 2  # the change happens inside the window
    indices = [bucket_of(m) for m in moments]
    assert indices == list(range(indices[0], indices[0] + 16))
    # Compared as instants: PEP 495 makes an ambiguous local time unequal to every time in
    # another zone, which is exactly why buckets are computed from timestamps.
    starts = [bucket_start(i).timestamp() for i in indices]
    assert starts == [m.timestamp() for m in moments]
    assert bucket_start(indices[0]).tzinfo is UTC
    assert BUCKET_SECONDS == 900


def test_a_flat_series_across_a_daylight_saving_change_stays_quiet() -> None:
    """Counts keyed by UTC bucket over the New York spring change: nothing moves."""
    local = ZoneInfo("America/New_York")
    first = bucket_of(datetime(2026, 3, 6, 0, 0, tzinfo=local))
    last = bucket_of(datetime(2026, 3, 10, 0, 0, tzinfo=local))
    counts = dict.fromkeys(range(first, last + 1), (3, 1))
    judged = dict(replay(counts, first, last, PARAMS))
    assert len(judged) == last - first + 1
    assert not any(v.spiking for v in judged.values())
