"""Billing: which incidents are billed, and prepaid support packs.

A policy's ``billing`` lists incident categories the vendor bills and does not bill, each
with the document's description, and says whether billable incidents can be prepaid as
support packs. `classify` answers one incident from the billing and the coverage terms
(`slacalc.coverage`); `SupportPack.apply` runs a prepaid pack over incidents in time
order, one unit per billable incident, and reports (never hides) an overdraft. A caller
may write ``"Feature request"`` or ``"feature-request"`` for ``feature_request``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from difflib import get_close_matches
from typing import Any, Literal, Protocol

from pydantic import Field, computed_field, model_validator

from ..engine._zone import instant_us, require_aware
from ..errors import BillingError, SlacalcError, UnknownCategoryError
from .coverage import Coverage, Problems, TermsModel, category_key, key_problems, located


class _Billed(Protocol):
    """What a support pack reads of a policy (`slacalc.Policy` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def billing(self) -> Billing | None: ...
    def classify(self, category: str | None = None, *,
                 product: str | None = None) -> Classification: ...

__all__ = [
    "Billing", "Classification", "Incident", "PackEntry", "PackStatement", "SupportPack",
    "check_terms", "classify",
]


class Billing(TermsModel):
    """Billable and non-billable incident categories, and whether support packs are sold."""

    billable: dict[str, str] = Field(
        default_factory=dict,
        description="Incident categories the vendor bills: key (lowercase_with_underscores) "
        "-> the document's description.",
    )
    non_billable: dict[str, str] = Field(
        default_factory=dict,
        description="Incident categories the vendor does not bill: key -> the document's "
        "description.",
    )
    support_packs: bool = Field(
        False, description="Billable incidents can be prepaid as support packs."
    )

    @model_validator(mode="after")
    def _keys(self) -> Billing:
        problems = key_problems("billable", self.billable)
        problems += key_problems("non_billable", self.non_billable)
        problems += [
            (("non_billable", key), f"category {key!r} is also billable", key)
            for key in self.non_billable if key in self.billable
        ]
        located("Billing", problems)
        return self


def check_terms(billing: Billing | None, coverage: Coverage | None) -> Problems:
    """Categories declared both in ``billing`` and in ``coverage`` (each must say one thing).

    Example: ``billing.billable.dns`` and ``coverage.out_of_scope.dns`` -> one problem at
    ``coverage.out_of_scope.dns``.
    """
    if billing is None or coverage is None:
        return []
    declared = {*billing.billable, *billing.non_billable}
    return [
        (("coverage", section, key), f"category {key!r} is also declared under billing", key)
        for section, areas in (("in_scope", coverage.in_scope),
                               ("out_of_scope", coverage.out_of_scope))
        for key in areas if key in declared
    ]


class Classification(TermsModel):
    """Whether an incident is billable, and why."""

    billable: bool = Field(description="The vendor bills the incident.")
    reason: str = Field(description="Why, quoting the policy's terms.")
    category: str | None = Field(
        description="The declared category key that matched; None when only a product was given."
    )
    in_scope: bool = Field(
        description="False when the incident is outside support coverage (an uncovered "
        "product, or an out-of-scope area)."
    )
    may_close: bool = Field(
        False, description="The vendor may close the ticket as outside the scope of support."
    )


def _outside(coverage: Coverage, what: str, category: str | None) -> Classification:
    if coverage.out_of_scope_handling == "may_close":
        terms = coverage.out_of_scope_terms or "the vendor may close the ticket"
        return Classification(billable=False, reason=f"out of scope ({what}): {terms}",
                              category=category, in_scope=False, may_close=True)
    terms = coverage.out_of_scope_terms or "billable as professional services"
    return Classification(billable=True, reason=f"out of scope ({what}): {terms}",
                          category=category, in_scope=False)


def classify(
    billing: Billing | None,
    coverage: Coverage | None,
    category: str | None = None,
    *,
    product: str | None = None,
    policy: str = "policy",
) -> Classification:
    """Classify an incident by its category, its product, or both.

    Boundary rule: the category is looked up (ignoring case, spaces and hyphens) in
    billing's non-billable and billable lists, then coverage's out-of-scope and in-scope
    areas; an unknown one raises `UnknownCategoryError` listing the known ones. A product
    that is neither covered nor a covered product's dependency makes the incident out of
    scope whatever its category; out-of-scope work is billable, or closable, as coverage
    says. Example (vircom): ``classify(..., "dns")`` -> billable, out of scope;
    ``classify(..., product="modusMail")`` -> not billable, covered.
    """
    if category is None and product is None:
        raise BillingError("classify: give a category, a product=, or both")
    found: Classification | None = None
    if category is not None:
        found = _by_category(billing, coverage, category, policy)
    if product is None:
        assert found is not None
        return found
    if not isinstance(product, str):
        raise BillingError(f"product: expected text, got {type(product).__name__} {product!r}")
    if coverage is None or not (coverage.products or coverage.dependencies):
        raise BillingError(
            f"product={product!r}: policy {policy!r} lists no covered products; "
            f"classify by category"
        )
    covered = coverage.product(product)
    key = found.category if found is not None else None
    if covered is None:
        known = ", ".join((*coverage.products, *coverage.dependencies))
        return _outside(coverage, f"{product!r} is not a covered product; covered: {known}", key)
    if found is None:
        return Classification(billable=False, reason=f"covered: {covered}", category=None,
                              in_scope=True)
    return found.model_copy(update={"reason": f"{found.reason}; {covered}"})


def _by_category(
    billing: Billing | None, coverage: Coverage | None, category: str, policy: str
) -> Classification:
    if not isinstance(category, str):
        raise BillingError(f"category: expected text, got {type(category).__name__} "
                           f"{category!r}")
    key = category_key(category)
    if billing is not None and key in billing.non_billable:
        return Classification(billable=False, reason=f"non-billable: {billing.non_billable[key]}",
                              category=key, in_scope=True)
    if billing is not None and key in billing.billable:
        return Classification(billable=True, reason=f"billable: {billing.billable[key]}",
                              category=key, in_scope=True)
    if coverage is not None and key in coverage.out_of_scope:
        return _outside(coverage, coverage.out_of_scope[key], key)
    if coverage is not None and key in coverage.in_scope:
        return Classification(billable=False, reason=f"covered: {coverage.in_scope[key]}",
                              category=key, in_scope=True)
    known = sorted({
        *(billing.billable if billing else ()), *(billing.non_billable if billing else ()),
        *(coverage.in_scope if coverage else ()), *(coverage.out_of_scope if coverage else ()),
    })
    if not known:
        raise UnknownCategoryError(
            f"category {category!r}: policy {policy!r} declares no incident categories "
            f"(no billing or coverage terms)"
        )
    close = get_close_matches(str(key), known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UnknownCategoryError(
        f"policy {policy!r} has no incident category {category!r}{hint}; categories: "
        f"{', '.join(known)}"
    )


# -- support packs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Incident:
    """One support incident: when it was opened, and its category and/or product.

    Boundary rule: ``at`` must be aware, and a category or a product (or both) is needed.
    Example: ``Incident(datetime(2026, 3, 2, 9, tzinfo=UTC), "bug_report", ref="T-1")``.
    """

    at: datetime
    category: str | None = None
    product: str | None = None
    ref: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.at, "Incident.at")
        if self.category is None and self.product is None:
            raise BillingError(f"Incident at {self.at.isoformat()}: give a category, a "
                               f"product, or both")


class PackEntry(TermsModel):
    """One incident's line in a support-pack statement."""

    incident: Incident = Field(description="The incident, as given.")
    classification: Classification = Field(description="How the policy classifies it.")
    charge: Literal["not_billable", "pack", "beyond_pack"] = Field(
        description="not_billable (no unit used), pack (one unit of the pack), or "
        "beyond_pack (billable, but the pack was used up)."
    )


class PackStatement(TermsModel):
    """A support pack run over incidents in time order: units used, left, and overdrawn."""

    size: int = Field(description="Units (incidents) the pack held.")
    used: int = Field(description="Units consumed, at most the size.")
    remaining: int = Field(description="Units left, never negative.")
    entries: tuple[PackEntry, ...] = Field(description="Every incident, in time order.")
    beyond_pack: tuple[Incident, ...] = Field(
        description="Billable incidents the pack did not cover, billed on top of it."
    )

    @computed_field(description="Some billable incident found the pack empty.")  # type: ignore[prop-decorator]
    @property
    def overdrawn(self) -> bool:
        """True when some billable incident found the pack empty (``beyond_pack`` is not empty).

        Example: a pack of 1 and two billable incidents -> True.
        """
        return bool(self.beyond_pack)


@dataclass(frozen=True, slots=True)
class SupportPack:
    """A prepaid pack of billable support incidents, e.g. ``SupportPack(incidents=5)``.

    Boundary rule: the size is a whole number >= 0. Example: a pack of 2 applied to three
    billable incidents uses 2, has 0 left, and bills the latest incident beyond the pack.
    """

    incidents: int

    def __post_init__(self) -> None:
        if isinstance(self.incidents, bool) or not isinstance(self.incidents, int) or (
            self.incidents < 0
        ):
            raise BillingError(
                f"SupportPack incidents: expected a whole number >= 0, got {self.incidents!r}"
            )

    def apply(
        self, policy: _Billed, incidents: Iterable[Incident | Mapping[str, Any]]
    ) -> PackStatement:
        """Classify ``incidents`` and draw one unit per billable one, in time order.

        Boundary rule: incidents are taken by ``at`` (ties in the order given); a billable
        incident that finds the pack empty is listed in ``beyond_pack``, never counted as a
        negative balance; non-billable ones use nothing. Example (perfectmail, a pack of 1):
        a bug report, then two remote-administration incidents -> used 1, remaining 0, the
        later administration incident beyond the pack.
        """
        billing = policy.billing
        if billing is None or not billing.support_packs:
            raise BillingError(
                f"policy {policy.name!r} sells no support packs (billing.support_packs is not true)"
            )
        given = [_incident(item, index) for index, item in enumerate(incidents)]
        order = sorted(range(len(given)), key=lambda index: instant_us(given[index].at))
        entries: list[PackEntry] = []
        beyond: list[Incident] = []
        used = 0
        for index in order:
            incident = given[index]
            try:
                found = policy.classify(incident.category, product=incident.product)
            except SlacalcError as error:
                raise type(error)(f"incidents[{index}]: {error}") from None
            charge: Literal["not_billable", "pack", "beyond_pack"] = "not_billable"
            if found.billable and used < self.incidents:
                charge, used = "pack", used + 1
            elif found.billable:
                charge = "beyond_pack"
                beyond.append(incident)
            entries.append(PackEntry(incident=incident, classification=found, charge=charge))
        return PackStatement(size=self.incidents, used=used, remaining=self.incidents - used,
                             entries=tuple(entries), beyond_pack=tuple(beyond))


def _incident(item: object, index: int) -> Incident:
    if isinstance(item, Incident):
        return item
    if isinstance(item, Mapping):
        try:
            return Incident(**item)
        except TypeError as error:
            raise BillingError(f"incidents[{index}]: {error}") from None
        except SlacalcError as error:
            raise type(error)(f"incidents[{index}]: {error}") from None
    raise BillingError(
        f"incidents[{index}]: expected an Incident or a mapping with 'at' and 'category', "
        f"got {item!r}"
    )
