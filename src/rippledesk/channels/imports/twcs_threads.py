"""Resolves TWCS reply links into threads inside the staging table.

Precedence, in order: a duplicated tweet_id keeps its first line; a reply whose parent is
already stored in the desk joins that conversation; a reply whose parent is nowhere starts a
conversation of its own (with a warning); rows left without a root after that are in, or hang
off, a reply cycle and are rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, F, Min

from rippledesk.channels.imports.report import ImportReport
from rippledesk.channels.models import ChannelAccount, ChannelKind, ImportRun, TwcsStagingRow
from rippledesk.conversations.models import Message
from rippledesk.core.sql import table
from rippledesk.customers.models import Identity
from rippledesk.workspaces.models import Workspace


@dataclass(frozen=True, slots=True)
class StagedTweet:
    line: int
    tweet_id: str
    author_id: str
    inbound: bool
    created_at: datetime
    text: str
    parent_id: str
    root_id: str


_FIELDS = ("line", "tweet_id", "author_id", "inbound", "created_at", "text", "parent_id", "root_id")


class ThreadResolver:
    """Fills ``root_id`` for every staged row of one run, then streams threads out."""

    def __init__(self, run: ImportRun, workspace: Workspace, report: ImportReport) -> None:
        self.run = run
        self.workspace = workspace
        self.report = report
        self.staged = TwcsStagingRow.objects.filter(run=run)
        # root key -> (channel handle, customer identity external id) for threads that continue
        # a conversation stored by an earlier import.
        self.attached: dict[str, tuple[str, str]] = {}
        self.brands: set[str] = set()

    def resolve(self) -> None:
        with transaction.atomic():
            self._drop_duplicates()
            self.staged.filter(parent_id="").update(root_id=F("tweet_id"))
            self._propagate()
            self._attach_or_adopt_orphans()
            self._propagate()
            self._reject_cycles()
        self.brands = set(
            self.staged.filter(inbound=False).values_list("author_id", flat=True).distinct()
        ) | set(
            ChannelAccount.objects.filter(workspace=self.workspace, kind=ChannelKind.X).values_list(
                "name", flat=True
            )
        )

    def row_count(self) -> int:
        return self.staged.count()

    def _drop_duplicates(self) -> None:
        duplicated = (
            self.staged.values("tweet_id")
            .annotate(n=Count("id"), first=Min("line"))
            .filter(n__gt=1)
            .values_list("tweet_id", "first")
        )
        for tweet_id, first in list(duplicated):
            copies = list(
                self.staged.filter(tweet_id=tweet_id)
                .order_by("line")
                .values_list("line", "author_id", "inbound", "created_at", "text", "parent_id")
            )
            for copy in copies[1:]:
                if copy[1:] == copies[0][1:]:
                    self.report.warn(
                        copy[0], f"tweet_id {tweet_id} repeats line {first} exactly; skipped"
                    )
                else:
                    self.report.reject(
                        copy[0],
                        f"tweet_id {tweet_id} is duplicated with different content "
                        f"(first seen on line {first}, which is kept)",
                    )
            self.staged.filter(tweet_id=tweet_id, line__gt=first).delete()

    def _propagate(self) -> None:
        """Give each unrooted row its parent's root, one level of depth per statement."""
        staging = table(TwcsStagingRow)
        parent_root = (
            f"SELECT p.root_id FROM {staging} p WHERE p.run_id = {staging}.run_id "
            f"AND p.tweet_id = {staging}.parent_id AND p.root_id <> ''"
        )
        sql = (
            f"UPDATE {staging} SET root_id = ({parent_root}) "
            f"WHERE run_id = %s AND root_id = '' AND EXISTS ({parent_root})"
        )
        with connection.cursor() as cursor:
            while True:
                cursor.execute(sql, [self.run.pk])
                if cursor.rowcount <= 0:
                    return

    def _orphans(self) -> list[tuple[int, str, str]]:
        staging = table(TwcsStagingRow)
        sql = (
            f"SELECT s.id, s.tweet_id, s.parent_id FROM {staging} s "
            f"WHERE s.run_id = %s AND s.root_id = '' AND NOT EXISTS ("
            f"SELECT 1 FROM {staging} p WHERE p.run_id = s.run_id AND p.tweet_id = s.parent_id)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.run.pk])
            return [(int(pk), str(tweet), str(parent)) for pk, tweet, parent in cursor.fetchall()]

    def _attach_or_adopt_orphans(self) -> None:
        orphans = self._orphans()
        stored = self._stored_parents([parent for _, _, parent in orphans])
        for pk, tweet_id, parent in orphans:
            if parent in stored:
                key, channel, customer = stored[parent]
                self.attached[key] = (channel, customer)
                self.staged.filter(pk=pk).update(root_id=key)
            else:
                line = self.staged.values_list("line", flat=True).get(pk=pk)
                self.report.warn(
                    line,
                    f"tweet {tweet_id} replies to tweet {parent}, which is neither in this file "
                    "nor in the desk; its thread became a conversation of its own",
                )
                self.staged.filter(pk=pk).update(root_id=tweet_id)

    def _stored_parents(self, parents: list[str]) -> dict[str, tuple[str, str, str]]:
        """Parent tweet id -> (conversation key, channel handle, customer identity id)."""
        found: dict[str, tuple[str, str, str]] = {}
        for start in range(0, len(parents), 500):
            rows = Message.objects.filter(
                channel_account__workspace=self.workspace,
                channel_account__kind=ChannelKind.X,
                external_id__in=parents[start : start + 500],
            ).values_list(
                "external_id",
                "conversation__external_id",
                "channel_account__name",
                "conversation__customer_id",
                "channel_account_id",
            )
            for external_id, key, channel, customer_id, channel_id in rows:
                identity = (
                    Identity.objects.filter(customer_id=customer_id, channel_account_id=channel_id)
                    .values_list("external_id", flat=True)
                    .first()
                )
                if key and identity:
                    found[str(external_id)] = (str(key), str(channel), str(identity))
        return found

    def _reject_cycles(self) -> None:
        left = dict(self.staged.filter(root_id="").values_list("tweet_id", "parent_id"))
        lines = dict(self.staged.filter(root_id="").values_list("tweet_id", "line"))
        for tweet_id, parent in left.items():
            path = [tweet_id]
            current = parent
            while current in left and current not in path:
                path.append(current)
                current = left[current]
            cycle = [*path[path.index(current) :], current] if current in path else path
            where = "is part of" if current == tweet_id else "replies into"
            self.report.reject(
                lines[tweet_id],
                f"tweet {tweet_id} {where} a reply cycle ({' → '.join(cycle)})",
            )
        self.staged.filter(root_id="").delete()

    def threads(self) -> Iterator[list[StagedTweet]]:
        """Yield threads root by root, each sorted by time, fetching a page of roots at a time."""
        after = ""
        while True:
            roots = list(
                self.staged.filter(root_id__gt=after)
                .order_by("root_id")
                .values_list("root_id", flat=True)
                .distinct()[:1000]
            )
            if not roots:
                return
            rows = (
                self.staged.filter(root_id__gte=roots[0], root_id__lte=roots[-1])
                .order_by("root_id", "created_at", "line")
                .values_list(*_FIELDS)
            )
            thread: list[StagedTweet] = []
            for values in rows:
                tweet = StagedTweet(*values)
                if thread and tweet.root_id != thread[0].root_id:
                    yield thread
                    thread = []
                thread.append(tweet)
            if thread:
                yield thread
            after = roots[-1]
