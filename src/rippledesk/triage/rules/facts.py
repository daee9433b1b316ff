"""What conditions test: facts about one conversation at one moment, read lazily.

A fact nobody's condition asks for is never read (the calendar, the purchases, the latest
analysis each cost a query). Unknown facts follow one rule: a number that is not known
(an audience the platform never told us) matches no comparison; a label that is not known yet
(not analysed) matches ``is not`` and ``is none of`` only; missing text is empty text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.conversations.models import Conversation, Message
from rippledesk.triage.rules.fields import FIELDS
from rippledesk.triage.rules.spec import Condition
from rippledesk.triage.sla import calendar_for


class Facts:
    """The conversation as it is now, the customer message the event is about (if any),
    ``at``: when that message was written (or now, for other events), and for SLA alerts the
    target concerned."""

    def __init__(
        self,
        conversation: Conversation,
        message: Message | None,
        at: datetime,
        sla_metric: str | None = None,
    ) -> None:
        self.conversation = conversation
        self.message = message
        self.at = at
        self.sla_metric = sla_metric
        self._cache: dict[str, object] = {}

    def value(self, field: str) -> object:
        if field not in self._cache:
            self._cache[field] = getattr(self, f"_{field}")()
        return self._cache[field]

    def _analysis(self) -> MessageAnalysis | None:
        if "analysis" not in self._cache:
            found = None
            if self.message is not None:
                found = (
                    MessageAnalysis.objects.filter(message=self.message)
                    .order_by("-created_at", "-pk")
                    .first()
                )
            self._cache["analysis"] = found
        result = self._cache["analysis"]
        return result if isinstance(result, MessageAnalysis) else None

    def _label(self, value: str) -> str | None:
        return value or None

    def _sentiment(self) -> str | None:
        return self._label(self.conversation.sentiment)

    def _intent(self) -> str | None:
        return self._label(self.conversation.intent)

    def _topic(self) -> str | None:
        return self._label(self.conversation.topic)

    def _language(self) -> str | None:
        return self._label(self.conversation.language)

    def _emotion(self) -> str | None:
        analysis = self._analysis()
        return analysis.emotion if analysis and analysis.analysable else None

    def _urgency(self) -> str | None:
        analysis = self._analysis()
        return analysis.urgency if analysis and analysis.analysable else None

    def _priority(self) -> str:
        return self.conversation.priority

    def _status(self) -> str:
        return self.conversation.status

    def _channel_kind(self) -> str:
        return self.conversation.channel_account.kind

    def _conversation_kind(self) -> str:
        return self.conversation.kind

    def _channel(self) -> int:
        return self.conversation.channel_account_id

    def _team(self) -> int | None:
        return self.conversation.team_id

    def _assigned(self) -> str:
        return "yes" if self.conversation.assignee_id else "no"

    def _business_hours(self) -> str:
        calendar = calendar_for(self.conversation.workspace)
        return "open" if calendar.is_open(self.at) else "closed"

    def _audience(self) -> int | None:
        """The author's followers; for events without a message, the customer's largest."""
        identity = self.message.author_identity if self.message is not None else None
        if identity is not None and identity.audience_size is not None:
            return identity.audience_size
        largest = self.conversation.customer.identities.aggregate(m=Max("audience_size"))["m"]
        return int(largest) if largest is not None else None

    def _ripple_risk(self) -> float:
        return self.conversation.ripple_risk

    def _message_count(self) -> int:
        return self.conversation.message_count

    def _customer_purchases(self) -> int:
        return self.conversation.customer.purchases.count()

    def _sla_metric(self) -> str | None:
        return self.sla_metric

    def _message_text(self) -> str:
        return self.message.body if self.message is not None else ""

    def _customer_name(self) -> str:
        return self.conversation.customer.display_name

    def _customer_email(self) -> str:
        return self.conversation.customer.email


def holds(condition: Condition, facts: Facts) -> bool:
    """Whether the condition is true of the facts (see the module doc for unknown facts)."""
    kind = FIELDS[condition.field].kind
    actual = facts.value(condition.field)
    op, expected = condition.op, condition.value
    if kind == "number":
        return _compare(actual, op, expected)
    if kind == "text":
        return _text(str(actual or "").casefold(), op, expected)
    if actual is None:
        return op in ("is_not", "not_in")
    if kind == "word":
        actual = str(actual).casefold()
        expected = (
            [str(v).casefold() for v in expected]
            if isinstance(expected, list)
            else str(expected).casefold()
        )
    members = expected if isinstance(expected, list) else [expected]
    inside = actual in members
    return inside if op in ("is", "in") else not inside


def _compare(actual: object, op: str, expected: Any) -> bool:
    if not isinstance(actual, int | float) or isinstance(actual, bool):
        return False
    limit = float(expected)
    return {
        "gt": actual > limit,
        "gte": actual >= limit,
        "lt": actual < limit,
        "lte": actual <= limit,
        "eq": actual == limit,
    }[op]


def _text(actual: str, op: str, expected: Any) -> bool:
    if op == "contains_any":
        return any(str(v) in actual for v in expected)
    if op == "starts_with":
        return actual.startswith(str(expected))
    found = str(expected) in actual
    return found if op == "contains" else not found


def matches(conditions: list[Condition], match: str, facts: Facts) -> bool:
    """All (or any) conditions hold; a rule without conditions always matches."""
    if not conditions:
        return True
    results = (holds(c, facts) for c in conditions)
    return any(results) if match == "any" else all(results)
