"""A desk for the JSON API tests: two workspaces of real imported messages and one user per role.

"acme" has channels AcmeCare (X, granted to the "care" team) and AcmeShop (X, no team);
"globex" is someone else's desk. Each user gets an API token; ``Desk.call`` sends a request
with one of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.test import Client

from rippledesk.analysis.actions import do_analyze_messages
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Conversation, Message
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, Team, User, Workspace
from rippledesk.workspaces.tokens import do_create_token
from tests.desk import TWCS, import_rows, write_rows


@dataclass
class Desk:
    acme: Workspace
    globex: Workspace
    care: ChannelAccount
    shop: ChannelAccount
    team: Team
    users: dict[str, User]
    tokens: dict[str, str]
    client: Client = field(default_factory=Client)

    def call(
        self, method: str, path: str, body: Any = None, *, as_: str = "agent", **headers: str
    ) -> Any:
        """Send ``method path`` with the token of user ``as_`` (None: no credentials)."""
        if as_ is not None:
            headers.setdefault("Authorization", f"Bearer {self.tokens[as_]}")
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method.lower())(path, **kwargs)

    def number(self, customer: str, workspace: Workspace | None = None) -> int:
        return (
            Conversation.objects.filter(
                workspace=workspace or self.acme, customer__display_name=customer
            )
            .order_by("-last_activity_at")
            .values_list("number", flat=True)[0]
        )

    def conv(self, number: int) -> Conversation:
        return Conversation.objects.get(workspace=self.acme, number=number)


def make_desk(tmp_path: Path) -> Desk:
    acme = do_get_or_create_workspace("acme", "Acme support")
    from rippledesk.channels.imports.twcs import TwcsImporter  # noqa: PLC0415

    twcs = tmp_path / "twcs.csv"
    twcs.write_text(TWCS, encoding="utf-8")
    assert TwcsImporter(acme, twcs).run().rows_rejected == 0
    mentions = [
        ("@AcmeCare where is my refund?", "bob_k", "AcmeCare", "2017-11-01 08:00"),
        ("@AcmeShop my parcel is lost, furious", "mallory", "AcmeShop", "2017-11-01 09:00"),
        ("@AcmeCare still waiting for that refund", "bob_k", "AcmeCare", "2017-11-02 10:00"),
    ]
    import_rows(acme, write_rows(tmp_path / "mentions.csv", mentions))
    globex = do_get_or_create_workspace("globex", "Globex")
    secret = [("globex secret refund complaint", "carol", "GlobexHelp", "2017-11-03 10:00")]
    import_rows(globex, write_rows(tmp_path / "globex.csv", secret))
    do_analyze_messages(list(Message.objects.values_list("pk", flat=True)))

    care = ChannelAccount.objects.get(workspace=acme, name="AcmeCare")
    shop = ChannelAccount.objects.get(workspace=acme, name="AcmeShop")
    users: dict[str, User] = {}
    tokens: dict[str, str] = {}
    roles = {
        "admin": Role.ADMIN,
        "manager": Role.MANAGER,
        "agent": Role.AGENT,
        "colleague": Role.AGENT,
        "loner": Role.AGENT,
    }
    for name, role in roles.items():
        user = User.objects.create_user(name, first_name=name.title())  # no password: fast
        do_add_member(acme, user, role)
        users[name] = user
        tokens[name] = do_create_token(user, "tests")[1]
    outsider = User.objects.create_user("outsider")
    do_add_member(globex, outsider, Role.ADMIN)
    users["outsider"] = outsider
    tokens["outsider"] = do_create_token(outsider, "tests")[1]
    team = Team.objects.create(workspace=acme, name="care")
    team.channel_accounts.add(care)
    for name in ("agent", "colleague"):
        team.members.add(acme.memberships.get(user=users[name]))
    return Desk(acme, globex, care, shop, team, users, tokens)


def error_of(response: Any) -> dict[str, Any]:
    """The error body's inner object, checking the one shape every error has."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field"}, body
    return dict(body["error"])
