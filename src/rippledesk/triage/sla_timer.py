"""The SLA timer job: every half minute, raise the warnings and breaches that have come due.

Deadlines are stored (``ConversationSla.*_due_at``, ``*_warn_at``, indexed), so each tick is
four indexed range queries, however many conversations are open. Each alert is claimed with a
conditional UPDATE before it is recorded, so two workers never raise the same one twice. Only
open conversations are checked: a snoozed or pending conversation is not waiting on the desk;
if its deadline passed meanwhile, the breach is raised at the first tick after it reopens.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rippledesk.conversations.models import ConversationStatus
from rippledesk.jobs.api import enqueue, ensure_waiting, job
from rippledesk.triage.models import ConversationSla, SlaEventKind, SlaMetric
from rippledesk.triage.sla_tracking import alert

log = logging.getLogger(__name__)
TICK = timedelta(seconds=30)
BATCH = 500

# (instant field, claim filter, claim update, metric or None for "the response metric", kind)
_CHECKS: tuple[tuple[str, dict[str, Any], dict[str, Any], str | None, str], ...] = (
    (
        "response_warn_at",
        {"response_warned": False, "response_breached": False},
        {"response_warned": True},
        None,
        SlaEventKind.WARNING,
    ),
    (
        "response_due_at",
        {"response_breached": False},
        {"response_breached": True, "response_warned": True},
        None,
        SlaEventKind.BREACH,
    ),
    (
        "resolution_warn_at",
        {"resolution_warned": False, "resolution_state": ""},
        {"resolution_warned": True},
        SlaMetric.RESOLUTION,
        SlaEventKind.WARNING,
    ),
    (
        "resolution_due_at",
        {"resolution_state": ""},
        {"resolution_state": "breached", "resolution_warned": True},
        SlaMetric.RESOLUTION,
        SlaEventKind.BREACH,
    ),
)


def check_deadlines(now: datetime | None = None) -> int:
    """Raise every warning and breach due by ``now``; how many were raised."""
    now = now or timezone.now()
    raised = 0
    for instant, unclaimed, claim, metric, kind in _CHECKS:
        due = (
            ConversationSla.objects.filter(
                Q(**{f"{instant}__lte": now}), conversation__status=ConversationStatus.OPEN
            )
            .filter(**unclaimed)
            .select_related("conversation")
            .order_by(instant)[:BATCH]
        )
        for state in due:
            deadline_field = instant.replace("_warn_at", "_due_at")
            deadline = getattr(state, deadline_field)
            if deadline is None:
                continue
            with transaction.atomic():
                claimed = (
                    ConversationSla.objects.filter(pk=state.pk, **unclaimed).update(**claim) == 1
                )
                if claimed:
                    alert(state, metric or state.response_metric, kind, deadline)
                    raised += 1
    return raised


@job("triage.sla_tick")
def _tick(payload: dict[str, Any]) -> None:
    try:
        check_deadlines()
    except Exception:  # a bad row must not stop the clock for everyone else
        log.exception("SLA timer tick failed; trying again at the next tick")
    enqueue("triage.sla_tick", {}, delay=TICK)


def ensure_sla_timer() -> None:
    """Start the timer chain unless a tick is already waiting."""
    ensure_waiting("triage.sla_tick", delay=timedelta(seconds=5))
