"""``rippledesk token create|list|revoke``: API tokens for integrations.

``create`` prints the secret once; only its digest is stored, so a lost secret is replaced by
revoking the token and creating another.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rippledesk.core.errors import ActionError
from rippledesk.workspaces.models import ApiToken, User
from rippledesk.workspaces.tokens import do_create_token, do_revoke_token


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--user: no user named {username!r}", returncode=2)
    return user


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list and revoke API tokens (Authorization: Bearer <secret>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print its secret once")
        create.add_argument("--user", required=True, help="username the token acts as")
        create.add_argument("--name", default="cli", help="label to tell tokens apart")
        listing = sub.add_parser("list", help="a user's tokens (never their secrets)")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="stop a token from working")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("token_id", type=int, help="id shown by `token list`")

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(options["user"])
        try:
            if options["action"] == "create":
                token, secret = do_create_token(user, options["name"])
                self.stdout.write(secret)
                self.stderr.write(
                    f"Token {token.pk} ({token.name}) for {user.username}. "
                    "Store the secret now: it is not shown again."
                )
            elif options["action"] == "list":
                self._list(user)
            else:
                token = do_revoke_token(user, options["token_id"])
                self.stdout.write(f"Revoked token {token.pk} ({token.name}).")
        except ActionError as exc:
            flag = "--name" if exc.field == "name" else "token_id"
            raise CommandError(f"{flag}: {exc.message}", returncode=2) from None

    def _list(self, user: User) -> None:
        rows = ApiToken.objects.filter(user=user).order_by("pk")
        self.stdout.write(f"{'id':>6}  {'prefix':<12} {'last used':<16}  {'revoked':<16}  name")
        for token in rows:
            self.stdout.write(
                f"{token.pk:>6}  {token.prefix:<12} {_when(token.last_used_at):<16}  "
                f"{_when(token.revoked_at):<16}  {token.name}"
            )
