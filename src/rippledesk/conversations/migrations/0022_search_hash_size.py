"""SQLite: full-text indexes gather 16 MiB of new entries in memory before writing a segment
(``search/ddl.py``, ``HASH_SIZE``), which makes bulk imports' indexing faster. The setting is
kept in each index's own config table."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from rippledesk.conversations.search.ddl import sqlite_hash_size


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_hash_size():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0021_message_search_document")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
