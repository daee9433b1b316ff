"""Business hours and holidays: when the SLA clock of a business-hours target runs.

A workspace's week is a list of opening intervals per weekday in its own time zone, plus
holiday dates on which it is closed all day. No intervals at all means "always open" (every
minute counts), which is what a workspace gets until it sets hours.

Wall-clock rules, chosen so every instant has one answer:

- Intervals are local wall-clock times, turned into instants day by day, so "09:00-17:00"
  is 09:00 local on both sides of a daylight-saving change (8 hours of business time either way).
- A local time skipped by a spring-forward change (02:30 on the night clocks jump 02:00 -> 03:00)
  is read with the offset before the change, which lands as many minutes after the jump
  (03:30): the interval shrinks by the gap rather than vanishing.
- A local time that happens twice in a fall-back change is the first of the two (fold 0).
- A holiday closes its whole local date.
- An interval ending at 00:00 ends at the following midnight (``opens < closes`` otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead the clock looks for open time before giving up (a week of only holidays
# for years would otherwise loop forever); a target that far out is shown as that date.
HORIZON_DAYS = 3 * 366
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Interval:
    """Open from ``opens`` to ``closes`` (local); ``closes`` 00:00 means the next midnight."""

    weekday: int  # 0 Monday .. 6 Sunday
    opens: time
    closes: time

    def minutes(self) -> tuple[int, int]:
        start = self.opens.hour * 60 + self.opens.minute
        end = self.closes.hour * 60 + self.closes.minute
        return start, end or 24 * 60


def check_week(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """The intervals sorted, or ``ValueError`` naming the first bad or overlapping one."""
    ordered = sorted(intervals, key=lambda i: (i.weekday, i.minutes()))
    for index, interval in enumerate(ordered):
        day = WEEKDAYS[interval.weekday] if 0 <= interval.weekday < 7 else None
        if day is None:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {interval.weekday}")
        start, end = interval.minutes()
        if end <= start:
            raise ValueError(
                f"{day} {interval.opens:%H:%M}-{interval.closes:%H:%M}: closing must come after "
                "opening (use 00:00 for midnight)"
            )
        if index and ordered[index - 1].weekday == interval.weekday:
            before = ordered[index - 1]
            if before.minutes()[1] > start:
                raise ValueError(
                    f"{day}: {before.opens:%H:%M}-{before.closes:%H:%M} overlaps "
                    f"{interval.opens:%H:%M}-{interval.closes:%H:%M}"
                )
    return tuple(ordered)


@dataclass(frozen=True)
class Calendar:
    """Open intervals of one workspace; ``add``/``between`` count only open minutes."""

    zone: ZoneInfo
    intervals: tuple[Interval, ...] = ()
    holidays: frozenset[date] = frozenset()

    @property
    def always_open(self) -> bool:
        return not self.intervals

    def _day(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The open instants (UTC) of one local date, in order."""
        if day in self.holidays:
            return
        for interval in self.intervals:
            if interval.weekday != day.weekday():
                continue
            start, end = interval.minutes()
            opens = _instant(day, start, self.zone)
            closes = _instant(day, end, self.zone)
            if closes > opens:
                yield opens, closes

    def open_spans(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open spans (UTC) from ``start`` on, the first clipped to begin at ``start``."""
        local = start.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(HORIZON_DAYS):
            for opens, closes in self._day(local + timedelta(days=offset)):
                if closes <= start:
                    continue
                yield max(opens, start), closes

    def is_open(self, at: datetime) -> bool:
        if self.always_open:
            return True
        local = at.astimezone(self.zone).date()
        return any(
            opens <= at < closes
            for day in (local - timedelta(days=1), local)
            for opens, closes in self._day(day)
        )

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of open time after ``start``."""
        if self.always_open:
            return start + timedelta(minutes=minutes)
        left = timedelta(minutes=minutes)
        last = start
        for opens, closes in self.open_spans(start):
            span = closes - opens
            if span >= left:
                return opens + left
            left -= span
            last = closes
        return max(last, start + timedelta(days=HORIZON_DAYS))

    def between(self, start: datetime, end: datetime) -> float:
        """Open minutes from ``start`` to ``end`` (0 when ``end`` is not later)."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds() / 60
        total = timedelta()
        for opens, closes in self.open_spans(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total.total_seconds() / 60


def _instant(day: date, minute_of_day: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time (fold 0 for repeated and skipped times)."""
    if minute_of_day >= 24 * 60:
        day, minute_of_day = day + timedelta(days=1), minute_of_day - 24 * 60
    wall = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60), tzinfo=zone)
    return wall.astimezone(UTC)
