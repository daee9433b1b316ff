"""The access layer for every role: what each seat reaches, and what it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from rippledesk.conversations.access import (
    access_conversation,
    access_customer,
    visible_conversations,
    visible_customers,
)
from rippledesk.conversations.models import Conversation
from rippledesk.core.errors import NotFound
from rippledesk.workspaces.access import access_seat, seat_in, visible_workspaces
from rippledesk.workspaces.actions import do_add_member
from rippledesk.workspaces.models import Role, User
from tests.desk import Desk, build_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return build_desk(tmp_path)


def names(desk: Desk, user: User) -> set[str]:
    seat = access_seat(user, "acme")
    return set(visible_conversations(seat).values_list("customer__display_name", flat=True))


def test_each_role_reaches_its_channels(desk: Desk) -> None:
    boss = User.objects.create_superuser("boss", password="x-long-password")
    admin = User.objects.create_user("admin2", password="x-long-password")
    do_add_member(desk.workspace, admin, Role.ADMIN)
    everyone = {"alice_w", "bob_k", "mallory"}
    assert names(desk, boss) == everyone
    assert names(desk, admin) == everyone
    assert names(desk, desk.manager) == everyone
    assert names(desk, desk.agent) == {"alice_w", "bob_k"}  # team Care: @AcmeCare only
    assert names(desk, desk.shopper) == set()  # an agent in no team
    seats = {u.username: access_seat(u, "acme") for u in (boss, admin, desk.manager, desk.agent)}
    assert {n: s.role for n, s in seats.items()} == {
        "boss": "admin",
        "admin2": "admin",
        "manager": "manager",
        "agent": "agent",
    }
    assert [s.can_manage for s in seats.values()] == [True, True, True, False]
    assert seats["agent"].channel_ids == frozenset({desk.channel("AcmeCare").pk})


def test_no_seat_outside_ones_workspaces(desk: Desk) -> None:
    assert seat_in(desk.agent, desk.other) is None
    with pytest.raises(NotFound):
        access_seat(desk.agent, "globex")
    with pytest.raises(NotFound):
        access_seat(desk.agent, "no-such-workspace")
    assert list(visible_workspaces(desk.agent)) == [desk.workspace]


def test_conversations_and_customers_beyond_reach_are_not_found(desk: Desk) -> None:
    agent = access_seat(desk.agent, "acme")
    manager = access_seat(desk.manager, "acme")
    mallory = desk.conversation("mallory")
    assert access_conversation(manager, mallory.number) == mallory
    with pytest.raises(NotFound, match=f"No conversation #{mallory.number}"):
        access_conversation(agent, mallory.number)
    foreign = Conversation.objects.get(workspace=desk.other)
    with pytest.raises(NotFound):
        access_conversation(manager, foreign.number + 1000)
    assert access_customer(manager, mallory.customer_id) == mallory.customer
    with pytest.raises(NotFound):
        access_customer(agent, mallory.customer_id)
    with pytest.raises(NotFound):
        access_customer(manager, foreign.customer_id)
    assert {c.display_name for c in visible_customers(agent)} == {"alice_w", "bob_k"}
