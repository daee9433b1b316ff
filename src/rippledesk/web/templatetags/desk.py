"""Small display filters for the desk's templates (durations, counts, avatars, dates)."""

from __future__ import annotations

import re
import zlib
from datetime import datetime

from django import template
from django.utils import timezone

from rippledesk.web.dates import format_date

register = template.Library()

_WORD = re.compile(r"[^\W_]+")
KIND_MARKS = {
    "x": "X",
    "facebook": "f",
    "instagram": "IG",
    "whatsapp": "WA",
    "email": "@",
    "webchat": "W",
    "sms": "S",
    "reviews": "★",
    "trustpilot": "TP",
}


@register.filter
def duration(seconds: object) -> str:
    """``4m 12s``, ``2h 05m``, ``3d 4h``: precise enough to compare, short enough for a column."""
    if not isinstance(seconds, int | float):
        return ""
    whole = max(round(float(seconds)), 0)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


@register.filter
def compact(number: object) -> str:
    """``950``, ``1.2k``, ``3.4M``: audience sizes at a glance."""
    if not isinstance(number, int | float):
        return ""
    value = int(number)
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            text = f"{value / limit:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return str(value)


@register.filter
def initials(name: str | None) -> str:
    words: list[str] = _WORD.findall(str(name or ""))
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


@register.filter
def hue(name: str | None) -> int:
    """A stable colour (0-359) per name, so a customer keeps the same avatar everywhere."""
    return zlib.crc32(str(name or "").encode("utf-8")) % 360


@register.filter
def kind_mark(kind: str | None) -> str:
    return KIND_MARKS.get(kind or "", "•")


@register.filter(expects_localtime=True)
def when(moment: datetime | None) -> str:
    """``14:05`` today, ``17 Feb`` this year, ``17 Feb 2015`` before: a list's time column."""
    if not isinstance(moment, datetime):
        return ""
    now = timezone.localtime(timezone.now(), moment.tzinfo)
    if moment.date() == now.date():
        pattern = "H:i"
    elif moment.year == now.year:
        pattern = "j M"
    else:
        pattern = "j M Y"
    return format_date(moment, pattern)


@register.filter
def grouped(number: object) -> str:
    """``12,345``: thousands separators without turning them on for every number."""
    if not isinstance(number, int | float):
        return ""
    return f"{round(number):,}"


@register.filter
def label(value: object) -> str:
    """A machine label as people read it: ``churn_threat`` → ``churn threat``."""
    return str(value or "").replace("_", " ")
