"""Import of any one-message-per-row CSV export (mentions, reviews, survey verbatims, ...).

The caller names the columns. Each row is one inbound message; rows sharing a value in the
conversation column form one conversation, otherwise every row is its own conversation (a
public mention is a thread of its own). Without an id column the message id is a hash of
channel, author, time and text, so re-importing the same export adds nothing.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from rippledesk.channels.imports.csvfile import CsvReader
from rippledesk.channels.imports.jsonfile import JsonReader
from rippledesk.channels.imports.report import ImportReport
from rippledesk.channels.imports.seen import SeenFilter
from rippledesk.channels.imports.timeparse import TimeParseError, TimeParser
from rippledesk.channels.models import ChannelKind, ImportRun
from rippledesk.conversations.bulk import BulkWriter
from rippledesk.conversations.models import ConversationKind, Message
from rippledesk.conversations.records import MessageRecord
from rippledesk.conversations.search.bulk import BatchIndex
from rippledesk.core.commits import CommitGroup
from rippledesk.core.progress import Progress
from rippledesk.core.readahead import depth_for, parse_while_writing, read_ahead
from rippledesk.core.sql import select_by_keys
from rippledesk.workspaces.models import Workspace

CONVERSATION_KIND = {
    ChannelKind.EMAIL: ConversationKind.EMAIL,
    ChannelKind.WEBCHAT: ConversationKind.CHAT,
    ChannelKind.SMS: ConversationKind.SMS,
    ChannelKind.REVIEWS: ConversationKind.REVIEW,
    ChannelKind.WHATSAPP: ConversationKind.DM,
}


@dataclass(frozen=True)
class RowColumns:
    """Which CSV column holds what; only ``text`` is required."""

    text: str
    author: str | None = None
    channel: str | None = None
    time: str | None = None
    id: str | None = None
    conversation: str | None = None
    rating: str | None = None
    title: str | None = None

    def required(self) -> list[str]:
        named = [
            self.text,
            self.author,
            self.channel,
            self.time,
            self.id,
            self.conversation,
            self.rating,
            self.title,
        ]
        return [name for name in named if name]


@dataclass(frozen=True)
class RowOptions:
    channel_kind: ChannelKind = ChannelKind.X
    default_channel: str = ""
    time_format: str | None = None
    time_zone: tzinfo = UTC
    encoding: str = "utf-8"
    batch_size: int = 2000


class RowImporter:
    """Runs one generic CSV import into a workspace."""

    def __init__(
        self, workspace: Workspace, path: Path, columns: RowColumns, options: RowOptions
    ) -> None:
        self.workspace = workspace
        self.path = path
        self.columns = columns
        self.options = options
        self.channel = options.default_channel or path.stem
        kind = CONVERSATION_KIND.get(options.channel_kind, ConversationKind.PUBLIC_THREAD)
        self.writer = BulkWriter(workspace, options.channel_kind, kind)
        self.times = TimeParser(options.time_format, options.time_zone)
        # Ids written by earlier batches of this run, as a filter: only its hits are looked up.
        self._seen = SeenFilter()
        # Star ratings of the rows read but not yet written (reviews).
        self._ratings: dict[tuple[str, str], int] = {}
        # X exports carry the API's HTML-escaped text ("&amp;", "&lt;3"); store what was typed.
        self._unescape = options.channel_kind == ChannelKind.X

    def run(self) -> ImportReport:
        json_input = self.path.suffix.lower() in (".json", ".jsonl", ".ndjson")
        reader_type = JsonReader if json_input else CsvReader
        reader = reader_type(self.path, self.columns.required(), self.options.encoding)
        run = ImportRun.objects.create(
            workspace=self.workspace,
            source_format="json" if json_input else "csv",
            source_name=str(self.path),
        )
        report = ImportReport(run)
        started = run.created_at
        progress = Progress(reader.size, "importing")
        batch: dict[tuple[str, str], MessageRecord] = {}
        with parse_while_writing(), CommitGroup(around=BatchIndex) as commits:
            depth = depth_for(self.options.batch_size)
            for message in read_ahead(self._records(reader, report), depth=depth):
                key = (message.channel, message.external_id)
                if key in batch:
                    self._duplicate(report, message, batch[key])
                    continue
                batch[key] = message
                if len(batch) >= self.options.batch_size:
                    commits.done(self._flush(batch, report, started))
                    progress.update(reader.position(), report.rows_read)
            self._flush(batch, report, started)
        progress.close()
        for problem in reader.problems:
            report.rows_read += 1
            report.reject(problem.line, problem.message)
        report.finish()
        return report

    def _records(
        self, reader: CsvReader | JsonReader, report: ImportReport
    ) -> Iterator[MessageRecord]:
        """The file's valid rows as records. Runs in the read-ahead thread: no database."""
        for record in reader:
            report.rows_read += 1
            message = self._record(record.line, record.values, report)
            if message is not None:
                yield message

    def _duplicate(
        self, report: ImportReport, message: MessageRecord, first: MessageRecord | str
    ) -> None:
        """An exact repeat of an earlier row is skipped with a warning; a clash is rejected."""
        where = f"line {first.line}" if isinstance(first, MessageRecord) else "an earlier line"
        body = first.body if isinstance(first, MessageRecord) else first
        same = body == message.body and (
            not isinstance(first, MessageRecord)
            or (first.author_id, first.sent_at) == (message.author_id, message.sent_at)
        )
        what = f"id {message.external_id!r}" if self.columns.id else "this row"
        if same:
            report.warn(message.line, f"{what} repeats {where} exactly; skipped")
        else:
            report.reject(
                message.line,
                f"{what} is duplicated with different content (first seen on {where}, kept)",
            )

    def _flush(
        self, batch: dict[tuple[str, str], MessageRecord], report: ImportReport, started: datetime
    ) -> int:
        """Reject rows whose id an earlier batch of this run stored, then write the rest.

        Returns how many rows the batch held.
        """
        records = list(batch.values())
        batch.clear()
        if not records:
            return 0
        seen = self._seen
        with transaction.atomic(savepoint=False):
            keys = [(r.channel, r.external_id) for r in records]
            maybe = [r for r, hit in zip(records, seen.flags(keys), strict=True) if hit]
            earlier = self._stored_this_run(maybe, started) if maybe else {}
            fresh = [r for r in records if (r.channel, r.external_id) not in earlier]
            for r in records:
                if (r.channel, r.external_id) in earlier:
                    self._duplicate(report, r, earlier[(r.channel, r.external_id)])
            report.add(self.writer.write(fresh))
            if self._ratings:
                self._store_ratings(fresh)
        seen.add_all([(r.channel, r.external_id) for r in fresh])
        return len(records)

    def _review(
        self,
        line: int,
        values: dict[str, str],
        report: ImportReport,
        text: str,
        key: tuple[str, str],
    ) -> str | None:
        """A review's text with its title, its rating noted; None (rejected) for a bad rating."""
        cols = self.columns
        if cols.title and values[cols.title].strip():
            text = f"{values[cols.title].strip()}\n\n{text}"
        if cols.rating and values[cols.rating].strip():
            stars = parse_rating(values[cols.rating])
            if stars is None:
                shown = values[cols.rating][:20]
                report.reject(line, f"column {cols.rating!r}: {shown!r} is not 1-5 stars")
                return None
            self._ratings[key] = stars  # read-ahead thread; popped when the batch is written
        return text

    def _store_ratings(self, records: list[MessageRecord]) -> None:
        """Star ratings of the batch's reviews: one UPDATE per channel and star value."""
        groups: dict[tuple[str, int], list[str]] = {}
        for r in records:
            stars = self._ratings.pop((r.channel, r.external_id), None)
            if stars is not None:
                groups.setdefault((r.channel, stars), []).append(r.external_id)
        channels = self.writer.channel_ids({channel for channel, _ in groups})
        for (channel, stars), ids in groups.items():
            Message.objects.filter(
                channel_account_id=channels[channel], external_id__in=ids
            ).update(rating=stars)

    def _stored_this_run(
        self, records: list[MessageRecord], started: datetime
    ) -> dict[tuple[str, str], str]:
        """Bodies of this batch's ids that an earlier batch of the same run already stored.

        One indexed raw query per channel and 900 ids: through the ORM, compiling an ``IN``
        list of 10,000 ids cost more than the lookup itself.
        """
        channels = self.writer.channel_ids({r.channel for r in records})
        names = {pk: name for name, pk in channels.items()}
        keys = [(channels[r.channel], r.external_id) for r in records]
        rows = select_by_keys(
            Message,
            "channel_account",
            "external_id",
            keys,
            ("body",),
            since=("created_at", started),
        )
        return {(names[channel], key): str(values[0]) for (channel, key), values in rows.items()}

    def _record(
        self, line: int, values: dict[str, str], report: ImportReport
    ) -> MessageRecord | None:
        cols = self.columns
        text = values[cols.text]
        if self._unescape:
            text = html.unescape(text)
        if not text.strip():
            report.reject(line, f"column {cols.text!r} is empty")
            return None
        channel = values[cols.channel].strip() if cols.channel else self.channel
        if not channel:
            report.reject(line, f"column {cols.channel!r} is empty")
            return None
        author = values[cols.author].strip() if cols.author else ""
        if cols.author and not author:
            report.reject(line, f"column {cols.author!r} is empty")
            return None
        if cols.time:
            try:
                sent_at = self.times.parse(values[cols.time])
            except TimeParseError as exc:
                report.reject(line, f"column {cols.time!r}: {exc}")
                return None
        else:
            sent_at = timezone.now()
        if cols.id:
            external_id = values[cols.id].strip()
            if not external_id:
                report.reject(line, f"column {cols.id!r} is empty")
                return None
        else:
            raw_time = values[cols.time] if cols.time else ""
            digest = hashlib.sha1(
                "\x1f".join([channel, author, raw_time, text]).encode("utf-8", "surrogatepass"),
                usedforsecurity=False,
            )
            external_id = "row:" + digest.hexdigest()[:24]
        author = author or f"anonymous-{external_id[-12:]}"
        if cols.title or cols.rating:
            reviewed = self._review(line, values, report, text, (channel[:200], external_id[:255]))
            if reviewed is None:
                return None
            text = reviewed
        conversation = values[cols.conversation].strip() if cols.conversation else ""
        # Positional: line, channel, conversation key, customer id and name, inbound, author id
        # and name, body, external id, in reply to, sent at (keywords cost a lot per row).
        return MessageRecord(
            line,
            channel[:200],
            conversation or external_id,
            author,
            author,
            True,
            author,
            author,
            text,
            external_id[:255],
            "",
            sent_at,
        )


def parse_rating(raw: str) -> int | None:
    """1-5 from "4", "4.0", "4/5" or "★★★★☆"; None for anything else."""
    text = raw.strip()
    if text and set(text) <= {"★", "☆"}:
        stars = text.count("★")
    else:
        try:
            value = float(text.split("/")[0])
        except ValueError:
            return None
        if not value.is_integer():
            return None
        stars = int(value)
    return stars if 1 <= stars <= 5 else None
