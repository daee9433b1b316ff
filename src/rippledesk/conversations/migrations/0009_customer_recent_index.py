"""An index for a customer's other conversations, latest first (``customer_conversations``).

Written per vendor because the order is ``last_activity_at DESC NULLS LAST``: PostgreSQL needs
``NULLS LAST`` spelled out to serve it from an index, and SQLite, where it is already the
order of a DESC index, refuses the words in CREATE INDEX. Without it, the conversation page of
a customer with thousands of conversations sorts them all (0.4 s for 53,000 on SQLite).
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_NULLS = {"postgresql": " NULLS LAST", "sqlite": ""}


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    nulls = _NULLS.get(schema_editor.connection.vendor)
    if nulls is not None:
        schema_editor.execute(
            "CREATE INDEX conv_customer_recent ON conversations_conversation "
            f"(customer_id, last_activity_at DESC{nulls}, id DESC)"
        )


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS conv_customer_recent")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0008_desk_inbox_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
