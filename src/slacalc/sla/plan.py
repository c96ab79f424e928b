"""A (policy, tier, priority) compiled for batches.

A batch evaluates many tickets of few kinds, and most export rows carry nothing but stop
instants (responded, resolved, workaround). For those, everything `Policy.evaluate`
decides per ticket is decided once per (policy, tier, priority) here: which target entry
each metric takes (unless a ``when`` condition reads the ticket), its compiled timeline
and its business length. A ticket is then a handful of integer operations per metric on
UTC microseconds (`slacalc.columns`): ``due = shift(opened, length)``, ``used =
between(opened, end)``. Real-time targets run on the 24x7 clock, where business time is
real time, so they skip the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from ..engine.durations import Duration
from ..policy.targets import ALWAYS, METRICS, Target

if TYPE_CHECKING:
    from ..engine.calendar import BusinessCalendar
    from ..engine.timeline import Timeline
    from ..policy.model import Policy

__all__ = ["Entry", "MetricPlan", "Plan", "Result", "compile_plan", "seconds_text"]

Result = tuple[str, str, str, str, str, str, str, str, str, str, str, str, str]
"""One result row, in the order of `slacalc.batch.RESULT_COLUMNS`."""

_US = timedelta(microseconds=1)


def seconds_text(us: int) -> str:
    """A span of ``us`` microseconds as seconds, the way result rows show it.

    Boundary rule: whole seconds print as an integer, anything else with six decimals.
    Example: ``seconds_text(90_000_000)`` -> ``"90"``; ``seconds_text(1_500_000)`` ->
    ``"1.500000"``.
    """
    if us % 1_000_000:
        return f"{us / 1_000_000:.6f}"
    return str(us // 1_000_000)


@dataclass(frozen=True, slots=True)
class Entry:
    """One target entry with what evaluating it needs."""

    target: Target
    text: str  # the target as written, e.g. "1 business hour"
    timeline: Timeline | None  # None for a ``within: none`` entry
    length: int | None  # business µs; None for a relative target (``next business day``)
    realtime: bool  # on the 24x7 clock: due = opened + length, used = end - opened
    workaround: bool  # a workaround stops this clock
    relative: Callable[[datetime], datetime] | None  # the due of a relative target


@dataclass(frozen=True, slots=True)
class MetricPlan:
    """A metric's entries, and the entry every ticket takes when none reads the ticket."""

    metric: str
    entries: tuple[Entry, ...] | None  # None: the priority has no target for this metric
    fixed: Entry | None  # the first entry, when it has no ``when``
    missing: str  # the reason when no entry applies


@dataclass(frozen=True, slots=True)
class Plan:
    """A (policy, tier, priority), compiled once per batch."""

    policy: Policy
    tier: str
    key: str  # the priority key the alias resolves to
    hours: BusinessCalendar  # the tier calendar, for ``opened:`` conditions
    metrics: tuple[MetricPlan, ...]


def compile_plan(policy: Policy, tier: str, priority: str) -> Plan:
    """The plan of ``priority`` in ``tier`` of ``policy``.

    Boundary rule: an unknown tier or priority raises the policy's own error
    (`UnknownTierError`, `UnknownPriorityError`). Example: vircom, standard, ``"high"`` ->
    key ``P2``, response 1 business hour on the business calendar, resolution 24 real
    hours on the 24x7 clock.
    """
    tier_model = policy.tier(tier)
    key = policy.priority_key(priority)
    always = policy.calendar(ALWAYS) if ALWAYS not in policy.calendars else None
    metrics = []
    for metric in METRICS:
        written = tier_model.targets.get(key, {}).get(metric)
        entries = None if written is None else tuple(
            _entry(policy, tier, target, always) for target in written)
        fixed = entries[0] if entries and not entries[0].target.when else None
        missing = (f"no {metric} target for {key} in tier {tier}" if entries is None
                   else "no target entry matches this ticket")
        metrics.append(MetricPlan(metric, entries, fixed, missing))
    return Plan(policy, tier, key, policy.calendar(tier_model.calendar), tuple(metrics))


def _entry(policy: Policy, tier: str, target: Target,
           always: BusinessCalendar | None) -> Entry:
    if target.within.is_none:
        return Entry(target, str(target.within), None, None, False, False, None)
    clock = policy.clock_for(tier, target)
    if isinstance(target.within, Duration):
        length = target.within.length(clock.business_day) // _US
        return Entry(target, str(target.within), clock._timeline, length, clock is always,
                     "workaround" in target.stops_on, None)
    return Entry(target, str(target.within), clock._timeline, None, False,
                 "workaround" in target.stops_on, partial(policy.due_from, tier, target))
