"""Real texts and names for ``desk_seed.py``, from the airline tweets ``ingest_data`` reads."""

from __future__ import annotations

import random
from pathlib import Path

from ingest_data import find_source, read_source

RECOMBINED_PER_TWEET = 3  # extra texts made of the first half of one tweet and the end of another


class Texts:
    """Inbound texts (real tweets, plus recombinations) with their sentiment and reason labels,
    and customer names (real author handles, suffixed ``_k`` when reused)."""

    def __init__(self, source: Path | None = None, seed: int = 7) -> None:
        self.path = find_source(source)
        _, rows = read_source(self.path)
        rng = random.Random(seed)
        self.inbound = [r.text for r in rows]
        self.sentiment = [r.values.get("airline_sentiment", "") or "neutral" for r in rows]
        self.reason = [r.values.get("negativereason", "") or "" for r in rows]
        for _ in range(RECOMBINED_PER_TWEET * len(rows)):
            a, b = rng.choice(rows), rng.choice(rows)
            head, tail = a.text.split(), b.text.split()
            self.inbound.append(" ".join(head[: len(head) // 2 + 1] + tail[len(tail) // 2 :]))
            self.sentiment.append(a.values.get("airline_sentiment", "") or "neutral")
            self.reason.append(a.values.get("negativereason", "") or "")
        self.names = sorted({r.name.strip() for r in rows if r.name.strip()})
        self.source_rows = len(rows)

    def pick_inbound(self, rng: random.Random) -> int:
        return rng.randrange(len(self.inbound))

    def name(self, customer: int) -> str:
        """The display name and handle of customer ``customer`` (1-based), unique per customer."""
        base = self.names[(customer - 1) % len(self.names)]
        copy = (customer - 1) // len(self.names)
        return f"{base}_{copy}" if copy else base
