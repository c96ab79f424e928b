"""slacalc: exact support-SLA arithmetic from declarative vendor policies.

The public surface is what ``__all__`` lists; everything else is internal.
"""

from __future__ import annotations

from .calendar import BusinessCalendar
from .errors import CalendarError, NaiveDatetimeError, SlacalcError

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "NaiveDatetimeError",
    "SlacalcError",
    "__version__",
]

__version__ = "0.1.0"
