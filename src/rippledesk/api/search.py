"""Full-text search over the messages and customers the caller may see, newest first."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params.functions import Query

from rippledesk.api.auth import seat
from rippledesk.api.customers import CustomerOut, customer_out
from rippledesk.api.errors import ErrorOut
from rippledesk.api.pagination import CursorParam, Limit, decode_cursor, encode_cursor
from rippledesk.api.schemas import (
    ChannelOut,
    CustomerRef,
    MessageOut,
    channel_out,
    customer_ref,
    message_out,
)
from rippledesk.conversations.models import Message
from rippledesk.conversations.search.queries import search_customer_ids, search_message_ids
from rippledesk.conversations.search.query import parse
from rippledesk.core.errors import InvalidInput
from rippledesk.customers.models import Customer

router = Router(tags=["search"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CUSTOMERS_SHOWN = 10


class ConversationRef(Schema):
    number: int
    status: str
    channel: ChannelOut


class SearchHit(Schema):
    message: MessageOut
    conversation: ConversationRef
    customer: CustomerRef


class SearchPage(Schema):
    items: list[SearchHit]
    next_cursor: str | None
    customers: list[CustomerOut]


@router.get("/w/{workspace}/search", response={200: SearchPage, **ERRORS})
def search(
    request: HttpRequest,
    workspace: str,
    q: Annotated[
        str, Query(..., max_length=1000, description='words; "a phrase"; the last word is a prefix')
    ],
    cursor: CursorParam,
    limit: Limit,
) -> SearchPage:
    """Messages (customer, agent and notes) matching every term; on the first page also the
    customers whose name or handle matches."""
    desk = seat(request, workspace)
    terms = parse(q)
    if not terms:
        raise InvalidInput("Search for at least one word.", field="q")
    after = decode_cursor(cursor, (int,))
    ids = search_message_ids(desk, terms, limit=limit + 1, before_id=after[0] if after else None)
    page_ids = ids[:limit]
    by_id = Message.objects.select_related(
        "author_user", "conversation__channel_account", "conversation__customer"
    ).in_bulk(page_ids)
    hits = []
    for pk in page_ids:
        m = by_id.get(pk)
        if m is None:
            continue
        c = m.conversation
        hits.append(
            SearchHit(
                message=message_out(m),
                conversation=ConversationRef(
                    number=c.number, status=c.status, channel=channel_out(c.channel_account)
                ),
                customer=customer_ref(c.customer),
            )
        )
    customers: list[CustomerOut] = []
    if after is None:
        found = search_customer_ids(desk, terms, limit=CUSTOMERS_SHOWN)
        rows = Customer.objects.in_bulk(found)
        customers = [customer_out(rows[i]) for i in found if i in rows]
    more = len(ids) > limit and page_ids
    return SearchPage(
        items=hits,
        next_cursor=encode_cursor([page_ids[-1]]) if more else None,
        customers=customers,
    )
