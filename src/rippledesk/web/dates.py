"""Django's ``date`` filter formats, computed fast, for lists that format hundreds of dates.

Django's filter builds a formatter object and splits the pattern with a regex on every call
(about 25 µs); an inbox page formats 150 dates and a long timeline 1,500. Here a pattern is
parsed once and each call only joins the fields, with the same translated month and day names.
The output equals ``django.utils.dateformat.format`` for the codes handled below (a test holds
them equal); a pattern with any other code is passed to Django's formatter unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import lru_cache

from django.utils import translation
from django.utils.dateformat import format as django_format
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR

Names = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
Field = Callable[[datetime, Names], str]


def _zone_name(moment: datetime, names: Names) -> str:
    """The zone's abbreviation; "" for a time that is ambiguous or missing there (DST), as
    Django leaves it out then."""
    zone = moment.tzinfo
    if zone is None or zone.utcoffset(moment.replace(fold=not moment.fold)) != zone.utcoffset(
        moment
    ):
        return ""
    return str(zone.tzname(moment))


_FIELDS: dict[str, Field] = {
    "j": lambda m, n: str(m.day),
    "d": lambda m, n: f"{m.day:02d}",
    "n": lambda m, n: str(m.month),
    "m": lambda m, n: f"{m.month:02d}",
    "Y": lambda m, n: f"{m.year:04d}",
    "H": lambda m, n: f"{m.hour:02d}",
    "G": lambda m, n: str(m.hour),
    "i": lambda m, n: f"{m.minute:02d}",
    "s": lambda m, n: f"{m.second:02d}",
    "c": lambda m, n: m.isoformat(),
    "M": lambda m, n: n[0][m.month - 1],
    "F": lambda m, n: n[1][m.month - 1],
    "D": lambda m, n: n[2][m.weekday()],
    "l": lambda m, n: n[3][m.weekday()],
    "T": _zone_name,
}


@lru_cache(maxsize=16)
def _names(language: str | None) -> Names:
    """Month and weekday names in the active language, as Django's formatter spells them."""
    return (
        tuple(str(MONTHS_3[i]).title() for i in range(1, 13)),
        tuple(str(MONTHS[i]) for i in range(1, 13)),
        tuple(str(WEEKDAYS_ABBR[i]) for i in range(7)),
        tuple(str(WEEKDAYS[i]) for i in range(7)),
    )


@lru_cache(maxsize=64)
def _compile(pattern: str) -> tuple[str | Field, ...] | None:
    """The pattern as literal text and fields, split as Django splits it; None if it uses a
    code only Django's formatter handles."""
    parts: list[str | Field] = []
    for i, piece in enumerate(re_formatchars.split(pattern)):
        if i % 2:
            field = _FIELDS.get(piece)
            if field is None:
                return None
            parts.append(field)
        elif piece:
            parts.append(re_escaped.sub(r"\1", piece))
    return tuple(parts)


def names_now() -> Names:
    """Month and weekday names in the language active now (look them up once per render)."""
    return _names(translation.get_language())


def format_date(
    value: datetime | None, pattern: str, zone: tzinfo | None = None, names: Names | None = None
) -> str:
    """``value|date:pattern`` as Django renders it inside ``{% timezone zone %}``; "" for None.

    An aware ``value`` is shown in ``zone`` (when given). ``names``: from ``names_now()``, for
    a caller that formats many dates at once.
    """
    if value is None:
        return ""
    if value.tzinfo is None:  # naive: Django's own rules (the default zone's name for "T")
        return str(django_format(value, pattern))
    if zone is not None:
        value = value.astimezone(zone)
    parts = _compile(pattern)
    if parts is None:
        return str(django_format(value, pattern))
    names = names or names_now()
    return "".join([part if isinstance(part, str) else part(value, names) for part in parts])
