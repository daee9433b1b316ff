"""The crisis chart: customers writing per quarter hour as bars, the expected number as a line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rippledesk.triage.crisis.queries import ChartBar

register = template.Library()
WIDTH, HEIGHT, PAD, AXIS = 720, 170, 6, 16


def _expected_path(
    bars: Sequence[ChartBar], x: float, step: float, y: Callable[[float], float]
) -> str:
    """One polyline per run of buckets with a stored expectation (gaps break the line)."""
    runs: list[list[str]] = [[]]
    for i, bar in enumerate(bars):
        if bar.expected is None:
            runs.append([])
            continue
        level = y(bar.expected)
        runs[-1] += [f"{x + i * step:.1f},{level:.1f}", f"{x + (i + 1) * step:.1f},{level:.1f}"]
    return "".join(
        f'<polyline class="chart-expected" points="{" ".join(run)}"/>' for run in runs if run
    )


@register.filter
def crisis_chart(bars: Sequence[ChartBar], zone: ZoneInfo | None = None) -> SafeString:
    if not bars:
        return mark_safe("")
    zone = zone or ZoneInfo("UTC")
    top = max(1.0, *(b.count for b in bars), *(b.expected or 0.0 for b in bars))
    inner = HEIGHT - PAD - AXIS
    step = (WIDTH - 2 * PAD) / len(bars)

    def y(value: float) -> float:
        return PAD + inner - value / top * inner

    parts = []
    for i, bar in enumerate(bars):
        left = PAD + i * step
        if bar.in_incident:
            parts.append(
                f'<rect class="chart-incident" x="{left:.1f}" y="{PAD}" '
                f'width="{step:.1f}" height="{inner}"/>'
            )
        when = bar.start.astimezone(zone).strftime("%d %b %H:%M")
        expected = f", expected {bar.expected:.1f}" if bar.expected is not None else ""
        tip = escape(f"{when}: {bar.count} customers ({bar.negatives} negative){expected}")
        width = max(1.0, step - 1)
        rects = "".join(
            f'<rect class="{css}" x="{left:.1f}" y="{y(value):.1f}" width="{width:.1f}" '
            f'height="{inner + PAD - y(value):.1f}"/>'
            for css, value in (("chart-count", bar.count), ("chart-neg", bar.negatives))
        )
        parts.append(f"<g><title>{tip}</title>{rects}</g>")
    parts.append(_expected_path(bars, PAD, step, y))
    base = PAD + inner
    parts.append(f'<line class="chart-axis" x1="0" y1="{base}" x2="{WIDTH}" y2="{base}"/>')
    for i in range(0, len(bars), max(1, len(bars) // 6)):
        label = bars[i].start.astimezone(zone).strftime("%H:%M")
        parts.append(
            f'<text class="chart-label" x="{PAD + i * step:.1f}" y="{HEIGHT - 3}">{label}</text>'
        )
    peak = max(bars, key=lambda b: b.count)
    summary = escape(f"{len(bars)} quarter hours; the busiest had {peak.count} customers writing")
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{summary}" '
        f'preserveAspectRatio="none">{"".join(parts)}</svg>'
    )
    return mark_safe(svg)  # numbers, escaped tips and fixed markup only
