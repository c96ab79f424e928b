"""Coverage: the products and areas of work support covers, and what becomes of the rest.

A policy's ``coverage`` lists the products support covers, third-party products covered
as their direct dependencies, and areas of work in and out of scope, each with the
document's wording; out-of-scope work is either billable (professional services) or a
ticket the vendor may close. `slacalc.billing.classify` reads it, with the billing terms.
Category keys are lowercase words joined by ``_``; product names are matched ignoring case
and punctuation. The model helpers shared by the terms beyond the clocks (availability,
billing, coverage) live here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

__all__ = ["Coverage", "Problems", "TermsModel", "category_key", "key_problems", "located"]

_KEY = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
Problems = list[tuple[tuple[str | int, ...], str, Any]]


class TermsModel(BaseModel):
    """Base of the terms models: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def located(title: str, problems: Problems) -> None:
    """Raise one ValidationError carrying every ``(location, message, value)`` problem.

    Boundary rule: no problems, no error; locations are relative to the model validated,
    so the loader points at the file's line. Example: ``located("Billing", [(("billable",
    "Foo"), "category key 'Foo' must be ...", "Foo")])`` -> ``billing.billable.Foo: ...``.
    """
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError("policy", "{message}", {"message": message}),
                    loc=loc,
                    input=value,
                )
                for loc, message, value in problems
            ],
        )


def category_key(text: str) -> str:
    """The key a category is declared under: ``"Feature request"`` -> ``"feature_request"``.

    Boundary rule: case is ignored, and runs of spaces, hyphens and underscores become one
    underscore. Example: ``category_key(" General-Q&A ")`` -> ``"general_q&a"``.
    """
    return re.sub(r"[\s_-]+", "_", text.strip().casefold())


def _product_key(name: str) -> str:
    """``"MS SQL Server"`` and ``"ms-sql-server"`` -> ``"mssqlserver"``."""
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def key_problems(section: str, categories: Mapping[str, str]) -> Problems:
    """A problem for each category key that is not lowercase words joined by ``_``.

    Boundary rule: digits count as letters; a key must not start or end with ``_``.
    Example: ``key_problems("billable", {"Bug Report": "..."})`` -> one problem at
    ``("billable", "Bug Report")`` suggesting ``'bug_report'``.
    """
    return [
        ((section, key), f"category key {key!r} must be lowercase words joined by '_', "
                         f"e.g. {category_key(key)!r}", key)
        for key in categories if not _KEY.fullmatch(key)
    ]


class Coverage(TermsModel):
    """What support covers: products, their dependencies, and areas in and out of scope."""

    products: tuple[str, ...] = Field(
        (), description="The products support covers (empty: the document names none)."
    )
    dependencies: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Third-party products covered as direct dependencies -> the covered "
        "products that require them.",
    )
    in_scope: dict[str, str] = Field(
        default_factory=dict,
        description="Areas of work support covers: key -> the document's wording.",
    )
    out_of_scope: dict[str, str] = Field(
        default_factory=dict,
        description="Areas of work outside support coverage: key -> the document's wording.",
    )
    out_of_scope_handling: Literal["billable", "may_close"] = Field(
        "billable",
        description="What becomes of out-of-scope work: billable (professional services) or "
        "may_close (the vendor may close the ticket).",
    )
    out_of_scope_terms: str | None = Field(
        None, description="The document's wording of that consequence, shown in reasons."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Coverage:
        problems = key_problems("in_scope", self.in_scope)
        problems += key_problems("out_of_scope", self.out_of_scope)
        problems += [
            (("out_of_scope", key), f"area {key!r} is also in scope", key)
            for key in self.out_of_scope if key in self.in_scope
        ]
        seen: set[str] = set()
        for index, name in enumerate(self.products):
            if _product_key(name) in seen:
                problems.append((("products", index), f"product {name!r} is listed twice", name))
            seen.add(_product_key(name))
        covered = {_product_key(name) for name in self.products}
        for dependency, required_by in self.dependencies.items():
            if _product_key(dependency) in seen:
                problems.append((("dependencies", dependency),
                                 f"{dependency!r} is already a covered product", dependency))
            seen.add(_product_key(dependency))
            for index, name in enumerate(required_by):
                if _product_key(name) not in covered:
                    problems.append((
                        ("dependencies", dependency, index),
                        f"{name!r} is not a covered product; products: "
                        f"{', '.join(self.products) or '(none)'}", name))
        located("Coverage", problems)
        return self

    def product(self, name: str) -> str | None:
        """Why ``name`` is covered (None if it is not), matched ignoring case and punctuation.

        Example (vircom): ``"modusgate"`` -> ``"modusGate is a covered product"``; ``"MS SQL
        Server"`` -> ``"MS SQL Server is covered as a direct dependency of modusGate and
        modusMail"``; ``"Exchange"`` -> None.
        """
        wanted = _product_key(name)
        for product in self.products:
            if _product_key(product) == wanted:
                return f"{product} is a covered product"
        for dependency, required_by in self.dependencies.items():
            if _product_key(dependency) == wanted:
                return (f"{dependency} is covered as a direct dependency of "
                        f"{' and '.join(required_by)}")
        return None
