"""Availability: an uptime target per calendar month, maintenance windows, service credits.

The ``availability`` terms name the services, the target (``99.9%``), the period (a
calendar month), the maintenance windows (a calendar mapping whose *open* hours are the
windows, so ``daily: "21:00-03:00"`` crosses midnight and DST like any calendar), whether
notified maintenance is excluded too, and a credit ladder. `availability_report` measures
a month: the instants whose local wall clock reads inside it, minus maintenance, is the
committed time; the merged outages inside committed time are the downtime; uptime is an
exact `Fraction` compared exactly with the target; the credit is rounded half-even to cents
only at the end. Durations are whole microseconds; no float is ever involved.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from ..engine import _zone
from ..engine._spans import Span, intersect, merge, subtract, total
from ..engine._zone import instant_us, load_zone, require_aware, to_datetime, wall_preimage, wall_us
from ..engine.calendar import BusinessCalendar
from ..errors import AvailabilityError, CalendarError
from ..render._display import availability_html, availability_text
from .coverage import Problems, TermsModel, located
from .percent import Percent, PercentField, parse_percent

__all__ = [
    "Availability", "AvailabilityReport", "CreditStep", "Fee", "MaintenanceSpec", "Outages",
    "Percent", "PercentField", "availability_report", "parse_percent",
]

Outages = Iterable[tuple[datetime, datetime]]
"""``(start, end)`` pairs of aware datetimes: outages, or notified maintenance."""
Fee = Decimal | int | str | None
"""A monthly fee: a `Decimal`, an int, or a decimal string (floats are refused as inexact)."""

_PERIOD = re.compile(r"(\d{4})-(\d{2})")
_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_ONE_US = timedelta(microseconds=1)
_FIRST_YEAR, _LAST_YEAR = _zone.MIN_YEAR + 1, _zone.MAX_YEAR - 1  # zone data, with margin


# -- the terms -----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _compiled(mapping_json: str) -> BusinessCalendar:
    return BusinessCalendar.from_dict(json.loads(mapping_json), name="maintenance")


class MaintenanceSpec(TermsModel):
    """Scheduled maintenance windows: a calendar mapping whose open hours are the windows."""

    timezone: str = Field(description="IANA time zone the windows are local to.")
    hours: str | dict[str, str | list[str]] = Field(
        description="When maintenance runs, in the calendar format: weekday key (mon..sun, "
        "mon-fri, daily) -> 'HH:MM-HH:MM' or a list of intervals. An interval ending before "
        "it starts crosses midnight, e.g. daily: '21:00-03:00'."
    )
    special_hours: dict[str, str | list[str]] | None = Field(
        None, description="Date (YYYY-MM-DD) -> that date's windows instead, or 'closed'."
    )

    @field_validator("special_hours", mode="before")
    @classmethod
    def _dates_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):  # YAML reads unquoted dates as dates
            return {k.isoformat() if isinstance(k, date) else k: v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _builds(self) -> MaintenanceSpec:
        try:
            self.calendar()
        except CalendarError as error:
            message = str(error).split(": ", 2)[-1] if error.field else str(error)
            loc = tuple(int(index) if index else name
                        for name, index in _FIELD_PART.findall(error.field))
            located("MaintenanceSpec", [(loc, message, error.value)])
        return self

    def mapping(self) -> dict[str, Any]:
        """The engine's calendar mapping, keys left unset omitted.

        Example: ``{"timezone": "America/Los_Angeles", "hours": {"daily": "21:00-03:00"}}``.
        """
        return self.model_dump(exclude_none=True)

    def calendar(self) -> BusinessCalendar:
        """The calendar that is open exactly while scheduled maintenance runs (cached).

        Example: ``{timezone: America/Los_Angeles, hours: {daily: "21:00-03:00"}}`` is
        open from 21:00 to 03:00 local every night, 7 real hours on the night DST ends.
        """
        return _compiled(json.dumps(self.mapping(), sort_keys=True))


class CreditStep(TermsModel):
    """One step of the service-credit ladder."""

    below: PercentField = Field(description="Uptime strictly below this earns the credit.")
    credit: PercentField = Field(description="The credit, as a percent of the monthly fee.")


class Availability(TermsModel):
    """An uptime commitment: services, target, period, maintenance windows, service credits."""

    services: tuple[str, ...] = Field(
        min_length=1, description="The services the target covers, e.g. Authentication Services."
    )
    target: PercentField = Field(
        description="Committed uptime, e.g. 99.9%; met when uptime is at least this, compared "
        "exactly (99.8999...% misses 99.9%)."
    )
    period: Literal["month"] = Field(
        "month", description="Measurement period: a calendar month, local to `timezone`."
    )
    timezone: str | None = Field(None, description="IANA zone the months are local to; "
                                 "default: the maintenance windows' zone (one is required).")
    maintenance: MaintenanceSpec | None = Field(None, description="Scheduled maintenance "
                                                "windows, excluded from committed time.")
    exclude_notified_maintenance: bool = Field(False, description="Maintenance the vendor "
                                               "gives notice of is excluded from committed "
                                               "time too.")
    credits: tuple[CreditStep, ...] = Field((), description="Service-credit ladder; when "
                                            "several steps apply, the largest credit is owed.")
    sole_remedy: bool = Field(
        False, description="The service credit is the sole remedy for missing the target."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Availability:
        problems: Problems = []
        if self.timezone is not None:
            try:
                load_zone(self.timezone)
            except CalendarError as error:
                problems.append((("timezone",), str(error).split(": ", 1)[-1], self.timezone))
        elif self.maintenance is None:
            problems.append(((), "timezone: required when there are no maintenance windows "
                                 "(the months are local to it)", None))
        seen: set[Decimal] = set()
        for index, step in enumerate(self.credits):
            if step.below.value > self.target.value:
                problems.append((("credits", index, "below"), (
                    f"credit step below {step.below} is above the target {self.target}: "
                    f"uptime that meets the target would earn a credit"), str(step.below)))
            elif step.below.value in seen:
                problems.append((("credits", index, "below"),
                                 f"a second credit step below {step.below}", str(step.below)))
            seen.add(step.below.value)
        located("Availability", problems)
        return self

    @property
    def zone_name(self) -> str:
        """The zone the months are local to: ``timezone``, else the maintenance windows'.

        Example (valimail, no ``timezone``): ``"America/Los_Angeles"``.
        """
        if self.timezone is not None:
            return self.timezone
        assert self.maintenance is not None  # the validator requires one of the two
        return self.maintenance.timezone


# -- the report ----------------------------------------------------------------------------


class AvailabilityReport(TermsModel):
    """One period's availability: committed time, counted downtime, uptime and credit."""

    period: str = Field(description="The month measured, 'YYYY-MM'.")
    timezone: str = Field(description="The zone the month is local to.")
    start: datetime = Field(description="First instant of the period (local midnight).")
    end: datetime = Field(description="First instant after the period (local midnight).")
    services: tuple[str, ...] = Field(description="The services the target covers.")
    length: timedelta = Field(description="Real time in the period (DST months are not 24 x "
                                          "days hours).")
    scheduled_maintenance: timedelta = Field(description="Scheduled maintenance in the period.")
    notified_maintenance: timedelta = Field(description="Notified maintenance excluded beyond "
                                            "the schedule (zero unless the terms exclude it).")
    committed: timedelta = Field(description="The period minus excluded maintenance.")
    downtime: timedelta = Field(description="Outage time that counts: inside committed time.")
    downtime_spans: tuple[tuple[datetime, datetime], ...] = Field(description="The counted "
                                                                  "outage spans, merged.")
    uptime: Fraction = Field(description="(committed - downtime) / committed, exact; 1 when "
                                         "nothing is committed.")
    uptime_percent: str = Field(description="Uptime for display, truncated to 4 decimals.")
    target: Fraction = Field(description="The target as an exact proportion.")
    met: bool = Field(description="Uptime is at least the target (exact comparison).")
    credit_percent: Decimal = Field(description="Credit owed, percent of the monthly fee.")
    credit: Decimal | None = Field(description="Credit amount, rounded half-even to cents; "
                                               "None without a monthly fee.")
    sole_remedy: bool = Field(description="The credit is the sole remedy for the miss.")

    def __str__(self) -> str:
        """The month as a two-column text table (committed, downtime, uptime, target, credit)."""
        return availability_text(self)

    def _repr_html_(self) -> str:
        """Jupyter: the same table as HTML, every text escaped, met/missed as a badge."""
        return availability_html(self)


def availability_report(
    terms: Availability | None,
    period: str,
    outages: Outages = (),
    *,
    notified_maintenance: Outages = (),
    monthly_fee: Fee = None,
    policy: str = "policy",
) -> AvailabilityReport:
    """Measure one month of ``terms``: committed time, counted downtime, uptime, credit.

    Boundary rule: outages and maintenance are half-open ``[start, end)`` spans; an outage
    counts only where it lies inside the month and outside maintenance (an outage that
    straddles a window's start counts up to the start); overlapping outages count once.
    The target is met when uptime >= target, exactly; credits apply when uptime < a step's
    ``below``. Example (valimail, 99.9%, maintenance 21:00-03:00 Los Angeles): October 2026
    is 744 h, of which 31 x 6 h = 186 h maintenance, so 558 h committed; 2008.8 s of
    outage gives exactly 99.9% (met), one microsecond more misses and owes 10% of the fee.
    """
    if terms is None:
        raise AvailabilityError(
            f"policy {policy!r} declares no availability terms; add an 'availability' section"
        )
    first, after = _month(period)
    down = merge(_spans(outages, "outages"))
    notified = merge(_spans(notified_maintenance, "notified_maintenance"))
    fee = None if monthly_fee is None else _fee(monthly_fee)
    zone = load_zone(terms.zone_name)

    month = wall_preimage(zone, wall_us(first, 0), wall_us(after, 0))
    scheduled: list[Span] = []
    if terms.maintenance is not None:
        calendar = terms.maintenance.calendar()
        for lo, hi in month:
            scheduled += [
                (instant_us(a), instant_us(b))
                for a, b in calendar.open_intervals(to_datetime(lo, UTC), to_datetime(hi, UTC))
            ]
        scheduled = merge(scheduled)
    excluded = scheduled
    if terms.exclude_notified_maintenance:
        excluded = merge([*scheduled, *intersect(notified, month)])
    committed_spans = subtract(month, excluded)
    counted = intersect(down, committed_spans)

    committed, downtime = total(committed_spans), total(counted)
    uptime = Fraction(committed - downtime, committed) if committed else Fraction(1)
    owed = [step.credit.value for step in terms.credits if uptime < step.below.fraction]
    credit_percent = max(owed, default=Decimal(0))
    credit = None if fee is None else _cents(Fraction(fee) * Fraction(credit_percent) / 100)
    return AvailabilityReport(
        period=period,
        timezone=zone.key,
        start=to_datetime(month[0][0], zone),
        end=to_datetime(month[-1][1], zone),
        services=terms.services,
        length=_us(total(month)),
        scheduled_maintenance=_us(total(scheduled)),
        notified_maintenance=_us(total(excluded) - total(scheduled)),
        committed=_us(committed),
        downtime=_us(downtime),
        downtime_spans=tuple((to_datetime(a, zone), to_datetime(b, zone)) for a, b in counted),
        uptime=uptime,
        uptime_percent=_display(uptime),
        target=terms.target.fraction,
        met=uptime >= terms.target.fraction,
        credit_percent=credit_percent,
        credit=credit,
        sole_remedy=terms.sole_remedy,
    )


# -- inputs --------------------------------------------------------------------------------


def _month(period: object) -> tuple[date, date]:
    """``"2026-10"`` -> (2026-10-01, 2026-11-01)."""
    match = _PERIOD.fullmatch(period) if isinstance(period, str) else None
    if match is None:
        raise AvailabilityError(f"period: expected 'YYYY-MM', e.g. '2026-10', got {period!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise AvailabilityError(f"period: month {match[2]} of {period!r} is not 01 to 12")
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise AvailabilityError(
            f"period: year {year} of {period!r} is outside {_FIRST_YEAR} to {_LAST_YEAR}"
        )
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, 1), after


def _spans(items: object, name: str) -> list[Span]:
    """Validate ``(start, end)`` pairs of aware datetimes into microsecond spans."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise AvailabilityError(f"{name}: expected a list of (start, end) pairs, got {items!r}")
    spans: list[Span] = []
    for index, item in enumerate(items):
        where = f"{name}[{index}]"
        try:
            start, end = item
        except (TypeError, ValueError):
            raise AvailabilityError(
                f"{where}: expected a (start, end) pair of aware datetimes, got {item!r}"
            ) from None
        lo = instant_us(require_aware(start, f"{where} start"))
        hi = instant_us(require_aware(end, f"{where} end"))
        if hi < lo:
            raise AvailabilityError(
                f"{where}: end {end.isoformat()} is before start {start.isoformat()}"
            )
        spans.append((lo, hi))
    return spans


def _fee(value: object) -> Decimal:
    """A monthly fee as an exact, finite, non-negative `Decimal`."""
    amount: Decimal | None = None
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        try:
            amount = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite():
        raise AvailabilityError(
            f"monthly_fee: expected an exact amount (a Decimal, an int or a decimal string "
            f"such as '1200.00'), got {type(value).__name__} {value!r}"
        )
    if amount < 0:
        raise AvailabilityError(f"monthly_fee: {value!r} is negative")
    return amount


def _us(micro: int) -> timedelta:
    return micro * _ONE_US


def _display(uptime: Fraction) -> str:
    """``Fraction(999, 1000)`` -> ``"99.9000%"``; truncated so a miss never shows the target."""
    return f"{Decimal(math.floor(uptime * 1_000_000)).scaleb(-4)}%"


def _cents(amount: Fraction) -> Decimal:
    """An exact amount rounded half-even to cents: 123.425 -> 123.42, 123.435 -> 123.44."""
    return Decimal(round(amount * 100)).scaleb(-2)
