"""Targets: what a policy promises for one metric of one priority, and which entry applies.

A metric's target is written in one of three forms, all normalised to a tuple of
`Target` entries: a bare duration (``response: 1 business hour``), one mapping
(``{within: 4 hours, stops_on: [workaround]}``), or a list of mappings whose first entry
with a matching ``when`` wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from ..engine import ALWAYS
from ..engine.durations import Duration, RelativeDue, parse_duration
from ..sla.plan import METRICS, Conditions, Metric, matches

__all__ = [
    "ALWAYS",
    "METRICS",
    "OPENED_VALUES",
    "DurationField",
    "Metric",
    "Target",
    "TargetEntries",
]

OPENED_VALUES = ("business_hours", "after_hours")

DURATION_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": (
        "'<n> minutes|hours' (real time, 24x7), '<n> business minutes|hours|days' (the "
        "tier's calendar), a range '<a>-<b> <unit>' (due at the upper bound), 'none', or a "
        "relative deadline: 'end of business day', 'next business day by HH:MM', "
        "'<n> business days by HH:MM'."
    ),
    "pattern": (
        r"^\s*(none|\d+(\.\d+)?(\s*-\s*\d+(\.\d+)?)?\s+(business\s+)?"
        r"(minutes?|hours?|days?)|end of (the )?(next )?business day|next business day by "
        r"\S+|\d+ business days? by \S+)\s*$"
    ),
    "examples": ["30 minutes", "1 business hour", "3 business days", "48-72 hours", "none",
                 "next business day by 16:00"],
}

DurationField = Annotated[
    Duration | RelativeDue,
    PlainValidator(parse_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(DURATION_SCHEMA),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=False)


class Target(_Model):
    """One target entry: a length, and the conditions and events that shape it."""

    within: DurationField = Field(
        description="How long the vendor has: a duration, a range, or 'none' (no deadline)."
    )
    when: dict[str, str | tuple[str, ...]] | None = Field(
        default=None,
        description=(
            "Conditions on the ticket: attribute -> value (or list of values, any matches). "
            "'opened' is business_hours or after_hours (opened inside the tier's calendar "
            "or not). Omitted: always matches."
        ),
    )
    stops_on: tuple[Literal["workaround"], ...] = Field(
        default=(), description="Events besides the metric's own that meet this target."
    )
    clock: str | None = Field(
        default=None,
        description="Calendar that business units run on, instead of the tier's ('24x7' is "
        "always available). Only for business units.",
    )
    reason: str | None = Field(
        default=None, description="Why: required wording for 'none' targets, shown in reports."
    )

    @field_validator("when")
    @classmethod
    def _opened_values(
        cls, when: dict[str, str | tuple[str, ...]] | None
    ) -> dict[str, str | tuple[str, ...]] | None:
        if when is not None and "opened" in when:
            values = (when["opened"],) if isinstance(when["opened"], str) else when["opened"]
            for value in values:
                if value not in OPENED_VALUES:
                    raise ValueError(
                        f"when.opened must be business_hours or after_hours, got {value!r}"
                    )
        return when

    def conditions(self) -> Conditions:
        """``when`` as the kernel reads it: (attribute, accepted values casefolded)."""
        return tuple(
            (key, frozenset({expected.casefold()} if isinstance(expected, str)
                            else {value.casefold() for value in expected}))
            for key, expected in (self.when or {}).items())

    def matches(self, attributes: Mapping[str, str], opened_in_hours: bool) -> bool:
        """True when every ``when`` condition holds (`slacalc.sla.plan.matches`: values
        compared case-insensitively).

        Example: ``when: {category: defect}`` matches ``{"category": "Defect"}``;
        ``when: {opened: after_hours}`` matches a ticket opened outside the calendar.
        """
        return matches(self.conditions(), attributes, lambda: opened_in_hours)


def _as_entries(value: object) -> object:
    """Normalise the three written forms to a sequence of entry mappings."""
    if isinstance(value, str | Duration):
        return ({"within": value},)
    if isinstance(value, Target | Mapping):
        return (value,)
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        if not value:
            raise ValueError("an empty list of targets; give at least one entry")
        return tuple(value)
    raise ValueError(
        f"expected a duration, a mapping with 'within', or a list of them, got {value!r}"
    )


class _TargetForms:
    """JSON Schema for the three forms a metric's target may be written in."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        array = handler(core_schema)
        return {
            "anyOf": [DURATION_SCHEMA, array["items"], array],
            "description": "A duration, one target mapping, or a list of them (first match wins).",
        }


TargetEntries = Annotated[tuple[Target, ...], BeforeValidator(_as_entries), _TargetForms()]
