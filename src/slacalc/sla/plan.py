"""A policy's tier compiled for the kernel: plain values, timelines and lengths in µs.

The policy layer compiles each (policy, version, tier) once (`slacalc.policy` does it, the kernel
never sees the pydantic model). What `Policy.evaluate` used to look up per event is
decided here: each priority's target entries with their conditions, the clock each
entry runs on (a `Timeline`, or `RealTime` for real-time units) and its business length
in microseconds, the event rules as flags, the priority names and aliases, and the
escalation thresholds (shares of each target, `slacalc.sla.escalation`). A single
ticket, a JSONL line and a column of export rows all replay against the same `Plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from difflib import get_close_matches
from fractions import Fraction
from typing import Literal

from ..engine import ALWAYS, BusinessCalendar
from ..engine.timeline import RealTime, Timeline

__all__ = [
    "ALWAYS",
    "AWAIT_IGNORE",
    "AWAIT_PAUSE",
    "AWAIT_VOID",
    "METRICS",
    "Conditions",
    "Entry",
    "Metric",
    "MetricPlan",
    "Plan",
    "Rules",
    "matches",
]

Metric = Literal["response", "resolution"]
METRICS: tuple[Metric, Metric] = ("response", "resolution")
"""The metrics every plan holds, in this order (index 0 and 1 in the kernel)."""

AWAIT_IGNORE, AWAIT_PAUSE, AWAIT_VOID = 0, 1, 2
"""What waiting on the customer does (the policy's ``rules.awaiting_customer``)."""

Conditions = tuple[tuple[str, frozenset[str]], ...]
"""A target entry's ``when``: (attribute, accepted values casefolded), all must hold."""


def matches(conditions: Conditions, attributes: Mapping[str, str],
            opened_in_hours: Callable[[], bool]) -> bool:
    """True when every condition holds: the one rule for choosing a target entry.

    Boundary rule: values compare casefolded; an attribute the ticket lacks fails its
    condition; ``opened`` is ``business_hours`` when the tier's calendar is open at the
    opening, else ``after_hours`` (asked only when a condition tests it). Example:
    ``(("category", {"defect"}),)`` matches ``{"category": "Defect"}``.
    """
    for key, wanted in conditions:
        if key == "opened":
            actual = "business_hours" if opened_in_hours() else "after_hours"
        else:
            found = attributes.get(key)
            if found is None:
                return False
            actual = str(found).casefold()
        if actual not in wanted:
            return False
    return True


@dataclass(frozen=True, slots=True)
class Entry:
    """One target entry, ready to evaluate.

    ``timeline`` is None for a ``within: none`` entry (no deadline). ``length`` is the
    business length in µs, None for a relative target (``next business day by 16:00``),
    whose ``relative`` is ``(days, at)``. ``lower`` is a range target's lower bound.
    """

    index: int  # position in the metric's list of entries
    text: str  # the target as written, e.g. "1 business hour"
    conditions: Conditions
    clock: str  # the calendar's name ("24x7" for real time)
    timeline: Timeline | RealTime | None
    calendar: BusinessCalendar | None  # for a relative target's due
    length: int | None
    lower: int | None
    relative: tuple[int, int | None] | None
    workaround: bool  # a workaround stops this clock
    reason: str  # why there is no deadline (``within: none``)
    source: str | None  # "file:line" of the entry in the policy YAML

    def first_due(self, origin: int) -> int:
        """The due instant of a clock started at ``origin`` and never paused.

        Example, 1 business hour on 07:30-18:00 Toronto: Fri 17:30 -> Mon 08:00 (as µs).
        """
        if self.relative is not None:
            assert self.calendar is not None
            return self.calendar.relative_due_us(origin, *self.relative)
        assert self.timeline is not None
        assert self.length is not None
        return self.timeline.shift(origin, self.length)


@dataclass(frozen=True, slots=True)
class MetricPlan:
    """A metric's entries for one priority (None: no target), first match wins."""

    metric: str
    entries: tuple[Entry, ...] | None
    missing: str  # the reason when no entry applies

    def choose(self, attributes: Mapping[str, str],
               opened_in_hours: Callable[[], bool]) -> Entry | None:
        """The first entry whose conditions hold (`matches`), None when none does.

        Example: ``[{when: {category: defect}, within: none}, {within: 48-72 hours}]``
        with ``category=usage`` -> the second entry.
        """
        for entry in self.entries or ():
            if matches(entry.conditions, attributes, opened_in_hours):
                return entry
        return None

    @property
    def fixed(self) -> Entry | None:
        """The entry every ticket takes, when the first entry has no condition."""
        if self.entries and not self.entries[0].conditions:
            return self.entries[0]
        return None


@dataclass(frozen=True, slots=True)
class Rules:
    """The policy's event rules, as the kernel reads them."""

    awaiting: int  # AWAIT_IGNORE, AWAIT_PAUSE or AWAIT_VOID
    paused: tuple[bool, bool]  # with pause: which metrics stop (response, resolution)
    restart: bool  # a priority change restarts the clocks (else keeps elapsed time)
    confirmation: bool  # a resolution counts only when confirmed
    close_after: int | None  # unanswered contact attempts after which a close voids
    void_within_response: bool = False  # with void: only a reach-out by the response due voids


@dataclass(frozen=True, slots=True)
class Plan:
    """One tier of one policy (in one of its versions), compiled: what a replay needs and
    nothing it must look up."""

    policy: str
    vendor: str
    tier: str
    zone: tzinfo  # the tier calendar's zone, in which explanations show instants
    hours: Timeline  # the tier calendar, for ``opened`` conditions
    priorities: Mapping[str, tuple[MetricPlan, MetricPlan]]  # by priority key
    names: Mapping[str, str]  # priority key -> display name
    aliases: Mapping[str, str]  # casefolded key or alias -> key
    listing: str  # the priorities as errors list them: "P1 (urgent), P2, ..."
    rules: Rules
    calendars: Mapping[str, BusinessCalendar]  # the calendars entries run on, by name
    version: str = ""  # the policy version compiled: "" for its base terms, else its date
    escalation: tuple[Fraction, ...] = ()  # thresholds, shares of each target, ascending

    def priority_key(self, name: str) -> str | None:
        """The key a priority name or alias stands for (any case), None if unknown.

        Example (vircom): ``"urgent"`` -> ``"P1"``.
        """
        return self.aliases.get(name.strip().casefold())

    def unknown_priority(self, name: str) -> str:
        """The message for a priority this plan's policy does not know."""
        close = get_close_matches(name.strip().casefold(), list(self.aliases), n=1)
        hint = f" (did you mean {self.aliases[close[0]]!r}?)" if close else ""
        return (f"policy {self.policy!r} has no priority {name!r}{hint}; priorities: "
                f"{self.listing}")
