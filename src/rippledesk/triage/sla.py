"""SLA policy: which promise applies to a conversation, and when it falls due.

A workspace's policy is its ``SlaTarget`` lines (per priority, optionally per channel) over
``DEFAULT_MINUTES``, plus its business-hours calendar. Three targets:

- first response: the first customer message waits at most ``first_response_minutes``;
- next response: after the first answer, each new customer message waits at most
  ``next_response_minutes`` (no target when empty);
- resolution: from the first customer message to resolved, ``resolution_minutes``.

Precedence (documented in docs/sla.md): the line for the conversation's channel and priority,
else the every-channel line of that priority, else the default minutes for the priority, else
``normal``'s. A line marked ``business_hours`` counts only open minutes of the calendar; the
warning comes ``warn_before_minutes`` of wall time before the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rippledesk.core.cached import forget, remembered
from rippledesk.triage.hours import Calendar, Interval, check_week
from rippledesk.triage.models import Holiday, OpeningHours, SlaMetric, SlaTarget
from rippledesk.workspaces.models import Workspace

DEFAULT_MINUTES = {"urgent": 15, "high": 60, "normal": 240, "low": 1440}
DEFAULT_WARN = 10


@dataclass(frozen=True, slots=True)
class Line:
    """The targets (minutes) that apply to one priority on one channel."""

    first_response: int
    next_response: int | None = None
    resolution: int | None = None
    warn_before: int = DEFAULT_WARN
    business_hours: bool = False
    target_id: int | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    metric: str
    due_at: datetime
    warn_at: datetime


@dataclass(frozen=True)
class Clock:
    """A running clock as the inbox shows it."""

    due_at: datetime
    state: str  # "ok", "warning" or "late"
    minutes: int  # left (ok, warning) or over (late)
    metric: str = SlaMetric.FIRST_RESPONSE

    @property
    def metric_name(self) -> str:
        return SlaMetric(self.metric).label

    @property
    def label(self) -> str:
        amount = _short(self.minutes)
        return f"late {amount}" if self.state == "late" else f"due in {amount}"


def _short(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // 1440}d"


@dataclass(frozen=True)
class Policy:
    lines: dict[tuple[str, int | None], Line]
    calendar: Calendar

    def line(self, priority: str, channel_id: int | None) -> Line:
        for key in ((priority, channel_id), (priority, None)):
            if key in self.lines:
                return self.lines[key]
        minutes = DEFAULT_MINUTES.get(priority, DEFAULT_MINUTES["normal"])
        return Line(first_response=minutes)

    def _deadline(self, metric: str, start: datetime, minutes: int, line: Line) -> Deadline:
        if line.business_hours:
            due = self.calendar.add(start, minutes)
        else:
            due = start + timedelta(minutes=minutes)
        return Deadline(metric, due, due - timedelta(minutes=line.warn_before))

    def response_deadline(
        self, waiting_since: datetime, answered: bool, priority: str, channel_id: int | None
    ) -> Deadline | None:
        """The deadline of the reply the customer waits for (None: no target for it)."""
        line = self.line(priority, channel_id)
        if not answered:
            return self._deadline(
                SlaMetric.FIRST_RESPONSE, waiting_since, line.first_response, line
            )
        if line.next_response is None:
            return None
        return self._deadline(SlaMetric.NEXT_RESPONSE, waiting_since, line.next_response, line)

    def resolution_deadline(
        self, first_inbound_at: datetime, priority: str, channel_id: int | None
    ) -> Deadline | None:
        line = self.line(priority, channel_id)
        if line.resolution is None:
            return None
        return self._deadline(SlaMetric.RESOLUTION, first_inbound_at, line.resolution, line)

    def clock(
        self,
        waiting_since: datetime | None,
        answered: bool,
        priority: str,
        channel_id: int | None,
        now: datetime,
    ) -> Clock | None:
        """The response clock of a waiting conversation; None when nobody waits or no target."""
        if waiting_since is None:
            return None
        deadline = self.response_deadline(waiting_since, answered, priority, channel_id)
        if deadline is None:
            return None
        return clock_of(deadline, now)


def clock_of(deadline: Deadline, now: datetime) -> Clock:
    left = int((deadline.due_at - now).total_seconds() // 60)
    if left < 0:
        return Clock(deadline.due_at, "late", -left, deadline.metric)
    state = "warning" if now >= deadline.warn_at else "ok"
    return Clock(deadline.due_at, state, left, deadline.metric)


def calendar_for(workspace: Workspace) -> Calendar:
    """The workspace's business hours and holidays in its time zone."""
    week = check_week(
        Interval(row.weekday, row.opens, row.closes)
        for row in OpeningHours.objects.filter(workspace=workspace)
    )
    holidays = frozenset(Holiday.objects.filter(workspace=workspace).values_list("day", flat=True))
    return Calendar(zone_info(workspace.time_zone), week, holidays)


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):  # an unknown zone stored before validation existed
        return ZoneInfo("UTC")


# How long a process may show SLA deadlines from a policy another process has since changed.
POLICY_TTL = 30


def _policy_scope(workspace_id: int) -> str:
    return f"sla-policy:{workspace_id}"


def cached_policy(workspace: Workspace) -> Policy:
    """``policy_for`` for pages that show deadlines: the inbox asks on every page and refresh.

    The policy's writes (``sla_actions``) drop this process's copy; other processes of a
    multi-process deployment keep theirs for at most ``POLICY_TTL`` seconds. The SLA clocks
    themselves (``sla_tracking``) always read the policy afresh.
    """
    return remembered(
        _policy_scope(workspace.pk), "policy", lambda: policy_for(workspace), POLICY_TTL
    )


def forget_policy(workspace_id: int) -> None:
    forget(_policy_scope(workspace_id))


def policy_for(workspace: Workspace) -> Policy:
    """The workspace's targets; its business-hours calendar is read only if a target counts
    business hours (the inbox asks on every page and refresh)."""
    lines: dict[tuple[str, int | None], Line] = {}
    for row in SlaTarget.objects.filter(workspace=workspace):
        lines[(row.priority, row.channel_id)] = Line(
            first_response=row.first_response_minutes,
            next_response=row.next_response_minutes,
            resolution=row.resolution_minutes,
            warn_before=row.warn_before_minutes,
            business_hours=row.business_hours,
            target_id=row.pk,
        )
    if any(line.business_hours for line in lines.values()):
        return Policy(lines, calendar_for(workspace))
    return Policy(lines, Calendar(zone_info(workspace.time_zone)))
