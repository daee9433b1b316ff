"""Reads of analysis results for the desk."""

from __future__ import annotations

from collections.abc import Sequence

from rippledesk.analysis.models import MessageAnalysis


def latest_analyses(message_ids: Sequence[int]) -> dict[int, MessageAnalysis]:
    """The newest analysis of each message (any model version), keyed by message id."""
    found: dict[int, MessageAnalysis] = {}
    rows = MessageAnalysis.objects.filter(message_id__in=list(message_ids)).order_by(
        "message_id", "-created_at", "-pk"
    )
    for analysis in rows:
        found.setdefault(analysis.message_id, analysis)
    return found
