"""A dependency-free progress bar for long CLI runs.

Shown only when the stream is a terminal, so logs and CI output stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Tracks bytes done out of a known total and redraws at most ten times a second."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        """``total`` is the amount of work (e.g. bytes); 0 when unknown, then only counts show."""
        self.known = total > 0
        self.total = max(total, 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.done = 0
        self.items = 0
        self._started = time.monotonic()
        self._last_draw = 0.0

    def update(self, done: int, items: int) -> None:
        self.done = done
        self.items = items
        now = time.monotonic()
        if self.enabled and now - self._last_draw >= 0.1:
            self._last_draw = now
            self._draw(now)

    def close(self) -> None:
        if self.enabled:
            self.done = self.total
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, now: float) -> None:
        fraction = min(self.done / self.total, 1.0)
        width = 30
        filled = int(fraction * width)
        elapsed = max(now - self._started, 1e-9)
        rate = self.items / elapsed
        bar = f"[{'#' * filled}{'-' * (width - filled)}] {fraction:6.1%}  " if self.known else ""
        self.stream.write(f"\r{self.label} {bar}{self.items:,} rows  {rate:,.0f} rows/s")
        self.stream.flush()
