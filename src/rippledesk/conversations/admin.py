from __future__ import annotations

from django.contrib import admin

from rippledesk.conversations.models import CannedResponse, Conversation, DeliveryAttempt, Message


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = [
        "number",
        "channel_account",
        "customer",
        "status",
        "priority",
        "message_count",
        "first_response_seconds",
        "last_activity_at",
    ]
    list_filter = ["status", "priority", "kind", "channel_account"]
    search_fields = ["external_id", "customer__display_name"]
    raw_id_fields = ["customer", "channel_account", "assignee", "team"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["external_id", "direction", "conversation", "sent_at", "delivery_status"]
    list_filter = ["direction", "delivery_status", "channel_account"]
    search_fields = ["external_id", "body"]
    raw_id_fields = ["conversation", "channel_account", "author_identity", "author_user"]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin[CannedResponse]):
    list_display = ["shortcut", "title", "workspace"]
    search_fields = ["shortcut", "title", "body"]
    list_filter = ["workspace"]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin[DeliveryAttempt]):
    list_display = ["message", "adapter", "succeeded", "attempted_at"]
    raw_id_fields = ["message"]
    list_filter = ["adapter", "succeeded"]
