"""Cross-references inside a policy: the checks a single field's validator cannot make.

A tier names a calendar, a target names a priority and maybe a clock, an alias must name
one priority only, business days need a calendar with a business day (and at most 100
years, 36,500 days, of them), and a relative deadline no more open dates than its
calendar has in 100 years. Each broken reference is reported as ``(location, message,
value)`` so the loader can point at the exact key in the YAML file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..engine import ALWAYS, Duration, RelativeDue
from ..engine.timeline import SPAN_LIMIT_YEARS
from ..errors import CalendarError, PolicyError
from .parts import PolicyLike, Tier
from .targets import Target

__all__ = ["Problem", "problems"]

Problem = tuple[tuple[str | int, ...], str, Any]
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_WEEKS = (SPAN_LIMIT_YEARS + 1) * 366 // 7 + 1  # weeks touched by 101 UTC years, at most


def problems(policy: PolicyLike) -> Iterator[Problem]:
    """Yield ``(location, message, value)`` for each broken cross-reference."""
    if not _NAME.fullmatch(policy.name):
        yield ("name",), f"name {policy.name!r} must be lowercase letters, digits, _ . -", (
            policy.name
        )
    seen: dict[str, str] = {}
    for key, priority in policy.priorities.items():
        for index, alias in enumerate((key, *priority.aliases)):
            folded = alias.casefold()
            loc: tuple[str | int, ...] = (
                ("priorities", key) if index == 0 else ("priorities", key, "aliases", index - 1)
            )
            if folded in seen:
                yield loc, f"{alias!r} already names priority {seen[folded]}", alias
            seen[folded] = key
    if ALWAYS in policy.calendars:
        yield (("calendars", ALWAYS), f"the name {ALWAYS!r} is reserved for the always-open "
               f"clock that plain (real-time) units run on; name this calendar otherwise",
               ALWAYS)
    known_clocks = set(policy.calendars) | {ALWAYS}
    for tier_name, tier in policy.tiers.items():
        if tier.calendar not in known_clocks:
            yield (
                ("tiers", tier_name, "calendar"),
                f"unknown calendar {tier.calendar!r}; calendars: {', '.join(sorted(known_clocks))}",
                tier.calendar,
            )
            continue
        for priority_key, metrics in tier.targets.items():
            if priority_key not in policy.priorities:
                yield (
                    ("tiers", tier_name, "targets", priority_key),
                    f"target for undeclared priority {priority_key!r}; priorities: "
                    f"{', '.join(policy.priorities)}",
                    priority_key,
                )
                continue
            for metric, entries in metrics.items():
                for index, entry in enumerate(entries):
                    loc = ("tiers", tier_name, "targets", priority_key, metric, index)
                    yield from _entry_problems(policy, tier, entry, loc, known_clocks)


def _entry_problems(
    policy: PolicyLike, tier: Tier, entry: Target, loc: tuple[str | int, ...], clocks: set[str]
) -> Iterator[Problem]:
    if entry.clock is not None and entry.clock not in clocks:
        yield (*loc, "clock"), f"unknown clock {entry.clock!r}; calendars: " \
            f"{', '.join(sorted(clocks))}", entry.clock
        return
    if entry.clock is not None and not entry.within.business:
        yield (*loc, "clock"), (
            f"clock {entry.clock!r} applies only to business units, and "
            f"{entry.within} is real time; write e.g. '{entry.within.high} business hours'"
        ), entry.clock
    if isinstance(entry.within, Duration) and entry.within.unit == "business day":
        clock = entry.clock or tier.calendar
        try:
            business = policy.calendar(clock).business_day
        except CalendarError:  # reported at the calendar itself
            return
        if business is None:
            yield (*loc, "within"), (
                f"business days on calendar {clock!r}, whose open weekdays differ in length; "
                f"state calendars.{clock}.business_day"
            ), str(entry.within)
            return
        try:  # over 100 years, or under a microsecond, of this calendar's business days
            entry.within.length(business)
            entry.within.expected_length(business)
        except PolicyError as error:
            yield (*loc, "within"), str(error), str(entry.within)
    if isinstance(entry.within, RelativeDue):
        yield from _relative_problems(policy, entry.clock or tier.calendar, entry.within, loc)


def _relative_problems(policy: PolicyLike, clock: str, due: RelativeDue,
                       loc: tuple[str | int, ...]) -> Iterator[Problem]:
    """A problem when ``due`` counts more open dates than ``clock`` can have within 100
    years (its open weekdays in 101 years' weeks, plus its special dates that open)."""
    try:
        calendar = policy.calendar(clock)
    except CalendarError:  # reported at the calendar itself
        return
    weekdays = sum(1 for hours in calendar.weekly.days if hours)
    most = weekdays * _WEEKS + sum(1 for hours in calendar.special.values() if hours)
    if due.days > most:
        yield (*loc, "within"), (
            f"'{due}' cannot be met: calendar {clock!r} opens on at most {most:,} dates in "
            f"{SPAN_LIMIT_YEARS} years; business time is measured within "
            f"{SPAN_LIMIT_YEARS} years"), str(due)
