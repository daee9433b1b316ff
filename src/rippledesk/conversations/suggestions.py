"""Suggested replies: how colleagues answered customers who wrote something similar.

The brand replies already in the desk are the corpus (in customer-support data they are real
answers). For the conversation's latest customer message:

1. pick its informative words (no stop words, handles or links), at most ``QUERY_WORDS``;
2. fetch the newest ``CANDIDATES`` customer messages containing any of them through the
   full-text index (newest-first, so no ranking of every match is needed);
3. score each candidate by the weight of the words it shares, weighting a word by how rare it
   is among the candidates (a word in every candidate tells nothing);
4. take the first agent reply that followed each of the best candidates, drop duplicates, and
   address it to this customer.

Cheap enough to run when the page opens, and it improves as the desk answers more.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db.models import Q

from rippledesk.conversations.models import Conversation, Direction, Message
from rippledesk.conversations.search.queries import search_message_ids_any
from rippledesk.conversations.search.query import Term
from rippledesk.workspaces.access import Seat

QUERY_WORDS = 8
CANDIDATES = 400
SUGGESTIONS = 3
_WORD = re.compile(r"[^\W\d_][\w']{2,}")
_NOISE = re.compile(r"https?://\S+|[@#]\w+")
_STOP_WORDS = """a about after again all also am an and any are as at be been before being
    but by can
    could did do does doing don't for from get got had has have having he her here hers him his
    how i i'm if in into is it it's its just me more most my no not now of off on once only or
    other our out over own please really same she should so some still such than thank thanks
    that the their them then there these they this those through to too under until up us very
    was we were what when where which while who why will with would you you're your yours
    yet im ive dont cant wont didnt isnt amp hi hello hey guys"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Suggestion:
    text: str
    source_number: int
    score: float


def informative_words(text: str) -> list[str]:
    words = []
    for token in _WORD.findall(_NOISE.sub(" ", text.lower())):
        word = token.strip("'")
        if word not in _STOP and word not in words and len(word) >= 3:
            words.append(word)
    return words


def _address(reply: str, handle: str) -> str:
    """Swap the handles a past reply opened with for this customer's handle."""
    body = re.sub(r"^(?:@\w+\s+)+", "", reply).strip()
    return f"@{handle} {body}" if handle else body


def suggest_replies(seat: Seat, conversation: Conversation) -> list[Suggestion]:
    latest = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .order_by("-sent_at", "-pk")
        .values_list("body", flat=True)
        .first()
    )
    if not latest:
        return []
    words = informative_words(latest)[:QUERY_WORDS]
    if not words:
        return []
    candidate_ids = search_message_ids_any(
        seat, [Term((w,)) for w in words], limit=CANDIDATES, exclude_conversation=conversation.pk
    )
    candidates = list(
        Message.objects.filter(
            pk__in=candidate_ids,
            direction=Direction.INBOUND,
            conversation__first_response_at__isnull=False,
        ).values_list("pk", "conversation_id", "sent_at", "body")
    )
    if not candidates:
        return []
    bags = {pk: set(informative_words(body)) for pk, _, _, body in candidates}
    df = {w: sum(1 for bag in bags.values() if w in bag) for w in words}
    weight = {w: math.log((len(bags) + 1) / (df[w] + 0.5)) for w in words if df[w]}
    scored = sorted(
        (
            (sum(weight.get(w, 0.0) for w in bags[pk]), pk, conv, sent)
            for pk, conv, sent, _ in candidates
        ),
        reverse=True,
    )
    handle = _customer_handle(conversation)
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for score, _pk, conv_id, sent_at in scored[: SUGGESTIONS * 8]:
        if score <= 0:
            break
        reply = (
            Message.objects.filter(conversation_id=conv_id, direction=Direction.OUTBOUND)
            .filter(Q(sent_at__gte=sent_at))
            .order_by("sent_at", "pk")
            .values_list("body", "conversation__number")
            .first()
        )
        if reply is None:
            continue
        text = _address(reply[0], handle)
        key = re.sub(r"\W+", " ", text.lower()).strip()
        if key in seen or not key:
            continue
        seen.add(key)
        suggestions.append(Suggestion(text, reply[1], round(score, 3)))
        if len(suggestions) == SUGGESTIONS:
            break
    return suggestions


def _customer_handle(conversation: Conversation) -> str:
    if conversation.channel_account.kind not in ("x", "instagram"):
        return ""
    identity = conversation.customer.identities.filter(
        channel_account_id=conversation.channel_account_id
    ).first()
    return identity.handle if identity else ""
