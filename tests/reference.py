"""A brute-force reference for business calendars, sharing no code with slacalc.

The approach is deliberately naive so that it is obviously correct:

* The mapping (``timezone``, ``hours``, ``holidays``, ``special_hours``) is parsed by a few
  lines of code of its own into, per local date, a list of half-open ``[start, end)``
  intervals in minutes after local midnight. An interval whose end is not after its start
  (``"22:00-06:00"``) gives ``[start, 24:00)`` to its weekday and ``[00:00, end)`` to the
  next weekday. A date listed in ``special_hours`` takes exactly the listed hours; otherwise
  a closed date (a country holiday not in ``remove``, or an ``add`` date) has no hours;
  otherwise the weekday's hours apply. Only the forms the tests use are supported.
* The predicate is evaluated at an instant by converting it to the calendar's zone with
  ``zoneinfo`` (``t.astimezone(UTC).astimezone(ZoneInfo(tz))``: through UTC, because
  ``astimezone`` to the tzinfo a datetime already has changes nothing, and a wall time typed
  into a DST gap must be read as the instant it denotes) and looking the local time of day
  up in the local date's intervals. Nothing else knows about daylight saving time: a gap or
  a repeated hour falls out of the conversion.
* Business time is counted by walking minute by minute in UTC. Every calendar boundary and
  every DST transition of the zones used lies on a whole UTC minute, so the predicate is
  constant on each ``[m, m + 1 min)`` and an open minute adds exactly one minute. Every
  walk is bounded (``MAX_WALK``) and raises `WalkTooLongError` instead of looping forever.

Only the per-date interval lists (and the ``holidays`` objects) are cached; the open/closed
decision for each minute always comes from converting that minute's UTC instant to local
wall time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays

__all__ = ["MINUTE", "ReferenceCalendar", "WalkTooLongError"]

MINUTE = timedelta(minutes=1)
MAX_WALK = timedelta(days=60)
_DAY_MINUTES = 24 * 60
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Interval = tuple[int, int]  # minutes after local midnight, half-open


class WalkTooLongError(RuntimeError):
    """A reference walk went past `MAX_WALK` without finding what it looked for."""


def _minutes(text: str) -> int:
    hours, minutes = text.strip().split(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= _DAY_MINUTES or not 0 <= int(minutes) < 60:
        raise ValueError(f"bad time of day {text!r}")
    return value


def _ranges(value: str | list[str]) -> list[tuple[int, int]]:
    """``"09:00-12:30"`` or a list of them -> ``[(540, 750)]`` (end may precede start)."""
    items = [value] if isinstance(value, str) else list(value)
    result = []
    for item in items:
        start, end = item.split("-")
        result.append((_minutes(start), _minutes(end)))
    return result


def _weekdays(key: str) -> list[int]:
    """``"daily"`` -> all, ``"mon-fri"`` -> 0..4, ``"sat"`` -> [5]."""
    key = key.strip().lower()
    if key == "daily":
        return list(range(7))
    if "-" in key:
        first, last = (_WEEKDAYS.index(part) for part in key.split("-"))
        return [(first + step) % 7 for step in range((last - first) % 7 + 1)]
    return [_WEEKDAYS.index(key)]


def _weekly(spec: str | Mapping[str, Any]) -> list[list[Interval]]:
    """The intervals of each weekday (0 = Monday), overnight intervals already split."""
    week: list[list[Interval]] = [[] for _ in range(7)]
    if spec == "24x7":
        return [[(0, _DAY_MINUTES)] for _ in range(7)]
    assert isinstance(spec, Mapping), spec
    for key, value in spec.items():
        for day in _weekdays(key):
            for start, end in _ranges(value):
                if start < end:
                    week[day].append((start, end))
                else:  # crosses midnight: the tail belongs to the next weekday
                    week[day].append((start, _DAY_MINUTES))
                    if end > 0:
                        week[(day + 1) % 7].append((0, end))
    return week


def _special(spec: Mapping[str, Any] | None) -> dict[date, list[Interval]]:
    result: dict[date, list[Interval]] = {}
    for key, value in (spec or {}).items():
        day = date.fromisoformat(key)
        if value == "closed":
            result[day] = []
            continue
        intervals = _ranges(value)
        if any(start >= end for start, end in intervals):
            raise ValueError("the reference does not support overnight special hours")
        result[day] = intervals
    return result


class ReferenceCalendar:
    """The calendar predicate, evaluated directly, and minute-walking arithmetic."""

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self.zone = ZoneInfo(mapping["timezone"])
        self.week = _weekly(mapping["hours"])
        self.special = _special(mapping.get("special_hours"))
        spec = mapping.get("holidays") or {}
        self.country: str | None = spec.get("country")
        self.subdiv: str | None = spec.get("subdiv")
        self.added = {date.fromisoformat(text) for text in spec.get("add", ())}
        self.removed = {date.fromisoformat(text) for text in spec.get("remove", ())}
        self._country_years: dict[int, Any] = {}
        self._day_cache: dict[date, list[Interval]] = {}

    # -- dates ---------------------------------------------------------------------------

    def country_holidays(self, year: int) -> Any:
        """``holidays.country_holidays(country, subdiv=subdiv, years=year)`` (cached)."""
        if year not in self._country_years:
            self._country_years[year] = holidays.country_holidays(
                self.country, subdiv=self.subdiv, years=year
            )
        return self._country_years[year]

    def is_closed_date(self, day: date) -> bool:
        if day in self.added:
            return True
        if self.country is None or day in self.removed:
            return False
        return day in self.country_holidays(day.year)

    def hours_on(self, day: date) -> list[Interval]:
        """Special hours, else nothing on a closed date, else the weekday's hours."""
        if day not in self._day_cache:
            if day in self.special:
                hours = self.special[day]
            elif self.is_closed_date(day):
                hours = []
            else:
                hours = self.week[day.weekday()]
            self._day_cache[day] = hours
        return self._day_cache[day]

    # -- the predicate -------------------------------------------------------------------

    def is_open(self, moment: datetime) -> bool:
        """Open iff the local time of day lies in a ``[start, end)`` of the local date."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime")
        # Through UTC (see the module docstring): a gap wall time must become its instant.
        local = moment.astimezone(UTC).astimezone(self.zone)
        # Boundaries are whole minutes, so comparing the whole minute of day is exact:
        # start <= h:m:s.f < end  <=>  start <= h:m < end.
        minute_of_day = local.hour * 60 + local.minute
        return any(start <= minute_of_day < end for start, end in self.hours_on(local.date()))

    # -- walks (all in UTC) --------------------------------------------------------------

    @staticmethod
    def _utc_minute(moment: datetime) -> datetime:
        utc = moment.astimezone(UTC)
        if utc.second or utc.microsecond:
            raise ValueError(f"{moment} is not on a whole minute")
        return utc

    @staticmethod
    def _ceil_minute(moment: datetime) -> datetime:
        utc = moment.astimezone(UTC)
        floor = utc.replace(second=0, microsecond=0)
        return floor if floor == utc else floor + MINUTE

    def _forward(self, start: datetime) -> Iterator[datetime]:
        """Whole UTC minutes ``start, start + 1 min, ...`` up to `MAX_WALK`."""
        limit = start + MAX_WALK
        minute = start
        while minute <= limit:
            yield minute
            minute += MINUTE
        raise WalkTooLongError(f"forward walk from {start} passed {MAX_WALK}")

    def _backward(self, start: datetime) -> Iterator[datetime]:
        """Whole UTC minutes ``start - 1 min, start - 2 min, ...`` down to `MAX_WALK`."""
        limit = start - MAX_WALK
        minute = start - MINUTE
        while minute >= limit:
            yield minute
            minute -= MINUTE
        raise WalkTooLongError(f"backward walk from {start} passed {MAX_WALK}")

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        """Open minutes in ``[a, b)`` (negated when ``b < a``); a, b on whole minutes."""
        lo, hi = self._utc_minute(a), self._utc_minute(b)
        if hi < lo:
            return -self.elapsed(b, a)
        if hi - lo > MAX_WALK:
            raise WalkTooLongError(f"elapsed over {hi - lo}")
        count = 0
        minute = lo
        while minute < hi:
            count += self.is_open(minute)
            minute += MINUTE
        return count * MINUTE

    def add(self, a: datetime, duration: timedelta) -> datetime:
        """Forward: earliest ``t >= a`` with ``elapsed(a, t) == d``; backward: latest ``t <= a``.

        ``a`` on a whole minute, ``duration`` a whole number of minutes. Result in UTC.
        """
        start = self._utc_minute(a)
        if duration % MINUTE:
            raise ValueError(f"{duration} is not a whole number of minutes")
        wanted = abs(duration) // MINUTE
        if wanted == 0:
            return start
        count = 0
        if duration > timedelta(0):
            for minute in self._forward(start):
                count += self.is_open(minute)
                if count == wanted:
                    return minute + MINUTE  # the end of the minute that completed the count
        else:
            for minute in self._backward(start):
                count += self.is_open(minute)
                if count == wanted:
                    return minute  # the start of the minute that completed the count
        raise AssertionError("unreachable")  # pragma: no cover

    def next_open(self, moment: datetime) -> datetime:
        """Earliest open instant ``>= moment`` (``moment`` itself when open). UTC result."""
        if self.is_open(moment):
            return moment.astimezone(UTC)
        for minute in self._forward(self._ceil_minute(moment)):
            if self.is_open(minute):
                return minute
        raise AssertionError("unreachable")  # pragma: no cover

    def next_close(self, moment: datetime) -> datetime:
        """Earliest closing instant ``> moment``: end of the span holding it, or of the next."""
        opened = self.next_open(moment)
        for minute in self._forward(self._ceil_minute(opened + timedelta(microseconds=1))):
            if not self.is_open(minute):
                return minute
        raise AssertionError("unreachable")  # pragma: no cover

    def open_intervals(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
        """Maximal open spans inside ``[a, b)``, clipped to it; a, b on whole minutes. UTC."""
        lo, hi = self._utc_minute(a), self._utc_minute(b)
        if hi - lo > MAX_WALK:
            raise WalkTooLongError(f"open_intervals over {hi - lo}")
        spans: list[tuple[datetime, datetime]] = []
        span_start: datetime | None = None
        minute = lo
        while minute < hi:
            if self.is_open(minute):
                if span_start is None:
                    span_start = minute
            elif span_start is not None:
                spans.append((span_start, minute))
                span_start = None
            minute += MINUTE
        if span_start is not None:
            spans.append((span_start, hi))
        return spans
