"""What ``desk.py`` times: the desk's reads, as domain calls and, where routed, as HTTP requests.

Domain cases do what a view does for one request (resolve the seat, run the reads, materialise
the rows a template would render) without rendering; HTTP cases go through Django's test
``Client`` (middleware, session, view, template), which is server time without a network.
Parameters are drawn per request: views, filters, channels, deep keyset cursors, conversation
numbers, and search terms from real words of several frequencies, prefixes and phrases.
Precondition: Django is set up on a database seeded by ``desk_seed``.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode

from django.urls import Resolver404, resolve

from desk_seed import Desk
from rippledesk.analysis.queries import latest_analyses
from rippledesk.conversations.access import access_conversation, visible_conversations
from rippledesk.conversations.inbox import (
    Cursor,
    InboxQuery,
    count_capped,
    inbox_rows,
    keyset_page,
    with_list_details,
)
from rippledesk.conversations.models import Conversation, Message
from rippledesk.conversations.search.queries import search_customer_ids, search_message_ids
from rippledesk.conversations.search.query import parse
from rippledesk.customers.models import Customer
from rippledesk.workspaces.access import Seat, access_seat
from rippledesk.workspaces.models import User

TIMELINE_LIMIT = 500
DEEP_OFFSETS = (1_000, 10_000, 100_000)
_WORD = re.compile(r"[a-z]{3,}")
Params = dict[str, str]


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "inbox", "search" or "conversation": which target applies
    run: Callable[[random.Random], Any]


@dataclass
class Words:
    """Search inputs drawn from the seeded texts, by how often the word occurs."""

    common: list[str]
    middling: list[str]
    rare: list[str]
    phrases: list[str]
    names: list[str]

    def query(self, rng: random.Random) -> str:
        pick = rng.randrange(8)
        if pick == 0:
            return rng.choice(self.common)
        if pick == 1:
            return rng.choice(self.middling)
        if pick == 2:
            return rng.choice(self.rare)
        if pick == 3:  # still typing: prefix of a common word
            return rng.choice(self.common)[:4]
        if pick == 4:
            return f'"{rng.choice(self.phrases)}"'
        if pick == 5:
            return f"{rng.choice(self.common)} {rng.choice(self.middling)}"
        if pick == 6:
            return f"{rng.choice(self.middling)} {rng.choice(self.rare)[:4]}"
        return rng.choice(self.names)


def words(texts: list[str], names: list[str]) -> Words:
    counts: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text in texts:
        tokens = _WORD.findall(text.lower())
        counts.update(tokens)
        pairs.update(f"{a} {b}" for a, b in pairwise(tokens))
    ranked = [w for w, _ in counts.most_common()]
    return Words(
        common=ranked[5:60],
        middling=ranked[300:1500],
        rare=[w for w, n in counts.items() if 2 <= n <= 4][:3000],
        phrases=[p for p, _ in pairs.most_common()[20:400]],
        names=names[:: max(1, len(names) // 500)],
    )


class Domain:
    """The reads behind each page, for one seat, as the views call them."""

    def __init__(self, user: User, desk: Desk, wordlist: Words, numbers: list[int]) -> None:
        self.user, self.desk, self.words, self.numbers = user, desk, wordlist, numbers
        self.seat = access_seat(user, desk.slug)
        self.inbox_params = inbox_params(self.seat, desk)
        self.cursors = deep_cursors(self.seat, self.inbox_params)

    def _seat(self) -> Seat:
        return access_seat(self.user, self.desk.slug)

    def inbox(self, rng: random.Random) -> int:
        params = rng.choice(self.inbox_params)
        return self._inbox(params, None)

    def inbox_deep(self, rng: random.Random) -> int:
        params, cursor = rng.choice(self.cursors)
        return self._inbox(params, cursor)

    def _inbox(self, params: Params, cursor: str | None) -> int:
        seat = self._seat()
        query = InboxQuery.parse(params)
        rows = inbox_rows(seat, query)
        total = count_capped(rows)
        after = Cursor.decode(cursor, query.order())
        page = keyset_page(rows, query.order(), after=after)
        return total + sum(len(getattr(row, "snippet", "") or "") for row in page.rows)

    def search(self, rng: random.Random) -> int:
        seat = self._seat()
        terms = parse(self.words.query(rng))
        ids = search_message_ids(seat, terms)
        messages = list(
            Message.objects.filter(pk__in=ids)
            .select_related("conversation", "conversation__customer", "channel_account")
            .order_by("-pk")
        )
        customers = list(Customer.objects.filter(pk__in=search_customer_ids(seat, terms)))
        return len(messages) + len(customers)

    def conversation(self, rng: random.Random) -> int:
        seat = self._seat()
        conversation = access_conversation(seat, rng.choice(self.numbers))
        latest = list(
            Message.objects.filter(conversation=conversation)
            .select_related("author_identity", "author_user")
            .order_by("-sent_at", "-pk")[: TIMELINE_LIMIT + 1]
        )
        timeline = list(reversed(latest[:TIMELINE_LIMIT]))
        analyses = latest_analyses([m.pk for m in timeline if m.direction == "inbound"])
        customer = conversation.customer
        identities = list(customer.identities.select_related("channel_account"))
        others = (
            visible_conversations(seat)
            .filter(customer=customer)
            .exclude(pk=conversation.pk)
            .order_by("-last_activity_at", "-id")
        )
        listed = list(with_list_details(others)[:10])
        count = others.count() + 1
        return len(timeline) + len(analyses) + len(identities) + len(listed) + count

    def cases(self) -> list[Case]:
        return [
            Case("inbox page 1", "inbox", self.inbox),
            Case("inbox deep page", "inbox", self.inbox_deep),
            Case("search", "search", self.search),
            Case("conversation page", "conversation", self.conversation),
        ]


def inbox_params(seat: Seat, desk: Desk) -> list[Params]:
    """View x channel/team/status/sentiment combinations an agent or manager would click."""
    channels = sorted(seat.channel_ids) if seat.channel_ids is not None else desk.channel_ids
    combos: list[Params] = []
    for view in ("attention", "mine", "unassigned", "all"):
        combos.append({"view": view})
        for channel in channels:
            combos.append({"view": view, "channel": str(channel)})
        combos.append({"view": view, "sentiment": "negative"})
        combos.append({"view": view, "team": str(desk.team_ids[0])})
    for status in ("open", "pending", "snoozed", "resolved"):
        combos.append({"view": "all", "status": status})
        combos.append({"view": "all", "status": status, "channel": str(channels[-1])})
    combos.append({"view": "all", "intent": "churn_threat"})
    combos.append({"view": "all", "topic": "lost_luggage", "sentiment": "negative"})
    return combos


def deep_cursors(seat: Seat, combos: list[Params]) -> list[tuple[Params, str]]:
    """Cursors at offsets 1k/10k/100k into each combination deep enough to have them."""
    found: list[tuple[Params, str]] = []
    for params in combos:
        query = InboxQuery.parse(params)
        names = [name for name, _ in query.order()]
        rows = inbox_rows(seat, query).values_list(*names)
        for offset in DEEP_OFFSETS:
            values = list(rows[offset : offset + 1])
            if values:
                found.append((params, Cursor(tuple(values[0])).encode()))
    if not found:  # a tiny desk: page 2 of the broadest view
        params = {"view": "all"}
        query = InboxQuery.parse(params)
        values = list(inbox_rows(seat, query).values_list("last_activity_at", "id")[1:2])
        found.extend((params, Cursor(tuple(v)).encode()) for v in values)
    return found


def visible_numbers(seat: Seat, rng: random.Random, total: int, want: int = 2000) -> list[int]:
    """Random conversation numbers the seat may open, plus the longest threads it reaches."""
    sample = {rng.randrange(1, total + 1) for _ in range(want * 4)}
    rows = Conversation.objects.filter(workspace=seat.workspace, number__in=sample)
    if seat.channel_ids is not None:
        rows = rows.filter(channel_account_id__in=seat.channel_ids)
    numbers = list(rows.values_list("number", flat=True)[:want])
    longest = rows.model.objects.filter(workspace=seat.workspace)
    if seat.channel_ids is not None:
        longest = longest.filter(channel_account_id__in=seat.channel_ids)
    longest = longest.filter(message_count__gte=200)
    numbers += list(longest.values_list("number", flat=True)[:50]) * 2
    return numbers


def routed(path: str) -> bool:
    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


class Http:
    """The same reads through the web desk and the JSON API, for the routes that exist."""

    def __init__(self, domain: Domain) -> None:
        from django.test import Client  # noqa: PLC0415

        self.domain = domain
        self.client = Client()
        self.client.force_login(domain.user)
        self.statuses: Counter[str] = Counter()
        slug = domain.desk.slug
        self.web = f"/w/{slug}"
        self.api = f"/api/w/{slug}"

    def _get(self, name: str, path: str) -> int:
        response = self.client.get(path)
        self.statuses[f"{name} {response.status_code}"] += 1
        return len(response.content)

    def _inbox_path(self, base: str, rng: random.Random) -> str:
        if rng.random() < 0.5:
            params = dict(rng.choice(self.domain.inbox_params))
        else:
            params, cursor = rng.choice(self.domain.cursors)
            params = {**params, "after": cursor}
        return f"{base}?{urlencode(params)}"

    def cases(self) -> list[Case]:
        d = self.domain
        wanted = [
            ("web inbox", "inbox", f"{self.web}/inbox/", lambda r: self._inbox_path("", r)),
            ("web search", "search", f"{self.web}/search/", lambda r: _q(d.words.query(r))),
            ("web conversation", "conversation", f"{self.web}/conversations/1/", None),
            ("api inbox", "inbox", f"{self.api}/conversations", lambda r: self._inbox_path("", r)),
            ("api search", "search", f"{self.api}/search", lambda r: _q(d.words.query(r))),
            ("api conversation", "conversation", f"{self.api}/conversations/1", None),
        ]
        cases = []
        for name, kind, probe, suffix in wanted:
            if not routed(probe):
                continue
            if suffix is None:
                stem, tail = probe.rsplit("/1", 1)
                run = partial(self._numbered, name, stem, tail)
            else:
                run = partial(self._query, name, probe, suffix)
            cases.append(Case(name, kind, run))
        return cases

    def _numbered(self, name: str, stem: str, tail: str, rng: random.Random) -> int:
        return self._get(name, f"{stem}/{rng.choice(self.domain.numbers)}{tail}")

    def _query(
        self, name: str, path: str, suffix: Callable[[random.Random], str], rng: random.Random
    ) -> int:
        return self._get(name, path + suffix(rng))


def _q(text: str) -> str:
    return "?" + urlencode({"q": text})
