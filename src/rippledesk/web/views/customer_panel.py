"""The customer panel beside a conversation: identities, other conversations, purchases, trend.

Read on every conversation page, so each part is one narrow statement bounded by its index,
whatever the customer's history: a customer with 50,000 conversations costs what one with ten
does (the latest conversations come from ``conv_customer_recent`` in order, counts are capped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.conversations.access import visible_conversations
from rippledesk.conversations.inbox import count_capped, latest_snippet
from rippledesk.conversations.models import Conversation, ConversationStatus
from rippledesk.workspaces.access import Seat

OTHER_CONVERSATIONS = 10
SENTIMENT_POINTS = 30
RECENT_CONVERSATIONS = 20
CONVERSATION_COUNT_CAP = 999
_STATUS_LABELS = dict(ConversationStatus.choices)


@dataclass(frozen=True, slots=True)
class OtherConversation:
    number: int
    status: str
    status_label: str
    last_activity_at: datetime | None
    snippet: str


def _others(seat: Seat, conversation: Conversation) -> tuple[list[OtherConversation], int]:
    """The customer's latest other conversations the seat sees, and how many there are (capped
    at ``CONVERSATION_COUNT_CAP + 1``; counted only when the list is full)."""
    others = (
        visible_conversations(seat)
        .filter(customer_id=conversation.customer_id)
        .exclude(pk=conversation.pk)
        .order_by("-last_activity_at", "-id")
    )
    rows = others.annotate(snippet=latest_snippet()).values_list(
        "number", "status", "last_activity_at", "snippet"
    )[:OTHER_CONVERSATIONS]
    listed = [
        OtherConversation(number, status, str(_STATUS_LABELS.get(status, status)), at, text or "")
        for number, status, at, text in rows
    ]
    if len(listed) < OTHER_CONVERSATIONS:
        return listed, len(listed)
    return listed, count_capped(others, CONVERSATION_COUNT_CAP)


def sentiment_trend(conversation: Conversation) -> list[dict[str, Any]]:
    """The customer's recent analysed messages, oldest first, for the panel's strip.

    Read from their latest conversations only (``conv_customer_recent``), so a customer with
    thousands of conversations costs what one with ten does.
    """
    recent = (
        Conversation.objects.filter(customer_id=conversation.customer_id)
        .order_by("-last_activity_at", "-id")
        .values("pk")[:RECENT_CONVERSATIONS]
    )
    rows = (
        MessageAnalysis.objects.filter(message__conversation_id__in=recent)
        .order_by("-message__sent_at")
        .values_list(
            "sentiment", "sentiment_scores", "message__sent_at", "message__conversation__number"
        )[:SENTIMENT_POINTS]
    )
    points = []
    for sentiment, scores, sent_at, number in reversed(list(rows)):
        score = 0.0
        if isinstance(scores, dict):
            score = float(scores.get("positive", 0.0)) - float(scores.get("negative", 0.0))
        points.append({"sentiment": sentiment, "score": score, "at": sent_at, "number": number})
    return points


def customer_panel(seat: Seat, conversation: Conversation) -> dict[str, Any]:
    """The panel's context (names as ``conversation.html`` uses them)."""
    customer = conversation.customer
    identities = list(
        customer.identities.select_related("channel_account").order_by(
            "channel_account__kind", "channel_account__name", "handle"
        )
    )
    audiences = [i.audience_size for i in identities if i.audience_size is not None]
    others, other_count = _others(seat, conversation)
    return {
        "identities": identities,
        "audience": max(audiences) if audiences else None,
        "other_conversations": others,
        "customer_conversation_count": min(other_count, CONVERSATION_COUNT_CAP) + 1,
        "customer_conversation_capped": other_count > CONVERSATION_COUNT_CAP,
        "purchases": list(customer.purchases.order_by("-purchased_at")[:10]),
        "trend": sentiment_trend(conversation),
    }
