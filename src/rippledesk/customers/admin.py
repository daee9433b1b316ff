from __future__ import annotations

from django.contrib import admin

from rippledesk.customers.models import Customer, Identity, Purchase


class IdentityInline(admin.TabularInline[Identity, Customer]):
    model = Identity
    extra = 0
    raw_id_fields = ["channel_account"]


class PurchaseInline(admin.TabularInline[Purchase, Customer]):
    model = Purchase
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ["display_name", "email", "workspace", "created_at"]
    search_fields = ["display_name", "email", "identities__handle"]
    list_filter = ["workspace"]
    inlines = [IdentityInline, PurchaseInline]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin[Identity]):
    list_display = ["handle", "channel_account", "customer", "audience_size"]
    search_fields = ["handle", "external_id", "display_name"]
    raw_id_fields = ["customer", "channel_account"]
