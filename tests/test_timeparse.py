"""Timestamps from exports become aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from rippledesk.channels.imports.timeparse import (
    TimeParseError,
    TimeParser,
    parse_twitter,
    parse_with,
)


def test_twitter_format_with_offsets() -> None:
    assert parse_twitter("Tue Oct 31 22:10:47 +0000 2017") == datetime(
        2017, 10, 31, 22, 10, 47, tzinfo=UTC
    )
    assert parse_twitter("Tue Oct 31 22:10:47 +0130 2017") == datetime(
        2017, 10, 31, 20, 40, 47, tzinfo=UTC
    )
    with pytest.raises(TimeParseError, match="not a Twitter timestamp"):
        parse_twitter("2017-10-31")


def test_known_formats_and_zones() -> None:
    assert parse_with("16-02-2015 23.36", None) == datetime(2015, 2, 16, 23, 36, tzinfo=UTC)
    paris = parse_with("2024-07-01 12:00:00", None, ZoneInfo("Europe/Paris"))
    assert paris == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    assert parse_with("2024-07-01T12:00:00Z", None).tzinfo is not None
    with pytest.raises(TimeParseError, match="pass --time-format"):
        parse_with("next tuesday", None)
    with pytest.raises(TimeParseError, match="does not match the time format"):
        parse_with("2024-07-01", "%d/%m/%Y")


def test_column_parser_learns_but_still_accepts_other_formats() -> None:
    parser = TimeParser()
    assert parser.parse("16-02-2015 23.36") == datetime(2015, 2, 16, 23, 36, tzinfo=UTC)
    assert parser.parse("17-02-2015 08.05") == datetime(2015, 2, 17, 8, 5, tzinfo=UTC)
    assert parser.parse("2015-02-18 09:00") == datetime(2015, 2, 18, 9, 0, tzinfo=UTC)
    with pytest.raises(TimeParseError):
        parser.parse("garbage")
