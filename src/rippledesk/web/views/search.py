"""Search over every message and customer the seat can see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rippledesk.conversations.models import Message
from rippledesk.conversations.search.queries import search_customer_ids, search_message_ids
from rippledesk.conversations.search.query import highlight_words, parse
from rippledesk.customers.models import Customer
from rippledesk.web.views.frame import frame, seat_for

RESULTS = 30


@login_required
@require_GET
def search(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    text = request.GET.get("q", "")[:500]
    terms = parse(text)
    before_raw = request.GET.get("before", "")
    before = int(before_raw) if before_raw.isdigit() else None
    message_ids = search_message_ids(seat, terms, limit=RESULTS + 1, before_id=before)
    more = len(message_ids) > RESULTS
    message_ids = message_ids[:RESULTS]
    by_id = Message.objects.select_related(
        "conversation", "conversation__customer", "conversation__channel_account"
    ).in_bulk(message_ids)
    hits = [by_id[pk] for pk in message_ids if pk in by_id]
    customers: list[Customer] = []
    if before is None:
        ids = search_customer_ids(seat, terms, limit=8)
        found = Customer.objects.prefetch_related("identities__channel_account").in_bulk(ids)
        customers = [found[pk] for pk in ids if pk in found]
    context = {
        **frame(request, seat, section="search"),
        "q": text,
        "searched": bool(terms),
        "hits": hits,
        "customers": customers,
        "marks": highlight_words(terms),
        "older_before": hits[-1].pk if more and hits else None,
    }
    return render(request, "web/search.html", context)
