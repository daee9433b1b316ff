"""Turning whatever a channel delivers into text the analysers can work on.

Bodies arrive as tweets, HTML e-mails, pasted logs or 100 KB walls of text. Every analyser wants
the same guarantees: no markup, no control characters, a bounded length, and an answer to "is
there anything here to analyse at all?". ``prepare`` gives them once, so no analyser repeats it,
and it never raises on any ``str``: a message that cannot be understood is still stored and shown.

``for_models`` is the tweet normalisation the public tweet sentiment/emotion models were trained
with (cardiffnlp convention): handles become ``@user`` and links ``http``, so a model never keys
on a particular account or URL.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

# Beyond this many characters the raw body is cut before any other work, so a pathological body
# (megabytes of HTML) costs bounded time. It is far above any ``limit`` a caller uses, so the
# visible text of real e-mails survives it.
RAW_CAP = 1_000_000

# A hard cut is used instead of a word boundary when the last whitespace is further back than
# this fraction of ``limit`` (one giant token such as a base64 blob).
_WORD_BOUNDARY_SLACK = 0.8

NotAnalysable = Literal["empty", "no_letters"]

# Tags are stripped only for names that exist in HTML, so tweet text such as "<sigh>" or "<3"
# survives while real markup goes.
_HTML_TAG_NAMES = (
    "a|abbr|address|area|article|aside|b|base|bdi|bdo|big|blockquote|body|br|button|caption|"
    "center|cite|code|col|colgroup|dd|del|details|dfn|div|dl|dt|em|fieldset|figcaption|figure|"
    "font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|"
    "main|map|mark|meta|nav|noscript|o:p|ol|optgroup|option|p|picture|pre|q|s|samp|section|"
    "select|small|source|span|strike|strong|sub|summary|sup|svg|table|tbody|td|textarea|tfoot|"
    "th|thead|time|title|tr|tt|u|ul|var|video|wbr"
)
_HTML_TAG = re.compile(rf"</?(?:{_HTML_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_HTML_DROP = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)|<!DOCTYPE[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
# C0/C1 controls except tab and newline, lone surrogates (cannot be encoded as UTF-8) and the
# byte-order mark. Format characters such as ZWJ stay: emoji sequences and Persian need them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")
_SPACES = re.compile(r"[^\S\n\t]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_ANY_WHITESPACE = re.compile(r"\s+")

# "@" first and the look-behind after it, so the engine jumps from "@" to "@" (5x faster).
HANDLE = re.compile(r"@(?<![\w@]@)\w+")
URL = re.compile(r"(?<!\w)(?:https?://|www\.)\S+", re.IGNORECASE)
# Pictographs, dingbats, symbols and flags; enough to tell "only emoji" from "only punctuation".
EMOJI = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\u3030\u303d\u3297\u3299\U0001f000-\U0001faff]"
)


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A message body made safe for analysis.

    ``clean_text`` is the cleaned body (markup, entities and control characters resolved, at most
    ``limit`` characters); rules, PII search and language detection read it. ``model_text`` is
    ``for_models(clean_text)``: emoji kept, handles and links masked, for sentiment/emotion models,
    which read emoji even when there is nothing else (``has_emoji``). ``analysable`` is False
    when there is no letter left once handles and links are set aside; ``reason`` says why.
    """

    original_length: int
    clean_text: str
    model_text: str
    analysable: bool
    reason: NotAnalysable | None
    truncated: bool
    has_emoji: bool


def prepare(text: str, limit: int = 5000) -> PreparedText:
    """Clean ``text`` for analysis; ``clean_text`` and ``model_text`` hold at most ``limit`` chars.

    Precondition: ``text`` is a ``str`` (any content, including lone surrogates). A negative
    ``limit`` counts as 0.
    """
    limit = max(limit, 0)
    original_length = len(text)
    cleaned = text[:RAW_CAP]
    if "<" in cleaned:
        cleaned = _HTML_TAG.sub(" ", _HTML_DROP.sub(" ", cleaned))
    if "&" in cleaned:
        cleaned = html.unescape(cleaned)
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL.sub("", cleaned)
    cleaned = _SPACES.sub(" ", cleaned)
    cleaned = _SPACE_AROUND_NEWLINE.sub("\n", cleaned)
    cleaned = _MANY_NEWLINES.sub("\n\n", cleaned).strip()
    truncated = len(cleaned) > limit
    if truncated:
        cleaned = truncate(cleaned, limit).rstrip()  # a cut can end on a kept line break
    model_text = for_models(cleaned)
    if len(model_text) > limit:
        model_text = truncate(model_text, limit)
    reason: NotAnalysable | None = None
    if not cleaned:
        reason = "empty"
    elif not has_letters(mask_links(mask_handles(cleaned))):
        reason = "no_letters"
    return PreparedText(
        original_length=original_length,
        clean_text=cleaned,
        model_text=model_text,
        analysable=reason is None,
        reason=reason,
        truncated=truncated,
        has_emoji=EMOJI.search(cleaned) is not None,
    )


def for_models(text: str) -> str:
    """Mask handles and links and collapse whitespace, as tweet models expect; case is kept.

    An e-mail address is not a handle (``bob@example.com`` stays as it is).
    """
    text = mask_handles(mask_links(text, "http"), "@user")
    return _ANY_WHITESPACE.sub(" ", text).strip()


def mask_links(text: str, replacement: str = " ") -> str:
    """``text`` with every link (``http://``, ``https://``, ``www.``) replaced."""
    if "://" not in text and "www." not in text.lower():
        return text
    return URL.sub(replacement, text)


def mask_handles(text: str, replacement: str = " ") -> str:
    """``text`` with every @handle replaced; e-mail addresses are not handles."""
    return HANDLE.sub(replacement, text) if "@" in text else text


def truncate(text: str, limit: int) -> str:
    """The longest prefix of at most ``limit`` characters that ends at a word boundary.

    Falls back to a hard cut when the text has no whitespace in the last fifth of the window.
    """
    if len(text) <= limit:
        return text
    window = text[:limit]
    if text[limit].isspace():
        return window.rstrip()
    cut = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
    if cut >= limit * _WORD_BOUNDARY_SLACK:
        return window[:cut].rstrip()
    return window


def has_letters(text: str) -> bool:
    """Whether ``text`` holds at least one letter of any script."""
    return any(char.isalpha() for char in text)
