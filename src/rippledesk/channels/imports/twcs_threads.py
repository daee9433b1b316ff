"""Resolves TWCS reply links into threads inside the staging table.

Precedence, in order: a duplicated tweet_id keeps its first line; a reply whose parent is
already stored in the desk joins that conversation; a reply whose parent is nowhere starts a
conversation of its own (with a warning); rows left without a root after that are in, or hang
off, a reply cycle and are rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from django.db import transaction

from rippledesk.channels.imports.report import ImportReport
from rippledesk.channels.imports.twcs_staging import NAME, StagingTable
from rippledesk.channels.models import ChannelAccount, ChannelKind
from rippledesk.conversations.models import Message
from rippledesk.customers.models import Identity
from rippledesk.workspaces.models import Workspace


class StagedTweet(NamedTuple):
    line: int
    tweet_id: str
    author_id: str
    inbound: bool
    created_at: datetime
    text: str
    parent_id: str
    root_id: str


_FIELDS = "line, tweet_id, author_id, inbound, created_at, text, parent_id, root_id"


class ThreadResolver:
    """Fills ``root_id`` for every staged row, then streams threads out."""

    def __init__(self, staging: StagingTable, workspace: Workspace, report: ImportReport) -> None:
        self.staging = staging
        self.workspace = workspace
        self.report = report
        # root key -> (channel handle, customer identity external id) for threads that continue
        # a conversation stored by an earlier import.
        self.attached: dict[str, tuple[str, str]] = {}
        self.brands: set[str] = set()

    def resolve(self) -> None:
        self.staging.index_tweets()
        with transaction.atomic():
            self._drop_duplicates()
            self.staging.execute(f"UPDATE {NAME} SET root_id = tweet_id WHERE parent_id = ''")
            self._propagate()
            self._attach_or_adopt_orphans()
            self._propagate()
            self._reject_cycles()
        self.staging.index_roots()
        staged_brands = self.staging.fetch(
            f"SELECT DISTINCT author_id FROM {NAME} WHERE inbound = 0"
        )
        self.brands = {str(row[0]) for row in staged_brands} | set(
            ChannelAccount.objects.filter(workspace=self.workspace, kind=ChannelKind.X).values_list(
                "name", flat=True
            )
        )

    def row_count(self) -> int:
        return int(self.staging.fetch(f"SELECT COUNT(*) FROM {NAME}")[0][0])

    def _drop_duplicates(self) -> None:
        duplicated = self.staging.fetch(
            f"SELECT tweet_id, MIN(line) FROM {NAME} GROUP BY tweet_id HAVING COUNT(*) > 1"
        )
        for tweet_id, first in duplicated:
            copies = self.staging.fetch(
                f"SELECT line, author_id, inbound, created_at, text, parent_id FROM {NAME} "
                "WHERE tweet_id = %s ORDER BY line",
                [tweet_id],
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
            self.staging.execute(
                f"DELETE FROM {NAME} WHERE tweet_id = %s AND line > %s", [tweet_id, first]
            )

    def _propagate(self) -> None:
        """Give each unrooted row its parent's root, one level of depth per statement.

        ``UPDATE ... FROM`` (SQLite 3.33+, PostgreSQL) joins each row to its parent once;
        tweet ids are unique by now (duplicates were dropped first), so the join is 1:1.
        """
        sql = (
            f"UPDATE {NAME} AS s SET root_id = p.root_id FROM {NAME} AS p "
            "WHERE s.root_id = '' AND p.tweet_id = s.parent_id AND p.root_id <> ''"
        )
        while self.staging.execute(sql) > 0:
            pass

    def _attach_or_adopt_orphans(self) -> None:
        orphans = self.staging.fetch(
            f"SELECT s.line, s.tweet_id, s.parent_id FROM {NAME} s WHERE s.root_id = '' AND "
            f"NOT EXISTS (SELECT 1 FROM {NAME} p WHERE p.tweet_id = s.parent_id)"
        )
        stored = self._stored_parents([str(parent) for _, _, parent in orphans])
        for line, tweet_id, parent in orphans:
            if parent in stored:
                key, channel, customer = stored[parent]
                self.attached[key] = (channel, customer)
                root = key
            else:
                self.report.warn(
                    int(line),
                    f"tweet {tweet_id} replies to tweet {parent}, which is neither in this file "
                    "nor in the desk; its thread became a conversation of its own",
                )
                root = str(tweet_id)
            self.staging.execute(
                f"UPDATE {NAME} SET root_id = %s WHERE tweet_id = %s", [root, tweet_id]
            )

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
        unrooted = self.staging.fetch(
            f"SELECT tweet_id, parent_id, line FROM {NAME} WHERE root_id = ''"
        )
        left = {str(tweet): str(parent) for tweet, parent, _ in unrooted}
        lines = {str(tweet): int(line) for tweet, _, line in unrooted}
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
        self.staging.execute(f"DELETE FROM {NAME} WHERE root_id = ''")

    def threads(self) -> Iterator[list[StagedTweet]]:
        """Yield threads root by root, each sorted by time, fetching a page of roots at a time."""
        after = ""
        while True:
            roots = self.staging.fetch(
                f"SELECT DISTINCT root_id FROM {NAME} WHERE root_id > %s ORDER BY root_id "
                "LIMIT 1000",
                [after],
            )
            if not roots:
                return
            rows = self.staging.fetch(
                f"SELECT {_FIELDS} FROM {NAME} WHERE root_id >= %s AND root_id <= %s "
                "ORDER BY root_id, created_at, line",
                [roots[0][0], roots[-1][0]],
            )
            thread: list[StagedTweet] = []
            current = None
            for line, tweet_id, author, inbound, created, text, parent, root in rows:
                if root != current:
                    if thread:
                        yield thread
                    thread = []
                    current = root
                thread.append(
                    StagedTweet(
                        line,
                        tweet_id,
                        author,
                        bool(inbound),
                        datetime.fromisoformat(created),
                        text,
                        parent,
                        root,
                    )
                )
            if thread:
                yield thread
            after = str(roots[-1][0])
