"""Full-text reads: messages and customers matching a query, within what a seat may see.

Results come newest first (by id, which follows arrival), which both databases serve from the
index without ranking every match: an agent searching "refund" in two million messages wants
the latest cases, and gets them in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from rippledesk.conversations.models import Conversation, Direction, Message
from rippledesk.conversations.search.ddl import (
    CUSTOMER_FTS,
    IDENTITY_FTS,
    MESSAGE_DOCUMENT,
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
        where = f"m.{MESSAGE_DOCUMENT} @@ to_tsquery('simple', %s)"
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
# query matches from sampled statistics. Left to itself it walks the primary key backwards
# testing every row until LIMIT is reached (fine for a common word, the whole table for a rare
# one), or builds a GIN bitmap of every match in the table (fine for a rare word, 50-150 ms for
# a middling one or a phrase of common words). So the search is done in id windows, newest
# first: the newest _RECENT rows by the key walk (bounded: the stored document makes a row's
# test about 0.3 µs), as much further as a frequent term's density suggests (at most
# _WALK_MAX rows), then the older rows through the GIN index only, until ``limit`` are found
# (docs/benchmarks.md, docs/adr/0004-stored-search-document-on-postgresql.md).
_RECENT = 20_000
_WALK_MAX = 100_000
_WINDOWS = (200_000, 2_000_000, None)


@contextmanager
def _planner_without(cursor: Any, *plans: str) -> Iterator[None]:
    """Within it, PostgreSQL's planner may not use ``plans`` (``bitmapscan``, ``indexscan``...)."""
    with transaction.atomic():
        for plan in plans:
            cursor.execute(f"SET LOCAL enable_{plan} = off")
        try:
            yield
        finally:
            for plan in plans:
                cursor.execute(f"RESET enable_{plan}")


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
        with _planner_without(cursor, "bitmapscan", "seqscan"):  # the key walk, bounded
            cursor.execute(sql, [*base_params, low, before_id, limit])
            found += [row[0] for row in cursor.fetchall()]
            if 0 < len(found) < limit:  # a frequent term: on as far as its density suggests
                need = (limit - len(found)) * _RECENT * 3 // (len(found) * 2)
                if need <= _WALK_MAX:
                    high, low = low, max(low - need, 0)
                    cursor.execute(sql, [*base_params, low, high, limit - len(found)])
                    found += [row[0] for row in cursor.fetchall()]
        # None found at all: a rare term, few GIN matches, one bitmap for all the older rows.
        # Some: the older matches are many, fetched window by window (each bitmap is ANDed
        # with the window's key range), newest first.
        for size in _WINDOWS if found else (None,):
            if len(found) >= limit or low <= 0:
                break
            high, low = low, max(low - size, 0) if size else 0
            with _planner_without(cursor, "indexscan", "seqscan"):  # the GIN index only
                cursor.execute(sql, [*base_params, low, high, limit - len(found)])
                found += [row[0] for row in cursor.fetchall()]
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
        if connection.vendor == "sqlite":
            hits = _newest(f"SELECT hit FROM ({sql}) hits", params, limit)
        else:
            hits = _postgres_customers(sql, params, limit)
        found += [pk for pk in hits if pk not in found]
    return sorted(found, reverse=True)[:limit]


def _newest(sql: str, params: list[Any], limit: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY hit DESC LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


# As for messages (above), PostgreSQL's planner may walk the customer key backwards computing
# to_tsvector() per row when it guesses a term common: 0.3-0.6 s for a prefix such as "will".
# So the newest _RECENT_CUSTOMERS customers are searched by the key walk (bounded), and the
# rest, when that found too few, through the GIN index only.
_RECENT_CUSTOMERS = 2_000


def _postgres_customers(sql: str, params: list[Any], limit: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table(Customer)}")
        bound = int(cursor.fetchone()[0] or 0) - _RECENT_CUSTOMERS
    found = _newest(f"SELECT hit FROM ({sql} AND cu.id > %s) hits", [*params, bound], limit)
    if len(found) >= limit or bound <= 0:
        return found
    with connection.cursor() as cursor, _planner_without(cursor, "indexscan", "seqscan"):
        older = f"SELECT hit FROM ({sql} AND cu.id <= %s) hits"
        found += _newest(older, [*params, bound], limit - len(found))
    return found
