"""Parse ahead in a background thread while the database writes.

A bulk import alternates between Python work (decoding CSV, validating and parsing each row)
and SQLite work (B-tree inserts, commits). The ``sqlite3`` module releases the GIL while a
statement runs, so a second thread can parse the next rows meanwhile: on a machine with a free
core the parsing then costs almost no wall time. The thread never touches the database.
Memory stays bounded: at most ``depth`` chunks of ``chunk`` items wait in the queue.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar, cast

T = TypeVar("T")
_END = object()


def read_ahead(items: Iterable[T], *, chunk: int = 1000, depth: int = 8) -> Iterator[T]:
    """Yield ``items`` in order, computing them in a background thread.

    An exception raised while producing is re-raised here, at the point the consumer reaches
    it. Closing the returned iterator early stops the producer.
    """
    pending: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                pending.put(value, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        buffer: list[T] = []
        try:
            for item in items:
                buffer.append(item)
                if len(buffer) >= chunk:
                    if not put(buffer):
                        return
                    buffer = []
        except BaseException as exc:  # handed to the consumer, after the items before it
            if not buffer or put(buffer):
                put(exc)
            return
        if not buffer or put(buffer):
            put(_END)

    thread = threading.Thread(target=produce, name="rippledesk-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            got = pending.get()
            if got is _END:
                return
            if isinstance(got, BaseException):
                raise got
            yield from cast("list[T]", got)
    finally:
        stop.set()
        thread.join()
