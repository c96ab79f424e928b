"""Spans of instants written out as an iCalendar (RFC 5545) feed, to subscribe to.

Each span becomes one VEVENT with UTC times (exact: an open span's ends are whole
seconds, and UTC has no repeated or missing hour), ``TRANSP:TRANSPARENT`` so that a
subscriber's free/busy time is untouched, and a UID made of the span's ends, so the
same span keeps its UID from one export to the next and a subscribing client updates
rather than duplicates it. Needs the optional package ``icalendar``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from ..errors import CalendarError
from ._ics_events import icalendar
from ._spans import Span
from ._zone import SECOND_US, to_datetime

__all__ = ["MOST_EXPORTED", "write_ics"]

MOST_EXPORTED = 50_000
"""Events one export may hold (about 190 years of weekday hours)."""


def write_ics(spans: Sequence[Span], *, what: str, zone: str, name: str, stamp: int) -> str:
    """An iCalendar feed with one event per span, in UTC (times exact to the second).

    Boundary rule: at most 50,000 spans; DTSTAMP is ``stamp`` (the engine reads no clock),
    so the same spans always give the same text. Example: ``write_ics([(a, b)],
    what="open", zone="America/Toronto", name="support", stamp=a)``.
    """
    if len(spans) > MOST_EXPORTED:
        raise CalendarError(f"to_ics: {len(spans):,} {what} spans; a feed holds at most "
                            f"{MOST_EXPORTED:,}: export a shorter range", field="to_ics")
    package = icalendar()
    feed = package.Calendar()
    feed.add("prodid", "-//slacalc//support hours//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", f"{name} ({what})")
    feed.add("x-wr-timezone", zone)
    for start, end in spans:
        event = package.Event()
        event.add("uid", f"{what}-{start // SECOND_US}-{end // SECOND_US}-{name}@slacalc")
        event.add("dtstamp", to_datetime(stamp - stamp % SECOND_US, UTC))
        event.add("dtstart", to_datetime(start, UTC))
        event.add("dtend", to_datetime(end, UTC))
        event.add("summary", f"{name}: {what}")
        event.add("transp", "TRANSPARENT")
        feed.add_component(event)
    text: str = feed.to_ical().decode("utf-8")
    return text
