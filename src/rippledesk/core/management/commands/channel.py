"""``rippledesk channel add KIND --name NAME --config KEY=VALUE …``: connect a platform."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from rippledesk.channels.actions import do_connect_channel
from rippledesk.core.errors import ActionError
from rippledesk.workspaces.actions import do_get_or_create_workspace


class Command(BaseCommand):
    help = "Connect a channel account; prints the webhook URL to give the platform."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create or reconfigure a channel account")
        add.add_argument("kind", help="connector kind, e.g. sms")
        add.add_argument("--name", required=True, help="the number, handle or address")
        add.add_argument("--workspace", default="demo", help="workspace slug (default demo)")
        add.add_argument(
            "--config", action="append", default=[], metavar="KEY=VALUE", help="repeatable"
        )
        add.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="public address of this desk, for the printed webhook URL",
        )
        add.add_argument(
            "--skip-check", action="store_true", help="save without trying the credentials"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config: dict[str, str] = {}
        for item in options["config"]:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(f"--config {item!r}: expected KEY=VALUE")
            config[key.strip()] = value
        workspace = do_get_or_create_workspace(options["workspace"])
        try:
            account = do_connect_channel(
                workspace,
                options["kind"],
                options["name"],
                config,
                check_credentials=not options["skip_check"],
            )
        except ActionError as error:
            raise CommandError(f"{error.field}: {error.message}") from None
        path = reverse("webhook", args=[account.webhook_token])
        self.stdout.write(
            f"Connected {account.kind} {account.name!r} in {workspace.slug}.\n"
            f"Webhook URL: {options['base_url'].rstrip('/')}{path}"
        )
