"""Seeds a desk at scale for ``desk.py``: staff, channels and teams through the ORM, then
customers, identities, conversations, messages and analyses with set-based SQL.

The texts are real airline tweets (``ingest_data.find_source``), about a third recombined from
two tweets; brand replies use the templates of ``ingest_data``. Ids are assigned here, in time
order, so that message ids follow arrival as they do in production. Rows are written the way
Django stores them (SQLite: naive UTC ``YYYY-MM-DD HH:MM:SS`` text; PostgreSQL: ``timestamptz``)
with every NOT NULL column filled, and go into the base tables with the search indexes in
place: the FTS5 triggers (SQLite) or GIN indexes (PostgreSQL) of migration
``conversations/0007_search_index`` index them exactly as production writes are indexed.
Precondition: Django is set up on a freshly migrated, empty database.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from desk_text import Texts
from ingest_data import _REPLIES

BATCH = 20_000
HANDLES = ("united", "USAirways", "AmericanAir", "SouthwestAir", "JetBlue", "VirginAmerica")
CHANNEL_WEIGHTS = (28, 22, 20, 15, 10, 5)
TEAMS = (("East", (0, 1)), ("Central", (2, 3)), ("West", (4, 5)))
AGENTS_PER_TEAM = 10
MANAGERS = 2
STATUSES = (("resolved", 88), ("open", 7), ("pending", 3), ("snoozed", 2))
INTENT_BY_REASON = {"": "question", "positive": "praise"}
NOTES = (
    "Rebooked on the next departure; customer has the new confirmation.",
    "Refund request forwarded to the refunds queue, ticket attached.",
    "Bag traced to the hub, delivery courier booked for tomorrow.",
    "Escalated to the duty manager: repeated delay complaints this week.",
)
DAY = 86_400.0
SPAN_DAYS = 730


@dataclass
class Sizes:
    messages: int
    conversations: int
    customers: int
    analysed_every: int = 4  # inbound messages of every n-th conversation carry an analysis


@dataclass
class Desk:
    """What the measuring side needs to know about the seeded desk."""

    slug: str
    channel_ids: list[int]
    team_ids: list[int]
    agent_ids: list[int]
    manager_ids: list[int]
    conversations: int
    messages: int
    customer_names: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class Writer:
    """Large batches into one table: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw: Any = connection.connection
        self.true: Any = True if self.vendor == "postgresql" else 1
        self.false: Any = False if self.vendor == "postgresql" else 0
        self._zone = "+00" if self.vendor == "postgresql" else ""

    def ts(self, epoch: float) -> str:
        """A UTC instant as the backend stores Django's aware datetimes."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + self._zone

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        if self.vendor == "postgresql":
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as cp,
            ):
                for row in rows:
                    cp.write_row(row)
                    count += 1
            return count
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, BATCH)):
            self.raw.execute("BEGIN")
            self.raw.executemany(sql, batch)
            self.raw.execute("COMMIT")
            count += len(batch)
        return count

    def finish(self, tables: Sequence[str]) -> None:
        """Move id sequences past the explicit ids and gather planner statistics."""
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                for table in tables:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA optimize")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def staff(rng: random.Random) -> tuple[Any, list[int], list[int], list[int], list[int]]:
    """Workspace, six X channel accounts, three teams with channel grants, agents, managers."""
    from rippledesk.channels.models import ChannelAccount, ChannelKind  # noqa: PLC0415
    from rippledesk.workspaces.models import Membership, Role, Team, User, Workspace  # noqa: PLC0415

    workspace = Workspace.objects.create(name="Airlines Care", slug="airlines")
    channels = [
        ChannelAccount.objects.create(workspace=workspace, kind=ChannelKind.X, name=h)
        for h in HANDLES
    ]
    teams, agents, managers = [], [], []
    for index, (name, granted) in enumerate(TEAMS):
        team = Team.objects.create(workspace=workspace, name=name)
        team.channel_accounts.set([channels[i] for i in granted])
        teams.append(team)
        for n in range(AGENTS_PER_TEAM):
            number = index * AGENTS_PER_TEAM + n + 1
            user = User.objects.create(
                username=f"agent{number:02d}", first_name=f"Agent {number}", last_name=name
            )
            member = Membership.objects.create(workspace=workspace, user=user, role=Role.AGENT)
            team.members.add(member)
            agents.append(user.pk)
    for n in range(MANAGERS):
        user = User.objects.create(username=f"manager{n + 1}", first_name=f"Manager {n + 1}")
        Membership.objects.create(workspace=workspace, user=user, role=Role.MANAGER)
        managers.append(user.pk)
    return workspace, [c.pk for c in channels], [t.pk for t in teams], agents, managers


@dataclass
class Conv:
    """One planned conversation: enough to write its row and, later, its messages."""

    id: int
    customer: int
    identity: int
    channel: int  # index into HANDLES
    assignee: int | None
    kind: str
    steps: list[tuple[str, float, int]]  # (direction, sent_at epoch, text index)


def message_counts(rng: random.Random, total: int, conversations: int) -> list[int]:
    """At least one message each; the rest spread with a long tail (a few 600-message threads)."""
    counts = [1] * conversations
    rest = total - conversations
    weights = [rng.paretovariate(1.6) for _ in range(conversations)]
    scale = rest / sum(weights)
    for i, w in enumerate(weights):
        counts[i] += min(int(w * scale), 599)
    short = total - sum(counts)
    while short > 0:
        i = rng.randrange(conversations)
        if counts[i] < 600:
            counts[i] += 1
            short -= 1
    return counts


def plan(rng: random.Random, sizes: Sizes, now: float, desk: Desk, texts: Texts) -> list[Conv]:
    counts = message_counts(rng, sizes.messages, sizes.conversations)
    starts = sorted(now - SPAN_DAYS * DAY * rng.random() ** 1.3 for _ in counts)
    starts = [min(s, now - 600.0) for s in starts]
    owners = list(range(1, sizes.customers + 1))
    owners += [int(rng.paretovariate(1.1)) % sizes.customers + 1 for _ in range(len(counts))]
    owners = owners[: len(counts)]
    rng.shuffle(owners)
    team_agents = [
        desk.agent_ids[t * AGENTS_PER_TEAM : (t + 1) * AGENTS_PER_TEAM] for t in range(3)
    ]
    convs = []
    for index, (count, start) in enumerate(zip(counts, starts, strict=True)):
        customer = owners[index]
        channel = home_channel(customer)
        team = next(t for t, (_, granted) in enumerate(TEAMS) if channel in granted)
        steps: list[tuple[str, float, int]] = [("inbound", start, texts.pick_inbound(rng))]
        at, last = start, "inbound"
        for _ in range(count - 1):
            if rng.random() < 0.06:
                direction = "note"
            elif last == "inbound":
                direction = "outbound" if rng.random() < 0.85 else "inbound"
            else:
                direction = "inbound"
            gap = rng.lognormvariate(7.5 if direction == "outbound" else 8.5, 1.2)
            at = min(at + gap, now - 1.0)
            pick = texts.pick_inbound(rng) if direction == "inbound" else rng.randrange(1 << 30)
            steps.append((direction, at, pick))
            if direction != "note":
                last = direction
        convs.append(
            Conv(
                id=index + 1,
                customer=customer,
                identity=customer,
                channel=channel,
                assignee=rng.choice(team_agents[team]) if rng.random() < 0.8 else None,
                kind="public_thread" if rng.random() < 0.7 else "dm",
                steps=steps,
            )
        )
    return convs


def home_channel(customer: int) -> int:
    """Deterministic, skewed channel per customer (more United than Virgin America)."""
    point = (customer * 2654435761) % 100
    for index, weight in enumerate(CHANNEL_WEIGHTS):
        if point < weight:
            return index
        point -= weight
    return 0


def customer_rows(
    w: Writer, sizes: Sizes, texts: Texts, *, ws: int, chans: list[int], t0: str
) -> None:
    """Customers, each with an X identity on their home channel; one in ten on a second one."""
    k = sizes.customers
    w.rows(
        "customers_customer",
        ("id", "created_at", "updated_at", "display_name", "email", "notes", "workspace_id"),
        ((i, t0, t0, texts.name(i), "", "", ws) for i in range(1, k + 1)),
    )
    columns = (
        "id",
        "created_at",
        "updated_at",
        "external_id",
        "handle",
        "display_name",
        "audience_size",
        "channel_account_id",
        "customer_id",
    )

    def identities() -> Iterator[tuple[Any, ...]]:
        for i in range(1, k + 1):
            name = texts.name(i)
            yield (i, t0, t0, f"x{i}", name, name, (i * 7919) % 5000, chans[home_channel(i)], i)
        extra = k
        for i in range(10, k + 1, 10):
            extra += 1
            other = chans[(home_channel(i) + 2) % len(chans)]
            name = texts.name(i)
            yield (extra, t0, t0, f"x{i}", name, name, None, other, i)

    w.rows("customers_identity", columns, identities())


CONVERSATION_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "number",
    "external_id",
    "kind",
    "status",
    "priority",
    "message_count",
    "first_inbound_at",
    "first_response_at",
    "first_response_seconds",
    "waiting_since",
    "last_activity_at",
    "resolved_at",
    "assignee_id",
    "channel_account_id",
    "customer_id",
    "team_id",
    "workspace_id",
    "ripple_risk",
    "intent",
    "language",
    "sentiment",
    "snoozed_until",
    "topic",
    "version",
)


def _priority(risk: float) -> str:
    return "urgent" if risk > 0.7 else "high" if risk > 0.5 else "low" if risk < 0.1 else "normal"


def conversation_row(
    w: Writer, rng: random.Random, c: Conv, desk: Desk, texts: Texts, *, ws: int, now: float
) -> tuple[Any, ...]:
    status = rng.choices([s for s, _ in STATUSES], [p for _, p in STATUSES])[0]
    team = next(t for t, (_, granted) in enumerate(TEAMS) if c.channel in granted)
    if c.assignee is None and status == "resolved":  # resolving makes the resolver the assignee
        c.assignee = desk.agent_ids[team * AGENTS_PER_TEAM + c.id % AGENTS_PER_TEAM]
    start, last = c.steps[0][1], c.steps[-1][1]
    replies = [at for d, at, _ in c.steps if d == "outbound"]
    answered = None
    talk = [(d, at) for d, at, _ in c.steps if d != "note"]
    if talk[-1][0] == "inbound" and status == "open":
        answered = talk[-1][1]
        for d, at in reversed(talk):
            if d != "inbound":
                break
            answered = at
    inbound = [i for d, _, i in c.steps if d == "inbound"]
    last_text = inbound[-1]
    sentiment = texts.sentiment[last_text]
    reason = texts.reason[last_text]
    intent = "complaint" if reason else INTENT_BY_REASON.get(sentiment, "question")
    if rng.random() < 0.05:
        intent = rng.choice(("request", "purchase_intent", "churn_threat", "other"))
    risk = round(rng.betavariate(2.0 if sentiment == "negative" else 1.2, 5.0), 3)
    return (
        c.id,
        w.ts(start),
        w.ts(last),
        c.id,
        f"t{c.id}",
        c.kind,
        status,
        _priority(risk),
        len(c.steps),
        w.ts(start),
        w.ts(replies[0]) if replies else None,
        int(replies[0] - start) if replies else None,
        w.ts(answered) if answered is not None else None,
        w.ts(last),
        w.ts(last + 600) if status == "resolved" else None,
        c.assignee,
        desk.channel_ids[c.channel],
        c.customer,
        desk.team_ids[team] if rng.random() < 0.9 else None,
        ws,
        risk,
        intent,
        rng.choices(("en", "es", "fr"), (95, 3, 2))[0],
        sentiment,
        w.ts(now + 2 * DAY) if status == "snoozed" else None,
        reason.lower().replace(" ", "_").replace("'", "")[:64],
        0,
    )


MESSAGE_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "direction",
    "author_name",
    "body",
    "external_id",
    "in_reply_to_external_id",
    "is_public",
    "delivery_status",
    "sent_at",
    "author_identity_id",
    "author_user_id",
    "channel_account_id",
    "conversation_id",
    "event",
)


def message_rows(
    w: Writer, convs: list[Conv], desk: Desk, texts: Texts, inbound_ids: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Every message, in conversation (= time) order; fills ``inbound_ids`` for analyses."""
    mid = 0
    agents = desk.agent_ids
    for c in convs:
        handle = texts.name(c.customer)
        channel = desk.channel_ids[c.channel]
        public = w.true if c.kind == "public_thread" else w.false
        previous = ""
        for direction, at, pick in c.steps:
            mid += 1
            stamp = w.ts(at)
            agent = c.assignee or agents[pick % len(agents)]
            row: tuple[Any, ...]
            if direction == "inbound":
                if c.id % 4 == 0:
                    inbound_ids.append(mid)
                external = str(1_000_000_000 + mid)
                row = (texts.inbound[pick], external, public, "received", c.identity, None, handle)
            elif direction == "outbound":
                body = _REPLIES[pick % len(_REPLIES)].format(who=handle)
                external = str(1_000_000_000 + mid)
                row = (body, external, public, "sent", None, agent, "Airline care")
            else:
                note = NOTES[pick % len(NOTES)]
                row = (note, None, w.false, "received", None, agent, "Agent")
            body, ext, is_public, delivery, identity, user, author = row
            yield (
                mid,
                stamp,
                stamp,
                direction,
                author,
                body,
                ext,
                previous,
                is_public,
                delivery,
                stamp,
                identity,
                user,
                channel,
                c.id,
                "",
            )
            if ext is not None:
                previous = ext


def analysis_rows(w: Writer, ids: list[int], texts: Texts, t0: str) -> Iterator[tuple[Any, ...]]:
    for n, mid in enumerate(ids, 1):
        sentiment = texts.sentiment[mid % len(texts.sentiment)]
        yield (
            n,
            "rippledesk-baseline",
            "1",
            w.true,
            sentiment,
            '{"' + sentiment + '": 0.8}',
            "neutral",
            "{}",
            "complaint" if sentiment == "negative" else "question",
            "",
            "normal",
            "en",
            "[]",
            round((mid % 997) / 997, 3),
            "normal",
            t0,
            mid,
        )


ANALYSIS_COLUMNS = (
    "id",
    "model_name",
    "model_version",
    "analysable",
    "sentiment",
    "sentiment_scores",
    "emotion",
    "emotion_scores",
    "intent",
    "topic",
    "urgency",
    "language",
    "pii",
    "ripple_risk",
    "priority",
    "created_at",
    "message_id",
)


def seed(sizes: Sizes, texts: Texts, *, rng_seed: int = 20261125) -> Desk:
    """Fill the empty, migrated database; returns the desk with per-stage seconds."""
    from rippledesk.workspaces.models import Workspace  # noqa: PLC0415

    rng = random.Random(rng_seed)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now_ = time.perf_counter()
        seconds[stage] = round(now_ - clock, 2)
        clock = now_

    workspace, channels, teams, agents, managers = staff(rng)
    desk = Desk(workspace.slug, channels, teams, agents, managers, sizes.conversations, 0)
    w = Writer()
    now = time.time()
    t0 = w.ts(now - (SPAN_DAYS + 1) * DAY)
    lap("staff")
    customer_rows(w, sizes, texts, ws=workspace.pk, chans=channels, t0=t0)
    lap("customers")
    convs = plan(rng, sizes, now, desk, texts)
    lap("plan")
    w.rows(
        "conversations_conversation",
        CONVERSATION_COLUMNS,
        (conversation_row(w, rng, c, desk, texts, ws=workspace.pk, now=now) for c in convs),
    )
    Workspace.objects.filter(pk=workspace.pk).update(next_conversation_number=len(convs) + 1)
    lap("conversations")
    inbound_ids: list[int] = []
    desk.messages = w.rows(
        "conversations_message", MESSAGE_COLUMNS, message_rows(w, convs, desk, texts, inbound_ids)
    )
    lap("messages")
    w.rows("analysis_messageanalysis", ANALYSIS_COLUMNS, analysis_rows(w, inbound_ids, texts, t0))
    lap("analyses")
    w.finish(
        (
            "customers_customer",
            "customers_identity",
            "conversations_conversation",
            "conversations_message",
            "analysis_messageanalysis",
        )
    )
    lap("analyze")
    desk.customer_names = [texts.name(i) for i in range(1, min(sizes.customers, 5000) + 1)]
    desk.seconds = seconds
    return desk
