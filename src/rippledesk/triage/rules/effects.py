"""What each action of a rule does to a conversation, through the desk's action functions.

Each returns one line for the run log saying what happened ("set the priority to urgent",
"priority already urgent"), raises ``InvalidInput`` when the desk refuses the change (an
automatic reply outside the channel's reply window), and ``MissingReference`` when what the
rule names is gone (the engine then switches the rule off).
"""

from __future__ import annotations

from django.utils import timezone

from rippledesk.conversations.actions import display_name
from rippledesk.conversations.canned import render
from rippledesk.conversations.desk_actions import (
    do_desk_assign,
    do_desk_note,
    do_desk_reply,
    do_desk_set_priority,
    do_desk_set_status,
)
from rippledesk.conversations.models import Conversation
from rippledesk.triage.routing import do_route_to_team
from rippledesk.triage.rules.models import Rule, RuleSuggestion
from rippledesk.triage.rules.notify import do_notify, managers
from rippledesk.triage.rules.spec import (
    AddNote,
    AssignAgent,
    AutoReply,
    Notify,
    RouteToTeam,
    SetPriority,
    SetStatus,
    SuggestReply,
    _Action,
)
from rippledesk.workspaces.models import Membership, Team, User


class MissingReference(Exception):
    """A team or person the rule names no longer exists in the workspace."""


def do_suggest_reply(conversation: Conversation, rule: Rule, body: str) -> None:
    """Offer ``body`` (variables kept, filled for the reader) in the conversation's composer."""
    RuleSuggestion.objects.update_or_create(
        conversation=conversation,
        rule=rule,
        defaults={"rule_name": rule.name, "body": body, "created_at": timezone.now()},
    )


def _team(conversation: Conversation, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id, workspace=conversation.workspace_id).first()
    if team is None:
        raise MissingReference(f"the team (id {team_id}) it routes to no longer exists")
    return team


def _member(conversation: Conversation, user_id: int) -> User:
    member = (
        Membership.objects.filter(user_id=user_id, workspace=conversation.workspace_id)
        .select_related("user")
        .first()
    )
    if member is None:
        raise MissingReference(f"the person (id {user_id}) it names is no longer a member")
    return member.user


def _notify(action: Notify, conversation: Conversation, by: str) -> str:
    if action.to == "managers":
        users = managers(conversation.workspace)
    elif action.to == "assignee":
        users = [conversation.assignee] if conversation.assignee else []
    else:
        assert action.user_id is not None  # the spec requires it for to="user"
        users = [_member(conversation, action.user_id)]
    if not users:
        return f"nobody to notify ({action.to}: none)"
    text = render(action.text, conversation, None)
    do_notify(conversation.workspace, users, text, source=by, conversation=conversation)
    return "notified " + ", ".join(display_name(u) for u in users)


def perform(action: _Action, rule: Rule, conversation: Conversation, by: str) -> str:
    """Do one action; the line for the run log."""
    if isinstance(action, SetPriority):
        if do_desk_set_priority(conversation, action.priority, by=by):
            return f"set the priority to {action.priority}"
        return f"priority already {action.priority}"
    if isinstance(action, SetStatus):
        if do_desk_set_status(conversation, action.status, by=by):
            return f"set the status to {action.status}"
        return f"status already {action.status}"
    if isinstance(action, RouteToTeam):
        team = _team(conversation, action.team_id)
        if do_route_to_team(conversation, team, by=by):
            who = conversation.assignee
            return f"routed to {team.name}" + (f" ({display_name(who)})" if who else " (queue)")
        return f"already with {team.name}"
    if isinstance(action, AssignAgent):
        user = _member(conversation, action.user_id)
        if do_desk_assign(conversation, user, by=by):
            return f"assigned to {display_name(user)}"
        return f"already assigned to {display_name(user)}"
    if isinstance(action, AddNote):
        do_desk_note(conversation, render(action.text, conversation, None), by=by)
        return "added an internal note"
    if isinstance(action, Notify):
        return _notify(action, conversation, by)
    if isinstance(action, SuggestReply):
        do_suggest_reply(conversation, rule, action.text)
        return "suggested a reply"
    if isinstance(action, AutoReply):
        message = do_desk_reply(conversation, render(action.text, conversation, None))
        where = "public" if message.is_public else "private"
        return f"queued an automatic {where} reply"
    raise TypeError(f"no effect for action {type(action).__name__}")
