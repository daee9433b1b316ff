"""Keeps the timing columns of conversations true to their messages.

First-response time is measured from the conversation's first inbound message to the first
outbound message sent at or after it; a brand post that precedes the customer's message is not
a response to it. An automatic reply of the desk (an outbound message whose ``event`` is
``AUTO_REPLY``, sent by an automation rule) counts as a message and as activity but not as a
response: the customer is still waiting for a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from rippledesk.conversations.models import Conversation, Direction, Message
from rippledesk.core.sql import adapt_rows, column, table

AUTO_REPLY = "auto_reply"


@dataclass
class Timings:
    message_count: int = 0
    first_inbound_at: datetime | None = None
    first_response_at: datetime | None = None
    waiting_since: datetime | None = None
    last_activity_at: datetime | None = None

    @property
    def first_response_seconds(self) -> int | None:
        if self.first_inbound_at is None or self.first_response_at is None:
            return None
        return int((self.first_response_at - self.first_inbound_at).total_seconds())


def compute_timings(messages: Iterable[tuple[str, datetime]]) -> Timings:
    """Derive timings from (direction, sent_at) pairs given in sending order; ``AUTO_REPLY``
    stands for the direction of the desk's automatic replies."""
    t = Timings()
    for direction, sent_at in messages:
        if direction == Direction.INBOUND:
            t.message_count += 1
            if t.first_inbound_at is None:
                t.first_inbound_at = sent_at
            if t.waiting_since is None:
                t.waiting_since = sent_at
        elif direction == Direction.OUTBOUND:
            t.message_count += 1
            if t.first_inbound_at is not None and t.first_response_at is None:
                t.first_response_at = sent_at
            t.waiting_since = None
        elif direction == AUTO_REPLY:
            t.message_count += 1
        else:
            continue
        t.last_activity_at = sent_at
    return t


def refresh_timings(conversation_ids: Iterable[int]) -> None:
    """Recompute the timing columns of the given conversations from their messages."""
    ids = sorted(set(conversation_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        grouped: dict[int, list[tuple[str, datetime]]] = {pk: [] for pk in chunk}
        rows = (
            Message.objects.filter(conversation_id__in=chunk)
            .order_by("conversation_id", "sent_at", "pk")
            .values_list("conversation_id", "direction", "event", "sent_at")
        )
        for conversation_id, direction, event, sent_at in rows:
            automatic = direction == Direction.OUTBOUND and event == AUTO_REPLY
            grouped[conversation_id].append((AUTO_REPLY if automatic else direction, sent_at))
        store_timings({pk: compute_timings(messages) for pk, messages in grouped.items()})


def store_timings(timings: dict[int, Timings]) -> None:
    """Write computed timings onto their conversations in one batched statement."""
    columns = [
        "message_count",
        "first_inbound_at",
        "first_response_at",
        "first_response_seconds",
        "waiting_since",
        "last_activity_at",
    ]
    quoted = [column(Conversation, name) for name in columns]
    assignments = ", ".join(f"{column} = %s" for column in quoted)
    sql = f"UPDATE {table(Conversation)} SET {assignments} WHERE id = %s"
    rows = [
        (
            t.message_count,
            t.first_inbound_at,
            t.first_response_at,
            t.first_response_seconds,
            t.waiting_since,
            t.last_activity_at,
            pk,
        )
        for pk, t in timings.items()
    ]
    params = adapt_rows(rows, datetime_columns=(1, 2, 4, 5))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
