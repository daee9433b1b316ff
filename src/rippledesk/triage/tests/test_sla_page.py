"""The SLA page: admins change policy, hours and holidays; managers read; agents are kept out."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from rippledesk.triage.models import Holiday, OpeningHours, SlaTarget
from rippledesk.triage.sla_timer import check_deadlines
from rippledesk.triage.tests.support import mentions, setup_team
from rippledesk.workspaces.actions import do_add_member
from rippledesk.workspaces.models import Role, User

pytestmark = pytest.mark.django_db


def admin_client(client: Client) -> Client:
    _, (ava, _ben, _cy) = setup_team("manual")
    boss = User.objects.create_user("boss", password="x-long-password")
    do_add_member(ava.workspace, boss, Role.ADMIN)
    client.force_login(boss)
    return client


def test_admin_sets_lines_hours_holidays_and_zone(client: Client) -> None:
    admin_client(client)
    page = client.get("/w/acme/sla/")
    assert page.status_code == 200
    assert b"No lines yet" in page.content
    saved = client.post(
        "/w/acme/sla/",
        {
            "action": "save_line",
            "priority": "urgent",
            "first_response": "15",
            "next_response": "30",
            "resolution": "480",
            "warn_before": "5",
            "business_hours": "on",
        },
    )
    assert saved.status_code == 302
    line = SlaTarget.objects.get()
    assert (line.first_response_minutes, line.next_response_minutes, line.business_hours) == (
        15,
        30,
        True,
    )
    twice = client.post(
        "/w/acme/sla/", {"action": "save_line", "priority": "urgent", "first_response": "20"}
    )
    assert twice.status_code == 409
    assert b"already a urgent line for every channel" in twice.content
    assert (
        client.post(
            "/w/acme/sla/", {"action": "set_week", "day0": "09:00-12:00, 13:00-17:00", "day5": ""}
        ).status_code
        == 302
    )
    assert list(OpeningHours.objects.values_list("opens", "closes")) == [
        (time(9), time(12)),
        (time(13), time(17)),
    ]
    bad_week = client.post("/w/acme/sla/", {"action": "set_week", "day1": "9-5"})
    assert bad_week.status_code == 422
    assert b"Tuesday: &#x27;9-5&#x27; is not a time span" in bad_week.content
    assert OpeningHours.objects.count() == 2  # the bad week changed nothing
    overlap = client.post(
        "/w/acme/sla/", {"action": "set_week", "day2": "09:00-12:00, 11:00-13:00"}
    )
    assert overlap.status_code == 422
    assert b"overlaps" in overlap.content
    assert (
        client.post(
            "/w/acme/sla/", {"action": "add_holiday", "day": "2030-12-25", "name": "Christmas"}
        ).status_code
        == 302
    )
    assert Holiday.objects.get().name == "Christmas"
    assert client.post("/w/acme/sla/", {"action": "add_holiday", "day": "25/12"}).status_code == 422
    assert (
        client.post("/w/acme/sla/", {"action": "set_zone", "time_zone": "Mars/Olympus"}).status_code
        == 422
    )
    assert (
        client.post("/w/acme/sla/", {"action": "set_zone", "time_zone": "Europe/Paris"}).status_code
        == 302
    )
    page = client.get("/w/acme/sla/")
    assert b"Europe/Paris" in page.content
    assert b"Christmas" in page.content
    assert b"business hours" in page.content


def test_attainment_is_shown_to_managers_and_agents_are_kept_out(
    client: Client, tmp_path: Path
) -> None:
    _, (ava, _ben, _cy) = setup_team("manual")
    SlaTarget.objects.create(workspace=ava.workspace, priority="normal", first_response_minutes=1)
    SlaTarget.objects.create(workspace=ava.workspace, priority="low", first_response_minutes=1)
    SlaTarget.objects.create(workspace=ava.workspace, priority="high", first_response_minutes=1)
    mentions(tmp_path, [("@AcmeCare my bag is lost", "u1")])

    check_deadlines(timezone.now() + timedelta(minutes=5))
    boss = User.objects.create_user("mgr", password="x-long-password")
    do_add_member(ava.workspace, boss, Role.MANAGER)
    client.force_login(boss)
    page = client.get("/w/acme/sla/")
    assert page.status_code == 200
    assert b"1 open conversation past its response deadline now" in page.content
    assert b"First response" in page.content
    assert b"0 %" in page.content  # nothing met, one missed
    manager_edit = client.post(
        "/w/acme/sla/", {"action": "save_line", "priority": "urgent", "first_response": "5"}
    )
    assert manager_edit.status_code == 403
    client.force_login(ava.user)
    assert client.get("/w/acme/sla/").status_code == 403


def test_conversation_page_shows_the_running_clock(client: Client, tmp_path: Path) -> None:
    _, (ava, _ben, _cy) = setup_team("manual")
    for priority in ("low", "normal", "high", "urgent"):
        SlaTarget.objects.create(
            workspace=ava.workspace,
            priority=priority,
            first_response_minutes=90,
            resolution_minutes=600,
        )
    (conversation_id,) = mentions(tmp_path, [("@AcmeCare my bag is lost", "u1")])
    client.force_login(ava.user)
    from rippledesk.conversations.models import Conversation  # noqa: PLC0415

    number = Conversation.objects.get(pk=conversation_id).number
    page = client.get(f"/w/acme/conversations/{number}/")
    assert page.status_code == 200
    assert b"First response due in 1h" in page.content
    assert b"resolve due in 9h" in page.content
