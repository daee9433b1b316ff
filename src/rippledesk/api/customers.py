"""Customers the caller may see: a paged list (optionally searched) and one customer's profile.

An agent sees a customer through the channels they reach, and sees only those identities and
conversations: the profile never reveals that the customer also writes on another channel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.db.models import F
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params.functions import Query

from rippledesk.api.auth import seat
from rippledesk.api.errors import ErrorOut
from rippledesk.api.pagination import CursorParam, Id, Limit, id_page, keyset
from rippledesk.api.schemas import (
    ChannelOut,
    ConversationListItem,
    channel_out,
    conversation_item,
)
from rippledesk.conversations.access import (
    access_customer,
    visible_conversations,
    visible_customers,
)
from rippledesk.conversations.inbox import with_list_details
from rippledesk.conversations.search.queries import search_customer_ids
from rippledesk.conversations.search.query import parse
from rippledesk.customers.models import Customer, Identity
from rippledesk.workspaces.access import Seat

router = Router(tags=["customers"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
SEARCH_WINDOW = 1_000
CONVERSATIONS_SHOWN = 50


class CustomerOut(Schema):
    id: int
    display_name: str
    created_at: datetime


class IdentityOut(Schema):
    channel: ChannelOut
    external_id: str
    handle: str
    display_name: str
    audience_size: int | None


class CustomerDetail(CustomerOut):
    email: str
    notes: str
    audience: int | None
    identities: list[IdentityOut]
    conversations: list[ConversationListItem]
    conversation_count: int


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.pk, display_name=customer.display_name, created_at=customer.created_at
    )


def visible_identities(desk: Seat, customer: Customer) -> list[Identity]:
    rows = customer.identities.select_related("channel_account")
    if desk.channel_ids is not None:
        rows = rows.filter(channel_account_id__in=sorted(desk.channel_ids))
    return list(rows.order_by("channel_account__kind", "channel_account__name", "handle"))


@router.get("/w/{workspace}/customers", response={200: CustomerPage, **ERRORS})
def list_customers(
    request: HttpRequest,
    workspace: str,
    q: Annotated[str | None, Query(None, max_length=200, description="name or handle words")],
    cursor: CursorParam,
    limit: Limit,
) -> CustomerPage:
    """Customers newest first; with ``q``, those whose name or a handle matches."""
    desk = seat(request, workspace)
    if q and q.strip():
        found = search_customer_ids(desk, parse(q), limit=SEARCH_WINDOW)
        ids, next_cursor = id_page(found, cursor, limit)
        by_id = visible_customers(desk).in_bulk(ids)
        customers = [by_id[i] for i in ids if i in by_id]
    else:
        customers, next_cursor = keyset(
            visible_customers(desk), (("id", True),), (int,), cursor, limit
        )
    return CustomerPage(items=[customer_out(c) for c in customers], next_cursor=next_cursor)


@router.get("/w/{workspace}/customers/{customer_id}", response={200: CustomerDetail, **ERRORS})
def get_customer(request: HttpRequest, workspace: str, customer_id: Id) -> CustomerDetail:
    """A customer's identities, audience and latest conversations, as far as the caller sees."""
    desk = seat(request, workspace)
    customer = access_customer(desk, customer_id)
    identities = visible_identities(desk, customer)
    sizes = [i.audience_size for i in identities if i.audience_size is not None]
    conversations = visible_conversations(desk).filter(customer=customer)
    latest = with_list_details(
        conversations.order_by(F("last_activity_at").desc(nulls_last=True), "-id")
    )[:CONVERSATIONS_SHOWN]
    return CustomerDetail(
        id=customer.pk,
        display_name=customer.display_name,
        created_at=customer.created_at,
        email=customer.email,
        notes=customer.notes,
        audience=sum(sizes) if sizes else None,
        identities=[
            IdentityOut(
                channel=channel_out(i.channel_account),
                external_id=i.external_id,
                handle=i.handle,
                display_name=i.display_name,
                audience_size=i.audience_size,
            )
            for i in identities
        ],
        conversations=[conversation_item(c) for c in latest],
        conversation_count=conversations.count(),
    )
