"""PostgreSQL bulk inserts through ``COPY``.

A multi-row ``INSERT ... VALUES`` of thousands of rows makes the server parse and plan a
statement with tens of thousands of parameters, and the client build and send them one by one.
``COPY`` streams rows in the text format instead, into a per-session temporary table, and one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`` moves them into the real table with
the same idempotent semantics as the ``VALUES`` form. Rows come back in no guaranteed order, so
this path is only for callers that match returned rows by key (or only need ids).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def copy_insert_returning(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str],
    conflict: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (quoted ``columns``), skipping conflicts; return the new rows' columns."""
    target = connection.ops.quote_name(model._meta.db_table)
    buffer = connection.ops.quote_name(f"rd_copy_{model._meta.db_table}")
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        # Created once per session, empty and constraint-free, with the target's column types.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {buffer} AS "
            f"SELECT {names} FROM {target} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {buffer}")
        with cursor.cursor.copy(f"COPY {buffer} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {buffer} "
            f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING {', '.join(returning)}"
        )
        found = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(f"TRUNCATE {buffer}")
    return found
