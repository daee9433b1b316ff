"""``rippledesk import twcs|csv FILE``: bring an export of customer messages into the desk."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError

from rippledesk.analysis.actions import analysis_deferred
from rippledesk.channels.imports.csvfile import CsvFileError
from rippledesk.channels.imports.report import ImportReport
from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions
from rippledesk.channels.imports.twcs import TwcsImporter
from rippledesk.channels.models import ChannelKind
from rippledesk.core.collector import bulk_gc
from rippledesk.core.sql import bulk_load_session
from rippledesk.workspaces.actions import do_get_or_create_workspace


class Command(BaseCommand):
    help = "Import customer messages from a file. Exit code 1 when rows were rejected."
    # System checks validate the web project (URLs, admin, API schemas) and import all of it:
    # a third of a second per run that a data command does not need. `serve` and `migrate`
    # still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="format", required=True)
        twcs = sub.add_parser("twcs", help='the "Customer Support on Twitter" CSV format')
        csv = sub.add_parser("csv", help="any export with one message per row (CSV or JSON Lines)")
        reviews = sub.add_parser(
            "reviews", help="reviews from app stores or retail sites (CSV, JSON or JSON Lines)"
        )
        for p in (twcs, csv, reviews):
            p.add_argument("file", type=Path)
            p.add_argument("--workspace", default="default", help="workspace slug")
            p.add_argument("--encoding", default="utf-8", help="file encoding (default utf-8)")
            p.add_argument("--batch-size", type=int, default=10_000)
            p.add_argument(
                "--show-problems", type=int, default=20, help="problems to print (all are stored)"
            )
            p.add_argument(
                "--analysis",
                choices=["now", "later"],
                default="now",
                help="analyse messages as they are stored (now), or leave it to "
                "`rippledesk reanalyze` (later, for the fastest bulk load)",
            )
        csv.add_argument("--text-column", required=True)
        csv.add_argument("--author-column")
        csv.add_argument("--channel-column", help="column naming the brand account addressed")
        csv.add_argument("--channel", default="", help="account name when no channel column")
        reviews.set_defaults(channel="")
        csv.add_argument(
            "--channel-kind", default=ChannelKind.X.value, choices=[k.value for k in ChannelKind]
        )
        csv.add_argument("--time-column")
        csv.add_argument("--time-format", help="strptime pattern, e.g. '%%d-%%m-%%Y %%H.%%M'")
        csv.add_argument("--timezone", default="UTC", help="zone of times without an offset")
        csv.add_argument("--id-column")
        csv.add_argument("--conversation-column", help="rows sharing it form one conversation")
        csv.add_argument("--rating-column", help="star rating 1-5 (reviews)")
        csv.add_argument("--title-column", help="a title put before the text (reviews)")
        reviews.add_argument(
            "--source", required=True, help='where they are from, e.g. "App Store"'
        )
        for name, default in (
            ("text", "text"),
            ("author", "author"),
            ("time", "date"),
            ("id", "id"),
            ("rating", "rating"),
            ("title", "title"),
        ):
            reviews.add_argument(f"--{name}-column", default=default, help=f"default {default!r}")
        reviews.add_argument("--time-format", help="strptime pattern (default: detected)")
        reviews.add_argument("--timezone", default="UTC", help="zone of times without an offset")
        reviews.set_defaults(
            channel_column=None, conversation_column=None, channel_kind=ChannelKind.REVIEWS.value
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        workspace = do_get_or_create_workspace(options["workspace"])
        try:
            deferred = analysis_deferred() if options["analysis"] == "later" else nullcontext()
            with bulk_gc(), bulk_load_session(), deferred:
                report = self._run(workspace, path, options)
        except CsvFileError as exc:
            raise CommandError(str(exc)) from None
        except LookupError as exc:
            raise CommandError(f"--encoding: {exc}") from None
        self._print(report, options["show_problems"])
        if report.rows_rejected:
            sys.exit(1)

    def _run(self, workspace: Any, path: Path, options: dict[str, Any]) -> ImportReport:
        if options["format"] == "twcs":
            return TwcsImporter(
                workspace, path, encoding=options["encoding"], batch_size=options["batch_size"]
            ).run()
        return self._run_csv(workspace, path, options)

    @staticmethod
    def _run_csv(workspace: Any, path: Path, options: dict[str, Any]) -> ImportReport:
        try:
            zone = ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(
                f"--timezone {options['timezone']!r} is not a known time zone"
            ) from None
        columns = RowColumns(
            text=options["text_column"],
            author=options["author_column"],
            channel=options["channel_column"],
            time=options["time_column"],
            id=options["id_column"],
            conversation=options["conversation_column"],
            rating=options.get("rating_column"),
            title=options.get("title_column"),
        )
        row_options = RowOptions(
            channel_kind=ChannelKind(options["channel_kind"]),
            default_channel=options.get("source") or options["channel"],
            time_format=options["time_format"],
            time_zone=zone,
            encoding=options["encoding"],
            batch_size=options["batch_size"],
        )
        return RowImporter(workspace, path, columns, row_options).run()

    def _print(self, report: ImportReport, limit: int) -> None:
        for problem in report.problems[: max(limit, 0)]:
            self.stderr.write(f"line {problem.line}: {problem.severity}: {problem.message}")
        hidden = len(report.problems) - max(limit, 0)
        if hidden > 0:
            self.stderr.write(
                f"... and {hidden:,} more problems, stored with import run {report.run.pk} "
                "(see Admin > Import runs)"
            )
        self.stdout.write(report.summary())
