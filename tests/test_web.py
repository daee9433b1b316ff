"""The web desk, driven through its pages with data stored by the real importers."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions
from rippledesk.channels.imports.twcs import TwcsImporter
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Conversation
from rippledesk.web import views
from rippledesk.web.paging import Cursor
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User, Workspace
from tests.conftest import DATA, run_command

pytestmark = pytest.mark.django_db

TWCS = """\
tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
1001,alice_w,True,Tue Oct 31 22:10:00 +0000 2017,@AcmeCare my order never arrived,1002,
1002,AcmeCare,False,Tue Oct 31 22:14:30 +0000 2017,@alice_w Sorry! DM us the order number?,1003,1001
1003,alice_w,True,Tue Oct 31 22:20:00 +0000 2017,@AcmeCare done - thanks,,1002
"""
HOSTILE = 'Hi <b>team</b> <script>alert(1)</script>\nsecond line & "quotes"'
COLUMNS = RowColumns(text="text", author="name", channel="airline", time="tweet_created")


def write_rows(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "name", "airline", "tweet_created"])
        writer.writerows(rows)
    return path


def import_rows(workspace: Workspace, path: Path) -> None:
    report = RowImporter(workspace, path, COLUMNS, RowOptions()).run()
    assert report.rows_rejected == 0


@dataclass
class Desk:
    workspace: Workspace
    other: Workspace
    agent: User
    client: Client

    def number(self, customer: str) -> int:
        """The number of the customer's most recent conversation in the main workspace."""
        return (
            Conversation.objects.filter(workspace=self.workspace, customer__display_name=customer)
            .order_by("-last_activity_at")
            .values_list("number", flat=True)[0]
        )

    def list_url(self, query: str = "") -> str:
        url = reverse("web:workspace-conversations", args=[self.workspace.slug])
        return url + query

    def detail_url(self, number: int, workspace: Workspace | None = None) -> str:
        slug = (workspace or self.workspace).slug
        return reverse("web:conversation-detail", args=[slug, number])


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The default hasher takes ~0.2 s per password by design; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()  # workspace summaries are cached; ids repeat between tests
    yield
    cache.clear()


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """Workspace "acme" (a TWCS thread with a reply, plus CSV mentions) and a foreign "globex"."""
    acme = do_get_or_create_workspace("acme", "Acme support")
    twcs = tmp_path / "twcs.csv"
    twcs.write_text(TWCS, encoding="utf-8")
    assert TwcsImporter(acme, twcs).run().rows_rejected == 0
    mentions = [
        ("@AcmeCare where is my refund?", "bob_k", "AcmeCare", "2017-11-01 08:00"),
        (HOSTILE, "mallory", "AcmeShop", "2017-11-01 09:00"),
        ("@AcmeCare still waiting for that refund", "bob_k", "AcmeCare", "2017-11-02 10:00"),
    ]
    import_rows(acme, write_rows(tmp_path / "mentions.csv", mentions))
    globex = do_get_or_create_workspace("globex", "Globex")
    secret = [("globex secret complaint", "carol", "GlobexHelp", "2017-11-03 10:00")]
    import_rows(globex, write_rows(tmp_path / "globex.csv", secret))
    agent = User.objects.create_user("agent", password="a-long-test-password")
    do_add_member(acme, agent, Role.AGENT)
    client = Client()
    client.force_login(agent)
    return Desk(acme, globex, agent, client)


def listed_numbers(html: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'class="conv-row" href="/w/[\w-]+/conversations/(\d+)/"', html)
    ]


def without_tokens(response: HttpResponse) -> str:
    """The page with its per-response CSRF token blanked, for comparing two pages."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# ---- signing in ------------------------------------------------------------------------------


def test_pages_require_login(desk: Desk) -> None:
    anonymous = Client()
    for url in [
        reverse("web:conversation-list"),
        desk.list_url(),
        desk.detail_url(desk.number("alice_w")),
    ]:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_root_redirects_to_the_conversation_list(desk: Desk) -> None:
    response = desk.client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:conversation-list")


def test_login_then_logout(desk: Desk) -> None:
    browser = Client()
    page = browser.get(reverse("web:login"))
    assert page.status_code == 200
    assert b'name="password"' in page.content

    wrong = browser.post(reverse("web:login"), {"username": "agent", "password": "nope"})
    assert wrong.status_code == 200
    assert b"alert-error" in wrong.content

    signed_in = browser.post(
        reverse("web:login"), {"username": "agent", "password": "a-long-test-password"}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == desk.list_url()
    assert b"Acme support" in signed_in.content

    signed_out = browser.post(reverse("web:logout"))
    assert signed_out["Location"] == reverse("web:login")
    assert browser.get(desk.list_url()).status_code == 302


def test_stylesheet_is_served_without_debug(desk: Desk) -> None:
    page = desk.client.get(desk.list_url())
    href = re.search(rb'<link rel="stylesheet" href="([^"]+)"', page.content)
    assert href is not None
    css = desk.client.get(href.group(1).decode())
    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")
    assert b".conv-row" in b"".join(css.streaming_content)  # type: ignore[arg-type]


# ---- the list --------------------------------------------------------------------------------


def test_list_shows_imported_conversations_newest_first(desk: Desk) -> None:
    response = desk.client.get(reverse("web:conversation-list"), follow=True)
    assert response.redirect_chain[-1][0] == desk.list_url()
    html = response.content.decode()

    numbers = listed_numbers(html)
    expected = list(
        Conversation.objects.filter(workspace=desk.workspace)
        .order_by("-last_activity_at", "-id")
        .values_list("number", flat=True)
    )
    assert numbers == expected
    assert len(numbers) == 4  # one TWCS thread and three mentions; nothing from globex
    assert "globex secret" not in html

    thread = desk.number("alice_w")
    row = html[html.index(f'/conversations/{thread}/"') :]
    row = row[: row.index("</a>")]
    assert "alice_w" in row
    assert "@AcmeCare my order never arrived" in row  # snippet of the first message
    assert "AcmeCare" in row
    assert "Open" in row
    assert 'title="3 messages"' in row
    assert "4m 30s" in row  # 22:10:00 -> 22:14:30

    refund = html[html.index(f'/conversations/{desk.number("bob_k")}/"') :]
    assert "unanswered" in refund[: refund.index("</a>")]

    summary = response.context["summary"]
    assert (summary.conversations, summary.answered, summary.median_seconds) == (4, 1, 270.0)
    assert "4 conversations" in html


def test_filters_narrow_the_list(desk: Desk) -> None:
    thread = desk.number("alice_w")
    Conversation.objects.filter(workspace=desk.workspace, number=thread).update(status="resolved")
    everyone = set(listed_numbers(desk.client.get(desk.list_url()).content.decode()))

    def numbers(query: str) -> set[int]:
        response = desk.client.get(desk.list_url(query))
        assert response.status_code == 200
        return set(listed_numbers(response.content.decode()))

    assert numbers("?status=resolved") == {thread}
    assert numbers("?status=open") == everyone - {thread}
    assert numbers("?response=answered") == {thread}
    assert numbers("?response=unanswered") == everyone - {thread}

    shop = ChannelAccount.objects.get(workspace=desk.workspace, name="AcmeShop")
    assert numbers(f"?channel={shop.pk}") == {desk.number("mallory")}
    assert numbers(f"?channel={shop.pk}&response=answered") == set()
    assert "No conversations match these filters" in (
        desk.client.get(desk.list_url(f"?channel={shop.pk}&status=pending")).content.decode()
    )

    # a channel of another workspace or a made-up status is ignored, never an error or a leak
    foreign = ChannelAccount.objects.get(workspace=desk.other)
    assert numbers(f"?channel={foreign.pk}") == everyone
    assert numbers("?status=bogus&response=maybe") == everyone


def test_keyset_pages_walk_every_conversation_once(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many conversations share one activity time, so the id tie-break decides page edges.
    rows = [
        (f"@AcmeCare message {i}", f"user{i}", "AcmeCare", "2017-11-05 12:00") for i in range(9)
    ]
    import_rows(desk.workspace, write_rows(tmp_path / "burst.csv", rows))
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    expected = list(
        Conversation.objects.filter(workspace=desk.workspace)
        .order_by("-last_activity_at", "-id")
        .values_list("number", flat=True)
    )
    assert len(expected) == 13

    pages: list[list[int]] = []
    url = desk.list_url()
    while True:
        response = desk.client.get(url)
        pages.append(listed_numbers(response.content.decode()))
        older = response.context["older_url"]
        if not older:
            break
        url = desk.list_url(older)
    assert [len(page) for page in pages] == [4, 4, 4, 1]
    assert [n for page in pages for n in page] == expected

    # "Newer" from the third page gives back the second page exactly, and from it the first.
    second = desk.client.get(desk.list_url(desk.client.get(desk.list_url()).context["older_url"]))
    third = desk.client.get(desk.list_url(second.context["older_url"]))
    back = desk.client.get(desk.list_url(third.context["newer_url"]))
    assert listed_numbers(back.content.decode()) == pages[1]
    top = desk.client.get(desk.list_url(back.context["newer_url"]))
    assert listed_numbers(top.content.decode()) == pages[0]
    assert top.context["newer_url"] == ""


def test_a_mangled_cursor_shows_the_first_page(desk: Desk) -> None:
    first = listed_numbers(desk.client.get(desk.list_url()).content.decode())
    for junk in ["?after=%%%", "?after=bm90LWEtY3Vyc29y", "?before=MjAxNy0xMS0wMXwtMw"]:
        response = desk.client.get(desk.list_url(junk))
        assert response.status_code == 200
        assert listed_numbers(response.content.decode()) == first


def test_cursor_round_trip() -> None:
    cursor = Cursor(datetime(2017, 11, 1, 9, 30, 15, 123, tzinfo=UTC), 42)
    assert Cursor.decode(cursor.encode()) == cursor
    assert Cursor.decode(None) is None
    assert Cursor.decode("") is None


def test_a_user_without_workspace_sees_an_empty_state(desk: Desk) -> None:
    loner = User.objects.create_user("loner", password="another-long-password")
    client = Client()
    client.force_login(loner)
    response = client.get(reverse("web:conversation-list"))
    assert response.status_code == 200
    assert b"You are not in any workspace yet" in response.content
    assert client.get(desk.list_url()).status_code == 404


def test_a_superuser_sees_every_workspace(desk: Desk) -> None:
    boss = User.objects.create_superuser("boss", password="boss-long-password")
    client = Client()
    client.force_login(boss)
    response = client.get(reverse("web:workspace-conversations", args=["globex"]))
    assert response.status_code == 200
    assert b"globex secret complaint" in response.content
    assert b"Acme support" in response.content  # in the workspace switcher


# ---- one conversation ------------------------------------------------------------------------


def test_detail_shows_the_timeline_and_the_customer(desk: Desk) -> None:
    response = desk.client.get(desk.detail_url(desk.number("alice_w")))
    assert response.status_code == 200
    html = response.content.decode()

    bodies = [
        "@AcmeCare my order never arrived",
        "@alice_w Sorry! DM us the order number?",
        "@AcmeCare done - thanks",
    ]
    positions = [html.index(body) for body in bodies]
    assert positions == sorted(positions)  # oldest first
    assert [m.direction for m in response.context["timeline"]] == ["inbound", "outbound", "inbound"]
    assert html.count('class="msg msg-inbound"') == 2
    assert html.count('class="msg msg-outbound"') == 1
    assert "4m 30s" in html
    assert "X (Twitter) · AcmeCare" in html
    assert "@alice_w" in html  # identity handle in the customer panel


def test_customer_panel_lists_other_conversations(desk: Desk) -> None:
    latest = desk.number("bob_k")
    earlier = (
        Conversation.objects.filter(workspace=desk.workspace, customer__display_name="bob_k")
        .exclude(number=latest)
        .get()
    )
    html = desk.client.get(desk.detail_url(latest)).content.decode()
    panel = html[html.index("Other conversations") :]
    assert f'href="{desk.detail_url(earlier.number)}"' in panel
    assert "@AcmeCare where is my refund?" in panel
    assert f'href="{desk.detail_url(latest)}"' not in panel


def test_another_workspaces_conversation_is_not_found(desk: Desk) -> None:
    foreign = Conversation.objects.get(workspace=desk.other)
    # by its own workspace's URL, and by guessing the number under the agent's workspace
    hidden = desk.client.get(desk.detail_url(foreign.number, desk.other))
    assert hidden.status_code == 404
    assert b"globex secret" not in hidden.content
    missing = desk.client.get(desk.detail_url(999))
    assert missing.status_code == 404
    assert without_tokens(hidden) == without_tokens(missing)  # existing or not: same page
    assert (
        desk.client.get(reverse("web:workspace-conversations", args=["globex"])).status_code == 404
    )


def test_message_bodies_are_shown_as_escaped_text(desk: Desk) -> None:
    number = desk.number("mallory")
    escaped = "Hi &lt;b&gt;team&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;"

    detail = desk.client.get(desk.detail_url(number)).content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "<b>team</b>" not in detail
    # the line break is kept as text (shown by CSS white-space), the rest escaped
    assert f"{escaped}\nsecond line &amp; &quot;quotes&quot;" in detail

    listing = desk.client.get(desk.list_url()).content.decode()
    assert "<script>alert(1)</script>" not in listing
    assert escaped in listing


@pytest.mark.django_db(transaction=True)
def test_conversation_page_shows_each_customer_message_analysis(client: Any) -> None:
    run_command("import", "twcs", str(DATA / "twcs_threads.csv"), "--workspace", "acme")
    workspace = do_get_or_create_workspace("acme")
    user = User.objects.create_user("ana", password="pw-123456789")
    do_add_member(workspace, user, Role.AGENT)
    client.force_login(user)
    number = workspace.conversations.get(external_id="401").number
    page = client.get(f"/w/acme/conversations/{number}/").content.decode()
    assert 'aria-label="Analysis"' in page
    assert "churn threat" in page
    assert "risk 0." in page
