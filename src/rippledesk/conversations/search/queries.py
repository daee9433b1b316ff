"""Full-text reads: messages and customers matching a query, within what a seat may see.

Results come newest first (by id, which follows arrival), which both databases serve from the
index without ranking every match: an agent searching "refund" in two million messages wants
the latest cases, and gets them in milliseconds.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from rippledesk.conversations.models import Conversation, Direction, Message
from rippledesk.conversations.search.ddl import (
    CUSTOMER_FTS,
    IDENTITY_FTS,
    MESSAGE_FTS,
    postgres_document,
)
from rippledesk.conversations.search.query import Term, fts5, tsquery
from rippledesk.core.sql import column, table
from rippledesk.customers.models import Customer, Identity
from rippledesk.workspaces.access import Seat


def _channel_clause(seat: Seat, alias: str, params: list[Any]) -> str:
    if seat.channel_ids is None:
        return ""
    if not seat.channel_ids:
        return " AND 1 = 0"
    params.extend(sorted(seat.channel_ids))
    marks = ", ".join(["%s"] * len(seat.channel_ids))
    return f" AND {alias}.channel_account_id IN ({marks})"


def search_message_ids(
    seat: Seat, terms: list[Term], *, limit: int = 50, before_id: int | None = None
) -> list[int]:
    """Ids of matching messages (customer, agent and note; not system events), newest first."""
    return _message_ids(seat, terms, limit=limit, before_id=before_id)


def search_message_ids_any(
    seat: Seat, terms: list[Term], *, limit: int, exclude_conversation: int | None = None
) -> list[int]:
    """Ids of customer messages holding any of ``terms``, newest first (suggested replies)."""
    return _message_ids(
        seat,
        terms,
        limit=limit,
        any_term=True,
        direction=Direction.INBOUND.value,
        exclude_conversation=exclude_conversation,
    )


def _message_ids(
    seat: Seat,
    terms: list[Term],
    *,
    limit: int,
    before_id: int | None = None,
    any_term: bool = False,
    direction: str | None = None,
    exclude_conversation: int | None = None,
) -> list[int]:
    if not terms:
        return []
    m = table(Message)
    if connection.vendor == "sqlite":
        match_from = f"{MESSAGE_FTS} JOIN {m} m ON m.id = {MESSAGE_FTS}.rowid"
        where = f"{MESSAGE_FTS} MATCH %s"
        query: Any = fts5(terms, any_term=any_term)
    else:
        match_from = f"{m} m"
        document = postgres_document(("body",), "m")
        where = f"to_tsvector('simple', {document}) @@ to_tsquery('simple', %s)"
        query = tsquery(terms, any_term=any_term)
    sql, params = _message_sql(
        seat,
        match_from,
        where,
        query,
        direction=direction,
        exclude_conversation=exclude_conversation,
    )
    if connection.vendor != "sqlite":
        return _postgres_windows(sql, params, limit, before_id)
    if before_id is not None:
        sql += " AND m.id < %s"
        params.append(before_id)
    sql += f" ORDER BY {MESSAGE_FTS}.rowid DESC LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _message_sql(
    seat: Seat,
    match_from: str,
    where: str,
    query: Any,
    *,
    direction: str | None,
    exclude_conversation: int | None,
) -> tuple[str, list[Any]]:
    c = table(Conversation)
    direction_col = column(Message, "direction")
    conv = column(Message, "conversation")
    workspace = column(Conversation, "workspace")
    params: list[Any] = [query, seat.workspace.pk]
    sql = (
        f"SELECT m.id FROM {match_from} JOIN {c} c ON c.id = m.{conv} "
        f"WHERE {where} AND c.{workspace} = %s"
    )
    if direction is None:
        sql += f" AND m.{direction_col} <> %s"
        params.append(Direction.SYSTEM.value)
    else:
        sql += f" AND m.{direction_col} = %s"
        params.append(direction)
    sql += _channel_clause(seat, "c", params)
    if exclude_conversation is not None:
        sql += " AND c.id <> %s"
        params.append(exclude_conversation)
    return sql, params


# PostgreSQL cannot read a GIN index in id order, and its planner guesses how many rows a text
# query matches from sampled statistics. Left to itself it walks the primary key backwards and
# computes to_tsvector() for every row until LIMIT is reached: milliseconds for a common word,
# but 20 s over 2 M messages when a rarer combination was guessed common. So the search is done
# in id windows, newest first: the newest _RECENT rows by the key walk (bounded; a frequent
# term's density then says how much further to walk, at most _WALK_MAX rows), then older
# windows through the GIN index only, until ``limit`` are found (docs/benchmarks.md).
_RECENT = 1_000
_WALK_MAX = 4_000
_WINDOWS = (200_000, 2_000_000, None)


def _postgres_windows(
    base: str, base_params: list[Any], limit: int, before_id: int | None
) -> list[int]:
    sql = base + " AND m.id >= %s AND m.id < %s ORDER BY m.id DESC LIMIT %s"
    found: list[int] = []
    with connection.cursor() as cursor:
        if before_id is None:
            cursor.execute(f"SELECT MAX(id) FROM {table(Message)}")
            before_id = int(cursor.fetchone()[0] or 0) + 1
        low = max(before_id - _RECENT, 0)
        cursor.execute(sql, [*base_params, low, before_id, limit])
        found += [row[0] for row in cursor.fetchall()]
        if 0 < len(found) < limit:  # a frequent term: walk on as far as its density suggests
            need = (limit - len(found)) * _RECENT * 3 // (len(found) * 2)
            if need <= _WALK_MAX:
                high, low = low, max(low - need, 0)
                cursor.execute(sql, [*base_params, low, high, limit - len(found)])
                found += [row[0] for row in cursor.fetchall()]
        for size in _WINDOWS:
            if len(found) >= limit or low <= 0:
                break
            high, low = low, max(low - size, 0) if size else 0
            with transaction.atomic():
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL enable_seqscan = off")
                try:
                    cursor.execute(sql, [*base_params, low, high, limit - len(found)])
                    found += [row[0] for row in cursor.fetchall()]
                finally:
                    cursor.execute("RESET enable_indexscan")
                    cursor.execute("RESET enable_seqscan")
    return found[:limit]


def search_customer_ids(seat: Seat, terms: list[Term], *, limit: int = 20) -> list[int]:
    """Customers whose name or any identity's handle or name matches, newest first."""
    if not terms:
        return []
    cu, ident = table(Customer), table(Identity)
    ws = column(Customer, "workspace")
    found: list[int] = []
    params: list[Any]
    if connection.vendor == "sqlite":
        q = fts5(terms)
        by_name = (
            f"SELECT cu.id AS hit FROM {CUSTOMER_FTS} JOIN {cu} cu ON cu.id = {CUSTOMER_FTS}.rowid "
            f"WHERE {CUSTOMER_FTS} MATCH %s AND cu.{ws} = %s"
        )
        by_handle = (
            f"SELECT i.customer_id AS hit FROM {IDENTITY_FTS} "
            f"JOIN {ident} i ON i.id = {IDENTITY_FTS}.rowid "
            f"JOIN {cu} cu ON cu.id = i.customer_id "
            f"WHERE {IDENTITY_FTS} MATCH %s AND cu.{ws} = %s"
        )
    else:
        q = tsquery(terms)
        name_doc = postgres_document(("display_name",), "cu")
        handle_doc = postgres_document(("handle", "display_name"), "i")
        by_name = (
            f"SELECT cu.id AS hit FROM {cu} cu WHERE to_tsvector('simple', {name_doc}) "
            f"@@ to_tsquery('simple', %s) AND cu.{ws} = %s"
        )
        by_handle = (
            f"SELECT i.customer_id AS hit FROM {ident} i JOIN {cu} cu ON cu.id = i.customer_id "
            f"WHERE to_tsvector('simple', {handle_doc}) @@ to_tsquery('simple', %s) "
            f"AND cu.{ws} = %s"
        )
    for base in (by_name, by_handle):
        params = [q, seat.workspace.pk]
        sql = base
        if seat.channel_ids is not None:
            sql += (
                f" AND EXISTS (SELECT 1 FROM {ident} v WHERE v.customer_id = cu.id"
                + _channel_clause(seat, "v", params)
                + ")"
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT hit FROM ({sql}) hits ORDER BY hit DESC LIMIT %s", [*params, limit]
            )
            for (pk,) in cursor.fetchall():
                if pk not in found:
                    found.append(pk)
    return sorted(found, reverse=True)[:limit]
