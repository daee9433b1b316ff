"""Listening: feeds and X searches polled into mentions, then worked by the desk."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
from tests.analysis_samples import doubtful_sample
from tests.fake_platform import fake_platform

from rippledesk.analysis.pipeline import DefaultAnalyzer, get_analyzer
from rippledesk.core.errors import PermissionDenied
from rippledesk.listening.actions import do_add_source, do_convert, do_dismiss
from rippledesk.listening.feeds import parse_feed
from rippledesk.listening.models import Mention
from rippledesk.listening.polling import poll
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds() -> Iterator[str]:
    """Serves the files in data/ over HTTP on 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = DATA / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def manager_seat() -> Any:
    workspace = do_get_or_create_workspace("acme")
    user = User.objects.create_user("max", password="x-long-password")
    do_add_member(workspace, user, Role.MANAGER)
    return seat_in(user, workspace)


def test_rss_and_atom_are_read_and_html_reduced() -> None:
    rss = parse_feed((DATA / "forum.rss").read_bytes())
    assert [e.title for e in rss] == [
        "Acme Air lost my bag for the 2nd time",
        "Best lounges at Heathrow",
    ]
    assert rss[0].author == "globetrotter77"
    assert rss[0].text.startswith("Flew Acme Air LHR-JFK, bag never arrived.")
    atom = parse_feed((DATA / "blog.atom").read_bytes())
    assert (atom[0].author, atom[0].text) == ("Priya N.", "Three cancellations in a month.")
    for bad, says in [
        (b"<html></html>", "not an RSS or Atom feed"),
        (b"not xml at all", "not XML"),
        (b"<rss><channel><item>", "not XML"),
    ]:
        with pytest.raises(ValueError, match=says):
            parse_feed(bad)


def test_a_feed_is_polled_for_keywords_once_and_turned_into_a_conversation(feeds: str) -> None:
    seat = manager_seat()
    source = do_add_source(
        seat, kind="feed", name="Flyer forum", url=f"{feeds}/forum.rss", keywords="acme air"
    )
    assert poll(source) == 1  # the lounge thread does not mention the keyword
    assert poll(source) == 0  # nothing twice
    mention = Mention.objects.get()
    assert mention.author == "globetrotter77"
    assert mention.sentiment == "negative"
    assert mention.ripple_risk > 0
    conversation = do_convert(seat, mention)
    assert conversation.kind == "public_thread"
    assert conversation.channel_account.name == "Listening: Flyer forum"
    assert "bag never arrived" in conversation.messages.get().body
    mention.refresh_from_db()
    assert (mention.status, mention.conversation) == ("converted", conversation)


def test_feed_errors_are_kept_on_the_source(feeds: str) -> None:
    seat = manager_seat()
    source = do_add_source(seat, kind="feed", name="Gone", url=f"{feeds}/missing.rss")
    assert poll(source) == 0
    source.refresh_from_db()
    assert "404" in source.last_error
    assert source.last_polled_at is not None


def test_x_search_keeps_its_cursor_and_audience() -> None:
    answer = {
        "data": [
            {
                "id": "1860001",
                "text": "@AcmeAir cancelled again, 4 hours at the gate",
                "author_id": "42",
                "created_at": "2026-11-24T18:00:00.000Z",
            }
        ],
        "includes": {
            "users": [
                {
                    "id": "42",
                    "username": "loudtraveller",
                    "public_metrics": {"followers_count": 250000},
                }
            ]
        },
        "meta": {"newest_id": "1860001", "result_count": 1},
    }
    seat = manager_seat()
    with fake_platform((200, answer), (200, {"meta": {"result_count": 0}})) as api:
        source = do_add_source(
            seat,
            kind="x_search",
            name="Acme on X",
            query="acme -from:acmeair",
            config={"bearer_token": "app-token", "api_base": api.url},
        )
        assert poll(source) == 1
        assert poll(source) == 0
    assert "since_id=1860001" in api.requests[1].path
    assert api.requests[0].headers["authorization"] == "Bearer app-token"
    mention = Mention.objects.get()
    assert (mention.author, mention.audience) == ("loudtraveller", 250000)
    assert mention.url == "https://x.com/loudtraveller/status/1860001"


def test_every_unsure_mention_gets_the_encoder_s_reading() -> None:
    """A poll's mentions are stored once, with no refine job after: the encoder's budget for
    bulk imports does not apply, so their sentiment is the whole cascade's."""
    analyzer = get_analyzer()
    assert isinstance(analyzer, DefaultAnalyzer)
    texts = doubtful_sample(analyzer.models()[0], 12)
    complete = [r.sentiment for r in analyzer.analyze_complete(texts)]
    budgeted = analyzer.analyze(texts)
    assert sum(r.provisional for r in budgeted) == 8  # 30 % of 12, rounded up: 4 read
    assert [r.sentiment for r in budgeted] != complete  # so this test can tell them apart
    answer = {
        "data": [
            {"id": str(1870000 + n), "text": text, "author_id": "7",
             "created_at": "2026-11-24T18:00:00.000Z"}
            for n, text in enumerate(texts)
        ],
        "includes": {"users": [{"id": "7", "username": "someone"}]},
        "meta": {"newest_id": "1870011", "result_count": 12},
    }  # fmt: skip
    with fake_platform((200, answer)) as api:
        source = do_add_source(
            manager_seat(),
            kind="x_search",
            name="Acme on X",
            query="acme",
            config={"bearer_token": "t", "api_base": api.url},
        )
        assert poll(source) == 12
    stored = dict(Mention.objects.values_list("body", "sentiment"))
    assert [stored[text] for text in texts] == complete


def test_agents_cannot_add_sources_and_dismissed_mentions_stay_dismissed(feeds: str) -> None:
    seat = manager_seat()
    source = do_add_source(seat, kind="feed", name="Blog", url=f"{feeds}/blog.atom")
    poll(source)
    mention = Mention.objects.get()
    do_dismiss(seat, mention)
    mention.refresh_from_db()
    assert mention.status == "dismissed"
    agent = User.objects.create_user("ava", password="x-long-password")
    do_add_member(seat.workspace, agent, Role.AGENT)
    agent_seat = seat_in(agent, seat.workspace)
    assert agent_seat is not None
    with pytest.raises(PermissionDenied, match="Managers and admins"):
        do_add_source(agent_seat, kind="feed", name="x", url="https://x.example")
