"""Conversations and the messages in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rippledesk.channels.models import ChannelAccount
from rippledesk.core.models import TimeStampedModel
from rippledesk.customers.models import Customer, Identity
from rippledesk.workspaces.models import Team, Workspace


class ConversationKind(models.TextChoices):
    DM = "dm", "Direct message"
    PUBLIC_THREAD = "public_thread", "Public thread"
    REVIEW = "review", "Review"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    SMS = "sms", "SMS"


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Conversation(TimeStampedModel):
    """A thread between one customer and one channel account of the business.

    The timing columns are denormalised from the messages (see ``actions.refresh_timings``)
    so inbox lists and response-time reports never aggregate millions of messages per request.
    """

    # No single-column index on these foreign keys: each leads a composite index below (and
    # channel_account the unique external id), which serves the same lookups; every index is
    # paid for on each of the millions of inserts of a bulk import.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="conversations", db_index=False
    )
    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="conversations", db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="conversations", db_index=False
    )
    number = models.PositiveBigIntegerField()
    # NULL, not "", marks "no platform id" so the unique constraint ignores it.
    external_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    kind = models.CharField(max_length=16, choices=ConversationKind.choices)
    status = models.CharField(
        max_length=12, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
        db_index=False,  # conv_assignee_activity leads with it
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        db_index=False,  # conv_team_activity leads with it
    )
    message_count = models.PositiveIntegerField(default=0)
    # The highest ripple risk among the conversation's analysed customer messages (0..1).
    ripple_risk = models.FloatField(default=0.0)
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # Channels with subjects (email): the first message's, reused for replies.
    subject = models.CharField(max_length=300, blank=True, default="", db_default="")
    # Bumped by every change an agent makes; a write that names an older version is refused
    # (two agents resolving at once: the second is told, not silently overwritten).
    version = models.PositiveIntegerField(default=0, db_default=0)
    # Labels of the latest analysed customer message, kept here so the inbox can filter on them
    # without joining millions of analysis rows. Empty until analysed.
    sentiment = models.CharField(max_length=8, blank=True, default="", db_default="")
    intent = models.CharField(max_length=16, blank=True, default="", db_default="")
    topic = models.CharField(max_length=64, blank=True, default="", db_default="")
    language = models.CharField(max_length=8, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "external_id"], name="conversation_unique_external"
            ),
            models.UniqueConstraint(fields=["workspace", "number"], name="conversation_unique_no"),
        ]
        # The inbox's view indexes hold the view's whole order, id included (PostgreSQL's indexes
        # do not carry the key as SQLite's do), then the channel: an agent's channel filter and
        # the capped view counts are read from the index alone, without a row per candidate.
        # Not conv_ws_activity's: with the id there, SQLite without statistics took it, not
        # conv_customer_recent, for a customer's latest conversations (both then gave the whole
        # order) and walked the workspace's (200 ms); ties of last_activity_at are sorted.
        # conv_ws_status_activity (the "all" view with a status) is left as it was: widened,
        # SQLite without statistics preferred it to the assignee's index for "mine" by status.
        indexes = [
            models.Index(
                fields=["workspace", "status", "-last_activity_at"], name="conv_ws_status_activity"
            ),
            models.Index(
                fields=["workspace", "-last_activity_at", "channel_account"],
                name="conv_ws_activity",
            ),
            models.Index(
                fields=["channel_account", "-last_activity_at"], name="conv_channel_activity"
            ),
            # "Needs attention": riskiest first, then longest waiting.
            models.Index(
                fields=[
                    "workspace",
                    "status",
                    "-ripple_risk",
                    "waiting_since",
                    "id",
                    "channel_account",
                ],
                name="conv_ws_attention",
            ),
            # The assignee and team indexes hold only assigned rows: every query through them
            # names an assignee or team (``=``/``IN``, which implies NOT NULL, so SQLite and
            # PostgreSQL still use them), and imports, which create millions of unassigned
            # conversations, do not pay for them.
            models.Index(
                fields=["assignee", "status", "-last_activity_at"],
                name="conv_assignee_activity",
                condition=models.Q(assignee__isnull=False),
            ),
            models.Index(
                fields=["team", "-last_activity_at"],
                name="conv_team_activity",
                condition=models.Q(team__isnull=False),
            ),
            # "Mine" in activity order without sorting an agent's whole history (any status).
            models.Index(
                fields=["assignee", "-last_activity_at", "-id", "workspace", "channel_account"],
                name="conv_assignee_recent",
                condition=models.Q(assignee__isnull=False),
            ),
            # A customer's other conversations, latest first, on the conversation page (a
            # customer with thousands of conversations must not sort them all); workspace and
            # channel trail so that the seat's filter and the capped count read the index only.
            models.Index(
                fields=["customer", "-last_activity_at", "-id", "workspace", "channel_account"],
                name="conv_customer_recent",
            ),
            # Snoozed conversations that are due (``do_wake_snoozed``, run on every inbox GET);
            # only snoozed rows (``snoozed_until <= now`` implies NOT NULL), so imports skip it.
            models.Index(
                fields=["workspace", "status", "snoozed_until"],
                name="conv_ws_snoozed_until",
                condition=models.Q(snoozed_until__isnull=False),
            ),
            # "Unassigned": riskiest first among open conversations nobody holds.
            models.Index(
                fields=[
                    "workspace",
                    "status",
                    "assignee",
                    "-ripple_risk",
                    "waiting_since",
                    "id",
                    "channel_account",
                ],
                name="conv_ws_unassigned",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    NOTE = "note", "Internal note"
    SYSTEM = "system", "System event"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Message(TimeStampedModel):
    """One message in a conversation.

    ``channel_account`` repeats the conversation's so that ``(channel_account, external_id)``
    can be a database constraint: the same platform message can never be stored twice.
    """

    conversation = models.ForeignKey(  # message_conv_sent leads with it
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel_account = models.ForeignKey(  # message_unique_external leads with it
        ChannelAccount, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    author_identity = models.ForeignKey(
        Identity, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    # Indexed by message_author_user, which holds only agents' messages (see Meta).
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # NULL, not "", marks "no platform id" so the unique constraint ignores it.
    external_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    in_reply_to_external_id = models.CharField(max_length=255, blank=True)
    is_public = models.BooleanField(default=True)
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    sent_at = models.DateTimeField()
    # Star rating (1-5) of a review, when the channel has them.
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # For system messages: what happened (``assigned``, ``status``, ``snoozed``...); the body
    # holds the human sentence.
    event = models.CharField(max_length=24, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "external_id"], name="message_unique_external"
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "sent_at"], name="message_conv_sent"),
            # Only messages agents wrote: imported messages (nearly all rows) have no author
            # user, and lookups by one (``=``/``IN``) imply NOT NULL, so they still use it.
            models.Index(
                fields=["author_user"],
                name="message_author_user",
                condition=models.Q(author_user__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.external_id or self.pk}"


class DeliveryAttempt(models.Model):
    """One try at handing an outbound message to its channel (see ``channels.outbox``)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    adapter = models.CharField(max_length=32)
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)
    attempted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.adapter} {'ok' if self.succeeded else 'failed'} for {self.message_id}"


class CannedResponse(TimeStampedModel):
    """A saved answer an agent inserts by shortcut; ``{{customer.first_name}}`` style variables
    are filled in for the conversation at hand (``conversations.canned``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="canned")
    shortcut = models.SlugField(max_length=40)
    title = models.CharField(max_length=120)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "shortcut"], name="canned_unique_shortcut")
        ]
        ordering = ["shortcut"]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class ConversationViewer(models.Model):
    """Who has a conversation open right now: a heartbeat row per (conversation, user).

    Kept in the database, not process memory, so the notice works with several server
    processes.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="viewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    composing = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="viewer_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} viewing {self.conversation_id}"


class Attachment(models.Model):
    """A file that came with a message; its bytes live in the data directory by SHA-256."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} bytes)"
