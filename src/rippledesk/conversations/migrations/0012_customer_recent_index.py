"""A customer's other conversations, latest first, without sorting them all (conversation page)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0004_webhook_token"),
        ("conversations", "0011_desk_inbox_indexes"),
        ("customers", "0003_purchases"),
        ("workspaces", "0002_team_grants_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["customer", "-last_activity_at", "-id"], name="conv_customer_recent"
            ),
        ),
    ]
