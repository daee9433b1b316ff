"""Set-based SQL for bulk paths, portable between SQLite and PostgreSQL.

Per-row ORM saves cost tens of microseconds each; imports of millions of rows use these
helpers instead. Both backends understand ``INSERT ... ON CONFLICT (...) DO NOTHING`` and
``RETURNING``, which is all we rely on.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
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


def _adapt_for_sqlite(value: Any) -> Any:
    # Django stores SQLite datetimes as naive UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]"); doing
    # the same here without its per-value connection lookups is a large share of import speed.
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat(" ")
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return value.isoformat(" ")[:-6]  # drop the "+00:00" suffix
    return value


def _identity(value: Any) -> Any:
    return value


def adapter() -> Callable[[Any], Any]:
    """A function turning Python values into what the current backend's DB-API driver takes.

    Only datetimes need care: psycopg takes aware datetimes as they are.
    """
    return _adapt_for_sqlite if connection.vendor == "sqlite" else _identity


def adapt_rows(
    rows: Sequence[Sequence[Any]],
    datetime_columns: Sequence[int] | None = None,
    json_columns: Sequence[int] = (),
) -> list[list[Any]]:
    """Rows ready for ``executemany`` on the current backend.

    ``datetime_columns`` names the positions that may hold datetimes (all positions when None);
    converting only those, and each repeated value once, keeps this off the import profile.
    ``json_columns`` hold Python values for JSON columns; both drivers take them as JSON text.
    """
    params = [list(row) for row in rows]
    for position in json_columns:
        for row in params:
            row[position] = json.dumps(row[position], ensure_ascii=False)
    if adapter() is _identity or not params:
        return params
    positions = range(len(params[0])) if datetime_columns is None else datetime_columns
    for position in positions:
        last: Any = None
        converted: Any = None
        for row in params:
            value = row[position]
            if value is not last:
                last, converted = value, _adapt_for_sqlite(value)
            row[position] = converted
    return params


def _json_positions(model: type[models.Model], fields: Sequence[str]) -> list[int]:
    return [
        index
        for index, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), models.JSONField)
    ]


def _adapted(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[list[Any]]:
    return adapt_rows(rows, _datetime_positions(model, fields), _json_positions(model, fields))


def _datetime_positions(model: type[models.Model], fields: Sequence[str]) -> list[int]:
    return [
        index
        for index, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), models.DateTimeField)
    ]


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
    params = _adapted(model, fields, rows)
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
        params = [value for row in _adapted(model, fields, part) for value in row]
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
        cursor.executemany(sql, _adapted(model, fields, rows))


def select_by_keys(
    model: type[models.Model],
    scope_field: str,
    key_field: str,
    keys: Iterable[tuple[int, str]],
    value_fields: Sequence[str],
) -> dict[tuple[int, str], tuple[Any, ...]]:
    """Look rows up by a (scope id, key) pair, e.g. (channel account, external id).

    Returns ``{(scope, key): (value, ...)}`` for the rows that exist. Raw SQL because imports
    call this twice per batch with thousands of keys, where the ORM's per-row cost shows.
    """
    by_scope: dict[int, list[str]] = {}
    for scope, key in keys:
        by_scope.setdefault(scope, []).append(key)
    selected = ", ".join(column(model, name) for name in (key_field, *value_fields))
    found: dict[tuple[int, str], tuple[Any, ...]] = {}
    with connection.cursor() as cursor:
        for scope, scope_keys in by_scope.items():
            for start in range(0, len(scope_keys), 900):
                part = scope_keys[start : start + 900]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(
                    f"SELECT {selected} FROM {table(model)} "
                    f"WHERE {column(model, scope_field)} = %s AND {column(model, key_field)} "
                    f"IN ({marks})",
                    [scope, *part],
                )
                for key, *values in cursor.fetchall():
                    found[(scope, str(key))] = tuple(values)
    return found


def insert_new_returning_ids(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_fields: Sequence[str],
) -> list[int]:
    """Insert rows, skipping conflicts on ``conflict_fields``; return the ids of rows added.

    One multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` per chunk tells exactly
    which rows are new, which callers need to hand those rows on (e.g. to analysis).
    """
    ids: list[int] = []
    if not rows:
        return ids
    columns = ", ".join(column(model, name) for name in fields)
    conflict = ", ".join(column(model, name) for name in conflict_fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    chunk = max(1, 30_000 // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = _adapted(model, fields, rows[start : start + chunk])
            values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(part))
            cursor.execute(
                f"INSERT INTO {table(model)} ({columns}) VALUES {values} "
                f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {pk}",
                [value for row in part for value in row],
            )
            ids.extend(int(row[0]) for row in cursor.fetchall())
    return ids


@contextlib.contextmanager
def bulk_load_session() -> Iterator[None]:
    """Tune the connection for a long bulk load and put it back afterwards.

    SQLite: a larger page cache and rarer WAL checkpoints, so each batch's commit does not
    rewrite thousands of random index pages and fsync them (the WAL is checkpointed once at the
    end). PostgreSQL: asynchronous commit for this session only; a crash can lose the last
    batches, never corrupt data, and imports are idempotent, so re-running recovers them.
    """
    if connection.in_atomic_block:
        # Inside a caller's transaction (tests, nested use) session settings are not ours to
        # change, and SQLite refuses a checkpoint there.
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA wal_autocheckpoint")
            autocheckpoint = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -131072")
            cursor.execute("PRAGMA wal_autocheckpoint = 50000")
            try:
                yield
            finally:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO off")
            try:
                yield
            finally:
                cursor.execute("RESET synchronous_commit")
        else:
            yield
