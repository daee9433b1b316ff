"""Incident decisions: one incident per fire, cooldown after a person resolves one."""

from __future__ import annotations

from datetime import timedelta

from rippledesk.triage.crisis.detect import Params, bucket_start, replay
from rippledesk.triage.crisis.tracking import (
    Decision,
    Latest,
    SeriesKey,
    decide,
    evaluation_order,
    is_over,
)

PARAMS = Params()
B = 2_000_000  # a bucket index in 2027


def resolved(last: int, *, by_person: bool, minutes_after: int = 0) -> Latest:
    at = bucket_start(last + 1) + timedelta(minutes=minutes_after)
    return Latest(is_open=False, last_bucket=last, resolved_at=at, resolved_by_person=by_person)


def test_decisions() -> None:
    open_one = Latest(is_open=True, last_bucket=B, resolved_at=None, resolved_by_person=False)
    assert decide(None, B, PARAMS) == Decision.OPEN
    assert decide(open_one, B + 3, PARAMS) == Decision.EXTEND
    # a person resolved it 15 minutes ago and the fire flares again: quiet within the cooldown
    assert decide(resolved(B, by_person=True), B + 2, PARAMS) == Decision.SILENT
    # ... and once the cooldown has passed while it kept burning: re-opened
    burning = resolved(B + 9, by_person=True, minutes_after=-8 * 15)
    assert decide(burning, B + 10, PARAMS) == Decision.REOPEN
    # it ended on its own, then a late recount finds a spike right after its last bucket
    assert decide(resolved(B, by_person=False, minutes_after=60), B + 2, PARAMS) == (
        Decision.REOPEN
    )
    # a new fire after the quiet period is a new incident
    assert decide(resolved(B, by_person=False, minutes_after=60), B + 9, PARAMS) == Decision.OPEN
    # a bucket the incident already covered, recounted after it was resolved
    assert decide(resolved(B, by_person=False), B, PARAMS) == Decision.SILENT


def test_an_incident_ends_after_the_quiet_period() -> None:
    assert not is_over(B, B + PARAMS.quiet, PARAMS)
    assert is_over(B, B + PARAMS.quiet + 1, PARAMS)


def test_one_incident_per_continuous_spike() -> None:
    """A two-hour spike with two ordinary quarter hours inside it is one incident."""
    counts = dict.fromkeys(range(B - 300, B), (3, 1))
    spike = [b for b in range(B, B + 8) if b not in (B + 3, B + 4)]
    counts.update(dict.fromkeys((B + 3, B + 4), (3, 1)))
    counts.update(dict.fromkeys(spike, (25, 20)))
    incidents: list[list[int]] = []
    latest: Latest | None = None
    for bucket, verdict in replay(counts, B - 300, B + 20, PARAMS):
        if latest is not None and latest.is_open and is_over(latest.last_bucket, bucket, PARAMS):
            latest = Latest(False, latest.last_bucket, bucket_start(bucket), False)
        if not verdict.spiking:
            continue
        decision = decide(latest, bucket, PARAMS)
        if decision == Decision.OPEN:
            incidents.append([bucket])
        else:
            incidents[-1].append(bucket)
        latest = Latest(True, bucket, None, False)
    assert incidents == [spike]


def test_series_overlap_and_order() -> None:
    luggage_x, luggage_all = SeriesKey("lost_luggage", 1), SeriesKey("lost_luggage", None)
    all_x, everything = SeriesKey("", 1), SeriesKey("", None)
    late_x, luggage_y = SeriesKey("late_flight", 1), SeriesKey("lost_luggage", 2)
    assert luggage_x.overlaps(everything)
    assert everything.overlaps(luggage_x)
    assert luggage_x.overlaps(all_x)
    assert luggage_x.overlaps(luggage_all)
    assert not luggage_x.overlaps(late_x)  # two topics on one channel: two fires
    assert not luggage_x.overlaps(luggage_y)  # one topic on two channels
    assert not all_x.overlaps(luggage_y)
    assert evaluation_order([everything, all_x, luggage_all, luggage_x]) == [
        luggage_x,
        luggage_all,
        all_x,
        everything,
    ]
