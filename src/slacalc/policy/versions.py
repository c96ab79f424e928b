"""Effective-dated versions: terms that change from a date, and the terms in force.

A policy's own ``calendars``, ``tiers`` and ``rules`` are its *base* terms. Each entry of
``versions`` (oldest first) says from when (``effective_from``) and what changes, and
overlays the terms in force before it: a calendar named in a version replaces the
calendar of that name whole (or adds one); a tier merges key by key (``calendar``,
``description``, and per priority each metric's target, which replaces that metric's
target whole; a tier new in a version needs its ``calendar``); a rule given replaces that
rule; a tier's ``escalation`` given replaces it. Priorities, the policy's own
``escalation``, ``availability``, ``billing``, ``coverage`` and ``applies_to`` are not
versioned. `Terms` are the terms in force from one version on, each a `PolicyLike` the
plan compiler and the checks read as they read a policy.

``effective_from`` is an instant with a UTC offset, or a date, read as the first instant
of that date in the policy's ``timezone``. The version in force for a ticket is the last
one whose instant is at or before the ticket's ``opened_at`` (instants compared, never
wall times); before the first, the base terms. A ticket keeps the terms in force at its
opening for its whole life, whatever its events' instants.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from difflib import get_close_matches
from fractions import Fraction
from typing import Annotated, Any, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from ..engine import BusinessCalendar
from ..engine._zone import instant_us, load_zone, local_instant
from ..errors import SlacalcError
from ..sla.plan import Metric
from ..terms.coverage import located
from ._escalation import Escalation
from ._references import Problem, problems
from .parts import CalendarSpec, PolicyParts, Priority, Rules, Tier, named_tier
from .targets import TargetEntries

__all__ = ["Terms", "TierChange", "Version", "build_terms", "version_number"]

Key = tuple[str | int, ...]


def _effective(value: object) -> date | datetime:
    """A date, or an aware datetime; an ISO text of either is read as one."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected a date (YYYY-MM-DD) or an instant with a UTC offset "
                             f"(2027-01-01T00:00:00-05:00), got {text!r}") from None
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(f"{value.isoformat()} has no UTC offset: write a date (read in "
                             f"the policy's timezone) or an instant with an offset")
        return value
    if isinstance(value, date):
        return value
    raise ValueError(f"expected a date or an instant with a UTC offset, got {value!r}")


EffectiveFrom = Annotated[
    date | datetime,
    PlainValidator(_effective),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                              {"type": "string", "format": "date-time"}],
                    "examples": ["2027-01-01", "2027-03-14T12:00:00-04:00"]}),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            allowed = list(cls.model_fields)
            located(cls.__name__, [
                ((key,), f"unknown key {key!r}{cls._hint(str(key), allowed)} in {cls._what()}; "
                         f"allowed: {', '.join(allowed)}", key)
                for key in data if key not in allowed])
        return data

    @classmethod
    def _what(cls) -> str:
        return "a version"

    @classmethod
    def _hint(cls, key: str, allowed: list[str]) -> str:
        close = get_close_matches(key, allowed, n=1)
        return f" (did you mean {close[0]!r}?)" if close else ""


class TierChange(_Model):
    """What a version changes in a tier: keys given replace, targets merge per metric."""

    calendar: str | None = Field(
        None, description="Name of the calendar business units run on (a new tier needs it)."
    )
    description: str | None = Field(None, description="What the tier is, in the vendor's words.")
    targets: dict[str, dict[Metric, TargetEntries]] = Field(
        default_factory=dict, description="Priority -> metric -> target; each metric given "
        "replaces that metric's target, the others stay."
    )
    escalation: Escalation | None = Field(
        None, description="The tier's escalation thresholds from this version on ('[]': "
        "none); unset: those in force before."
    )

    @classmethod
    def _what(cls) -> str:
        return "a version's tier"


class Version(_Model):
    """Terms that change from an instant: what differs from the terms in force before it."""

    effective_from: EffectiveFrom = Field(
        description="From when: an instant with a UTC offset, or a date (YYYY-MM-DD) read as "
        "its first instant in the policy's timezone. A ticket takes the terms in force at "
        "its opened_at, for its whole life."
    )
    notes: str | None = Field(None, description="What changed and why, quoting the document.")
    calendars: dict[str, CalendarSpec] = Field(
        default_factory=dict, description="Calendars replaced whole, or added, by name."
    )
    tiers: dict[str, TierChange] = Field(
        default_factory=dict, description="Tier changes by name; a tier new here needs its "
        "calendar."
    )
    rules: Rules | None = Field(
        None, description="Rules given here replace those in force; the others stay."
    )

    @classmethod
    def _hint(cls, key: str, allowed: list[str]) -> str:
        if key in {"priorities", "availability", "billing", "coverage", "applies_to",
                   "escalation"}:
            return f" ({key} is not versioned: it is the policy's for every version)"
        return super()._hint(key, allowed)


class Base(PolicyParts, Protocol):
    """What `Terms` read of the policy holding them."""

    @property
    def timezone(self) -> str | None: ...
    @property
    def versions(self) -> tuple[Version, ...]: ...


class Terms:
    """The terms in force from one version on (``number`` 0: the base terms, ``i``:
    ``versions[i - 1]`` and every version before it), read as a policy is read."""

    __slots__ = ("_compiled", "calendars", "label", "number", "policy", "rules", "start",
                 "tiers")

    def __init__(self, policy: Base, number: int, start: int | None, *,
                 calendars: dict[str, CalendarSpec], tiers: dict[str, Tier],
                 rules: Rules) -> None:
        self.policy = policy
        self.number = number
        self.start = start  # UTC µs; None for the base terms
        self.label = "" if number == 0 else policy.versions[number - 1].effective_from.isoformat()
        self.calendars = calendars
        self.tiers = tiers
        self.rules = rules
        self._compiled: dict[str, BusinessCalendar] = {}

    @property
    def name(self) -> str:
        return self.policy.name

    @property
    def vendor(self) -> str:
        return self.policy.vendor

    @property
    def priorities(self) -> dict[str, Priority]:
        return self.policy.priorities

    @property
    def escalation(self) -> tuple[Fraction, ...] | None:
        return self.policy.escalation

    def same(self, other: Terms) -> bool:
        """True when these terms say exactly what ``other`` says (calendars, tiers, rules
        compared as data). Example: a version giving only ``rules: {}`` -> the same terms
        as before it."""
        return (self.calendars, self.tiers, self.rules) == (other.calendars, other.tiers,
                                                            other.rules)

    def tier(self, name: str) -> Tier:
        """The tier called ``name``; `UnknownTierError` listing these terms' tiers."""
        when = f" (in the terms from {self.label})" if self.label else ""
        return named_tier(self.tiers, name, self.name, when)

    def calendar(self, name: str) -> BusinessCalendar:
        """The compiled calendar ``name``: the policy's own while its spec is the same
        (each compiled once), else this version's."""
        spec = self.calendars.get(name)
        if spec is None or spec == self.policy.calendars.get(name):
            return self.policy.calendar(name)
        found = self._compiled.get(name)
        if found is None:
            found = self._compiled[name] = BusinessCalendar.from_dict(spec.mapping(), name=name)
        return found

    def written(self, *key: str | int) -> Key:
        """The key path where ``key`` was last written: in the newest version up to these
        terms that wrote it (``("versions", i, *key)``), else ``key`` itself.

        Boundary rule: a key inside a value written whole (a calendar, a metric's target)
        was written there. Example: a first version giving P1's response ->
        ``written("tiers", "standard", "targets", "P1", "response")`` is ``("versions", 0,
        "tiers", "standard", "targets", "P1", "response")`` in its terms and every later.
        """
        for index in reversed(range(self.number)):
            if _holds(self.policy.versions[index], key):
                return ("versions", index, *key)
        return key

    def location(self, *key: str | int) -> tuple[str, int, int] | None:
        """``(file, line, column)`` of ``key`` where it was last written, if known."""
        return self.policy.location(*self.written(*key))


def _holds(node: object, key: Key) -> bool:
    """True when ``key`` lies in what ``node`` (a version) has written."""
    for part in key:
        if isinstance(node, BaseModel):
            if not isinstance(part, str) or part not in node.model_fields_set:
                return False
            node = getattr(node, part)
        elif isinstance(node, Mapping):
            if part not in node:
                return False
            node = node[part]
        elif isinstance(node, tuple | list):
            if not isinstance(part, int) or not 0 <= part < len(node):
                return False
            node = node[part]
        else:
            return True  # inside a value written whole
    return True


def version_number(starts: tuple[int, ...], opened: int) -> int:
    """The number of the terms in force for a ticket opened at ``opened`` (UTC µs): 0 for
    the base terms, ``i`` for ``versions[i - 1]``.

    Boundary rule: a version is in force from its instant on, inclusive. Example: starts
    ``(t,)`` -> ``t - 1`` gives 0, ``t`` gives 1.
    """
    return bisect_right(starts, opened)


def _overlay(previous: Terms, version: Version, index: int, start: int | None
             ) -> tuple[Terms, list[Problem]]:
    """The terms ``version`` puts in force over ``previous``, and what is wrong with it."""
    found: list[Problem] = []
    tiers = dict(previous.tiers)
    for name, change in version.tiers.items():
        before = tiers.get(name)
        calendar = change.calendar or (before.calendar if before else None)
        if calendar is None:
            found.append((("versions", index, "tiers", name), f"tier {name!r} is new in this "
                          f"version and needs its 'calendar'", name))
            continue
        targets = dict(before.targets) if before else {}
        for key, metrics in change.targets.items():
            targets[key] = {**targets.get(key, {}), **metrics}
        description = change.description if "description" in change.model_fields_set else (
            before.description if before else None)
        escalation = change.escalation if "escalation" in change.model_fields_set else (
            before.escalation if before else None)
        tiers[name] = Tier(calendar=calendar, description=description, targets=targets,
                           escalation=escalation)
    rules = previous.rules
    if version.rules is not None:
        given = version.rules.model_fields_set
        rules = Rules.model_validate({**rules.model_dump(), **version.rules.model_dump(
            include=given)})
    terms = Terms(previous.policy, index + 1, start, calendars={
        **previous.calendars, **version.calendars}, tiers=tiers, rules=rules)
    return terms, found


def _starts(policy: Base) -> Iterator[tuple[int | None, Problem | None]]:
    """Each version's instant (None if it has none), with the problem in it, if any."""
    zone = None
    if policy.timezone is not None:
        try:
            zone = load_zone(policy.timezone)
        except SlacalcError as error:
            yield None, (("timezone",), str(error).split(": ", 1)[-1], policy.timezone)
            return
    for index, version in enumerate(policy.versions):
        moment = version.effective_from
        where = ("versions", index, "effective_from")
        if isinstance(moment, datetime):
            yield instant_us(moment), None
        elif zone is None:
            yield None, (where, f"the date {moment} needs the policy's 'timezone' (the zone "
                                f"whose midnight starts it), or write an instant with a UTC "
                                f"offset", moment.isoformat())
        else:
            try:
                yield local_instant(zone, moment, 0), None
            except (SlacalcError, ValueError, OverflowError):
                yield None, (where, f"{moment} is outside the supported years", str(moment))


def build_terms(policy: Base) -> tuple[list[Terms], list[Problem]]:
    """The terms of every version (index ``i``: `Terms` number ``i``), and the problems of
    the versions: zones, order, tiers, and the cross-references of each version's terms.

    Boundary rule: instants must strictly increase (two versions at one instant, or one
    listed before an earlier one, are errors); a problem already found in the terms
    before is not reported again. Example: a version from 2027-01-01 changing P2's
    response -> ``[base terms, terms from 2027-01-01]`` and no problem.
    """
    terms = [Terms(policy, 0, None, calendars=policy.calendars, tiers=policy.tiers,
                   rules=policy.rules)]
    found: list[Problem] = []
    seen: set[tuple[Key, str]] = set()
    last: tuple[int, int] | None = None  # the latest instant so far, and its version
    for index, (start, problem) in enumerate(_starts(policy)):
        if problem is not None:
            found.append(problem)
        if problem is not None and problem[0] == ("timezone",):
            return terms, found
        if start is not None and last is not None and start <= last[0]:
            how = "the same instant as" if start == last[0] else "earlier than"
            found.append((("versions", index, "effective_from"),
                          f"{how} versions[{last[1]}].effective_from: versions are listed "
                          f"oldest first, each from a later instant",
                          policy.versions[index].effective_from.isoformat()))
        if start is not None and (last is None or start > last[0]):
            last = (start, index)
        version = policy.versions[index]
        current, problems_here = _overlay(terms[-1], version, index, start)
        found += problems_here
        terms.append(current)
        for loc, message, value in problems(current):
            written = current.written(*loc)
            key = (written, message)
            if key not in seen:
                seen.add(key)
                where = written if written[:1] == ("versions",) else ("versions", index, *loc)
                found.append((where, f"in the terms from {current.label}: {message}", value))
    return terms, found
