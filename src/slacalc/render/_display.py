"""How reports look in a notebook and in a terminal: escaped HTML tables, aligned text.

Shared by `SLAReport._repr_html_`, `MetricReport._repr_html_`, `Deadlines` and the
availability report (`availability_text`, `availability_html`). The HTML is
well-formed XML (every tag closed, every text and attribute escaped), styled inline so it
needs no stylesheet; statuses are coloured badges. Instants are shown as
``Mon 2026-11-23 08:00 EST`` in the zone given (the tier calendar's, for a report).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# What is shown is read by attribute: the reports live in the layers above (`slacalc.sla`,
# `slacalc.terms`), which call down into rendering, never the other way round.
MetricReport = Any
SLAReport = Any
AvailabilityReport = Any

__all__ = ["availability_html", "availability_text", "badge", "exact_length", "html_table",
           "length", "metric_html", "percent", "report_caption", "report_html", "shown",
           "text_table"]

# (text colour, background) per status; unknown statuses fall back to grey.
STATUS_COLOURS = {
    "met": ("#116329", "#dafbe1"),
    "breached": ("#a40e26", "#ffebe9"),
    "running": ("#0550ae", "#ddf4ff"),
    "paused": ("#7d4e00", "#fff8c5"),
    "error": ("#a40e26", "#ffebe9"),
    "missed": ("#a40e26", "#ffebe9"),
}
_GREY = ("#424a53", "#eaeef2")
_CELL = "padding:2px 8px;text-align:left;border-bottom:1px solid #d0d7de;"
REPORT_COLUMNS = ("metric", "status", "due", "elapsed", "remaining", "target", "reason")


def shown(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """An instant for people, in ``zone`` (default: its own); "" for None.

    Example: 2026-11-23 13:00 UTC in America/Toronto -> ``Mon 2026-11-23 08:00 EST``.
    """
    if moment is None:
        return ""
    local = moment.astimezone(zone) if zone is not None else moment
    return local.strftime("%a %Y-%m-%d %H:%M %Z")


def length(value: timedelta | None) -> str:
    """A duration in hours and minutes, seconds dropped; "" for None.

    Boundary rule: anything under a minute (zero included) shows as ``0 min``.
    Example: 5400 s -> ``1 h 30 min``; 2 h -> ``2 h``; 50 h -> ``50 h``.
    """
    if value is None:
        return ""
    minutes = int(value.total_seconds()) // 60
    if minutes <= 0:
        return "0 min"
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "",
                                       f"{rest} min" if rest or not hours else "") if part)


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """Aligned columns, the first row as the header, underlined with dashes.

    Example: ``[["metric", "due"], ["response", "Mon"]]`` ->
    ``"metric    due\\n--------  ---\\nresponse  Mon"``.
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def badge(status: str) -> str:
    """A status as a coloured badge (``no_target`` shows as ``no target``)."""
    colour, background = STATUS_COLOURS.get(status, _GREY)
    style = (f"color:{colour};background:{background};border-radius:4px;padding:0 6px;"
             "font-weight:600;white-space:nowrap;")
    return (f"<span class={quoteattr('slacalc-status ' + status)} style={quoteattr(style)}>"
            f"{escape(status.replace('_', ' '))}</span>")


def html_table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], *,
               status_column: int | None = None,
               badges: Container[tuple[int, int]] = ()) -> str:
    """An HTML table with a caption; every cell is escaped; the cells of ``status_column``
    and the ``(row, column)`` cells in ``badges`` are shown as status badges.

    Example: ``html_table("T-1", ["metric", "status"], [["response", "met"]],
    status_column=1)`` -> a table whose one row shows a green ``met`` badge.
    """
    head = "".join(f"<th style={quoteattr(_CELL)}>{escape(name)}</th>" for name in header)
    body = []
    for number, row in enumerate(rows):
        cells = [badge(cell) if index == status_column or (number, index) in badges
                 else escape(cell) for index, cell in enumerate(row)]
        body.append("<tr>" + "".join(f"<td style={quoteattr(_CELL)}>{cell}</td>"
                                     for cell in cells) + "</tr>")
    caption_style = "caption-side:top;text-align:left;font-weight:600;padding:4px 0;"
    return (f"<table class=\"slacalc\" style=\"border-collapse:collapse;\">"
            f"<caption style={quoteattr(caption_style)}>{escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _metric_row(report: MetricReport, zone: tzinfo | None) -> list[str]:
    return [report.metric, report.status, shown(report.due, zone),
            length(report.elapsed) if report.length is not None else "",
            length(report.remaining), report.target or "", report.reason or ""]


def report_caption(report: SLAReport) -> str:
    """The header line of a report: ticket, policy, tier, priority and now."""
    state = report._state
    zone = report._state.zone
    priority = state.names[state.priority]
    return (f"Ticket {report.ticket.id or '(no id)'} · {report.policy.name} "
            f"({report.policy.vendor}) · tier {report.ticket.tier} · priority "
            f"{state.priority} ({priority}) · as of {shown(report.now, zone)}")


def report_html(report: SLAReport, picture: str = "") -> str:
    """The report as an HTML table (one row per metric, times in the tier calendar's
    zone), followed by ``picture`` (an inline SVG) when given."""
    zone = report._state.zone
    table = html_table(report_caption(report), REPORT_COLUMNS,
                       [_metric_row(metric, zone) for metric in report.values()],
                       status_column=1)
    figure = f"<div class=\"slacalc-timeline\">{picture}</div>" if picture else ""
    return f"<div class=\"slacalc-report\">{table}{figure}</div>"


def metric_html(report: MetricReport) -> str:
    """One metric as a one-row HTML table (times as they are, in their own offset)."""
    return html_table(f"{report.metric}: {report.status.replace('_', ' ')}", REPORT_COLUMNS,
                      [_metric_row(report, None)], status_column=1)


def exact_length(value: timedelta) -> str:
    """A duration to the microsecond, in hours, minutes and seconds.

    Example: 2008.8 s -> ``33 min 28.8 s``; 558 h -> ``558 h``; 0 -> ``0 s``.
    """
    micro = value // timedelta(microseconds=1)
    sign, micro = ("-" if micro < 0 else ""), abs(micro)
    hours, micro = divmod(micro, 3_600_000_000)
    minutes, micro = divmod(micro, 60_000_000)
    seconds = f"{Decimal(micro) / 1_000_000:f}".rstrip("0").rstrip(".") if micro else ""
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "",
             f"{seconds} s" if seconds else ""]
    return sign + (" ".join(part for part in parts if part) or "0 s")


def percent(value: Fraction) -> str:
    """An exact proportion as a percent, truncated (never rounded up) to 4 decimals.

    Example: ``Fraction(999, 1000)`` -> ``99.9%``; ``Fraction(2, 3)`` -> ``66.6666%``.
    """
    hundred = Decimal((value * 100).numerator) / Decimal((value * 100).denominator)
    text = f"{hundred.quantize(Decimal('0.0001'), rounding=ROUND_DOWN):f}"
    return text.rstrip("0").rstrip(".") + "%"


def _availability_rows(report: AvailabilityReport) -> list[list[str]]:
    return [
        ["period", f"{report.period} ({report.timezone})"],
        ["services", ", ".join(report.services)],
        ["length", exact_length(report.length)],
        ["scheduled maintenance", exact_length(report.scheduled_maintenance)],
        ["notified maintenance", exact_length(report.notified_maintenance)],
        ["committed", exact_length(report.committed)],
        ["downtime", exact_length(report.downtime)],
        ["uptime", report.uptime_percent],
        ["target", percent(report.target)],
        ["status", "met" if report.met else "missed"],
        ["credit", f"{report.credit_percent}% of the monthly fee"
         + ("" if report.credit is None else f" = {report.credit}")],
        ["sole remedy", "yes" if report.sole_remedy else "no"],
    ]


def availability_text(report: AvailabilityReport) -> str:
    """An availability report as a two-column text table, under a caption line.

    Example (valimail, October 2026, 2008.8 s down): ``committed  558 h``, ``downtime
    33 min 28.8 s``, ``uptime 99.9%``, ``status met``.
    """
    return (f"Availability {report.period}\n"
            + text_table([["measure", "value"], *_availability_rows(report)]))


def availability_html(report: AvailabilityReport) -> str:
    """The same table as HTML, every text escaped, ``met``/``missed`` as a badge."""
    rows = _availability_rows(report)
    status = next(i for i, (name, _) in enumerate(rows) if name == "status")
    return html_table(f"Availability {report.period}", ["measure", "value"], rows,
                      badges={(status, 1)})
