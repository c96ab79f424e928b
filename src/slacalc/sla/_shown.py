"""How an explanation (`slacalc.sla.report`) shows instants and counted spans, cheaply:
each instant's text remembered per instant, and the calendar's open spans kept in UTC
µs until the few that are written become datetimes. The texts are exactly those of
``datetime.astimezone(zone).strftime`` and `BusinessCalendar.open_intervals`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from ..engine._zone import instant_us
from .history import History, HistoryClock

__all__ = ["counted_us", "shown_in"]

_SHOWN: dict[Any, dict[int, str]] = {}  # per zone: instant (UTC µs) -> its text
_SHOWN_LIMIT = 100_000  # texts kept in all (memory flat)
_FORMAT = "%a %Y-%m-%d %H:%M %Z"


def shown_in(zone: tzinfo) -> Callable[[datetime], str]:
    """How an explanation writes an instant in ``zone``, each text remembered per
    instant in UTC µs (a month of minutes repeats a lot across tickets).

    Boundary rule: remembered per instant, never per wall time: the two 01:30 of a DST
    fold are two instants and two texts; at most `_SHOWN_LIMIT` texts kept in all. A
    tzinfo that cannot be a key is written every time. Example:
    ``shown_in(ZoneInfo("America/Toronto"))(datetime(2026, 11, 1, 6, 30, tzinfo=UTC))``
    -> ``"Sun 2026-11-01 01:30 EST"``.
    """
    try:
        known = _SHOWN.setdefault(zone, {})
    except TypeError:  # a tzinfo that cannot be a key: nothing remembered
        return lambda moment: moment.astimezone(zone).strftime(_FORMAT)

    def show(moment: datetime) -> str:
        at = instant_us(moment)
        text = known.get(at)
        if text is None:
            if sum(map(len, _SHOWN.values())) >= _SHOWN_LIMIT:
                for texts in _SHOWN.values():
                    texts.clear()
            text = known[at] = moment.astimezone(zone).strftime(_FORMAT)
        return text
    return show


def counted_us(state: History, clock: HistoryClock, metric: str
               ) -> list[tuple[int, int, tzinfo]]:
    """The open spans of the metric's calendar inside each span its clock ran (up to
    ``now``), in UTC µs, each with the tzinfo of that clock span's start: what
    `BusinessCalendar.open_intervals` gives before its spans become datetimes (an
    explanation writes only the first few, and counts the rest).

    Boundary rule: for a metric with a target (the caller checks); none without a
    calendar; a clock span ending at or before its start adds none. Example: a 07:30-18:00
    calendar, a clock running Fri 17:00 -> Mon 08:00 -> the µs of (Fri 17:00, Fri 18:00)
    and (Mon 07:30, Mon 08:00).
    """
    calendar = state.calendar(metric)
    if calendar is None:
        return []
    timeline = calendar.timeline
    counted: list[tuple[int, int, tzinfo]] = []
    for start, end in clock.spans:
        assert start is not None
        stop = state.now if end is None else min(end, state.now)
        if stop > start:
            zone = start.tzinfo
            assert zone is not None  # an instant of the replay: aware
            counted += [(a, b, zone) for a, b in timeline.spans(instant_us(start),
                                                                 instant_us(stop))]
    return counted
