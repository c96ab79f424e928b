"""The exception hierarchy: every error slacalc raises on bad input is a `SlacalcError`.

Each subclass also derives from the built-in exception a Python caller would expect
(`ValueError` for a malformed value, `LookupError` for an unknown name), so existing
``except ValueError`` code keeps working. Messages are one line and name the field and
the bad value.
"""

from __future__ import annotations

__all__ = ["CalendarError", "NaiveDatetimeError", "SlacalcError"]


class SlacalcError(Exception):
    """Root of every error slacalc raises for bad input or an impossible request."""


class CalendarError(SlacalcError, ValueError):
    """A calendar mapping is invalid, or a calendar cannot answer (never open, no business day).

    ``field`` is the dotted path inside the calendar mapping (``hours.mon-fri``,
    ``holidays.country``), or ``""`` when the error is about the calendar as a whole;
    ``value`` is the offending value as written. A loader uses both to point at the
    exact place in a YAML file.
    """

    def __init__(self, message: str, *, field: str = "", value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class NaiveDatetimeError(SlacalcError, ValueError):
    """A datetime without a UTC offset was given where an instant is required."""
