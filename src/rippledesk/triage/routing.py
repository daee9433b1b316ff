"""Automatic assignment: new conversations go to an available agent of a team that works them.

A team with a routing policy other than ``manual`` takes the new conversations of the channel
accounts granted to it, optionally only those in its languages and topics. When several routing
teams share a channel, the team matching more of the conversation (a language match and a topic
match each count one; a team with no list matches anything but scores nothing) wins; ties go
to the team name's order.

Among the team's members who are online and below their capacity (open conversations they
hold), ``round_robin`` picks the next after the last one served, ``least_loaded`` the one
holding the fewest, and ``skills`` the least loaded of those whose languages and topics cover
the conversation (an agent with no list covers anything). With ``skills``, when no skilled
agent is free the conversation waits in the team's queue rather than going to someone who
cannot read it. When nobody is available the conversation stays unassigned in the team's
queue. An agent who goes offline hands their open conversations back to routing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from rippledesk.conversations.models import Conversation, ConversationStatus, Direction, Message
from rippledesk.core.errors import InvalidInput
from rippledesk.core.events import ConversationsChanged, emit_on_commit
from rippledesk.triage.models import AgentState, AssignmentPolicy, Availability, TeamRouting
from rippledesk.workspaces.models import Membership, Team


def _open_load(memberships: Sequence[Membership]) -> dict[int, int]:
    users = [m.user_id for m in memberships]
    rows = (
        Conversation.objects.filter(
            assignee_id__in=users, status__in=(ConversationStatus.OPEN, ConversationStatus.PENDING)
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def available_members(team: Team) -> list[Membership]:
    """Online members of ``team`` below capacity, in a stable order."""
    capacity = dict(
        AgentState.objects.filter(
            membership__in=team.members.all(), availability=Availability.ONLINE
        ).values_list("membership_id", "capacity")
    )
    members = list(team.members.filter(pk__in=list(capacity)).select_related("user").order_by("pk"))
    load = _open_load(members)
    return [m for m in members if load.get(m.user_id, 0) < capacity[m.pk]]


def _covers(wanted: str, skills: list[str]) -> bool:
    return not skills or not wanted or wanted in skills


def skilled(candidates: list[Membership], conversation: Conversation | None) -> list[Membership]:
    """The candidates whose languages and topics cover the conversation."""
    if conversation is None:
        return candidates
    skills: dict[int, tuple[list[str], list[str]]] = {
        pk: (languages or [], topics or [])
        for pk, languages, topics in AgentState.objects.filter(
            membership__in=candidates
        ).values_list("membership_id", "languages", "topics")
    }
    return [
        m
        for m in candidates
        if _covers(conversation.language, skills.get(m.pk, ([], []))[0])
        and _covers(conversation.topic, skills.get(m.pk, ([], []))[1])
    ]


def choose(
    team: Team, routing: TeamRouting, conversation: Conversation | None = None
) -> Membership | None:
    candidates = available_members(team)
    if routing.policy == AssignmentPolicy.SKILLS:
        candidates = skilled(candidates, conversation)
    if not candidates:
        return None
    if routing.policy in (AssignmentPolicy.LEAST_LOADED, AssignmentPolicy.SKILLS):
        load = _open_load(candidates)
        return min(candidates, key=lambda m: (load.get(m.user_id, 0), m.pk))
    after = routing.last_assigned_id or 0
    later = [m for m in candidates if m.pk > after]
    return (later or candidates)[0]


def _score(routing: TeamRouting, conversation: Conversation) -> int | None:
    """How specifically the team matches the conversation; None: it does not take it."""
    score = 0
    for wanted, accepted in (
        (conversation.language, routing.languages),
        (conversation.topic, routing.topics),
    ):
        if not accepted:
            continue
        if wanted not in accepted:
            return None
        score += 1
    return score


def _routing_for(conversation: Conversation) -> tuple[Team, TeamRouting] | None:
    candidates = (
        TeamRouting.objects.filter(
            team__channel_accounts=conversation.channel_account_id,
            team__workspace=conversation.workspace_id,
        )
        .exclude(policy=AssignmentPolicy.MANUAL)
        .select_related("team")
        .order_by("team__name")
    )
    best: tuple[int, TeamRouting] | None = None
    for routing in candidates:
        score = _score(routing, conversation)
        if score is not None and (best is None or score > best[0]):
            best = (score, routing)
    return (best[1].team, best[1]) if best else None


def do_route(conversation_ids: Iterable[int]) -> int:
    """Assign the given unassigned open conversations where a routing team can take them."""
    assigned = 0
    for conversation in Conversation.objects.filter(
        pk__in=list(conversation_ids), assignee__isnull=True, status=ConversationStatus.OPEN
    ).order_by("pk"):
        found = _routing_for(conversation)
        if found is None:
            continue
        team, routing = found
        with transaction.atomic():
            routing = TeamRouting.objects.select_for_update().get(pk=routing.pk)
            member = choose(team, routing, conversation)
            fields: dict[str, object] = {"team": team}
            if member is not None:
                fields["assignee"] = member.user
            updated = Conversation.objects.filter(pk=conversation.pk, assignee__isnull=True).update(
                version=F("version") + 1, updated_at=timezone.now(), **fields
            )
            if not updated or member is None:
                continue
            TeamRouting.objects.filter(pk=routing.pk).update(last_assigned=member)
            Message.objects.create(
                conversation=conversation,
                channel_account_id=conversation.channel_account_id,
                direction=Direction.SYSTEM,
                body=f"Routed to {member.user.get_full_name() or member.user.get_username()} "
                f"({team.name}, {routing.get_policy_display().lower()})",
                is_public=False,
                event="assigned",
                sent_at=timezone.now(),
            )
            emit_on_commit(ConversationsChanged((conversation.pk,), "assignee"))
            assigned += 1
    return assigned


def do_route_to_team(conversation: Conversation, team: Team, *, by: str) -> bool:
    """Move the conversation into ``team``'s queue and, by the team's policy, to a member.

    An assignee who is in the team keeps it. Otherwise the conversation goes to an available
    member (round robin or least loaded) or, with a manual team or nobody available, waits
    unassigned in the team's queue. ``by`` names who decided (an automation rule) in the
    timeline. False when nothing changed.
    """
    if team.workspace_id != conversation.workspace_id:
        raise InvalidInput("No such team in this workspace.", field="team")
    if not team.channel_accounts.filter(pk=conversation.channel_account_id).exists():
        raise InvalidInput(
            f"Team {team.name} is not granted {conversation.channel_account.name}, so its "
            "agents could not see this conversation; grant the team that channel first.",
            field="team",
        )
    keeps = (
        conversation.assignee_id is not None
        and team.members.filter(user_id=conversation.assignee_id).exists()
    )
    if conversation.team_id == team.pk and (keeps or conversation.assignee_id is None):
        return False
    with transaction.atomic():
        member = None
        routing = TeamRouting.objects.select_for_update().filter(team=team).first()
        if not keeps and routing is not None and routing.policy != AssignmentPolicy.MANUAL:
            member = choose(team, routing, conversation)
        fields: dict[str, object] = {"team": team}
        if not keeps:
            fields["assignee"] = member.user if member else None
        Conversation.objects.filter(pk=conversation.pk).update(
            version=F("version") + 1, updated_at=timezone.now(), **fields
        )
        if member is not None and routing is not None:
            TeamRouting.objects.filter(pk=routing.pk).update(last_assigned=member)
        _routed_note(conversation, team, member, by, queued=not keeps and member is None)
        emit_on_commit(ConversationsChanged((conversation.pk,), "team"))
        if not keeps and conversation.assignee_id != (member.user_id if member else None):
            emit_on_commit(ConversationsChanged((conversation.pk,), "assignee"))
    conversation.refresh_from_db()
    return True


def _routed_note(
    conversation: Conversation, team: Team, member: Membership | None, by: str, *, queued: bool
) -> None:
    who = f" ({member.user.get_full_name() or member.user.get_username()})" if member else ""
    text = f"{by} routed this to {team.name}{who}"
    Message.objects.create(
        conversation=conversation,
        channel_account_id=conversation.channel_account_id,
        direction=Direction.SYSTEM,
        author_name=by[:200],
        body=text + (", waiting in the team's queue" if queued else ""),
        is_public=False,
        event="assigned",
        sent_at=timezone.now(),
    )


def do_set_availability(
    membership: Membership, availability: str, capacity: int | None = None
) -> int:
    """Set a member's availability; going offline hands their open conversations back.

    Returns how many conversations were handed back and routed again.
    """
    if availability not in Availability.values:
        raise ValueError(f"availability must be one of {', '.join(Availability.values)}")
    defaults: dict[str, object] = {"availability": availability, "changed_at": timezone.now()}
    if capacity is not None:
        defaults["capacity"] = capacity
    AgentState.objects.update_or_create(membership=membership, defaults=defaults)
    if availability != Availability.OFFLINE:
        return 0
    held = list(
        Conversation.objects.filter(
            workspace=membership.workspace_id,
            assignee_id=membership.user_id,
            status=ConversationStatus.OPEN,
        ).values_list("pk", flat=True)
    )
    Conversation.objects.filter(pk__in=held).update(
        assignee=None, version=F("version") + 1, updated_at=timezone.now()
    )
    if held:
        emit_on_commit(ConversationsChanged(tuple(held), "assignee"))
    do_route(held)
    return len(held)
