"""The Jinja2 environment of the desk's hot partials (see docs/adr/0003-jinja2-for-hot-partials.md).

The inbox list and the conversation timeline repeat one block per row, 50 to 500 times a
request, where Django's template engine costs about 10 µs per variable; these few templates
(``web/jinja2/``) are Jinja2, which compiles them to Python. Every other page stays a Django
template. The filters are the Django templates' own functions (``templatetags``), so both
engines print a value the same way. Dates: ``value|date(pattern)`` takes Django's format
codes and shows the value in the template's ``zone``, as ``{% timezone zone %}`` does.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat, floatformat
from django.utils import timezone
from jinja2 import Environment, StrictUndefined, pass_context
from jinja2.runtime import Context

from rippledesk.web.dates import Names, format_date, names_now
from rippledesk.web.templatetags import desk, marks


def _zone(context: Context) -> tzinfo:
    zone = context.get("zone")
    return zone if isinstance(zone, tzinfo) else timezone.get_current_timezone()


@pass_context
def _date(context: Context, value: datetime | None, pattern: str) -> str:
    names = context.get("date_names")
    return format_date(value, pattern, _zone(context), names if isinstance(names, tuple) else None)


def date_names(request: HttpRequest) -> dict[str, Names]:
    """Context processor: the month and day names, looked up once per render, not per date."""
    return {"date_names": names_now()}


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    if value is None:
        return ""
    return desk.when(value.astimezone(_zone(context)))


def environment(**options: Any) -> Environment:
    """Called by Django's Jinja2 backend with the ``TEMPLATES`` options (autoescape on)."""
    options["undefined"] = StrictUndefined  # a misspelt name fails the render, and the tests
    env = Environment(**options)
    env.filters.update(
        {
            "date": _date,
            "when": _when,
            "hue": desk.hue,
            "initials": desk.initials,
            "kind_mark": desk.kind_mark,
            "label": desk.label,
            "grouped": desk.grouped,
            "duration": desk.duration,
            "compact": desk.compact,
            "percent": marks.percent,
            "timesince_short": marks.timesince_short,
            "highlight": marks.highlight,
            "stars": marks.stars,
            "floatformat": floatformat,
            "filesizeformat": filesizeformat,
        }
    )
    return env
