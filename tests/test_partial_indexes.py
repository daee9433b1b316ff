"""The assignee, team, author-user and snooze indexes hold only rows where those are set.

Imports never pay for them (they create unassigned conversations and messages without an
author user); these tests hold that every lookup that should use them still does, which
relies on the database proving ``col = x`` / ``col IN (...)`` implies ``col IS NOT NULL``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from rippledesk.conversations.models import Conversation, ConversationStatus, Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _index_preferred() -> Iterator[None]:
    """On PostgreSQL an empty table is read sequentially whatever the indexes; ask for them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            yield
            cursor.execute("RESET enable_seqscan")
    else:
        yield


def _plan(rows: QuerySet[Conversation] | QuerySet[Message]) -> str:
    return rows.explain()


def test_index_only_holds_rows_with_the_column_set() -> None:
    definitions = {
        "conv_assignee_activity": "assignee_id",
        "conv_assignee_recent": "assignee_id",
        "conv_team_activity": "team_id",
        "message_author_user": "author_user_id",
        "conv_ws_snoozed_until": "snoozed_until",
    }
    with connection.cursor() as cursor:
        for name, column in definitions.items():
            if connection.vendor == "sqlite":
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name])
            else:
                cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
            (sql,) = cursor.fetchone()
            # SQLite keeps the DDL as written; PostgreSQL prints it without the quotes and
            # with parentheses around the condition.
            bare = sql.replace('"', "").replace("(", "").replace(")", "")
            assert f"WHERE {column} IS NOT NULL" in bare


def test_mine_view_walks_the_assignee_index() -> None:
    recent = Conversation.objects.filter(workspace_id=1, assignee_id=7).order_by(
        "-last_activity_at"
    )
    assert "conv_assignee_recent" in _plan(recent)
    by_status = recent.filter(status=ConversationStatus.OPEN)
    assert "conv_assignee_" in _plan(by_status)


def test_open_load_per_agent_uses_the_assignee_index() -> None:
    load = (
        Conversation.objects.filter(
            assignee_id__in=[3, 4, 5],
            status__in=(ConversationStatus.OPEN, ConversationStatus.PENDING),
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    assert "conv_assignee_" in _plan(load)


def test_team_filter_uses_the_team_index() -> None:
    team = Conversation.objects.filter(team_id=2).order_by("-last_activity_at")
    assert "conv_team_activity" in _plan(team)


def test_due_snoozed_conversations_use_the_snoozed_index() -> None:
    due = Conversation.objects.filter(
        workspace_id=1, status=ConversationStatus.SNOOZED, snoozed_until__lte=timezone.now()
    )
    assert "conv_ws_snoozed_until" in _plan(due)


def test_messages_by_author_user_use_its_index() -> None:
    assert "message_author_user" in _plan(Message.objects.filter(author_user_id=4))
    assert "message_author_user" in _plan(Message.objects.filter(author_user_id__in=[4, 5]))
