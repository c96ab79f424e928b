"""Percentages written as text and kept exact: ``"99.9%"`` is ``Decimal("99.9")``, its
proportion the `Fraction` 999/1000; never a float (a YAML float is inexact, a bare number
ambiguous). The availability terms' target and credit steps are `PercentField`s."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from ..errors import AvailabilityError

__all__ = ["PERCENT_SCHEMA", "Percent", "PercentField", "parse_percent"]

_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")


@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage kept exactly as written: ``Percent(Decimal("99.9"))`` is ``99.9%``.

    Example: ``parse_percent("99.9%").fraction == Fraction(999, 1000)``; ``str()`` gives
    back ``"99.9%"``.
    """

    value: Decimal

    @property
    def fraction(self) -> Fraction:
        """The exact proportion: ``99.9%`` -> ``Fraction(999, 1000)``."""
        return Fraction(self.value) / 100

    def __str__(self) -> str:
        return f"{self.value}%"


def parse_percent(value: object) -> Percent:
    """Parse a percent string such as ``"99.9%"`` exactly (via `Decimal`, never a float).

    Boundary rule: digits with an optional decimal part, then ``%``; the value must be
    above 0% and at most 100%. A bare number is refused: ``99.9`` could mean 99.9% or a
    proportion, and a YAML float is inexact. Example: ``parse_percent("10%")`` ->
    ``Percent(Decimal("10"))``; ``parse_percent(99.9)`` raises `AvailabilityError`.
    """
    if isinstance(value, Percent):
        return value
    if not isinstance(value, str):
        raise AvailabilityError(
            f"expected a percent string such as '99.9%', got {type(value).__name__} {value!r} "
            f"(a bare number is ambiguous and a float inexact)"
        )
    match = _PERCENT.fullmatch(value)
    if match is None:
        raise AvailabilityError(f"malformed percent {value!r}; write it like '99.9%' or '10%'")
    amount = Decimal(match[1])
    if not Decimal(0) < amount <= Decimal(100):
        raise AvailabilityError(f"percent {value!r} must be above 0% and at most 100%")
    return Percent(amount)


PERCENT_SCHEMA: dict[str, Any] = {
    "type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$", "examples": ["99.9%", "10%"],
    "description": "A percentage written with a percent sign, e.g. '99.9%' or '10%'.",
}

PercentField = Annotated[Percent, PlainValidator(parse_percent),
                         PlainSerializer(str, return_type=str), WithJsonSchema(PERCENT_SCHEMA)]
