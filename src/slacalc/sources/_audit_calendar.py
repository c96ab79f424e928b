"""The audit's calendars without their closed dates: what a desk calendar that knows no
holidays counts. Kept per calendar (and per window of dates), since an audit asks for
them once for every disagreeing ticket and each `Timeline` compiles a year at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta, timezone
from typing import Any

from ..engine import BusinessCalendar
from ..engine._hours import DayHours
from ..engine._zone import to_datetime
from ..engine.timeline import Timeline

__all__ = ["closed_dates", "fixed_timeline", "free_timeline", "open_hours", "timeline"]

_MOST_DAYS = 3700  # dates searched for closures (ten years)
_FREE: dict[int, tuple[BusinessCalendar, Timeline]] = {}
_FREE_MOST = 64  # calendars whose holiday-free timeline is kept (a policy book's worth)
_FIXED: dict[tuple[int, int], tuple[BusinessCalendar, Timeline]] = {}
_CLOSED: dict[tuple[int, date, date], tuple[BusinessCalendar, list[date], str]] = {}
_CLOSED_MOST = 4096  # windows whose closed dates are kept (tickets share their dates)


def open_hours(calendar: BusinessCalendar) -> Callable[[date], DayHours]:
    """The calendar's hours with its closed dates open (special hours kept).

    Example: on a Mon-Fri calendar closed on Thanksgiving, ``open_hours(c)(thursday)``
    gives Thursday's weekly hours.
    """
    def hours(day: date) -> DayHours:
        special = calendar.special.get(day)
        if special is not None:
            return special
        weekly = calendar.weekly.days[day.weekday()]
        return calendar.recurring.apply(day, weekly) if calendar.recurring else weekly
    return hours


def timeline(calendar: BusinessCalendar, zone: Any,
             hours: Callable[[date], DayHours]) -> Timeline:
    """A `Timeline` of ``hours`` read in ``zone``, with the calendar's timed feed closures.

    Example: ``timeline(c, c.zone, open_hours(c))`` is the calendar without holidays.
    """
    feeds = calendar.feeds
    return Timeline(zone, hours, feeds.closed_spans if feeds is not None and feeds.timed
                    else None)


def free_timeline(calendar: BusinessCalendar) -> Timeline:
    """The calendar without its closed dates, one `Timeline` per calendar (kept).

    Boundary rule: a calendar is known by identity (a policy book keeps its policies);
    at most 64 are kept, then the store starts again. Example: two calls with one
    calendar give the same `Timeline`.
    """
    found = _FREE.get(id(calendar))
    if found is not None and found[0] is calendar:
        return found[1]
    if len(_FREE) >= _FREE_MOST:
        _FREE.clear()
    line = timeline(calendar, calendar.zone, open_hours(calendar))
    _FREE[id(calendar)] = (calendar, line)
    return line


def fixed_timeline(calendar: BusinessCalendar, offset: int) -> Timeline:
    """The calendar read at the fixed UTC offset ``offset`` (µs) instead of its zone (its
    own hours and closed dates), one `Timeline` per calendar and offset (kept: each
    compiles a year at a time, and an audit asks for it once per ticket near a DST
    change).

    Boundary rule: as `free_timeline`, a calendar is known by identity; at most 64
    calendars' worth are kept. Example: ``fixed_timeline(c, -7 * 3_600_000_000)`` counts
    Los Angeles business hours as if daylight time never ended.
    """
    key = (id(calendar), offset)
    found = _FIXED.get(key)
    if found is not None and found[0] is calendar:
        return found[1]
    if len(_FIXED) >= 2 * _FREE_MOST:
        _FIXED.clear()
    line = timeline(calendar, timezone(timedelta(microseconds=offset)), calendar.hours_on)
    _FIXED[key] = (calendar, line)
    return line


def closed_dates(calendar: BusinessCalendar, start: int, end: int) -> tuple[list[date], str]:
    """The closed dates of ``calendar`` (open on its weekly hours, closed by a holiday)
    from the date of ``start`` to the date of ``end`` (UTC µs, read in its zone; at most
    ten years), and their names as the audit's detail gives them.

    Boundary rule: both end dates included. Example: a US calendar from Mon 2026-11-23
    to Fri 2026-11-27 -> ``[date(2026, 11, 26)]``, ``"calendar 'business'
    (America/Los_Angeles) is closed on Thu 2026-11-26 (Thanksgiving Day)"``.
    """
    first = to_datetime(start, calendar.zone).date()
    last = to_datetime(end, calendar.zone).date()
    key = (id(calendar), first, last)
    found = _CLOSED.get(key)
    if found is not None and found[0] is calendar:
        return found[1], found[2]
    free = open_hours(calendar)
    days = [first + timedelta(days=step) for step in range(min((last - first).days + 1,
                                                               _MOST_DAYS))]
    closed = [day for day in days if free(day) and not calendar.hours_on(day)]
    names = (f"calendar {calendar.name or ''!r} ({calendar.zone}) is closed on "
             + ", ".join(f"{day:%a %Y-%m-%d} ({calendar.closures.name(day) or 'closed'})"
                         for day in closed))
    if len(_CLOSED) >= _CLOSED_MOST:
        _CLOSED.clear()
    _CLOSED[key] = (calendar, closed, names)
    return closed, names
