"""Writes of the analysis domain: score messages and keep the results.

``do_analyze_messages`` is what runs on every ingested message (it subscribes to
``MessagesStored``) and what ``rippledesk reanalyze`` calls for history. Only inbound customer
messages are analysed: the brand's own replies carry no ripple risk.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.analysis.types import PRIORITIES, Analysis, MessageContext, Visibility
from rippledesk.conversations.models import Conversation, ConversationKind, Direction, Message
from rippledesk.core.events import ConversationsChanged, MessagesStored, emit_on_commit
from rippledesk.core.sql import column, insert_ignoring_conflicts, table

if TYPE_CHECKING:
    # The pipeline pulls in numpy and the models' code (about 0.25 s); every CLI command loads
    # this module through the app registry, so the pipeline is imported only when analysing.
    from rippledesk.analysis.pipeline import Analyzer

_FIELDS = (
    "message",
    "model_name",
    "model_version",
    "analysable",
    "sentiment",
    "sentiment_scores",
    "emotion",
    "emotion_scores",
    "intent",
    "topic",
    "urgency",
    "language",
    "pii",
    "ripple_risk",
    "priority",
    "created_at",
)
_PRIVATE = {ConversationKind.DM, ConversationKind.CHAT, ConversationKind.SMS}
_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("analysis_deferred", default=False)


@contextlib.contextmanager
def analysis_deferred() -> Iterator[None]:
    """Skip analysis of messages stored inside this block (``reanalyze --missing`` does it)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def on_messages_stored(event: MessagesStored) -> None:
    if not _deferred.get():
        do_analyze_messages(event.message_ids)


def visibility_of(kind: str, in_reply_to: str) -> Visibility:
    if kind == ConversationKind.PUBLIC_THREAD:
        return "public_reply" if in_reply_to else "public_post"
    if kind == ConversationKind.REVIEW:
        return "review"
    if kind == ConversationKind.EMAIL:
        return "email"
    if kind in _PRIVATE:
        return "private_message"
    return "public_post"


def do_analyze_messages(
    message_ids: Sequence[int], analyzer: Analyzer | None = None, *, chunk: int = 1000
) -> int:
    """Analyse the inbound messages among ``message_ids``; return how many results were added.

    Results already stored for the analyzer's version are kept (re-running is harmless).
    """
    from rippledesk.analysis.pipeline import get_analyzer  # noqa: PLC0415 - see above

    analyzer = analyzer or get_analyzer()
    added = 0
    ids = list(message_ids)
    for start in range(0, len(ids), chunk):
        rows = list(
            Message.objects.filter(pk__in=ids[start : start + chunk], direction=Direction.INBOUND)
            .order_by("pk")
            .values_list(
                "pk",
                "body",
                "conversation_id",
                "conversation__kind",
                "in_reply_to_external_id",
                "author_identity__audience_size",
            )
        )
        if not rows:
            continue
        contexts = [
            MessageContext(visibility=visibility_of(kind, reply_to), audience=audience)
            for _, _, _, kind, reply_to, audience in rows
        ]
        results = analyzer.analyze([row[1] for row in rows], contexts)
        with transaction.atomic():
            added += _store(analyzer, [row[0] for row in rows], results)
            _raise_conversations([row[2] for row in rows], results)
    return added


def _store(analyzer: Analyzer, message_ids: list[int], results: list[Analysis]) -> int:
    now = timezone.now()
    version = analyzer.version
    rows = [
        (
            message_id,
            analyzer.name,
            version,
            result.analysable,
            result.sentiment,
            result.sentiment_scores,
            result.emotion,
            result.emotion_scores,
            result.intent,
            result.topic or "",
            result.urgency,
            result.language,
            [asdict(span) for span in result.pii],
            result.ripple_risk,
            result.priority,
            now,
        )
        for message_id, result in zip(message_ids, results, strict=True)
    ]
    return insert_ignoring_conflicts(
        MessageAnalysis, _FIELDS, rows, ("message", "model_name", "model_version")
    )


def _raise_conversations(conversation_ids: list[int], results: list[Analysis]) -> None:
    """Lift each conversation's ripple risk and priority to its riskiest new message, and
    label it with its latest analysed message (what the inbox filters on).

    Messages arrive in id order, so the last result per conversation is its latest message.
    """
    best: dict[int, Analysis] = {}
    latest: dict[int, Analysis] = {}
    for conversation_id, result in zip(conversation_ids, results, strict=True):
        current = best.get(conversation_id)
        if current is None or result.ripple_risk > current.ripple_risk:
            best[conversation_id] = result
        latest[conversation_id] = result
    rank: dict[str, int] = {priority: index for index, priority in enumerate(PRIORITIES)}
    stored = Conversation.objects.filter(pk__in=list(best)).values_list(
        "pk", "ripple_risk", "priority"
    )
    updates = []
    raised: list[int] = []
    for pk, risk, priority in stored:
        new = best[pk]
        higher = new.priority if rank.get(new.priority, 0) > rank.get(priority, 0) else priority
        if higher != priority:
            raised.append(pk)
        label = latest[pk]
        updates.append(
            (
                max(risk, new.ripple_risk),
                higher,
                label.sentiment if label.analysable else "",
                label.intent if label.analysable else "",
                (label.topic or "") if label.analysable else "",
                label.language if label.analysable else "",
                pk,
            )
        )
    if updates:
        assignments = ", ".join(
            f"{column(Conversation, name)} = %s"
            for name in ("ripple_risk", "priority", "sentiment", "intent", "topic", "language")
        )
        sql = f"UPDATE {table(Conversation)} SET {assignments} WHERE id = %s"
        with connection.cursor() as cursor:
            cursor.executemany(sql, updates)
    if raised:
        emit_on_commit(ConversationsChanged(tuple(raised), "priority"))
