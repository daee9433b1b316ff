"""Import of the "Customer Support on Twitter" (TWCS) CSV format.

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id. Brand authors (inbound=False) become X channel accounts, the other
authors customers with X identities. A conversation starts at a customer tweet that replies to
nothing and holds every tweet that replies into it, at any depth.

Reply links may point forwards in the file, so the import runs in two passes: the rows are
parked in a staging table, thread roots are resolved there with set-based SQL (one UPDATE per
level of reply depth), and then the threads are streamed out root by root into the bulk writer.
Memory stays flat whatever the file size.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from rippledesk.channels.imports.csvfile import CsvReader
from rippledesk.channels.imports.report import ImportReport
from rippledesk.channels.imports.timeparse import TimeParseError, parse_twitter
from rippledesk.channels.imports.twcs_staging import StagingTable, stage_time
from rippledesk.channels.imports.twcs_threads import StagedTweet, ThreadResolver
from rippledesk.channels.models import ChannelKind, ImportRun
from rippledesk.conversations.bulk import BulkWriter
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord
from rippledesk.conversations.search.bulk import BatchIndex
from rippledesk.core.commits import CommitGroup
from rippledesk.core.progress import Progress
from rippledesk.core.readahead import depth_for, read_ahead
from rippledesk.workspaces.models import Workspace

COLUMNS = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]
_TWEET_ID = re.compile(r"^\d{1,30}$")
_MENTION = re.compile(r"@(\w{1,50})")


def _tweet_id(raw: str) -> str | None:
    """Accept ``123`` and the ``123.0`` that spreadsheet round-trips produce."""
    value = raw.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return value if _TWEET_ID.match(value) else None


def _inbound(raw: str) -> bool | None:
    value = raw.strip().lower()
    if value in {"true", "1"}:
        return True
    if value in {"false", "0"}:
        return False
    return None


class TwcsImporter:
    """Runs one TWCS import into a workspace."""

    def __init__(
        self, workspace: Workspace, path: Path, *, encoding: str = "utf-8", batch_size: int = 2000
    ) -> None:
        self.workspace = workspace
        self.path = path
        self.encoding = encoding
        self.batch_size = batch_size

    def run(self) -> ImportReport:
        reader = CsvReader(self.path, COLUMNS, self.encoding)
        run = ImportRun.objects.create(
            workspace=self.workspace, source_format="twcs", source_name=str(self.path)
        )
        report = ImportReport(run)
        staging = StagingTable()
        staging.create()
        try:
            self._stage(reader, report, staging)
            resolver = ThreadResolver(staging, self.workspace, report)
            resolver.resolve()
            self._write_threads(resolver, report)
        finally:
            staging.drop()
        report.finish()
        return report

    def _stage(self, reader: CsvReader, report: ImportReport, staging: StagingTable) -> None:
        progress = Progress(reader.size, "reading ")
        batch: list[tuple[object, ...]] = []
        with CommitGroup() as commits:
            for row in read_ahead(self._rows(reader, report), depth=depth_for(self.batch_size)):
                batch.append(row)
                if len(batch) >= self.batch_size:
                    staging.insert(batch)
                    commits.done(len(batch))
                    batch.clear()
                    progress.update(reader.position(), report.rows_read)
            staging.insert(batch)
        progress.close()
        for problem in reader.problems:
            report.rows_read += 1
            report.reject(problem.line, problem.message)

    def _rows(self, reader: CsvReader, report: ImportReport) -> Iterator[tuple[object, ...]]:
        """Staging rows of the file's valid lines. Runs in the read-ahead thread: no database."""
        for record in reader:
            report.rows_read += 1
            row = self._parse(record.line, record.values, report)
            if row is not None:
                yield (record.line, *row)

    @staticmethod
    def _parse(
        line: int, values: dict[str, str], report: ImportReport
    ) -> tuple[object, ...] | None:
        tweet_id = _tweet_id(values["tweet_id"])
        if tweet_id is None:
            report.reject(line, f"tweet_id {values['tweet_id']!r} is not a tweet id (digits)")
            return None
        author = values["author_id"].strip()
        if not author:
            report.reject(line, f"tweet {tweet_id}: author_id is empty")
            return None
        inbound = _inbound(values["inbound"])
        if inbound is None:
            report.reject(
                line, f"tweet {tweet_id}: inbound {values['inbound']!r} is not True/False"
            )
            return None
        try:
            created = parse_twitter(values["created_at"].strip())
        except TimeParseError as exc:
            report.reject(line, f"tweet {tweet_id}: created_at {exc}")
            return None
        parent_raw = values["in_response_to_tweet_id"].strip()
        parent = _tweet_id(parent_raw) if parent_raw else ""
        if parent is None:
            report.reject(
                line, f"tweet {tweet_id}: in_response_to_tweet_id {parent_raw!r} is not a tweet id"
            )
            return None
        if parent == tweet_id:
            report.reject(line, f"tweet {tweet_id} replies to itself")
            return None
        if not values["text"].strip():
            report.reject(line, f"tweet {tweet_id}: text is empty")
            return None
        # The X API (and so TWCS) HTML-escapes tweet text: "&amp;", "&lt;3". Store what was typed.
        text = html.unescape(values["text"])
        return (tweet_id, author, int(inbound), stage_time(created), text, parent)

    def _write_threads(self, resolver: ThreadResolver, report: ImportReport) -> None:
        writer = BulkWriter(self.workspace, ChannelKind.X, ConversationKind.PUBLIC_THREAD)
        progress = Progress(resolver.row_count(), "storing ")
        batch: list[MessageRecord] = []
        done = 0
        with CommitGroup(around=BatchIndex) as commits:
            for thread in resolver.threads():
                records = self._thread_records(thread, resolver, report)
                batch.extend(records)
                done += len(thread)
                if len(batch) >= self.batch_size:
                    report.add(writer.write(batch))
                    commits.done(len(batch))
                    batch = []
                    progress.update(done, done)
            report.add(writer.write(batch))
        progress.close()

    @staticmethod
    def _thread_records(
        thread: list[StagedTweet], resolver: ThreadResolver, report: ImportReport
    ) -> Iterator[MessageRecord]:
        key = thread[0].root_id
        root = next((row for row in thread if row.tweet_id == key), thread[0])
        attached = resolver.attached.get(key)
        customer = root if root.inbound else next((r for r in thread if r.inbound), None)
        if attached is not None:
            channel, customer_id = attached
        else:
            if customer is None:
                for row in thread:
                    report.reject(
                        row.line,
                        f"tweet {row.tweet_id}: its thread (from tweet {root.tweet_id}, which "
                        f"replies to unknown tweet {root.parent_id}) has no customer tweet",
                    )
                return
            customer_id = customer.author_id
            channel_or_none = _brand_of(thread, resolver.brands)
            if channel_or_none is None:
                for row in thread:
                    report.reject(
                        row.line,
                        f"tweet {row.tweet_id}: no brand account answers or is mentioned in its "
                        f"thread (started by tweet {root.tweet_id})",
                    )
                return
            channel = channel_or_none
        for row in thread:
            # Positional, in MessageRecord's field order (keywords cost a lot per row).
            yield MessageRecord(
                row.line,
                channel,
                key,
                customer_id,
                customer_id,
                row.inbound,
                row.author_id,
                row.author_id,
                row.text,
                row.tweet_id,
                row.parent_id,
                row.created_at,
            )


def _brand_of(thread: list[StagedTweet], brands: set[str]) -> str | None:
    """The brand that answers the thread first, else the brand its customers address.

    A known brand (one that answers elsewhere in the file or already has an account) wins over
    any other handle mentioned; an unknown first mention becomes a new account, since a tweet
    addressed to a handle is addressed to that business.
    """
    for row in thread:
        if not row.inbound:
            return row.author_id
    mentioned = [
        str(handle) for row in thread if row.inbound for handle in _MENTION.findall(row.text)
    ]
    known = [handle for handle in mentioned if handle in brands]
    if known:
        return known[0]
    return mentioned[0] if mentioned else None
