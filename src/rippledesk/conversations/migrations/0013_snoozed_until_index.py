"""Lets the inbox find due snoozed conversations without reading every snoozed one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0004_webhook_token"),
        ("conversations", "0012_customer_recent_index"),
        ("customers", "0003_purchases"),
        ("workspaces", "0002_team_grants_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["workspace", "status", "snoozed_until"], name="conv_ws_snoozed_until"
            ),
        ),
    ]
