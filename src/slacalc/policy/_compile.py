"""A policy's tier compiled into the kernel's `Plan`, once per (policy, version, tier).

Everything the kernel would otherwise look up per event is settled here: each target
entry's clock (a calendar's `Timeline`, or `RealTime` for real-time units), its length in
microseconds, its conditions as the kernel reads them, the line of the YAML it came
from, and the rules as flags.
"""

from __future__ import annotations

from datetime import timedelta

from ..engine import ALWAYS, BusinessCalendar, RelativeDue
from ..engine.timeline import RealTime
from ..sla.plan import (
    AWAIT_IGNORE,
    AWAIT_PAUSE,
    AWAIT_VOID,
    METRICS,
    Entry,
    MetricPlan,
    Plan,
    Rules,
)
from .parts import PolicyLike
from .targets import Target

__all__ = ["compile_tier"]

_US = timedelta(microseconds=1)
_AWAIT = {"ignore": AWAIT_IGNORE, "pause": AWAIT_PAUSE, "void": AWAIT_VOID}


def compile_tier(policy: PolicyLike, tier: str, version: str = "") -> Plan:
    """The plan of ``tier`` in ``policy`` (a policy's base terms, or the `Terms` of the
    ``version`` it names): every priority's entries, ready to replay.

    Boundary rule: an unknown tier raises `UnknownTierError` (the terms' own lookup).
    Example: vircom, standard -> ``P2`` response ``1 business hour`` on the business
    calendar (3,600,000,000 µs), resolution ``24 hours`` on `RealTime`.
    """
    tier_model = policy.tier(tier)
    calendars: dict[str, BusinessCalendar] = {}
    priorities: dict[str, tuple[MetricPlan, MetricPlan]] = {}
    for key in policy.priorities:
        written = tier_model.targets.get(key, {})
        plans = []
        for metric in METRICS:
            targets = written.get(metric)
            entries = None if targets is None else tuple(
                _entry(policy, tier, key, metric, index=index, target=target, calendars=calendars,
                       listed=len(targets) > 1)
                for index, target in enumerate(targets))
            missing = (f"no {metric} target for {key} in tier {tier}" if entries is None
                       else "no target entry matches this ticket")
            plans.append(MetricPlan(metric, entries, missing))
        priorities[key] = (plans[0], plans[1])
    aliases: dict[str, str] = {}
    for key, priority in policy.priorities.items():  # most urgent first: first claim wins
        for name in (key, *priority.aliases):
            aliases.setdefault(name.casefold(), key)
    listing = ", ".join(f"{key} ({', '.join(p.aliases)})" if p.aliases else key
                        for key, p in policy.priorities.items())
    rules = policy.rules
    paused = rules.paused_metrics or METRICS
    hours = policy.calendar(tier_model.calendar)
    return Plan(
        policy=policy.name, vendor=policy.vendor, tier=tier, zone=hours.zone,
        hours=hours.timeline, priorities=priorities,
        names={key: p.name for key, p in policy.priorities.items()}, aliases=aliases,
        listing=listing,
        rules=Rules(awaiting=_AWAIT[rules.awaiting_customer],
                    paused=(METRICS[0] in paused, METRICS[1] in paused),
                    restart=rules.priority_change == "restart",
                    confirmation=rules.resolution_requires_confirmation,
                    close_after=rules.close_after_unanswered_contacts,
                    void_within_response=rules.void_within == "response"),
        calendars=calendars, version=version,
        escalation=tuple(policy.escalation or ()) if tier_model.escalation is None
        else tier_model.escalation)


def _entry(policy: PolicyLike, tier: str, key: str, metric: str, *, index: int,
           target: Target, calendars: dict[str, BusinessCalendar], listed: bool) -> Entry:
    within = target.within
    place = policy.location("tiers", tier, "targets", key, metric, *((index,) if listed else ()))
    source = f"{place[0]}:{place[1]}" if place else None
    workaround = "workaround" in target.stops_on
    if within.is_none:
        return Entry(index, str(within), target.conditions(), "", None, None, None, None,
                     None, workaround, target.reason or "no deadline", source)
    name = (target.clock or policy.tier(tier).calendar) if within.business else ALWAYS
    calendar = calendars[name] = policy.calendar(name)
    timeline = RealTime() if name == ALWAYS else calendar.timeline
    if isinstance(within, RelativeDue):
        return Entry(index, str(within), target.conditions(), name, timeline, calendar, None,
                     None, (within.days, within.at), workaround, "", source)
    length = within.length(calendar.business_day) // _US
    lower = within.expected_length(calendar.business_day) // _US if within.is_range else None
    return Entry(index, str(within), target.conditions(), name, timeline, calendar, length,
                 lower, None, workaround, "", source)
