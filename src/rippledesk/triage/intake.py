"""What triage does when messages are stored or conversations change (event subscribers).

One query per stored batch finds the live messages (sent in the last ``FRESH``): customer
messages route their conversation and start its SLA clocks; replies stop them. A batch of
imported history says how new its newest message is, and is skipped without a query.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from rippledesk.conversations.models import Direction, Message
from rippledesk.conversations.timings import AUTO_REPLY
from rippledesk.core.events import ConversationsChanged, MessagesStored
from rippledesk.triage.live import FRESH
from rippledesk.triage.models import AssignmentPolicy, TeamRouting
from rippledesk.triage.routing import do_route
from rippledesk.triage.sla_tracking import (
    recompute,
    record_answers,
    record_status,
    start_clocks,
)


def on_messages_stored(event: MessagesStored) -> None:
    since = timezone.now() - FRESH
    if event.newest_sent_at is not None and event.newest_sent_at < since:
        return  # a batch of history: nothing live in it
    rows = (
        Message.objects.filter(
            pk__in=event.message_ids,
            sent_at__gte=since,
            direction__in=(Direction.INBOUND, Direction.OUTBOUND),
        )
        .exclude(event=AUTO_REPLY)  # an automatic reply answers nobody: the clocks run on
        .values_list("conversation_id", "direction", "sent_at")
    )
    waiting: set[int] = set()
    answers: dict[int, datetime] = {}
    for conversation_id, direction, sent_at in rows:
        if direction == Direction.INBOUND:
            waiting.add(conversation_id)
        elif conversation_id not in answers or sent_at < answers[conversation_id]:
            answers[conversation_id] = sent_at
    if answers:
        record_answers(answers)
    if waiting:
        if TeamRouting.objects.exclude(policy=AssignmentPolicy.MANUAL).exists():
            do_route(sorted(waiting))
        start_clocks(waiting)


def on_conversations_changed(event: ConversationsChanged) -> None:
    if event.what == "status":
        record_status(event.conversation_ids)
    elif event.what == "priority":
        recompute(event.conversation_ids)
