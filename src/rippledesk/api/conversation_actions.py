"""Changing a conversation: reply, note, assign, status, presence.

Each endpoint resolves the conversation through ``access_conversation`` (404 outside the
caller's reach) and hands over to the matching ``do_*`` action, which validates and writes;
refusals arrive here as :mod:`core.errors` and leave as the API's error body. Assignment and
status take the ``version`` the caller last read and answer 409 if someone changed the
conversation since.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, field_validator

from rippledesk.api.auth import seat
from rippledesk.api.errors import ErrorOut, InputSchema
from rippledesk.api.pagination import ID_MAX, Id
from rippledesk.api.schemas import ConversationDetail, MessageOut, conversation_detail, message_out
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_add_note, do_assign, do_reply, do_set_status
from rippledesk.conversations.presence import do_touch_viewer, other_viewers
from rippledesk.core.errors import InvalidInput
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.models import Team, User

router = Router(tags=["conversation actions"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# Channel limits are checked by the reply action; this only bounds what is parsed at all.
BODY_MAX = 100_000


class ReplyIn(InputSchema):
    body: str = Field(..., max_length=BODY_MAX)
    public: bool | None = Field(
        None, description="Reply in public; default: as the conversation is (a public thread)."
    )
    resolve: bool = Field(False, description="Resolve the conversation with this reply.")


class NoteIn(InputSchema):
    body: str = Field(..., max_length=BODY_MAX)


class AssignmentIn(InputSchema):
    assignee: str | None = Field(..., description="Username to assign to; null unassigns.")
    team: int | None = Field(
        None, ge=1, le=ID_MAX, description="Team id; null clears it; omit to keep the team."
    )
    version: int = Field(
        ..., ge=0, le=ID_MAX, description="The conversation's version as last read."
    )


class StatusIn(InputSchema):
    status: Literal["open", "pending", "snoozed", "resolved"]
    version: int = Field(
        ..., ge=0, le=ID_MAX, description="The conversation's version as last read."
    )
    snooze_until: AwareDatetime | None = Field(
        None, strict=False, description="Required with status snoozed; with a UTC offset."
    )

    @field_validator("snooze_until", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValueError("give an ISO 8601 date-time such as 2026-11-25T17:00:00Z")
        return value


class PresenceIn(InputSchema):
    composing: bool = False


class ViewerOut(Schema):
    name: str
    composing: bool


class PresenceOut(Schema):
    viewers: list[ViewerOut]


PATH = "/w/{workspace}/conversations/{number}"


@router.post(PATH + "/replies", response={201: MessageOut, **ERRORS})
def reply(request: HttpRequest, workspace: str, number: Id, payload: ReplyIn) -> Status[MessageOut]:
    """Answer the customer in the conversation's channel.

    The reply is stored as ``queued`` and handed to the channel once stored; the answer shows
    its delivery status at that moment (``sent`` once the channel accepted it).
    """
    desk = seat(request, workspace)
    conversation = access_conversation(desk, number)
    message = do_reply(
        desk, conversation, payload.body, public=payload.public, resolve=payload.resolve
    )
    message.refresh_from_db()
    return Status(201, message_out(message))


@router.post(PATH + "/notes", response={201: MessageOut, **ERRORS})
def add_note(
    request: HttpRequest, workspace: str, number: Id, payload: NoteIn
) -> Status[MessageOut]:
    """An internal note for colleagues; never sent to the customer."""
    desk = seat(request, workspace)
    conversation = access_conversation(desk, number)
    return Status(201, message_out(do_add_note(desk, conversation, payload.body)))


@router.post(PATH + "/assignment", response={200: ConversationDetail, **ERRORS})
def assign(
    request: HttpRequest, workspace: str, number: Id, payload: AssignmentIn
) -> ConversationDetail:
    """Assign to a member (or unassign) and optionally set the team."""
    desk = seat(request, workspace)
    conversation = access_conversation(desk, number)
    assignee: User | None = None
    if payload.assignee is not None:
        assignee = User.objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None or seat_in(assignee, desk.workspace) is None:
            raise InvalidInput(
                f"No member named {payload.assignee[:60]!r} in this workspace.", field="assignee"
            )
    change_team = "team" in payload.model_fields_set
    team: Team | None = None
    if change_team and payload.team is not None:
        team = Team.objects.filter(workspace=desk.workspace, pk=payload.team).first()
        if team is None:
            raise InvalidInput(f"No team {payload.team} in this workspace.", field="team")
    do_assign(
        desk,
        conversation,
        assignee=assignee,
        expected_version=payload.version,
        team=team,
        change_team=change_team,
    )
    return conversation_detail(access_conversation(desk, number))


@router.post(PATH + "/status", response={200: ConversationDetail, **ERRORS})
def set_status(
    request: HttpRequest, workspace: str, number: Id, payload: StatusIn
) -> ConversationDetail:
    """Open, pend, snooze (with ``snooze_until``) or resolve."""
    desk = seat(request, workspace)
    conversation = access_conversation(desk, number)
    do_set_status(
        desk,
        conversation,
        payload.status,
        expected_version=payload.version,
        snooze_until=payload.snooze_until,
    )
    return conversation_detail(access_conversation(desk, number))


@router.post(PATH + "/presence", response={200: PresenceOut, **ERRORS})
def presence(request: HttpRequest, workspace: str, number: Id, payload: PresenceIn) -> PresenceOut:
    """Heartbeat: "I have this open" (and whether I am typing); answers who else has."""
    desk = seat(request, workspace)
    conversation = access_conversation(desk, number)
    do_touch_viewer(desk, conversation, composing=payload.composing)
    viewers = other_viewers(desk, conversation)
    return PresenceOut(viewers=[ViewerOut(name=v.name, composing=v.composing) for v in viewers])
