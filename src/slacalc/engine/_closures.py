"""Closed dates: a country's public holidays (from the `holidays` package) plus local edits.

A closure closes a whole local date, ``[00:00, 24:00)`` in the calendar's zone, and
nothing else. Holidays are computed lazily per year and cached, with the package's default
``observed`` rules (a US Independence Day on a Saturday closes Friday July 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from difflib import get_close_matches

import holidays
from holidays.registry import EntityLoader

from ..errors import CalendarError

__all__ = ["Closures"]

_KEYS = ("country", "subdiv", "add", "remove")
_COUNTRIES = frozenset(EntityLoader.get_country_codes(include_aliases=True))
"""The country codes `holidays` supports (aliases too), read from its registry: unlike
``holidays.list_supported_countries()`` this imports no country's module."""


def _as_date(value: object, field: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(
        f"{field}: expected a date such as '2026-12-24', got {value!r}", field=field, value=value
    )


def _dates(value: object, field: str) -> dict[date, str]:
    """``add``/``remove`` values: a list of dates, or a mapping date -> name."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {
            _as_date(key, f"{field}.{key}"): str(name) if name is not None else "closed"
            for key, name in value.items()
        }
    if isinstance(value, Sequence) and not isinstance(value, str):
        return {_as_date(item, f"{field}[{i}]"): "closed" for i, item in enumerate(value)}
    raise CalendarError(
        f"{field}: expected a list of dates or a mapping date -> name, got {value!r}",
        field=field,
        value=value,
    )


class Closures:
    """Whole local dates on which a calendar is closed.

    Boundary rule: ``add`` closes a date, ``remove`` reopens a country holiday (the date
    then follows the weekly hours), and a `special_hours` entry of the calendar overrides
    both. Example: ``{"country": "US", "add": ["2026-12-24"]}`` closes Christmas Eve and
    Christmas Day 2026, and Friday 2026-07-03 (Independence Day observed).
    """

    __slots__ = ("_added", "_cache", "_removed", "country", "subdiv")

    def __init__(
        self,
        country: str | None = None,
        subdiv: str | None = None,
        added: Mapping[date, str] | None = None,
        removed: Sequence[date] = (),
    ) -> None:
        self.country = country
        self.subdiv = subdiv
        self._added = dict(added or {})
        self._removed = frozenset(removed)
        self._cache: dict[int, dict[date, str]] = {}

    @classmethod
    def from_spec(cls, spec: object, field: str = "holidays") -> Closures:
        """Parse the ``holidays:`` value of a calendar mapping; None means no closures."""
        if spec is None:
            return cls()
        if not isinstance(spec, Mapping):
            raise CalendarError(
                f"{field}: expected a mapping with country/subdiv/add/remove, got {spec!r}",
                field=field,
                value=spec,
            )
        for key in spec:
            if key not in _KEYS:
                raise CalendarError(
                    f"{field}.{key}: unknown key {key!r}; expected one of {', '.join(_KEYS)}",
                    field=f"{field}.{key}",
                    value=key,
                )
        country = spec.get("country")
        subdiv = spec.get("subdiv")
        if country is not None:
            country, subdiv = _check_country(country, subdiv, field)
        elif subdiv is not None:
            raise CalendarError(
                f"{field}.subdiv: {subdiv!r} given without a country",
                field=f"{field}.subdiv",
                value=subdiv,
            )
        added = _dates(spec.get("add"), f"{field}.add")
        removed = _dates(spec.get("remove"), f"{field}.remove")
        closures = cls(country, subdiv, added, tuple(removed))
        for index, day in enumerate(removed):
            if closures._country_name(day) is None:
                where = f"{country}" + (f"-{subdiv}" if subdiv else "")
                raise CalendarError(
                    f"{field}.remove[{index}]: {day.isoformat()} is not a {where or 'country'} "
                    f"holiday, so there is nothing to remove",
                    field=f"{field}.remove[{index}]",
                    value=day.isoformat(),
                )
        return closures

    def _country_year(self, year: int) -> dict[date, str]:
        cached = self._cache.get(year)
        if cached is None:
            cached = {}
            if self.country is not None:
                table = holidays.country_holidays(self.country, subdiv=self.subdiv, years=year)
                cached = {day: str(name) for day, name in table.items()}
            self._cache[year] = cached
        return cached

    def _country_name(self, day: date) -> str | None:
        return self._country_year(day.year).get(day)

    def name(self, day: date) -> str | None:
        """Why ``day`` is closed (the holiday's name, or ``closed`` for an added date), or None."""
        if day in self._added:
            return self._added[day]
        if day in self._removed:
            return None
        return self._country_name(day)

    def is_closed(self, day: date) -> bool:
        """True when the whole local ``day`` is closed."""
        return self.name(day) is not None


def _check_country(country: object, subdiv: object, field: str) -> tuple[str, str | None]:
    if not isinstance(country, str) or country.upper() not in _COUNTRIES:
        close = get_close_matches(str(country).upper(), sorted(_COUNTRIES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CalendarError(
            f"{field}.country: unknown holidays country {country!r}{hint}",
            field=f"{field}.country",
            value=country,
        )
    code = country.upper()
    if subdiv is None:
        return code, None
    known = [str(item) for item in getattr(holidays, code).subdivisions]
    if not isinstance(subdiv, str) or subdiv.upper() not in {s.upper() for s in known}:
        shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise CalendarError(
            f"{field}.subdiv: unknown subdivision {subdiv!r} of {code}; known: {shown or 'none'}",
            field=f"{field}.subdiv",
            value=subdiv,
        )
    canonical = next(item for item in known if item.upper() == subdiv.upper())
    return code, canonical
