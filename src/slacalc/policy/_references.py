"""Cross-references inside a policy: the checks a single field's validator cannot make.

A tier names a calendar, a target names a priority and maybe a clock, an alias must name
one priority only, business days need a calendar with a business day. Each broken
reference is reported as ``(location, message, value)`` so the loader can point at the
exact key in the YAML file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..engine import ALWAYS
from ..errors import CalendarError
from .parts import PolicyLike, Tier
from .targets import Target

__all__ = ["Problem", "problems"]

Problem = tuple[tuple[str | int, ...], str, Any]
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")


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
    if entry.within.unit == "business day":
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
