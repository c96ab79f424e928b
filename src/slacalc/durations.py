"""Lengths of time as written in calendars and policies.

This module reads the plain real-time lengths a calendar mapping uses
(``business_day: 12 hours``); the policy layer extends the grammar with business units,
ranges and ``none``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from .errors import CalendarError

__all__ = ["format_length", "parse_length"]

_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|minutes?|seconds?)", re.IGNORECASE)
_UNIT_SECONDS = {"hour": 3600, "minute": 60, "second": 1}


def parse_length(value: object, field: str) -> timedelta:
    """A positive real-time length: ``"12 hours"``, ``"7.5 hours"``, ``"450 minutes"``.

    Boundary rule: the result must be a whole, positive number of seconds; bare ``days``
    are refused because a day of business time is exactly what is being defined.
    Example: ``parse_length("7.5 hours", "business_day")`` -> ``timedelta(hours=7, minutes=30)``.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        if value > timedelta(0) and seconds == int(seconds):
            return value
        raise CalendarError(
            f"{field}: expected a positive whole number of seconds, got {value!r}",
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
    total = amount * _UNIT_SECONDS[unit]
    if total <= 0 or total != total.to_integral_value():
        raise CalendarError(
            f"{field}: {value!r} is not a positive whole number of seconds",
            field=field,
            value=value,
        )
    return timedelta(seconds=int(total))


def format_length(length: timedelta) -> str:
    """``timedelta(hours=12)`` -> ``"12 hours"``; ``timedelta(minutes=90)`` -> ``"90 minutes"``."""
    seconds = int(length.total_seconds())
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return str(length)  # pragma: no cover - the loop always ends at seconds
