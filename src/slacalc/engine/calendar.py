"""`BusinessCalendar`: the facade over hours, closures and the compiled timeline.

The rule (docs/concepts.md states it in full): a calendar is a predicate on local wall
time. It is open at instant ``t`` iff ``t``'s local date is not closed and ``t``'s local
time of day lies in a half-open ``[start, end)`` interval of that date's hours. Business
time is real elapsed time during which the predicate holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from difflib import get_close_matches
from typing import Any

from ..errors import CalendarError
from ._closures import Closures
from ._hours import DAY_S, DayHours, WeeklyHours, parse_special_hours
from ._ics import Feeds, feed_mapping
from ._ics_export import write_ics
from ._recurring import RecurringHours
from ._spans import merge, subtract
from ._zone import (
    MAX_YEAR,
    instant_us,
    load_zone,
    local_instant,
    require_aware,
    to_datetime,
    wall_preimage,
    wall_us,
)
from .durations import parse_length
from .timeline import LENGTH_LIMIT_US, SPAN_LIMIT_YEARS, Timeline

__all__ = ["ALWAYS", "BusinessCalendar"]

ALWAYS = "24x7"
"""The name of the calendar that is always open: business time is real time."""

_KEYS = ("timezone", "hours", "holidays", "special_hours", "recurring", "business_day", "ics")
_ONE_US = timedelta(microseconds=1)
_SECOND_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MOST_DATES = (SPAN_LIMIT_YEARS + 1) * 366  # more open dates than 101 years hold
_LAST_ORDINAL = date(MAX_YEAR, 12, 31).toordinal()


def _duration_us(value: object, what: str) -> int:
    if not isinstance(value, timedelta):
        raise CalendarError(
            f"{what}: expected a datetime.timedelta, got {type(value).__name__} {value!r}",
            field=what,
            value=value,
        )
    return value // _ONE_US


class BusinessCalendar:
    """Open hours in one IANA zone, with holidays and special dates, and exact arithmetic.

    Build one with `from_dict` (the mapping a policy's ``calendars:`` holds), or with
    `from_ics` from an iCalendar feed's closures. Every method
    takes and returns aware datetimes; results carry the tzinfo of the caller's input.
    A calendar is immutable; its compiled timeline is a cache, safe to share across threads.
    """

    __slots__ = ("_spec", "_timeline", "business_day", "closures", "feeds", "name", "recurring",
                 "special", "weekly", "zone")

    def __init__(
        self,
        *,
        timezone: str,
        hours: WeeklyHours,
        closures: Closures | None = None,
        special: Mapping[date, DayHours] | None = None,
        business_day: timedelta | None = None,
        name: str | None = None,
        spec: Mapping[str, Any] | None = None,
        recurring: RecurringHours | None = None,
        feeds: Feeds | None = None,
    ) -> None:
        self.name = name
        self.zone = load_zone(timezone)
        self.weekly = hours
        self.closures = closures or Closures()
        self.special = dict(special or {})
        self.recurring = recurring or RecurringHours()
        self.feeds = feeds
        if hours.is_empty() and not any(self.special.values()) and not self.recurring.opens():
            raise CalendarError(
                f"{self._label()}hours: the calendar never opens (no weekday has open hours)",
                field="hours",
                value=None,
            )
        self.business_day = business_day if business_day is not None else _regular_day(hours)
        self._spec = dict(spec) if spec is not None else {"timezone": timezone}
        timed = feeds.closed_spans if feeds is not None and feeds.timed else None
        self._timeline = Timeline(self.zone, self.hours_on, timed)

    # -- construction --------------------------------------------------------------------

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], *, name: str | None = None) -> BusinessCalendar:
        """Build a calendar from its mapping (``timezone``, ``hours``, ``holidays``, ...).

        Boundary rule: the key set is fixed; an unknown key, zone, weekday, country, rule or
        a malformed time raises `CalendarError` naming the field and the bad value
        (``recurring[1].rule`` and the rule text). ``ics`` holds feed texts, never paths.
        Example: ``from_dict({"timezone": "America/Toronto", "hours": {"mon-fri":
        "07:30-18:00"}, "holidays": {"country": "CA", "subdiv": "QC"}, "recurring":
        [{"rule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "hours": "closed"}]})``.
        """
        label = f"calendar {name!r}: " if name else ""
        if not isinstance(mapping, Mapping):
            raise CalendarError(f"{label}expected a mapping, got {mapping!r}", value=mapping)
        for key in mapping:
            if key not in _KEYS:
                close = get_close_matches(str(key), _KEYS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise CalendarError(
                    f"{label}{key}: unknown key {key!r}{hint}; expected {', '.join(_KEYS)}",
                    field=str(key),
                    value=key,
                )
        if "timezone" not in mapping:
            raise CalendarError(f"{label}timezone: required (an IANA zone name)", field="timezone")
        if "hours" not in mapping:
            raise CalendarError(f"{label}hours: required ('24x7' or weekday -> hours)",
                                field="hours")
        try:
            zone = load_zone(mapping["timezone"])
            business_day = mapping.get("business_day")
            feeds = mapping.get("ics")
            return cls(
                timezone=mapping["timezone"],
                hours=WeeklyHours.from_spec(mapping["hours"]),
                closures=Closures.from_spec(mapping.get("holidays")),
                special=parse_special_hours(mapping.get("special_hours")),
                recurring=RecurringHours.from_spec(mapping.get("recurring")),
                feeds=None if feeds is None else Feeds.parse(feeds, zone),
                business_day=(
                    None if business_day is None else parse_length(business_day, "business_day")
                ),
                name=name,
                spec=mapping,
            )
        except CalendarError as error:
            if not label:
                raise
            raise CalendarError(f"{label}{error}", field=error.field, value=error.value) from None

    @classmethod
    def from_ics(cls, feed: str | bytes, calendar: Mapping[str, Any] | None = None, *,
                 name: str | None = None) -> BusinessCalendar:
        """``calendar`` closed by an iCalendar feed's events: `from_dict` of ``calendar``'s
        mapping (default: open 24x7 in the feed's ``X-WR-TIMEZONE``) with the feed added
        under ``ics``.

        Boundary rule: the engine reads no files, so ``feed`` is a feed's text (or UTF-8
        bytes) and anything else is refused (`slacalc.policy.ics.load_ics_calendar` reads
        a file safely); all-day events close local dates, timed events their instants.
        Needs the ``ics`` extra. Example: ``from_ics(text, {"timezone": "America/Toronto",
        "hours": {"mon-fri": "09:00-17:00"}})`` is closed on the feed's holidays.
        """
        return cls.from_dict(feed_mapping(feed, calendar), name=name)

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """The 24x7 calendar: business time equals real time. Example: add(t, 1 h) == t + 1 h."""
        return cls.from_dict({"timezone": timezone, "hours": ALWAYS}, name=ALWAYS)

    def to_dict(self) -> dict[str, Any]:
        """The mapping this calendar was built from (``from_dict(c.to_dict())`` is equivalent)."""
        return dict(self._spec)

    def _label(self) -> str:
        return f"calendar {self.name!r}: " if self.name else ""

    def __repr__(self) -> str:
        shown = f"{self.name!r}, " if self.name else ""
        return f"BusinessCalendar({shown}{self.zone.key})"

    # -- the predicate -------------------------------------------------------------------

    def hours_on(self, day: date) -> DayHours:
        """The open intervals of local ``day`` (seconds after midnight).

        Boundary rule: special hours replace the date's hours, else a holiday or an all-day
        feed event closes it, else the first ``recurring`` entry with hours falling on it
        replaces the weekly hours, and every ``recurring`` closed window falling on it is
        cut out. A feed's timed events close instants, not wall hours: they are not here
        (the timeline applies them). Example: Toronto 07:30-18:00 on Mon 2026-03-02 ->
        ``((27000, 64800),)``; on Canada Day -> ``()``.
        """
        special = self.special.get(day)
        if special is not None:
            return special
        if self.closures.is_closed(day) or (self.feeds is not None and self.feeds.closes(day)):
            return ()
        hours = self.weekly.days[day.weekday()]
        return self.recurring.apply(day, hours) if self.recurring else hours

    def is_open(self, moment: datetime) -> bool:
        """True when the calendar is open at ``moment`` (intervals are half-open).

        Example, hours 07:30-18:00: Fri 17:59:59 -> True; Fri 18:00 -> False.
        """
        return self._timeline.is_open(instant_us(require_aware(moment, "moment")))

    def next_open(self, moment: datetime) -> datetime:
        """Earliest open instant at or after ``moment``; ``moment`` itself when open.

        Example, hours 07:30-18:00: Fri 18:00 -> Mon 07:30; Mon 09:00 -> Mon 09:00.
        """
        instant = instant_us(require_aware(moment, "moment"))
        return to_datetime(self._timeline.next_open(instant), moment.tzinfo)  # type: ignore[arg-type]

    def next_close(self, moment: datetime) -> datetime:
        """Earliest closing instant after ``moment`` (the end of the current or next open span).

        Example, hours 07:30-18:00: Fri 09:00 -> Fri 18:00; Fri 18:00 -> Mon 18:00.
        """
        instant = instant_us(require_aware(moment, "moment"))
        return to_datetime(self._timeline.next_close(instant), moment.tzinfo)  # type: ignore[arg-type]

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The open spans inside ``[start, end)``, clipped to it, in ``start``'s tzinfo.

        Example, hours 07:30-18:00: Fri 17:00 .. Mon 08:00 -> [(Fri 17:00, Fri 18:00),
        (Mon 07:30, Mon 08:00)].
        """
        lo = instant_us(require_aware(start, "start"))
        hi = instant_us(require_aware(end, "end"))
        tz = start.tzinfo
        return [(to_datetime(a, tz), to_datetime(b, tz)) for a, b in self._timeline.spans(lo, hi)]  # type: ignore[arg-type]

    def to_ics(self, start: datetime, end: datetime, *, closed: bool = False) -> str:
        """The open spans in ``[start, end)`` as an iCalendar feed (the closed ones with
        ``closed=True``): one event per span, in UTC, for a team to subscribe to.

        Boundary rule: spans are clipped to the range and closed spans are the range's
        instants outside open ones; ``start`` and ``end`` must be whole seconds (iCalendar's
        resolution); at most 50,000 events; DTSTAMP is ``start``, so a range always gives
        the same text. Needs the ``ics`` extra. Example, hours Mon-Fri 09:00-17:00: Mon
        00:00 .. Sat 00:00 -> five events; ``from_ics(c.to_ics(a, b, closed=True),
        {"timezone": ..., "hours": "24x7"})`` is open exactly where ``c`` is in ``[a, b)``.
        """
        lo = instant_us(require_aware(start, "start"))
        hi = instant_us(require_aware(end, "end"))
        if lo % _SECOND_US or hi % _SECOND_US:
            raise CalendarError("to_ics: start and end must be whole seconds (iCalendar "
                                "times have no fractions)", field="to_ics", value=(start, end))
        spans = self._timeline.spans(lo, hi)
        if closed:
            spans = subtract([(lo, hi)], spans) if lo < hi else []
        return write_ics(spans, what="closed" if closed else "open", zone=self.zone.key,
                         name=self.name or "calendar", stamp=lo)

    # -- arithmetic ----------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of business time after ``start`` (before it, if negative).

        Boundary rule: forward, the earliest ``t >= start`` with ``elapsed(start, t) ==
        duration``, so a deadline landing on closing time is the closing instant and a start
        outside hours counts from the next opening; backward, the latest such ``t <= start``.
        ``add(t, timedelta(0)) == t``. `CalendarError` when the answer would lie more
        than 100 years from ``start`` or 10 years of closed time away (at once for a
        duration longer than 101 years); `NaiveDatetimeError` for a naive or NaT start.
        Example, hours 07:30-18:00: Fri 17:30 + 1 h -> Mon 08:00; Fri 17:00 + 1 h -> Fri
        18:00; Mon 08:00 - 1 h -> Fri 17:30.
        """
        try:
            origin = (start - _EPOCH) // _ONE_US
        except TypeError:
            require_aware(start, "start")
            raise
        if type(origin) is not int:  # NaT: a float NaN
            require_aware(start, "start")
        amount = _duration_us(duration, "duration")
        if not amount:
            return start
        return to_datetime(self._timeline.shift(origin, amount), start.tzinfo)  # type: ignore[arg-type]

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; negative when ``end`` is before ``start``.

        Example, hours 07:30-18:00: Fri 17:00 .. Mon 08:00 -> 1 h 30 min;
        ``elapsed(b, a) == -elapsed(a, b)``. `CalendarError` when the two instants are more
        than 100 years apart; `NaiveDatetimeError` when either is naive or NaT.
        """
        try:
            lo = (start - _EPOCH) // _ONE_US
            hi = (end - _EPOCH) // _ONE_US
        except TypeError:
            require_aware(start, "start")
            require_aware(end, "end")
            raise
        if type(lo) is not int or type(hi) is not int:  # NaT: a float NaN
            require_aware(start, "start")
            require_aware(end, "end")
        return timedelta(microseconds=self._timeline.between(lo, hi))

    @property
    def timeline(self) -> Timeline:
        """The compiled timeline (UTC microseconds in, UTC microseconds out)."""
        return self._timeline

    def relative_due(self, moment: datetime, days: int, at: int | None) -> datetime:
        """A deadline named by the calendar: ``days`` open dates after ``moment``'s business
        day, at local time ``at`` (seconds after midnight), or at that date's last closing.

        Boundary rule: ``moment``'s business day is the local date of `next_open(moment)`, so
        a ticket opened after closing belongs to the next open date; a time ``at`` inside a
        DST gap means the first instant the clock reads past it. The walk over dates stops
        with a `CalendarError` naming ``days`` once it passes `SPAN_LIMIT_YEARS` years (at
        once when ``days`` exceeds the dates those years hold).
        Example, hours Mon-Fri 07:30-18:00: Fri 19:00, days=1, at=16:00 -> Tue 16:00
        (business day Monday, next one Tuesday); Fri 10:00, days=0, at=None -> Fri 18:00.
        """
        instant = self.relative_due_us(instant_us(require_aware(moment, "moment")), days, at)
        return to_datetime(instant, moment.tzinfo)  # type: ignore[arg-type]

    def relative_due_us(self, instant: int, days: int, at: int | None) -> int:
        """`relative_due` on UTC microseconds (the same boundary rule).

        Example, hours Mon-Fri 07:30-18:00 Toronto: Fri 2026-11-20 19:00 EST (as µs), days=1,
        at=57600 -> Tue 2026-11-24 16:00 EST (as µs).
        """
        if at is not None and not 0 <= at <= DAY_S:
            raise CalendarError(f"{self._label()}at: {_count(at)} is not a time of day (0 to "
                                f"{DAY_S} seconds after midnight)", field="at", value=at)
        if days > _MOST_DATES:
            raise self._too_many_days(days, "")
        start = self._timeline.next_open(instant)
        first = day = to_datetime(start, self.zone).date()
        for _ in range(days):
            day = self._next_open_date(day)
            if day.year - first.year > SPAN_LIMIT_YEARS:
                raise self._too_many_days(days, f" after {first}")
        return self._spans_on(day)[-1][1] if at is None else local_instant(self.zone, day, at)

    def _too_many_days(self, days: int, after: str) -> CalendarError:
        return CalendarError(
            f"{self._label()}{_count(days)} business days do not fit within {SPAN_LIMIT_YEARS} "
            f"years{after}: business time is measured within {SPAN_LIMIT_YEARS} years",
            field="days", value=days)

    def _spans_on(self, day: date) -> list[tuple[int, int]]:
        """The instants at which local ``day``'s hours are open (none when its only hours
        fall inside a spring-forward gap)."""
        spans = merge(span for start, end in self.hours_on(day)
                      for span in wall_preimage(self.zone, wall_us(day, start), wall_us(day, end)))
        if spans and self.feeds is not None and self.feeds.timed:
            return subtract(spans, self.feeds.closed_spans(spans[0][0], spans[-1][1]))
        return spans

    def _next_open_date(self, day: date) -> date:
        """The next local date after ``day`` that really opens."""
        for step in range(1, 3654):
            if day.toordinal() + step > _LAST_ORDINAL:
                raise CalendarError(f"{self._label()}no open date after {day} within the "
                                    f"years a calendar holds (up to {MAX_YEAR})")
            candidate = day + timedelta(days=step)
            if self._spans_on(candidate):
                return candidate
        raise CalendarError(f"{self._label()}no open date within 10 years after {day}")

    def business_days(self, count: int) -> timedelta:
        """``count`` business days as business time (``count`` x ``business_day``).

        Boundary rule: needs a known ``business_day`` (stated, or implied by equally long
        open weekdays), and the result may be at most 100 years (36,500 days) either way,
        the longest business time a calendar measures; else `CalendarError` naming
        ``count``. Example: hours 06:00-18:00 -> ``business_days(2) == 24 hours``.
        """
        if self.business_day is None:
            raise CalendarError(
                f"{self._label()}business_day: open weekdays differ in length, so one business "
                f"day is undefined; state it, e.g. 'business_day: 8 hours'",
                field="business_day",
            )
        if abs(count) * (self.business_day // _ONE_US) > LENGTH_LIMIT_US:
            raise CalendarError(
                f"{self._label()}business_days: {_count(count)} business days of "
                f"{self.business_day} are longer than {SPAN_LIMIT_YEARS} years (36,500 days), "
                f"the most business time a calendar measures", field="business_days",
                value=count)
        return self.business_day * count


def _regular_day(hours: WeeklyHours) -> timedelta | None:
    """The open length shared by every open weekday, or None if they differ."""
    lengths = {length for length in hours.lengths() if length}
    if len(lengths) == 1:
        return timedelta(seconds=lengths.pop())
    return None


def _count(number: int) -> str:
    """``number`` for a message: ``1,000,000``; a huge one only by its size (no 5000 digits)."""
    return f"{number:,}" if abs(number) < 10**30 else f"{'-' if number < 0 else ''}over 10^30"
