"""``rippledesk analyze --input FILE --text-column text --output OUT.jsonl``."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rippledesk.analysis.files import FileOptions, analyze_file
from rippledesk.analysis.pipeline import get_analyzer
from rippledesk.channels.imports.csvfile import CsvFileError

VISIBILITIES = ["public_post", "public_reply", "review", "email", "private_message"]


class Command(BaseCommand):
    help = "Analyse every row of a CSV or JSONL file; one JSON object per row, in input order."
    requires_system_checks: list[str] = []  # see the import command

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--input", type=Path, required=True, help=".csv, .jsonl or .ndjson")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--output", type=Path, help="JSONL file (default: standard output)")
        parser.add_argument("--followers-column", help="column with the author's audience size")
        parser.add_argument("--visibility", choices=VISIBILITIES, default="public_post")
        parser.add_argument("--redact", action="store_true", help="add the text with PII masked")
        parser.add_argument("--encoding", default="utf-8")
        parser.add_argument("--analyzer", default="rippledesk-default")
        parser.add_argument(
            "--complete",
            action="store_true",
            help="let the sentiment encoder re-read every doubtful text, past its share of each "
            "batch (slower on general social posts; without it, the rows past that share keep "
            "the fast model's sentiment and say provisional: true)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["input"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            analyzer = get_analyzer(options["analyzer"])
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from None
        file_options = FileOptions(
            text_column=options["text_column"],
            followers_column=options["followers_column"],
            visibility=options["visibility"],
            redact_text=options["redact"],
            encoding=options["encoding"],
            complete=options["complete"],
        )
        output = options["output"]
        try:
            if output:
                with output.open("w", encoding="utf-8") as handle:
                    summary = analyze_file(path, handle, analyzer, file_options)
            else:
                summary = analyze_file(path, sys.stdout, analyzer, file_options)
        except CsvFileError as exc:
            raise CommandError(str(exc)) from None
        except LookupError as exc:
            raise CommandError(f"--encoding: {exc}") from None
        self.stderr.write(
            f"{path}: {summary.rows:,} rows analysed with {analyzer.name} {analyzer.version}; "
            f"{summary.errors:,} unreadable, {summary.not_analysable:,} not analysable"
            + (
                f", {summary.provisional:,} past the sentiment encoder's budget (--complete "
                "re-reads them)"
                if summary.provisional
                else ""
            )
        )
