"""What the API sends and accepts. Output is built explicitly from model rows (``*_out``), so
a renamed column cannot silently change the public shape."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.channels.capabilities import reply_rules
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.actions import display_name
from rippledesk.conversations.models import Conversation, Message
from rippledesk.customers.models import Customer
from rippledesk.workspaces.models import Team, User


class ChannelOut(Schema):
    id: int
    kind: str
    name: str


class UserOut(Schema):
    username: str
    name: str


class TeamOut(Schema):
    id: int
    name: str


class CustomerRef(Schema):
    id: int
    display_name: str


class Labels(Schema):
    """Labels of the conversation's latest analysed customer message ("" until analysed)."""

    sentiment: str
    intent: str
    topic: str
    language: str


class ReplyRulesOut(Schema):
    public: bool
    private: bool
    public_max: int
    private_max: int


class ConversationOut(Schema):
    number: int
    kind: str
    status: str
    priority: str
    ripple_risk: float
    version: int
    channel: ChannelOut
    customer: CustomerRef
    assignee: UserOut | None
    team: TeamOut | None
    labels: Labels
    message_count: int
    waiting_since: datetime | None
    first_response_at: datetime | None
    last_activity_at: datetime | None
    resolved_at: datetime | None
    snoozed_until: datetime | None
    created_at: datetime


class ConversationListItem(ConversationOut):
    snippet: str


class ConversationDetail(ConversationOut):
    reply_rules: ReplyRulesOut


class AnalysisOut(Schema):
    model_name: str
    model_version: str
    sentiment: str
    emotion: str
    intent: str
    topic: str
    urgency: str
    language: str
    ripple_risk: float
    priority: str
    pii: list[str]


class MessageOut(Schema):
    id: int
    direction: str
    event: str
    author_name: str
    author_username: str | None
    body: str
    is_public: bool
    delivery_status: str
    sent_at: datetime
    external_id: str | None
    analysis: AnalysisOut | None = None


def channel_out(channel: ChannelAccount) -> ChannelOut:
    return ChannelOut(id=channel.pk, kind=channel.kind, name=channel.name)


def user_out(user: User | None) -> UserOut | None:
    if user is None:
        return None
    return UserOut(username=user.get_username(), name=display_name(user))


def team_out(team: Team | None) -> TeamOut | None:
    return TeamOut(id=team.pk, name=team.name) if team is not None else None


def customer_ref(customer: Customer) -> CustomerRef:
    return CustomerRef(id=customer.pk, display_name=customer.display_name)


def _conversation_fields(c: Conversation) -> dict[str, object]:
    return {
        "number": c.number,
        "kind": c.kind,
        "status": c.status,
        "priority": c.priority,
        "ripple_risk": c.ripple_risk,
        "version": c.version,
        "channel": channel_out(c.channel_account),
        "customer": customer_ref(c.customer),
        "assignee": user_out(c.assignee),
        "team": team_out(c.team),
        "labels": Labels(
            sentiment=c.sentiment, intent=c.intent, topic=c.topic, language=c.language
        ),
        "message_count": c.message_count,
        "waiting_since": c.waiting_since,
        "first_response_at": c.first_response_at,
        "last_activity_at": c.last_activity_at,
        "resolved_at": c.resolved_at,
        "snoozed_until": c.snoozed_until,
        "created_at": c.created_at,
    }


def conversation_item(c: Conversation) -> ConversationListItem:
    snippet = getattr(c, "snippet", None) or ""
    return ConversationListItem.model_validate({**_conversation_fields(c), "snippet": snippet})


def conversation_detail(c: Conversation) -> ConversationDetail:
    rules = reply_rules(c.channel_account.kind)
    return ConversationDetail.model_validate(
        {
            **_conversation_fields(c),
            "reply_rules": ReplyRulesOut(
                public=rules.public,
                private=rules.private,
                public_max=rules.public_max,
                private_max=rules.private_max,
            ),
        }
    )


def _pii_kinds(raw: object) -> list[str]:
    """PII found, by kind only: the matched text itself never leaves the server."""
    kinds: list[str] = []
    for item in raw if isinstance(raw, list) else []:
        kind = item.get("kind") if isinstance(item, dict) else item
        if isinstance(kind, str) and kind not in kinds:
            kinds.append(kind)
    return kinds


def analysis_out(a: MessageAnalysis | None) -> AnalysisOut | None:
    if a is None:
        return None
    return AnalysisOut(
        model_name=a.model_name,
        model_version=a.model_version,
        sentiment=a.sentiment,
        emotion=a.emotion,
        intent=a.intent,
        topic=a.topic,
        urgency=a.urgency,
        language=a.language,
        ripple_risk=a.ripple_risk,
        priority=a.priority,
        pii=_pii_kinds(a.pii),
    )


def message_out(m: Message, analysis: MessageAnalysis | None = None) -> MessageOut:
    author = m.author_user
    return MessageOut(
        id=m.pk,
        direction=m.direction,
        event=m.event,
        author_name=m.author_name,
        author_username=author.get_username() if author is not None else None,
        body=m.body,
        is_public=m.is_public,
        delivery_status=m.delivery_status,
        sent_at=m.sent_at,
        external_id=m.external_id,
        analysis=analysis_out(analysis),
    )
