"""slacalc: exact support-SLA arithmetic from declarative vendor policies.

The public surface is what ``__all__`` lists; the layers underneath (``engine``, ``render``,
``sla``, ``terms``, ``policy``, ``batch``, ``cli``, ``testing``; docs/architecture.md) each
list theirs in their own ``__all__``. Underscored modules are internal.
"""

from __future__ import annotations

from .batch import Breach, breaching_within
from .engine import BusinessCalendar, Duration, parse_duration
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
from .policy import (
    Policy,
    bundled_policy,
    bundled_policy_names,
    load_policies,
    load_policy,
    loads_policy,
    policy_json_schema,
)
from .sla import Deadlines, Event, MetricReport, SLAReport, Ticket
from .terms import AvailabilityReport, Classification, Incident, PackStatement, SupportPack

__all__ = [
    "AvailabilityError",
    "AvailabilityReport",
    "BillingError",
    "Breach",
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
    "breaching_within",
    "bundled_policy",
    "bundled_policy_names",
    "load_policies",
    "load_policy",
    "loads_policy",
    "parse_duration",
    "policy_json_schema",
]

__version__ = "0.1.0"
