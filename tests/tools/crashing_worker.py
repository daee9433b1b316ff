"""A worker that dies by SIGKILL right after writing an event's messages, before commit.

Run as ``python tests/tools/crashing_worker.py DB_NAME``: it points Django at the test
database, makes the bulk writer kill the process once it has written, and runs due jobs.
Used by the reliability test to prove that a crash mid-job loses and doubles nothing.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rippledesk.settings")
    django.setup()
    from django.db import connections  # noqa: PLC0415

    from rippledesk.conversations.bulk import BulkWriter  # noqa: PLC0415
    from rippledesk.jobs.worker import run_pending  # noqa: PLC0415

    connections["default"].settings_dict["NAME"] = sys.argv[1]
    original = BulkWriter.write

    def write_then_die(self: BulkWriter, records: Any) -> Any:
        result = original(self, records)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    BulkWriter.write = write_then_die  # type: ignore[method-assign]
    run_pending()


if __name__ == "__main__":
    main()
