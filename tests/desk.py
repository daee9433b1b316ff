"""A small desk for the web and access tests, stored by the real importers.

Workspace "acme": a TWCS thread on @AcmeCare (customer alice_w, answered by the brand) and CSV
mentions on @AcmeCare (bob_k, twice) and @AcmeShop (mallory, whose text is hostile HTML).
Team "Care" is granted @AcmeCare only. People: ``agent`` (in Care), ``shopper`` (an agent in
no team), ``manager``. Workspace "globex" holds one secret complaint nobody in acme may see.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.test import Client
from django.urls import reverse

from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions
from rippledesk.channels.imports.twcs import TwcsImporter
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Conversation
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace, do_save_team
from rippledesk.workspaces.models import Role, User, Workspace

TWCS = """\
tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
1001,alice_w,True,Tue Oct 31 22:10:00 +0000 2017,@AcmeCare my order never arrived,1002,
1002,AcmeCare,False,Tue Oct 31 22:14:30 +0000 2017,@alice_w Sorry! DM us the order number?,1003,1001
1003,alice_w,True,Tue Oct 31 22:20:00 +0000 2017,@AcmeCare done - thanks,,1002
"""
HOSTILE = 'Hi <b>team</b> <script>alert(1)</script>\nsecond line & "quotes"'
COLUMNS = RowColumns(text="text", author="name", channel="airline", time="tweet_created")
PASSWORD = "a-long-test-password"


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
    shopper: User
    manager: User
    client: Client  # signed in as ``agent``

    def number(self, customer: str) -> int:
        """The number of the customer's most recent conversation in the main workspace."""
        return (
            Conversation.objects.filter(workspace=self.workspace, customer__display_name=customer)
            .order_by("-last_activity_at")
            .values_list("number", flat=True)[0]
        )

    def conversation(self, customer: str) -> Conversation:
        return Conversation.objects.get(workspace=self.workspace, number=self.number(customer))

    def channel(self, name: str) -> ChannelAccount:
        return ChannelAccount.objects.get(workspace=self.workspace, name=name)

    def inbox_url(self, query: str = "") -> str:
        return reverse("web:inbox", args=[self.workspace.slug]) + query

    def url(self, name: str, number: int, workspace: Workspace | None = None) -> str:
        return reverse(f"web:{name}", args=[(workspace or self.workspace).slug, number])

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def build_desk(tmp_path: Path) -> Desk:
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
    agent = User.objects.create_user("agent", password=PASSWORD, first_name="Ava")
    shopper = User.objects.create_user("shopper", password=PASSWORD)
    manager = User.objects.create_user("manager", password=PASSWORD, first_name="Max")
    care = ChannelAccount.objects.get(workspace=acme, name="AcmeCare")
    do_save_team(
        acme,
        "Care",
        members=[do_add_member(acme, agent, Role.AGENT)],
        channel_account_ids=[care.pk],
    )
    do_add_member(acme, shopper, Role.AGENT)
    do_add_member(acme, manager, Role.MANAGER)
    client = Client()
    client.force_login(agent)
    return Desk(acme, globex, agent, shopper, manager, client)
