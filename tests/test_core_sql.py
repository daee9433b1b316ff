"""Bulk SQL helpers: the raw SQLite path stores what the ORM would, and reads back the same."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from rippledesk.channels.models import ChannelAccount
from rippledesk.core.sql import (
    _piece_sizes,
    bulk_cursor,
    insert_returning,
    sqlite_datetime_text,
)
from rippledesk.customers.models import Customer
from rippledesk.workspaces.actions import do_get_or_create_workspace


def test_sqlite_datetime_text_matches_djangos_own_adaptation() -> None:
    rng = random.Random(7)
    start = datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    zones = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    for _ in range(2000):
        moment = start + timedelta(seconds=rng.randrange(10**9), microseconds=rng.randrange(2))
        moment = moment.astimezone(rng.choice(zones))
        naive_utc = moment.astimezone(UTC).replace(tzinfo=None)
        assert sqlite_datetime_text(moment) == str(naive_utc)
    assert sqlite_datetime_text(datetime(2015, 2, 3, 4, 5, 6)) == "2015-02-03 04:05:06"
    assert sqlite_datetime_text(datetime(2015, 2, 3, 4, 5, 6, 7, tzinfo=UTC)) == (
        "2015-02-03 04:05:06.000007"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("instrumented", [False, True])
def test_bulk_insert_reads_back_through_the_orm(instrumented: bool) -> None:
    """Same rows through the raw cursor and through Django's (used when wrappers are set)."""
    workspace = do_get_or_create_workspace("sql")
    moment = datetime(2017, 10, 31, 22, 10, 47, 120, tzinfo=UTC)
    rows = [(workspace.pk, f"name {n}", "", "", moment, moment) for n in range(3)]
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    fields = ("workspace", "display_name", "email", "notes", "created_at", "updated_at")
    if instrumented:
        with connection.execute_wrapper(wrapper):
            added = insert_returning(Customer, fields, rows, ("id", "display_name"))
        assert any("customers_customer" in sql for sql in seen)
    else:
        added = insert_returning(Customer, fields, rows, ("id", "display_name"))
    assert [name for _, name in added] == ["name 0", "name 1", "name 2"]
    stored = Customer.objects.get(pk=added[1][0])
    assert stored.created_at == moment and stored.display_name == "name 1"


@pytest.mark.django_db
def test_bulk_insert_skips_conflicts_and_returns_only_new_rows() -> None:
    workspace = do_get_or_create_workspace("sql")
    fields = ("workspace", "kind", "name", "config", "created_at", "updated_at")
    now = datetime.now(UTC)
    first = insert_returning(
        ChannelAccount,
        fields,
        [(workspace.pk, "x", "a", {}, now, now)],
        ("name",),
        ("workspace", "kind", "name"),
    )
    again = insert_returning(
        ChannelAccount,
        fields,
        [(workspace.pk, "x", "a", {}, now, now), (workspace.pk, "x", "b", {}, now, now)],
        ("name",),
        ("workspace", "kind", "name"),
    )
    assert first == [("a",)] and again == [("b",)]
    with bulk_cursor() as (cursor, mark):
        cursor.execute(
            f"SELECT COUNT(*) FROM channels_channelaccount WHERE name IN ({mark}, {mark})",
            ["a", "b"],
        )
        assert cursor.fetchone()[0] == 2


@pytest.mark.django_db
def test_bulk_cursor_is_the_raw_driver_cursor_on_sqlite_unless_instrumented() -> None:
    with bulk_cursor() as (_, mark):
        assert mark == ("?" if connection.vendor == "sqlite" else "%s")

    def passthrough(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        return execute(sql, params, many, context)

    with connection.execute_wrapper(passthrough), bulk_cursor() as (_, mark):
        assert mark == "%s"


def test_statement_sizes_cover_every_row_with_few_shapes() -> None:
    shapes: set[int] = set()
    for total in range(5000):
        sizes = list(_piece_sizes(total, 2307))
        assert sum(sizes) == total
        shapes.update(sizes)
    assert len(shapes) <= 13  # the full chunk and the powers of two below it
