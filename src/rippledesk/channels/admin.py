from __future__ import annotations

from django.contrib import admin

from rippledesk.channels.models import ChannelAccount, ImportProblem, ImportRun, InboundEvent


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin[ChannelAccount]):
    list_display = ["name", "kind", "workspace", "created_at"]
    list_filter = ["kind", "workspace"]
    search_fields = ["name"]


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin[InboundEvent]):
    list_display = ["external_event_id", "channel_account", "received_at", "processed_at"]
    list_filter = ["channel_account"]
    search_fields = ["external_event_id"]
    readonly_fields = ["payload"]


class ImportProblemInline(admin.TabularInline[ImportProblem, ImportRun]):
    model = ImportProblem
    extra = 0
    readonly_fields = ["line", "severity", "message"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = [
        "source_name",
        "source_format",
        "rows_read",
        "messages_added",
        "messages_already_present",
        "rows_rejected",
        "created_at",
    ]
    list_filter = ["source_format"]
    inlines = [ImportProblemInline]
