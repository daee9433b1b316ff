"""Changing conversations through the JSON API: replies, notes, assignment, status, presence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rippledesk.conversations.models import DeliveryStatus, Message
from tests.api_desk import Desk, error_of, make_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


def url(desk: Desk, customer: str, action: str = "") -> str:
    return f"/api/w/acme/conversations/{desk.number(customer)}" + (f"/{action}" if action else "")


def test_reply_is_queued_then_sent_after_commit(
    desk: Desk, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = desk.call("POST", url(desk, "alice_w", "replies"), {"body": " Sorted, thanks! "})
    assert response.status_code == 201
    body = response.json()
    assert body["direction"] == "outbound"
    assert body["body"] == "Sorted, thanks!"
    assert body["is_public"] is True  # a public thread is answered in public
    assert body["author_username"] == "agent"
    assert callbacks  # delivery waits for the commit
    message = Message.objects.get(pk=body["id"])
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.external_id == f"loopback-{message.pk}"
    detail = desk.call("GET", url(desk, "alice_w")).json()
    assert detail["assignee"]["username"] == "agent"  # replying takes the conversation
    assert detail["waiting_since"] is None


def test_reply_and_resolve(desk: Desk) -> None:
    response = desk.call(
        "POST", url(desk, "alice_w", "replies"), {"body": "Done", "public": False, "resolve": True}
    )
    assert response.status_code == 201
    assert response.json()["is_public"] is False
    assert desk.call("GET", url(desk, "alice_w")).json()["status"] == "resolved"


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"body": ""}, "body", "empty"),
        ({"body": "   \n "}, "body", "empty"),
        ({"body": "x" * 281}, "body", "280"),
        ({"body": "x" * 100_001, "public": False}, "body", "100000"),
        ({}, "body", "required"),
        ({"body": 5}, "body", "string"),
        ({"body": "hi", "public": "maybe"}, "public", "boolean"),
    ],
)
def test_bad_replies_name_the_field(
    desk: Desk, payload: dict[str, Any], field: str, words: str
) -> None:
    response = desk.call("POST", url(desk, "alice_w", "replies"), payload)
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == field
    assert words in error["message"].replace(",", "").lower()
    assert not Message.objects.filter(direction="outbound", author_user=desk.users["agent"])


def test_private_reply_may_be_longer(desk: Desk) -> None:
    response = desk.call(
        "POST", url(desk, "alice_w", "replies"), {"body": "x" * 2000, "public": False}
    )
    assert response.status_code == 201


def test_malformed_json_is_422_on_body(desk: Desk) -> None:
    response = desk.client.post(
        url(desk, "alice_w", "replies"),
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {desk.tokens['agent']}"},
    )
    assert response.status_code in (400, 422)
    assert error_of(response)["field"] == "body"


def test_note_is_internal(desk: Desk) -> None:
    response = desk.call("POST", url(desk, "bob_k", "notes"), {"body": "VIP, be kind"})
    assert response.status_code == 201
    assert response.json()["direction"] == "note"
    assert response.json()["delivery_status"] == "received"
    empty = desk.call("POST", url(desk, "bob_k", "notes"), {"body": ""})
    assert empty.status_code == 422
    assert error_of(empty)["field"] == "body"
    timeline = desk.call("GET", url(desk, "bob_k", "messages")).json()["items"]
    assert timeline[-1]["body"] == "VIP, be kind"


def test_assignment_and_stale_version(desk: Desk) -> None:
    detail = desk.call("GET", url(desk, "alice_w")).json()
    version = detail["version"]
    response = desk.call(
        "POST",
        url(desk, "alice_w", "assignment"),
        {"assignee": "colleague", "team": desk.team.pk, "version": version},
    )
    assert response.status_code == 200, response.json()
    after = response.json()
    assert after["assignee"]["username"] == "colleague"
    assert after["team"] == {"id": desk.team.pk, "name": "care"}
    assert after["version"] == version + 1
    stale = desk.call(
        "POST", url(desk, "alice_w", "assignment"), {"assignee": None, "version": version}
    )
    assert stale.status_code == 409
    assert error_of(stale)["field"] == "version"
    assert error_of(stale)["code"] == "conflict"
    # omitting team keeps it; null assignee unassigns
    unassign = desk.call(
        "POST", url(desk, "alice_w", "assignment"), {"assignee": None, "version": version + 1}
    ).json()
    assert unassign["assignee"] is None
    assert unassign["team"]["name"] == "care"
    events = [
        m["event"] for m in desk.call("GET", url(desk, "alice_w", "messages")).json()["items"]
    ]
    assert events.count("assigned") == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"assignee": "nobody", "version": 0}, "assignee"),
        ({"assignee": "outsider", "version": 0}, "assignee"),  # member of another desk
        ({"assignee": "loner", "version": 0}, "assignee"),  # cannot see the channel
        ({"assignee": None, "team": 999999, "version": 0}, "team"),
        ({"assignee": None}, "version"),
        ({"assignee": None, "version": -1}, "version"),
    ],
)
def test_bad_assignment(desk: Desk, payload: dict[str, Any], field: str) -> None:
    response = desk.call("POST", url(desk, "alice_w", "assignment"), payload)
    assert response.status_code == 422
    assert error_of(response)["field"] == field


@pytest.mark.parametrize("second_status", ["resolved", "pending"])
def test_two_agents_resolving_at_once(desk: Desk, second_status: str) -> None:
    version = desk.call("GET", url(desk, "bob_k")).json()["version"]
    first = desk.call(
        "POST", url(desk, "bob_k", "status"), {"status": "resolved", "version": version}
    )
    assert first.status_code == 200
    assert first.json()["status"] == "resolved"
    second = desk.call(
        "POST",
        url(desk, "bob_k", "status"),
        {"status": second_status, "version": version},
        as_="colleague",
    )
    assert second.status_code == 409
    error = error_of(second)
    assert error["field"] == "version"
    assert "resolved" in error["message"]


def test_snooze_needs_an_aware_future_time(desk: Desk) -> None:
    path = url(desk, "bob_k", "status")
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    for payload, field in [
        ({"status": "snoozed", "version": 0}, "snooze_until"),
        (
            {"status": "snoozed", "version": 0, "snooze_until": "2020-01-01T00:00:00Z"},
            "snooze_until",
        ),
        (
            {"status": "snoozed", "version": 0, "snooze_until": "2030-01-01T00:00:00"},
            "snooze_until",
        ),
        ({"status": "closed", "version": 0}, "status"),
    ]:
        response = desk.call("POST", path, payload)
        assert response.status_code == 422, payload
        assert error_of(response)["field"] == field
    ok = desk.call("POST", path, {"status": "snoozed", "version": 0, "snooze_until": later})
    assert ok.status_code == 200
    assert ok.json()["status"] == "snoozed"
    assert ok.json()["snoozed_until"] is not None


def test_writes_outside_reach_are_404(desk: Desk) -> None:
    shop = desk.number("mallory")
    foreign = desk.number("carol", desk.globex)
    for path in (
        f"/api/w/acme/conversations/{shop}/replies",
        f"/api/w/acme/conversations/{shop}/notes",
        f"/api/w/globex/conversations/{foreign}/replies",
        "/api/w/acme/conversations/4242/replies",
    ):
        response = desk.call("POST", path, {"body": "hello"})
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
    assert not Message.objects.filter(body="hello").exists()


def test_presence_shows_colleagues(desk: Desk) -> None:
    path = url(desk, "alice_w", "presence")
    assert desk.call("POST", path, {"composing": True}).json() == {"viewers": []}
    seen = desk.call("POST", path, {}, as_="colleague").json()
    assert seen == {"viewers": [{"name": "Agent", "composing": True}]}
