"""Open hours as values: clock times, intervals, a week of hours, and per-date special hours.

Times are whole seconds after local midnight (``07:30`` -> 27000); an interval is a
half-open ``[start, end)`` pair with ``0 <= start < end <= 86400``. What a calendar mapping
writes is parsed here and nowhere else, and every malformed value raises a `CalendarError`
naming its field (``hours.mon-fri``, ``special_hours.2026-12-31``) and the value as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from ..errors import CalendarError

__all__ = [
    "DAY_S",
    "WEEKDAYS",
    "DayHours",
    "WeeklyHours",
    "cut",
    "parse_clock",
    "parse_day_hours",
    "parse_special_hours",
]

DAY_S = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_CLOSED = "closed"
_ALWAYS = "24x7"

DayHours = tuple[tuple[int, int], ...]
"""One local date's open intervals: sorted, disjoint, non-adjacent ``[start, end)`` seconds."""


def parse_clock(text: str, field: str, *, end: bool = False) -> int:
    """Seconds after midnight of ``HH:MM`` or ``HH:MM:SS``; ``24:00`` only when ``end``.

    Example: ``parse_clock("07:30", "hours.mon")`` -> 27000; ``"25:00"`` or ``"6am"`` raise
    `CalendarError` naming the field and the value.
    """
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise CalendarError(
            f"{field}: malformed time {text!r}; write 24-hour HH:MM such as '07:30'",
            field=field,
            value=text,
        )
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if minute > 59 or second > 59 or hour > 24 or (hour == 24 and (minute or second)):
        raise CalendarError(
            f"{field}: time {text!r} is out of range (00:00 to 24:00)", field=field, value=text
        )
    if hour == 24 and not end:
        raise CalendarError(
            f"{field}: 24:00 can only end an interval, got {text!r}", field=field, value=text
        )
    return hour * 3600 + minute * 60 + second


def _parse_interval(text: object, field: str) -> tuple[int, int]:
    """``"22:00-06:00"`` -> ``(79200, 21600)``: an end at or before the start crosses midnight."""
    if not isinstance(text, str):
        raise CalendarError(
            f"{field}: expected an interval such as '09:00-17:00', got {text!r}",
            field=field,
            value=text,
        )
    first, sep, second = text.partition("-")
    if not sep:
        raise CalendarError(
            f"{field}: malformed interval {text!r}; write 'HH:MM-HH:MM'", field=field, value=text
        )
    start = parse_clock(first, field)
    stop = parse_clock(second, field, end=True)
    if start == stop:
        raise CalendarError(
            f"{field}: interval {text!r} is empty (start == end); a whole day is '00:00-24:00'",
            field=field,
            value=text,
        )
    # "18:00-00:00" ends at midnight: it is 18:00-24:00, not a crossing with nothing after.
    return start, (DAY_S if stop == 0 else stop)


def _entries(value: object, field: str) -> list[tuple[str, object]]:
    """The interval texts of one key's value, each with its own field path."""
    if isinstance(value, str):
        return [] if value.strip().lower() == _CLOSED else [(field, value)]
    if isinstance(value, Sequence):
        return [(f"{field}[{i}]", item) for i, item in enumerate(value)]
    raise CalendarError(
        f"{field}: expected an interval, a list of intervals or 'closed', got {value!r}",
        field=field,
        value=value,
    )


def _weekday(name: str, field: str, written: str) -> int:
    key = name.strip().lower()
    key = _FULL_NAMES.get(key, key)
    if key not in WEEKDAYS:
        raise CalendarError(
            f"{field}: unknown weekday {name!r}; use mon..sun, a range such as mon-fri, or daily",
            field=field,
            value=written,
        )
    return WEEKDAYS.index(key)


def _weekdays_of_key(key: object, field: str) -> list[int]:
    if not isinstance(key, str):
        raise CalendarError(f"{field}: weekday key must be text, got {key!r}", field=field)
    if key.strip().lower() == "daily":
        return list(range(7))
    first, sep, last = key.partition("-")
    if not sep:
        return [_weekday(key, field, key)]
    lo, hi = _weekday(first, field, key), _weekday(last, field, key)
    return [(lo + step) % 7 for step in range((hi - lo) % 7 + 1)]


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    field: str
    text: str


def _settle(pieces: list[_Piece], where: str) -> DayHours:
    """Sort one day's pieces, refuse overlaps, merge touching intervals."""
    pieces.sort(key=lambda piece: (piece.start, piece.end))
    merged: list[list[int]] = []
    for before, after in pairwise(pieces):
        if after.start < before.end:
            raise CalendarError(
                f"{after.field}: interval {after.text!r} overlaps {before.text!r} "
                f"({before.field}) on {where}",
                field=after.field,
                value=after.text,
            )
    for piece in pieces:
        if merged and merged[-1][1] == piece.start:
            merged[-1][1] = piece.end
        else:
            merged.append([piece.start, piece.end])
    return tuple((lo, hi) for lo, hi in merged)


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Seven days of open hours, Monday first, with midnight-crossing intervals already split.

    Boundary rule: an interval that crosses midnight gives ``[start, 24:00)`` to its own
    weekday and ``[00:00, end)`` to the next. Example: ``{"mon-fri": "22:00-06:00"}`` opens
    Saturday 00:00-06:00 and Monday 22:00-24:00, but not Monday 00:00-06:00.
    """

    days: tuple[DayHours, ...]

    @classmethod
    def from_spec(cls, spec: object, field: str = "hours") -> WeeklyHours:
        """Parse the ``hours:`` value of a calendar mapping (``"24x7"`` or weekday -> hours)."""
        if isinstance(spec, str) and spec.strip().lower() == _ALWAYS:
            return cls(days=tuple(((0, DAY_S),) for _ in range(7)))
        if not isinstance(spec, Mapping) or not spec:
            raise CalendarError(
                f"{field}: expected '24x7' or a mapping of weekdays to hours, got {spec!r}",
                field=field,
                value=spec,
            )
        pieces: list[list[_Piece]] = [[] for _ in range(7)]
        owner: dict[int, str] = {}
        for key, value in spec.items():
            key_field = f"{field}.{key}"
            for day in _weekdays_of_key(key, key_field):
                if day in owner:
                    raise CalendarError(
                        f"{key_field}: {WEEKDAYS[day]} is already given by {owner[day]}",
                        field=key_field,
                        value=key,
                    )
                owner[day] = key_field
                for entry_field, text in _entries(value, key_field):
                    start, end = _parse_interval(text, entry_field)
                    shown = str(text)
                    if end > start:
                        pieces[day].append(_Piece(start, end, entry_field, shown))
                        continue
                    pieces[day].append(_Piece(start, DAY_S, entry_field, shown))
                    pieces[(day + 1) % 7].append(_Piece(0, end, entry_field, shown))
        days = tuple(_settle(pieces[day], WEEKDAYS[day]) for day in range(7))
        return cls(days=days)

    def lengths(self) -> tuple[int, ...]:
        """Open seconds per weekday (wall-clock length, Monday first)."""
        return tuple(sum(end - start for start, end in day) for day in self.days)

    def is_empty(self) -> bool:
        """True when no weekday has any open hours."""
        return not any(self.days)


def _special_date(key: object, field: str) -> date:
    if isinstance(key, date) and not hasattr(key, "hour"):
        return key
    if isinstance(key, str):
        try:
            return date.fromisoformat(key.strip())
        except ValueError:
            pass
    raise CalendarError(
        f"{field}: expected a date such as '2026-12-31', got {key!r}", field=field, value=key
    )


def parse_special_hours(spec: object, field: str = "special_hours") -> dict[date, DayHours]:
    """Parse ``special_hours:``: local date -> hours that replace that whole date's hours.

    Boundary rule: the entry replaces every interval of its date, including the
    ``[00:00, end)`` part a night shift brings over from the day before; its own intervals
    may not cross midnight. Example: ``{"2026-12-31": "06:00-12:00"}`` -> Dec 31 open
    06:00-12:00 only; ``"closed"`` closes the date.
    """
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise CalendarError(
            f"{field}: expected a mapping of dates to hours, got {spec!r}", field=field, value=spec
        )
    result: dict[date, DayHours] = {}
    for key, value in spec.items():
        key_field = f"{field}.{key}"
        day = _special_date(key, key_field)
        if day in result:
            raise CalendarError(
                f"{key_field}: date {day.isoformat()} is given twice", field=key_field, value=key
            )
        result[day] = parse_day_hours(value, key_field, day.isoformat())
    return result


def parse_day_hours(value: object, field: str, where: str) -> DayHours:
    """One date's hours: an interval, a list of intervals, or ``"closed"`` (no hours).

    Boundary rule: intervals may not cross midnight (a date's hours end by 24:00) and may
    not overlap; touching ones merge. ``where`` names the date in an overlap message.
    Example: ``parse_day_hours(["06:00-09:00", "09:00-12:00"], "special_hours.x", "x")``
    -> ``((21600, 43200),)``; ``"22:00-02:00"`` raises `CalendarError` naming ``field``.
    """
    pieces: list[_Piece] = []
    for entry_field, text in _entries(value, field):
        start, end = _parse_interval(text, entry_field)
        if end <= start:
            raise CalendarError(
                f"{entry_field}: hours {text!r} cross midnight; give the next date its own "
                f"entry",
                field=entry_field,
                value=text,
            )
        pieces.append(_Piece(start, end, entry_field, str(text)))
    return _settle(pieces, where)


def cut(hours: DayHours, windows: DayHours) -> DayHours:
    """``hours`` less ``windows`` (both sorted, disjoint ``[start, end)`` seconds).

    Boundary rule: a window's end is open, so cutting ``[12:00, 24:00)`` from 07:30-18:00
    leaves ``[07:30, 12:00)``, ending exactly at 12:00. Example: ``cut(((0, 86400),),
    ((7200, 21600),))`` -> ``((0, 7200), (21600, 86400))``.
    """
    kept: list[tuple[int, int]] = []
    for start, end in hours:
        left = start
        for lo, hi in windows:
            if hi <= left or lo >= end:
                continue
            if lo > left:
                kept.append((left, lo))
            left = hi
            if left >= end:
                break
        if left < end:
            kept.append((left, end))
    return tuple(kept)
