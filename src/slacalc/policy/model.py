"""A vendor's policy as a frozen pydantic model: plain validated data and lookups.

A `Policy` is what a policy YAML file holds (see docs/policies.md): named calendars,
priorities in order of urgency, tiers with per-priority targets, rules, and versions that
change the terms from a date (`slacalc.policy.versions`). Every model forbids unknown keys
and documents each field, so `policy_json_schema()` documents itself. Cross-references (a
tier's calendar, a target's priority, a clock, each version's terms) are checked when the
model is validated, each error located at the offending key. `evaluate` and `deadlines`
compile the terms in force at the opening into plans (`slacalc.policy._compile`), once
per (tier, version), and delegate to the kernel.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from difflib import get_close_matches
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ..engine import ALWAYS, BusinessCalendar
from ..errors import PolicyError, UnknownPriorityError
from ..sla import Deadlines, SLAReport, Ticket
from ..sla.plan import METRICS, Plan
from ..terms.availability import Availability, AvailabilityReport, Fee, Outages, availability_report
from ..terms.billing import Billing, Classification, check_terms, classify
from ..terms.coverage import Coverage, located
from ._compile import compile_tier
from ._edges import deadlines, evaluate, instant, ticket_from
from ._escalation import Escalation, escalation_problems
from ._references import problems
from .parts import CalendarSpec, Priority, Rules, Tier, named_tier
from .targets import Target
from .versions import Terms, Version, build_terms, version_number

__all__ = ["Policy", "policy_json_schema"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Policy(_Model):
    """A vendor's support terms: calendars, priorities, tiers with targets, and rules."""

    schema_version: Literal[1] = Field(description="Format version; 1.")
    name: str = Field(description="Unique id (lowercase); bundled policies are found by it.")
    vendor: str = Field(description="The vendor's name.")
    extends: str | None = Field(
        None, description="Bundled policy name, or a path relative to this file, to overlay."
    )
    source: str | None = Field(None, description="The document the terms come from.")
    notes: str | None = Field(None, description="How the document was read, quoting it.")
    calendars: dict[str, CalendarSpec] = Field(
        default_factory=dict, description="Named calendars."
    )
    priorities: dict[str, Priority] = Field(description="Priorities, most urgent first.")
    tiers: dict[str, Tier] = Field(description="Tiers, lowest first.")
    rules: Rules = Field(default_factory=Rules, description="Event rules.")
    escalation: Escalation | None = Field(
        None, description="Escalation thresholds for every tier (a tier may give its own), "
        "as shares of each target: a clock is at risk once it has used one."
    )
    timezone: str | None = Field(
        None, description="IANA zone in which versions' effective_from dates are read (a "
        "date starts at its first instant there); needed only for such dates."
    )
    versions: tuple[Version, ...] = Field(
        (), description="Terms that change from a date, oldest first; each overlays the "
        "terms in force before it, and a ticket takes those in force at its opening."
    )
    # -- terms beyond the clocks (availability, billing, coverage): fields go here --
    availability: Availability | None = Field(
        None, description="Uptime target, maintenance windows and service credits."
    )
    billing: Billing | None = Field(
        None, description="Billable and non-billable incident categories, support packs."
    )
    coverage: Coverage | None = Field(
        None, description="Products and areas support covers, and what happens to the rest."
    )
    applies_to: Literal["all", "current_subscribers"] = Field(
        "all", description="Who the terms apply to: all customers, or current subscribers only."
    )

    _calendars: dict[str, BusinessCalendar] = PrivateAttr(default_factory=dict)
    _plans: dict[tuple[str, int], Plan] = PrivateAttr(default_factory=dict)
    _terms: list[Terms] = PrivateAttr(default_factory=list)
    _starts: tuple[int, ...] = PrivateAttr(())
    _locations: dict[tuple[str | int, ...], tuple[str, int, int]] = PrivateAttr(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _cross_references(self) -> Policy:
        located("Policy", [*escalation_problems(self.escalation), *problems(self)])
        if self.versions or self.timezone is not None:
            terms, found = build_terms(self)
            located("Policy", found)
            self._terms[:] = terms
            self._starts = tuple(term.start for term in terms[1:] if term.start is not None)
        return self

    def __eq__(self, other: object) -> bool:
        # Fields only: the compiled-calendar cache and source locations are not the policy.
        if not isinstance(other, Policy):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # dict fields: a policy is not hashable

    # -- terms beyond the clocks: thin methods delegating to availability.py/billing.py --

    @model_validator(mode="after")
    def _terms_agree(self) -> Policy:
        located("Policy", check_terms(self.billing, self.coverage))
        return self

    def availability_report(
        self, period: str, outages: Outages = (), *, notified_maintenance: Outages = (),
        monthly_fee: Fee = None,
    ) -> AvailabilityReport:
        """Uptime, target and service credit for one month ``period`` (``"2026-10"``).

        Boundary rule and worked example: `slacalc.availability.availability_report`
        (outages count only inside the month and outside maintenance; exact comparison).
        Example (valimail): 2008.8 s of outage in October 2026 is exactly 99.9%, met.
        """
        return availability_report(
            self.availability, period, outages, notified_maintenance=notified_maintenance,
            monthly_fee=monthly_fee, policy=self.name,
        )

    def classify(
        self, category: str | None = None, *, product: str | None = None
    ) -> Classification:
        """Whether an incident is billable, and why (`slacalc.billing.classify`).

        Boundary rule: an uncovered product is out of scope whatever the category; an
        unknown category raises `UnknownCategoryError`. Example (perfectmail):
        ``classify("bug_report")`` -> not billable; (vircom) ``classify("dns")`` -> billable.
        """
        return classify(self.billing, self.coverage, category, product=product, policy=self.name)

    # -- lookups -------------------------------------------------------------------------

    def calendar(self, name: str) -> BusinessCalendar:
        """The compiled calendar called ``name`` (``24x7`` is always available)."""
        cached = self._calendars.get(name)
        if cached is None:
            if name == ALWAYS and name not in self.calendars:
                cached = BusinessCalendar.always_open()
            else:
                cached = BusinessCalendar.from_dict(self.calendars[name].mapping(), name=name)
            self._calendars[name] = cached
        return cached

    def tier(self, name: str) -> Tier:
        """The tier called ``name`` (its key, or in any case); `UnknownTierError` listing the
        tiers otherwise, with a did-you-mean. Example (vircom): ``tier("Standard")``."""
        return named_tier(self.tiers, name, self.name)

    def priority_key(self, name: str) -> str:
        """The priority key for ``name`` (a key or an alias, any case).

        Example (vircom): ``"urgent"`` -> ``"P1"``; ``"p2"`` -> ``"P2"``.
        """
        wanted = name.strip().casefold()
        for key, priority in self.priorities.items():
            if wanted == key.casefold() or wanted in {a.casefold() for a in priority.aliases}:
                return key
        known = ", ".join(
            f"{key} ({', '.join(p.aliases)})" if p.aliases else key
            for key, p in self.priorities.items()
        )
        names = [n for key, p in self.priorities.items() for n in (key, *p.aliases)]
        close = get_close_matches(wanted, [n.casefold() for n in names], n=1)
        hint = (f" (did you mean {next(n for n in names if n.casefold() == close[0])!r}?)"
                if close else "")
        raise UnknownPriorityError(
            f"policy {self.name!r} has no priority {name!r}{hint}; priorities: {known}"
        )

    def location(self, *key: str | int) -> tuple[str, int, int] | None:
        """``(file, line, column)`` of a key path in the YAML this policy came from, if known."""
        return self._locations.get(tuple(key))

    def plan(self, tier: str) -> Plan:
        """``tier`` compiled for the kernel (once; `UnknownTierError` for an unknown tier).

        Boundary rule: one `Plan` per tier name for the policy's life (the policy is
        frozen); a policy with ``versions`` has one per version, chosen by the opening, so
        this raises `PolicyError` there: call `plan_at`. Example (vircom):
        ``plan("standard") is plan("standard")``.
        """
        if self.versions:
            raise PolicyError(
                f"policy {self.name!r} has versions (terms that change from a date): the plan "
                f"of tier {tier!r} depends on when a ticket was opened; use "
                f"plan_at({tier!r}, opened)")
        return self.plan_at(tier, 0)

    def version_at(self, opened: datetime | int) -> int:
        """The number of the terms in force for a ticket opened at ``opened`` (an aware
        datetime, or UTC µs): 0 for the base terms, ``i`` for ``versions[i - 1]``.

        Boundary rule: instants are compared, never wall times; a version is in force
        from its ``effective_from`` on, inclusive. Example: with one version from
        2027-01-01 in America/Toronto, 2026-12-31 23:59 -05:00 -> 0; 2027-01-01 00:00
        -05:00 (and 2027-01-01 05:00 UTC) -> 1.
        """
        if not self._starts:
            return 0
        moment = opened if isinstance(opened, int) else instant(opened, "opened_at")
        return version_number(self._starts, moment)

    def version_starts(self) -> tuple[int, ...]:
        """Each version's first instant, UTC µs, in order (empty without versions): the
        terms in force at ``t`` are number ``bisect_right(starts, t)`` (`version_at`).

        Example: one version from 2027-01-01 in America/Toronto -> ``(1798779600000000,)``
        (2027-01-01 05:00 UTC).
        """
        return self._starts

    def plan_at(self, tier: str, opened: datetime | int) -> Plan:
        """``tier`` compiled for a ticket opened at ``opened`` (aware datetime or UTC µs):
        in the terms in force then (`version_at`), once per (tier, version).

        Boundary rule: an unknown tier (in those terms) raises `UnknownTierError`; a
        ticket opened at a version's instant takes that version. Example (vircom, no
        versions): ``plan_at("standard", t) is plan_at("standard", u)`` for any t, u.
        """
        # The private dict itself: ``self._plans`` goes through pydantic's ``__getattr__``
        # (about 1 µs, a third of a whole `Policy.deadlines`).
        private = self.__pydantic_private__
        assert private is not None
        number = version_number(private["_starts"], opened if isinstance(opened, int) else
                                instant(opened, "opened_at")) if private["_starts"] else 0
        found: Plan | None = private["_plans"].get((tier, number))
        return self.plan_of(tier, number) if found is None else found

    def plan_of(self, tier: str, number: int) -> Plan:
        """``tier`` compiled in the terms numbered ``number`` (`version_at`; 0: the base
        terms), once per (tier, version) for the policy's life.

        Boundary rule: an unknown tier in those terms raises `UnknownTierError`; an
        unknown number raises `IndexError`. Example: ``plan_of("standard", 0)`` is what
        ``plan_at("standard", t)`` gives for any ``t`` before the first version.
        """
        plans: dict[tuple[str, int], Plan] = self._plans
        found = plans.get((tier, number))
        if found is None:
            if number == 0:  # the policy's own terms, compiled from the policy as ever
                found = plans[(tier, 0)] = compile_tier(self, tier)
            else:
                terms = self.terms(number)
                found = plans[(tier, number)] = compile_tier(terms, tier, terms.label)
        return found

    def terms(self, number: int = 0) -> Terms:
        """The terms numbered ``number`` (`version_at`; 0: the base terms), read as a
        policy is read: the calendars, tiers and rules in force, and where each was written.

        Boundary rule: numbers run from 0 to ``len(versions)``; any other raises
        `IndexError`. Example: ``terms(1).tier("standard").targets["P2"]["response"]`` is
        what the first version makes P2's response.
        """
        found = self._terms
        if not found:
            found.append(Terms(self, 0, None, calendars=self.calendars, tiers=self.tiers,
                               rules=self.rules))
        if not 0 <= number < len(found):
            raise IndexError(f"policy {self.name!r} has terms 0 to {len(found) - 1}, "
                             f"not {number}")
        return found[number]

    def target(
        self, tier: str, priority: str, metric: str, opened_at: datetime,
        attributes: Mapping[str, str],
    ) -> tuple[int, Target] | None:
        """The target entry a ticket takes for ``metric`` and its index (None if none
        applies), chosen by the kernel's rule (`slacalc.sla.plan.matches`).

        Example (vircom standard): ``target("standard", "P2", "response", t, {})`` ->
        ``(0, Target(within=1 business hour))``.
        """
        opened = instant(opened_at, "opened_at")
        plan = self.plan_at(tier, opened)
        key = self.priority_key(priority)
        metric_plan = plan.priorities[key][METRICS.index(metric)]
        entry = metric_plan.choose(attributes, lambda: plan.hours.is_open(opened))
        if entry is None:
            return None
        found = self.terms(self.version_at(opened)).tier(tier)
        return entry.index, found.targets[key][metric][entry.index]  # type: ignore[index]

    # -- the kernel's answers (the logic lives in slacalc.sla) ---------------------------

    def evaluate(
        self, ticket: Ticket | Mapping[str, Any], now: datetime | None = None, *,
        subscription_active: bool = True,
    ) -> SLAReport:
        """Replay ``ticket``'s events up to ``now`` and report every metric (docs/clocks.md).

        A mapping is read as a `Ticket`; a bad field raises `TicketError` naming it and
        its value.

        Boundary rule: events are ordered by instant (never wall time; equal instants
        keep their order); ``now`` defaults to the last event (or the opening); events
        after it are not applied; a clock stopped exactly at its due instant is met; the
        terms in force at ``opened_at`` (`version_at`) apply for the whole ticket, a
        ``tier_changed`` moving it to another tier of those terms.
        Example (vircom): P2 opened Fri 17:30, responded Mon 08:00 -> response met (due
        Mon 08:00).
        """
        if not isinstance(ticket, Ticket):  # a mapping: `TicketError` for a bad field
            ticket = ticket_from(ticket)
        if self.applies_to == "current_subscribers" and not subscription_active:
            return evaluate(self, ticket, now, not_applicable=(
                "the SLA applies only to current subscribers"))
        return evaluate(self, ticket, now)

    def deadlines(
        self, tier: str, priority: str, opened_at: datetime, **attributes: str
    ) -> Deadlines:
        """Each metric's due instant for a ticket opened at ``opened_at`` (None: no deadline).

        Boundary rule: business units run on the tier's calendar (or the target's
        ``clock``), so a deadline landing on closing time is the closing instant; plain
        units are real time; a range is due at its upper bound; the terms are those in
        force at ``opened_at`` (`version_at`).
        Example (vircom, standard): P2 opened Fri 17:30 Toronto -> response Mon 08:00,
        resolution Sat 17:30 (24 real hours).
        """
        return deadlines(self, tier, priority, opened_at, attributes)


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema of the policy format (draft 2020-12), for editors and validators."""
    schema = Policy.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "slacalc policy"
    return schema

