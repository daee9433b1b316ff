"""Generic review import: CSV, JSON Lines and JSON arrays, with stars and titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from rippledesk.channels.imports.rows import parse_rating
from rippledesk.conversations.models import Conversation, Message
from tests.conftest import run_command

pytestmark = pytest.mark.django_db(transaction=True)

REVIEWS = [
    {
        "id": "r1",
        "author": "Kim",
        "rating": 1,
        "title": "Crashes on login",
        "text": "Crashes since the update.",
        "date": "2026-11-20 10:00",
    },
    {
        "id": "r2",
        "author": "Lee",
        "rating": "5",
        "title": "",
        "text": "Fast and simple.",
        "date": "2026-11-21 11:00",
    },
]


def test_json_lines_reviews_with_a_bad_line_and_a_bad_rating(tmp_path: Path) -> None:
    lines = [json.dumps(r) for r in REVIEWS] + [
        "not json",
        json.dumps({**REVIEWS[0], "id": "r3", "rating": "7"}),
    ]
    path = tmp_path / "store.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_command(
        "import", "reviews", str(path), "--source", "App Store", "--workspace", "acme"
    )
    assert result.exit_code == 1
    assert "line 3: rejected: not JSON" in result.stderr
    assert "line 4: rejected: column 'rating': '7' is not 1-5 stars" in result.stderr
    kim = Message.objects.get(external_id="r1")
    assert (kim.rating, kim.body) == (1, "Crashes on login\n\nCrashes since the update.")
    assert kim.conversation.kind == "review"
    assert kim.channel_account.kind == "reviews"
    assert kim.channel_account.name == "App Store"
    assert Message.objects.get(external_id="r2").rating == 5
    again = run_command(
        "import", "reviews", str(path), "--source", "App Store", "--workspace", "acme"
    )
    assert "2 messages added" not in again.stdout
    assert Conversation.objects.count() == 2


def test_a_json_array_and_a_csv_with_stars(tmp_path: Path) -> None:
    array = tmp_path / "shop.json"
    array.write_text(json.dumps(REVIEWS), encoding="utf-8")
    assert (
        run_command(
            "import", "reviews", str(array), "--source", "Shop", "--workspace", "acme"
        ).exit_code
        == 0
    )
    table = tmp_path / "retail.csv"
    table.write_text(
        "id,author,rating,title,text,date\nc1,Ana,★★★★☆,Good,Nice fit,2026-11-22 09:00\n",
        encoding="utf-8",
    )
    assert (
        run_command(
            "import", "reviews", str(table), "--source", "Retail", "--workspace", "acme"
        ).exit_code
        == 0
    )
    assert Message.objects.get(external_id="c1").rating == 4
    assert Message.objects.filter(rating__isnull=False).count() == 3


def test_not_an_array_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": 1}', encoding="utf-8")
    with pytest.raises(CommandError, match="expected a JSON array of objects"):
        run_command("import", "reviews", str(path), "--source", "X", "--workspace", "acme")
    assert not Message.objects.exists()


def test_rating_forms() -> None:
    assert [
        parse_rating(v) for v in ("4", "4.0", "4/5", "★★☆☆☆", "0", "6", "4.5", "great", "")
    ] == [
        4,
        4,
        4,
        2,
        None,
        None,
        None,
        None,
        None,
    ]
