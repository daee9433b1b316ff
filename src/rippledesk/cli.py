"""The ``rippledesk`` command.

It is Django's ``manage.py`` under a product name: our own subcommands (``import``, ``report``,
``serve``, ``demo``) are management commands in ``rippledesk.core.management.commands``, and
Django's (``migrate``, ``createsuperuser``, ...) stay available beside them.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rippledesk.settings")
    execute_from_command_line(["rippledesk", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
