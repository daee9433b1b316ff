"""``rippledesk smtp``: receive email for the connected support addresses.

Point your domain's MX record (or a forwarding rule) at this listener. ``rippledesk serve
--smtp-port N`` runs the same listener inside the web server process.
"""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rippledesk.channels.connectors.email.smtpd import start_listener


class Command(BaseCommand):
    help = "Run the SMTP listener that turns incoming email into conversations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=2525, help="port (default 2525)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            controller = start_listener(options["host"], options["port"])
        except OSError as exc:
            raise CommandError(
                f"cannot listen on {options['host']}:{options['port']}: {exc}"
            ) from None
        self.stdout.write(
            f"receiving email on {options['host']}:{options['port']} (Ctrl+C to stop)"
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
