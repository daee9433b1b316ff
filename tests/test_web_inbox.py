"""The inbox pages: sign-in, views and their order, filters, paging, live rows, access."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rippledesk.conversations.models import Conversation
from rippledesk.web.views import inbox_list
from rippledesk.workspaces.models import User
from tests.desk import HOSTILE, PASSWORD, Desk, build_desk, import_rows, write_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The default hasher takes ~0.2 s per password by design; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return build_desk(tmp_path)


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="queue-row[^"]*" data-number="(\d+)"', html)]


def numbers(client: Client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:400]
    return listed(response.content.decode())


# ---- signing in ------------------------------------------------------------------------------


def test_pages_require_login(desk: Desk) -> None:
    anonymous = Client()
    for url in [
        reverse("web:conversation-list"),
        desk.inbox_url(),
        desk.url("conversation", desk.number("alice_w")),
        reverse("web:search", args=["acme"]),
    ]:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_login_lands_in_the_inbox_then_logout(desk: Desk) -> None:
    browser = Client()
    assert b'name="password"' in browser.get(reverse("web:login")).content
    wrong = browser.post(reverse("web:login"), {"username": "agent", "password": "nope"})
    assert wrong.status_code == 200
    assert b"alert-error" in wrong.content

    signed_in = browser.post(
        reverse("web:login"), {"username": "agent", "password": PASSWORD}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == desk.inbox_url()
    assert b"Needs attention" in signed_in.content
    signed_out = browser.post(reverse("web:logout"))
    assert signed_out["Location"] == reverse("web:login")
    assert browser.get(desk.inbox_url()).status_code == 302


def test_static_files_are_served_without_debug(desk: Desk) -> None:
    page = desk.client.get(desk.inbox_url()).content
    for pattern, kind, marker in [
        (rb'<link rel="stylesheet" href="([^"]+)"', "text/css", b".queue-row"),
        (rb'<script src="([^"]+)"', "text/javascript", b"data-inbox"),
    ]:
        found = re.search(pattern, page)
        assert found is not None
        asset = desk.client.get(found.group(1).decode())
        assert asset.status_code == 200
        assert asset["Content-Type"].startswith(kind)
        assert marker in b"".join(asset.streaming_content)  # type: ignore[arg-type]


def test_old_list_url_redirects_to_the_inbox(desk: Desk) -> None:
    old = reverse("web:workspace-conversations", args=["acme"])
    response = desk.client.get(old + "?view=all")
    assert response.status_code == 302
    assert response["Location"] == desk.inbox_url("?view=all")


# ---- views and their order -------------------------------------------------------------------


def test_needs_attention_is_riskiest_first_then_longest_waiting(desk: Desk) -> None:
    manager = desk.client_for(desk.manager)
    alice, bob, mallory = (desk.conversation(n) for n in ("alice_w", "bob_k", "mallory"))
    older_bob = (
        Conversation.objects.filter(workspace=desk.workspace, customer__display_name="bob_k")
        .exclude(pk=bob.pk)
        .get()
    )
    Conversation.objects.filter(pk=mallory.pk).update(ripple_risk=0.9)
    Conversation.objects.filter(pk__in=[bob.pk, older_bob.pk]).update(ripple_risk=0.5)
    now = timezone.now()
    Conversation.objects.filter(pk=bob.pk).update(waiting_since=now - timedelta(hours=5))
    Conversation.objects.filter(pk=older_bob.pk).update(waiting_since=now - timedelta(hours=1))
    Conversation.objects.filter(pk=alice.pk).update(ripple_risk=0.1)

    order = numbers(manager, desk.inbox_url())
    assert order == [mallory.number, bob.number, older_bob.number, alice.number]

    # answered or resolved conversations leave the view
    Conversation.objects.filter(pk=bob.pk).update(waiting_since=None)
    Conversation.objects.filter(pk=mallory.pk).update(status="resolved")
    assert numbers(manager, desk.inbox_url()) == [older_bob.number, alice.number]


def test_mine_unassigned_all_and_counts(desk: Desk) -> None:
    alice = desk.conversation("alice_w")
    Conversation.objects.filter(pk=alice.pk).update(assignee=desk.agent)
    page = desk.client.get(desk.inbox_url())
    counts = {c["view"]: c["count"] for c in page.context["counts"]}
    # the agent reaches @AcmeCare only: alice's thread and bob's two mentions
    assert counts == {"attention": 3, "mine": 1, "unassigned": 2, "all": 3}
    assert numbers(desk.client, desk.inbox_url("?view=mine")) == [alice.number]
    assert alice.number not in numbers(desk.client, desk.inbox_url("?view=unassigned"))
    everything = numbers(desk.client, desk.inbox_url("?view=all"))
    expected = list(
        Conversation.objects.filter(
            workspace=desk.workspace, channel_account=desk.channel("AcmeCare")
        )
        .order_by("-last_activity_at", "-id")
        .values_list("number", flat=True)
    )
    assert everything == expected


def test_agents_see_only_their_teams_channels(desk: Desk) -> None:
    mallory = desk.number("mallory")
    assert mallory not in numbers(desk.client, desk.inbox_url("?view=all"))
    manager_view = numbers(desk.client_for(desk.manager), desk.inbox_url("?view=all"))
    assert mallory in manager_view and len(manager_view) == 4
    # an agent in no team sees no conversation at all, but the page works
    assert numbers(desk.client_for(desk.shopper), desk.inbox_url("?view=all")) == []
    # a channel filter cannot widen what an agent sees
    shop = desk.channel("AcmeShop")
    assert numbers(desk.client, desk.inbox_url(f"?view=all&channel={shop.pk}")) == []


def test_filters_narrow_the_list(desk: Desk) -> None:
    manager = desk.client_for(desk.manager)
    alice, bob = desk.conversation("alice_w"), desk.conversation("bob_k")
    Conversation.objects.filter(pk=alice.pk).update(
        sentiment="positive", intent="praise", topic="", language="en"
    )
    Conversation.objects.filter(pk=bob.pk).update(
        sentiment="negative", intent="complaint", topic="late_flight", language="en"
    )
    assert numbers(manager, desk.inbox_url("?view=all&sentiment=negative")) == [bob.number]
    assert numbers(manager, desk.inbox_url("?view=all&intent=praise")) == [alice.number]
    assert numbers(manager, desk.inbox_url("?view=all&topic=late_flight")) == [bob.number]
    assert set(numbers(manager, desk.inbox_url("?view=all&language=en"))) == {
        alice.number,
        bob.number,
    }
    shop = desk.channel("AcmeShop")
    assert numbers(manager, desk.inbox_url(f"?view=all&channel={shop.pk}")) == [
        desk.number("mallory")
    ]
    Conversation.objects.filter(pk=alice.pk).update(status="resolved")
    assert numbers(manager, desk.inbox_url("?view=all&status=resolved")) == [alice.number]
    # dates filter on last activity, in the workspace's zone (UTC here)
    assert numbers(manager, desk.inbox_url("?view=all&since=2017-11-02&until=2017-11-02")) == [
        bob.number
    ]
    empty = manager.get(desk.inbox_url("?view=all&sentiment=neutral"))
    assert b"Nothing matches these filters" in empty.content


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?view=everything", "view"),
        ("?status=bogus", "status"),
        ("?sentiment=angry", "sentiment"),
        ("?intent=x", "intent"),
        ("?channel=abc", "channel"),
        ("?since=yesterday", "since"),
        ("?after=%25%25%25", "cursor"),
        ("?after=bm90LWEtY3Vyc29y", "cursor"),
    ],
)
def test_invalid_filters_are_a_clear_4xx(desk: Desk, query: str, field: str) -> None:
    response = desk.client.get(desk.inbox_url(query))
    assert response.status_code == 422
    assert f"<code>{field}</code>".encode() in response.content


def test_keyset_pages_walk_every_conversation_once(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many conversations share one activity time, so the id tie-break decides page edges.
    rows = [
        (f"@AcmeCare message {i}", f"user{i}", "AcmeCare", "2017-11-05 12:00") for i in range(9)
    ]
    import_rows(desk.workspace, write_rows(tmp_path / "burst.csv", rows))
    monkeypatch.setattr(inbox_list, "PAGE_SIZE", 4)
    for view, order in [
        ("all", ("-last_activity_at", "-id")),
        ("attention", ("-ripple_risk", "waiting_since", "id")),
    ]:
        expected = list(
            Conversation.objects.filter(
                workspace=desk.workspace, channel_account=desk.channel("AcmeCare")
            )
            .order_by(*order)
            .values_list("number", flat=True)
        )
        assert len(expected) == 12
        pages: list[list[int]] = []
        url = desk.inbox_url(f"?view={view}")
        contexts = []
        while True:
            response = desk.client.get(url)
            contexts.append(response.context)
            pages.append(listed(response.content.decode()))
            if not response.context["next_url"]:
                break
            url = desk.inbox_url(response.context["next_url"])
        assert [len(page) for page in pages] == [4, 4, 4]
        assert [n for page in pages for n in page] == expected
        # "Previous" from the third page gives back the second page exactly
        back = desk.client.get(desk.inbox_url(contexts[2]["previous_url"]))
        assert listed(back.content.decode()) == pages[1]


def test_rows_fragment_shows_new_messages_without_a_reload(desk: Desk, tmp_path: Path) -> None:
    url = reverse("web:inbox-rows", args=["acme"])
    before = listed(desk.client.get(url).content.decode())
    import_rows(
        desk.workspace,
        write_rows(
            tmp_path / "new.csv", [("@AcmeCare hello?", "newbie", "AcmeCare", "2017-12-01 10:00")]
        ),
    )
    after = desk.client.get(url)
    assert after.status_code == 200
    assert b"<html" not in after.content  # a fragment, not a page
    fresh = set(listed(after.content.decode())) - set(before)
    assert fresh == {desk.number("newbie")}
    assert b'data-counts="attention=4;' in after.content


def test_message_bodies_are_shown_as_escaped_text(desk: Desk) -> None:
    number = desk.number("mallory")
    escaped = "Hi &lt;b&gt;team&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;"
    manager = desk.client_for(desk.manager)
    detail = manager.get(desk.url("conversation", number)).content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "<b>team</b>" not in detail
    # Escaped, and shown exactly as written once the browser decodes the entities (the
    # timeline's engine spells a double quote &#34;, Django's templates &quot;).
    bodies = re.findall(r'<div class="msg-body">(.*?)</div>', detail, re.DOTALL)
    assert HOSTILE in [html.unescape(body) for body in bodies]
    assert f"{escaped}\nsecond line &amp; " in detail
    listing = manager.get(desk.inbox_url()).content.decode()
    assert "<script>alert(1)</script>" not in listing
    assert escaped in listing
    assert HOSTILE not in listing


def test_a_user_without_workspace_sees_an_empty_state(desk: Desk) -> None:
    loner = User.objects.create_user("loner", password="another-long-password")
    client = desk.client_for(loner)
    response = client.get(reverse("web:conversation-list"))
    assert response.status_code == 200
    assert b"You are not in any workspace yet" in response.content
    assert client.get(desk.inbox_url()).status_code == 404


def test_a_superuser_sees_every_workspace(desk: Desk) -> None:
    boss = User.objects.create_superuser("boss", password="boss-long-password")
    response = desk.client_for(boss).get(reverse("web:inbox", args=["globex"]))
    assert response.status_code == 200
    assert b"globex secret complaint" in response.content
    assert b"Acme support" in response.content  # in the workspace switcher


def test_waiting_conversations_show_their_first_response_clock(desk: Desk) -> None:
    from django.utils import timezone  # noqa: PLC0415

    bob = desk.conversation("bob_k")
    Conversation.objects.filter(pk=bob.pk).update(
        priority="urgent", waiting_since=timezone.now() - timedelta(minutes=2)
    )
    html = desk.client.get(desk.inbox_url()).content.decode()
    assert 'class="sla sla-ok"' in html
    assert "due in 12m" in html or "due in 13m" in html  # urgent: 15 minutes by default
    late = desk.conversation("alice_w")  # waiting since 2017: long overdue
    assert late.first_response_at is not None  # answered once: no first-response clock
    assert "late " in html  # bob's older mention waits since 2017 without an answer


def test_a_row_shows_customer_channel_labels_times_and_assignee(desk: Desk) -> None:
    alice = desk.conversation("alice_w")
    Conversation.objects.filter(pk=alice.pk).update(
        assignee=desk.agent,
        status="pending",
        sentiment="negative",
        intent="churn_threat",
        topic="lost_luggage",
        priority="high",
        ripple_risk=0.456,
    )
    desk.workspace.time_zone = "America/New_York"
    desk.workspace.save(update_fields=["time_zone"])
    page = desk.client.get(desk.inbox_url("?view=all")).content.decode()
    row = re.search(
        rf'<li class="queue-row prio-high" data-number="{alice.number}".*?</li>', page, re.DOTALL
    )
    assert row is not None
    text = " ".join(row.group(0).split())
    assert 'title="Ripple risk 0.46 · high priority"' in text
    assert 'style="--risk: 46%"' in text
    assert '<span class="customer-name">alice_w</span>' in text
    assert 'title="X (Twitter) · AcmeCare">X</span>' in text
    assert '<span class="status status-pending">Pending</span>' in text
    assert '<span class="chip">churn threat</span> <span class="chip">lost luggage</span>' in text
    assert '<span class="chip chip-priority-high">high</span>' in text
    # last activity 31 Oct 2017 22:20 UTC, shown in New York time
    assert '<time datetime="2017-10-31T18:20:00-04:00" title="Tue 31 Oct 2017, 18:20 EDT">' in text
    assert ">31 Oct 2017</time>" in text
    assert 'title="Assigned to Ava">AV</span>' in text
    assert f'data-href="/w/acme/conversations/{alice.number}/"' in text


def test_top_bar_shows_own_availability_and_unread_notifications(desk: Desk) -> None:
    from rippledesk.triage.routing import do_set_availability  # noqa: PLC0415
    from rippledesk.triage.rules.models import Notification  # noqa: PLC0415
    from rippledesk.workspaces.models import Membership  # noqa: PLC0415

    def note(user: User, workspace: Any, read: bool) -> None:
        Notification.objects.create(
            workspace=workspace,
            user=user,
            source="test",
            text="look",
            created_at=timezone.now(),
            read_at=timezone.now() if read else None,
        )

    page = desk.client.get(desk.inbox_url()).content.decode()
    assert 'value="away" selected' not in page and "unread" not in page  # nothing unread yet
    for read in (False, False, True):
        note(desk.agent, desk.workspace, read)
    note(desk.agent, desk.other, False)  # another workspace's bell
    note(desk.manager, desk.workspace, False)  # someone else's
    do_set_availability(Membership.objects.get(workspace=desk.workspace, user=desk.agent), "away")
    page = desk.client.get(desk.inbox_url()).content.decode()
    assert 'aria-label="2 unread"' in page
    assert 'value="away" selected' in page


def test_sidebar_lists_follow_new_channels_and_teams_at_once(desk: Desk) -> None:
    """The channel and team lists are cached per process; writes through the ORM refresh them."""
    from rippledesk.channels.models import ChannelAccount  # noqa: PLC0415
    from rippledesk.workspaces.models import Team  # noqa: PLC0415

    manager = desk.client_for(desk.manager)
    before = manager.get(desk.inbox_url()).content.decode()
    assert "BrandNewChannel" not in before and "Night shift" not in before
    ChannelAccount.objects.create(workspace=desk.workspace, kind="x", name="BrandNewChannel")
    Team.objects.create(workspace=desk.workspace, name="Night shift")
    after = manager.get(desk.inbox_url()).content.decode()
    assert "BrandNewChannel" in after and "Night shift" in after
    # The agent's list is still cut to the channels their teams are granted.
    assert "BrandNewChannel" not in desk.client.get(desk.inbox_url()).content.decode()
