"""First-response SLA clocks: when each waiting conversation is due, and whether it is late.

A workspace sets a first-response target per priority (``SlaTarget``; ``DEFAULT_MINUTES`` when
it has set none). A waiting conversation is due at ``waiting_since + target``; the inbox shows
the time left, turning to a warning ``warn_before_minutes`` ahead and to "late" after. Business
hours and holidays are not yet part of the clock (every minute counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rippledesk.triage.models import SlaTarget
from rippledesk.workspaces.models import Workspace

DEFAULT_MINUTES = {"urgent": 15, "high": 60, "normal": 240, "low": 1440}
DEFAULT_WARN = 10


@dataclass(frozen=True)
class Clock:
    due_at: datetime
    state: str  # "ok", "warning" or "late"
    minutes: int  # left (ok, warning) or over (late)

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


def targets(workspace: Workspace) -> dict[str, tuple[int, int]]:
    """(target minutes, warn minutes) per priority, the workspace's own over the defaults."""
    found = {p: (m, DEFAULT_WARN) for p, m in DEFAULT_MINUTES.items()}
    for row in SlaTarget.objects.filter(workspace=workspace):
        found[row.priority] = (row.first_response_minutes, row.warn_before_minutes)
    return found


def clock(
    waiting_since: datetime | None, priority: str, rules: dict[str, tuple[int, int]], now: datetime
) -> Clock | None:
    """The first-response clock of a waiting conversation; None when nobody is waiting."""
    if waiting_since is None:
        return None
    minutes, warn = rules.get(priority, rules["normal"])
    due = waiting_since + timedelta(minutes=minutes)
    left = int((due - now).total_seconds() // 60)
    if left < 0:
        return Clock(due, "late", -left)
    return Clock(due, "warning" if left <= warn else "ok", left)
