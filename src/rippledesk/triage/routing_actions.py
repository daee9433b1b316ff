"""Managers' routing settings: each team's policy and skills, each agent's capacity and skills.

Skills are lists of language codes (``en``, ``es``; what the language detector stores) and
complaint topics (``lost_luggage``; what the topic model or a workspace's own topics store).
A malformed entry is refused, naming it; an empty list means "any".
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from rippledesk.core.errors import InvalidInput, NotFound, PermissionDenied
from rippledesk.triage.models import AgentState, AssignmentPolicy, TeamRouting
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Membership, Team

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TOPIC = re.compile(r"^[a-z0-9_]{1,64}$")
MAX_CAPACITY = 500


def parse_list(text: str, pattern: re.Pattern[str], field: str, what: str) -> list[str]:
    """``"en, es"`` into ``["en", "es"]``; InvalidInput naming the first bad entry."""
    items = []
    for raw in text.replace(";", ",").split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if not pattern.match(item):
            raise InvalidInput(f"{raw.strip()!r} is not {what}.", field=field)
        if item not in items:
            items.append(item)
    return items


def _manager(seat: Seat) -> None:
    if not seat.can_manage:
        raise PermissionDenied("Only managers and admins change routing.", field="role")


def do_set_team_routing(
    seat: Seat, team_id: int, *, policy: str, languages: str = "", topics: str = ""
) -> TeamRouting:
    _manager(seat)
    team = Team.objects.filter(workspace=seat.workspace, pk=team_id).first()
    if team is None:
        raise NotFound("No such team.", field="team")
    if policy not in AssignmentPolicy.values:
        choices = ", ".join(AssignmentPolicy.values)
        raise InvalidInput(f"Policy must be one of {choices}.", field="policy")
    values = {
        "policy": policy,
        "languages": parse_list(languages, _LANGUAGE, "languages", "a language code like en"),
        "topics": parse_list(topics, _TOPIC, "topics", "a topic like lost_luggage"),
    }
    routing, _ = TeamRouting.objects.update_or_create(team=team, defaults=values)
    return routing


def do_set_agent_skills(
    seat: Seat, membership_id: int, *, capacity: int, languages: str = "", topics: str = ""
) -> AgentState:
    _manager(seat)
    membership = Membership.objects.filter(workspace=seat.workspace, pk=membership_id).first()
    if membership is None:
        raise NotFound("No such member.", field="member")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"Capacity must be from 1 to {MAX_CAPACITY}.", field="capacity")
    values = {
        "capacity": capacity,
        "languages": parse_list(languages, _LANGUAGE, "languages", "a language code like en"),
        "topics": parse_list(topics, _TOPIC, "topics", "a topic like lost_luggage"),
    }
    with transaction.atomic():
        state, created = AgentState.objects.get_or_create(
            membership=membership, defaults={**values, "changed_at": timezone.now()}
        )
        if not created:
            for name, value in values.items():
                setattr(state, name, value)
            state.save(update_fields=list(values))
    return state
