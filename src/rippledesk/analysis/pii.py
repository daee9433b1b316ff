"""Personal data in message text: where it is, and the text with it masked.

Customers paste e-mail addresses, phone numbers, card numbers and booking references into public
tweets. The desk shows agents where they are and can store or export a redacted copy. Found by
patterns, not a model, so every decision can be read here:

- **email**: ``local@domain.tld`` with an ASCII local part and a dotted domain ending in 2-24
  letters.
- **order_id**: an identifier right after a reference word: ``order``, ``booking``,
  ``reservation``, ``confirmation``, ``conf``, ``ticket``, ``e-ticket``, ``record locator``,
  ``locator``, ``pnr``, ``reference``/``ref``, ``case``, ``claim``, ``tracking``, ``invoice``,
  ``receipt``, ``bag tag``, ``request``, ``account``/``acct``, ``member``/``membership``,
  ``rewards``, optionally followed by ``number``/``no.``/``#``/``id``/``code`` and
  ``is``/``:``. The identifier is 4-26 letters, digits and dashes holding at least one digit
  (``#12345``, ``AB-1234-XY``, ``ABC123``) or up to five space-separated digit groups
  (``0016 9640 1234``); one longer than eight characters needs two digits, so
  ``reservation #1lesscustomer`` stays a hashtag. After confirmation/conf/locator/PNR words,
  exactly six capital letters also count (airline record locators such as ``QWERTY``). Only
  the identifier (with a leading ``#``) is the span: "order #12345" redacts to
  "order [order id]".
- **card**: 13-19 digits, optionally grouped by single spaces or dashes, passing the Luhn check,
  not all one digit and not preceded by ``+`` (that is a phone number).
- **phone**: 7-15 digits in a phone shape: ``+`` and a country code; North American
  ``(555) 123-4567``/``555-123-4567``/``1-800-555-0199``; national numbers with a trunk ``0``
  (``020 7946 0958``, ``07700 900123``, ``06 12 34 56 78``); local ``555-1234``; or three to five
  groups of 2-4 digits. A run of digits without separators counts only after a phone word
  (call, phone, tel, mobile, cell, text, whatsapp, fax, number) in the 30 characters before.
  Rejected: dates (``2015-02-16``, ``16.02.2015``), lists of years, clock times (every group at
  most two digits and fewer than five groups), amounts after a currency sign or before a
  currency word, IPv4 addresses, and anything glued to letters (flight numbers such as
  ``UA1234``; ``UA 1234`` has too few digits).

Overlaps are resolved by kind in the order email, order id, card, phone: a booking reference is
never also reported as a phone number.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from rippledesk.analysis.types import PiiSpan

PiiKind = Literal["email", "phone", "card", "order_id"]

LABELS: Final[dict[str, str]] = {
    "email": "[email]",
    "phone": "[phone]",
    "card": "[card]",
    "order_id": "[order id]",
}

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+_-]{0,63})@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b"
)
# "@" first, then the look-behind: the engine jumps between "@"s instead of trying every position.
_EMAIL_HINT = re.compile(r"@(?<=[A-Za-z0-9._%+_-]@)[A-Za-z0-9]")
_DIGIT = re.compile(r"[0-9]")
_REFERENCE_WORD = (
    r"(?i:order|booking|reservation|confirmation|conf|ticket|e-?ticket|record locator|locator|"
    r"pnr|reference|ref|case|claim|request|tracking|invoice|receipt|bag tag|account|acct|member|"
    r"membership|rewards)s?"
    r"(?:\s+(?i:number|num|no|nr|id|code|ref|reference)s?)?\.?"
    r"(?:\s*(?i:is|was|=|:))?\s*"
)
_ORDER_ID = re.compile(
    rf"\b{_REFERENCE_WORD}(?P<id>(?:#\s?)?(?:\d{{2,6}}(?: \d{{2,6}}){{1,4}}(?![\w-])|"
    r"[A-Za-z0-9][A-Za-z0-9-]{2,24}[A-Za-z0-9]))(?![\w-])",
    re.ASCII,
)
# Every reference word contains one of these; checking them first skips the regexes on most texts.
_REFERENCE_FRAGMENTS = (
    "order", "book", "reserv", "conf", "ticket", "locator", "pnr", "ref", "case", "claim",
    "request", "track", "invoice", "receipt", "tag", "acc", "acct", "member", "reward",
)  # fmt: skip
_LOCATOR = re.compile(
    r"\b(?i:confirmation|conf|record locator|locator|pnr|booking reference|booking ref)"
    r"(?:\s+(?i:code|number|no\.?|#))?(?:\s*(?i:is|:))?\s*(?P<id>[A-Z]{6})\b"
)
_CARD = re.compile(r"(?<![\w+#.,-])\d(?:[ -]?\d){12,18}(?![\w]|[.,-]\d)", re.ASCII)
_PHONE = re.compile(
    r"(?<![\w+#$€£¥/.,-])(?:"
    r"\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){1,5}"
    r"|(?:1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}"
    r"|\(?0\d{1,4}\)?[ .-]?\d{2,4}(?:[ .-]?\d{2,4}){1,3}"
    r"|\d{3}-\d{4}"
    r"|\d{2,4}(?:[ .-]\d{2,4}){2,4}"
    r"|\d{7,15}"
    r")(?![\w%$€£¥]|[.,:/-]\d)",
    re.ASCII,
)
_PHONE_WORD = re.compile(
    r"\b(?:call|calling|phone|tel|telephone|mobile|cell|text|sms|whatsapp|fax|number|reach me)\b",
    re.IGNORECASE,
)
_CURRENCY_BEFORE = re.compile(r"[$€£¥]\s?$|\b(?:usd|eur|gbp|rs|inr)\s?$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(r"^\s?(?:usd|eur|gbp|dollars|euros|pounds|bucks)\b", re.IGNORECASE)
_GROUP = re.compile(r"\d+", re.ASCII)
_DATE = re.compile(r"^(?:\d{4}[ .-]\d{1,2}[ .-]\d{1,2}|\d{1,2}[ .-]\d{1,2}[ .-]\d{2,4})$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def find_pii(text: str) -> tuple[PiiSpan, ...]:
    """Every e-mail, order id, card and phone number in ``text``, non-overlapping, by position.

    Digits are ASCII digits. Each kind is looked for only when the text could hold it (an "@"
    after a word character, enough digits), which keeps the common case to a few microseconds.
    """
    taken: list[PiiSpan] = []
    if "@" in text and _EMAIL_HINT.search(text):
        taken.extend(PiiSpan("email", m.start(), m.end()) for m in _EMAIL.finditer(text))
    digits = len(_DIGIT.findall(text))
    if digits or any(char.isupper() for char in text):
        _add(taken, _order_ids(text))
    if digits >= 13:
        _add(taken, _cards(text))
    if digits >= 7:
        _add(taken, _phones(text))
    return tuple(sorted(taken, key=lambda span: span.start))


def redact(text: str, spans: tuple[PiiSpan, ...] | None = None) -> str:
    """``text`` with each span replaced by its label, e.g. ``[email]`` or ``[order id]``.

    ``spans`` defaults to ``find_pii(text)``; given spans must come from the same text. Spans
    outside the text are clipped and overlapping ones after the first are skipped.
    """
    if spans is None:
        spans = find_pii(text)
    pieces: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.start < position or span.start >= min(span.end, len(text)):
            continue
        pieces.append(text[position : span.start])
        pieces.append(LABELS[span.kind])
        position = min(span.end, len(text))
    pieces.append(text[position:])
    return "".join(pieces)


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum used by payment cards."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _add(taken: list[PiiSpan], candidates: list[PiiSpan]) -> None:
    for span in candidates:
        if all(span.end <= other.start or span.start >= other.end for other in taken):
            taken.append(span)


def _order_ids(text: str) -> list[PiiSpan]:
    lowered = text.lower()
    if not any(fragment in lowered for fragment in _REFERENCE_FRAGMENTS):
        return []
    found = [
        PiiSpan("order_id", m.start("id"), m.end("id"))
        for m in _ORDER_ID.finditer(text)
        if _looks_like_id(m.group("id"))
    ]
    found.extend(PiiSpan("order_id", m.start("id"), m.end("id")) for m in _LOCATOR.finditer(text))
    return found


def _looks_like_id(token: str) -> bool:
    """Holds a digit, and two when long: ``#1lesscustomer`` is a hashtag, not a reference."""
    digits = sum(char.isdigit() for char in token)
    return digits >= 2 or (digits == 1 and len(token.lstrip("# ")) <= 8)


def _cards(text: str) -> list[PiiSpan]:
    found = []
    for match in _CARD.finditer(text):
        digits = "".join(char for char in match.group() if char.isdigit())
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits):
            found.append(PiiSpan("card", match.start(), match.end()))
    return found


def _phones(text: str) -> list[PiiSpan]:
    found = []
    for match in _PHONE.finditer(text):
        if _is_phone(text, match.start(), match.end()):
            found.append(PiiSpan("phone", match.start(), match.end()))
    return found


def _is_phone(text: str, start: int, end: int) -> bool:
    """Whether a phone-shaped match is a phone number rather than a date, time, year or price."""
    candidate = text[start:end]
    groups = _GROUP.findall(candidate)
    digits = sum(len(group) for group in groups)
    if not 7 <= digits <= 15:
        return False
    if _CURRENCY_BEFORE.search(text[max(0, start - 5) : start]):
        return False
    if _CURRENCY_AFTER.search(text[end : end + 9]):
        return False
    if candidate.startswith("+"):
        return True
    if len(groups) == 1:
        bare_ok = candidate.startswith("0") and 10 <= digits <= 11
        return bare_ok or _PHONE_WORD.search(text[max(0, start - 30) : start]) is not None
    if _DATE.match(candidate) or _IP_ADDRESS.match(candidate):
        return False
    if all(len(group) == 4 and group[:2] in ("19", "20") for group in groups):
        return False
    return not (all(len(group) <= 2 for group in groups) and len(groups) < 5)
