"""Issue 17: a hypothesis-driven fuzz of the loader and of report rows.

Whatever comes in (random bytes as text, random YAML trees, a valid policy with one value
replaced, random CSV cells and JSONL lines), the only exceptions are `SlacalcError`
subclasses: a located `PolicyError` for a policy, a `RowError` for a row (returned among
a chunk's errors by `evaluate_rows` and `evaluate_lines`). Derandomized (the same
examples every run) and kept to a few seconds; run with ``derandomize=False`` and more
examples to search further.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from slacalc import SlacalcError, loads_policy
from slacalc.batch import PolicyBook, evaluate_json, evaluate_row, evaluate_rows
from slacalc.batch._jsonl import evaluate_lines

ROOT = Path(__file__).resolve().parent.parent
MINIMAL_TEXT = (ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml").read_text(
    encoding="utf-8")
MINIMAL = yaml.safe_load(MINIMAL_TEXT)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
FUZZ = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=20), st.sampled_from([
        "1 business hour", "24 hours", "48-72 hours", "next business day by 10:00",
        "999999999999 hours", "0.0000000001 minutes", "mon-fri", "09:00-17:00",
        "25:00-26:00", "Europe/London", "Mars/Olympus", "2026-02-30", "P1", "standard",
        "office", "-1 hours", "\x1b[2J", "\ud800", "=1+1"]))
_KEYS = st.one_of(st.text(max_size=12), st.sampled_from(
    ["schema_version", "name", "vendor", "calendars", "priorities", "tiers", "rules",
     "targets", "response", "resolution", "calendar", "timezone", "hours", "holidays",
     "versions", "effective_from", "extends", "aliases", "within", "when", "clock"]))
_TREES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=20)


def _loads(text: str) -> None:
    with contextlib.suppress(SlacalcError):
        loads_policy(text, "fuzz.yaml")


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_slacalc_errors(data: bytes) -> None:
    _loads(data.decode("utf-8", errors="replace"))
    _loads(data.decode("latin-1"))


@FUZZ
@given(st.text(max_size=300))
def test_random_text_raises_only_slacalc_errors(text: str) -> None:
    _loads(text)


@FUZZ
@given(_TREES)
@example({"[": None})  # found by this fuzz: a key with "[" was read as a pydantic tag
def test_random_yaml_trees_raise_only_slacalc_errors(tree: Any) -> None:
    _loads(yaml.safe_dump(tree, allow_unicode=True))


def _paths(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*path, index))
    return found


_PLACES = _paths(MINIMAL)[1:]


@FUZZ
@given(st.sampled_from(_PLACES), _TREES)
def test_a_valid_policy_with_one_value_replaced_raises_only_slacalc_errors(
        place: tuple[Any, ...], value: Any) -> None:
    tree = json.loads(json.dumps(MINIMAL, default=str))
    parent = tree
    for part in place[:-1]:
        parent = parent[part]
    parent[place[-1]] = value
    _loads(yaml.safe_dump(tree, allow_unicode=True))


_HEADER = ("ticket_id", "policy", "tier", "priority", "opened_at", "responded_at",
           "resolved_at", "priority_changed_at", "priority_changed_to", "category")
_CELLS = st.one_of(st.text(max_size=30), st.sampled_from([
    "vircom", "cloudmark", "standard", "premium", "P1", "p2", "urgent", "",
    "2026-11-20T10:00:00-05:00", "2026-11-20T10:00:00", "2026-11-20 10:00Z",
    "2026-13-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00",
    "2026-11-21T10:00:00,5+01", "nan", "NaT", "\ud800", "=1+1", "\x1b[2J",
    str(ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml"), "/dev/zero", "../../etc"]))
_ROWS = st.lists(st.lists(_CELLS, min_size=0, max_size=len(_HEADER) + 2), min_size=1,
                 max_size=5)
BOOK = PolicyBook()


@FUZZ
@given(_ROWS)
def test_random_csv_rows_raise_only_slacalc_errors(rows: list[list[str]]) -> None:
    numbered = list(enumerate(rows, start=2))
    _columns, errors, tickets = evaluate_rows(BOOK, _HEADER, numbered, now=NOW)
    assert all(isinstance(error, SlacalcError) for error in errors)
    assert tickets + len(errors) <= len(rows)
    for line, cells in numbered:
        with contextlib.suppress(SlacalcError):
            evaluate_row(BOOK, dict(zip(_HEADER, cells, strict=False)), line, now=NOW)


_EVENT = st.fixed_dictionaries({"kind": st.one_of(st.sampled_from(
    ["responded", "resolved", "reopened", "awaiting_customer", "customer_replied",
     "priority_changed", "closed", "tier_changed", "nope"]), st.text(max_size=5)),
    "at": _CELLS}, optional={"priority": _CELLS, "tier": _CELLS, "confirmed": _SCALARS})
_TICKETS = st.fixed_dictionaries(
    {"policy": _CELLS, "tier": _CELLS, "priority": _CELLS, "opened_at": _CELLS},
    optional={"id": _SCALARS, "events": st.one_of(st.lists(_EVENT, max_size=4), _SCALARS),
              "attributes": st.one_of(st.dictionaries(st.text(max_size=5), _SCALARS,
                                                      max_size=2), _SCALARS)})


@FUZZ
@given(st.lists(st.one_of(_TICKETS.map(json.dumps), st.text(max_size=40)), min_size=1,
                max_size=4))
def test_random_jsonl_lines_raise_only_slacalc_errors(lines: list[str]) -> None:
    numbered = list(enumerate(lines, start=1))
    _, errors, _ = evaluate_lines(BOOK, numbered, now=NOW)
    assert all(isinstance(error, SlacalcError) for error in errors)
    for line, text in numbered:
        with contextlib.suppress(SlacalcError):
            evaluate_json(BOOK, text, line, now=NOW)
