"""The engine: business calendars and their compiled timelines, in UTC microseconds.

Layer 1 (above `slacalc.errors` only). A calendar is a predicate on local wall time;
`Timeline` compiles it into open spans and business positions, so ``add`` and
``elapsed`` are bisects plus arithmetic. The engine does no I/O and reads no clock.
"""

from __future__ import annotations

from .calendar import ALWAYS, BusinessCalendar
from .durations import Duration, RelativeDue, parse_duration
from .timeline import Timeline

__all__ = ["ALWAYS", "BusinessCalendar", "Duration", "RelativeDue", "Timeline", "parse_duration"]
