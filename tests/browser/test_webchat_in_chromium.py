"""Web chat end to end in headless Chromium: a visitor on a shop page and an agent on the desk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rippledesk.channels.actions import do_connect_channel
from rippledesk.workspaces.actions import do_save_team
from tests.desk import PASSWORD, Desk, build_desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return build_desk(tmp_path)


def test_visitor_and_agent_talk_without_reloading(
    browser: Any, live_server: Any, desk: Desk, tmp_path: Path
) -> None:
    chat = do_connect_channel(
        desk.workspace, "webchat", "Acme web chat", {"greeting": "Hi! Ask away."}
    )
    do_save_team(desk.workspace, "Care", channel_account_ids=[chat.pk])
    visitor = browser.new_page()
    visitor.goto(f"{live_server.url}/chat/{chat.webhook_token}/")
    assert visitor.locator(".greeting").inner_text() == "Hi! Ask away."
    visitor.fill("#chat-body", "Do you ship to Norway? <script>alert(1)</script>")
    visitor.keyboard.press("Enter")

    agent = browser.new_page()
    agent.goto(f"{live_server.url}/login/")
    agent.fill("input[name=username]", "agent")
    agent.fill("input[name=password]", PASSWORD)
    agent.click("button[type=submit]")
    row = agent.locator(".queue-row", has=agent.locator(".chan-name", has_text="Acme web chat"))
    row.wait_for(timeout=6_000)
    row.locator(".queue-link").click()
    agent.locator("#reply-body").fill("Yes, in 3-5 days.")
    with agent.expect_navigation():
        agent.locator("[data-send]").click()

    answer = visitor.locator(".from-agent", has_text="Yes, in 3-5 days.")
    answer.wait_for(timeout=6_000)
    sent = visitor.locator(".from-visitor").first
    assert sent.inner_text() == "Do you ship to Norway? <script>alert(1)</script>"
    assert "pending" not in (sent.get_attribute("class") or "")
