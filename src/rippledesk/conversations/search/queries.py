"""Full-text reads: messages and customers matching a query, within what a seat may see.

Results come newest first (by id, which follows arrival), which both databases serve from the
index without ranking every match: an agent searching "refund" in two million messages wants
the latest cases, and gets them in milliseconds.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

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
    if not terms:
        return []
    m, c = table(Message), table(Conversation)
    direction = column(Message, "direction")
    conv = column(Message, "conversation")
    workspace = column(Conversation, "workspace")
    if connection.vendor == "sqlite":
        match_from = f"{MESSAGE_FTS} JOIN {m} m ON m.id = {MESSAGE_FTS}.rowid"
        where = f"{MESSAGE_FTS} MATCH %s"
        order = f"{MESSAGE_FTS}.rowid DESC"
        query: Any = fts5(terms)
    else:
        match_from = f"{m} m"
        document = postgres_document(("body",), "m")
        where = f"to_tsvector('simple', {document}) @@ to_tsquery('simple', %s)"
        order = "m.id DESC"
        query = tsquery(terms)
    params: list[Any] = [query, seat.workspace.pk, Direction.SYSTEM.value]
    sql = (
        f"SELECT m.id FROM {match_from} JOIN {c} c ON c.id = m.{conv} "
        f"WHERE {where} AND c.{workspace} = %s AND m.{direction} <> %s"
    )
    sql += _channel_clause(seat, "c", params)
    if before_id is not None:
        sql += " AND m.id < %s"
        params.append(before_id)
    sql += f" ORDER BY {order} LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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
            f"SELECT cu.id AS id FROM {CUSTOMER_FTS} JOIN {cu} cu ON cu.id = {CUSTOMER_FTS}.rowid "
            f"WHERE {CUSTOMER_FTS} MATCH %s AND cu.{ws} = %s"
        )
        by_handle = (
            f"SELECT i.customer_id AS id FROM {IDENTITY_FTS} "
            f"JOIN {ident} i ON i.id = {IDENTITY_FTS}.rowid "
            f"JOIN {cu} cu ON cu.id = i.customer_id "
            f"WHERE {IDENTITY_FTS} MATCH %s AND cu.{ws} = %s"
        )
    else:
        q = tsquery(terms)
        name_doc = postgres_document(("display_name",), "cu")
        handle_doc = postgres_document(("handle", "display_name"), "i")
        by_name = (
            f"SELECT cu.id AS id FROM {cu} cu WHERE to_tsvector('simple', {name_doc}) "
            f"@@ to_tsquery('simple', %s) AND cu.{ws} = %s"
        )
        by_handle = (
            f"SELECT i.customer_id AS id FROM {ident} i JOIN {cu} cu ON cu.id = i.customer_id "
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
                f"SELECT id FROM ({sql}) AS hits ORDER BY id DESC LIMIT %s", [*params, limit]
            )
            for (pk,) in cursor.fetchall():
                if pk not in found:
                    found.append(pk)
    return sorted(found, reverse=True)[:limit]
