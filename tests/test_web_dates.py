"""The fast date formatter prints exactly what Django's ``date`` filter prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.dateformat import format as django_format
from hypothesis import given, settings
from hypothesis import strategies as st

from rippledesk.web.dates import format_date

ZONES = [UTC, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
ZONES += [ZoneInfo("Asia/Kolkata"), ZoneInfo("Australia/Lord_Howe")]
# Every pattern the desk's templates use, plus escapes, literals and a code left to Django.
PATTERNS = [
    "H:i",
    "c",
    "j M",
    "j M Y",
    "j M H:i",
    "j M Y, H:i",
    "D j M Y, H:i T",
    "D j M Y, H:i:s T",
    "Y-m-d",
    "l j F Y",
    r"\a\t H:i \\ d/m/Y G n",
    "N jS P",  # codes only Django's formatter knows: passed through to it
    "",
]
moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(moment=moments, zone=st.sampled_from(ZONES), pattern=st.sampled_from(PATTERNS))
def test_equals_djangos_formatter_in_any_zone(
    moment: datetime, zone: ZoneInfo, pattern: str
) -> None:
    local = moment.astimezone(zone)
    assert format_date(moment, pattern, zone) == django_format(local, pattern)


@pytest.mark.parametrize(
    "local",
    [
        datetime(2026, 10, 25, 2, 30, fold=0),  # Berlin: this hour happens twice
        datetime(2026, 10, 25, 2, 30, fold=1),
        datetime(2026, 3, 29, 2, 30),  # Berlin: this hour does not happen
        datetime(2026, 7, 1, 12, 0),
    ],
)
def test_ambiguous_and_missing_times_lose_their_zone_name_as_in_django(local: datetime) -> None:
    aware = local.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    assert format_date(aware, "D j M Y, H:i:s T") == django_format(aware, "D j M Y, H:i:s T")


def test_matches_the_template_filter_inside_a_timezone_block() -> None:
    moment = datetime(2026, 11, 25, 23, 30, 5, tzinfo=UTC)
    zone = ZoneInfo("Asia/Tokyo")
    template = Template("{% load tz %}{% timezone zone %}{{ m|date:pattern }}{% endtimezone %}")
    for pattern in PATTERNS[:-1]:
        shown = template.render(Context({"m": moment, "zone": zone, "pattern": pattern}))
        assert format_date(moment, pattern, zone) == shown


def test_month_and_day_names_follow_the_active_language() -> None:
    moment = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with translation.override("de"):
        assert format_date(moment, "D j M Y, l F") == django_format(moment, "D j M Y, l F")
        assert "März" in format_date(moment, "F")
    assert format_date(moment, "F") == "March"


def test_none_is_empty_and_naive_times_are_formatted_as_django_does() -> None:
    assert format_date(None, "c") == ""
    naive = datetime(2026, 1, 5, 8, 0) + timedelta(seconds=7)
    assert format_date(naive, "D j M Y, H:i:s T") == django_format(naive, "D j M Y, H:i:s T")
