"""What triage treats as live: messages sent within the last ``FRESH``.

Routing, SLA clocks and automation rules act only on live messages, so importing last year's
history neither hands it to today's agents, nor puts it under today's promises, nor fires rules.
One constant, so the three never disagree about what "live" means.
"""

from __future__ import annotations

from datetime import timedelta

FRESH = timedelta(hours=24)
