"""Pagination for every list: ``{"items": [...], "next_cursor": "..." | null}``.

Cursors are opaque to clients: the sort values of the last row, base64url JSON. A list is paged
by its own order (keyset), so a page deep in the list costs what the first costs and rows
arriving meanwhile neither repeat nor vanish. The conversation list uses the inbox's cursor
(``conversations.inbox``); the other lists use :func:`keyset` here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from ninja.params.functions import Path, Query

from rippledesk.core.errors import InvalidInput

PAGE_MAX = 100
PAGE_DEFAULT = 50
CURSOR_MAX = 300

Limit = Annotated[
    int, Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description=f"Items per page, 1 to {PAGE_MAX}.")
]
CursorParam = Annotated[
    str | None,
    Query(None, description="The next_cursor of the previous page; omit for the first page."),
]

# Largest id a 64-bit primary key holds: bigger numbers are refused as input, not sent to the
# database (where they would overflow).
ID_MAX = 2**63 - 1
Id = Annotated[int, Path(..., ge=1, le=ID_MAX)]

# (field, descending); the last field must be unique so the order is total.
Order = tuple[tuple[str, bool], ...]
M = TypeVar("M", bound=Model)


def _bad_cursor() -> InvalidInput:
    return InvalidInput("The page cursor is not valid; start from the first page.", field="cursor")


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _typed(value: Any, kind: type) -> Any:
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError("datetime")
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= ID_MAX:
            raise ValueError("int")
        return value
    if not isinstance(value, kind):
        raise ValueError(kind.__name__)
    return value


def decode_cursor(token: str | None, kinds: Sequence[type]) -> tuple[Any, ...] | None:
    """The values in ``token`` (one per ``kinds``); None if absent; InvalidInput if mangled."""
    if not token:
        return None
    try:
        if len(token) > CURSOR_MAX:
            raise ValueError("long")
        items = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(items, list) or len(items) != len(kinds):
            raise ValueError("shape")
        return tuple(_typed(v, k) for v, k in zip(items, kinds, strict=True))
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        raise _bad_cursor() from None


def _after(order: Order, values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``order``."""
    q = Q()
    equal: dict[str, Any] = {}
    for (name, desc), value in zip(order, values, strict=True):
        q |= Q(**equal, **{f"{name}__{'lt' if desc else 'gt'}": value})
        equal[name] = value
    return q


def keyset(
    rows: QuerySet[M], order: Order, kinds: Sequence[type], cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of ``rows`` in ``order`` after ``cursor``, and the cursor of the next page."""
    values = decode_cursor(cursor, kinds)
    ordered = rows.order_by(*[("-" if desc else "") + name for name, desc in order])
    if values is not None:
        ordered = ordered.filter(_after(order, values))
    found = list(ordered[: limit + 1])
    page = found[:limit]
    more = len(found) > limit and page
    next_cursor = encode_cursor([_value(page[-1], n) for n, _ in order]) if more else None
    return page, next_cursor


def _value(row: Model, dotted: str) -> Any:
    value: Any = row
    for part in dotted.split("__"):
        value = getattr(value, part)
    return value


def id_page(ids: Sequence[int], cursor: str | None, limit: int) -> tuple[list[int], str | None]:
    """A page of ids already sorted newest (highest) first, after the cursor's id."""
    values = decode_cursor(cursor, (int,))
    rest = [i for i in ids if values is None or i < values[0]]
    page = rest[:limit]
    return page, encode_cursor([page[-1]]) if len(rest) > limit and page else None
