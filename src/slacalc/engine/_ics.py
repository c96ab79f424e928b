"""Closures read from iCalendar (RFC 5545) feeds (`slacalc.engine._ics_export` writes).

The engine does no I/O: a feed comes in as text (`slacalc.policy.ics` reads files), and
the optional package ``icalendar`` (``pip install 'slacalc[ics]'``) parses it, imported
only when a feed is first read (`slacalc.engine._ics_events`), so ``import slacalc``
stays light.

What a feed closes (`Feeds`):

* an all-day event (``DTSTART;VALUE=DATE``) closes whole local dates of the calendar,
  like a holiday: DTSTART up to DTEND (exclusive), or DURATION's days, else one date;
* a timed event closes the instants from DTSTART to DTEND (or DTSTART + DURATION), in
  DTSTART's zone (TZID, UTC, or, for a floating time, the calendar's zone);
* RRULE repeats an event (DAILY to YEARLY, expanded as `slacalc.engine._recurrence`
  does, at DTSTART's wall time in its zone, each occurrence as long as the first),
  DTSTART always counts, RDATE adds dates, EXDATE and RECURRENCE-ID overrides remove
  them (an override then closes its own span), and ``STATUS:CANCELLED`` closes nothing.

Bounds: a feed of at most 1,048,576 characters, 16 feeds, 10,000 events, 100,000 dates
and spans from single events, and no event longer than 366 days.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from ..errors import CalendarError
from ._ics_events import (
    Event,
    aware,
    components,
    exclude,
    read_event,
    value_of,
)
from ._recurrence import Recurrence, parse_rule
from ._spans import Span, merge
from ._zone import DAY_US, instant_us, to_datetime

__all__ = ["MOST_EVENTS", "MOST_FEEDS", "MOST_SINGLES", "Feeds", "feed_mapping", "feed_zone"]

MOST_FEEDS = 16
MOST_EVENTS = 10_000
MOST_SINGLES = 100_000
_ZONE_LINE = re.compile(r"^X-WR-TIMEZONE(?:;[^:\r\n]*)?:[ \t]*([^\r\n]+)", re.MULTILINE)


def feed_zone(text: str) -> str | None:
    """The zone a feed says it is in (``X-WR-TIMEZONE``), or None.

    Boundary rule: the first such line counts, its value unchecked (`load_zone` checks
    it). Example: a Google Calendar export holds ``X-WR-TIMEZONE:America/Toronto`` ->
    ``"America/Toronto"``.
    """
    found = _ZONE_LINE.search(text)
    return found[1].strip() if found else None


def feed_mapping(feed: object, calendar: Mapping[str, Any] | None) -> dict[str, Any]:
    """The calendar mapping `BusinessCalendar.from_ics` builds: ``calendar`` (default: open
    24x7 in the feed's ``X-WR-TIMEZONE``) with ``feed`` added to its ``ics`` texts.

    Boundary rule: ``feed`` is a feed's text or its UTF-8 bytes; a path or any other
    object is refused, since the engine reads no files. Example: ``feed_mapping(text,
    None)`` -> ``{"timezone": "America/Toronto", "hours": "24x7", "ics": [text]}``.
    """
    if isinstance(feed, bytes):
        try:
            feed = feed.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CalendarError(f"ics: the feed is not UTF-8 text ({error.reason})",
                                field="ics") from None
    if not isinstance(feed, str):
        raise CalendarError(f"ics: expected a feed's text, got {type(feed).__name__}; the "
                            f"engine reads no files: slacalc.policy.ics.load_ics_calendar"
                            f"(path) reads one", field="ics", value=feed)
    if calendar is None:
        zone = feed_zone(feed)
        if zone is None:
            raise CalendarError("ics: the feed names no zone (X-WR-TIMEZONE); pass "
                                "calendar={'timezone': ..., 'hours': ...}", field="timezone")
        calendar = {"timezone": zone, "hours": "24x7"}
    earlier = calendar.get("ics")
    texts = [] if earlier is None else [earlier] if isinstance(earlier, str) else list(earlier)
    return {**calendar, "ics": [*texts, feed]}


@dataclass(frozen=True, slots=True)
class _DayRule:
    """A recurring all-day event: the dates it starts on, and how many dates it closes."""

    dates: Recurrence
    days: int
    skip: frozenset[date]
    name: str


@dataclass(frozen=True, slots=True)
class _TimedRule:
    """A recurring timed event: start dates in its zone, its wall time, its length."""

    dates: Recurrence
    clock: time
    zone: tzinfo
    days: int  # nominal days of its length (DURATION's days)
    length: int  # exact microseconds of its length beyond them
    skip_days: frozenset[date]
    skip: frozenset[int]

    def span(self, day: date) -> Span:
        return _span(day, self.clock, self.zone, self.days, self.length)


def _span(day: date, clock: time, zone: tzinfo, days: int, length: int) -> Span:
    """The instants of an occurrence starting on local ``day`` at wall time ``clock``.

    Boundary rule (RFC 5545): a wall time in a DST gap takes the offset before the gap,
    an ambiguous one its first occurrence; DURATION's days are nominal (the same wall
    time ``days`` dates later), the rest of the length exact.
    """
    start = instant_us(datetime.combine(day, clock, zone))
    if not days:
        return start, start + length
    end = datetime.combine(day + timedelta(days=days), clock, zone)
    return start, instant_us(end) + length


class Feeds:
    """The closures of a calendar's iCalendar feeds: closed dates and closed spans.

    Boundary rule: an all-day event closes dates in the calendar's zone; a timed event
    closes instants, so a closure from 01:00 to 01:30 EDT on a fall-back night closes
    only the first 01:00-01:30. Example: a feed holding ``DTSTART;VALUE=DATE:20261225``
    closes 2026-12-25; ``closes(date(2026, 12, 25))`` -> the event's SUMMARY.
    """

    __slots__ = ("_day_rules", "_days", "_longest", "_spans", "_starts", "_timed_rules")

    def __init__(self) -> None:
        self._days: dict[date, str] = {}
        self._day_rules: list[_DayRule] = []
        self._spans: list[Span] = []
        self._starts: list[int] = []
        self._longest = 0
        self._timed_rules: list[_TimedRule] = []

    @classmethod
    def parse(cls, texts: object, zone: tzinfo, where: str = "ics") -> Feeds:
        """Read feed texts (one text, or a list of them); ``zone`` places floating times.

        Boundary rule: see the module's bounds; a text that is no iCalendar feed, an event
        without DTSTART, one ending before it starts or a rule slacalc cannot expand is a
        `CalendarError` naming ``where``, the event (SUMMARY and UID) and the rule text.
        Example: ``Feeds.parse(text, ZoneInfo("America/Toronto"))``.
        """
        items = [texts] if isinstance(texts, str) else texts
        if not isinstance(items, Sequence) or not all(isinstance(t, str) for t in items):
            raise CalendarError(f"{where}: expected an iCalendar feed's text or a list of "
                                f"them, got {type(texts).__name__}", field=where)
        if len(items) > MOST_FEEDS:
            raise CalendarError(f"{where}: {len(items)} feeds; a calendar reads at most "
                                f"{MOST_FEEDS}", field=where)
        events: list[Event] = []
        overrides: list[tuple[Event, Any, bool]] = []
        for number, text in enumerate(items):
            label = where if len(items) == 1 else f"{where}[{number}]"
            for component in components(text, label):
                event = read_event(component, zone, label)
                moved = component.get("RECURRENCE-ID")
                cancelled = str(component.get("STATUS", "")).upper() == "CANCELLED"
                if moved is not None:
                    overrides.append((event, value_of(moved, f"{label}: event {event.label}",
                                                      "RECURRENCE-ID"), cancelled))
                elif not cancelled:
                    events.append(event)
                if len(events) + len(overrides) > MOST_EVENTS:
                    raise CalendarError(f"{where}: more than {MOST_EVENTS:,} events; a "
                                        f"calendar reads at most {MOST_EVENTS:,}", field=where)
        by_uid: dict[str, list[Event]] = {}
        for event in events:
            by_uid.setdefault(event.uid, []).append(event)
        for event, moved, cancelled in overrides:
            for master in by_uid.get(event.uid, []):
                exclude(master, [moved])
            if not cancelled:
                event.rules = []
                events.append(event)
        feeds = cls()
        for event in events:
            feeds._add(event, where)
        feeds._spans = merge(feeds._spans)
        feeds._starts = [start for start, _ in feeds._spans]
        feeds._longest = max((end - start for start, end in feeds._spans), default=0)
        return feeds

    # -- building ------------------------------------------------------------------------

    def _add(self, event: Event, where: str) -> None:
        singles = [event.start, *event.extra]
        for rule_text in event.rules:
            rule = parse_rule(rule_text, f"{where}: event {event.label}")
            if event.zone is None:
                assert not isinstance(event.start, datetime)
                dates = Recurrence(rule, event.start, "", until=_day(rule.until),
                                   strict=False)
                self._day_rules.append(_DayRule(dates, event.days, frozenset(event.skip_days),
                                                event.label))
                continue
            assert isinstance(event.start, datetime)
            wall = event.start.astimezone(event.zone)
            until = _until_day(rule.until, wall, event.zone)
            dates = Recurrence(rule, wall.date(), "", until=until, strict=False)
            self._timed_rules.append(_TimedRule(
                dates, wall.time().replace(tzinfo=None), event.zone, event.days, event.length,
                frozenset(event.skip_days), frozenset(event.skip)))
        for single in singles:
            if event.zone is None:
                self._add_days(single, event)
            else:
                self._add_span(single, event)
        if len(self._days) + len(self._spans) > MOST_SINGLES:
            raise CalendarError(f"{where}: more than {MOST_SINGLES:,} closed dates and spans "
                                f"from single events", field=where)

    def _add_days(self, single: object, event: Event) -> None:
        first = single.date() if isinstance(single, datetime) else single
        if not isinstance(first, date) or first in event.skip_days:
            return
        for step in range(event.days):
            self._days.setdefault(first + timedelta(days=step), event.label)

    def _add_span(self, single: object, event: Event) -> None:
        assert event.zone is not None
        if isinstance(single, tuple):  # an RDATE period: its own start and end or length
            begin, finish = single
            start = aware(begin, event.zone)
            end = start + finish if isinstance(finish, timedelta) else aware(finish, event.zone)
            span = (instant_us(start), instant_us(end))
        elif isinstance(single, datetime):
            wall = aware(single, event.zone).astimezone(event.zone)
            if wall.date() in event.skip_days:
                return
            span = _span(wall.date(), wall.time().replace(tzinfo=None), event.zone, event.days,
                         event.length)
        else:
            return
        if span[0] in event.skip:
            return
        self._spans.append(span)

    # -- questions -----------------------------------------------------------------------

    @property
    def timed(self) -> bool:
        """True when some event closes instants rather than whole dates.

        Boundary rule: an event with a DATE-TIME DTSTART is timed, even if zero-long.
        Example: a holiday feed of all-day events -> False.
        """
        return bool(self._spans or self._timed_rules)

    def closes(self, day: date) -> str | None:
        """The event (its SUMMARY and UID) of an all-day event closing local ``day``, or None.

        Boundary rule: an event closes DTSTART's date and the dates up to DTEND, exclusive.
        Example: ``DTSTART;VALUE=DATE:20261225`` / ``DTEND;VALUE=DATE:20261227`` closes
        2026-12-25 and 2026-12-26, not 2026-12-27.
        """
        name = self._days.get(day)
        if name is not None:
            return name
        for rule in self._day_rules:
            for back in range(min(rule.days, day.toordinal())):
                started = day - timedelta(days=back)
                if started not in rule.skip and rule.dates.occurs_on(started):
                    return rule.name
        return None

    def closed_spans(self, lo: int, hi: int) -> list[Span]:
        """The timed events' spans meeting ``[lo, hi)`` (UTC microseconds), merged.

        Boundary rule: spans are half-open and returned whole (not clipped to the range);
        one merely touching ``lo`` or ``hi`` is left out. Example: a weekly Monday
        10:00-12:00 Toronto event, asked for one Monday's UTC day in January ->
        ``[(15:00Z, 17:00Z)]`` as microseconds.
        """
        found: list[Span] = []
        index = bisect_left(self._starts, lo - self._longest)
        while index < len(self._spans) and self._spans[index][0] < hi:
            if self._spans[index][1] > lo:
                found.append(self._spans[index])
            index += 1
        for rule in self._timed_rules:
            first = _utc_date(lo - (rule.days + 2) * DAY_US - rule.length)
            for day in rule.dates.dates(first, _utc_date(hi + 2 * DAY_US)):
                if day in rule.skip_days:
                    continue
                try:
                    start, end = rule.span(day)
                except (OverflowError, ValueError):  # past year 9999
                    continue
                if start not in rule.skip and end > lo and start < hi:
                    found.append((start, end))
        return merge(found)


def _utc_date(instant: int) -> date:
    try:
        return to_datetime(instant, UTC).date()
    except (OverflowError, ValueError):
        return date.min if instant < 0 else date.max


def _day(until: object) -> date | None:
    if isinstance(until, datetime):
        return until.date()
    return until if isinstance(until, date) else None


def _until_day(until: object, wall: datetime, zone: tzinfo) -> date | None:
    """The last start date of a timed rule whose starts must not pass UNTIL (RFC 5545)."""
    if not isinstance(until, datetime):
        return _day(until)
    last = aware(until, zone).astimezone(zone)
    day = last.date()
    if datetime.combine(day, wall.time().replace(tzinfo=None), zone) > last:
        day -= timedelta(days=1)
    return day
