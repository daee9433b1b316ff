"""Which conversations and customers a seat may see (the ``access_*`` helpers of this domain).

Every read of the desk, web or API, starts here, so a rule changed here holds everywhere.
"""

from __future__ import annotations

from django.db.models import QuerySet

from rippledesk.conversations.models import Conversation
from rippledesk.core.errors import NotFound
from rippledesk.customers.models import Customer
from rippledesk.workspaces.access import Seat


def visible_conversations(seat: Seat) -> QuerySet[Conversation]:
    rows = Conversation.objects.filter(workspace=seat.workspace)
    if seat.channel_ids is not None:
        rows = rows.filter(channel_account_id__in=sorted(seat.channel_ids))
    return rows


def access_conversation(seat: Seat, number: int) -> Conversation:
    """Conversation ``#number`` of the seat's workspace, if the seat reaches its channel."""
    conversation = (
        visible_conversations(seat)
        .select_related("channel_account", "customer", "assignee", "team")
        .filter(number=number)
        .first()
    )
    if conversation is None:
        raise NotFound(f"No conversation #{number}", field="number")
    return conversation


def visible_customers(seat: Seat) -> QuerySet[Customer]:
    """Customers of the workspace; for an agent, those with an identity on a channel they reach."""
    rows = Customer.objects.filter(workspace=seat.workspace)
    if seat.channel_ids is not None:
        rows = rows.filter(identities__channel_account_id__in=sorted(seat.channel_ids)).distinct()
    return rows


def access_customer(seat: Seat, customer_id: int) -> Customer:
    customer = visible_customers(seat).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer {customer_id}", field="customer")
    return customer
