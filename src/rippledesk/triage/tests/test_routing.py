"""Routing: new conversations to online agents by policy; offline agents hand theirs back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from rippledesk.conversations.models import Conversation, Message
from rippledesk.triage.models import AgentState, AssignmentPolicy, TeamRouting
from rippledesk.triage.routing import do_route, do_set_availability
from rippledesk.triage.tests.support import mentions, setup_team

pytestmark = pytest.mark.django_db


def assignees() -> list[str]:
    return [c.assignee.username if c.assignee else "-" for c in Conversation.objects.order_by("pk")]


def test_round_robin_among_online_agents(tmp_path: Path) -> None:
    _, (ava, ben, cy) = setup_team(AssignmentPolicy.ROUND_ROBIN)
    do_set_availability(ava, "online")
    do_set_availability(ben, "online")
    do_set_availability(cy, "away")  # away: takes no new conversations
    mentions(tmp_path, [(f"@AcmeCare help {i}", f"user{i}") for i in range(4)])
    assert assignees() == ["ava", "ben", "ava", "ben"]
    note = Message.objects.filter(event="assigned").first()
    assert note is not None
    assert "Routed to ava (Care, round robin)" in note.body


def test_least_loaded_respects_capacity_and_nobody_online_leaves_it_queued(tmp_path: Path) -> None:
    _, (ava, ben, _cy) = setup_team(AssignmentPolicy.LEAST_LOADED)
    do_set_availability(ava, "online", capacity=1)
    do_set_availability(ben, "online", capacity=2)
    mentions(tmp_path, [(f"@AcmeCare help {i}", f"user{i}") for i in range(4)])
    assert sorted(assignees()) == ["-", "ava", "ben", "ben"]  # the 4th finds everyone full
    waiting = Conversation.objects.get(assignee__isnull=True)
    assert waiting.team is not None  # in the team's queue


def test_going_offline_hands_conversations_back(tmp_path: Path) -> None:
    _, (ava, ben, _cy) = setup_team(AssignmentPolicy.ROUND_ROBIN)
    do_set_availability(ava, "online")
    mentions(tmp_path, [("@AcmeCare hello", "u1"), ("@AcmeCare again", "u2")])
    assert assignees() == ["ava", "ava"]
    do_set_availability(ben, "online")
    assert do_set_availability(ava, "offline") == 2
    assert assignees() == ["ben", "ben"]
    assert AgentState.objects.get(membership=ava).availability == "offline"


def test_old_imports_and_manual_teams_are_not_routed(tmp_path: Path) -> None:
    team, (ava, _ben, _cy) = setup_team(AssignmentPolicy.MANUAL)
    do_set_availability(ava, "online")
    ids = mentions(tmp_path, [("@AcmeCare hi", "u1")])
    assert assignees() == ["-"]
    TeamRouting.objects.filter(team=team).update(policy=AssignmentPolicy.ROUND_ROBIN)
    Conversation.objects.update(waiting_since=timezone.now() - timedelta(days=400))
    # direct routing still works; only the automatic path skips old history
    assert do_route(ids) == 1


def test_the_availability_switch_in_the_page(client: Client, tmp_path: Path) -> None:
    _, (ava, _ben, _cy) = setup_team(AssignmentPolicy.ROUND_ROBIN)
    client.force_login(ava.user)
    response = client.post(
        "/w/acme/availability/", {"availability": "online", "next": "/w/acme/inbox/"}
    )
    assert response["Location"] == "/w/acme/inbox/"
    assert AgentState.objects.get(membership=ava).availability == "online"
    evil = client.post(
        "/w/acme/availability/", {"availability": "away", "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/w/acme/inbox/"
    assert client.post("/w/acme/availability/", {"availability": "asleep"}).status_code == 422
