"""A calendar's ``recurring:`` entries: hours or closed windows on the dates of a rule.

Each entry is a mapping with an RFC 5545 ``rule`` (see `slacalc.engine._recurrence`) and
exactly one of

* ``hours``: the date's hours, replacing its weekly hours, as in ``special_hours`` (an
  interval, a list of intervals, or ``closed`` for the whole date);
* ``closed``: windows closed on the date, cut out of whatever hours it has (a
  maintenance window, or ``"12:00-24:00"`` for "closes at noon");

and optionally ``start``, the first date the rule may fall on (RFC 5545's DTSTART; needed
for INTERVAL, COUNT, or a rule that repeats the start's day). The first ``hours`` entry
falling on a date wins; every ``closed`` window falling on it is cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches

from ..errors import CalendarError
from ._hours import DayHours, cut, parse_day_hours
from ._recurrence import Recurrence, parse_rule

__all__ = ["RecurringHours"]

_KEYS = ("rule", "hours", "closed", "start")
_MOST_ENTRIES = 1_000


@dataclass(frozen=True, slots=True)
class _Entry:
    dates: Recurrence
    hours: DayHours | None  # replaces the date's hours
    closed: DayHours  # cut from them


def _start(value: object, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(f"{field}: expected a date such as '2026-01-09', got {value!r}",
                        field=field, value=value)


def _entry(spec: object, field: str) -> _Entry:
    if not isinstance(spec, Mapping):
        raise CalendarError(f"{field}: expected a mapping with rule and hours or closed, got "
                            f"{spec!r}", field=field, value=spec)
    for key in spec:
        if key not in _KEYS:
            close = get_close_matches(str(key), _KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CalendarError(f"{field}.{key}: unknown key {key!r}{hint}; expected "
                                f"{', '.join(_KEYS)}", field=f"{field}.{key}", value=key)
    if "rule" not in spec:
        raise CalendarError(f"{field}.rule: required (an RFC 5545 RRULE such as "
                            f"'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24')", field=f"{field}.rule")
    if ("hours" in spec) == ("closed" in spec):
        raise CalendarError(f"{field}: give hours (replacing the date's hours) or closed (a "
                            f"window cut from them), exactly one", field=field, value=None)
    start = _start(spec.get("start"), f"{field}.start")
    dates = Recurrence(parse_rule(spec["rule"], f"{field}.rule"), start, f"{field}.rule")
    if "hours" in spec:
        return _Entry(dates, parse_day_hours(spec["hours"], f"{field}.hours", field), ())
    closed = spec["closed"]
    if isinstance(closed, str) and closed.strip().lower() == "closed":
        raise CalendarError(f"{field}.closed: give the closed window, e.g. '02:00-06:00'; to "
                            f"close the whole date write hours: closed",
                            field=f"{field}.closed", value=closed)
    windows = parse_day_hours(closed, f"{field}.closed", field)
    if not windows:
        raise CalendarError(f"{field}.closed: no window given, e.g. '02:00-06:00'",
                            field=f"{field}.closed", value=closed)
    return _Entry(dates, None, windows)


class RecurringHours:
    """The ``recurring:`` entries of a calendar, applied to one date at a time.

    Boundary rule: on a date, the first entry with ``hours`` whose rule falls on it
    replaces the weekly hours, then every ``closed`` window falling on it is cut; holidays
    and ``special_hours`` are decided before (see `BusinessCalendar.hours_on`). Example:
    ``{"rule": "FREQ=MONTHLY;BYDAY=1SA", "closed": "02:00-06:00"}`` on a 24x7 calendar
    leaves Sat 2026-03-07 open 00:00-02:00 and 06:00-24:00.
    """

    __slots__ = ("_closing", "_replacing")

    def __init__(self, entries: Sequence[_Entry] = ()) -> None:
        self._replacing = tuple(entry for entry in entries if entry.hours is not None)
        self._closing = tuple(entry for entry in entries if entry.closed)

    @classmethod
    def from_spec(cls, spec: object, field: str = "recurring") -> RecurringHours:
        """Parse the ``recurring:`` list of a calendar mapping; None means no entries.

        Boundary rule: at most 1,000 entries; each is checked when read (its rule
        expanded once), so a rule that never occurs fails here, naming the entry and the
        rule. Example: ``from_spec([{"rule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24",
        "hours": "closed"}])`` closes every 24 December.
        """
        if spec is None:
            return cls()
        if isinstance(spec, str | bytes | Mapping) or not isinstance(spec, Sequence):
            raise CalendarError(f"{field}: expected a list of entries with rule and hours or "
                                f"closed, got {spec!r}", field=field, value=spec)
        if len(spec) > _MOST_ENTRIES:
            raise CalendarError(f"{field}: {len(spec):,} entries; a calendar has at most "
                                f"{_MOST_ENTRIES:,}", field=field, value=len(spec))
        return cls([_entry(item, f"{field}[{index}]") for index, item in enumerate(spec)])

    def opens(self) -> bool:
        """True when some entry gives a date open hours (it may open a closed weekday).

        Boundary rule: ``hours: closed`` entries and ``closed`` windows never open a date.
        Example: ``[{"rule": "FREQ=MONTHLY;BYDAY=1SA", "hours": "10:00-14:00"}]`` -> True.
        """
        return any(entry.hours for entry in self._replacing)

    def apply(self, day: date, hours: DayHours) -> DayHours:
        """``day``'s hours given its weekly ``hours``: replaced, then cut (see the class).

        Boundary rule: only the first ``hours`` entry falling on ``day`` counts; every
        ``closed`` window falling on it is cut. Example: ``{"rule": "FREQ=MONTHLY;BYMONTH=
        3,6,9,12;BYDAY=-1FR", "closed": "12:00-24:00"}`` turns 07:30-18:00 on Fri
        2026-03-27 into 07:30-12:00.
        """
        for entry in self._replacing:
            if entry.dates.occurs_on(day):
                hours = entry.hours or ()
                break
        for entry in self._closing:
            if hours and entry.dates.occurs_on(day):
                hours = cut(hours, entry.closed)
        return hours

    def __bool__(self) -> bool:
        return bool(self._replacing or self._closing)
