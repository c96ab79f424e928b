"""The VEVENTs of an iCalendar feed, read into plain records for `slacalc.engine._ics`.

Only this module and `slacalc.engine._ics_export` touch the optional package
``icalendar``, imported inside `icalendar` when a feed is first used. A record keeps
what expanding an event needs: its start (a date, or an aware date-time), its length
(nominal days plus exact microseconds), its RRULE texts, RDATE values and the dates and
instants EXDATE removes; problems are `CalendarError` naming the event by SUMMARY and UID.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from types import ModuleType
from typing import Any

from ..errors import CalendarError
from ._zone import DAY_US, instant_us

__all__ = ["MOST_DAYS", "MOST_FEED_CHARS", "Event", "aware", "components", "exclude",
           "icalendar", "read_event", "value_of", "values_of"]

MOST_FEED_CHARS = 1 << 20
MOST_DAYS = 366
_ONE_US = timedelta(microseconds=1)


def icalendar() -> ModuleType:
    """The ``icalendar`` package, or a `ModuleNotFoundError` saying how to install it.

    Example: ``icalendar().Calendar.from_ical(text)``.
    """
    try:
        import icalendar as package  # noqa: PLC0415 - optional: imported when a feed is used
    except ModuleNotFoundError as missing:
        raise ModuleNotFoundError(
            "iCalendar feeds need the optional package icalendar: pip install 'slacalc[ics]'",
            name="icalendar") from missing
    return package


@dataclass(slots=True)
class Event:
    """One VEVENT as read: enough to expand it and to name it in an error."""

    label: str
    uid: str
    start: date | datetime  # aware when timed
    zone: tzinfo | None  # None: all-day
    days: int
    length: int
    rules: list[str]
    extra: list[Any]
    skip_days: set[date] = field(default_factory=set)
    skip: set[int] = field(default_factory=set)


def components(text: str, where: str) -> list[Any]:
    """The VEVENT components of a feed's text (of every VCALENDAR in it).

    Boundary rule: at most 1,048,576 characters, and the text must hold BEGIN:VCALENDAR
    (a path, say, is not mistaken for a feed); what ``icalendar`` cannot parse is a
    `CalendarError` naming ``where``. Example: ``components(text, "ics")`` -> [VEVENT, ...].
    """
    if len(text) > MOST_FEED_CHARS:
        raise CalendarError(f"{where}: the feed has {len(text):,} characters; a feed is "
                            f"limited to {MOST_FEED_CHARS:,}", field=where)
    if "BEGIN:VCALENDAR" not in text.upper():
        shown = repr(text[:60]) + ("..." if len(text) > 60 else "")
        raise CalendarError(f"{where}: not an iCalendar feed (no BEGIN:VCALENDAR): {shown}; "
                            f"pass the feed's text (slacalc.policy.ics reads files)",
                            field=where)
    try:
        calendars = icalendar().Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise CalendarError(f"{where}: not a valid iCalendar feed ({error})",
                            field=where) from None
    return [event for calendar in calendars for event in calendar.walk("VEVENT")]


def value_of(prop: Any, name: str, what: str) -> Any:
    """The parsed value of property ``prop`` (a date, date-time, duration or period).

    Boundary rule: a value ``icalendar`` could not parse is a `CalendarError` naming the
    event (``name``) and the property (``what``). Example: ``value_of(vevent["DTSTART"],
    "ics: event 'Maintenance'", "DTSTART")`` -> ``datetime(2026, 1, 5, 10, 0, tzinfo=...)``.
    """
    value = getattr(prop, "dt", None)
    if value is None:
        raise CalendarError(f"{name}: {what} {prop!r} is not a date, date-time, duration or "
                            f"period", field="ics")
    return value


def aware(value: datetime, zone: tzinfo) -> datetime:
    """``value`` itself when aware; a floating (naive) time read in ``zone``.

    Example: ``aware(datetime(2026, 1, 5, 10), ZoneInfo("America/Toronto"))`` -> 10:00 EST.
    """
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def read_event(component: Any, zone: tzinfo, where: str) -> Event:
    """One VEVENT as an `Event`; ``zone`` (the calendar's) places a floating time.

    Boundary rule: DTSTART is required; an all-day event lasts DTEND - DTSTART dates (DTEND
    exclusive), or DURATION's days rounded up, else one date; a timed one lasts DTEND -
    DTSTART exactly, or DURATION (its days nominal), else nothing; an event ending before
    it starts or lasting over 366 days is a `CalendarError`. Example: DTSTART;VALUE=DATE:
    20261224 with DTEND;VALUE=DATE:20261227 -> ``days == 3`` (24, 25 and 26 December).
    """
    uid = str(component.get("UID", ""))
    summary = str(component.get("SUMMARY", "")).strip()
    label = " ".join(filter(None, [repr(summary) if summary else "",
                                   f"(UID {uid})" if uid else ""])) or "without SUMMARY or UID"
    name = f"{where}: event {label}"
    if component.get("DTSTART") is None:
        raise CalendarError(f"{name}: DTSTART is missing", field=where)
    start = value_of(component["DTSTART"], name, "DTSTART")
    end, length, rules = (component.get(key) for key in ("DTEND", "DURATION", "RRULE"))
    texts = [rule.to_ical().decode() for rule in
             (rules if isinstance(rules, list) else [rules] if rules is not None else [])]
    event = Event(label, uid, start, None, 1, 0, texts, values_of(component.get("RDATE"), name))
    if not isinstance(start, datetime):  # all-day
        if end is not None:
            last = value_of(end, name, "DTEND")
            event.days = ((last.date() if isinstance(last, datetime) else last) - start).days
        elif length is not None:
            span = value_of(length, name, "DURATION")
            event.days = span.days + (1 if span.seconds or span.microseconds else 0)
    else:
        event.zone = start.tzinfo or zone
        event.start = aware(start, zone)
        event.days = 0
        if end is not None:
            last = value_of(end, name, "DTEND")
            if not isinstance(last, datetime):
                raise CalendarError(f"{name}: DTEND {last} is a date but DTSTART a date-time",
                                    field=where)
            event.length = instant_us(aware(last, event.zone)) - instant_us(event.start)
        elif length is not None:
            span = value_of(length, name, "DURATION")
            event.days, event.length = span.days, (span - timedelta(days=span.days)) // _ONE_US
    whole = event.days * DAY_US + event.length
    if whole < 0 or (event.zone is None and event.days < 1):
        raise CalendarError(f"{name}: it ends before it starts", field=where)
    if whole > MOST_DAYS * DAY_US:
        raise CalendarError(f"{name}: it lasts over {MOST_DAYS} days; an event is at most "
                            f"{MOST_DAYS} days long", field=where)
    exclude(event, values_of(component.get("EXDATE"), name))
    return event


def values_of(prop: Any, name: str) -> list[Any]:
    """The values of an RDATE or EXDATE property (each may hold a list, or repeat).

    Example: ``EXDATE;VALUE=DATE:20260110,20260117`` -> [2026-01-10, 2026-01-17].
    """
    found: list[Any] = []
    for item in prop if isinstance(prop, list) else [prop] if prop is not None else []:
        found.extend(value_of(value, name, "RDATE/EXDATE") for value in getattr(item, "dts", []))
    return found


def exclude(event: Event, values: Iterable[Any]) -> None:
    """Remove occurrences from ``event``: a date-time removes the occurrence starting at
    that instant (a floating one read in the event's zone), a date every occurrence
    starting on that date. Example: EXDATE 2026-01-12T10:00 removes Monday 12 January's."""
    for value in values:
        if isinstance(value, datetime) and event.zone is not None:
            event.skip.add(instant_us(aware(value, event.zone)))
        elif isinstance(value, datetime):
            event.skip_days.add(value.date())
        elif isinstance(value, date):
            event.skip_days.add(value)
