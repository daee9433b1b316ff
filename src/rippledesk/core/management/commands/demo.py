"""``rippledesk demo``: a desk with real sample data and a login, ready for ``rippledesk serve``.

Idempotent, so ``make demo`` can run it every time: the workspace, the admin and the imported
messages are created once; later runs reuse them and print the same login. The password is
random per installation and kept in ``$RIPPLEDESK_DATA_DIR/demo-login.txt`` (mode 0600),
because Django stores only its hash.
"""

from __future__ import annotations

import os
import secrets
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

import rippledesk
from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.imports.csvfile import CsvFileError
from rippledesk.channels.imports.report import ImportReport
from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions
from rippledesk.channels.models import ChannelAccount, ChannelKind
from rippledesk.conversations.canned import do_save_canned
from rippledesk.triage.models import SlaTarget
from rippledesk.triage.rules.examples import do_seed_example_rules
from rippledesk.triage.sla_actions import do_save_sla_target, do_set_week
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import (
    do_add_member,
    do_create_superuser,
    do_get_or_create_workspace,
    do_reset_superuser_password,
    do_save_team,
)
from rippledesk.workspaces.models import Role, User, Workspace

WORKSPACE_SLUG = "demo"
WORKSPACE_NAME = "Demo desk"
USERNAME = "admin"
LOGIN_FILE = "demo-login.txt"
# src/rippledesk/__init__.py -> the repository root holds data/.
REPO_ROOT = Path(rippledesk.__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "data" / "airline-tweets" / "sample.csv"
SAMPLE_COLUMNS = RowColumns(text="text", author="name", channel="airline", time="tweet_created")
# Two teams split the six airline accounts, so signing in as an agent shows what a team sees.
TEAMS = {
    "North desk": ("United", "American", "US Airways"),
    "South desk": ("Southwest", "Delta", "Virgin America"),
}
WEB_CHAT = "Demo web chat"
# (username, first name, role, team); they share the admin's demo password.
PEOPLE = (
    ("ava", "Ava", Role.AGENT, "North desk"),
    ("sam", "Sam", Role.AGENT, "South desk"),
    ("max", "Max", Role.MANAGER, None),
)
CANNED = (
    (
        "sorry",
        "Sorry, we're on it",
        "Hi {{customer.first_name}}, I'm sorry about this. Please DM us your booking code and "
        "I'll look into it right away. - {{agent.first_name}}",
    ),
    (
        "thanks",
        "Thanks for the kind words",
        "Thank you, {{customer.first_name}}! We'll pass this on to the crew. - "
        "{{agent.first_name}}",
    ),
    (
        "refund",
        "Refund request",
        "Hi {{customer.first_name}}, refunds go back to the original payment in 7-10 days. "
        "DM us your booking code and I'll check its status. - {{agent.first_name}}",
    ),
)


# The demo's SLA policy: (priority, first response, next response, resolution in minutes,
# business hours only). Urgent and high run around the clock; the rest in business hours.
SLA_LINES = (
    ("urgent", 15, 30, 8 * 60, False),
    ("high", 60, 120, 24 * 60, False),
    ("normal", 240, 480, 3 * 24 * 60, True),
    ("low", 24 * 60, None, 7 * 24 * 60, True),
)


def _new_password() -> str:
    """16 characters without look-alikes (0/O, 1/l/I), easy to copy from a terminal."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _read_login(path: Path) -> tuple[str, str] | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    username = fields.get("username", "").strip()
    password = fields.get("password", "").strip()
    return (username, password) if username and password else None


def _write_login(path: Path, username: str, password: str) -> None:
    """Write the login readable by its owner only, replacing any older file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(
            "# rippledesk demo login, written by `rippledesk demo`\n"
            f"username: {username}\npassword: {password}\n"
        )
    os.chmod(partial, 0o600)
    os.replace(partial, path)


class Command(BaseCommand):
    help = (
        "Set up the demo desk: workspace 'demo', an admin login and the bundled airline tweets. "
        "Safe to run again; it then adds nothing and prints the same login."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--port", type=int, default=8000, help="port shown in the URL (default 8000)"
        )
        parser.add_argument(
            "--data-file",
            type=Path,
            default=None,
            help=f"airline tweets CSV to import (default {SAMPLE})",
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="give the admin a new random password (needed if it was changed by hand)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._require_migrated()
        data_file: Path = options["data_file"] or SAMPLE
        if not data_file.is_file():
            raise CommandError(
                f"{data_file}: sample data not found; pass --data-file PATH to the airline "
                "tweets CSV (data/airline-tweets/sample.csv in the repository)"
            )
        workspace = do_get_or_create_workspace(WORKSPACE_SLUG, WORKSPACE_NAME)
        user, password = self._admin(options["reset_password"])
        do_add_member(workspace, user, Role.ADMIN)
        report = self._import(workspace, data_file)
        self.stdout.write(report.summary())
        chat = self._web_chat(workspace)
        self._team(workspace, user, password)
        port = options["port"]
        self.stdout.write(
            self.style.SUCCESS(f"\nThe demo desk {workspace.name!r} is ready.")
            + f"\n  URL:      http://127.0.0.1:{port}/"
            + f"\n  Username: {user.get_username()}"
            + f"\n  Password: {password}"
            + f"\n  (saved in {self._login_path()})"
            + "\n  Also: ava and sam (agents, one team each), max (manager); same password."
            + f"\n  Web chat as a visitor: http://127.0.0.1:{port}/chat/{chat.webhook_token}/"
            + f"\nStart the server with: rippledesk serve --port {port}\n"
        )

    @staticmethod
    def _require_migrated() -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database is not up to date: run `rippledesk migrate` first")

    @staticmethod
    def _login_path() -> Path:
        return Path(settings.DATA_DIR) / LOGIN_FILE

    def _admin(self, reset: bool) -> tuple[User, str]:
        """The demo superuser and its password, created on the first run."""
        path = self._login_path()
        saved = _read_login(path)
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            password = saved[1] if saved and saved[0] == USERNAME and not reset else _new_password()
            user = do_create_superuser(USERNAME, password)
        elif reset or saved is None:
            if not reset:
                raise CommandError(
                    f"a user {USERNAME!r} already exists but {path} does not hold its password; "
                    "run `rippledesk demo --reset-password` to give it a new random one"
                )
            password = _new_password()
            do_reset_superuser_password(user, password)
        else:
            password = saved[1]
            if not user.check_password(password):
                raise CommandError(
                    f"the password of {USERNAME!r} no longer matches {path} (changed by hand?); "
                    "run `rippledesk demo --reset-password` to set a new one"
                )
        _write_login(path, USERNAME, password)
        return user, password

    @staticmethod
    def _web_chat(workspace: Workspace) -> ChannelAccount:
        """A web chat account both teams answer, so the demo shows a live channel."""
        chat = workspace.channels.filter(kind=ChannelKind.WEBCHAT, name=WEB_CHAT).first()
        if chat is None:
            chat = do_connect_channel(
                workspace, ChannelKind.WEBCHAT, WEB_CHAT, {"greeting": "Hi! How can we help?"}
            )
        for team in TEAMS:
            do_save_team(workspace, team, channel_account_ids=[chat.pk])
        return chat

    @staticmethod
    def _team(workspace: Workspace, admin: User, password: str) -> None:
        """The demo's people, teams and canned responses (created once, then left alone)."""
        channels = {c.name: c.pk for c in workspace.channels.all()}
        for team, names in TEAMS.items():
            do_save_team(
                workspace, team, channel_account_ids=[channels[n] for n in names if n in channels]
            )
        for username, first_name, role, team_name in PEOPLE:
            person = User.objects.filter(username=username).first()
            if person is None:
                person = User.objects.create_user(
                    username, password=password, first_name=first_name
                )
            membership = do_add_member(workspace, person, role)
            if team_name:
                do_save_team(workspace, team_name, members=[membership])
        seat = seat_in(admin, workspace)
        assert seat is not None
        for shortcut, title, body in CANNED:
            if not workspace.canned.filter(shortcut=shortcut).exists():
                do_save_canned(seat, shortcut=shortcut, title=title, body=body)
        if not SlaTarget.objects.filter(workspace=workspace).exists():
            for priority, first, following, resolution, business in SLA_LINES:
                do_save_sla_target(
                    seat,
                    priority=priority,
                    channel_id=None,
                    first_response=first,
                    next_response=following,
                    resolution=resolution,
                    business_hours=business,
                )
            do_set_week(seat, dict.fromkeys(range(5), "08:00-20:00"))
        do_seed_example_rules(seat)

    @staticmethod
    def _import(workspace: Workspace, data_file: Path) -> ImportReport:
        options = RowOptions(channel_kind=ChannelKind.X)
        try:
            return RowImporter(workspace, data_file, SAMPLE_COLUMNS, options).run()
        except CsvFileError as exc:
            raise CommandError(f"{data_file}: {exc}") from None
