"""What bulk imports do to the database session: triggers, journals, foreign keys.

The import path drops SQLite's full-text insert triggers for the length of a commit group,
writes with ``INSERT OR IGNORE`` and turns foreign-key checks off for the session; each of
these must leave the database exactly as a plain writer would.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.bulk import BulkWriter
from rippledesk.conversations.models import Conversation, ConversationKind, Message
from rippledesk.conversations.records import MessageRecord
from rippledesk.conversations.search.bulk import BatchIndex
from rippledesk.conversations.search.ddl import HASH_SIZE, sqlite_tables
from rippledesk.core.commits import CommitGroup
from rippledesk.core.sql import bulk_load_session, insert_returning
from rippledesk.customers.models import Customer, Identity
from rippledesk.workspaces.actions import do_get_or_create_workspace
from tests.conftest import run_command
from tests.test_import_csv import AIRLINE_ARGS, SAMPLE


def insert_triggers() -> dict[str, str]:
    names = [f"{fts}_ai" for fts, _, _ in sqlite_tables()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {name: sql for name, sql in cursor.fetchall() if name in names}


def fts_rowids(fts: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {fts}")
        return {int(row[0]) for row in cursor.fetchall()}


@pytest.fixture
def sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite full-text triggers")


@pytest.mark.django_db
def test_import_indexes_every_row_and_puts_the_triggers_back(sqlite: None) -> None:
    before = insert_triggers()
    assert len(before) == 3

    run_command("import", "csv", str(SAMPLE), *AIRLINE_ARGS)

    assert insert_triggers() == before
    assert fts_rowids("rd_message_fts") == set(Message.objects.values_list("id", flat=True))
    assert fts_rowids("rd_customer_fts") == set(Customer.objects.values_list("id", flat=True))
    # A row written after the import is indexed by the trigger again.
    customer = Customer.objects.create(
        workspace=Customer.objects.first().workspace,  # type: ignore[union-attr]
        display_name="Written after the import",
    )
    assert customer.pk in fts_rowids("rd_customer_fts")


@pytest.mark.django_db
def test_full_text_indexes_gather_16_mib_before_writing_a_segment(sqlite: None) -> None:
    for fts, _, _ in sqlite_tables():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT v FROM {fts}_config WHERE k = 'hashsize'")
            assert cursor.fetchall() == [(HASH_SIZE,)]
    assert HASH_SIZE == 16 * 1024 * 1024


@pytest.mark.django_db
def test_a_failing_group_rolls_its_dropped_triggers_back(sqlite: None) -> None:
    before = insert_triggers()
    workspace = do_get_or_create_workspace("bulk")

    class Boom(Exception):
        pass

    seen_inside: list[dict[str, str]] = []

    def fail_inside_a_group() -> None:
        with CommitGroup(around=BatchIndex):
            seen_inside.append(insert_triggers())
            Customer.objects.create(workspace=workspace, display_name="Lost with the group")
            raise Boom

    with pytest.raises(Boom):
        fail_inside_a_group()

    assert seen_inside == [{}]  # dropped inside the group's transaction

    assert insert_triggers() == before
    assert not Customer.objects.filter(display_name="Lost with the group").exists()


@pytest.mark.django_db
def test_a_batch_inside_a_group_leaves_the_triggers_to_the_group(sqlite: None) -> None:
    with transaction.atomic(), BatchIndex():
        inner = BatchIndex(1_000)
        assert not inner.enabled
    assert BatchIndex(1_000).enabled
    assert not BatchIndex(3).enabled  # below MIN_ROWS the triggers are cheaper


@pytest.mark.django_db
def test_or_ignore_still_refuses_rows_that_break_other_constraints(sqlite: None) -> None:
    workspace = do_get_or_create_workspace("bulk")
    now = datetime.now(UTC)
    fields = ("workspace", "kind", "name", "config", "created_at", "updated_at")
    key = ("workspace", "kind", "name")
    insert_returning(ChannelAccount, fields, [(workspace.pk, "x", "a", {}, now, now)], ("id",), key)
    # A repeated key is skipped quietly, as ON CONFLICT DO NOTHING promises ...
    again = insert_returning(
        ChannelAccount, fields, [(workspace.pk, "x", "a", {}, now, now)], ("id",), key
    )
    assert again == []
    # ... but a NOT NULL violation is not a conflict: it must fail, not vanish.
    with pytest.raises(IntegrityError, match="channels_channelaccount: 1 rows refused"):
        insert_returning(
            ChannelAccount, fields, [(workspace.pk, "x", "b", {}, None, now)], ("id",), key
        )
    with pytest.raises(IntegrityError, match="customers_customer"):
        insert_returning(
            Customer,
            ("workspace", "display_name", "email", "notes", "created_at", "updated_at"),
            [(workspace.pk, "ok", "", "", now, now), (workspace.pk, None, "", "", now, now)],
            ("id",),
        )


@pytest.mark.django_db(transaction=True)
def test_bulk_session_turns_foreign_key_checks_off_and_back_on(sqlite: None) -> None:
    def foreign_keys() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            return int(cursor.fetchone()[0])

    assert foreign_keys() == 1
    with bulk_load_session():
        assert foreign_keys() == 0
    assert foreign_keys() == 1
    with pytest.raises(RuntimeError), bulk_load_session():
        raise RuntimeError
    assert foreign_keys() == 1


def _record(n: int, conversation: str, author: str, text: str) -> MessageRecord:
    return MessageRecord(n, "newbrand", conversation, author, author, True, author, author, text,
                         f"m{n}", "", datetime(2026, 1, 1, 12, n, tzinfo=UTC))  # fmt: skip


@pytest.mark.django_db
def test_a_new_channel_s_look_ups_skipped_still_find_rows_another_writer_stored() -> None:
    """A writer that created a channel skips existence look-ups for keys it has not stored
    there; rows another writer stored in that channel meanwhile are still found, not doubled."""
    workspace = do_get_or_create_workspace("fresh")
    importer = BulkWriter(workspace, "x", ConversationKind.PUBLIC_THREAD)
    importer.write([_record(1, "c1", "ann", "first")])
    other = BulkWriter(workspace, "x", ConversationKind.PUBLIC_THREAD)  # e.g. a webhook
    other.write([_record(2, "c2", "bob", "from elsewhere")])
    result = importer.write([_record(3, "c2", "bob", "again"), _record(4, "c1", "ann", "more")])
    assert result.messages_added == 2
    assert result.conversations_added == 0
    assert Conversation.objects.filter(workspace=workspace).count() == 2
    assert Identity.objects.filter(handle="bob").count() == 1
    c2 = Conversation.objects.get(workspace=workspace, external_id="c2")
    assert c2.message_count == 2
    assert set(c2.messages.values_list("body", flat=True)) == {"from elsewhere", "again"}
