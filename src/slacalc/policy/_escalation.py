"""Escalation thresholds: ``escalation: [50%, 75%, 90%]``, shares of a target's length.

A policy may list, at its top level (every tier) or in a tier (that tier only, replacing
the policy's list; ``[]`` turns escalation off there), the shares of each target at
which a ticket's clock is escalated. Each is a percentage written as text (``75%``,
``12.5%``), read exactly (``12.5%`` is 1/8, never a float), strictly between 0% and
100% (100% is the due instant itself), and the list ascends with no threshold twice.
The kernel gets them as `fractions.Fraction` on the compiled `slacalc.sla.plan.Plan`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from ..sla.escalation import percent_text

__all__ = ["ESCALATION_SCHEMA", "Escalation", "escalation_problems", "read_percent"]

Problem = tuple[tuple[str | int, ...], str, Any]
"""``(location, message, value)``, as `slacalc.policy._references` reports them."""

_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")

ESCALATION_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "Escalation thresholds: shares of each target's length, e.g. ['50%', '75%', '90%'], "
        "each strictly between 0% and 100%, ascending, none twice; a tier's list replaces "
        "the policy's ([] turns escalation off)."
    ),
    "items": {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"},
    "uniqueItems": True,
    "examples": [["50%", "75%", "90%"]],
}


def read_percent(value: object) -> Fraction:
    """A threshold as written (``"75%"``) -> its exact share of the target (3/4).

    Boundary rule: text ``<digits>[.<digits>]%`` only (a bare number is refused: 0.75
    and 75 would both be guesses), or a `Fraction` already read (a policy built in
    code); 0% and 100% and anything beyond are refused, a threshold lies strictly
    between. Example: ``"12.5%"`` -> ``Fraction(1, 8)``; ``"100%"`` raises ``ValueError``.
    """
    if isinstance(value, Fraction):
        share = value
    else:
        found = _PERCENT.fullmatch(value) if isinstance(value, str) else None
        if found is None:
            raise ValueError(f"expected a percentage of the target such as '75%', got "
                             f"{value!r}")
        share = Fraction(Decimal(found.group(1))) / 100
    if not 0 < share < 1:
        raise ValueError(f"a threshold lies strictly between 0% and 100% of the target "
                         f"(100% is the due instant itself), got {value!r}")
    return share


Escalation = Annotated[
    tuple[Annotated[Fraction, PlainValidator(read_percent)], ...],
    PlainSerializer(lambda shares: [percent_text(share) for share in shares],
                    return_type=list[str]),
    WithJsonSchema(ESCALATION_SCHEMA),
]
"""The ``escalation`` field's type: a validated, ascending tuple of shares."""


def escalation_problems(shares: tuple[Fraction, ...] | None,
                        where: tuple[str | int, ...] = ()) -> list[Problem]:
    """What is wrong with the order of a validated list: each threshold not above the one
    before it, located at its own item (``(*where, "escalation", i)``).

    Boundary rule: equal to the one before is a duplicate; below it, out of order. Example:
    ``(1/2, 3/4, 3/4)`` -> one problem at index 2, "'75%' is listed twice".
    """
    found: list[Problem] = []
    for index in range(1, len(shares or ())):
        assert shares is not None
        share, before = shares[index], shares[index - 1]
        text = percent_text(share)
        if share == before:
            message = (f"{text!r} is listed twice; each threshold is listed once, in "
                       f"ascending order")
        elif share < before:
            message = (f"{text!r} comes after {percent_text(before)!r}; thresholds are "
                       f"listed in ascending order")
        else:
            continue
        found.append(((*where, "escalation", index), message, text))
    return found
