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


def test_skills_pick_the_agent_who_reads_the_language(tmp_path: Path) -> None:
    team, (ava, ben, _cy) = setup_team(AssignmentPolicy.SKILLS)
    do_set_availability(ava, "online")
    do_set_availability(ben, "online")
    AgentState.objects.filter(membership=ava).update(languages=["en"])
    AgentState.objects.filter(membership=ben).update(languages=["es"])
    ids = mentions(
        tmp_path,
        [
            ("@AcmeCare mi maleta se ha perdido y nadie me responde", "u1"),
            ("@AcmeCare my suitcase is lost and nobody answers me", "u2"),
        ],
    )
    languages = dict(Conversation.objects.values_list("pk", "language"))
    assert languages[ids[0]] == "es"
    assert languages[ids[1]] == "en"
    assert assignees() == ["ben", "ava"]
    # With the Spanish reader away, a Spanish message waits in the team's queue.
    do_set_availability(ben, "away")
    later = mentions(tmp_path, [("@AcmeCare hola, necesito ayuda con mi reserva", "u3")])
    waiting = Conversation.objects.get(pk=later[-1])
    assert waiting.assignee is None
    assert waiting.team == team


def test_the_more_specific_team_wins_a_shared_channel(tmp_path: Path) -> None:
    team, (ava, ben, _cy) = setup_team(AssignmentPolicy.ROUND_ROBIN)
    from rippledesk.workspaces.actions import do_save_team  # noqa: PLC0415

    spanish = do_save_team(
        team.workspace,
        "Espanol",
        members=[ben],
        channel_account_ids=list(team.channel_accounts.values_list("pk", flat=True)),
    )
    TeamRouting.objects.create(team=spanish, policy=AssignmentPolicy.ROUND_ROBIN, languages=["es"])
    do_set_availability(ava, "online")
    do_set_availability(ben, "online")
    mentions(
        tmp_path,
        [
            ("@AcmeCare mi vuelo fue cancelado, necesito ayuda", "u1"),
            ("@AcmeCare my flight was cancelled, I need help", "u2"),
        ],
    )
    teams = [c.team.name if c.team else "-" for c in Conversation.objects.order_by("pk")]
    assert teams == ["Espanol", "Care"]
    assert assignees()[0] == "ben"


def test_routing_page_saves_policy_and_skills(client: Client) -> None:
    team, (ava, _ben, _cy) = setup_team(AssignmentPolicy.MANUAL)
    from rippledesk.workspaces.actions import do_add_member  # noqa: PLC0415
    from rippledesk.workspaces.models import Role, User  # noqa: PLC0415

    boss = User.objects.create_user("mgr", password="x-long-password")
    do_add_member(team.workspace, boss, Role.MANAGER)
    client.force_login(boss)
    assert client.get("/w/acme/routing/").status_code == 200
    saved = client.post(
        "/w/acme/routing/",
        {"team": str(team.pk), "policy": "skills", "languages": "en, ES", "topics": ""},
    )
    assert saved.status_code == 302
    routing = TeamRouting.objects.get(team=team)
    assert (routing.policy, routing.languages) == ("skills", ["en", "es"])
    bad = client.post(
        "/w/acme/routing/", {"team": str(team.pk), "policy": "skills", "languages": "English"}
    )
    assert bad.status_code == 422
    assert b"&#x27;English&#x27; is not a language code" in bad.content
    skills = client.post(
        "/w/acme/routing/",
        {"member": str(ava.pk), "capacity": "3", "languages": "en", "topics": "lost_luggage"},
    )
    assert skills.status_code == 302
    state = AgentState.objects.get(membership=ava)
    assert (state.capacity, state.languages, state.topics) == (3, ["en"], ["lost_luggage"])
    assert (
        client.post("/w/acme/routing/", {"member": str(ava.pk), "capacity": "0"}).status_code == 422
    )
    client.force_login(ava.user)
    assert client.get("/w/acme/routing/").status_code == 403
