"""SQLite: insert triggers of the search indexes that a bulk writer can pause inside its own
transaction (it then indexes the batch in one statement per table; see search/bulk.py)."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from rippledesk.conversations.search.ddl import sqlite_pausable_triggers


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_pausable_triggers():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0014_drop_indexes_covered_by_composites")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
