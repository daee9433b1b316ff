"""The conversation timeline and customer panel as printed: every kind of entry, in the
workspace's zone, with files, ratings, delivery trouble and analyses, and the caps."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.conversations.actions import do_add_note, do_assign, do_reply
from rippledesk.conversations.files import do_attach
from rippledesk.conversations.models import (
    Conversation,
    DeliveryAttempt,
    DeliveryStatus,
    Direction,
    Message,
)
from rippledesk.web.views import customer_panel, timeline
from rippledesk.workspaces.access import access_seat
from tests.desk import Desk, build_desk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(tmp_path: Path, settings: Any) -> Desk:
    settings.DATA_DIR = tmp_path  # attachments are stored under it
    return build_desk(tmp_path)


def _entries(page: str) -> list[str]:
    """Each timeline entry's HTML, in order."""
    section = page[
        page.index('id="timeline"') : page.index("</section>", page.index('id="timeline"'))
    ]
    return re.split(r'(?=<(?:div|article) class="msg )', section)[1:]


def _outbound(desk: Desk, conversation: Conversation, body: str, status: str, *errors: str) -> int:
    """A reply left in ``status`` by the outbox after ``errors`` (failed attempts), in order."""
    seat = access_seat(desk.agent, desk.workspace.slug)
    reply = do_reply(seat, conversation, body, public=False)
    for error in errors:
        DeliveryAttempt.objects.create(
            message=reply, adapter="x", succeeded=False, error=error, attempted_at=timezone.now()
        )
    Message.objects.filter(pk=reply.pk).update(delivery_status=status)
    return reply.pk


def test_every_kind_of_entry_with_its_details(desk: Desk) -> None:
    conversation = desk.conversation("alice_w")
    seat = access_seat(desk.agent, desk.workspace.slug)
    first = Message.objects.filter(conversation=conversation).order_by("sent_at").first()
    assert first is not None
    Message.objects.filter(pk=first.pk).update(rating=4)
    assert do_attach(first, "receipt <1>.pdf", "application/pdf", b"%PDF" * 300) is not None
    failed = _outbound(desk, conversation, "First try", DeliveryStatus.FAILED, "timeout", "")
    retrying = _outbound(desk, conversation, "Second", DeliveryStatus.QUEUED, "rate <limited>")
    sent = _outbound(desk, conversation, "Third", DeliveryStatus.SENT)
    do_add_note(seat, conversation, "Checked the <order> & refunded")
    do_assign(seat, conversation, assignee=desk.agent, expected_version=None)

    page = desk.client.get(desk.url("conversation", conversation.number)).content.decode()
    entries = _entries(page)
    by_id = {int(re.search(r'data-message="(\d+)"', e).group(1)): e for e in entries}  # type: ignore[union-attr]

    rated = by_id[first.pk]
    assert 'class="stars" title="4 of 5 stars" aria-label="4 of 5 stars">★★★★☆<' in rated
    attachment = first.attachments.get()
    link = desk.url("conversation", conversation.number) + f"files/{attachment.pk}/"
    assert f'<a href="{link}" download>receipt &lt;1&gt;.pdf</a>' in rated
    assert "1.2\xa0KB" in rated  # Django's filesizeformat
    # the last attempt's error, and none when the last attempt said nothing
    assert '<span class="tag tag-danger">not delivered</span>' in by_id[failed]
    assert "delivery-error" not in by_id[failed]
    assert '<span class="delivery-error">retrying: rate &lt;limited&gt;</span>' in by_id[retrying]
    assert '<span class="tag tag-ok">sent</span>' in by_id[sent]
    assert '<span class="tag">private</span>' in by_id[sent]
    note = next(e for e in entries if "msg-note" in e)
    assert "Checked the &lt;order&gt; &amp; refunded" in note
    assert "<strong>Internal note</strong> · " in note
    system = next(e for e in entries if "msg-system" in e)
    event = Message.objects.filter(conversation=conversation, direction=Direction.SYSTEM).last()
    assert event is not None
    assert f'<span class="msg-body">{html.escape(event.body, quote=False)}</span>' in system
    assert [e.split('"')[1] for e in entries][-2:] == ["msg msg-note", "msg msg-system"]


def test_times_and_day_breaks_are_in_the_workspace_zone(desk: Desk) -> None:
    desk.workspace.time_zone = "Asia/Tokyo"
    desk.workspace.save(update_fields=["time_zone"])
    conversation = desk.conversation("alice_w")  # 31 Oct 2017 22:10-22:20 UTC
    page = desk.client.get(desk.url("conversation", conversation.number)).content.decode()
    days = re.findall(r'<div class="day"><span>([^<]+)</span></div>', page)
    assert days == ["Wednesday 1 November 2017"]  # 07:10-07:20 the next morning in Tokyo
    first = _entries(page)[0]
    assert (
        '<time datetime="2017-11-01T07:10:00+09:00" title="Wed 1 Nov 2017, 07:10:00 JST">' in first
    )
    assert ">07:10</time>" in first


def test_analyses_show_as_chips_with_rounded_risk(desk: Desk) -> None:
    conversation = desk.conversation("bob_k")
    inbound = Message.objects.get(conversation=conversation, direction=Direction.INBOUND)
    MessageAnalysis.objects.filter(message=inbound).delete()
    common = {
        "message": inbound,
        "model_version": "1",
        "sentiment": "negative",
        "sentiment_scores": {"negative": 0.9},
        "emotion": "anger",
        "intent": "churn_threat",
        "topic": "late_flight",
        "urgency": "high",
        "language": "en",
        "priority": "high",
    }
    at = datetime(2026, 1, 1, tzinfo=UTC)
    MessageAnalysis.objects.create(**common, model_name="old", ripple_risk=0.5, created_at=at)
    newest = {**common, "model_name": "new", "ripple_risk": 0.125, "pii": [{"kind": "email"}]}
    MessageAnalysis.objects.create(**newest, created_at=at.replace(year=2027))
    page = desk.client.get(desk.url("conversation", conversation.number)).content.decode()
    chips = re.search(r'<ul class="analysis" aria-label="Analysis">(.*?)</ul>', page, re.DOTALL)
    assert chips is not None
    text = chips.group(1)
    assert "risk 0.13 · high" in text  # half up, as Django's floatformat rounds
    assert '<li class="chip">churn threat</li>' in text
    assert '<li class="chip">late flight</li>' in text
    assert '<li class="chip chip-negative">urgency high</li>' in text
    assert "personal data" in text
    assert 'title="sentiment {&#39;negative&#39;: 0.9}"' in text


def test_only_the_latest_messages_are_shown_with_a_note(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline, "TIMELINE_LIMIT", 2)
    conversation = desk.conversation("alice_w")
    page = desk.client.get(desk.url("conversation", conversation.number)).content.decode()
    assert "Showing the latest 2 messages; earlier ones are not shown." in page
    assert "my order never arrived" not in page.split('id="timeline"')[1]
    fragment = desk.client.get(desk.url("timeline", conversation.number)).content.decode()
    assert "<html" not in fragment
    assert len(_entries(fragment)) == 2


def test_panel_counts_other_conversations_only_when_the_list_is_full(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    latest = desk.conversation("bob_k")
    page = desk.client.get(desk.url("conversation", latest.number)).content.decode()
    assert "2 conversations · 1 identity" in page
    monkeypatch.setattr(customer_panel, "OTHER_CONVERSATIONS", 1)
    monkeypatch.setattr(customer_panel, "CONVERSATION_COUNT_CAP", 0)
    page = desk.client.get(desk.url("conversation", latest.number)).content.decode()
    assert "1+ conversation · 1 identity" in page  # counted, and over the (patched) cap
    others = page[page.index("Other conversations") :]
    assert others.count('<span class="status status-') == 1
