"""Two small SVG charts for the HTML report, in pure Python: the breach rate per month
(bars) and the distribution of times to the stop against the target (a histogram with
the target as a line). Inline SVG with a ``viewBox``, so a page scales them to any width.

The charts take plain numbers (counts, seconds) and text that they escape; each element
carries a class and ``data-*`` attributes that tools and tests read: ``rect.bar``
(``data-month``, ``data-met``, ``data-breached``), ``rect.bin`` (``data-from``,
``data-to``, ``data-count``, seconds), ``line.target`` (``data-seconds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
import numpy.typing as npt

__all__ = ["BINS", "HEIGHT", "WIDTH", "bins", "histogram_svg", "rate_svg"]

WIDTH, HEIGHT = 360, 170
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 12, 22, 34
_PLOT_W, _PLOT_H = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
BINS = 12
"""Bars in a histogram."""
_COLOURS = {"bar": "#cf222e", "bin": "#3b82f6", "target": "#1f2937", "axis": "#8c959f",
            "text": "#424a53"}


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def _svg(chart_id: str, label: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" '
            f'class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(label)}" font-size="11">'
            f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _frame(y_labels: Sequence[tuple[float, str]]) -> list[str]:
    """The axes, with a label at each share (0..1) of the plot's height."""
    parts = []
    for share, text in y_labels:
        y = _TOP + _PLOT_H * (1 - share)
        parts.append(f'<line x1="{_LEFT}" y1="{_num(y)}" x2="{WIDTH - _RIGHT}" '
                     f'y2="{_num(y)}" stroke="#eaeef2"/>'
                     f'<text x="{_LEFT - 4}" y="{_num(y + 4)}" text-anchor="end" '
                     f'fill="{_COLOURS["text"]}">{escape(text)}</text>')
    parts.append(f'<line x1="{_LEFT}" y1="{_TOP + _PLOT_H}" x2="{WIDTH - _RIGHT}" '
                 f'y2="{_TOP + _PLOT_H}" stroke="{_COLOURS["axis"]}"/>')
    return parts


def rate_svg(months: Sequence[tuple[str, int, int]], *, chart_id: str, label: str) -> str:
    """The breach rate per month as bars: ``months`` holds ``(month, met, breached)``.

    Boundary rule: a bar's height is breached / (met + breached) of the plot's height
    (150 px), its label that rate in percent; a month with nothing decided has no bar.
    Example: ``[("2026-10", 3, 1)]`` -> one ``rect.bar`` 37.5 px high labelled ``25%``.
    """
    shown = [(month, met, breached) for month, met, breached in months if met + breached]
    body = _frame([(0.0, "0%"), (0.5, "50%"), (1.0, "100%")])
    slot = _PLOT_W / max(len(shown), 1)
    width = min(slot * 0.7, 48.0)
    for index, (month, met, breached) in enumerate(shown):
        rate = breached / (met + breached)
        height = _PLOT_H * rate
        x = _LEFT + slot * index + (slot - width) / 2
        y = _TOP + _PLOT_H - height
        tip = f"{month}: {breached} of {met + breached} breached ({rate:.1%})"
        body.append(f'<rect class="bar" data-month="{escape(month)}" data-met="{met}" '
                    f'data-breached="{breached}" x="{_num(x)}" y="{_num(y)}" '
                    f'width="{_num(width)}" height="{_num(height)}" '
                    f'fill="{_COLOURS["bar"]}"><title>{escape(tip)}</title></rect>'
                    f'<text x="{_num(x + width / 2)}" y="{_num(y - 4)}" '
                    f'text-anchor="middle" fill="{_COLOURS["text"]}">{rate:.0%}</text>'
                    f'<text x="{_num(x + width / 2)}" y="{_TOP + _PLOT_H + 14}" '
                    f'text-anchor="middle" fill="{_COLOURS["text"]}">{escape(month)}</text>')
    if not shown:
        body.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                    f'fill="{_COLOURS["text"]}">nothing decided yet</text>')
    return _svg(chart_id, label, body)


def bins(values: npt.NDArray[np.float64], target: float | None,
         count: int = BINS) -> tuple[list[float], list[int]]:
    """Histogram edges (``count + 1``, seconds) and counts for ``values``.

    Boundary rule: the bins are equal and span 0 to the larger of the 95th percentile
    (numpy's linear definition) and 1.5 times the target, so one outlier does not squash
    the rest; the last bin also counts every value beyond it; a bin holds values in
    ``[from, to)`` (the last one ``[from, inf)``); with no value and no target the span is
    one hour. Example: values ``[0, 600, 1200, 3600]``, target 3600 s, 3 bins -> edges
    ``[0, 1800, 3600, 5400]``, counts ``[3, 0, 1]`` (3600 starts the last bin).
    """
    top = float(np.percentile(values, 95)) if len(values) else 0.0
    if target is not None:
        top = max(top, 1.5 * target)
    top = top if top > 0 else 3600.0
    edges = np.linspace(0.0, top, count + 1)
    index = np.minimum(np.searchsorted(edges, values, side="right") - 1, count - 1)
    found = np.bincount(np.maximum(index, 0), minlength=count)
    return [float(edge) for edge in edges], [int(value) for value in found]


def histogram_svg(values: npt.NDArray[np.float64], target: float | None, *, chart_id: str,
                  label: str) -> str:
    """How long the stops took (seconds on the target's clock), against the target.

    Boundary rule: as `bins`; a bar's height is its count over the largest count; the
    target is a vertical line at its length (none without a target). Example: values
    ``[600, 1200]`` with a 3600 s target -> 12 ``rect.bin`` over 0..5400 s, a
    ``line.target`` at 3600 s.
    """
    edges, counts = bins(values, target)
    most = max(counts) or 1
    body = _frame([(0.0, "0"), (1.0, str(most))])
    span = edges[-1]

    def x(seconds: float) -> float:
        return _LEFT + _PLOT_W * min(seconds / span, 1.0)

    for start, end, count in zip(edges, edges[1:], counts, strict=False):
        height = _PLOT_H * count / most
        last = end == edges[-1]
        tip = f"{_hours(start)} to {'more' if last else _hours(end)}: {count}"
        body.append(f'<rect class="bin" data-from="{_num(start)}" data-to="{_num(end)}" '
                    f'data-count="{count}" x="{_num(x(start) + 1)}" '
                    f'y="{_num(_TOP + _PLOT_H - height)}" '
                    f'width="{_num(max(x(end) - x(start) - 2, 1.0))}" '
                    f'height="{_num(height)}" fill="{_COLOURS["bin"]}">'
                    f'<title>{escape(tip)}</title></rect>')
    for edge, anchor in ((edges[0], "start"), (edges[len(edges) // 2], "middle"),
                         (edges[-1], "end")):
        body.append(f'<text x="{_num(x(edge))}" y="{_TOP + _PLOT_H + 14}" '
                    f'text-anchor="{anchor}" fill="{_COLOURS["text"]}">'
                    f'{_hours(edge)}{"+" if anchor == "end" else ""}</text>')
    if target is not None:
        at = x(target)
        body.append(f'<line class="target" data-seconds="{_num(target)}" x1="{_num(at)}" '
                    f'y1="{_TOP - 6}" x2="{_num(at)}" y2="{_TOP + _PLOT_H}" '
                    f'stroke="{_COLOURS["target"]}" stroke-width="2" '
                    f'stroke-dasharray="4 3"/>'
                    f'<text x="{_num(min(at + 4, WIDTH - 80))}" y="{_TOP - 8}" '
                    f'fill="{_COLOURS["target"]}">target {_hours(target)}</text>')
    return _svg(chart_id, label, body)
