"""The normalised form every importer and connector hands to the bulk writer."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class MessageRecord(NamedTuple):
    """One message, already parsed and validated, ready to be stored.

    ``conversation_key`` groups messages into one conversation per channel account;
    ``customer_id``/``customer_name`` name the conversation's customer (the author of its first
    customer message), while ``author_id``/``author_name`` name who wrote this message.

    A named tuple rather than a frozen dataclass: imports build one per row, and a tuple is
    built several times faster (a frozen dataclass sets each field through
    ``object.__setattr__``) while reading the same.
    """

    line: int
    channel: str
    conversation_key: str
    customer_id: str
    customer_name: str
    inbound: bool
    author_id: str
    author_name: str
    body: str
    external_id: str
    in_reply_to: str
    sent_at: datetime
    is_public: bool = True
