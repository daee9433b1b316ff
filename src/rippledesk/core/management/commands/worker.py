"""``rippledesk worker``: run background jobs (webhook processing, reply delivery, …).

``rippledesk serve`` already runs one worker thread; start more of these to scale out, each in
its own process. ``--once`` runs what is due now and exits (handy in cron and tests).
"""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from rippledesk.channels.polling import ensure_polling as ensure_channel_polling
from rippledesk.jobs.worker import run_pending, work_forever
from rippledesk.listening.polling import ensure_polling
from rippledesk.triage.crisis.evaluate import ensure_watching
from rippledesk.triage.sla_timer import ensure_sla_timer


class Command(BaseCommand):
    help = "Run queued background jobs until stopped (or once, with --once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the due jobs, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"ran {run_pending(limit=10_000)} job(s)")
            return
        ensure_polling()
        ensure_channel_polling()
        ensure_sla_timer()
        ensure_watching()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write("rippledesk worker running (Ctrl+C to stop)")
        try:
            work_forever(stop)
        except KeyboardInterrupt:
            stop.set()
