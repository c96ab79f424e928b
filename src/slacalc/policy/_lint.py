"""Consistency checks on a valid policy: the mistakes that validation cannot see.

A policy can be well-formed and still say something no vendor means: a P1 slower than a
P2, a premium tier slower than the basic one, a resolution due before the response, a
calendar that never opens. `lint` finds those. Comparisons are made on due instants, not
on the numbers written, so ``1 business day`` and ``10 hours`` compare correctly: every
pair is compared for tickets opened at each hour of a reference fortnight (the two weeks
starting on the first Monday on or after ``as_of``), in the tier calendar's zone.

A policy with versions is checked in each version's terms too (`slacalc.policy.versions`):
a finding those terms share with the terms before them is reported once, where it was
written, and a version that changes nothing is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Literal

import holidays

from ..errors import CalendarError
from ..sla import Deadlines
from ..sla.plan import Plan
from ._edges import deadlines
from .model import Policy
from .parts import CalendarSpec, Priority, Tier
from .targets import METRICS, Metric
from .versions import Key

__all__ = ["Finding", "lint"]

Severity = Literal["error", "warning"]
_PROBE_HOURS = 14 * 24


@dataclass(frozen=True, slots=True)
class Finding:
    """One lint finding: severity, the key path it concerns, where it is, and why."""

    severity: Severity
    key: str
    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else ""
        return f"{where}{self.severity}: {self.key}: {self.message}"


_Raw = tuple[Severity, Key, str]  # a finding before it is located


class _View:
    """The terms numbered ``number`` of ``policy``, read as the checks read a policy."""

    def __init__(self, policy: Policy, number: int) -> None:
        self.policy = policy
        self.number = number
        terms = policy.terms(number)
        self.name, self.vendor = policy.name, policy.vendor
        self.priorities: dict[str, Priority] = policy.priorities
        self.calendars: dict[str, CalendarSpec] = terms.calendars
        self.tiers: dict[str, Tier] = terms.tiers
        self.calendar = terms.calendar

    def plan_at(self, tier: str, opened: int) -> Plan:
        return self.policy.plan_of(tier, self.number)

    def deadlines(self, tier: str, priority: str, opened: datetime) -> Deadlines:
        return deadlines(self, tier, priority, opened, {})


def _located(policy: Policy, severity: Severity, key: Key, message: str) -> Finding:
    """A finding at ``key``, located at its deepest written part."""
    text = ".".join(str(part) for part in key)
    for end in range(len(key), 0, -1):
        location = policy.location(*key[:end])
        if location is not None:
            return Finding(severity, text, message, path=location[0], line=location[1])
    return Finding(severity, text, message)


def _probes(policy: _View, tier: str, as_of: date) -> list[datetime]:
    zone = policy.calendar(policy.tiers[tier].calendar).zone
    monday = as_of + timedelta(days=(7 - as_of.weekday()) % 7)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    return [start + timedelta(hours=hour) for hour in range(_PROBE_HOURS)]


def _due(policy: _View, tier: str, priority: str, metric: Metric, opened: datetime
         ) -> datetime | None:
    return policy.deadlines(tier, priority, opened).get(metric)


def _first_later(policy: _View, probes: list[datetime], fast: tuple[str, str],
                 slow: tuple[str, str], metric: Metric) -> datetime | None:
    """The first probe at which ``fast`` (tier, priority) is due after ``slow``, if any."""
    for opened in probes:
        quick = _due(policy, fast[0], fast[1], metric, opened)
        late = _due(policy, slow[0], slow[1], metric, opened)
        if quick is not None and late is not None and quick > late:
            return opened
    return None


def _priority_order(policy: _View, as_of: date) -> Iterator[_Raw]:
    for tier_name, tier in policy.tiers.items():
        probes = _probes(policy, tier_name, as_of)
        declared = [p for p in policy.priorities if p in tier.targets]
        for metric in METRICS:
            having = [p for p in declared if metric in tier.targets[p]]
            for urgent, lower in pairwise(having):
                opened = _first_later(policy, probes, (tier_name, urgent), (tier_name, lower),
                                      metric)
                if opened is not None:
                    yield ("warning",
                                   ("tiers", tier_name, "targets", urgent, metric),
                                   f"{urgent} is due later than the less urgent {lower} for a "
                                   f"ticket opened {opened:%a %Y-%m-%d %H:%M %Z}")


def _tier_order(policy: _View, as_of: date) -> Iterator[_Raw]:
    for lower, higher in pairwise(policy.tiers):
        probes = _probes(policy, higher, as_of)
        for priority in policy.priorities:
            for metric in METRICS:
                if metric not in policy.tiers[lower].targets.get(priority, {}) or \
                        metric not in policy.tiers[higher].targets.get(priority, {}):
                    continue
                opened = _first_later(policy, probes, (higher, priority), (lower, priority),
                                      metric)
                if opened is not None:
                    yield ("warning",
                                   ("tiers", higher, "targets", priority, metric),
                                   f"tier {higher!r} is slower than the lower tier {lower!r} "
                                   f"for {priority} {metric}, for a ticket opened "
                                   f"{opened:%a %Y-%m-%d %H:%M %Z}")


def _resolution_before_response(policy: _View, as_of: date) -> Iterator[_Raw]:
    for tier_name, tier in policy.tiers.items():
        probes = _probes(policy, tier_name, as_of)
        for priority, metrics in tier.targets.items():
            if "response" not in metrics or "resolution" not in metrics:
                continue
            for opened in probes:
                due = policy.deadlines(tier_name, priority, opened)
                response, resolution = due.get("response"), due.get("resolution")
                if response is not None and resolution is not None and resolution < response:
                    yield ("warning",
                                   ("tiers", tier_name, "targets", priority, "resolution"),
                                   f"resolution is due before the response for a ticket "
                                   f"opened {opened:%a %Y-%m-%d %H:%M %Z}")
                    break


def _calendars(policy: _View, as_of: date) -> Iterator[_Raw]:
    for name, spec in policy.calendars.items():
        calendar = policy.calendar(name)
        start = datetime(as_of.year, as_of.month, as_of.day, tzinfo=calendar.zone)
        try:
            opens = calendar.next_open(start)
        except CalendarError:
            opens = None
        if opens is None or opens - start > timedelta(days=366):
            yield ("error", ("calendars", name),
                           f"calendar {name!r} has no open time in the year from {as_of}")
        country = spec.holidays.country if spec.holidays else None
        if country is not None:
            subdiv = spec.holidays.subdiv if spec.holidays else None
            table = holidays.country_holidays(country, subdiv=subdiv, years=as_of.year)
            if not table:
                yield ("warning", ("calendars", name, "holidays", "country"),
                               f"the holidays package has no {country} holidays for "
                               f"{as_of.year}: no date will be closed")


def _unreachable(policy: _View) -> Iterator[_Raw]:
    for tier_name, tier in policy.tiers.items():
        for priority, metrics in tier.targets.items():
            for metric, entries in metrics.items():
                for index, entry in enumerate(entries[:-1]):
                    if not entry.when:
                        for later in range(index + 1, len(entries)):
                                            yield (
                                "warning",
                                ("tiers", tier_name, "targets", priority, metric, later),
                                f"entry {later} can never apply: entry {index} has no 'when' "
                                f"and matches every ticket first")
                        break


def lint(policy: Policy, *, as_of: date | None = None) -> list[Finding]:
    """Every consistency finding on ``policy``, errors first, then in file order.

    Boundary rule: comparisons use due instants for tickets opened at each hour of the
    fortnight from the first Monday on or after ``as_of`` (default: today, since linting
    is a tool, not the engine). Example: a tier with P1 ``4 business hours`` and P2
    ``1 business hour`` gives ``warning: tiers.standard.targets.P1.response: P1 is due later
    than the less urgent P2 ...``.
    """
    day = as_of or date.today()
    findings: list[Finding] = []
    seen: set[tuple[Key, str]] = set()
    for number in range(len(policy.versions) + 1):
        view = _View(policy, number)
        terms = policy.terms(number)
        if number and terms.same(policy.terms(number - 1)):
            findings.append(_located(policy, "warning", ("versions", number - 1),
                                     f"versions[{number - 1}] changes nothing: the terms in "
                                     f"force before it say the same"))
        for severity, key, said in [*_calendars(view, day), *_unreachable(view),
                                    *_priority_order(view, day), *_tier_order(view, day),
                                    *_resolution_before_response(view, day)]:
            written = terms.written(*key)
            if (written, said) in seen:
                continue
            seen.add((written, said))
            if number and written[:1] != ("versions",):  # arises in this version
                findings.append(_located(policy, severity, ("versions", number - 1, *key),
                                         f"in the terms from {terms.label}: {said}"))
            else:
                findings.append(_located(policy, severity, written, said))
    return sorted(findings, key=lambda f: (f.severity != "error", f.line or 0))
