"""Set-based SQL for bulk paths, portable between SQLite and PostgreSQL.

Per-row ORM saves cost tens of microseconds each; imports of millions of rows use these
helpers instead. Both backends understand ``INSERT ... ON CONFLICT (...) DO NOTHING`` and
``RETURNING``, which is all we rely on.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from django.db import IntegrityError, connection, models

from rippledesk.core.pgcopy import copy_insert_returning
from rippledesk.core.readahead import writing


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], field_name: str) -> str:
    """The quoted database column behind a concrete model field."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{field_name} is not a concrete column")
    return connection.ops.quote_name(field.column)


# "HH:MM:" for every minute of the day and "SS" for every second; with a cache of dates, the
# text of a time is three concatenations instead of ``isoformat``, which formats through
# ``PyUnicode_FromFormat`` and measured 2-5 us per call on the benchmark machine.
_HOURS_MINUTES = [f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60)]
_SECONDS = [f"{second:02d}" for second in range(60)]
_DAYS: dict[int, str] = {}


def sqlite_datetime_text(value: datetime) -> str:
    """The text Django's SQLite backend stores for a datetime: naive UTC, ISO with a space.

    ``YYYY-MM-DD HH:MM:SS`` plus ``.ffffff`` when there are microseconds, exactly what
    ``str(value)`` gives after conversion to naive UTC, so the ORM reads rows back unchanged.
    """
    if value.tzinfo is not None and value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    ordinal = value.toordinal()
    day = _DAYS.get(ordinal)
    if day is None:
        if len(_DAYS) >= 100_000:
            _DAYS.clear()
        day = _DAYS[ordinal] = value.date().isoformat() + " "
    text = day + _HOURS_MINUTES[value.hour * 60 + value.minute] + _SECONDS[value.second]
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text


def _adapt_for_sqlite(value: Any) -> Any:
    # Django stores SQLite datetimes as naive UTC text; doing the same here without its
    # per-value connection lookups is a large share of import speed.
    if isinstance(value, datetime):
        return sqlite_datetime_text(value)
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


@contextlib.contextmanager
def bulk_cursor() -> Iterator[tuple[Any, str]]:
    """A DB-API cursor for large bulk statements, and the placeholder its driver takes.

    On SQLite this is the raw ``sqlite3`` cursor of Django's connection, with ``?``
    placeholders. Django's cursor wrapper rewrites every ``%s`` to ``?`` with a regex over the
    whole statement (a 30,000-parameter ``INSERT`` is a 100 kB string), copies ``executemany``
    parameters through ``itertools.tee`` and runs its instrumentation hooks per call; on imports
    of hundreds of thousands of rows that is a measurable share of the time. The statements
    still run inside Django's transaction (same connection), and database errors are still
    translated to ``django.db`` exceptions.

    Whenever execute wrappers are installed (query counters in tests, profilers such as
    ``benchmarks/ingest_profile.py``), and on PostgreSQL, Django's own cursor is used so those
    see every statement.
    """
    if connection.vendor != "sqlite" or connection.execute_wrappers:
        with connection.cursor() as cursor:
            yield cursor, "%s"
        return
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    raw = connection.connection.cursor()
    try:
        with connection.wrap_database_errors:
            yield raw, "?"
    finally:
        raw.close()


def _row_marks(mark: str, width: int) -> str:
    return "(" + ", ".join([mark] * width) + ")"


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
    params = _adapted(model, fields, rows)
    with bulk_cursor() as (cursor, mark):
        cursor.executemany(
            f"INSERT INTO {table(model)} ({columns}) VALUES {_row_marks(mark, len(fields))} "
            f"ON CONFLICT ({conflict}) DO NOTHING",
            params,
        )
        return max(int(cursor.rowcount), 0)


def insert_returning(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str],
    conflict_fields: Sequence[str] = (),
    *,
    adapt: bool = True,
) -> list[tuple[Any, ...]]:
    """Insert rows with multi-row ``INSERT ... RETURNING``; return the ``returning`` columns.

    With ``conflict_fields``, rows colliding on them are skipped (``ON CONFLICT DO NOTHING``)
    and return nothing, so callers learn exactly which rows are new. Rows come back in VALUES
    order on both backends (Django's ``bulk_create`` relies on the same behaviour), but callers
    that skip conflicts should match rows by the returned key columns (on PostgreSQL those
    go through ``COPY``, see ``pgcopy``, and come back in no set order). ``adapt=False`` says
    the rows already hold backend-ready values (see ``adapter``).
    """
    found: list[tuple[Any, ...]] = []
    if not rows:
        return found
    if conflict_fields and connection.vendor == "postgresql":
        return copy_insert_returning(
            model,
            [column(model, name) for name in fields],
            _adapted(model, fields, rows) if adapt else rows,
            [column(model, name) for name in returning],
            [column(model, name) for name in conflict_fields],
        )
    columns = ", ".join(column(model, name) for name in fields)
    returned = ", ".join(column(model, name) for name in returning)
    on_conflict = ""
    if conflict_fields:
        conflict = ", ".join(column(model, name) for name in conflict_fields)
        on_conflict = f" ON CONFLICT ({conflict}) DO NOTHING"
    # SQLite allows 32,766 bound variables per statement; stay well below it.
    chunk = max(1, 30_000 // len(fields))
    with bulk_cursor() as (cursor, mark):
        # OR IGNORE: see _check_ignored. Without it SQLite keeps a statement journal (a copy of
        # every page the statement changes, in a temporary file) for each multi-row insert in
        # case a NOT NULL or CHECK constraint aborts it half-way.
        ignore = " OR IGNORE" if connection.vendor == "sqlite" else ""
        head = f"INSERT{ignore} INTO {table(model)} ({columns}) VALUES "
        tail = f"{on_conflict} RETURNING {returned}"
        marks = _row_marks(mark, len(fields))
        start = 0
        for size in _piece_sizes(len(rows), chunk):
            part = rows[start : start + size]
            start += size
            if adapt:
                part = _adapted(model, fields, part)
            with writing():
                cursor.execute(
                    _values_statement(head, marks, size, tail), list(chain.from_iterable(part))
                )
            found.extend(tuple(row) for row in cursor.fetchall())
    if len(found) != len(rows) and connection.vendor == "sqlite":
        _check_ignored(model, fields, rows, conflict_fields, adapt)
    return found


def _check_ignored(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_fields: Sequence[str],
    adapt: bool,
) -> None:
    """Refuse rows that ``INSERT OR IGNORE`` skipped for any reason but an existing key.

    ``OR IGNORE`` also skips rows that break a NOT NULL, CHECK or another UNIQUE constraint,
    where a plain insert would fail. Those rows are bugs in the caller, and must fail as loudly:
    every row's conflict key has to exist once the statement ran, and without a conflict key
    every row has to be inserted.
    """
    name = model._meta.db_table
    if not conflict_fields:
        raise IntegrityError(f"{name}: {len(rows)} rows given, some refused by a constraint")
    where = [list(fields).index(field) for field in conflict_fields]
    values = _adapted(model, fields, rows) if adapt else rows
    keys = list({tuple(row[i] for i in where) for row in values})
    columns = ", ".join(column(model, field) for field in conflict_fields)
    width = len(conflict_fields)
    found = 0
    with bulk_cursor() as (cursor, mark):
        step = max(1, 30_000 // width)
        for start in range(0, len(keys), step):
            part = keys[start : start + step]
            cursor.execute(
                f"SELECT COUNT(*) FROM {table(model)} WHERE ({columns}) IN "
                f"(VALUES {', '.join([_row_marks(mark, width)] * len(part))})",
                [value for key in part for value in key],
            )
            found += int(cursor.fetchone()[0])
    if found != len(keys):
        raise IntegrityError(
            f"{name}: {len(keys) - found} rows refused by a constraint other than the "
            f"uniqueness of ({', '.join(conflict_fields)})"
        )


def _piece_sizes(total: int, chunk: int) -> Iterator[int]:
    """Statement sizes covering ``total`` rows: full chunks, then the rest in powers of two.

    A batch's last statement would otherwise have a new number of rows every time, and SQLite
    would parse a statement of thousands of parameters anew per batch (5% of an import's
    time). With these sizes only a few statement texts exist, and the driver's statement cache
    reuses them.
    """
    full, rest = divmod(total, chunk)
    yield from [chunk] * full
    bit = 1 << rest.bit_length()
    while rest:
        bit >>= 1
        if rest & bit:
            rest -= bit
            yield bit


@functools.lru_cache(maxsize=64)
def _values_statement(head: str, marks: str, rows: int, tail: str) -> str:
    """``head`` + ``rows`` copies of ``marks`` + ``tail``; the same string object each time."""
    return head + ", ".join([marks] * rows) + tail


def insert_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert rows and return their new primary keys in input order."""
    pk = model._meta.pk.name
    return [int(row[0]) for row in insert_returning(model, fields, rows, (pk,))]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Plain multi-row insert for tables without a natural key (staging, problem lists)."""
    if not rows:
        return
    columns = ", ".join(column(model, name) for name in fields)
    with bulk_cursor() as (cursor, mark):
        cursor.executemany(
            f"INSERT INTO {table(model)} ({columns}) VALUES {_row_marks(mark, len(fields))}",
            _adapted(model, fields, rows),
        )


def select_by_keys(
    model: type[models.Model],
    scope_field: str,
    key_field: str,
    keys: Iterable[tuple[int, str]],
    value_fields: Sequence[str],
    *,
    since: tuple[str, datetime] | None = None,
) -> dict[tuple[int, str], tuple[Any, ...]]:
    """Look rows up by a (scope id, key) pair, e.g. (channel account, external id).

    Returns ``{(scope, key): (value, ...)}`` for the rows that exist, and with ``since``
    (a datetime field and a moment) only those whose field is at or after the moment. Raw SQL
    because imports call this a few times per batch with thousands of keys, where the ORM's
    per-row cost shows.
    """
    by_scope: dict[int, list[str]] = {}
    for scope, key in keys:
        by_scope.setdefault(scope, []).append(key)
    selected = ", ".join(column(model, name) for name in (key_field, *value_fields))
    found: dict[tuple[int, str], tuple[Any, ...]] = {}
    with bulk_cursor() as (cursor, mark):
        after, after_params = "", []
        if since is not None:
            after, after_params = f" AND {column(model, since[0])} >= {mark}", [adapter()(since[1])]
        for scope, scope_keys in by_scope.items():
            for start in range(0, len(scope_keys), 900):
                part = scope_keys[start : start + 900]
                marks = ", ".join([mark] * len(part))
                cursor.execute(
                    f"SELECT {selected} FROM {table(model)} "
                    f"WHERE {column(model, scope_field)} = {mark} "
                    f"AND {column(model, key_field)} IN ({marks}){after}",
                    [scope, *part, *after_params],
                )
                for key, *values in cursor.fetchall():
                    found[(scope, str(key))] = tuple(values)
    return found


def insert_new_returning_ids(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_fields: Sequence[str],
    *,
    adapt: bool = True,
) -> list[int]:
    """Insert rows, skipping conflicts on ``conflict_fields``; return the ids of rows added.

    One multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` per chunk tells exactly
    which rows are new, which callers need to hand those rows on (e.g. to analysis).
    """
    pk = model._meta.pk.name
    added = insert_returning(model, fields, rows, (pk,), conflict_fields, adapt=adapt)
    return [int(row[0]) for row in added]


@contextlib.contextmanager
def bulk_load_session() -> Iterator[None]:
    """Tune the connection for a long bulk load and put it back afterwards.

    SQLite: larger page caches and rarer WAL checkpoints, so each batch's commit does not
    rewrite thousands of random index pages and fsync them (the WAL is checkpointed once at the
    end), and no foreign-key checks (see below).
    PostgreSQL: asynchronous commit for this session only; a crash can lose the last
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
            cursor.execute("PRAGMA temp.cache_size")
            temp_cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA wal_autocheckpoint")
            autocheckpoint = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -131072")
            # Staging tables live in the temp database, whose cache is separate (2 MiB by
            # default); a bounded larger one keeps them off the temp file without letting
            # memory grow with the input, as temp_store=MEMORY would.
            cursor.execute("PRAGMA temp.cache_size = -65536")
            cursor.execute("PRAGMA wal_autocheckpoint = 50000")
            cursor.execute("PRAGMA foreign_keys")
            foreign_keys = cursor.fetchone()[0]
            # Every id a bulk writer stores it read or got back from an insert inside the same
            # write transaction, and SQLite has one writer at a time, so no parent can vanish
            # in between; checking each reference anyway costs a B-tree search per foreign key
            # per row (about 5% of a CSV import). Tests run inside transactions, where this
            # session changes nothing, so there the checks stay on.
            cursor.execute("PRAGMA foreign_keys = OFF")
            try:
                yield
            finally:
                cursor.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
                cursor.execute(f"PRAGMA temp.cache_size = {int(temp_cache_size)}")
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
