"""Reading RSS 2.0 and Atom feeds into plain entries (pure: bytes in, entries out).

Feeds are capped in size before parsing and read with the standard library's expat-based
parser, whose limits refuse entity-expansion bombs. Entry text is HTML more often than not; it
is reduced to plain text with the email connector's converter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

from rippledesk.channels.connectors.email.mime import html_to_text

MAX_FEED = 5 * 1024 * 1024
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Entry:
    external_id: str
    author: str
    title: str
    text: str
    url: str
    published_at: datetime


def _when(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(node: ElementTree.Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def parse_feed(data: bytes) -> list[Entry]:
    """The feed's entries; ``ValueError`` saying why when it is not a readable feed."""
    if len(data) > MAX_FEED:
        raise ValueError(f"feed is {len(data):,} bytes; the limit is {MAX_FEED:,}")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise ValueError(f"not XML: {error}") from None
    if root.tag == f"{ATOM}feed":
        return [_finish(_atom_entry(item)) for item in root.findall(f"{ATOM}entry")]
    if root.tag == "rss":
        return [_finish(_rss_item(item)) for item in root.findall("channel/item")]
    raise ValueError(f"not an RSS or Atom feed (root element {root.tag!r})")


def _atom_entry(item: ElementTree.Element) -> Entry:
    link = item.find(f"{ATOM}link")
    url = link.get("href", "") if link is not None else ""
    content = item.find(f"{ATOM}content")
    if content is None:
        content = item.find(f"{ATOM}summary")
    when = _text(item.find(f"{ATOM}updated")) or _text(item.find(f"{ATOM}published"))
    return Entry(
        external_id=_text(item.find(f"{ATOM}id")) or url,
        author=_text(item.find(f"{ATOM}author/{ATOM}name")),
        title=_text(item.find(f"{ATOM}title")),
        text=_text(content),
        url=url,
        published_at=_when(when),
    )


def _rss_item(item: ElementTree.Element) -> Entry:
    url = _text(item.find("link"))
    creator = _text(item.find("{http://purl.org/dc/elements/1.1/}creator"))
    return Entry(
        external_id=_text(item.find("guid")) or url,
        author=_text(item.find("author")) or creator,
        title=_text(item.find("title")),
        text=_text(item.find("description")),
        url=url,
        published_at=_when(_text(item.find("pubDate"))),
    )


def _finish(raw: Entry) -> Entry:
    """Text from HTML, an id for entries without one, fields cut to what is stored."""
    text = html_to_text(raw.text) if "<" in raw.text else raw.text
    key = raw.external_id or "sha256:" + hashlib.sha256(f"{raw.title}\n{text}".encode()).hexdigest()
    when = raw.published_at.astimezone(UTC)
    return Entry(key[:300], raw.author[:200], raw.title[:300], text, raw.url[:1000], when)
