"""Business-hours calendar: counting open minutes across nights, weekends, holidays and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rippledesk.triage.hours import Calendar, Interval, check_week

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def office(zone: ZoneInfo, holidays: frozenset[date] = frozenset()) -> Calendar:
    """Monday to Friday, 09:00-17:00 local."""
    week = tuple(Interval(day, time(9), time(17)) for day in range(5))
    return Calendar(zone, check_week(week), holidays)


def local(zone: ZoneInfo, wall: str) -> datetime:
    return datetime.fromisoformat(wall).replace(tzinfo=zone)


def test_always_open_counts_every_minute() -> None:
    calendar = Calendar(ZoneInfo("UTC"))
    start = datetime(2026, 11, 25, 23, 50, tzinfo=UTC)
    assert calendar.add(start, 30) == start + timedelta(minutes=30)
    assert calendar.between(start, start + timedelta(hours=2)) == 120
    assert calendar.is_open(start)


def test_clock_stops_overnight_and_over_the_weekend() -> None:
    calendar = office(BERLIN)
    friday_4pm = local(BERLIN, "2026-11-27 16:00")
    due = calendar.add(friday_4pm, 120)  # 1 h on Friday, 1 h on Monday
    assert due == local(BERLIN, "2026-11-30 10:00")
    assert calendar.between(friday_4pm, due) == 120
    assert not calendar.is_open(local(BERLIN, "2026-11-28 12:00"))  # Saturday
    assert calendar.is_open(local(BERLIN, "2026-11-30 09:00"))
    assert not calendar.is_open(local(BERLIN, "2026-11-30 17:00"))  # closing is exclusive


def test_a_message_arriving_at_night_starts_its_clock_at_opening() -> None:
    calendar = office(BERLIN)
    night = local(BERLIN, "2026-11-24 22:30")
    assert calendar.add(night, 15) == local(BERLIN, "2026-11-25 09:15")


def test_holidays_stand_the_clock_still() -> None:
    christmas = frozenset({date(2026, 12, 24), date(2026, 12, 25)})
    calendar = office(BERLIN, christmas)
    wednesday = local(BERLIN, "2026-12-23 16:30")
    assert calendar.add(wednesday, 60) == local(BERLIN, "2026-12-28 09:30")


def test_business_day_is_eight_hours_on_both_daylight_saving_changes() -> None:
    calendar = office(NEW_YORK)
    # 2026-03-08 (Sunday) clocks jump forward; 2026-11-01 (Sunday) they fall back.
    for monday in (date(2026, 3, 9), date(2026, 11, 2)):
        opens = datetime.combine(monday, time(9), tzinfo=NEW_YORK)
        assert calendar.add(opens, 8 * 60) == datetime.combine(monday, time(17), tzinfo=NEW_YORK)
    friday = local(NEW_YORK, "2026-03-06 16:00")
    assert calendar.add(friday, 120) == local(NEW_YORK, "2026-03-09 10:00")


def test_skipped_and_repeated_local_times_have_one_answer() -> None:
    # Open 02:00-04:00 on Sundays: the spring-forward night skips 02:00-03:00 in Berlin.
    calendar = Calendar(BERLIN, (Interval(6, time(2), time(4)),))
    spring = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # 01:00 CET, before the jump
    assert calendar.between(spring, spring + timedelta(hours=4)) == 60  # only 03:00-04:00 CEST
    autumn = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 02:00 CEST, the first 02:00
    # 02:00 (first, fold 0) to 04:00 CET spans three real hours.
    assert calendar.between(autumn - timedelta(hours=1), autumn + timedelta(hours=5)) == 180


def test_a_week_of_only_holidays_does_not_loop_forever() -> None:
    calendar = Calendar(BERLIN, (Interval(0, time(9), time(10)),), frozenset())
    start = local(BERLIN, "2026-11-25 12:00")
    far = calendar.add(start, 10_000_000)
    assert far - start >= timedelta(days=3 * 366)


def test_midnight_close_means_the_end_of_the_day() -> None:
    calendar = Calendar(BERLIN, check_week([Interval(2, time(20), time(0))]))
    start = local(BERLIN, "2026-11-25 23:00")  # a Wednesday
    assert calendar.between(start, start + timedelta(hours=3)) == 60


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ([Interval(0, time(17), time(9))], "closing must come after opening"),
        ([Interval(0, time(9), time(12)), Interval(0, time(11), time(14))], "overlaps"),
        ([Interval(7, time(9), time(12))], "weekday must be 0"),
    ],
)
def test_bad_weeks_are_refused_with_the_reason(week: list[Interval], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_week(week)
