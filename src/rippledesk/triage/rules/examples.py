"""The four example rules of the triage issue, as the demo desk gets them.

1. A negative message from an author with more than 10,000 followers: urgent, and the
   managers are told.
2. Praise: the agent is offered a thank-you reply in the composer.
3. A churn threat: routed to the retention team.
4. Outside business hours: an acknowledgement goes out in the customer's channel, at most
   once per conversation in 12 hours.
"""

from __future__ import annotations

from rippledesk.channels.models import ChannelAccount
from rippledesk.triage.rules.actions import RuleInput, do_create_rule
from rippledesk.triage.rules.models import Rule
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.actions import do_save_team
from rippledesk.workspaces.models import Team

RETENTION = "Retention"
LOUD = "Loud and unhappy: urgent, tell the managers"
PRAISE = "Praise: suggest a thank-you"
CHURN = "Churn threat: to the retention team"
AFTER_HOURS = "After hours: acknowledge in the channel"
ACK_QUIET_MINUTES = 12 * 60


def example_rules(retention: Team) -> list[RuleInput]:
    return [
        RuleInput(
            name=LOUD,
            trigger="message_received",
            conditions=[
                {"field": "sentiment", "op": "is", "value": "negative"},
                {"field": "audience", "op": "gt", "value": 10_000},
            ],
            actions=[
                {"type": "set_priority", "priority": "urgent"},
                {
                    "type": "notify",
                    "to": "managers",
                    "text": "{{customer.name}} is unhappy in front of a large audience on "
                    "{{channel.name}} (conversation #{{conversation.number}}).",
                },
            ],
        ),
        RuleInput(
            name=PRAISE,
            trigger="message_received",
            conditions=[{"field": "intent", "op": "is", "value": "praise"}],
            actions=[
                {
                    "type": "suggest_reply",
                    "text": "Thank you so much, {{customer.first_name}}! We'll pass your kind "
                    "words on to the team. - {{agent.first_name}}",
                }
            ],
        ),
        RuleInput(
            name=CHURN,
            trigger="message_received",
            conditions=[{"field": "intent", "op": "is", "value": "churn_threat"}],
            actions=[{"type": "route_to_team", "team_id": retention.pk}],
        ),
        RuleInput(
            name=AFTER_HOURS,
            trigger="message_received",
            conditions=[{"field": "business_hours", "op": "is", "value": "closed"}],
            actions=[
                {
                    "type": "auto_reply",
                    "text": "Thanks for writing, {{customer.first_name}}! We're closed right "
                    "now; a person will answer as soon as we open.",
                }
            ],
            cooldown_minutes=ACK_QUIET_MINUTES,
        ),
    ]


def do_seed_example_rules(seat: Seat) -> list[Rule]:
    """The Retention team (granted every channel account) and the four rules, once: a
    workspace that has rules already gets nothing, so edits made in the UI are kept."""
    if Rule.objects.filter(workspace=seat.workspace).exists():
        return []
    retention = do_save_team(
        seat.workspace,
        RETENTION,
        channel_account_ids=ChannelAccount.objects.filter(workspace=seat.workspace).values_list(
            "pk", flat=True
        ),
    )
    return [do_create_rule(seat, data) for data in example_rules(retention)]
