"""The desk as an agent uses it, in headless Chromium: keyboard, replies, search, safety."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rippledesk.conversations.models import Conversation, Direction, Message
from tests.desk import HOSTILE, PASSWORD, Desk, build_desk, import_rows, write_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    desk = build_desk(tmp_path)
    # Make the queue order known: bob's newer mention is riskiest, then alice's thread.
    Conversation.objects.filter(pk=desk.conversation("bob_k").pk).update(ripple_risk=0.8)
    Conversation.objects.filter(pk=desk.conversation("alice_w").pk).update(ripple_risk=0.5)
    return desk


def sign_in(browser: Any, live_server: Any, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/inbox/")
    return page


def test_login_and_work_the_queue_with_the_keyboard(
    browser: Any, live_server: Any, desk: Desk
) -> None:
    page = sign_in(browser, live_server, "agent")
    rows = page.locator("[data-queue] > li")
    assert rows.count() == 3  # the agent's team reaches @AcmeCare only
    first = desk.number("bob_k")
    assert rows.first.get_attribute("data-number") == str(first)
    assert "is-selected" in (rows.first.get_attribute("class") or "")

    page.keyboard.press("j")
    assert "is-selected" in (rows.nth(1).get_attribute("class") or "")
    page.keyboard.press("k")
    assert "is-selected" in (rows.first.get_attribute("class") or "")

    # a: assign the selected conversation to me (lands on it)
    page.keyboard.press("a")
    page.wait_for_url(f"**/conversations/{first}/")
    assert Conversation.objects.get(workspace=desk.workspace, number=first).assignee == desk.agent
    page.keyboard.press("u")  # back to the inbox
    page.wait_for_url("**/w/acme/inbox/")

    # e: resolve the selected one; the queue moves on to the next
    with page.expect_navigation():
        page.keyboard.press("e")
    assert Conversation.objects.get(workspace=desk.workspace, number=first).status == "resolved"
    assert str(first) not in [rows.nth(i).get_attribute("data-number") for i in range(rows.count())]
    assert page.locator(".flash").inner_text().startswith(f"Conversation #{first} is now resolved")

    # Enter opens the selected conversation, r goes straight to the composer
    page.keyboard.press("r")
    page.wait_for_url("**#composer")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'reply-body'")


def test_reply_with_counter_canned_response_and_ctrl_enter(
    browser: Any, live_server: Any, desk: Desk
) -> None:
    number = desk.number("bob_k")
    desk.workspace.canned.create(
        shortcut="refund",
        title="Refund",
        body="Hi {{customer.first_name}}, refund sent. {{agent.first_name}}",
    )
    page = sign_in(browser, live_server, "agent")
    page.goto(f"{live_server.url}/w/acme/conversations/{number}/")
    page.keyboard.press("r")
    box = page.locator("#reply-body")
    box.fill("x" * 281)
    assert page.locator("[data-counter]").inner_text() == "281 / 280"
    assert page.locator("[data-send]").is_disabled()
    box.fill("Thanks for waiting /refund")
    box.press("Tab")
    page.wait_for_function("document.getElementById('reply-body').value.includes('refund sent')")
    assert box.input_value() == "Thanks for waiting Hi bob_k, refund sent. Ava"
    with page.expect_navigation():
        box.press("Control+Enter")
    reply = Message.objects.get(conversation__number=number, direction=Direction.OUTBOUND)
    assert reply.body == "Thanks for waiting Hi bob_k, refund sent. Ava"
    assert page.locator(".msg-outbound .msg-body").last.inner_text() == reply.body
    assert page.locator(".msg-outbound .tag-ok").last.inner_text() == "sent"  # loopback outbox


def test_search_from_the_keyboard(browser: Any, live_server: Any, desk: Desk) -> None:
    page = sign_in(browser, live_server, "agent")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "topsearch-q"
    page.keyboard.type("refund")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=refund")
    hits = page.locator(".search-hits li")
    assert hits.count() == 2
    assert page.locator(".search-hits mark").first.inner_text().lower() == "refund"


def test_a_forbidden_conversation_is_a_plain_404(
    browser: Any, live_server: Any, desk: Desk
) -> None:
    page = sign_in(browser, live_server, "agent")
    response = page.goto(f"{live_server.url}/w/acme/conversations/{desk.number('mallory')}/")
    assert response is not None and response.status == 404
    assert "alert(1)" not in page.content()


def test_html_in_a_message_shows_as_text(browser: Any, live_server: Any, desk: Desk) -> None:
    page = sign_in(browser, live_server, "manager")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/w/acme/conversations/{desk.number('mallory')}/")
    body = page.locator(".msg-inbound .msg-body").first
    assert body.inner_text() == HOSTILE
    assert page.locator(".msg-body b").count() == 0
    assert page.locator(".msg-body script").count() == 0
    page.goto(f"{live_server.url}/w/acme/inbox/")
    assert page.locator(".queue .snippet", has_text="<script>alert(1)</script>").count() == 1
    assert dialogs == []


def test_new_messages_appear_without_a_reload(
    browser: Any, live_server: Any, desk: Desk, tmp_path: Path
) -> None:
    page = sign_in(browser, live_server, "agent")
    page.evaluate("window.__marker = 'same page'")
    import_rows(
        desk.workspace,
        write_rows(
            tmp_path / "late.csv",
            [("@AcmeCare anyone there?", "newbie", "AcmeCare", "2017-12-01 10:00")],
        ),
    )
    page.locator(".queue .customer-name", has_text="newbie").wait_for(timeout=4_000)
    assert page.evaluate("window.__marker") == "same page"  # refreshed in place
    assert page.locator('[data-count="attention"]').inner_text() == "4"


def test_two_agents_on_one_conversation_see_each_other(
    browser: Any, live_server: Any, desk: Desk
) -> None:
    number = desk.number("alice_w")
    agent = sign_in(browser, live_server, "agent")
    manager = sign_in(browser, live_server, "manager")
    agent.goto(f"{live_server.url}/w/acme/conversations/{number}/")
    manager.goto(f"{live_server.url}/w/acme/conversations/{number}/")
    agent.locator("#reply-body").fill("Working on it")
    notice = manager.locator("[data-viewers]")
    notice.wait_for(state="visible", timeout=6_000)
    manager.wait_for_function(
        "document.querySelector('[data-viewers]').textContent.includes('typing a reply')",
        timeout=6_000,
    )
    assert notice.inner_text() == "Ava (typing a reply) also has this conversation open."
    # the manager's note shows up in the agent's timeline without a reload
    manager.locator("input[name=mode][value=note]").check()
    manager.locator("#reply-body").fill("Customer is a frequent flyer")
    manager.locator("[data-send]").click()
    agent.locator(".msg-note", has_text="frequent flyer").wait_for(timeout=6_000)
