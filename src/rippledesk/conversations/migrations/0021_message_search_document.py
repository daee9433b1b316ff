"""PostgreSQL: each message's search document is stored (a generated ``tsvector`` column that
Django's model does not know), and the GIN index is built on it instead of on the expression.

Testing a row against a text query then reads the stored document instead of parsing the body
again: 0.3 µs instead of about 20 µs, which lets the search walk the newest rows by key and
recheck phrase matches cheaply (docs/adr/0004-stored-search-document-on-postgresql.md).
SQLite keeps its FTS5 table; nothing changes there. Statements are spelled out here, not read
from ``search/ddl.py``, so that this migration keeps doing what it did when written.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FORWARDS = [
    "ALTER TABLE conversations_message ADD COLUMN rd_search_doc tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(body, ''))) STORED",
    "CREATE INDEX rd_message_doc ON conversations_message USING gin (rd_search_doc)",
    "DROP INDEX IF EXISTS rd_message_fts",
]
BACKWARDS = [
    "CREATE INDEX rd_message_fts ON conversations_message "
    "USING gin (to_tsvector('simple', coalesce(body, '')))",
    "ALTER TABLE conversations_message DROP COLUMN rd_search_doc",  # drops rd_message_doc
]


def _run(statements: list[str], schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(FORWARDS, schema_editor)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(BACKWARDS, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0020_inbox_covering_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
