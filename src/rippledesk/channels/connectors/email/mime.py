"""Reading an email: addresses, thread headers, the text (HTML reduced to plain text) and files.

Everything here is pure: bytes in, a :class:`ParsedEmail` out. HTML is turned into text by
walking it with the standard library's parser, keeping line structure (paragraphs, breaks,
list items) and dropping scripts, styles and every tag, so nothing a sender writes can run in
an agent's browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from rippledesk.channels.connectors.base import IncomingFile

_BLOCK = {
    "p",
    "div",
    "br",
    "tr",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "table",
}
_SKIP = {"script", "style", "head", "title"}
_MSGID = re.compile(r"<[^<>\s]+>")


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skipping:
            self.skipping -= 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class ParsedEmail:
    message_id: str
    in_reply_to: str
    references: list[str]
    from_address: str
    from_name: str
    to: list[str]
    subject: str
    text: str
    sent_at: datetime
    attachments: list[IncomingFile] = field(default_factory=list)


def _ids(value: str | None) -> list[str]:
    return _MSGID.findall(value or "")


def _body(message: EmailMessage) -> str:
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return str(plain.get_content()).strip()
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        return html_to_text(str(html.get_content()))
    return ""


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse one RFC 5322 message; ``ValueError`` naming what is missing when it is unusable."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage):
        raise ValueError("not an email message")
    senders = getaddresses([str(message.get("From", ""))])
    if not senders or "@" not in senders[0][1]:
        raise ValueError("From header missing or without an address")
    name, address = senders[0]
    ids = _ids(str(message.get("Message-ID", "")))
    try:
        sent_at = parsedate_to_datetime(str(message.get("Date", "")))
        sent_at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
    except (TypeError, ValueError):
        sent_at = datetime.now(UTC)
    attachments = [
        IncomingFile(
            filename=str(part.get_filename() or "attachment")[:200],
            content_type=part.get_content_type(),
            data=bytes(part.get_payload(decode=True) or b""),
        )
        for part in message.iter_attachments()
    ]
    return ParsedEmail(
        message_id=ids[0] if ids else "",
        in_reply_to=(_ids(str(message.get("In-Reply-To", ""))) or [""])[0],
        references=_ids(str(message.get("References", ""))),
        from_address=address.lower(),
        from_name=name or address,
        to=[
            a.lower()
            for _, a in getaddresses([str(message.get("To", "")), str(message.get("Cc", ""))])
            if a
        ],
        subject=str(message.get("Subject", "")).strip()[:300],
        text=_body(message),
        sent_at=sent_at.astimezone(UTC),
        attachments=attachments,
    )
