"""SLA policy and clocks: precedence of policy lines, deadlines in business hours, and the
tracking of first response, next response and resolution through real ingest and replies."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.test import TestCase
from django.utils import timezone

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.actions import do_reply, do_set_status
from rippledesk.conversations.models import Conversation, Message
from rippledesk.core.events import ConversationsChanged, SlaAlert, emit, subscribe
from rippledesk.triage.models import (
    ConversationSla,
    Holiday,
    OpeningHours,
    SlaEvent,
    SlaTarget,
)
from rippledesk.triage.sla import (
    DEFAULT_MINUTES,
    Deadline,
    cached_policy,
    clock_of,
    policy_for,
)
from rippledesk.triage.sla_actions import do_delete_sla_target, do_save_sla_target, do_set_time_zone
from rippledesk.triage.sla_timer import check_deadlines
from rippledesk.triage.tests.support import mentions, setup_team
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User, Workspace

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_channel_line_beats_every_channel_line_beats_default() -> None:
    workspace = do_get_or_create_workspace("acme")
    x = ChannelAccount.objects.create(workspace=workspace, kind="x", name="X")
    mail = ChannelAccount.objects.create(workspace=workspace, kind="email", name="Mail")
    SlaTarget.objects.create(workspace=workspace, priority="urgent", first_response_minutes=30)
    SlaTarget.objects.create(
        workspace=workspace, priority="urgent", channel=x, first_response_minutes=5
    )
    policy = policy_for(workspace)
    assert policy.line("urgent", x.pk).first_response == 5
    assert policy.line("urgent", mail.pk).first_response == 30
    assert policy.line("high", x.pk).first_response == DEFAULT_MINUTES["high"]
    assert policy.line("weird", None).first_response == DEFAULT_MINUTES["normal"]


@pytest.mark.django_db
def test_the_inbox_policy_copy_follows_every_policy_write() -> None:
    workspace = do_get_or_create_workspace("acme")
    boss = User.objects.create_user("boss", password="x-long-password")
    do_add_member(workspace, boss, Role.ADMIN)
    seat = seat_in(boss, workspace)
    assert seat is not None
    assert cached_policy(workspace).line("urgent", None).first_response == DEFAULT_MINUTES["urgent"]
    # Written behind the actions' back: the cached copy does not see it (it lives POLICY_TTL) ...
    SlaTarget.objects.create(workspace=workspace, priority="high", first_response_minutes=7)
    assert cached_policy(workspace).line("high", None).first_response == DEFAULT_MINUTES["high"]
    # ... while every write through the SLA actions drops it.
    line = do_save_sla_target(
        seat, priority="urgent", channel_id=None, first_response=3, warn_before=1
    )
    assert cached_policy(workspace).line("urgent", None).first_response == 3
    assert cached_policy(workspace).line("high", None).first_response == 7
    do_delete_sla_target(seat, line.pk)
    assert cached_policy(workspace).line("urgent", None).first_response == DEFAULT_MINUTES["urgent"]
    do_set_time_zone(seat, "Europe/Paris")
    assert cached_policy(workspace).calendar.zone.key == "Europe/Paris"


def test_clock_states() -> None:
    deadline = Deadline("first_response", NOW + timedelta(minutes=12), NOW + timedelta(minutes=2))
    early = clock_of(deadline, NOW)
    assert (early.state, early.label) == ("ok", "due in 12m")
    assert clock_of(deadline, NOW + timedelta(minutes=3)).state == "warning"
    late = clock_of(deadline, NOW + timedelta(hours=3))
    assert (late.state, late.label) == ("late", "late 2h")
    assert late.metric_name == "First response"


@pytest.mark.django_db
def test_business_hours_lines_wait_for_opening_and_skip_holidays() -> None:
    workspace = do_get_or_create_workspace("acme")
    Workspace.objects.filter(pk=workspace.pk).update(time_zone="Europe/London")
    workspace.refresh_from_db()
    for day in range(5):
        OpeningHours.objects.create(
            workspace=workspace, weekday=day, opens=time(9), closes=time(17)
        )
    Holiday.objects.create(workspace=workspace, day=date(2026, 11, 26), name="Staff day")
    SlaTarget.objects.create(
        workspace=workspace, priority="normal", first_response_minutes=60, business_hours=True
    )
    SlaTarget.objects.create(workspace=workspace, priority="urgent", first_response_minutes=60)
    policy = policy_for(workspace)
    evening = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # Wednesday night, 20:00 in London
    normal = policy.response_deadline(evening, False, "normal", None)
    urgent = policy.response_deadline(evening, False, "urgent", None)
    assert normal is not None
    assert urgent is not None
    assert normal.due_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # Thursday is a holiday
    assert urgent.due_at == evening + timedelta(hours=1)  # not a business-hours line
    assert policy.clock(None, False, "normal", None, evening) is None


@pytest.mark.django_db
def test_first_response_met_then_next_response_missed(tmp_path: Path) -> None:
    _, (ava, _ben, _cy) = setup_team("manual")
    workspace = ava.workspace
    SlaTarget.objects.create(
        workspace=workspace,
        priority="normal",
        first_response_minutes=60,
        next_response_minutes=30,
        resolution_minutes=24 * 60,
    )
    (conversation_id,) = mentions(tmp_path, [("@AcmeCare where is my parcel", "u1")], "t1")
    conversation = Conversation.objects.get(pk=conversation_id)
    Conversation.objects.filter(pk=conversation_id).update(priority="normal")
    state = ConversationSla.objects.get(conversation=conversation)
    assert conversation.waiting_since is not None
    assert state.response_metric == "first_response"
    assert state.response_due_at is not None
    assert state.response_due_at - conversation.waiting_since == timedelta(minutes=60)
    assert state.resolution_due_at is not None

    seat = seat_in(ava.user, workspace)
    assert seat is not None
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_reply(seat, conversation, "Looking into it now.")
    state.refresh_from_db()
    assert state.first_response_state == "met"
    assert state.response_due_at is None
    assert list(SlaEvent.objects.values_list("metric", "kind")) == [("first_response", "met")]

    # The customer writes again; nobody answers within 30 minutes.
    again = timezone.now() + timedelta(seconds=1)
    assert mentions(tmp_path, [("@AcmeCare still nothing", "u1")], "t1", again) == [conversation_id]
    state.refresh_from_db()
    assert state.response_metric == "next_response"
    assert state.response_due_at is not None
    alerts: list[SlaAlert] = []
    subscribe(SlaAlert, alerts.append)
    later = state.response_due_at + timedelta(minutes=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert check_deadlines(later) == 2  # the warning and the breach
        assert check_deadlines(later) == 0  # each is raised once
    assert [(a.metric, a.kind) for a in alerts] == [
        ("next_response", "warning"),
        ("next_response", "breach"),
    ]
    assert Message.objects.filter(conversation=conversation, event="sla").count() == 1
    conversation.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_reply(seat, conversation, "Sorry for the wait.")
    state.refresh_from_db()
    assert (state.next_responses_met, state.next_responses_missed) == (0, 1)
    breaches = SlaEvent.objects.filter(kind="breach")
    assert breaches.count() == 1  # the reply does not record the breach a second time

    conversation.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_set_status(seat, conversation, "resolved", expected_version=conversation.version)
    state.refresh_from_db()
    assert state.resolution_state == "met"
    assert SlaEvent.objects.filter(metric="resolution", kind="met").count() == 1


@pytest.mark.django_db
def test_priority_change_moves_a_running_deadline(tmp_path: Path) -> None:
    _, (ava, _ben, _cy) = setup_team("manual")
    SlaTarget.objects.create(workspace=ava.workspace, priority="urgent", first_response_minutes=5)
    (conversation_id,) = mentions(tmp_path, [("@AcmeCare hello", "u1")])
    Conversation.objects.filter(pk=conversation_id).update(priority="urgent")
    emit(ConversationsChanged((conversation_id,), "priority"))
    state = ConversationSla.objects.get(conversation_id=conversation_id)
    waiting = Conversation.objects.get(pk=conversation_id).waiting_since
    assert waiting is not None
    assert state.response_due_at == waiting + timedelta(minutes=5)


@pytest.mark.django_db
def test_history_is_not_put_under_todays_promise(tmp_path: Path) -> None:
    workspace = do_get_or_create_workspace("acme")
    ChannelAccount.objects.create(workspace=workspace, kind="x", name="AcmeCare")
    path = tmp_path / "old.csv"
    path.write_text(
        "text,name,airline,tweet_created\n@AcmeCare hi,u1,AcmeCare,2015-02-22 10:00\n",
        encoding="utf-8",
    )
    from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions  # noqa: PLC0415

    columns = RowColumns(text="text", author="name", channel="airline", time="tweet_created")
    with TestCase.captureOnCommitCallbacks(execute=True):
        RowImporter(workspace, path, columns, RowOptions()).run()
    assert Conversation.objects.count() == 1
    assert not ConversationSla.objects.exists()
    assert check_deadlines(timezone.now()) == 0
