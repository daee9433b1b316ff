"""Search and inbox paging on both databases: newest first, within the seat's channels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.access import visible_conversations
from rippledesk.conversations.inbox import InboxQuery, inbox_rows, keyset_page
from rippledesk.conversations.models import Conversation, Message
from rippledesk.conversations.search import queries
from rippledesk.conversations.search.query import parse
from rippledesk.customers.models import Customer, Identity
from rippledesk.workspaces.access import Seat, access_seat
from rippledesk.workspaces.models import Membership, Role, Team, User, Workspace

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def desk(messages: int) -> tuple[Seat, Seat, list[int]]:
    """A manager's and an agent's seat; the agent reaches only channel @a. Returns the ids of
    the messages on @a, oldest first; every message says "delayed" and every third "refund"."""
    ws = Workspace.objects.create(name="W", slug="w")
    a, b = (ChannelAccount.objects.create(workspace=ws, kind="x", name=n) for n in ("a", "b"))
    team = Team.objects.create(workspace=ws, name="T")
    team.channel_accounts.add(a)
    agent, manager = User.objects.create(username="ag"), User.objects.create(username="mg")
    team.members.add(Membership.objects.create(workspace=ws, user=agent, role=Role.AGENT))
    Membership.objects.create(workspace=ws, user=manager, role=Role.MANAGER)
    on_a = []
    for n in range(messages):
        channel = a if n % 2 == 0 else b
        customer = Customer.objects.create(workspace=ws, display_name=f"Jo Smith{n}")
        Identity.objects.create(
            customer=customer, channel_account=channel, external_id=str(n), handle=f"jo{n}"
        )
        at = T0 + timedelta(hours=n)
        conversation = Conversation.objects.create(
            workspace=ws,
            channel_account=channel,
            customer=customer,
            number=n + 1,
            kind="dm",
            last_activity_at=at,
            waiting_since=at,
            ripple_risk=(n % 5) / 5,
        )
        body = "my flight is delayed" + (" refund please" if n % 3 == 0 else "")
        message = Message.objects.create(
            conversation=conversation,
            channel_account=channel,
            direction="inbound",
            body=body,
            sent_at=at,
        )
        if channel == a:
            on_a.append(message.pk)
    return access_seat(manager, "w"), access_seat(agent, "w"), on_a


def test_message_search_is_newest_first_and_keeps_to_the_seats_channels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tiny windows, so the PostgreSQL path walks, then reads the index window by window.
    monkeypatch.setattr(queries, "_RECENT", 3)
    monkeypatch.setattr(queries, "_WALK_MAX", 4)
    monkeypatch.setattr(queries, "_WINDOWS", (5, 10, None))
    manager, agent, on_a = desk(30)
    everything = sorted(Message.objects.values_list("pk", flat=True), reverse=True)
    assert queries.search_message_ids(manager, parse("delayed"), limit=50) == everything
    assert queries.search_message_ids(agent, parse("dela"), limit=7) == on_a[::-1][:7]
    refunds = [pk for pk in everything if "refund" in Message.objects.get(pk=pk).body]
    assert queries.search_message_ids(manager, parse("refund delayed"), limit=4) == refunds[:4]
    assert (
        queries.search_message_ids(
            manager, parse('"flight is delayed"'), before_id=everything[9], limit=3
        )
        == everything[10:13]
    )
    assert queries.search_message_ids(manager, parse("nowhere"), limit=5) == []


def test_customer_search_finds_names_and_handles() -> None:
    manager, agent, _ = desk(4)
    assert len(queries.search_customer_ids(manager, parse("smith"))) == 4
    assert len(queries.search_customer_ids(agent, parse("Jo"))) == 2
    assert queries.search_customer_ids(manager, parse("jo3")) == [
        Customer.objects.get(display_name="Jo Smith3").pk
    ]


def test_keyset_pages_cover_the_view_once_in_order() -> None:
    manager, _, _ = desk(12)
    query = InboxQuery.parse({"view": "attention"})
    rows = inbox_rows(manager, query)
    expected = list(rows.values_list("pk", flat=True))
    seen: list[int] = []
    page = keyset_page(rows, query.order(), size=5)
    while True:
        seen += [row.pk for row in page.rows]
        assert all(row.snippet.startswith("my flight") for row in page.rows)  # type: ignore[attr-defined]
        if page.next is None:
            break
        page = keyset_page(rows, query.order(), after=page.next, size=5)
    assert seen == expected


def test_inbox_keeps_to_the_rule_of_visible_conversations() -> None:
    manager, agent, _ = desk(10)
    for seat in (manager, agent):
        for view in ("all", "attention"):
            listed = set(inbox_rows(seat, InboxQuery.parse({"view": view})))
            assert listed == set(visible_conversations(seat).filter(waiting_since__isnull=False))
    channel = ChannelAccount.objects.get(name="b")
    narrowed = inbox_rows(agent, InboxQuery.parse({"view": "all", "channel": str(channel.pk)}))
    assert not narrowed.exists()  # the agent does not reach @b, even when asking for it


def test_bulk_imports_are_searchable_and_leave_the_triggers_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk batch is indexed in one statement per table; afterwards single inserts are
    indexed by the triggers again (the pause flag never outlives the batch's transaction)."""
    from django.db import connection  # noqa: PLC0415

    from rippledesk.conversations.search import bulk  # noqa: PLC0415

    monkeypatch.setattr(bulk, "MIN_ROWS", 1)  # the fixture's batch is small

    from rippledesk.channels.imports.twcs import TwcsImporter  # noqa: PLC0415
    from rippledesk.workspaces.actions import do_get_or_create_workspace  # noqa: PLC0415
    from tests.desk import TWCS  # noqa: PLC0415

    workspace = do_get_or_create_workspace("w")
    source = tmp_path / "twcs.csv"
    source.write_text(TWCS, encoding="utf-8")
    assert TwcsImporter(workspace, source).run().rows_rejected == 0
    manager = User.objects.create(username="mg")
    Membership.objects.create(workspace=workspace, user=manager, role=Role.MANAGER)
    seat = access_seat(manager, "w")
    stored = Message.objects.count()
    word = "order"
    hits = queries.search_message_ids(seat, parse(word), limit=stored)
    expected = [
        pk
        for pk, body in Message.objects.order_by("-pk").values_list("pk", "body")
        if word in {w.lower() for w in body.split()}
    ]
    assert expected
    assert hits == expected
    assert len(queries.search_customer_ids(seat, parse("alice_w"))) == 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT paused FROM rd_fts_control")
            assert cursor.fetchone() == (0,)
    conversation = Conversation.objects.first()
    assert conversation is not None
    later = Message.objects.create(
        conversation=conversation,
        channel_account=conversation.channel_account,
        direction="note",
        body="zanzibar itinerary",
        sent_at=T0,
    )
    assert queries.search_message_ids(seat, parse("zanzibar"), limit=5) == [later.pk]
