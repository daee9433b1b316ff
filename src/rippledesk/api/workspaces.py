"""The caller, their workspaces and their API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rippledesk.api.auth import caller
from rippledesk.api.errors import ErrorOut, InputSchema
from rippledesk.api.pagination import CursorParam, Id, Limit, keyset
from rippledesk.conversations.actions import display_name
from rippledesk.workspaces.access import seat_in, visible_workspaces
from rippledesk.workspaces.models import ApiToken, User, Workspace
from rippledesk.workspaces.tokens import do_create_token, do_revoke_token

router = Router(tags=["me"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ME_WORKSPACES = 100


class WorkspaceOut(Schema):
    slug: str
    name: str
    time_zone: str
    role: str


class WorkspacePage(Schema):
    items: list[WorkspaceOut]
    next_cursor: str | None


class MeOut(Schema):
    username: str
    name: str
    email: str
    workspaces: list[WorkspaceOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    secret: str = Field(..., description="Shown once: store it now.")


class TokenIn(InputSchema):
    name: str = Field(..., max_length=120)


class TokenPage(Schema):
    items: list[TokenOut]
    next_cursor: str | None


def workspace_out(user: User, workspace: Workspace) -> WorkspaceOut:
    desk = seat_in(user, workspace)
    return WorkspaceOut(
        slug=workspace.slug,
        name=workspace.name,
        time_zone=workspace.time_zone,
        role=desk.role if desk else "",
    )


def token_out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.pk,
        name=t.name,
        prefix=t.prefix,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        revoked_at=t.revoked_at,
    )


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> MeOut:
    """Who the credentials belong to, and their first workspaces with their role in each."""
    user = caller(request)
    spaces = visible_workspaces(user)[:ME_WORKSPACES]
    return MeOut(
        username=user.get_username(),
        name=display_name(user),
        email=user.email,
        workspaces=[workspace_out(user, w) for w in spaces],
    )


@router.get("/workspaces", response={200: WorkspacePage, **ERRORS})
def list_workspaces(request: HttpRequest, cursor: CursorParam, limit: Limit) -> WorkspacePage:
    user = caller(request)
    page, next_cursor = keyset(
        visible_workspaces(user), (("name", False), ("id", False)), (str, int), cursor, limit
    )
    return WorkspacePage(items=[workspace_out(user, w) for w in page], next_cursor=next_cursor)


@router.get("/tokens", response={200: TokenPage, **ERRORS}, tags=["tokens"])
def list_tokens(request: HttpRequest, cursor: CursorParam, limit: Limit) -> TokenPage:
    """The caller's own tokens (never their secrets), newest first."""
    rows = ApiToken.objects.filter(user=caller(request))
    page, next_cursor = keyset(rows, (("id", True),), (int,), cursor, limit)
    return TokenPage(items=[token_out(t) for t in page], next_cursor=next_cursor)


@router.post("/tokens", response={201: NewTokenOut, **ERRORS}, tags=["tokens"])
def create_token(request: HttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    """A new token acting as the caller; its secret is in this answer only."""
    token, secret = do_create_token(caller(request), payload.name)
    return Status(201, NewTokenOut(**token_out(token).model_dump(), secret=secret))


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS}, tags=["tokens"])
def revoke_token(request: HttpRequest, token_id: Id) -> TokenOut:
    return token_out(do_revoke_token(caller(request), token_id))
