"""``rippledesk reanalyze``: score stored messages that lack a result from the current models."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rippledesk.analysis.actions import do_analyze_messages
from rippledesk.analysis.models import MessageAnalysis
from rippledesk.analysis.pipeline import get_analyzer
from rippledesk.conversations.models import Direction, Message
from rippledesk.core.progress import Progress


class Command(BaseCommand):
    help = "Analyse inbound messages that have no result from the given analyzer's version."
    requires_system_checks: list[str] = []  # see the import command

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--analyzer", default="rippledesk-default")
        parser.add_argument("--workspace", help="only this workspace (slug)")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            analyzer = get_analyzer(options["analyzer"])
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from None
        version = analyzer.version
        done = MessageAnalysis.objects.filter(model_name=analyzer.name, model_version=version)
        pending = Message.objects.filter(direction=Direction.INBOUND).exclude(
            pk__in=done.values("message_id")
        )
        if options["workspace"]:
            pending = pending.filter(conversation__workspace__slug=options["workspace"])
        total = pending.count()
        progress = Progress(total, "reanalysing")
        added, last = 0, 0
        while True:
            ids = list(
                pending.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[: options["batch_size"]]
            )
            if not ids:
                break
            added += do_analyze_messages(ids, analyzer)
            last = ids[-1]
            progress.update(added, added)
        progress.close()
        self.stdout.write(
            f"{added:,} messages analysed with {analyzer.name} {version} "
            f"({total:,} were missing a result)"
        )
