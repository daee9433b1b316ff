"""Filters that build small pieces of HTML: search highlights and the sentiment strip.

Each escapes every piece of user text itself before adding markup, and returns SafeString
only for what it built; message bodies can hold ``<script>`` and must show as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

WINDOW = 260


@register.filter
def highlight(text: str | None, marks: Sequence[tuple[str, bool]]) -> SafeString:
    """``text`` escaped, cut to a window around the first match, matches in ``<mark>``."""
    body = str(text or "")
    words = [re.escape(w) + (r"\w*" if prefix else r"\b") for w, prefix in marks if w]
    if not words:
        return mark_safe(escape(body[:WINDOW]))  # escaped just now
    pattern = re.compile(r"\b(?:" + "|".join(words) + ")", re.IGNORECASE)
    first = pattern.search(body)
    start = max(0, first.start() - 60) if first else 0
    window = body[start : start + WINDOW]
    out = ["…" if start else ""]
    pos = 0
    for match in pattern.finditer(window):
        out.append(escape(window[pos : match.start()]))
        out.append("<mark>" + escape(match.group(0)) + "</mark>")
        pos = match.end()
    out.append(escape(window[pos:]))
    if start + WINDOW < len(body):
        out.append("…")
    return mark_safe("".join(out))  # every piece of text escaped above


@register.filter
def percent(value: object) -> str:
    """A 0..1 score as a CSS percentage (for the risk bar); clamped."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "0%"
    return f"{max(0.0, min(1.0, number)) * 100:.0f}%"


@register.filter
def timesince_short(moment: datetime | None) -> str:
    """``4m``, ``3h``, ``2d``: how long a customer has been waiting."""
    if not isinstance(moment, datetime):
        return ""
    seconds = max(0, int((timezone.now() - moment).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400 * 2:
        return f"{seconds // 3600}h"
    if seconds < 86400 * 365:
        return f"{seconds // 86400}d"
    return f"{seconds // (86400 * 365)}y"


_COLOURS = {"negative": "var(--neg)", "neutral": "var(--neu)", "positive": "var(--pos)"}


@register.filter
def trend_svg(points: Sequence[dict[str, Any]]) -> SafeString:
    """An inline SVG strip: one dot per message at its positive-minus-negative score."""
    width, height, pad = 260, 56, 6
    n = len(points)
    if not n:
        return mark_safe("")
    step = (width - 2 * pad) / max(1, n - 1)
    coords = []
    for i, point in enumerate(points):
        x = pad + i * step if n > 1 else width / 2
        y = height / 2 - float(point.get("score", 0.0)) * (height / 2 - pad)
        coords.append((x, y, str(point.get("sentiment", "neutral"))))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{_COLOURS.get(s, "var(--neu)")}"/>'
        for x, y, s in coords
    )
    mid = height / 2
    svg = (
        f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Sentiment of the last {n} messages">'
        f'<line x1="0" y1="{mid}" x2="{width}" y2="{mid}" class="trend-axis"/>'
        f'<polyline points="{line}" class="trend-line"/>{dots}</svg>'
    )
    return mark_safe(svg)  # numbers and fixed colours only
