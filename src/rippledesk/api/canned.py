"""Canned responses of a workspace: everyone lists them; managers and admins add them."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rippledesk.api.auth import seat
from rippledesk.api.errors import ErrorOut, InputSchema
from rippledesk.api.pagination import CursorParam, Limit, keyset
from rippledesk.conversations.canned import do_create_canned
from rippledesk.conversations.models import CannedResponse

router = Router(tags=["canned responses"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CannedOut(Schema):
    id: int
    shortcut: str
    title: str
    body: str


class CannedIn(InputSchema):
    shortcut: str = Field(..., max_length=40, description="letters, digits, - and _")
    title: str = Field(..., max_length=120)
    body: str = Field(..., max_length=10_000)


class CannedPage(Schema):
    items: list[CannedOut]
    next_cursor: str | None


def canned_out(c: CannedResponse) -> CannedOut:
    return CannedOut(id=c.pk, shortcut=c.shortcut, title=c.title, body=c.body)


@router.get("/w/{workspace}/canned-responses", response={200: CannedPage, **ERRORS})
def list_canned(
    request: HttpRequest, workspace: str, cursor: CursorParam, limit: Limit
) -> CannedPage:
    """By shortcut, as written (variables not filled in; see the conversation's canned route)."""
    desk = seat(request, workspace)
    rows = CannedResponse.objects.filter(workspace=desk.workspace)
    page, next_cursor = keyset(rows, (("shortcut", False),), (str,), cursor, limit)
    return CannedPage(items=[canned_out(c) for c in page], next_cursor=next_cursor)


@router.post("/w/{workspace}/canned-responses", response={201: CannedOut, **ERRORS})
def create_canned(request: HttpRequest, workspace: str, payload: CannedIn) -> Status[CannedOut]:
    """Managers and admins only; unknown ``{{variables}}`` are refused, naming them."""
    desk = seat(request, workspace)
    canned = do_create_canned(desk, payload.shortcut, payload.title, payload.body)
    return Status(201, canned_out(canned))
