"""The read-ahead thread: same items in the same order, errors surface, early exit stops it."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

import pytest

from rippledesk.core.readahead import depth_for, parse_while_writing, read_ahead, writing


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


def counted(total: int, produced: list[int]) -> Iterator[int]:
    """0 .. total-1, noting in ``produced`` each item the producer has made."""
    for n in range(total):
        produced.append(n)
        yield n


def test_closing_early_stops_the_producer_with_bounded_work() -> None:
    produced: list[int] = []
    reader = read_ahead(counted(1_000_000, produced), chunk=10, depth=2)
    assert next(reader) == 0
    reader.close()
    assert not any(t.name == "rippledesk-read-ahead" for t in threading.enumerate())
    assert len(produced) < 100  # at most depth + 2 chunks were ever produced


def test_gated_producer_works_only_while_the_consumer_writes_or_waits() -> None:
    """Inside parse_while_writing() the parser is held back while the consumer runs Python,
    and lets it through inside writing() blocks and whenever the consumer waits for items."""
    produced: list[int] = []
    with parse_while_writing():
        reader = read_ahead(counted(5_000, produced), chunk=10, depth=4)
        first = next(reader)  # the consumer waited: the gate opened for it
        time.sleep(0.05)
        held = len(produced)
        time.sleep(0.1)  # the consumer "runs Python": the gate is shut
        assert len(produced) <= held + 1
        with writing():  # a long statement: the parser may fill the queue meanwhile
            time.sleep(0.1)
        assert len(produced) > held
        rest = list(reader)
    assert [first, *rest] == list(range(5_000))
    assert sys.getswitchinterval() > 0.001  # restored


def test_writing_outside_a_gated_import_does_nothing() -> None:
    with writing():
        pass
    assert list(read_ahead(range(100), chunk=7)) == list(range(100))


def test_depth_for_a_batch_buffers_a_whole_batch_ahead_of_the_consumer() -> None:
    produced: list[int] = []
    batch = 200  # 20 chunks: more than the default depth of 8
    reader = read_ahead(counted(10_000, produced), chunk=10, depth=depth_for(batch, chunk=10))
    first = [next(reader) for _ in range(batch)]  # the writer takes one batch ...
    deadline = time.monotonic() + 5
    while len(produced) < 2 * batch + 10 and time.monotonic() < deadline:
        time.sleep(0.01)  # ... and while it writes, the next batch is parsed in full
    time.sleep(0.05)
    assert first == list(range(batch))
    assert 2 * batch <= len(produced) < 10_000  # bounded: the queue stops the producer
    reader.close()
