"""Recurrence rules (RFC 5545 ``RRULE``) over dates, expanded by python-dateutil, bounded.

A rule here names *dates*: FREQ is DAILY, WEEKLY, MONTHLY or YEARLY, never finer, and
the time parts (BYHOUR, BYMINUTE, BYSECOND) are refused, because what happens on a date
comes from elsewhere (a ``recurring:`` entry's hours, or an iCalendar event's times).

Expansion is exact and bounded. The Gregorian calendar repeats every 400 years (146,097
days, exactly 20,871 weeks and 4,800 months), so a rule's dates repeat with it, or with
a multiple of it when INTERVAL does not divide the cycle. A rule is expanded once over
that cycle into one byte per day, cached by rule (at most 4 cycles, 1,600 years or
584,388 bytes, and at most 300,000 steps of its FREQ); after that, whether a date is an
occurrence is one lookup, in any year. A rule that falls on no date in a whole cycle is
refused when it is read, so no later question can search forever for its next date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from math import lcm

from dateutil.rrule import rrule, rrulestr

from ..errors import CalendarError

__all__ = ["MOST_CYCLES", "MOST_STEPS", "Recurrence", "Rule", "parse_rule"]

_CYCLE_DAYS = 146_097  # 400 Gregorian years
_PERIODS = {"DAILY": (146_097, "days"), "WEEKLY": (20_871, "weeks"),
            "MONTHLY": (4_800, "months"), "YEARLY": (400, "years")}
MOST_CYCLES = 4
"""A rule's dates must repeat within this many 400-year cycles (1,600 years)."""
MOST_STEPS = 300_000
"""Steps of its FREQ (days, weeks, months, years) a rule may take to repeat its dates."""
_LONGEST = 1_000  # characters in a rule
_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYWEEKNO", "BYYEARDAY",
          "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST")
_TIMES = ("BYHOUR", "BYMINUTE", "BYSECOND")
_FINER = ("HOURLY", "MINUTELY", "SECONDLY")
_NOT_WITH = {"BYWEEKNO": ("DAILY", "WEEKLY", "MONTHLY"),  # RFC 5545, section 3.3.10
             "BYYEARDAY": ("DAILY", "WEEKLY", "MONTHLY"), "BYMONTHDAY": ("WEEKLY",)}
_DAY_PARTS = ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
_WEEKDAYS = "MO,TU,WE,TH,FR,SA,SU"
_NUMBER = re.compile(r"\d{1,7}")
_NTH = re.compile(r"[+-]?\d")
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")
_LAST_ORDINAL = date.max.toordinal()


def _bad(field: str, text: object, problem: str) -> CalendarError:
    shown = repr(text) if len(str(text)) <= 120 else f"{str(text)[:120]!r}..."
    return CalendarError(f"{field}: rule {shown}: {problem}", field=field, value=text)


@dataclass(frozen=True, slots=True)
class Rule:
    """A checked RRULE: its text as written, and the parts the expansion needs."""

    text: str
    freq: str
    core: str  # what dateutil expands: every part but COUNT and UNTIL
    interval: int
    count: int | None
    until: date | datetime | None  # a date, or a datetime (aware when written with Z)
    names_days: bool  # False: the rule repeats the start's day (RFC 5545's DTSTART)

    def cycle(self) -> tuple[int, int]:
        """``(days, steps)``: how long its dates take to repeat, in days and FREQ steps.

        Boundary rule: a whole number of 400-year cycles (146,097 days), the least that
        INTERVAL divides in FREQ steps. Example: ``FREQ=WEEKLY;INTERVAL=2`` -> ``(292194,
        41742)``: 800 years, since 20,871 weeks is odd.
        """
        per_cycle, _ = _PERIODS[self.freq]
        steps = lcm(per_cycle, self.interval)
        return steps // per_cycle * _CYCLE_DAYS, steps


def parse_rule(text: object, field: str) -> Rule:
    """Check an RRULE value such as ``"FREQ=MONTHLY;BYDAY=1SA"`` (an ``RRULE:`` prefix is
    allowed) and return it as a `Rule`.

    Boundary rule: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY; BYHOUR, BYMINUTE and
    BYSECOND are refused, and so are the parts RFC 5545 forbids with a FREQ (BYWEEKNO
    outside YEARLY, a numbered BYDAY such as ``1MO`` with DAILY or WEEKLY, ...); the rule
    must repeat its dates within 1,600 years and 300,000 FREQ steps (INTERVAL=2 always
    does). Every problem is a `CalendarError` naming ``field`` and the rule text.
    Example: ``parse_rule("FREQ=HOURLY", "recurring[0].rule")`` raises ``recurring[0].rule:
    rule 'FREQ=HOURLY': FREQ=HOURLY is finer than a day; ...``.
    """
    if not isinstance(text, str) or not text.strip():
        raise _bad(field, text, "expected an RFC 5545 RRULE such as 'FREQ=YEARLY;BYMONTH=12;"
                                "BYMONTHDAY=24'")
    if len(text) > _LONGEST:
        raise _bad(field, text, f"{len(text):,} characters; a rule has at most {_LONGEST:,}")
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:"):]
    parts: dict[str, str] = {}
    for piece in filter(None, (item.strip() for item in body.split(";"))):
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip():
            raise _bad(field, text, f"{piece!r} is not NAME=VALUE")
        if name in _TIMES:
            raise _bad(field, text, f"{name}: rules here repeat dates; the times come from "
                                    f"the entry's hours or closed, or the event's DTSTART")
        if name not in _PARTS:
            raise _bad(field, text, f"unknown part {name!r}; allowed: {', '.join(_PARTS)}")
        if name in parts:
            raise _bad(field, text, f"{name} is given twice")
        parts[name] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq is None:
        raise _bad(field, text, "FREQ is required (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if freq in _FINER:
        raise _bad(field, text, f"FREQ={freq} is finer than a day: rules here repeat dates "
                                f"(FREQ=DAILY, WEEKLY, MONTHLY or YEARLY) and take their "
                                f"times from the entry's hours or closed, or the event's "
                                f"DTSTART")
    if freq not in _PERIODS:
        raise _bad(field, text, f"unknown FREQ={freq}; expected DAILY, WEEKLY, MONTHLY or "
                                f"YEARLY")
    for name, freqs in _NOT_WITH.items():
        if name in parts and freq in freqs:
            raise _bad(field, text, f"{name} cannot be used with FREQ={freq} (RFC 5545)")
    if freq in ("DAILY", "WEEKLY") and any(_NTH.match(day) for day in
                                           parts.get("BYDAY", "").split(",")):
        raise _bad(field, text, f"a numbered BYDAY ({parts['BYDAY']}) needs FREQ=MONTHLY or "
                                f"YEARLY")
    interval = _positive(parts.get("INTERVAL", "1"), "INTERVAL", field, text)
    count = None if "COUNT" not in parts else _positive(parts["COUNT"], "COUNT", field, text)
    until = None if "UNTIL" not in parts else _until(parts["UNTIL"], field, text)
    core = ";".join(f"{name}={value}" for name, value in parts.items()
                    if name not in ("COUNT", "UNTIL"))
    try:
        rrulestr(core, dtstart=datetime(2000, 1, 1))
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as error:
        raise _bad(field, text, f"not a valid RRULE ({error})") from None
    rule = Rule(text, freq, core, interval, count, until,
                freq == "DAILY" or any(name in parts for name in _DAY_PARTS))
    days, steps = rule.cycle()
    if days > MOST_CYCLES * _CYCLE_DAYS or steps > MOST_STEPS:
        unit = _PERIODS[freq][1]
        raise _bad(field, text, f"INTERVAL={interval} repeats its dates only every "
                                f"{days // _CYCLE_DAYS * 400:,} years ({steps:,} {unit}); "
                                f"a rule may take at most {MOST_CYCLES * 400:,} years and "
                                f"{MOST_STEPS:,} steps: use a smaller INTERVAL")
    return rule


def _positive(value: str, name: str, field: str, text: str) -> int:
    if not _NUMBER.fullmatch(value) or int(value) < 1:
        raise _bad(field, text, f"{name}={value} is not a positive whole number (at most "
                                f"7 digits)")
    return int(value)


def _until(value: str, field: str, text: str) -> date | datetime:
    match = _UNTIL.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        day = date(int(match[1]), int(match[2]), int(match[3]))
        if match[4] is None:
            return day
        moment = datetime.combine(day, time(int(match[4]), int(match[5]), int(match[6])))
    except ValueError:
        raise _bad(field, text, f"UNTIL={value} is not a date (YYYYMMDD) or a date-time "
                                f"(YYYYMMDDTHHMMSSZ)") from None
    return moment.replace(tzinfo=UTC) if match[7] else moment


def _fast_core(rule: Rule) -> str:
    """An equivalent rule dateutil expands faster: a DAILY or WEEKLY rule without INTERVAL
    or BYSETPOS keeps exactly the days its BY parts let through, as does FREQ=YEARLY with
    the same parts (BYDAY listing every weekday when none is given)."""
    if rule.interval != 1 or "BYSETPOS=" in rule.core or rule.freq not in ("DAILY", "WEEKLY"):
        return rule.core
    if rule.freq == "WEEKLY" and not rule.names_days:
        return rule.core  # repeats the start's weekday
    parts = [part for part in rule.core.split(";") if not part.startswith(("FREQ=", "WKST="))]
    if not any(part.startswith("BYDAY=") for part in parts):
        parts.append(f"BYDAY={_WEEKDAYS}")
    return ";".join(["FREQ=YEARLY", *parts])


@lru_cache(maxsize=64)
def _pattern(core: str, anchor: int, days: int) -> bytes:
    """One byte per day of ``[anchor, anchor + days)`` (ordinals): 1 on the rule's dates."""
    begin = datetime.combine(date.fromordinal(anchor), time())
    expanded = rrulestr(core, dtstart=begin)
    assert isinstance(expanded, rrule)  # one RRULE and no DTSTART in the text
    mask = bytearray(days)
    for moment in expanded.replace(until=begin + timedelta(days=days - 1)):
        mask[moment.toordinal() - anchor] = 1
    return bytes(mask)


def _ones(mask: bytes) -> list[int]:
    """The positions of the 1 bytes of ``mask``, in order."""
    found: list[int] = []
    index = mask.find(1)
    while index >= 0:
        found.append(index)
        index = mask.find(1, index + 1)
    return found


class Recurrence:
    """The dates of one rule from ``start`` (RFC 5545's DTSTART) up to its COUNT or UNTIL.

    Boundary rule: ``start`` is the first date the rule may fall on, not itself a date of
    the rule unless the rule names it; without ``start`` the rule holds in every year, so
    it must name its days itself and have no INTERVAL or COUNT. ``until`` (a date, given
    by a caller that read UNTIL as an instant) replaces the rule's own UNTIL. ``strict``
    refuses a rule that falls on no date (a feed's odd event is kept, occurring never).
    Example: ``Recurrence(parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "r"), None,
    "r").occurs_on(date(2028, 2, 29))`` -> True; there is no such date in 2027.
    """

    __slots__ = ("_anchor", "_cycle", "_mask", "first", "last", "rule")

    def __init__(self, rule: Rule, start: date | None, field: str, *,
                 until: date | None = None, strict: bool = True) -> None:
        self.rule = rule
        if start is None and not rule.names_days:
            raise _bad(field, rule.text, f"FREQ={rule.freq} names no day (BYMONTHDAY, BYDAY, "
                                         f"BYYEARDAY or BYWEEKNO), so it would repeat the day "
                                         f"of a start date: name the day or give a start")
        if start is None and (rule.interval > 1 or rule.count is not None):
            what = "INTERVAL" if rule.interval > 1 else "COUNT"
            raise _bad(field, rule.text, f"{what} counts from a start date: give a start")
        self._cycle, _ = rule.cycle()
        first = start if start is not None else date.min
        anchor = first.toordinal()
        while anchor + self._cycle - 1 > _LAST_ORDINAL:  # the same dates, a cycle earlier
            anchor -= self._cycle
        self._anchor = anchor
        self._mask = _pattern(_fast_core(rule), anchor, self._cycle)
        self.first = first
        if until is None and rule.until is not None:
            until = rule.until.date() if isinstance(rule.until, datetime) else rule.until
        self.last = until if until is not None else date.max
        if rule.count is not None and self._mask.count(1):
            self.last = min(self.last, self._nth(rule.count))
        if strict and not self._mask.count(1):
            raise _bad(field, rule.text, f"falls on no date in a whole "
                                         f"{self._cycle // _CYCLE_DAYS * 400:,}-year cycle, "
                                         f"so it never occurs")
        if strict and not self.dates(self.first, self.last, most=1):
            raise _bad(field, rule.text, f"falls on no date from {self.first} to {self.last}")

    def _nth(self, count: int) -> date:
        """The ``count``-th date of the rule from its start (`date.max` past the range)."""
        offset = (self.first.toordinal() - self._anchor) % self._cycle
        steps = sorted((index - offset) % self._cycle for index in _ones(self._mask))
        cycles, index = divmod(count - 1, len(steps))
        ordinal = self.first.toordinal() + cycles * self._cycle + steps[index]
        return date.fromordinal(ordinal) if ordinal <= _LAST_ORDINAL else date.max

    def occurs_on(self, day: date) -> bool:
        """True when ``day`` is one of the rule's dates: one lookup, in any year.

        Boundary rule: False before ``first`` and after ``last`` (UNTIL or COUNT).
        Example: ``FREQ=MONTHLY;BYDAY=1SA`` -> True on 2026-03-07, False on 2026-03-14.
        """
        if not self.first <= day <= self.last:
            return False
        return self._mask[(day.toordinal() - self._anchor) % self._cycle] == 1

    def dates(self, first: date, last: date, most: int | None = None) -> list[date]:
        """The rule's dates in ``[first, last]`` (both inclusive), at most ``most`` of them.

        Example: ``FREQ=MONTHLY;BYDAY=1SA`` over 2026-01-01 .. 2026-03-31 -> [2026-01-03,
        2026-02-07, 2026-03-07].
        """
        lo, hi = max(first, self.first).toordinal(), min(last, self.last).toordinal()
        found: list[date] = []
        ordinal = lo
        while ordinal <= hi and (most is None or len(found) < most):
            offset = (ordinal - self._anchor) % self._cycle
            step = self._mask.find(1, offset, min(self._cycle, offset + hi - ordinal + 1))
            if step < 0:
                ordinal += self._cycle - offset  # nothing left in this cycle's days
                continue
            ordinal += step - offset
            found.append(date.fromordinal(ordinal))
            ordinal += 1
        return found
