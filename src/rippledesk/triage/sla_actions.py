"""Admins' writes to the SLA policy: its lines, the business week, holidays, the time zone.

Each ``do_*`` checks the seat (admins only) and the input, and raises ``InvalidInput`` naming
the field. A line that would overlap an existing one (same priority and channel) is refused
as a ``Conflict``, so there is never a question of which of two policies applies. Running clocks
keep the deadline they started with; new and re-computed clocks use the new policy.
"""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import available_timezones

from django.db import transaction

from rippledesk.channels.models import ChannelAccount
from rippledesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from rippledesk.triage.hours import WEEKDAYS, Interval, check_week
from rippledesk.triage.models import Holiday, OpeningHours, SlaTarget
from rippledesk.triage.sla import DEFAULT_MINUTES, forget_policy
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Workspace

MAX_MINUTES = 366 * 24 * 60
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*$")  # - or en dash


def _admin(seat: Seat) -> None:
    if not seat.is_admin:
        raise PermissionDenied(
            "Only admins change the SLA policy and business hours.", field="role"
        )


def _minutes(value: int | None, field: str, *, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise InvalidInput("Give a number of minutes.", field=field)
        return None
    if not 1 <= value <= MAX_MINUTES:
        raise InvalidInput(f"Minutes must be between 1 and {MAX_MINUTES:,}.", field=field)
    return value


def do_save_sla_target(
    seat: Seat,
    *,
    priority: str,
    channel_id: int | None,
    first_response: int | None,
    next_response: int | None = None,
    resolution: int | None = None,
    warn_before: int = 10,
    business_hours: bool = False,
    target_id: int | None = None,
) -> SlaTarget:
    """Add a policy line, or change line ``target_id``."""
    _admin(seat)
    if priority not in DEFAULT_MINUTES:
        raise InvalidInput(
            f"Priority must be one of {', '.join(DEFAULT_MINUTES)}.", field="priority"
        )
    channel = None
    if channel_id is not None:
        channel = ChannelAccount.objects.filter(workspace=seat.workspace, pk=channel_id).first()
        if channel is None:
            raise InvalidInput("No such channel in this workspace.", field="channel")
    first = _minutes(first_response, "first_response", required=True)
    assert first is not None
    if not 0 <= warn_before < first:
        raise InvalidInput(
            "Warn before must be at least 0 and less than the first-response target.",
            field="warn_before",
        )
    values = {
        "priority": priority,
        "channel": channel,
        "first_response_minutes": first,
        "next_response_minutes": _minutes(next_response, "next_response"),
        "resolution_minutes": _minutes(resolution, "resolution"),
        "warn_before_minutes": warn_before,
        "business_hours": business_hours,
    }
    with transaction.atomic():
        same = SlaTarget.objects.filter(
            workspace=seat.workspace, priority=priority, channel=channel
        )
        if target_id is not None:
            same = same.exclude(pk=target_id)
        if same.exists():
            where = channel.name if channel else "every channel"
            raise Conflict(
                f"There is already a {priority} line for {where}; change that one instead.",
                field="priority",
            )
        forget_policy(seat.workspace.pk)
        if target_id is None:
            return SlaTarget.objects.create(workspace=seat.workspace, **values)
        line = SlaTarget.objects.filter(workspace=seat.workspace, pk=target_id).first()
        if line is None:
            raise NotFound("No such SLA line.", field="target")
        for name, value in values.items():
            setattr(line, name, value)
        line.save()
        return line


def do_delete_sla_target(seat: Seat, target_id: int) -> None:
    _admin(seat)
    SlaTarget.objects.filter(workspace=seat.workspace, pk=target_id).delete()
    forget_policy(seat.workspace.pk)


def parse_day(weekday: int, text: str) -> list[Interval]:
    """``"09:00-12:30, 13:30-17:00"`` (empty: closed) into intervals, or InvalidInput."""
    spans = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = _SPAN.match(part)
        hours = [int(n) for n in found.groups()] if found else []
        if not found or hours[0] > 23 or hours[2] > 23 or hours[1] > 59 or hours[3] > 59:
            raise InvalidInput(
                f"{WEEKDAYS[weekday]}: {part!r} is not a time span like 09:00-17:00.",
                field=f"day{weekday}",
            )
        spans.append(Interval(weekday, time(hours[0], hours[1]), time(hours[2], hours[3])))
    return spans


def do_set_week(seat: Seat, days: dict[int, str]) -> None:
    """Replace the business week; ``days`` maps weekday (0 Monday) to its spans text."""
    _admin(seat)
    intervals = [i for weekday, text in sorted(days.items()) for i in parse_day(weekday, text)]
    try:
        week = check_week(intervals)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="week") from exc
    with transaction.atomic():
        OpeningHours.objects.filter(workspace=seat.workspace).delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(
                workspace=seat.workspace, weekday=i.weekday, opens=i.opens, closes=i.closes
            )
            for i in week
        )
        forget_policy(seat.workspace.pk)


def do_add_holiday(seat: Seat, day: str, name: str = "") -> Holiday:
    _admin(seat)
    try:
        when = date.fromisoformat(day.strip())
    except ValueError as exc:
        raise InvalidInput(f"{day!r} is not a date like 2026-12-25.", field="day") from exc
    holiday, _ = Holiday.objects.update_or_create(
        workspace=seat.workspace, day=when, defaults={"name": name.strip()[:100]}
    )
    forget_policy(seat.workspace.pk)
    return holiday


def do_delete_holiday(seat: Seat, holiday_id: int) -> None:
    _admin(seat)
    Holiday.objects.filter(workspace=seat.workspace, pk=holiday_id).delete()
    forget_policy(seat.workspace.pk)


def do_set_time_zone(seat: Seat, name: str) -> None:
    """Set the zone business hours and holidays are read in (an IANA name, e.g. Europe/Paris)."""
    _admin(seat)
    zone = name.strip()
    if zone not in available_timezones():
        raise InvalidInput(
            f"{zone!r} is not a time zone name like Europe/London or America/New_York.",
            field="time_zone",
        )
    Workspace.objects.filter(pk=seat.workspace.pk).update(time_zone=zone)
    seat.workspace.time_zone = zone
    forget_policy(seat.workspace.pk)
