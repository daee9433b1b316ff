"""Writes of listening: adding sources, and turning a mention into a conversation."""

from __future__ import annotations

from django.db import transaction

from rippledesk.channels.models import ChannelAccount, ChannelKind
from rippledesk.conversations.bulk import BulkWriter
from rippledesk.conversations.models import Conversation, ConversationKind
from rippledesk.conversations.records import MessageRecord
from rippledesk.core.errors import Conflict, InvalidInput, PermissionDenied
from rippledesk.listening.models import ListeningSource, Mention, MentionStatus, SourceKind
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Team


def do_add_source(
    seat: Seat,
    *,
    kind: str,
    name: str,
    url: str = "",
    query: str = "",
    keywords: str = "",
    config: dict[str, str] | None = None,
    every_minutes: int = 15,
) -> ListeningSource:
    if not seat.can_manage:
        raise PermissionDenied("Managers and admins choose where the desk listens.", field="role")
    if kind not in SourceKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(SourceKind.values)}", field="kind")
    if not name.strip():
        raise InvalidInput("Name the source.", field="name")
    if kind == SourceKind.FEED and not url.startswith(("https://", "http://")):
        raise InvalidInput("A feed needs its http(s) address.", field="url")
    if kind == SourceKind.X_SEARCH and not query.strip():
        raise InvalidInput("An X search needs a query, e.g. acme -from:acme.", field="query")
    if not 1 <= every_minutes <= 1440:
        raise InvalidInput("Poll every 1 to 1,440 minutes.", field="every_minutes")
    return ListeningSource.objects.create(
        workspace=seat.workspace,
        kind=kind,
        name=name.strip()[:120],
        url=url.strip(),
        query=query.strip(),
        keywords=keywords.strip(),
        config=config or {},
        every_minutes=every_minutes,
    )


def do_dismiss(seat: Seat, mention: Mention) -> None:
    Mention.objects.filter(pk=mention.pk, status=MentionStatus.NEW).update(
        status=MentionStatus.DISMISSED
    )


def do_convert(seat: Seat, mention: Mention) -> Conversation:
    """Open a conversation from a mention, so the desk works it like any other."""
    if mention.status == MentionStatus.CONVERTED and mention.conversation_id:
        raise Conflict("This mention is already a conversation.", field="mention")
    source = mention.source
    kind = ChannelKind.X if source.kind == SourceKind.X_SEARCH else ChannelKind.OTHER
    name = f"Listening: {source.name}"[:200]
    with transaction.atomic():
        account, _ = ChannelAccount.objects.get_or_create(
            workspace=seat.workspace, kind=kind, name=name
        )
        author = mention.author or "someone"
        record = MessageRecord(
            line=0,
            channel=name,
            conversation_key=f"mention:{mention.pk}",
            customer_id=author,
            customer_name=author,
            inbound=True,
            author_id=author,
            author_name=author,
            body="\n\n".join(p for p in (mention.title, mention.body, mention.url) if p),
            external_id=f"mention:{source.pk}:{mention.external_id}"[:255],
            in_reply_to="",
            sent_at=mention.published_at,
            is_public=True,
        )
        BulkWriter(seat.workspace, kind, ConversationKind.PUBLIC_THREAD).write([record])
        conversation = Conversation.objects.get(
            channel_account=account, external_id=f"mention:{mention.pk}"
        )
        if mention.audience is not None:
            conversation.customer.identities.filter(channel_account=account).update(
                audience_size=mention.audience
            )
        Mention.objects.filter(pk=mention.pk).update(
            status=MentionStatus.CONVERTED, conversation=conversation
        )
        if seat.channel_ids is not None:
            # An agent who takes a mention keeps it: their teams reach the listening account
            # from now on, and the conversation is theirs.
            for team in Team.objects.filter(workspace=seat.workspace, members__user=seat.user):
                team.channel_accounts.add(account)
            Conversation.objects.filter(pk=conversation.pk).update(assignee=seat.user)
    return conversation
