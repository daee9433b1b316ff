"""A desk for the rules tests, fed through the real webhooks (X, web chat) with fresh messages.

Workspace "acme": an X account "AcmeAir" (webhook with a signature) and a web chat. Team
"Care" (ava, round robin) and team "Retention" (rita, round robin) are granted both; "max" is
the manager, "ada" an admin. ``tweet`` and ``dm`` post Account Activity payloads stamped now (or
at a given time), ``chat`` posts a visitor's message.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Any

from django.test import Client, TestCase
from django.utils import timezone

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.connectors.x.adapter import hmac_b64
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Conversation
from rippledesk.triage.models import TeamRouting
from rippledesk.triage.routing import do_set_availability
from rippledesk.triage.rules.actions import RuleInput, do_create_rule
from rippledesk.triage.rules.models import Rule
from rippledesk.workspaces.access import Seat, seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace, do_save_team
from rippledesk.workspaces.models import Role, Team, User, Workspace

SECRET = "x-consumer-secret-for-rules-tests"
BRAND = "2244994945"
PASSWORD = "a-long-test-password"
_ids = count(1_000_000)


@dataclass
class Desk:
    workspace: Workspace
    x: ChannelAccount
    chat: ChannelAccount
    care: Team
    retention: Team
    users: dict[str, User]
    client: Client = field(default_factory=Client)

    def seat(self, name: str = "max") -> Seat:
        found = seat_in(self.users[name], self.workspace)
        assert found is not None
        return found

    def rule(self, name: str = "rule", **fields: Any) -> Rule:
        data = {"trigger": "message_received", "actions": [], **fields}
        return do_create_rule(self.seat(), RuleInput(name=name, **data))

    def client_for(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client

    def tweet(
        self,
        text: str,
        *,
        user: str = "danaruiz",
        followers: int = 500,
        at: datetime | None = None,
        reply_to: str = "",
    ) -> str:
        """A customer's public mention through the X webhook; its tweet id."""
        tweet_id = str(next(_ids))
        stamp = (at or timezone.now()).astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")
        payload = {
            "for_user_id": BRAND,
            "tweet_create_events": [
                {
                    "created_at": stamp,
                    "id_str": tweet_id,
                    "text": text,
                    "in_reply_to_status_id_str": reply_to or None,
                    "in_reply_to_user_id_str": BRAND,
                    "user": {
                        "id_str": str(zlib.crc32(user.encode())),
                        "screen_name": user,
                        "followers_count": followers,
                    },
                }
            ],
        }
        self._post_x(payload)
        return tweet_id

    def dm(self, text: str, *, user: str = "danaruiz", followers: int = 500) -> None:
        """A customer's direct message through the X webhook."""
        sender = str(zlib.crc32(user.encode()))
        payload = {
            "for_user_id": BRAND,
            "direct_message_events": [
                {
                    "type": "message_create",
                    "id": str(next(_ids)),
                    "created_timestamp": str(int(timezone.now().timestamp() * 1000)),
                    "message_create": {
                        "target": {"recipient_id": BRAND},
                        "sender_id": sender,
                        "message_data": {"text": text},
                    },
                }
            ],
            "users": {sender: {"id": sender, "screen_name": user, "followers_count": followers}},
        }
        self._post_x(payload)

    def _post_x(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/hooks/{self.x.webhook_token}/",
                data=body,
                content_type="application/json",
                HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=hmac_b64(SECRET, body),
            )
        assert response.status_code == 200, response.content

    def visitor(self) -> str:
        return str(self.client.post(f"/chat/{self.chat.webhook_token}/session").json()["visitor"])

    def chat_say(self, visitor: str, body: str) -> None:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/chat/{self.chat.webhook_token}/messages",
                data=json.dumps({"visitor": visitor, "body": body, "client_id": str(next(_ids))}),
                content_type="application/json",
            )
        assert response.status_code == 202, response.content

    def chat_history(self, visitor: str) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/chat/{self.chat.webhook_token}/messages", {"visitor": visitor, "after": "0"}
        )
        return list(response.json()["messages"])

    def latest(self) -> Conversation:
        return Conversation.objects.filter(workspace=self.workspace).latest("pk")


def build_desk() -> Desk:
    workspace = do_get_or_create_workspace("acme", "Acme")
    config = {
        "user_id": BRAND,
        "consumer_secret": SECRET,
        "access_token": "user-token",
        "api_base": "http://127.0.0.1:9",
    }
    x = do_connect_channel(workspace, "x", "AcmeAir", config, check_credentials=False)
    chat = do_connect_channel(workspace, "webchat", "Acme chat", {"greeting": "Hi!"})
    users = {
        name: User.objects.create_user(
            name, password=PASSWORD, first_name=name.title(), email=f"{name}@acme.example"
        )
        for name in ("ava", "rita", "max", "ada")
    }
    roles = {"ava": Role.AGENT, "rita": Role.AGENT, "max": Role.MANAGER, "ada": Role.ADMIN}
    members = {name: do_add_member(workspace, users[name], roles[name]) for name in users}
    grants = [x.pk, chat.pk]
    care = do_save_team(workspace, "Care", members=[members["ava"]], channel_account_ids=grants)
    retention = do_save_team(
        workspace, "Retention", members=[members["rita"]], channel_account_ids=grants
    )
    for team in (care, retention):
        TeamRouting.objects.create(team=team, policy="round_robin")
    do_set_availability(members["ava"], "online")
    do_set_availability(members["rita"], "online")
    return Desk(workspace, x, chat, care, retention, users)
