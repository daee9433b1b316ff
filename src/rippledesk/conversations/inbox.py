"""The inbox: which conversations each view holds, in what order, filtered and paged.

Views (what an agent works from):

- ``attention``: open conversations where the customer is waiting for us, riskiest first, then
  longest waiting. Served by the ``conv_ws_attention`` index.
- ``unassigned``: the same, nobody on them yet.
- ``mine``: what the agent holds, latest activity first (``conv_assignee_activity``).
- ``all``: everything the seat reaches, latest activity first (``conv_ws_activity``).

``channel`` and ``team`` narrow any view. Pages are keyset pages over the view's order, so page
1,000 costs what page 1 costs; counts are capped (``COUNT_CAP``), so a badge never counts
millions of rows.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Substr
from django.utils import timezone

from rippledesk.conversations.models import Conversation, ConversationStatus, Direction, Message
from rippledesk.core.errors import InvalidInput
from rippledesk.workspaces.access import Seat

VIEWS = {
    "attention": "Needs attention",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "all": "All",
}
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = (
    "complaint",
    "question",
    "request",
    "praise",
    "purchase_intent",
    "churn_threat",
    "other",
)
COUNT_CAP = 999
_ID_MAX = 2**63 - 1
PAGE_MAX = 100
SNIPPET_CHARS = 240
# (field, descending); the last is always the primary key so the order is total.
Order = tuple[tuple[str, bool], ...]
_BY_RISK: Order = (("ripple_risk", True), ("waiting_since", False), ("id", False))
_BY_ACTIVITY: Order = (("last_activity_at", True), ("id", True))


@dataclass(frozen=True)
class InboxQuery:
    """A view plus filters, parsed from a query string; bad values raise ``InvalidInput``."""

    view: str = "attention"
    channel: int | None = None
    team: int | None = None
    status: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    topic: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> InboxQuery:
        view = params.get("view") or "attention"
        if view not in VIEWS:
            raise InvalidInput(
                f"Unknown view {view!r}; use one of {', '.join(VIEWS)}.", field="view"
            )
        return cls(
            view=view,
            channel=_int(params, "channel"),
            team=_int(params, "team"),
            status=_choice(params, "status", tuple(ConversationStatus.values)),
            sentiment=_choice(params, "sentiment", SENTIMENTS),
            intent=_choice(params, "intent", INTENTS),
            topic=_text(params, "topic", 64),
            language=_text(params, "language", 8),
            since=_date(params, "since"),
            until=_date(params, "until"),
        )

    def as_params(self) -> dict[str, str]:
        """The non-default parts, for links that keep the current filters."""
        values: dict[str, Any] = {
            "view": self.view if self.view != "attention" else None,
            "channel": self.channel,
            "team": self.team,
            "status": self.status,
            "sentiment": self.sentiment,
            "intent": self.intent,
            "topic": self.topic,
            "language": self.language,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    @property
    def filtered(self) -> bool:
        return any(
            v is not None
            for v in (
                self.status,
                self.sentiment,
                self.intent,
                self.topic,
                self.language,
                self.since,
                self.until,
            )
        )

    def order(self) -> Order:
        return _BY_RISK if self.view in ("attention", "unassigned") else _BY_ACTIVITY


def _int(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name) or ""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput(f"{name} must be a numeric id, not {raw[:40]!r}.", field=name)
    return int(raw)


def _choice(params: Mapping[str, str], name: str, choices: Sequence[str]) -> str | None:
    raw = params.get(name) or ""
    if not raw:
        return None
    if raw not in choices:
        raise InvalidInput(
            f"Unknown {name} {raw[:40]!r}; use one of {', '.join(choices)}.", field=name
        )
    return raw


def _text(params: Mapping[str, str], name: str, limit: int) -> str | None:
    raw = (params.get(name) or "").strip()
    if len(raw) > limit:
        raise InvalidInput(f"{name} is at most {limit} characters.", field=name)
    return raw or None


def _date(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name) or ""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date like 2026-11-25, not {raw[:40]!r}.", field=name
        ) from None


def _day_start(day: date, zone: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), zone)


def inbox_rows(seat: Seat, query: InboxQuery, *, zone: Any = None) -> QuerySet[Conversation]:
    """The conversations of the view and filters, in the view's order (unpaged, no details).

    On SQLite the channel conditions compare ``channel_account_id + 0``, which no index serves,
    on purpose: given ``channel_account_id IN (...)`` SQLite's planner picks the channel index
    and then sorts every row of those channels (0.5 s at 400,000 conversations for a deep page),
    where walking the view's own index in order (the channel is its last column) and skipping
    other channels' rows is fast. PostgreSQL's planner, which has the column's statistics but
    guesses 0.5 % for the expression, then chose a parallel scan and sort of the whole table
    (100 ms); there the column is compared as it is. Who may see what is still
    ``visible_conversations``'s rule (a test holds them equal).
    """
    where: dict[str, Any] = {"workspace": seat.workspace}  # one filter() call: each one clones
    if seat.channel_ids is not None:
        where["channel_unindexed__in"] = sorted(seat.channel_ids)
    if query.view in ("attention", "unassigned"):
        where["status"] = query.status or ConversationStatus.OPEN
        where["waiting_since__isnull"] = False
        if query.view == "unassigned":
            where["assignee__isnull"] = True
    else:
        where["last_activity_at__isnull"] = False
        if query.status:
            where["status"] = query.status
        if query.view == "mine":
            where["assignee"] = seat.user
    if query.channel is not None:
        where["channel_unindexed"] = query.channel
    if query.team is not None:
        where["team_id"] = query.team
    for name in ("sentiment", "intent", "topic", "language"):
        value = getattr(query, name)
        if value:
            where[name] = value
    zone = zone or timezone.get_current_timezone()
    if query.since:
        where["last_activity_at__gte"] = _day_start(query.since, zone)
    if query.until and query.until < date.max:  # the last day has no next day: no bound
        where["last_activity_at__lt"] = _day_start(query.until + timedelta(days=1), zone)
    channel = F("channel_account_id")
    unindexed = channel + 0 if connection.vendor == "sqlite" else channel
    rows = Conversation.objects.alias(channel_unindexed=unindexed).filter(**where)
    return rows.order_by(*[("-" if desc else "") + name for name, desc in query.order()])


def count_capped(rows: QuerySet[Conversation], cap: int = COUNT_CAP) -> int:
    """``min(count, cap + 1)``: "1,000+" without counting millions of rows."""
    return rows.order_by().values("pk")[: cap + 1].count()


# How long a count may be reused at most, even without a write.
COUNT_TTL = 60


def changes_marker(seat: Seat) -> str:
    """Changes whenever any count of the workspace's views may have.

    Every write that can move a conversation between views adds a message (replies, notes,
    assignment and status events, imports) or a conversation, so the newest message id and the
    workspace's conversation counter make a key that changes exactly when counts may.
    """
    newest = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"{seat.workspace.pk}:{seat.workspace.next_conversation_number}:{newest}"


def count_cached(seat: Seat, query: InboxQuery, rows: QuerySet[Conversation]) -> int:
    """``count_capped(rows)`` for ``query``, reused until ``changes_marker`` moves on.

    Counting up to the cap reads up to a thousand rows, and for filters no index serves (an
    intent, a topic) that was most of an API inbox request's time.
    """
    params = "&".join(f"{k}={v}" for k, v in sorted(query.as_params().items()))
    key = f"rippledesk:count:{changes_marker(seat)}:{seat.user.pk}:{params}"
    counted = cache.get_or_set(key, lambda: count_capped(rows), COUNT_TTL)
    assert isinstance(counted, int)
    return counted


def latest_snippet() -> Substr:
    """The start of the latest customer or agent message, probed per listed row only."""
    latest = (
        Message.objects.filter(
            conversation=OuterRef("pk"), direction__in=(Direction.INBOUND, Direction.OUTBOUND)
        )
        .order_by("-sent_at", "-pk")
        .values("body")
    )
    return Substr(Subquery(latest[:1], output_field=TextField()), 1, SNIPPET_CHARS)


def with_list_details(rows: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return rows.select_related("channel_account", "customer", "assignee", "team").annotate(
        snippet=latest_snippet()
    )


# ---------------------------------------------------------------------------------------------
# Keyset paging over any of the orders above.


def _encode_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _decode_value(value: Any, name: str) -> Any:
    if name in ("waiting_since", "last_activity_at"):
        if not isinstance(value, str):
            raise ValueError(name)
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(name)
        return parsed
    if name == "ripple_risk":
        risk = float(value)
        if not math.isfinite(risk):
            raise ValueError(name)
        return risk
    if name == "id":
        if not isinstance(value, int) or not 1 <= value <= _ID_MAX:  # beyond: DB overflow
            raise ValueError(name)
        return value
    raise ValueError(name)


@dataclass(frozen=True)
class Cursor:
    """A position in a view: the order values of one row, direction-free."""

    values: tuple[Any, ...]

    def encode(self) -> str:
        raw = json.dumps([_encode_value(v) for v in self.values], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str | None, order: Order) -> Cursor | None:
        """The cursor in ``token``; None if absent. A mangled one is an ``InvalidInput``."""
        if not token:
            return None
        try:
            if len(token) > 200:
                raise ValueError("long")
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            items = json.loads(raw)
            if not isinstance(items, list) or len(items) != len(order):
                raise ValueError("shape")
            return cls(
                tuple(_decode_value(v, name) for v, (name, _) in zip(items, order, strict=True))
            )
        except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
            raise InvalidInput(
                "The page cursor is not valid; start from the first page.", field="cursor"
            ) from None


def _beyond(order: Order, cursor: Cursor, *, reverse: bool) -> Q:
    """Rows strictly after the cursor in ``order`` (before it when ``reverse``)."""
    q = Q()
    equal: dict[str, Any] = {}
    for (name, desc), value in zip(order, cursor.values, strict=True):
        later = "lt" if desc != reverse else "gt"
        q |= Q(**equal, **{f"{name}__{later}": value})
        equal[name] = value
    first, desc = order[0]
    bound = "lte" if desc != reverse else "gte"  # lets the database seek instead of scan
    return q & Q(**{f"{first}__{bound}": cursor.values[0]})


@dataclass(frozen=True)
class IdPage:
    """One page of a view as ids, in order, with the cursors to its neighbours."""

    ids: list[int]
    next: Cursor | None
    previous: Cursor | None


def _first(rows: QuerySet[Conversation], order: Order, n: int) -> list[tuple[int, Cursor]]:
    """The first ``n`` rows' ids with their positions, from one narrow statement.

    Ids only, no details: SQLite computes per-row subqueries (the snippet) for every matching
    row before it sorts them, thousands of probes for a page of fifty when the order is not an
    index's. The caller fetches the details of the page's rows alone.
    """
    names = [name for name, _ in order]
    found = rows.values_list("pk", *names)[:n]
    return [(values[0], Cursor(tuple(values[1:]))) for values in found]


def keyset_ids(
    rows: QuerySet[Conversation],
    order: Order,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = 50,
) -> IdPage:
    """The page after ``after`` (or before ``before``; else the first) of ``rows`` in ``order``."""
    size = max(1, min(size, PAGE_MAX))
    if before is not None:
        flipped = [("" if desc else "-") + name for name, desc in order]
        found = _first(
            rows.filter(_beyond(order, before, reverse=True)).order_by(*flipped), order, size + 1
        )
        page = list(reversed(found[:size]))
        if not page:
            return keyset_ids(rows, order, size=size)
        return IdPage(
            [pk for pk, _ in page],
            next=page[-1][1],
            previous=page[0][1] if len(found) > size else None,
        )
    if after is not None:
        rows = rows.filter(_beyond(order, after, reverse=False))
    found = _first(rows, order, size + 1)
    page = found[:size]
    return IdPage(
        [pk for pk, _ in page],
        next=page[-1][1] if len(found) > size else None,
        previous=page[0][1] if after is not None and page else None,
    )


@dataclass(frozen=True)
class Page:
    rows: list[Conversation]
    next: Cursor | None
    previous: Cursor | None


def keyset_page(
    rows: QuerySet[Conversation],
    order: Order,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = 50,
) -> Page:
    """``keyset_ids`` of ``rows``, with the page's conversations and their list details.

    The details are read by primary key alone. ``rows`` already decided which ids the caller
    may see; repeating its conditions made PostgreSQL walk the view's index and filter
    thousands of rows down to the fifty ids (3.4 ms and a 0.8 ms plan for what the key does in
    a fraction of that).
    """
    ids = keyset_ids(rows, order, after=after, before=before, size=size)
    found = with_list_details(Conversation.objects.filter(pk__in=ids.ids)) if ids.ids else []
    details = {row.pk: row for row in found}
    return Page([details[pk] for pk in ids.ids if pk in details], ids.next, ids.previous)
