"""Hypothesis strategies for policies and tickets behind `slacalc.testing` (import them
from there). Policies are valid by construction; ticket histories are valid event
sequences, often with an event exactly on a due instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from ..engine.calendar import BusinessCalendar
from ..policy.model import Policy
from ..policy.targets import METRICS
from ..sla.ticket import EVENT_KINDS, Event, Ticket
from ._strategies import (
    _ONE_US,
    DEFAULT_END,
    DEFAULT_START,
    _clock,
    _spread,
    aware_datetimes,
    calendar_mappings,
    later,
    utc,
)

__all__ = ["ONE_TIER_KINDS", "policies", "policy_mappings", "tickets"]

ONE_TIER_KINDS = tuple(kind for kind in EVENT_KINDS if kind != "tier_changed")
"""Every event kind but ``tier_changed``: what `tickets` draws unless told (a tier change
takes a ticket off its plan, so the column paths send it to the checked path)."""


_KEYS = (("P1", "P2", "P3", "P4"), ("sev1", "sev2", "sev3", "sev4"),
         ("critical", "high", "normal", "low"))
_ALIASES = (("urgent", "emergency"), ("important", "major"), ("moderate", "standard"),
            ("trivial", "minor"))
_TIERS = ("basic", "standard", "premium", "enterprise")
_WHEN = st.sampled_from([{"opened": "after_hours"}, {"opened": "business_hours"},
                         {"category": "defect"}, {"category": ["usage", "question"]},
                         {"channel": "phone"}, {"opened": "after_hours", "channel": "phone"}])


@st.composite
def _within(draw: st.DrawFn, business_day: bool) -> str:
    """A target length: real or business units, a range, a relative deadline or none."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return "none"
    if kind == 1:
        at = draw(st.integers(0, 95).map(_clock))
        return draw(st.sampled_from(["end of business day", "end of next business day",
                                     f"next business day by {at}",
                                     f"{draw(st.integers(1, 4))} business days by {at}"]))
    units = ["minutes", "hours", "business minutes", "business hours"]
    unit = draw(st.sampled_from([*units, "business days"] if business_day else units))
    top = {"minutes": 240, "hours": 96, "business minutes": 240, "business hours": 48,
           "business days": 10}[unit]
    low = draw(st.integers(1, top))
    if draw(st.integers(0, 3)) == 0:
        return f"{low}-{low + draw(st.integers(1, top))} {unit}"
    if draw(st.integers(0, 5)) == 0:
        return f"{low}.5 {unit}"
    return f"{low} {unit}"


def _entry(draw: st.DrawFn, clocks: dict[str, bool], tier_clock: str) -> dict[str, Any]:
    clock = draw(st.none() | st.sampled_from(sorted(clocks)))
    within = draw(_within(clocks[clock or tier_clock]))
    entry: dict[str, Any] = {"within": within}
    if clock is not None and "business" in within:  # relative deadlines included
        entry["clock"] = clock
    if draw(st.integers(0, 2)) == 0:
        entry["stops_on"] = ["workaround"]
    if within == "none":
        entry["reason"] = "no deadline in the terms"
    return entry


def _target(draw: st.DrawFn, clocks: dict[str, bool], tier_clock: str) -> Any:
    form = draw(st.integers(0, 2))
    if form == 0:
        return draw(_within(clocks[tier_clock]))
    if form == 1:
        return _entry(draw, clocks, tier_clock)
    entries = [_entry(draw, clocks, tier_clock) for _ in range(draw(st.integers(1, 3)))]
    for index, entry in enumerate(entries):
        if index < len(entries) - 1 or draw(st.integers(0, 4)) == 0:
            entry["when"] = draw(_WHEN)
    return entries


@st.composite
def policy_mappings(draw: st.DrawFn) -> dict[str, Any]:
    """Valid policy mappings (what a policy YAML file holds), built to validate.

    One to three calendars from `calendar_mappings`; one to four priorities with aliases;
    one to three tiers (lowest first) on a calendar or ``24x7``; targets for a subset of
    priorities and metrics in all three written forms (a duration, one mapping, a list
    whose entries carry ``when`` conditions), with real and business units, ranges,
    decimals, ``none``, relative deadlines (``next business day by 16:00``), ``clock``
    and ``stops_on``; and random rules. Business days appear only on clocks whose
    ``business_day`` is known. Example: ``Policy.model_validate(mapping)`` never raises.
    """
    names = draw(st.lists(st.sampled_from(["office", "phones", "night"]), min_size=1,
                          max_size=3, unique=True))
    calendars = {name: draw(calendar_mappings()) for name in names}
    clocks = {name: BusinessCalendar.from_dict(mapping).business_day is not None
              for name, mapping in calendars.items()} | {"24x7": True}
    keys = draw(st.sampled_from(_KEYS))[:draw(st.integers(1, 4))]
    priorities = {key: {"name": key.upper(), "aliases": list(
        _ALIASES[index][:draw(st.integers(0, 2))])} for index, key in enumerate(keys)}
    tiers: dict[str, Any] = {}
    for tier in _TIERS[:draw(st.integers(1, 3))]:
        calendar = draw(st.sampled_from(sorted(clocks)))
        targets: dict[str, Any] = {}
        for key in draw(st.lists(st.sampled_from(keys), unique=True)):
            metrics = draw(st.lists(st.sampled_from(METRICS), min_size=1, unique=True))
            targets[key] = {metric: _target(draw, clocks, calendar) for metric in metrics}
        tiers[tier] = {"calendar": calendar, "targets": targets}
    awaiting = draw(st.sampled_from(["ignore", "pause", "void"]))
    paused = draw(st.sampled_from([None, ["response"], ["resolution"], list(METRICS)]))
    rules = {"awaiting_customer": awaiting, "paused_metrics": paused,
             # read only under void, as paused_metrics only under pause: one draw serves
             # both, so adding void_within changed no other value drawn
             "void_within": None if paused is None else "response",
             "priority_change": draw(st.sampled_from(["keep_elapsed", "restart"])),
             "resolution_requires_confirmation": draw(st.booleans()),
             "close_after_unanswered_contacts": draw(st.none() | st.integers(1, 3))}
    return {"schema_version": 1, "name": "generated", "vendor": "Example",
            "calendars": calendars, "priorities": priorities, "tiers": tiers, "rules": rules}


def policies() -> st.SearchStrategy[Policy]:
    """Valid `Policy` objects: `policy_mappings` validated (see there)."""
    return policy_mappings().map(Policy.model_validate)


# -- tickets -----------------------------------------------------------------------------


def _attributes(policy: Policy) -> dict[str, list[str]]:
    """Attribute keys the policy's ``when`` conditions test, with the values they name."""
    found: dict[str, list[str]] = {}
    for tier in policy.tiers.values():
        for metrics in tier.targets.values():
            for entries in metrics.values():
                for entry in entries:
                    for key, value in (entry.when or {}).items():
                        values = found.setdefault(key, [])
                        for item in [value] if isinstance(value, str) else value:
                            if item not in values:
                                values.append(item)
    found.pop("opened", None)
    return {key: values for key, values in found.items() if values}


def _due_instants(policy: Policy, tier: str, priority: str, opened: datetime,
                  attributes: dict[str, str]) -> list[datetime]:
    try:
        due = policy.deadlines(tier, priority, opened, **attributes)
    except Exception:  # check_policy reports engine errors; drawing must not
        return []
    return [moment for moment in due.values() if moment is not None]


def tickets(policy: Policy, *, tier: str | None = None, priority: str | None = None,
            start: date | datetime = DEFAULT_START, end: date | datetime = DEFAULT_END,
            max_events: int = 8, kinds: Sequence[str] = ONE_TIER_KINDS
            ) -> st.SearchStrategy[Ticket]:
    """Valid `Ticket`s for ``policy``, with event histories that `Policy.evaluate` accepts.

    The tier and priority (a key or an alias, in any case) are drawn unless given;
    ``opened_at`` comes from `aware_datetimes` on the tier's calendar within ``[start,
    end]``; attributes use the keys and values the policy's ``when`` conditions name. Up
    to ``max_events`` events of ``kinds`` (default: `ONE_TIER_KINDS`, every kind of
    `slacalc.ticket.EVENT_KINDS` but ``tier_changed``), in time order, at or after the
    opening: minutes to weeks later, often exactly on a due instant or a microsecond
    either side, with the extras each kind needs (``priority`` for priority_changed,
    ``tier`` for tier_changed, ``answered`` for contact_attempt, ``confirmed`` for
    resolved).
    Boundary rule: an unknown ``tier`` raises `UnknownTierError` at once.
    Example: ``tickets(policy, tier="standard", max_events=0)`` draws bare openings.
    """
    tiers = [tier] if tier is not None else list(policy.tiers)
    openings = {name: aware_datetimes(policy.calendar(policy.tier(name).calendar),
                                      start=start, end=end) for name in tiers}
    named = st.sampled_from(list(dict.fromkeys(
        variant for key, level in policy.priorities.items() for name in (key, *level.aliases)
        for variant in (name, name.upper(), name.lower()))))
    values = {key: st.sampled_from([*found, found[0].upper(), "other"])
              for key, found in _attributes(policy).items()}
    return _tickets(policy, tiers=st.sampled_from(tiers), named=named, openings=openings,
                    priorities=st.just(priority) if priority else named, values=values,
                    max_events=max_events, kinds=st.sampled_from(list(kinds)))


@st.composite
def _tickets(draw: st.DrawFn, policy: Policy, *, tiers: st.SearchStrategy[str],
             priorities: st.SearchStrategy[str], named: st.SearchStrategy[str],
             openings: dict[str, st.SearchStrategy[datetime]],
             values: dict[str, st.SearchStrategy[str]], max_events: int,
             kinds: st.SearchStrategy[str]) -> Ticket:
    tier, priority = draw(tiers), draw(priorities)
    opened = draw(openings[tier])
    attributes = {key: draw(value) for key, value in values.items() if draw(st.booleans())}
    dues = _due_instants(policy, tier, priority, opened, attributes)
    moves = st.sampled_from(list(policy.tiers))  # a tier_changed's new tier
    drawn = draw(st.lists(_event(opened, dues, named, kinds, moves=moves), max_size=max_events))
    events = sorted(drawn, key=lambda event: utc(event.at))  # stable: ties keep their order
    return Ticket(tier=tier, priority=priority, opened_at=opened, attributes=attributes,
                  events=tuple(events))


@st.composite
def _event(draw: st.DrawFn, opened: datetime, dues: list[datetime],
           named: st.SearchStrategy[str], kinds: st.SearchStrategy[str], *,
           moves: st.SearchStrategy[str]) -> Event:
    """One event at or after ``opened``: minutes or weeks later, or on a due instant (or a
    microsecond either side), with the extras its kind needs."""
    choice = draw(st.integers(0, 2 if dues else 1))
    if choice == 2:
        due = later(draw(st.sampled_from(dues)),
                    draw(st.sampled_from([timedelta(0), _ONE_US, -_ONE_US])))
        at = max(due, opened, key=utc)
    else:
        at = later(opened, timedelta(minutes=_spread(draw, 0, 600 if choice else 43200)))
    kind = draw(kinds)
    extra: dict[str, Any] = {}
    if kind == "priority_changed":
        extra["priority"] = draw(named)
    elif kind == "tier_changed":
        extra["tier"] = draw(moves)
    elif kind == "contact_attempt":
        extra["answered"] = draw(st.booleans())
    elif kind == "resolved":
        extra["confirmed"] = draw(st.booleans())
    return Event(kind=kind, at=at, **extra)
