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
    TicketError,
    UnknownPriorityError,
    UnknownTierError,
)
from .loader import bundled_policy, bundled_policy_names, load_policies, load_policy, loads_policy
from .policy import Policy, policy_json_schema
from .report import MetricReport, SLAReport
from .ticket import Event, Ticket

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "Duration",
    "Event",
    "MetricReport",
    "NaiveDatetimeError",
    "Policy",
    "PolicyError",
    "SLAReport",
    "SlacalcError",
    "Ticket",
    "TicketError",
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
