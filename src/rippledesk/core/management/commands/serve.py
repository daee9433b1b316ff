"""``rippledesk serve``: the desk over HTTP with waitress, a pure-Python production server.

Static files come from WhiteNoise inside the app, so one process serves everything and no
front web server is needed for a small team. Put a TLS-terminating proxy in front of it when
the desk is reachable from outside.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import waitress  # type: ignore[import-untyped]  # ships no type information
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from rippledesk.channels.connectors.email.smtpd import start_listener
from rippledesk.channels.polling import ensure_polling as ensure_channel_polling
from rippledesk.jobs.worker import start_worker_thread
from rippledesk.listening.polling import ensure_polling
from rippledesk.settings.env import ConfigError, env_int
from rippledesk.triage.crisis.evaluate import ensure_watching
from rippledesk.triage.sla_timer import ensure_sla_timer

THREADS = 8


def _default_port() -> int:
    try:
        return env_int("RIPPLEDESK_PORT", 8000, minimum=1)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "Serve the web desk with waitress (static files included)."
    requires_system_checks = "__all__"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument(
            "--port", type=int, default=None, help="port (default $RIPPLEDESK_PORT, else 8000)"
        )
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=None,
            help="also receive email on this port (see `rippledesk smtp`)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run background jobs in this process (run `rippledesk worker` instead)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"] if options["port"] is not None else _default_port()
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port (1-65535)")
        self._warn_unmigrated()
        # WhiteNoise warns at start-up when STATIC_ROOT is missing, though with finders on it
        # serves the packaged files without it; an empty directory keeps the console clean.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        from rippledesk.wsgi import application  # noqa: PLC0415  # after STATIC_ROOT exists

        if options["smtp_port"]:
            try:
                start_listener(host, options["smtp_port"])
            except OSError as exc:
                raise CommandError(
                    f"cannot receive email on port {options['smtp_port']}: {exc}"
                ) from None
        if not options["no_worker"]:
            # listening sources and review sites are polled by the worker
            ensure_polling()
            ensure_channel_polling()
            ensure_sla_timer()
            ensure_watching()  # crisis detection, once a minute

            start_worker_thread()  # replies go out and webhooks are processed without a 2nd command
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(
            self.style.SUCCESS(f"rippledesk is serving on http://{shown}:{port}/")
            + "  (Ctrl+C to stop)"
        )
        self.stdout.flush()
        try:
            waitress.serve(application, host=host, port=port, threads=THREADS, ident="rippledesk")
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        except KeyboardInterrupt:
            self.stdout.write("\nstopped")

    def _warn_unmigrated(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stderr.write(
                self.style.WARNING(
                    "The database has unapplied migrations; run `rippledesk migrate` first."
                )
            )
