"""Automation rules in headless Chromium: a rule's suggested reply goes into the composer, and
deleting a rule asks first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rippledesk.triage.rules.actions import RuleInput, do_create_rule
from rippledesk.triage.rules.effects import do_suggest_reply
from rippledesk.triage.rules.models import Rule
from rippledesk.workspaces.access import seat_in
from tests.browser.test_desk_in_chromium import sign_in
from tests.desk import Desk, build_desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return build_desk(tmp_path)


def _rule(desk: Desk) -> Rule:
    seat = seat_in(desk.manager, desk.workspace)
    assert seat is not None
    return do_create_rule(
        seat,
        RuleInput(
            name="Thanks",
            trigger="message_received",
            actions=[{"type": "suggest_reply", "text": "Thanks {{customer.first_name}}!"}],
        ),
    )


def test_use_puts_a_rules_suggestion_in_the_composer(
    browser: Any, live_server: Any, desk: Desk
) -> None:
    conversation = desk.conversation("bob_k")
    do_suggest_reply(
        conversation, _rule(desk), "Thanks {{customer.first_name}}! - {{agent.first_name}}"
    )
    page = sign_in(browser, live_server, "agent")
    page.goto(f"{live_server.url}/w/acme/conversations/{conversation.number}/")
    page.locator("[data-rule-suggestions] [data-use-suggestion]").click()
    assert page.locator("#reply-body").input_value() == "Thanks bob_k! - Ava"


def test_deleting_a_rule_asks_first(browser: Any, live_server: Any, desk: Desk) -> None:
    _rule(desk)
    page = sign_in(browser, live_server, "manager")
    page.goto(f"{live_server.url}/w/acme/rules/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete").click()
    page.wait_for_timeout(500)  # a submitted form would have reached the server by now
    assert Rule.objects.count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Delete").click()
    assert not Rule.objects.exists()
    assert "Deleted the rule Thanks." in page.content()
