"""Workspace and channel join the customer index, so the conversation page's capped count of
a customer's other conversations reads the index alone (4 ms -> 0.4 ms for a heavy customer)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0006_trustpilot_kind"),
        ("conversations", "0018_partial_snoozed_index"),
        ("customers", "0003_purchases"),
        ("workspaces", "0002_team_grants_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="conversation",
            name="conv_customer_recent",
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["customer", "-last_activity_at", "-id", "workspace", "channel_account"],
                name="conv_customer_recent",
            ),
        ),
    ]
