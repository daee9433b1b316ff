"""The SLA policy and how often it was kept: for managers' reports and outside dashboards."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from rippledesk.api.auth import seat
from rippledesk.api.errors import ErrorOut
from rippledesk.core.errors import InvalidInput, PermissionDenied
from rippledesk.triage.hours import WEEKDAYS
from rippledesk.triage.models import Holiday, OpeningHours, SlaTarget
from rippledesk.triage.sla_report import attainment

router = Router(tags=["sla"])
MAX_DAYS = 366
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class LineOut(Schema):
    id: int
    priority: str
    channel_id: int | None
    first_response_minutes: int
    next_response_minutes: int | None
    resolution_minutes: int | None
    warn_before_minutes: int
    business_hours: bool


class SpanOut(Schema):
    weekday: str
    opens: str
    closes: str


class HolidayOut(Schema):
    day: date
    name: str


class PolicyOut(Schema):
    time_zone: str
    lines: list[LineOut]
    week: list[SpanOut]
    holidays: list[HolidayOut]


class AttainmentOut(Schema):
    metric: str
    priority: str
    met: int
    breached: int
    rate: float | None


class AttainmentReport(Schema):
    since: datetime
    until: datetime
    rows: list[AttainmentOut]


@router.get("/w/{workspace}/sla", response={200: PolicyOut, **ERRORS})
def get_policy(request: HttpRequest, workspace: str) -> PolicyOut:
    """The policy lines (a channel's line wins over the every-channel line), week and holidays."""
    desk = seat(request, workspace)
    return PolicyOut(
        time_zone=desk.workspace.time_zone,
        lines=[
            LineOut(
                id=t.pk,
                priority=t.priority,
                channel_id=t.channel_id,
                first_response_minutes=t.first_response_minutes,
                next_response_minutes=t.next_response_minutes,
                resolution_minutes=t.resolution_minutes,
                warn_before_minutes=t.warn_before_minutes,
                business_hours=t.business_hours,
            )
            for t in SlaTarget.objects.filter(workspace=desk.workspace).order_by("pk")
        ],
        week=[
            SpanOut(
                weekday=WEEKDAYS[h.weekday], opens=f"{h.opens:%H:%M}", closes=f"{h.closes:%H:%M}"
            )
            for h in OpeningHours.objects.filter(workspace=desk.workspace)
        ],
        holidays=[
            HolidayOut(day=h.day, name=h.name)
            for h in Holiday.objects.filter(workspace=desk.workspace)
        ],
    )


@router.get("/w/{workspace}/sla/attainment", response={200: AttainmentReport, **ERRORS})
def get_attainment(request: HttpRequest, workspace: str, days: Query[int] = 30) -> AttainmentReport:
    """Targets met and missed in the last ``days`` days, per metric (priority "" is all)."""
    desk = seat(request, workspace)
    if not desk.can_manage:
        raise PermissionDenied("SLA reports are for managers and admins.", field="role")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be from 1 to {MAX_DAYS}", field="days")
    until = timezone.now()
    since = until - timedelta(days=days)
    return AttainmentReport(
        since=since,
        until=until,
        rows=[
            AttainmentOut(
                metric=row.metric,
                priority=row.priority,
                met=row.met,
                breached=row.breached,
                rate=row.rate,
            )
            for row in attainment(desk.workspace, since, until)
        ],
    )
