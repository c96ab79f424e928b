"""Lengths of time as written in calendars and policies.

Two grammars live here. `parse_length` reads the plain real-time lengths a calendar
mapping uses (``business_day: 12 hours``). `parse_duration` reads a policy target:

* ``<n> minute(s) | hour(s)``: real elapsed time, 24x7;
* ``<n> business minute(s) | business hour(s) | business day(s)``: time on a calendar;
* ``<a>-<b> <unit>``: a range, due at the upper bound and expected from the lower;
* ``none``: no deadline;
* relative deadlines, common in contracts: ``end of business day``, ``next business day
  by 16:00``, ``<n> business days by HH:MM`` (see `RelativeDue` for the counting rule).

A bare ``day``/``days``/``week`` is refused with a hint, because "a day" in a contract is
either 24 hours of real time or one business day, and the file must say which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from difflib import get_close_matches

from ..errors import CalendarError, PolicyError
from ._hours import DAY_S, parse_clock
from .timeline import LENGTH_LIMIT_US, SPAN_LIMIT_YEARS

__all__ = ["MOST_DAYS", "NO_TARGET", "UNITS", "Duration", "RelativeDue", "parse_duration",
           "parse_length"]

_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|minutes?|seconds?)", re.IGNORECASE)
_UNIT_SECONDS = {"hour": 3600, "minute": 60, "second": 1}


def parse_length(value: object, field: str) -> timedelta:
    """A positive real-time length: ``"12 hours"``, ``"7.5 hours"``, ``"450 minutes"``.

    Boundary rule: the result must be a whole, positive number of seconds, at most 24 hours
    (one day holds no more business time); bare ``days`` are refused because a day of
    business time is exactly what is being defined.
    Example: ``parse_length("7.5 hours", "business_day")`` -> ``timedelta(hours=7, minutes=30)``.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        if timedelta(0) < value <= _LONGEST_DAY and seconds == int(seconds):
            return value
        raise CalendarError(
            f"{field}: expected a positive whole number of seconds up to 24 hours, got "
            f"{value!r}",
            field=field,
            value=value,
        )
    match = _LENGTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise CalendarError(
            f"{field}: malformed length {value!r}; write e.g. '12 hours' or '450 minutes'",
            field=field,
            value=value,
        )
    try:
        amount = Decimal(match[1])
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise CalendarError(f"{field}: malformed number in {value!r}", field=field) from None
    unit = match[2].lower().rstrip("s")
    total = amount * _UNIT_SECONDS[unit] if amount <= DAY_S else amount  # no vast Decimal
    if total <= 0 or total != total.to_integral_value():
        raise CalendarError(
            f"{field}: {value!r} is not a positive whole number of seconds",
            field=field,
            value=value,
        )
    if total > DAY_S:
        raise CalendarError(
            f"{field}: {_shown(str(value))} is longer than 24 hours; one day holds no more "
            f"business time",
            field=field,
            value=value,
        )
    return timedelta(seconds=int(total))


_LONGEST_DAY = timedelta(seconds=DAY_S)
MOST_DAYS = SPAN_LIMIT_YEARS * 365
"""The most business days a relative deadline may count: 36,500 (one a date, 100 years)."""


def _shown(value: str) -> str:
    """``value`` quoted, cut to 60 characters (an amount may have thousands of digits)."""
    return repr(value) if len(value) <= 60 else f"{value[:60]!r}... ({len(value):,} characters)"



UNITS: dict[str, Decimal | None] = {
    "minute": Decimal(60),
    "hour": Decimal(3600),
    "business minute": Decimal(60),
    "business hour": Decimal(3600),
    "business day": None,  # the calendar's business_day
}
_AMBIGUOUS = {"day", "week", "month", "year", "calendar day", "working day", "workday"}
_TARGET = re.compile(
    r"(?P<low>\d+(?:\.\d+)?)\s*(?:-\s*(?P<high>\d+(?:\.\d+)?)\s*)?(?P<unit>[A-Za-z][A-Za-z ]*)"
)
_SPELLINGS = sorted({*UNITS, *(f"{unit}s" for unit in UNITS)})


@dataclass(frozen=True, slots=True)
class Duration:
    """A target length as written: ``amount unit``, a range ``low-high unit``, or none.

    ``low == high`` for a single amount; both are None for ``none``.
    Example: ``parse_duration("48-72 hours")`` -> low 48, high 72, unit ``hour``; its
    `length` is 72 real hours and its `expected_length` 48.
    """

    low: Decimal | None
    high: Decimal | None
    unit: str | None

    @property
    def is_none(self) -> bool:
        """True for ``none``: no deadline."""
        return self.unit is None

    @property
    def business(self) -> bool:
        """True when the length is measured on a calendar (business units)."""
        return self.unit is not None and self.unit.startswith("business")

    @property
    def is_range(self) -> bool:
        """True for ``low-high unit``."""
        return self.low != self.high

    def length(self, business_day: timedelta | None = None) -> timedelta:
        """The due length (the upper bound of a range); business days need ``business_day``.

        Boundary rule: `PolicyError` when it is over 100 years (36,500 days) or under one
        microsecond. Example: ``48-72 hours`` -> 72 hours; ``3 business days`` with a
        business day of 8 hours -> 24 hours."""
        return self._measure(self.high, business_day)

    def expected_length(self, business_day: timedelta | None = None) -> timedelta:
        """The lower bound of a range (equal to `length` for a single amount), within the
        same limits. Example: ``48-72 hours`` -> 48 hours."""
        return self._measure(self.low, business_day)

    def _measure(self, amount: Decimal | None, business_day: timedelta | None) -> timedelta:
        """``amount`` of the unit; `PolicyError` when it is over 100 years (36,500 days) or
        under one microsecond, as no deadline could be computed from it."""
        if amount is None or self.unit is None:
            raise PolicyError("a 'none' target has no length")
        size = UNITS[self.unit]
        if size is None:
            if business_day is None:
                raise PolicyError(f"{self}: business days need the calendar's business_day")
            micro = Decimal(business_day // timedelta(microseconds=1))
            each = f" of {business_day} each"
        else:
            micro, each = size * 1_000_000, ""
        if amount > LENGTH_LIMIT_US or amount * micro > LENGTH_LIMIT_US:  # no vast Decimal
            raise PolicyError(
                f"{_shown(str(self))}{each} is longer than {SPAN_LIMIT_YEARS} years (36,500 "
                f"days); business time is measured within {SPAN_LIMIT_YEARS} years")
        if amount * micro < 1:
            raise PolicyError(f"{_shown(str(self))}{each} is shorter than one microsecond, "
                              f"the smallest length slacalc measures")
        return timedelta(microseconds=int(amount * micro))

    def __str__(self) -> str:
        if self.unit is None or self.low is None or self.high is None:
            return "none"
        amount = f"{self.low:f}" if not self.is_range else f"{self.low:f}-{self.high:f}"
        plural = "" if (self.high == 1 and not self.is_range) else "s"
        return f"{amount} {self.unit}{plural}"


NO_TARGET = Duration(None, None, None)

_RELATIVE: list[tuple[re.Pattern[str], Callable[[re.Match[str]], RelativeDue]]] = [
    (re.compile(r"end of (?:the )?business day"), lambda m: RelativeDue(0, None)),
    (re.compile(r"end of (?:the )?next business day"), lambda m: RelativeDue(1, None)),
    (re.compile(r"next business day by (\S+)"), lambda m: RelativeDue(1, _clock(m[1]))),
    (re.compile(r"(\d+) business days? by (\S+)"),
     lambda m: RelativeDue(_day_count(m[1], m[0]), _clock(m[2]))),
]


def _day_count(text: str, written: str) -> int:
    """The ``<n>`` of ``<n> business days by HH:MM`` (``written``): at most `MOST_DAYS`."""
    digits = text.lstrip("0")
    if len(digits) > len(str(MOST_DAYS)) or int(digits or "0") > MOST_DAYS:
        raise PolicyError(
            f"{_shown(written)} counts more than {MOST_DAYS:,} business days (every date of "
            f"{SPAN_LIMIT_YEARS} years), so it cannot be met; business time is measured "
            f"within {SPAN_LIMIT_YEARS} years")
    return int(digits or "0")


def _clock(text: str) -> int:
    try:
        return parse_clock(text, "by")
    except CalendarError as error:
        raise PolicyError(str(error).removeprefix("by: ")) from None


@dataclass(frozen=True, slots=True)
class RelativeDue:
    """A deadline named by the calendar rather than a length: ``next business day by 16:00``.

    Counting rule: the ticket's *business day* is the local date of the first open instant
    at or after it was opened (a ticket opened after closing or on a holiday belongs to the
    next open date). ``days`` counts open dates after that one; the deadline is ``at``
    (seconds after local midnight) on that date, or its last closing instant when ``at``
    is None. Example, hours Mon-Fri 09:00-17:00: opened Fri 18:00 (business day Monday),
    ``next business day by 16:00`` -> Tue 16:00; ``end of business day`` -> Mon 17:00.
    """

    days: int
    at: int | None

    is_none = False
    business = True
    is_range = False
    unit = "relative"
    low = high = None

    def __str__(self) -> str:
        when = "" if self.at is None else f" by {_hhmm(self.at)}"
        if self.days == 0:
            return "end of business day"
        if self.days == 1:
            return f"next business day{when}" if when else "end of next business day"
        return f"{self.days} business days{when}" if when else f"{self.days} business days"


def _hhmm(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}" + (f":{rest % 60:02d}" if rest % 60 else "")


def _day_hint(unit: str, amount: Decimal) -> str:
    """``3 days`` -> "'72 hours' (real time) or '3 business days'"; weeks count 5 days."""
    days = {"day": 1, "week": 5}.get(unit)
    if days is None or amount > MOST_DAYS:  # no hint multiplying a vast amount
        return "'24 hours' (real time) or '1 business day'"
    hours = amount * (24 if unit == "day" else 168)
    business = amount * days
    return (
        f"'{hours.normalize():f} hours' (real time) or "
        f"'{business.normalize():f} business day{'' if business == 1 else 's'}'"
    )


def parse_duration(value: object) -> Duration | RelativeDue:
    """Parse a policy target length; a `PolicyError` with a hint for anything else.

    Boundary rule: amounts are positive decimals, a range needs low < high, and the unit
    must say whether time is real or business; a length (either bound of a range) over 100
    years (36,500 days) or under one microsecond, and a relative deadline counting more
    than 36,500 business days, are refused (business days are measured against the
    calendar's ``business_day`` when the policy is validated). Example: ``parse_duration("1 business
    hour")`` -> 1 business hour; ``"3 days"`` raises ``PolicyError("ambiguous unit 'days':
    say '72 hours' (real time) or '3 business days'")``.
    """
    if isinstance(value, Duration | RelativeDue):
        return value
    if not isinstance(value, str):
        raise PolicyError(f"expected a duration such as '4 business hours', got {value!r}")
    text = " ".join(value.split()).lower()
    if text == "none":
        return NO_TARGET
    for pattern, build in _RELATIVE:
        relative = pattern.fullmatch(text)
        if relative is not None:
            due = build(relative)
            if due.days < 1 and due.at is not None:
                raise PolicyError(f"{value!r}: count at least one business day before 'by'")
            return due
    match = _TARGET.fullmatch(text)
    if match is None:
        raise PolicyError(
            f"malformed duration {value!r}; write e.g. '30 minutes', '1 business hour', "
            f"'48-72 hours' or 'none'"
        )
    low, high = Decimal(match["low"]), Decimal(match["high"] or match["low"])
    spelled = match["unit"].strip()
    unit = spelled[:-1] if spelled.endswith("s") else spelled
    if unit in _AMBIGUOUS:
        raise PolicyError(f"ambiguous unit {spelled!r}: say {_day_hint(unit, high)}")
    if unit not in UNITS:
        close = get_close_matches(spelled, _SPELLINGS, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise PolicyError(
            f"unknown unit {spelled!r}{hint}; units are minutes, hours, business minutes, "
            f"business hours, business days"
        )
    if low <= 0:
        raise PolicyError(f"duration {value!r} must be positive")
    if high <= low and match["high"] is not None:
        raise PolicyError(f"range {value!r} must go from the lower to the higher amount")
    duration = Duration(low, high, unit)
    if UNITS[unit] is not None:  # business days are measured once the calendar is known
        duration.length()
        duration.expected_length()
    return duration
