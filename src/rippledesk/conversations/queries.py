"""Reads over conversations for reports (the inbox lives in ``inbox.py``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from rippledesk.conversations.models import Conversation
from rippledesk.workspaces.models import Workspace


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (NumPy's default, Excel's PERCENTILE.INC).

    ``q`` is in [0, 1]; the median is ``q = 0.5``. None for an empty sequence.
    """
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    fraction = position - low
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction)


@dataclass(frozen=True)
class ResponseTimeRow:
    """One line of ``rippledesk report response-times``; the keys are a public contract."""

    channel: str | None
    conversations: int
    answered: int
    median_seconds: float | None
    p90_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def response_time_rows(workspace: Workspace, *, by_channel: bool) -> list[ResponseTimeRow]:
    """First-response times per channel account (by its handle), or one row for all."""
    rows = (
        Conversation.objects.filter(workspace=workspace)
        .order_by("channel_account__name", "first_response_seconds")
        .values_list("channel_account__name", "first_response_seconds")
    )
    totals: dict[str | None, int] = {}
    answered: dict[str | None, list[int]] = {}
    for channel, seconds in rows.iterator(chunk_size=10_000):
        key = str(channel) if by_channel else None
        totals[key] = totals.get(key, 0) + 1
        times = answered.setdefault(key, [])
        if seconds is not None:
            times.append(int(seconds))
    result = []
    for key, total in totals.items():
        times = sorted(answered[key])
        result.append(
            ResponseTimeRow(
                channel=key,
                conversations=total,
                answered=len(times),
                median_seconds=percentile(times, 0.5),
                p90_seconds=percentile(times, 0.9),
            )
        )
    return sorted(result, key=lambda row: row.channel or "")
