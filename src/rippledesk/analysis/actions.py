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
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.analysis.types import PRIORITIES, Analysis, MessageContext, Visibility
from rippledesk.conversations.models import Conversation, ConversationKind, Direction, Message
from rippledesk.core.events import ConversationsChanged, MessagesStored, emit_on_commit
from rippledesk.core.sql import column, insert_ignoring_conflicts, table
from rippledesk.jobs.api import enqueue, job

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


# Stores of at most this many messages are live traffic (a webhook, a poll, an agent's
# import of one file row): their sentiment encoder pass runs in a job, so that storing a
# message waits for the fast models only. Larger stores (imports) run it inline, batched.
LIVE_BATCH = 16
REFINE_JOB = "analysis.refine"


def on_messages_stored(event: MessagesStored) -> None:
    if not _deferred.get():
        do_analyze_messages(
            event.message_ids, defer_refinement=len(event.message_ids) <= LIVE_BATCH
        )


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


def _inbound_rows(ids: Sequence[int]) -> list[tuple[Any, ...]]:
    return list(
        Message.objects.filter(pk__in=ids, direction=Direction.INBOUND)
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


def _contexts(rows: Sequence[tuple[Any, ...]]) -> list[MessageContext]:
    return [
        MessageContext(visibility=visibility_of(kind, reply_to), audience=audience)
        for _, _, _, kind, reply_to, audience in rows
    ]


def do_analyze_messages(
    message_ids: Sequence[int],
    analyzer: Analyzer | None = None,
    *,
    chunk: int = 1000,
    defer_refinement: bool = False,
) -> int:
    """Analyse the inbound messages among ``message_ids``; return how many results were added.

    Results already stored for the analyzer's version are kept (re-running is harmless).
    With ``defer_refinement`` (the live path) the texts the sentiment encoder should re-read
    are stored with the fast models' reading and re-read by the ``analysis.refine`` job.
    """
    from rippledesk.analysis.pipeline import get_analyzer  # noqa: PLC0415 - see above

    analyzer = analyzer or get_analyzer()
    provisional_analyze = getattr(analyzer, "analyze_provisional", None)
    added = 0
    ids = list(message_ids)
    for start in range(0, len(ids), chunk):
        rows = _inbound_rows(ids[start : start + chunk])
        if not rows:
            continue
        texts = [row[1] for row in rows]
        if defer_refinement and provisional_analyze is not None:
            results: list[Analysis] = provisional_analyze(texts, _contexts(rows))
        else:
            results = analyzer.analyze(texts, _contexts(rows))
        with transaction.atomic():
            added += _store(analyzer, [row[0] for row in rows], results)
            _raise_conversations([row[2] for row in rows], results)
            pending = [
                row[0] for row, result in zip(rows, results, strict=True) if result.provisional
            ]
            if pending:
                enqueue(REFINE_JOB, {"message_ids": pending, "analyzer": analyzer.name})
    return added


@job(REFINE_JOB)
def refine_job(payload: dict[str, Any]) -> None:
    from rippledesk.analysis.pipeline import get_analyzer  # noqa: PLC0415 - see above

    do_refine_messages(payload["message_ids"], get_analyzer(payload["analyzer"]))


def do_refine_messages(message_ids: Sequence[int], analyzer: Analyzer) -> int:
    """Re-read provisionally analysed messages with the whole stack and update their stored
    results in place (same model version); return how many rows changed.

    A refined message that is still its conversation's latest inbound one updates the
    conversation's labels and, like any new message, can raise (never lower) its risk and
    priority (``_raise_conversations``); an older one changes only its own stored result.
    """
    rows = _inbound_rows(message_ids)
    if not rows:
        return 0
    complete = getattr(analyzer, "analyze_complete", analyzer.analyze)
    results: list[Analysis] = complete([row[1] for row in rows], _contexts(rows))
    version = analyzer.version
    changed = 0
    with transaction.atomic():
        for row, result in zip(rows, results, strict=True):
            changed += MessageAnalysis.objects.filter(
                message_id=row[0], model_name=analyzer.name, model_version=version
            ).update(
                sentiment=result.sentiment,
                sentiment_scores=result.sentiment_scores,
                emotion=result.emotion,
                emotion_scores=result.emotion_scores,
                intent=result.intent,
                topic=result.topic or "",
                urgency=result.urgency,
                ripple_risk=result.ripple_risk,
                priority=result.priority,
            )
        latest = _latest_per_conversation([row[2] for row in rows])
        keep = [i for i, row in enumerate(rows) if latest.get(row[2]) == row[0]]
        _raise_conversations([rows[i][2] for i in keep], [results[i] for i in keep])
    return changed


def _latest_per_conversation(conversation_ids: Sequence[int]) -> dict[int, int]:
    """The newest inbound message id of each conversation."""
    rows = (
        Message.objects.filter(
            conversation_id__in=set(conversation_ids), direction=Direction.INBOUND
        )
        .values("conversation_id")
        .annotate(latest=Max("pk"))
        .values_list("conversation_id", "latest")
    )
    return {int(c): int(m) for c, m in rows}


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
