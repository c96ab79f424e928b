"""slacalc: exact support-SLA arithmetic from declarative vendor policies.

The public surface is what ``__all__`` lists; everything else is internal.
"""

from __future__ import annotations

from .availability import AvailabilityReport
from .billing import Classification, Incident, PackStatement, SupportPack
from .calendar import BusinessCalendar
from .deadlines import Deadlines
from .durations import Duration, parse_duration
from .errors import (
    AvailabilityError,
    BillingError,
    CalendarError,
    NaiveDatetimeError,
    PolicyError,
    SlacalcError,
    TicketError,
    UnknownCategoryError,
    UnknownPriorityError,
    UnknownTierError,
)
from .loader import bundled_policy, bundled_policy_names, load_policies, load_policy, loads_policy
from .policy import Policy, policy_json_schema
from .report import MetricReport, SLAReport
from .ticket import Event, Ticket

__all__ = [
    "AvailabilityError",
    "AvailabilityReport",
    "BillingError",
    "BusinessCalendar",
    "CalendarError",
    "Classification",
    "Deadlines",
    "Duration",
    "Event",
    "Incident",
    "MetricReport",
    "NaiveDatetimeError",
    "PackStatement",
    "Policy",
    "PolicyError",
    "SLAReport",
    "SlacalcError",
    "SupportPack",
    "Ticket",
    "TicketError",
    "UnknownCategoryError",
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
