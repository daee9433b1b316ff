"""A small in-process event bus for "this happened" notices between domains.

Producers emit after their transaction commits (``emit_on_commit``), so subscribers never see
rows that might still roll back, and the producer never imports its consumers: data travels
forward through the pipeline without the earlier stage knowing the later ones.
"""

from __future__ import annotations

import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction


@dataclass(frozen=True, slots=True)
class MessagesStored:
    """New messages were committed; ``message_ids`` are their primary keys."""

    message_ids: tuple[int, ...]
    # The latest ``sent_at`` among them when the producer knows it cheaply (bulk imports), so
    # subscribers that only care about live messages can skip old history without a query.
    newest_sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConversationsChanged:
    """Agents, routing or analysis changed these conversations' ``what`` after they arrived.

    ``what`` is one of ``status``, ``assignee``, ``team``, ``priority``; ``actor_user_id`` is
    the person who did it (None for the desk itself: routing, rules, analysis, timers).
    """

    conversation_ids: tuple[int, ...]
    what: str
    actor_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class SlaAlert:
    """An SLA deadline of a conversation is near (``warning``) or passed (``breach``).

    ``metric`` is ``first_response``, ``next_response`` or ``resolution``.
    """

    conversation_id: int
    metric: str
    kind: str


log = logging.getLogger("rippledesk.events")
E = TypeVar("E")
_handlers: defaultdict[type[Any], list[Callable[[Any], None]]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Register ``handler`` for events of ``event_type``; registering twice has no effect."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def emit(event: object) -> None:
    """Call every handler of the event; one that fails is logged and the others still run.

    The producer's transaction has committed by now, so a failing subscriber (a broken
    automation, an SLA bug) must not turn a stored message into an error for the webhook or
    the import that stored it, nor keep later subscribers from seeing the event.
    """
    for handler in list(_handlers[type(event)]):
        try:
            handler(event)
        except Exception:
            log.exception(
                "event handler %s.%s failed on %r",
                getattr(handler, "__module__", "?"),
                getattr(handler, "__qualname__", handler),
                event,
            )


def emit_on_commit(event: object) -> None:
    """Deliver ``event`` once the current transaction commits (at once outside one).

    Handlers run in a copy of the context the event was emitted from, so state kept in
    context variables travels with the event even when the commit comes later (an outer
    transaction): the automation rules use this to know that a change was made by a rule,
    and how many rules deep (``triage.rules.engine``).
    """
    context = contextvars.copy_context()
    transaction.on_commit(lambda: context.run(emit, event))
