"""Set-based SQL for bulk paths, portable between SQLite and PostgreSQL.

Per-row ORM saves cost tens of microseconds each; imports of millions of rows use these
helpers instead. Both backends understand ``INSERT ... ON CONFLICT (...) DO NOTHING`` and
``RETURNING``, which is all we rely on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], field_name: str) -> str:
    """The quoted database column behind a concrete model field."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{field_name} is not a concrete column")
    return connection.ops.quote_name(field.column)


def adapt(value: Any) -> Any:
    """Turn a Python value into what the raw DB-API driver of the current backend accepts."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def insert_ignoring_conflicts(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_fields: Sequence[str],
) -> int:
    """Insert rows, skipping those that collide on ``conflict_fields``; return how many landed."""
    if not rows:
        return 0
    columns = ", ".join(column(model, name) for name in fields)
    conflict = ", ".join(column(model, name) for name in conflict_fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {table(model)} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({conflict}) DO NOTHING"
    )
    params = [[adapt(value) for value in row] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return max(int(cursor.rowcount), 0)


def insert_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert rows in one statement and return their new primary keys in input order.

    Both backends return rows of a multi-row ``INSERT ... RETURNING`` in VALUES order; Django's
    own ``bulk_create`` relies on the same behaviour.
    """
    ids: list[int] = []
    if not rows:
        return ids
    columns = ", ".join(column(model, name) for name in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    # SQLite allows 32,766 bound variables per statement; stay well below it.
    chunk = max(1, 30_000 // len(fields))
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(part))
        params = [adapt(value) for row in part for value in row]
        sql = f"INSERT INTO {table(model)} ({columns}) VALUES {values} RETURNING {pk}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids.extend(int(row[0]) for row in cursor.fetchall())
    return ids


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Plain multi-row insert for tables without a natural key (staging, problem lists)."""
    if not rows:
        return
    columns = ", ".join(column(model, name) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table(model)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[adapt(value) for value in row] for row in rows])
