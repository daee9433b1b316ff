"""Keyset paging over ``(last_activity_at, id)``, newest first.

OFFSET paging reads and discards every earlier row, and a page count needs ``COUNT(*)`` over the
whole result; both grow with the table. A keyset page starts from the last row the reader saw,
so page 10,000 costs what page 1 costs. The price is that pages are reached by "older" and
"newer" links rather than by number.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from rippledesk.conversations.models import Conversation


@dataclass(frozen=True)
class Cursor:
    """A position in the list: the activity time and id of one row."""

    at: datetime
    pk: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str | None) -> Cursor | None:
        """The cursor in ``token``, or None for a missing or mangled one (then: first page)."""
        if not token or len(token) > 100:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            at_text, pk_text = raw.rsplit("|", 1)
            at = datetime.fromisoformat(at_text)
            pk = int(pk_text)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if at.tzinfo is None or pk < 1:
            return None
        return cls(at, pk)

    @classmethod
    def of(cls, row: Conversation) -> Cursor:
        assert row.last_activity_at is not None  # inbox_conversations leaves out NULLs
        return cls(row.last_activity_at, row.pk)


@dataclass(frozen=True)
class Page:
    rows: list[Conversation]
    newer: Cursor | None
    older: Cursor | None

    @property
    def is_first(self) -> bool:
        return self.newer is None


def keyset_page(
    rows: QuerySet[Conversation],
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = 50,
) -> Page:
    """One page of ``rows`` (ordered by ``-last_activity_at, -id``, no NULL activity).

    ``after`` gives the rows older than the cursor; ``before`` the rows newer than it (the
    "newer" link). The redundant ``<=``/``>=`` bound lets the database seek in the index
    instead of filtering from the top, which an OR alone would not allow.
    """
    if before is not None:
        newer_rows = rows.filter(
            Q(last_activity_at__gt=before.at) | Q(last_activity_at=before.at, pk__gt=before.pk),
            last_activity_at__gte=before.at,
        ).order_by("last_activity_at", "id")
        found = list(newer_rows[: size + 1])
        more_newer = len(found) > size
        page = list(reversed(found[:size]))
        if not page:  # the rows above the cursor went away: start again from the top
            return keyset_page(rows, size=size)
        return Page(
            rows=page,
            newer=Cursor.of(page[0]) if more_newer else None,
            older=Cursor.of(page[-1]),
        )
    if after is not None:
        rows = rows.filter(
            Q(last_activity_at__lt=after.at) | Q(last_activity_at=after.at, pk__lt=after.pk),
            last_activity_at__lte=after.at,
        )
    found = list(rows[: size + 1])
    page = found[:size]
    return Page(
        rows=page,
        newer=Cursor.of(page[0]) if after is not None and page else None,
        older=Cursor.of(page[-1]) if len(found) > size else None,
    )
