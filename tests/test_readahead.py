"""The read-ahead thread: same items in the same order, errors surface, early exit stops it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from rippledesk.core.readahead import read_ahead


def test_items_arrive_in_order_across_chunks() -> None:
    assert list(read_ahead(range(10_007), chunk=100, depth=2)) == list(range(10_007))
    assert list(read_ahead([], chunk=10)) == []


def test_an_error_while_producing_is_raised_where_the_consumer_reaches_it() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise LookupError("unknown encoding: nope")

    seen: list[int] = []
    with pytest.raises(LookupError, match="unknown encoding"):
        seen.extend(read_ahead(items(), chunk=2))
    assert seen == [0, 1, 2, 3, 4]  # every item before the error, as in a plain loop


def test_closing_early_stops_the_producer_with_bounded_work() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for n in range(1_000_000):
            produced.append(n)
            yield n

    reader = read_ahead(items(), chunk=10, depth=2)
    assert next(reader) == 0
    reader.close()
    assert not any(t.name == "rippledesk-read-ahead" for t in threading.enumerate())
    assert len(produced) < 100  # at most depth + 2 chunks were ever produced
