"""Vendor policies as frozen pydantic models, and the deadlines they imply.

A `Policy` is what a policy YAML file holds (see docs/policies.md): named calendars,
priorities in order of urgency, tiers with per-priority targets, and rules. Every model
forbids unknown keys and documents each field, so `policy_json_schema()` documents itself.
Cross-references (a tier's calendar, a target's priority, a clock) are checked when the
model is validated, each error located at the offending key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, PrivateAttr, model_validator

from ..engine._zone import require_aware
from ..engine.calendar import BusinessCalendar
from ..engine.durations import RelativeDue
from ..errors import CalendarError, UnknownPriorityError, UnknownTierError
from ..sla.deadlines import Deadlines
from ..sla.ticket import Ticket
from ..terms.availability import Availability, AvailabilityReport, Fee, Outages, availability_report
from ..terms.billing import Billing, Classification, check_terms, classify
from ..terms.coverage import Coverage, located
from ._references import problems
from .targets import ALWAYS, METRICS, Metric, Target, TargetEntries, select_target

if TYPE_CHECKING:
    from ..sla.report import SLAReport

__all__ = [
    "ALWAYS",
    "CalendarSpec",
    "HolidaysSpec",
    "Policy",
    "Priority",
    "Rules",
    "Tier",
    "policy_json_schema",
]

_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _plain(value: Any) -> Any:
    """YAML dates -> ISO text, recursively, so a calendar mapping compares equal after a
    round trip whether its dates were written quoted or not."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _field_loc(field: str) -> tuple[str | int, ...]:
    """``"hours.sat[1]"`` -> ``("hours", "sat", 1)``."""
    return tuple(
        int(index) if index else name for name, index in _FIELD_PART.findall(field)
    )


class HolidaysSpec(_Model):
    """Public holidays that close whole local dates."""

    country: str | None = Field(None, description="Country code of the `holidays` package.")
    subdiv: str | None = Field(None, description="Its subdivision code, e.g. QC for Quebec.")
    add: list[str] | dict[str, str] | None = Field(
        None, description="Extra closed dates (YYYY-MM-DD), or a mapping date -> name."
    )
    remove: list[str] | None = Field(
        None, description="Country holidays the business works anyway."
    )


class CalendarSpec(_Model):
    """A calendar: weekly open hours in an IANA zone, holidays and special dates."""

    timezone: str = Field(description="IANA time zone name, e.g. America/Toronto.")
    hours: str | dict[str, str | list[str]] = Field(
        description="'24x7', or weekday key (mon..sun, mon-fri, daily) -> 'HH:MM-HH:MM', a "
        "list of intervals, or 'closed'. An interval ending before it starts crosses midnight."
    )
    holidays: HolidaysSpec | None = Field(None, description="Whole local dates closed.")
    special_hours: dict[str, str | list[str]] | None = Field(
        None, description="Date (YYYY-MM-DD) -> hours replacing that date's hours, or 'closed'."
    )
    business_day: str | None = Field(
        None, description="Business-time length of one business day, e.g. '12 hours'."
    )

    @model_validator(mode="before")
    @classmethod
    def _dates_as_text(cls, data: Any) -> Any:
        return _plain(data)

    def mapping(self) -> dict[str, Any]:
        """The engine's calendar mapping (keys left unset are omitted)."""
        return self.model_dump(exclude_none=True)

    @model_validator(mode="after")
    def _builds(self) -> CalendarSpec:
        try:
            BusinessCalendar.from_dict(self.mapping())
        except CalendarError as error:
            message = str(error).split(": ", 1)[-1] if error.field else str(error)
            located("CalendarSpec", [(_field_loc(error.field), message, error.value)])
        return self


class Priority(_Model):
    """A priority (severity) level."""

    name: str = Field(description="Display name, e.g. Critical.")
    aliases: tuple[str, ...] = Field((), description="Other names tickets use for it.")
    description: str | None = Field(None, description="The vendor's definition.")


class Tier(_Model):
    """A support tier (package) with its targets."""

    calendar: str = Field(description="Name of the calendar business units run on.")
    description: str | None = Field(None, description="What the tier is, in the vendor's words.")
    targets: dict[str, dict[Metric, TargetEntries]] = Field(
        default_factory=dict, description="Priority -> metric (response, resolution) -> target."
    )


class Rules(_Model):
    """How ticket events affect the clocks."""

    awaiting_customer: Literal["ignore", "pause", "void"] = Field(
        "ignore", description="What waiting on the customer does: ignore, pause or void clocks."
    )
    paused_metrics: tuple[Metric, ...] | None = Field(
        None, description="With pause: which clocks stop (default: all)."
    )
    priority_change: Literal["keep_elapsed", "restart"] = Field(
        "keep_elapsed", description="On a priority change: keep elapsed time, or restart."
    )
    resolution_requires_confirmation: bool = Field(
        False, description="Resolution counts only when the customer confirms it."
    )
    close_after_unanswered_contacts: PositiveInt | None = Field(
        None, description="Unanswered contact attempts after which a closure voids clocks."
    )


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
    _locations: dict[tuple[str | int, ...], tuple[str, int, int]] = PrivateAttr(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _cross_references(self) -> Policy:
        located("Policy", list(problems(self)))
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
        """The tier called ``name``; `UnknownTierError` listing the tiers otherwise."""
        found = self.tiers.get(name)
        if found is None:
            raise UnknownTierError(
                f"policy {self.name!r} has no tier {name!r}; tiers: {', '.join(self.tiers)}"
            )
        return found

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
        raise UnknownPriorityError(
            f"policy {self.name!r} has no priority {name!r}; priorities: {known}"
        )

    def location(self, *key: str | int) -> tuple[str, int, int] | None:
        """``(file, line, column)`` of a key path in the YAML this policy came from, if known."""
        return self._locations.get(tuple(key))

    # -- deadlines -----------------------------------------------------------------------

    def target(
        self, tier: str, priority: str, metric: Metric, opened_at: datetime,
        attributes: Mapping[str, str],
    ) -> tuple[int, Target] | None:
        """The target entry that applies to a ticket for ``metric`` (None if none applies)."""
        tier_model = self.tier(tier)
        entries = tier_model.targets.get(self.priority_key(priority), {}).get(metric)
        if entries is None:
            return None
        in_hours = self.calendar(tier_model.calendar).is_open(opened_at)
        return select_target(entries, attributes, in_hours)

    def clock_for(self, tier: str, target: Target) -> BusinessCalendar:
        """The calendar a target runs on: 24x7 for real units, else its clock or the tier's."""
        if not target.within.business:
            return self.calendar(ALWAYS)
        return self.calendar(target.clock or self.tier(tier).calendar)

    def due_from(self, tier: str, target: Target, origin: datetime) -> datetime:
        """When ``target`` (not ``none``) falls due for a clock started at ``origin``.

        Example (vircom standard P2 response, 1 business hour): Fri 17:30 -> Mon 08:00.
        """
        clock = self.clock_for(tier, target)
        within = target.within
        if isinstance(within, RelativeDue):
            return clock.relative_due(origin, within.days, within.at)
        return clock.add(origin, within.length(clock.business_day))

    def evaluate(
        self, ticket: Ticket | Mapping[str, Any], now: datetime | None = None, *,
        subscription_active: bool = True,
    ) -> SLAReport:
        """Replay ``ticket``'s events up to ``now`` and report every metric (docs/clocks.md).

        Boundary rule: ``now`` defaults to the last event (or the opening); events after it
        are not applied; a clock stopped exactly at its due instant is met. Example
        (vircom): P2 opened Fri 17:30, responded Mon 08:00 -> response met (due Mon 08:00).
        """
        from ..sla.replay import replay  # noqa: PLC0415  (clock builds on this module)
        from ..sla.report import build_report  # noqa: PLC0415  (so does report)

        if not isinstance(ticket, Ticket):
            ticket = Ticket.model_validate(ticket)
        if now is not None:
            require_aware(now, "now")
        state = replay(self, ticket, now)
        if self._applies_to() == "current_subscribers" and not subscription_active:
            return build_report(state, applicable=False,
                                reason="the SLA applies only to current subscribers")
        return build_report(state)

    def _applies_to(self) -> str:
        return str(getattr(self, "applies_to", "all"))

    def deadlines(
        self, tier: str, priority: str, opened_at: datetime, **attributes: str
    ) -> Deadlines:
        """Each metric's due instant for a ticket opened at ``opened_at`` (None: no deadline).

        Boundary rule: business units run on the tier's calendar (or the target's
        ``clock``) by `BusinessCalendar.add`, so a deadline landing on closing time is the
        closing instant; plain units are real time; a range is due at its upper bound.
        Example (vircom, standard): P2 opened Fri 17:30 Toronto -> response Mon 08:00,
        resolution Sat 17:30 (24 real hours).
        """
        require_aware(opened_at, "opened_at")
        due: dict[str, datetime | None] = {}
        targets: dict[str, str] = {}
        tier_model = self.tier(tier)
        key = self.priority_key(priority)
        for metric in METRICS:
            if metric not in tier_model.targets.get(key, {}):
                continue
            chosen = self.target(tier, key, metric, opened_at, attributes)
            targets[metric] = str(chosen[1].within) if chosen else "none"
            if chosen is None or chosen[1].within.is_none:
                due[metric] = None
                continue
            due[metric] = self.due_from(tier, chosen[1], opened_at)
        return Deadlines(due, policy=self.name, tier=tier, priority=key, opened_at=opened_at,
                         targets=targets)


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema of the policy format (draft 2020-12), for editors and validators."""
    schema = Policy.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "slacalc policy"
    return schema

