"""Timestamps as exports write them, read into aware UTC datetimes.

The Twitter format (``Tue Oct 31 22:10:47 +0000 2017``) has a hand-written fast path because
imports parse millions of them and ``strptime`` costs several microseconds each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

_MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}

# Tried in order by ``parse_any`` when the caller gives no explicit format.
KNOWN_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # Twitter API v1.1 / TWCS
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d-%m-%Y %H.%M",  # spreadsheet exports such as the airline tweets file
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
)


class TimeParseError(ValueError):
    pass


def parse_twitter(value: str) -> datetime:
    """Parse ``Tue Oct 31 22:10:47 +0000 2017``; raise TimeParseError on anything else."""
    if len(value) == 30 and value[3] == " " and value[19] == " " and value[25] == " ":
        try:
            month = _MONTHS[value[4:7]]
            offset = int(value[21:23]) * 60 + int(value[23:25])
            sign = -1 if value[20] == "-" else 1
            moment = datetime(
                int(value[26:30]),
                month,
                int(value[8:10]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19]),
                tzinfo=UTC,
            )
        except (KeyError, ValueError):
            pass
        else:
            return moment - timedelta(minutes=sign * offset) if offset else moment
    try:
        return datetime.strptime(value, KNOWN_FORMATS[0]).astimezone(UTC)
    except ValueError:
        raise TimeParseError(
            f"{value!r} is not a Twitter timestamp like 'Tue Oct 31 22:10:47 +0000 2017'"
        ) from None


def parse_with(value: str, fmt: str | None, default_tz: tzinfo = UTC) -> datetime:
    """Parse with an explicit strptime format, or try ISO 8601 and the known export formats.

    A timestamp without an offset is taken to be in ``default_tz``.
    """
    text = value.strip()
    if not text:
        raise TimeParseError("the time is empty")
    candidates: list[str] = [fmt] if fmt else []
    if not fmt:
        try:
            return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), default_tz)
        except ValueError:
            candidates = list(KNOWN_FORMATS)
    for candidate in candidates:
        try:
            return _aware(datetime.strptime(text, candidate), default_tz)
        except ValueError:
            continue
    if fmt:
        raise TimeParseError(f"{text!r} does not match the time format {fmt!r}")
    if text.isdigit():
        return datetime.fromtimestamp(int(text[:10]), tz=UTC)
    raise TimeParseError(
        f"{text!r} is not a time we recognise; pass --time-format (a strptime pattern)"
    )


def _aware(moment: datetime, default_tz: tzinfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


class TimeParser:
    """``parse_with`` for a whole column: remembers the format that matched last and the most
    recent results, since export columns use one format and repeat values (minute precision).
    """

    def __init__(self, fmt: str | None = None, default_tz: tzinfo = UTC) -> None:
        self.fmt = fmt
        self.default_tz = default_tz
        self._learned: str | None = None
        self._cache: dict[str, datetime] = {}

    def parse(self, value: str) -> datetime:
        cached = self._cache.get(value)
        if cached is not None:
            return cached
        moment = self._parse(value)
        if len(self._cache) >= 65_536:
            self._cache.clear()
        self._cache[value] = moment
        return moment

    def _parse(self, value: str) -> datetime:
        if self.fmt is None and self._learned is not None:
            fast = _fixed_parser(self._learned)
            try:
                naive = (
                    fast(value.strip()) if fast else datetime.strptime(value.strip(), self._learned)
                )
                return _aware(naive, self.default_tz)
            except ValueError:
                pass
        moment = parse_with(value, self.fmt, self.default_tz)
        if self.fmt is None:
            self._learned = _matching_format(value.strip())
        return moment


def _matching_format(text: str) -> str | None:
    for candidate in KNOWN_FORMATS:
        try:
            datetime.strptime(text, candidate)
        except ValueError:
            continue
        return candidate
    return None


_FIELD_PATTERNS = {"%d": r"(\d{1,2})", "%m": r"(\d{1,2})", "%Y": r"(\d{4})", "%H": r"(\d{1,2})"}
_FIELD_PATTERNS |= {"%M": r"(\d{2})", "%S": r"(\d{2})"}
_FIXED: dict[str, Callable[[str], datetime] | None] = {}


def _fixed_parser(fmt: str) -> Callable[[str], datetime] | None:
    """A regex parser for numeric formats (%d %m %Y %H %M %S and literals), several times
    faster than ``strptime``; None for formats it cannot express."""
    if fmt in _FIXED:
        return _FIXED[fmt]
    parts = re.split(r"(%[a-zA-Z])", fmt)
    order: list[str] = []
    pattern = ""
    for part in parts:
        if part.startswith("%"):
            if part not in _FIELD_PATTERNS:
                _FIXED[fmt] = None
                return None
            order.append(part)
            pattern += _FIELD_PATTERNS[part]
        else:
            pattern += re.escape(part)
    compiled = re.compile(pattern + r"\Z")

    def parse(text: str) -> datetime:
        match = compiled.match(text)
        if not match:
            raise ValueError(f"{text!r} does not match {fmt!r}")
        fields = dict(zip(order, map(int, match.groups()), strict=True))
        return datetime(
            fields["%Y"],
            fields["%m"],
            fields["%d"],
            fields.get("%H", 0),
            fields.get("%M", 0),
            fields.get("%S", 0),
        )

    _FIXED[fmt] = parse if {"%Y", "%m", "%d"} <= set(order) else None
    return _FIXED[fmt]
