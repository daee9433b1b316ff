"""Running SLA clocks: start them when a customer waits, stop them on an answer or a resolution,
and record warnings, breaches and targets met (``SlaEvent``) as the attainment record.

Only conversations reaching the desk live are tracked: a customer message sent in the last
``FRESH`` (a day). Imported history is not put under a promise made today, and the check costs
one indexed query per stored batch.

Attainment rules (docs/sla.md):

- A reply sent by the deadline meets the response target; one sent after it misses it (the
  breach is recorded when the deadline passes, by the timer job, or at the reply if the timer
  had not run yet).
- Resolving stops the response clock without counting it (a spam thread closed unanswered is
  neither a success nor a failure), unless it had already breached.
- Resolving by the resolution deadline meets it; reopening does not restart it.
- A priority change re-computes running deadlines from their original start; a warning or
  breach already recorded stays recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rippledesk.conversations.models import Conversation, ConversationStatus, Direction, Message
from rippledesk.core.events import SlaAlert, emit_on_commit
from rippledesk.triage.models import ConversationSla, SlaEvent, SlaEventKind, SlaMetric
from rippledesk.triage.sla import Deadline, Policy, policy_for
from rippledesk.workspaces.models import Workspace

log = logging.getLogger(__name__)


class _Policies(dict[int, Policy]):
    """Each workspace's policy, loaded once per batch."""

    def __missing__(self, workspace_id: int) -> Policy:
        policy = policy_for(Workspace.objects.get(pk=workspace_id))
        self[workspace_id] = policy
        return policy


def _states(conversation_ids: Iterable[int]) -> dict[int, ConversationSla]:
    return {
        s.conversation_id: s
        for s in ConversationSla.objects.filter(conversation_id__in=list(conversation_ids))
    }


def _event(
    conversation: Conversation, metric: str, kind: str, due_at: datetime, at: datetime
) -> SlaEvent:
    return SlaEvent(
        conversation=conversation,
        workspace_id=conversation.workspace_id,
        metric=metric,
        kind=kind,
        priority=conversation.priority,
        due_at=due_at,
        at=at,
    )


def _set_response(state: ConversationSla, deadline: Deadline | None) -> None:
    state.response_metric = deadline.metric if deadline else ""
    state.response_due_at = deadline.due_at if deadline else None
    state.response_warn_at = deadline.warn_at if deadline else None
    state.response_warned = False
    state.response_breached = False


def start_clocks(conversation_ids: Iterable[int], now: datetime | None = None) -> int:
    """Start the response (and resolution) clocks of open conversations whose customer waits."""
    now = now or timezone.now()
    conversations = list(
        Conversation.objects.filter(
            pk__in=list(conversation_ids),
            status=ConversationStatus.OPEN,
            waiting_since__isnull=False,
        )
    )
    if not conversations:
        return 0
    states = _states(c.pk for c in conversations)
    policies = _Policies()
    changed = []
    for conversation in conversations:
        state = states.get(conversation.pk) or ConversationSla(conversation=conversation)
        policy = policies[conversation.workspace_id]
        channel = conversation.channel_account_id
        line = policy.line(conversation.priority, channel)
        state.target_id = line.target_id
        if state.response_due_at is None:
            assert conversation.waiting_since is not None
            answered = conversation.first_response_at is not None
            _set_response(
                state,
                policy.response_deadline(
                    conversation.waiting_since, answered, conversation.priority, channel
                ),
            )
        if (
            state.resolution_due_at is None
            and not state.resolution_state
            and conversation.first_inbound_at is not None
        ):
            deadline = policy.resolution_deadline(
                conversation.first_inbound_at, conversation.priority, channel
            )
            if deadline is not None:
                state.resolution_due_at, state.resolution_warn_at = (
                    deadline.due_at,
                    deadline.warn_at,
                )
        state.updated_at = now
        changed.append(state)
    with transaction.atomic():
        for state in changed:
            state.save()
    return len(changed)


def record_answers(answers: dict[int, datetime]) -> None:
    """Stop the response clocks that these replies (conversation -> first reply time) answer."""
    states = ConversationSla.objects.filter(
        conversation_id__in=list(answers), response_due_at__isnull=False
    ).select_related("conversation")
    events: list[SlaEvent] = []
    with transaction.atomic():
        for state in states:
            conversation = state.conversation
            replied = answers[conversation.pk]
            assert state.response_due_at is not None
            met = replied <= state.response_due_at and not state.response_breached
            metric = state.response_metric
            kind = SlaEventKind.MET if met else SlaEventKind.BREACH
            if met or not state.response_breached:
                events.append(_event(conversation, metric, kind, state.response_due_at, replied))
            if not met and not state.response_breached:
                _timeline(conversation, metric, state.response_due_at)
            if metric == SlaMetric.FIRST_RESPONSE:
                state.first_response_state = "met" if met else "breached"
            elif met:
                state.next_responses_met += 1
            else:
                state.next_responses_missed += 1
            _set_response(state, None)
            state.updated_at = timezone.now()
            state.save()
        SlaEvent.objects.bulk_create(events)


def record_status(conversation_ids: Iterable[int]) -> None:
    """Resolved: settle the resolution target and stop the response clock. Reopened: restart."""
    conversations = list(Conversation.objects.filter(pk__in=list(conversation_ids)))
    states = _states(c.pk for c in conversations)
    reopened = []
    events: list[SlaEvent] = []
    with transaction.atomic():
        for conversation in conversations:
            state = states.get(conversation.pk)
            if conversation.status == ConversationStatus.OPEN:
                if conversation.waiting_since is not None:
                    reopened.append(conversation.pk)
                continue
            if state is None or conversation.status != ConversationStatus.RESOLVED:
                continue
            resolved = conversation.resolved_at or timezone.now()
            if state.resolution_due_at is not None and not state.resolution_state:
                met = resolved <= state.resolution_due_at
                kind = SlaEventKind.MET if met else SlaEventKind.BREACH
                events.append(
                    _event(
                        conversation, SlaMetric.RESOLUTION, kind, state.resolution_due_at, resolved
                    )
                )
                if not met:
                    _timeline(conversation, SlaMetric.RESOLUTION, state.resolution_due_at)
                state.resolution_state = "met" if met else "breached"
            state.resolution_due_at = state.resolution_warn_at = None
            _set_response(state, None)
            state.updated_at = timezone.now()
            state.save()
        SlaEvent.objects.bulk_create(events)
    if reopened:
        start_clocks(reopened)


def recompute(conversation_ids: Iterable[int]) -> None:
    """The priority changed: move running deadlines to the new priority's targets."""
    states = ConversationSla.objects.filter(conversation_id__in=list(conversation_ids))
    policies = _Policies()
    now = timezone.now()
    with transaction.atomic():
        for state in states.select_related("conversation"):
            conversation = state.conversation
            policy = policies[conversation.workspace_id]
            channel = conversation.channel_account_id
            state.target_id = policy.line(conversation.priority, channel).target_id
            if state.response_due_at is not None and conversation.waiting_since is not None:
                deadline = policy.response_deadline(
                    conversation.waiting_since,
                    state.response_metric == SlaMetric.NEXT_RESPONSE,
                    conversation.priority,
                    channel,
                )
                if deadline is not None and not state.response_breached:
                    warned = state.response_warned and deadline.warn_at <= now
                    _set_response(state, deadline)
                    state.response_warned = warned
            if state.resolution_due_at is not None and conversation.first_inbound_at is not None:
                found = policy.resolution_deadline(
                    conversation.first_inbound_at, conversation.priority, channel
                )
                if found is not None:
                    state.resolution_due_at, state.resolution_warn_at = found.due_at, found.warn_at
                    state.resolution_warned = state.resolution_warned and found.warn_at <= now
            state.updated_at = now
            state.save()


def _timeline(conversation: Conversation, metric: str, due_at: datetime) -> None:
    """A system message, so whoever opens the conversation sees the promise was missed."""
    Message.objects.create(
        conversation=conversation,
        channel_account_id=conversation.channel_account_id,
        direction=Direction.SYSTEM,
        body=f"{SlaMetric(metric).label} target missed ({conversation.priority} priority, "
        f"due {due_at:%Y-%m-%d %H:%M} UTC)",
        is_public=False,
        event="sla",
        sent_at=timezone.now(),
    )


def alert(state: ConversationSla, metric: str, kind: str, due_at: datetime) -> None:
    """Record a warning or breach found by the timer job and tell subscribers after commit."""
    conversation = state.conversation
    _event(conversation, metric, kind, due_at, timezone.now()).save()
    if kind == SlaEventKind.BREACH:
        _timeline(conversation, metric, due_at)
    emit_on_commit(SlaAlert(conversation.pk, metric, kind))
