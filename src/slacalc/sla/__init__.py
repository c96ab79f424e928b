"""The SLA kernel: compiled plans, the replay of a ticket's events, and its reports.

Layer 3 (above the engine and rendering). Everything here works on integer UTC
microseconds; datetimes appear only in the report objects handed back to callers.
"""

from __future__ import annotations

from .deadlines import Deadlines
from .report import MetricReport, SLAReport
from .ticket import EVENT_KINDS, Event, Ticket

__all__ = ["EVENT_KINDS", "Deadlines", "Event", "MetricReport", "SLAReport", "Ticket"]
