"""SLA attainment: how often each promise was kept, per metric and priority, over a period.

Counted from ``SlaEvent`` rows (``met`` and ``breach``; warnings are not outcomes). A first
response or resolution counts once per conversation; next responses count each reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from rippledesk.triage.models import ConversationSla, SlaEvent, SlaEventKind, SlaMetric
from rippledesk.triage.sla import Clock, Deadline, clock_of
from rippledesk.workspaces.models import Workspace

PRIORITY_ORDER = ("urgent", "high", "normal", "low")


@dataclass(frozen=True)
class Attainment:
    metric: str
    priority: str  # "" for all priorities together
    met: int
    breached: int

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def rate(self) -> float | None:
        return self.met / self.total if self.total else None

    @property
    def metric_name(self) -> str:
        return SlaMetric(self.metric).label


def attainment(workspace: Workspace, since: datetime, until: datetime) -> list[Attainment]:
    """One row per metric (all priorities) followed by its rows per priority."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    rows = (
        SlaEvent.objects.filter(
            workspace=workspace,
            at__gte=since,
            at__lt=until,
            kind__in=(SlaEventKind.MET, SlaEventKind.BREACH),
        )
        .values("metric", "priority", "kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        for key in ((row["metric"], ""), (row["metric"], row["priority"])):
            counts.setdefault(key, {}).setdefault(row["kind"], 0)
            counts[key][row["kind"]] += row["n"]
    result = []
    for metric in SlaMetric.values:
        for priority in ("", *PRIORITY_ORDER):
            found = counts.get((metric, priority))
            if found:
                result.append(
                    Attainment(
                        metric, priority, found.get(SlaEventKind.MET, 0), found.get("breach", 0)
                    )
                )
    return result


@dataclass(frozen=True)
class ConversationSlaView:
    """What the conversation page shows: the running clocks and the outcomes so far."""

    response: Clock | None
    resolution: Clock | None
    first_response: str  # "", "met" or "breached"
    next_met: int
    next_missed: int
    resolution_state: str

    @property
    def summary(self) -> str:
        parts = []
        if self.first_response:
            parts.append(f"first response {self.first_response}")
        if self.next_met or self.next_missed:
            parts.append(f"next responses {self.next_met} met, {self.next_missed} missed")
        if self.resolution_state:
            parts.append(f"resolution {self.resolution_state}")
        return "; ".join(parts)


def conversation_sla(conversation_id: int, now: datetime) -> ConversationSlaView | None:
    """The SLA state of one conversation (None: it was never under a live clock)."""
    state = ConversationSla.objects.filter(conversation_id=conversation_id).first()
    if state is None:
        return None
    response = resolution = None
    if state.response_due_at is not None and state.response_warn_at is not None:
        response = clock_of(
            Deadline(state.response_metric, state.response_due_at, state.response_warn_at), now
        )
    if (
        state.resolution_due_at is not None
        and state.resolution_warn_at is not None
        and state.resolution_state in ("", "breached")
    ):
        resolution = clock_of(
            Deadline(SlaMetric.RESOLUTION, state.resolution_due_at, state.resolution_warn_at), now
        )
    return ConversationSlaView(
        response,
        resolution,
        state.first_response_state,
        state.next_responses_met,
        state.next_responses_missed,
        state.resolution_state,
    )
