"""The rules pages as managers and agents use them: plain forms, no JavaScript needed."""

from __future__ import annotations

import pytest
from django.test import Client

from rippledesk.triage.rules.models import Rule
from rippledesk.triage.rules.tests.support import Desk, build_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    return build_desk()


def form(**rows: str) -> dict[str, str]:
    base = {
        "name": "VIP complaints",
        "trigger": "message_received",
        "match": "all",
        "enabled": "on",
    }
    return {**base, "cooldown_minutes": "0", **rows}


def test_agents_neither_see_nor_edit_rules(desk: Desk) -> None:
    agent = desk.client_for("ava")
    assert agent.get("/w/acme/rules/").status_code == 403
    assert agent.get("/w/acme/rules/new/").status_code == 403
    assert agent.post("/w/acme/rules/new/", form(**{"a-0-type": "add_note"})).status_code == 403
    assert agent.get("/w/acme/rules/log/").status_code == 403
    assert b"/w/acme/rules/" not in agent.get("/w/acme/inbox/").content
    assert not Rule.objects.exists()
    manager = desk.client_for("max")
    assert b'href="/w/acme/rules/"' in manager.get("/w/acme/inbox/").content


def test_a_rule_made_in_the_form_is_stored_typed_and_shown_back(desk: Desk) -> None:
    manager = desk.client_for("max")
    page = manager.get("/w/acme/rules/new/")
    assert page.status_code == 200
    assert b'name="c-0-field"' in page.content
    assert b'name="a-0-target"' in page.content
    sent = form(
        **{
            "c-0-field": "sentiment",
            "c-0-op": "is",
            "c-0-value": "negative",
            "c-1-field": "team",
            "c-1-op": "in",
            "c-1-value": "care, Retention",
            "a-0-type": "set_priority",
            "a-0-target": "priority:urgent",
            "a-1-type": "notify",
            "a-1-target": f"user:{desk.users['rita'].pk}",
            "a-1-text": "Look at #{{conversation.number}}",
        }
    )
    response = manager.post("/w/acme/rules/new/", sent)
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/rules/"
    rule = Rule.objects.get()
    assert rule.conditions == [
        {"field": "sentiment", "op": "is", "value": "negative"},
        {"field": "team", "op": "in", "value": [desk.care.pk, desk.retention.pk]},
    ]
    assert rule.actions == [
        {"type": "set_priority", "priority": "urgent"},
        {
            "type": "notify",
            "to": "user",
            "user_id": desk.users["rita"].pk,
            "text": "Look at #{{conversation.number}}",
        },
    ]
    listing = manager.get("/w/acme/rules/").content.decode()
    assert "Sentiment is negative; Team is one of Care, Retention" in listing
    assert "Set priority: urgent; Notify: Rita" in listing
    edit = manager.get(f"/w/acme/rules/{rule.pk}/").content.decode()
    assert 'value="Care, Retention"' in edit
    assert f'<option value="user:{desk.users["rita"].pk}" selected>' in edit
    # Editing: drop the team condition, make it a note.
    changed = {k: v for k, v in sent.items() if not k.startswith("c-1")}
    changed.update({"a-1-type": "add_note", "a-1-target": "", "name": "VIP complaints!"})
    assert manager.post(f"/w/acme/rules/{rule.pk}/", changed).status_code == 302
    rule.refresh_from_db()
    assert rule.name == "VIP complaints!"
    assert len(rule.conditions) == 1
    assert rule.actions[1] == {"type": "add_note", "text": "Look at #{{conversation.number}}"}


def test_problems_are_shown_next_to_their_rows_and_nothing_is_lost(desk: Desk) -> None:
    manager = desk.client_for("max")
    sent = form(
        name="",
        **{
            "c-0-field": "sentiment",
            "c-0-op": "is",
            "c-0-value": "negative",
            "c-2-field": "audience",  # row 1 left empty: this is the second condition
            "c-2-op": "gt",
            "c-2-value": "lots",
            "a-0-type": "set_priority",
            "a-0-target": "team:1",
            "a-1-type": "auto_reply",
            "a-1-text": "Hi {{agent.name}}",
            "cooldown_minutes": "soon",
        },
    )
    response = manager.post("/w/acme/rules/new/", sent)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The rule was not saved; fix these:" in html
    assert "give the rule a name of 1 to 120 characters" in html
    assert "value: &#x27;lots&#x27; is not a number" in html  # under the second condition row
    assert "target: choose a priority" in html
    assert "text: Unknown variable {{agent.name}} (the desk sends this itself" in html
    assert "give a whole number of minutes" in html
    assert 'name="c-1-value" value="lots"' in html  # renumbered, as typed
    assert html.count('class="row-invalid"') == 3
    assert not Rule.objects.exists()


def test_add_a_row_keeps_what_was_typed(desk: Desk) -> None:
    manager = desk.client_for("max")
    sent = form(**{"c-0-field": "intent", "c-0-op": "is", "c-0-value": "praise", "more": "1"})
    html = manager.post("/w/acme/rules/new/", sent).content.decode()
    assert 'name="c-0-value" value="praise"' in html
    assert 'name="c-1-field"' in html
    assert not Rule.objects.exists()


def _list_post(client: Client, rule: Rule, **data: str) -> None:
    response = client.post("/w/acme/rules/", {"rule": str(rule.pk), **data})
    assert response.status_code == 302


def test_switch_reorder_and_delete_from_the_list(desk: Desk) -> None:
    note = [{"type": "add_note", "text": "x"}]
    first, second = desk.rule("first", actions=note), desk.rule("second", actions=note)
    manager = desk.client_for("max")
    _list_post(manager, second, move="up")
    assert list(Rule.objects.values_list("name", flat=True)) == ["second", "first"]
    _list_post(manager, first, enable="0")
    first.refresh_from_db()
    assert not first.enabled
    assert "Switch on" in manager.get("/w/acme/rules/").content.decode()
    _list_post(manager, first, enable="1")
    first.refresh_from_db()
    assert first.enabled
    _list_post(manager, second, delete="1")
    assert list(Rule.objects.values_list("name", flat=True)) == ["first"]
    assert manager.post("/w/acme/rules/", {"rule": "99999", "delete": "1"}).status_code == 404


def test_the_run_log_lists_what_fired(desk: Desk) -> None:
    rule = desk.rule("noter", actions=[{"type": "add_note", "text": "seen"}])
    desk.dm("hello")
    manager = desk.client_for("max")
    html = manager.get(f"/w/acme/rules/log/?rule={rule.pk}").content.decode()
    number = desk.latest().number
    assert f'href="/w/acme/conversations/{number}/">#{number}</a>' in html
    assert "added an internal note" in html
    assert "Fired" in html
    listing = manager.get("/w/acme/rules/").content.decode()
    assert f"/w/acme/rules/log/?rule={rule.pk}" in listing  # "last fired" links to the log
