"""What conditions can test: the fields, their kinds, and the operators each kind takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rippledesk.analysis.types import EMOTIONS, INTENTS, PRIORITIES, SENTIMENTS
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind, ConversationStatus


@dataclass(frozen=True)
class FieldInfo:
    """A fact about a conversation a condition can test."""

    label: str
    kind: Literal["choice", "word", "number", "text", "channel", "team"]
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


FIELDS: dict[str, FieldInfo] = {
    "sentiment": FieldInfo("Sentiment", "choice", SENTIMENTS),
    "emotion": FieldInfo("Emotion", "choice", EMOTIONS),
    "intent": FieldInfo("Intent", "choice", INTENTS),
    "urgency": FieldInfo("Urgency", "choice", ("low", "normal", "high")),
    "topic": FieldInfo("Topic", "word", help="as the analysis names it, e.g. baggage"),
    "language": FieldInfo("Language", "word", help="ISO code, e.g. en, es"),
    "priority": FieldInfo("Priority", "choice", PRIORITIES),
    "status": FieldInfo("Status", "choice", tuple(ConversationStatus.values)),
    "channel_kind": FieldInfo("Channel kind", "choice", tuple(ChannelKind.values)),
    "conversation_kind": FieldInfo("Conversation kind", "choice", tuple(ConversationKind.values)),
    "channel": FieldInfo("Channel account", "channel", help="by id, or name in the form"),
    "team": FieldInfo("Team", "team", help="the conversation's team"),
    "assigned": FieldInfo("Has an assignee", "choice", ("yes", "no")),
    "business_hours": FieldInfo(
        "Business hours", "choice", ("open", "closed"), help="when the customer wrote"
    ),
    "audience": FieldInfo(
        "Audience (followers)", "number", minimum=0, help="unknown never matches"
    ),
    "ripple_risk": FieldInfo("Ripple risk", "number", minimum=0, maximum=1),
    "message_count": FieldInfo("Messages in the conversation", "number", minimum=0),
    "customer_purchases": FieldInfo("Customer's purchases", "number", minimum=0),
    "sla_metric": FieldInfo(
        "SLA target",
        "choice",
        ("first_response", "next_response", "resolution"),
        help="only with the SLA triggers",
    ),
    "message_text": FieldInfo("Message text", "text", help="the latest customer message"),
    "customer_name": FieldInfo("Customer name", "text"),
    "customer_email": FieldInfo("Customer email", "text"),
}
OPERATORS: dict[str, tuple[str, ...]] = {
    "choice": ("is", "is_not", "in", "not_in"),
    "word": ("is", "is_not", "in", "not_in"),
    "channel": ("is", "is_not", "in", "not_in"),
    "team": ("is", "is_not", "in", "not_in"),
    "number": ("gt", "gte", "lt", "lte", "eq"),
    "text": ("contains", "not_contains", "contains_any", "starts_with"),
}
OPERATOR_LABELS = {
    "is": "is",
    "is_not": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "gt": "is above",
    "gte": "is at least",
    "lt": "is below",
    "lte": "is at most",
    "eq": "equals",
    "contains": "contains",
    "not_contains": "does not contain",
    "contains_any": "contains any of",
    "starts_with": "starts with",
}
LIST_OPERATORS = frozenset({"in", "not_in", "contains_any"})
