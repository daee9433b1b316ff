"""``rippledesk report response-times``: first-response times, overall or per channel."""

from __future__ import annotations

import csv
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rippledesk.conversations.queries import ResponseTimeRow, response_time_rows
from rippledesk.workspaces.models import Workspace

KEYS = ["channel", "conversations", "answered", "median_seconds", "p90_seconds"]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


class Command(BaseCommand):
    help = "Reports over the desk's conversations."
    requires_system_checks: list[str] = []  # see the import command

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        times = sub.add_parser(
            "response-times", help="first inbound message to first reply, median and p90"
        )
        times.add_argument("--by", choices=["channel"], help="one row per channel account")
        times.add_argument("--format", choices=["table", "json", "csv"], default="table")
        times.add_argument("--workspace", default="default", help="workspace slug")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = Workspace.objects.get(slug=options["workspace"])
        except Workspace.DoesNotExist:
            raise CommandError(
                f"no workspace {options['workspace']!r}; import some messages first"
            ) from None
        rows = response_time_rows(workspace, by_channel=options["by"] == "channel")
        if options["format"] == "json":
            self.stdout.write(json.dumps([row.as_dict() for row in rows], indent=2))
        elif options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=KEYS, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow(row.as_dict())
        else:
            self._table(rows)

    def _table(self, rows: list[ResponseTimeRow]) -> None:
        header = ["channel", "conversations", "answered", "median", "p90"]
        lines = [
            [
                row.channel or "(all channels)",
                f"{row.conversations:,}",
                f"{row.answered:,}",
                _duration(row.median_seconds),
                _duration(row.p90_seconds),
            ]
            for row in rows
        ]
        widths = [max(len(str(v)) for v in column) for column in zip(header, *lines, strict=False)]
        for values in [header, *lines]:
            cells = [values[0].ljust(widths[0])]
            cells += [v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True)]
            self.stdout.write("  ".join(cells))
        if not rows:
            self.stdout.write("(no conversations yet)")
