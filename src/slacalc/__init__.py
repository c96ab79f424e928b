"""slacalc: exact support-SLA arithmetic from declarative vendor policies.

The public surface is what ``__all__`` lists; everything else is internal.
"""

from __future__ import annotations

from .calendar import BusinessCalendar
from .durations import Duration, parse_duration
from .errors import (
    CalendarError,
    NaiveDatetimeError,
    PolicyError,
    SlacalcError,
    UnknownPriorityError,
    UnknownTierError,
)
from .loader import bundled_policy, bundled_policy_names, load_policies, load_policy, loads_policy
from .policy import Policy, policy_json_schema

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "Duration",
    "NaiveDatetimeError",
    "Policy",
    "PolicyError",
    "SlacalcError",
    "UnknownPriorityError",
    "UnknownTierError",
    "__version__",
    "bundled_policy",
    "bundled_policy_names",
    "load_policies",
    "load_policy",
    "loads_policy",
    "parse_duration",
    "policy_json_schema",
]

__version__ = "0.1.0"
