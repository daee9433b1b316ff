"""Full-text search indexes over message bodies, customer names and identity handles.

SQLite: FTS5 tables that read their text from the base tables (``content=``), kept in step by
triggers, so every write path (imports, the desk, the admin) is indexed without knowing it.
PostgreSQL: GIN indexes on ``to_tsvector('simple', ...)`` expressions, maintained by the server.
The ``simple`` configuration does no stemming, so a customer's words in any language match.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from rippledesk.conversations.search.ddl import create_statements, drop_statements


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0006_desk"),
        ("customers", "0002_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
