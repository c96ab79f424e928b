"""The parts of a policy: calendars, holidays, priorities, tiers and rules, as frozen
pydantic models; and `PolicyLike`, what the checks and the compiler read of a whole policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from difflib import get_close_matches
from fractions import Fraction
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from ..engine import BusinessCalendar
from ..errors import CalendarError, UnknownTierError
from ..sla.plan import Metric
from ..terms.coverage import located
from ._escalation import Escalation, escalation_problems
from .targets import TargetEntries

__all__ = [
    "CalendarSpec",
    "HolidaysSpec",
    "PolicyLike",
    "PolicyParts",
    "Priority",
    "RecurringSpec",
    "Rules",
    "Tier",
    "named_tier",
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


class RecurringSpec(_Model):
    """Hours, or closed windows, on every date an RFC 5545 recurrence rule names."""

    rule: str = Field(
        description="RFC 5545 RRULE naming dates, FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. "
        "'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24' or 'FREQ=MONTHLY;BYDAY=1SA'."
    )
    hours: str | list[str] | None = Field(
        None, description="Hours replacing the date's hours, as in special_hours ('closed' "
        "closes the date). Give hours or closed."
    )
    closed: str | list[str] | None = Field(
        None, description="Windows closed on the date, cut from its hours: '02:00-06:00' for "
        "maintenance, '12:00-24:00' to close at noon. Give hours or closed."
    )
    start: str | None = Field(
        None, description="First date (YYYY-MM-DD) the rule may fall on, RFC 5545's DTSTART; "
        "needed for INTERVAL, COUNT or a rule naming no day."
    )

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            allowed = list(cls.model_fields)
            for key in data:
                if key not in allowed:
                    close = get_close_matches(str(key), allowed, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    raise ValueError(f"unknown key {key!r}{hint}; allowed: {', '.join(allowed)}")
        return data


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
    recurring: list[RecurringSpec] | None = Field(
        None, description="Hours or closed windows on the dates of recurrence rules (after "
        "holidays; special_hours win). See docs/calendars.md."
    )
    business_day: str | None = Field(
        None, description="Business-time length of one business day, e.g. '12 hours'."
    )
    ics: list[str] | None = Field(
        None, description="iCalendar feeds whose events close the calendar: a file's path "
        "relative to the policy file (read when the policy is loaded, from its folder or "
        "below), or a feed's text. See docs/calendars.md."
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
    escalation: Escalation | None = Field(
        None, description="This tier's escalation thresholds, replacing the policy's "
        "('[]': none here); unset: the policy's."
    )

    @model_validator(mode="after")
    def _ascending(self) -> Tier:
        located("Tier", escalation_problems(self.escalation))
        return self


class Rules(_Model):
    """How ticket events affect the clocks."""

    awaiting_customer: Literal["ignore", "pause", "void"] = Field(
        "ignore", description="What waiting on the customer does: ignore, pause or void clocks."
    )
    paused_metrics: tuple[Metric, ...] | None = Field(
        None, description="With pause: which clocks stop (default: all)."
    )
    void_within: Literal["response"] | None = Field(
        None, description="With void: 'response' voids clocks only for a reach-out within the "
        "first reaction time, at or before the response clock's due instant (exactly at due "
        "is within); a later reach-out stops a running response clock, breached, and voids "
        "nothing. Unset (the default): any reach-out voids."
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


class PolicyParts(Protocol):
    """The parts every reader of a policy's terms reads: a `Policy`, and the terms of one
    of its versions."""

    @property
    def name(self) -> str: ...
    @property
    def vendor(self) -> str: ...
    @property
    def calendars(self) -> dict[str, CalendarSpec]: ...
    @property
    def priorities(self) -> dict[str, Priority]: ...
    @property
    def tiers(self) -> dict[str, Tier]: ...
    @property
    def rules(self) -> Rules: ...
    @property
    def escalation(self) -> tuple[Fraction, ...] | None: ...
    def calendar(self, name: str) -> BusinessCalendar: ...
    def location(self, *key: str | int) -> tuple[str, int, int] | None: ...


class PolicyLike(PolicyParts, Protocol):
    """What the cross-reference checks and the plan compiler read of a policy."""

    def tier(self, name: str) -> Tier: ...


def named_tier(tiers: Mapping[str, Tier], name: str, owner: str, when: str = "") -> Tier:
    """The tier ``name`` names in ``tiers``: its key, or the one key equal to it in any case
    and with outer spaces ignored (as priorities are matched).

    Boundary rule: an exact key wins; otherwise `UnknownTierError` naming ``owner``'s
    tiers, with a did-you-mean for a near miss. Example: ``"Standard"`` -> the tier
    ``standard``; ``"standrd"`` -> "... no tier 'standrd' (did you mean 'standard'?)".
    """
    found = tiers.get(name)
    if found is not None:
        return found
    wanted = name.strip().casefold()
    matching = [key for key in tiers if key.casefold() == wanted]
    if len(matching) == 1:
        return tiers[matching[0]]
    close = get_close_matches(wanted, [key.casefold() for key in tiers], n=1)
    hint = ""
    if close:
        hint = f" (did you mean {next(k for k in tiers if k.casefold() == close[0])!r}?)"
    raise UnknownTierError(f"policy {owner!r} has no tier {name!r}{when}{hint}; tiers: "
                           f"{', '.join(tiers)}")
