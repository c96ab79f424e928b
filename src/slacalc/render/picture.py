"""A ticket's SLA timeline as an SVG picture, in pure Python (no plotting dependency).

`timeline_svg(report)` draws a horizontal time axis from the opening to the latest of
``now``, the due instants and the events (plus a small margin), and one lane per metric:
the open hours of the metric's clock shaded (a 24x7 clock is open all along: "real
time"), the business time actually counted as a bar, pauses hatched, overruns tinted,
the due instant as a vertical line (red when breached, green when met). Events are
marked above the lanes with their kind; ``now`` is a dashed line. Times are read in the
tier calendar's zone; ticks adapt to the span (minutes, hours, days, weeks, months).

The output is deterministic (same report, same bytes) and carries classes for tools and
tests: ``g.lane[data-metric]``, ``rect.open``, ``rect.counted``, ``rect.pause``,
``rect.overrun``, ``line.due``, ``g.event[data-kind]``, ``line.now``, ``g.legend``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..engine import ALWAYS
from ._display import length, shown

SLAReport = Any
"""What is drawn (`slacalc.SLAReport`), read by attribute: reports live in the layers above,
which call down into rendering."""

__all__ = ["timeline_svg"]

WIDTH = 900
_LEFT, _RIGHT = 160, 24
_PLOT = WIDTH - _LEFT - _RIGHT
_BAND_TOP, _LABEL_ROWS, _ROW = 56, 3, 13  # event labels, staggered over 3 rows
_LANES_TOP = _BAND_TOP + _LABEL_ROWS * _ROW + 16
_LANE, _GAP = 40, 12
_CHAR = 6.2  # average width of an 11px sans-serif character, for layout estimates
_COLOURS = {"open": "#dbeafe", "counted": "#3b82f6", "pause": "#b45309", "met": "#1a7f37",
            "breached": "#cf222e", "due": "#1f2937", "overrun": "#fecaca", "event": "#6e7781"}
_HOUR, _DAY = timedelta(hours=1), timedelta(days=1)
_STEPS = (timedelta(minutes=15), timedelta(minutes=30), _HOUR, 2 * _HOUR, 3 * _HOUR,
          6 * _HOUR, 12 * _HOUR, _DAY, 2 * _DAY, 7 * _DAY, 14 * _DAY, 31 * _DAY)
_MAX_TICKS = 8


@dataclass(frozen=True, slots=True)
class _Axis:
    start: datetime
    end: datetime
    zone: tzinfo

    def x(self, moment: datetime) -> float:
        """Horizontal position of ``moment``, clamped to the plot."""
        share = (moment - self.start) / (self.end - self.start)
        return _LEFT + _PLOT * min(max(share, 0.0), 1.0)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _tag(name: str, content: str = "", **attributes: Any) -> str:
    """One SVG element; attribute names use ``_`` for ``-`` and a trailing ``_`` for
    Python keywords (``class_``); float values are rounded to 0.1 px."""
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        shown_value = _num(value) if isinstance(value, float) else str(value)
        parts.append(f"{key.rstrip('_').replace('_', '-')}={quoteattr(shown_value)}")
    opening = f"<{name}{' ' if parts else ''}{' '.join(parts)}"
    return f"{opening}>{content}</{name}>" if content else f"{opening}/>"


def _text(x: float, y: float, words: str, **attributes: Any) -> str:
    return _tag("text", escape(words), x=x, y=y, **attributes)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# -- the axis ----------------------------------------------------------------------------


def _bounds(report: SLAReport, moments: list[datetime]) -> tuple[datetime, datetime]:
    start = report.ticket.opened_at
    end = max([report.now, *moments])
    span = max(end - start, _HOUR)
    margin = span / 25
    return start - margin, max(end, start + span) + margin


def _ticks(axis: _Axis) -> Iterator[tuple[datetime, str]]:
    """Tick instants and labels: the smallest step giving at most eight ticks, aligned on
    local wall time (quarter hours, whole hours, midnights, Mondays, firsts of months)."""
    span = axis.end - axis.start
    step = next((s for s in _STEPS if span / s <= _MAX_TICKS), _STEPS[-1])
    local_start = axis.start.astimezone(axis.zone)
    if step < _DAY:
        minutes = int(step.total_seconds()) // 60
        moment = local_start.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        previous: date | None = None
        while moment <= axis.end:
            wall = moment.astimezone(axis.zone)
            if moment >= axis.start and (wall.hour * 60 + wall.minute) % minutes == 0:
                label = wall.strftime("%H:%M")
                if wall.date() != previous:
                    label += "\n" + wall.strftime("%a %d %b")
                    previous = wall.date()
                yield moment, label
            moment += min(step, _HOUR)
        return
    day = local_start.date()
    while (midnight := datetime.combine(day, time(0), tzinfo=axis.zone)) <= axis.end:
        days = step // _DAY
        monday = day.toordinal() % 7 == 1  # day 1 (0001-01-01) was a Monday
        keep = (day.day == 1 if days > 14 else monday and day.toordinal() // 7 % 2 == 0
                if days == 14 else monday if days == 7 else day.toordinal() % days == 0)
        if keep and midnight >= axis.start:
            yield midnight, _day_label(midnight, days)
        day += timedelta(days=1)


def _day_label(midnight: datetime, days: int) -> str:
    """A day tick's label: ``Mon 23 Nov``, or ``Nov 2026`` for monthly ticks."""
    return midnight.strftime("%b %Y" if days > 14 else "%a %d %b")


def _axis_svg(axis: _Axis, top: float, bottom: float) -> list[str]:
    out = [_tag("line", class_="axis-line", x1=float(_LEFT), y1=bottom, x2=float(_LEFT + _PLOT),
                y2=bottom, stroke="#57606a")]
    for moment, label in _ticks(axis):
        x = axis.x(moment)
        lines = label.split("\n")
        text = "".join(_text(x, bottom + 16 + 12 * i, part, text_anchor="middle",
                             font_size=10, fill="#57606a") for i, part in enumerate(lines))
        out.append(_tag("g", _tag("line", x1=x, y1=top, x2=x, y2=bottom, stroke="#eaeef2")
                        + _tag("line", x1=x, y1=bottom, x2=x, y2=bottom + 5, stroke="#57606a")
                        + text, class_="tick"))
    return out


# -- the lanes ---------------------------------------------------------------------------


def _lane(report: SLAReport, axis: _Axis, name: str, data: dict[str, Any] | None, *,
          y: float, hatch: str) -> str:
    metric = report[name]
    status = metric.status
    colour = _COLOURS.get(status, _COLOURS["due"])
    clock = metric.clock
    clock_text = ("no clock" if clock is None else "real time (24x7)" if clock == ALWAYS
                  else f"calendar {clock}")
    out = [_text(_LEFT - 10, y + 16, name, text_anchor="end", font_weight="bold",
                 font_size=12),
           _text(_LEFT - 10, y + 30, f"{status.replace('_', ' ')} · {clock_text}",
                 text_anchor="end", font_size=10, fill=colour),
           _tag("rect", class_="lane-bg", x=float(_LEFT), y=y, width=float(_PLOT),
                height=float(_LANE), fill="#f6f8fa", stroke="#d0d7de")]
    if clock is None or data is None:
        out.append(_text(_LEFT + 8, y + 24, f"{status.replace('_', ' ')}: {metric.reason}",
                         font_size=11, fill="#57606a"))
        return _tag("g", "".join(out), class_="lane", data_metric=name, data_status=status)
    for a, b in report.calendar(name).open_intervals(axis.start, axis.end):
        out.append(_rect(axis, a, b, y + 1, _LANE - 2, kind="open", fill=_COLOURS["open"]))
    end = metric.stopped_at or report.now
    if metric.due is not None and status == "breached" and end > metric.due:
        out.append(_rect(axis, metric.due, end, y + 1, _LANE - 2, kind="overrun",
                         fill=_COLOURS["overrun"]))
    for a, b in data["counted"]:
        out.append(_rect(axis, datetime.fromisoformat(a), datetime.fromisoformat(b),
                         y + _LANE / 2 - 5, 10, kind="counted", fill=_COLOURS["counted"]))
    for pause in data["pauses"]:
        start, stop = _instant(pause["start"]), _instant(pause["end"]) or report.now
        assert start is not None
        out.append(_rect(axis, start, stop, y + 1, _LANE - 2, kind="pause", fill=f"url(#{hatch})",
                         stroke=_COLOURS["pause"]))
    if metric.due is not None:
        x = axis.x(metric.due)
        kind = status if status in {"breached", "met"} else "open"
        line_colour = _COLOURS[kind if kind != "open" else "due"]
        label = f"due {metric.due.astimezone(axis.zone).strftime('%a %d %b %H:%M')}"
        left = x + 4 + len(label) * _CHAR > _LEFT + _PLOT
        out.append(_tag("line", class_=f"due {kind}", x1=x, y1=y - 4, x2=x, y2=y + _LANE + 4,
                        stroke=line_colour, stroke_width=2.5))
        out.append(_text(x - 4 if left else x + 4, y + 11, label, class_="due-label",
                         font_size=10, fill=line_colour, text_anchor="end" if left else None))
    return _tag("g", "".join(out), class_="lane", data_metric=name, data_status=status)


def _rect(axis: _Axis, a: datetime, b: datetime, y: float, height: float, *, kind: str,
          fill: str, **extra: Any) -> str:
    x1, x2 = axis.x(a), axis.x(b)
    return _tag("rect", class_=kind, x=x1, y=y, width=max(x2 - x1, 1.0), height=float(height),
                fill=fill, **extra)


# -- events, now, legend -----------------------------------------------------------------


def _events(axis: _Axis, events: list[dict[str, Any]], bottom: float) -> list[str]:
    """Markers above the lanes with the event's kind. Labels are staggered over three rows;
    when all three are taken near an event, its label moves right of the crowded row's
    last label, joined to its marker by a leader. A faint guide runs down the lanes."""
    ends = [float("-inf")] * _LABEL_ROWS
    out = []
    marker_y = _LANES_TOP - 6
    for event in events:
        at = datetime.fromisoformat(event["at"])
        x = axis.x(at)
        opened = event["index"] is None
        words = "opened" if opened else str(event["kind"]).replace("_", " ")
        width = len(words) * _CHAR
        start = min(max(x - width / 2, 2.0), WIDTH - 2 - width)  # on the canvas
        free = [row for row in range(_LABEL_ROWS) if ends[row] < start]
        row = free[0] if free else min(range(_LABEL_ROWS), key=lambda r: ends[r])
        if not free:
            start = min(ends[row], WIDTH - 2 - width)
        ends[row] = start + width + 4
        label_x, label_y = start + width / 2, _BAND_TOP + _ROW * row + 10
        title = _tag("title", escape(f"{words} at {shown(at, axis.zone)}"
                                     + (f": {event['detail']}" if event["detail"] else "")))
        parts = [title,
                 _tag("line", x1=label_x, y1=label_y + 3, x2=x, y2=marker_y - 8,
                      stroke=_COLOURS["event"], stroke_width=0.8),
                 _tag("line", x1=x, y1=marker_y, x2=x, y2=bottom, stroke=_COLOURS["event"],
                      stroke_dasharray="2 3", stroke_width=0.8),
                 _tag("path", d=f"M{_num(x - 5)},{_num(marker_y - 7)} h10 l-5,7 z",
                      fill="#24292f" if opened else _COLOURS["event"]),
                 _text(label_x, label_y, words, text_anchor="middle", font_size=10,
                       fill="#24292f")]
        if opened:
            out.append(_tag("g", "".join(parts), class_="opened"))
        else:
            out.append(_tag("g", "".join(parts), class_="event", data_kind=event["kind"],
                            data_index=event["index"]))
    return out


def _legend(y: float, hatch: str) -> tuple[str, float]:
    items = [
        ("open hours", _tag("rect", width=14.0, height=10.0, fill=_COLOURS["open"])),
        ("time counted", _tag("rect", y=2.0, width=14.0, height=6.0, fill=_COLOURS["counted"])),
        ("paused", _tag("rect", width=14.0, height=10.0, fill=f"url(#{hatch})",
                        stroke=_COLOURS["pause"])),
        ("overrun", _tag("rect", width=14.0, height=10.0, fill=_COLOURS["overrun"])),
        ("due (met)", _tag("rect", x=6.0, width=3.0, height=10.0, fill=_COLOURS["met"])),
        ("due (breached)", _tag("rect", x=6.0, width=3.0, height=10.0,
                                fill=_COLOURS["breached"])),
        ("due (open)", _tag("rect", x=6.0, width=3.0, height=10.0, fill=_COLOURS["due"])),
        ("event", _tag("path", d="M2,0 h10 l-5,8 z", fill=_COLOURS["event"])),
        ("now", _tag("line", x1=7.0, y1=-1.0, x2=7.0, y2=11.0, stroke="#24292f",
                     stroke_dasharray="3 2", stroke_width=1.5)),
    ]
    out, x, row_y = [], float(_LEFT), y
    for label, swatch in items:
        width = 20 + len(label) * _CHAR + 16
        if x + width > _LEFT + _PLOT:
            x, row_y = float(_LEFT), row_y + 18
        out.append(_tag("g", swatch + _text(20.0, 9.0, label, font_size=10),
                        transform=f"translate({_num(x)},{_num(row_y)})"))
        x += width
    return _tag("g", "".join(out), class_="legend"), row_y + 18


def timeline_svg(report: SLAReport) -> str:
    """The report's timeline as an SVG document (900 px wide), one lane per metric.

    Boundary rule: the axis runs from the opening to the latest of ``now``, each due
    instant and each applied event (at least one hour), with a 4% margin each side; only
    events applied by ``now`` are marked; a metric without a clock (no target, not
    applicable) gets an empty lane with its reason. Example: vircom P2 opened Fri 17:30
    Toronto, responded Mon 07:55 -> two lanes; ``response`` shaded over Fri 07:30-18:00
    and Mon from 07:30 with a green due line at Mon 08:00; ``resolution`` shaded all
    along (real time) with a red due line at Sat 17:30 and the overrun tinted to Mon 07:55.
    """
    data = report.timeline()
    events: list[dict[str, Any]] = data["events"]
    moments = [m.due for m in report.values() if m.due is not None]
    moments += [datetime.fromisoformat(e["at"]) for e in events]
    start, end = _bounds(report, moments)
    zone = report._state.zone
    axis = _Axis(start, end, zone)
    key = f"{report.policy.name}|{report.ticket.id}|{report.ticket.opened_at}|{report.now}"
    hatch = "hatch-" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:10]
    lanes_bottom = _LANES_TOP + len(report) * (_LANE + _GAP) - _GAP
    body = _axis_svg(axis, _LANES_TOP - 4, lanes_bottom + 8)
    for i, name in enumerate(report):
        body.append(_lane(report, axis, name, data["metrics"].get(name),
                          y=_LANES_TOP + i * (_LANE + _GAP), hatch=hatch))
    body += _events(axis, events, lanes_bottom)
    x_now = axis.x(report.now)
    body.append(_tag("line", class_="now", x1=x_now, y1=float(_LANES_TOP - 4), x2=x_now,
                     y2=lanes_bottom + 8.0, stroke="#24292f", stroke_dasharray="5 3",
                     stroke_width=1.5))
    now_label = f"now: {shown(report.now, zone)}"
    half = len(now_label) * _CHAR / 2
    x_label = min(max(x_now, _LEFT + half), _LEFT + _PLOT - half)
    body.append(_text(x_label, lanes_bottom + 50.0, now_label, class_="now-label",
                      text_anchor="middle", font_size=10))
    legend, height = _legend(lanes_bottom + 66.0, hatch)
    body.append(legend)
    ticket = report.ticket
    title = (f"Ticket {ticket.id or '(no id)'}: {report.policy.vendor} ({report.policy.name}), "
             f"tier {ticket.tier}, {report._state.priority}")
    used = [f"{name} {length(m.elapsed)}" for name, m in report.items() if m.length is not None]
    subtitle = "; ".join([f"opened {shown(ticket.opened_at, zone)}",
                          f"as of {shown(report.now, zone)}",
                          f"times in {getattr(zone, 'key', zone)}",
                          *([f"elapsed {', '.join(used)}"] if used else [])])
    pattern = _tag("pattern", _tag("rect", width=6.0, height=6.0, fill="#fff7ed")
                   + _tag("path", d="M0,0 l0,6", stroke=_COLOURS["pause"], stroke_width=2),
                   id=hatch, patternUnits="userSpaceOnUse", width=6, height=6,
                   patternTransform="rotate(45)")
    head = (_tag("title", escape(title)) + _tag("defs", pattern)
            + _tag("rect", width=float(WIDTH), height="100%", fill="#ffffff")
            + _text(12.0, 22.0, title, font_size=15, font_weight="bold")
            + _text(12.0, 40.0, subtitle, font_size=11, fill="#57606a"))
    total = _num(height + 8)
    return ("<svg xmlns=\"http://www.w3.org/2000/svg\" "
            f"width=\"{WIDTH}\" height=\"{total}\" viewBox=\"0 0 {WIDTH} {total}\" "
            "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" role=\"img\">"
            + head + "".join(body) + "</svg>\n")
