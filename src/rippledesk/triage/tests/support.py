"""Shared set-up for triage tests: a workspace with an X account, a team, fresh mentions."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from django.test import TestCase
from django.utils import timezone

from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Conversation
from rippledesk.triage.models import TeamRouting
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace, do_save_team
from rippledesk.workspaces.models import Membership, Role, Team, User


def setup_team(policy: str) -> tuple[Team, list[Membership]]:
    workspace = do_get_or_create_workspace("acme")
    care = ChannelAccount.objects.create(workspace=workspace, kind="x", name="AcmeCare")
    members = [
        do_add_member(
            workspace, User.objects.create_user(name, password="x-long-password"), Role.AGENT
        )
        for name in ("ava", "ben", "cy")
    ]
    team = do_save_team(workspace, "Care", members=members, channel_account_ids=[care.pk])
    TeamRouting.objects.create(team=team, policy=policy)
    return team, members


def mentions(
    tmp_path: Path, rows: list[tuple[str, str]], thread: str = "", at: datetime | None = None
) -> list[int]:
    """Import fresh mentions (timestamped now) and return all conversation ids.

    Each row is its own conversation, unless ``thread`` names one conversation for them all.
    """
    path = tmp_path / "m.csv"
    stamp = (at or timezone.now()).strftime("%Y-%m-%d %H:%M:%S")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "name", "airline", "tweet_created", "thread"])
        writer.writerows([text, who, "AcmeCare", stamp, thread] for text, who in rows)
    columns = RowColumns(
        text="text",
        author="name",
        channel="airline",
        time="tweet_created",
        conversation="thread" if thread else None,
    )
    workspace = do_get_or_create_workspace("acme")
    with TestCase.captureOnCommitCallbacks(execute=True):
        RowImporter(workspace, path, columns, RowOptions()).run()
    return list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
