from __future__ import annotations

from django.contrib import admin

from rippledesk.conversations.models import Conversation, Message


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
