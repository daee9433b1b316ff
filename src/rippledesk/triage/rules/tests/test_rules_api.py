"""The rules API: the same rules and refusals as the web form, as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rippledesk.triage.rules.models import Rule
from rippledesk.triage.rules.tests.support import Desk, build_desk
from rippledesk.workspaces.actions import do_get_or_create_workspace
from rippledesk.workspaces.tokens import do_create_token

pytestmark = pytest.mark.django_db
BODY = {
    "name": "Loud",
    "trigger": "message_received",
    "conditions": [
        {"field": "sentiment", "op": "is", "value": "negative"},
        {"field": "audience", "op": "gt", "value": 10000},
    ],
    "actions": [
        {"type": "set_priority", "priority": "urgent"},
        {"type": "notify", "to": "managers", "text": "Look at #{{conversation.number}}"},
    ],
}


class Api:
    def __init__(self, desk: Desk) -> None:
        self.tokens = {
            name: do_create_token(desk.users[name], "tests")[1] for name in ("ava", "max")
        }
        self.client = Client()

    def __call__(self, method: str, path: str, body: Any = None, as_: str = "max") -> Any:
        kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {self.tokens[as_]}"}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method)(f"/api/w/acme/rules{path}", **kwargs)


@pytest.fixture
def api() -> Api:
    return Api(build_desk())


def test_create_read_replace_delete(api: Api) -> None:
    created = api("post", "", BODY)
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["conditions"][1] == {"field": "audience", "op": "gt", "value": 10000.0}
    assert rule["actions"][0] == {"type": "set_priority", "priority": "urgent"}
    assert (rule["enabled"], rule["position"], rule["disabled_reason"]) == (True, 0, "")
    listed = api("get", "").json()
    assert [r["name"] for r in listed["items"]] == ["Loud"]
    assert listed["next_cursor"] is None
    assert api("get", f"/{rule['id']}").json()["name"] == "Loud"
    replaced = api("put", f"/{rule['id']}", {**BODY, "name": "Louder", "enabled": False})
    assert replaced.status_code == 200
    assert (replaced.json()["name"], replaced.json()["enabled"]) == ("Louder", False)
    assert api("get", f"/{rule['id']}/runs").json() == {"items": [], "next_cursor": None}
    assert api("delete", f"/{rule['id']}").status_code == 204
    assert not Rule.objects.exists()
    assert api("get", f"/{rule['id']}").status_code == 404


def test_refusals_name_the_place(api: Api) -> None:
    bad = {**BODY, "conditions": [{"field": "audience", "op": "gt", "value": "lots"}]}
    response = api("post", "", bad)
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "conditions.0.value: 'lots' is not a number",
        "field": "conditions.0.value",
    }
    loop = {**BODY, "trigger": "priority_changed"}
    error = api("post", "", loop).json()["error"]
    assert error["field"] == "actions.0.type"
    assert "would set itself off" in error["message"]
    wrong_kind = {**BODY, "actions": [{"type": "route_to_team", "priority": "urgent"}]}
    error = api("post", "", wrong_kind).json()["error"]
    assert (error["field"], error["message"]) == (
        "actions.0.team_id",
        "actions.0.team_id: is required",
    )
    api("post", "", BODY)
    error = api("post", "", BODY).json()["error"]
    assert (error["field"], error["message"]) == (
        "name",
        "name: there is already a rule called 'Loud'",
    )


def test_agents_are_refused_and_other_desks_are_not_found(api: Api) -> None:
    refused = api("post", "", BODY, as_="ava")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert api("get", "", as_="ava").status_code == 403
    do_get_or_create_workspace("globex")
    other = api.client.get(
        "/api/w/globex/rules", headers={"Authorization": f"Bearer {api.tokens['max']}"}
    )
    assert other.status_code == 404
