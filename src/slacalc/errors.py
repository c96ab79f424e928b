"""The exception hierarchy: every error slacalc raises on bad input is a `SlacalcError`.

Each subclass also derives from the built-in exception a Python caller would expect
(`ValueError` for a malformed value, `LookupError` for an unknown name), so existing
``except ValueError`` code keeps working. Messages are one line and name the field and
the bad value.
"""

from __future__ import annotations

__all__ = [
    "AvailabilityError",
    "BillingError",
    "CalendarError",
    "NaiveDatetimeError",
    "PolicyError",
    "SlacalcError",
    "TicketError",
    "UnknownCategoryError",
    "UnknownPriorityError",
    "UnknownTierError",
]


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


class PolicyError(SlacalcError, ValueError):
    """A policy file or mapping is invalid.

    ``path``, ``line`` and ``column`` (1-based, as editors count) locate the first problem,
    ``key`` is its dotted key path (``tiers.standard.targets.P2.response``), and ``errors``
    holds every problem found in the file, each itself a located `PolicyError` with a
    one-line message ``vircom.yaml:23:19: tiers.standard.targets.P2.response: ...``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        key: str = "",
        errors: tuple[PolicyError, ...] = (),
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.key = key
        self.errors: tuple[PolicyError, ...] = errors or (self,)


class UnknownTierError(SlacalcError, LookupError):
    """A tier name that the policy does not declare."""


class UnknownPriorityError(SlacalcError, LookupError):
    """A priority that is neither a key nor an alias of the policy's priorities."""


class TicketError(SlacalcError, ValueError):
    """A ticket's history does not fit its policy (unknown event kind or priority, an event
    before the opening); the message names the event's index, e.g. ``events[3]: ...``."""


class AvailabilityError(SlacalcError, ValueError):
    """Availability terms or a report's inputs are invalid.

    A malformed percent (``99,9%``), a period that is not ``YYYY-MM``, an outage whose end
    is before its start, a fee that is negative or not a decimal amount, or a report asked
    of a policy that declares no availability terms.
    """


class BillingError(SlacalcError, ValueError):
    """A billing or coverage question the policy cannot answer as asked.

    A classification with neither a category nor a product, a product given to a policy
    that lists no covered products, a support pack of a negative or fractional size, or a
    pack applied to a policy that sells none.
    """


class UnknownCategoryError(SlacalcError, LookupError):
    """An incident category that the policy's billing and coverage terms do not declare."""
