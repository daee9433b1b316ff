"""Canned responses: saved answers with ``{{customer.first_name}}``-style variables.

The variable set is closed and checked when a response is saved, so a typo is caught by the
person who wrote it, not discovered by a customer reading ``{{custmer.name}}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.db import transaction

from rippledesk.conversations.models import CannedResponse, Conversation
from rippledesk.core.errors import Conflict, InvalidInput, PermissionDenied
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import User

_VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")
_SHORTCUT = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _first_word(text: str) -> str:
    words = text.split()
    return words[0] if words else ""


def _customer_name(c: Conversation) -> str:
    return c.customer.display_name


def _agent_name(agent: User) -> str:
    return agent.get_full_name() or agent.get_username()


# Variables about the conversation, and about the agent who uses the text. Texts the desk
# sends by itself (automation rules) have no agent, so they may use only the first kind.
CONVERSATION_VARIABLES: dict[str, Callable[[Conversation], str]] = {
    "customer.name": _customer_name,
    "customer.first_name": lambda c: _first_word(_customer_name(c)),
    "channel.name": lambda c: c.channel_account.name,
    "conversation.number": lambda c: str(c.number),
    "workspace.name": lambda c: c.workspace.name,
}
AGENT_VARIABLES: dict[str, Callable[[User], str]] = {
    "agent.name": _agent_name,
    "agent.first_name": lambda a: a.first_name or _first_word(_agent_name(a)),
}
VARIABLES: tuple[str, ...] = (*CONVERSATION_VARIABLES, *AGENT_VARIABLES)


def unknown_variables(body: str, known: Iterable[str] = VARIABLES) -> list[str]:
    allowed = set(known)
    return sorted({name for name in _VARIABLE.findall(body) if name not in allowed})


def check_template(body: str, field: str = "body", *, with_agent: bool = True) -> None:
    """Refuse unknown variables, naming them; ``with_agent=False``: no ``{{agent.*}}`` either."""
    known = VARIABLES if with_agent else tuple(CONVERSATION_VARIABLES)
    unknown = unknown_variables(body, known)
    if unknown:
        names = ", ".join("{{" + u + "}}" for u in unknown)
        listed = ", ".join("{{" + name + "}}" for name in known)
        why = "" if with_agent else " (the desk sends this itself, so there is no agent)"
        raise InvalidInput(f"Unknown variable {names}{why}; known: {listed}", field=field)


def render(body: str, conversation: Conversation, agent: User | None) -> str:
    """``body`` with every known variable filled in; unknown ones are left as written, and so
    are agent variables when there is no agent."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in CONVERSATION_VARIABLES:
            return CONVERSATION_VARIABLES[name](conversation)
        if name in AGENT_VARIABLES and agent is not None:
            return AGENT_VARIABLES[name](agent)
        return match.group(0)

    return _VARIABLE.sub(fill, body)


def _validated(seat: Seat, shortcut: str, title: str, body: str) -> tuple[str, str, str]:
    """The cleaned (shortcut, title, body); managers and admins only, variables checked."""
    if not seat.can_manage:
        raise PermissionDenied("Only managers and admins edit canned responses.", field="role")
    clean = shortcut.strip().lstrip("/")
    if not clean or not _SHORTCUT.fullmatch(clean):
        raise InvalidInput(
            "A shortcut is 1 to 40 letters, digits, '-' or '_' (e.g. refund-policy).",
            field="shortcut",
        )
    name = title.strip()
    if not name or len(name) > 120:
        raise InvalidInput("Give the response a title of at most 120 characters.", field="title")
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("Write the response first: the text is empty.", field="body")
    if len(text) > 10_000:
        raise InvalidInput("The response text is at most 10,000 characters.", field="body")
    check_template(text)
    return clean, name, text


def do_save_canned(seat: Seat, *, shortcut: str, title: str, body: str) -> CannedResponse:
    """Create or update the workspace's canned response ``/shortcut`` (the web form)."""
    clean, name, text = _validated(seat, shortcut, title, body)
    canned, _ = CannedResponse.objects.update_or_create(
        workspace=seat.workspace, shortcut=clean, defaults={"title": name, "body": text}
    )
    return canned


def do_create_canned(seat: Seat, shortcut: str, title: str, body: str) -> CannedResponse:
    """Save a new canned response; an existing shortcut is a Conflict (the API's POST)."""
    clean, name, text = _validated(seat, shortcut, title, body)
    with transaction.atomic():
        if CannedResponse.objects.filter(workspace=seat.workspace, shortcut=clean).exists():
            raise Conflict(f"/{clean} already exists; pick another shortcut.", field="shortcut")
        return CannedResponse.objects.create(
            workspace=seat.workspace, shortcut=clean, title=name, body=text
        )


def do_delete_canned(seat: Seat, shortcut: str) -> None:
    if not seat.can_manage:
        raise PermissionDenied("Only managers and admins edit canned responses.", field="role")
    CannedResponse.objects.filter(workspace=seat.workspace, shortcut=shortcut).delete()
