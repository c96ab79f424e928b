"""A chunk of CSV rows in the flat layout, read as columns.

The rows become the chunk's two tables (`slacalc.batch._chunk.Chunk`): a ticket per
row, and its stop columns (``responded_at``, ``resolved_at``, ``workaround_at``) and
priority change as its events, in that order (the checked path's). Every ticket the
columns take is replayed there; every other row goes through `evaluate_row`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import numpy as np

from ..engine._zone import instant_us
from ._chunk import CODES, Chunk
from ._columns import evaluate_columns
from ._instants import Bools, Ints, parse_instants, text_array
from ._results import RESULT_COLUMNS, Result, merged
from ._rows import KNOWN, STOPS, PolicyBook, RowError, checked, quick_plan

__all__ = ["evaluate_rows"]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a header puts the columns the quick path reads."""

    width: int
    policy: int | None  # None when --policy names it
    tier: int
    priority: int
    opened: int
    ticket_id: int | None
    stops: tuple[tuple[str, int], ...]
    changed: int | None
    changed_to: int | None
    attributes: tuple[tuple[str, int], ...]

    @staticmethod
    def of(header: Sequence[str], policy: str | None) -> _Layout | None:
        """The layout, or None when rows of this header all take the checked path."""
        where = {name: index for index, name in enumerate(header)}
        needed = ("tier", "priority", "opened_at") if policy else (
            "policy", "tier", "priority", "opened_at")
        if len(where) != len(header) or any(name not in where for name in needed):
            return None
        return _Layout(len(header), None if policy else where["policy"], where["tier"],
                       where["priority"], where["opened_at"], where.get("ticket_id"),
                       tuple((kind, where[column]) for column, kind in STOPS.items()
                             if column in where),
                       where.get("priority_changed_at"), where.get("priority_changed_to"),
                       tuple((name, index) for name, index in where.items()
                             if name and name not in KNOWN))


def evaluate_rows(book: PolicyBook, header: Sequence[str],
                  rows: Iterable[tuple[int, Sequence[str]]], *, policy: str | None = None,
                  now: datetime | None = None) -> tuple[list[list[str]], list[RowError], int]:
    """Result columns of numbered CSV rows, the rows that failed, and the tickets evaluated.

    The result is column-major: one list per `RESULT_COLUMNS` entry, one item per ticket
    and metric, in input order. Clean rows are evaluated as columns (the kernel's replay
    over arrays); every other row goes through `evaluate_row`'s checked path. Boundary
    rule: every row gives exactly what `evaluate_row` gives it (its results or its
    `RowError`); a failed row never stops the others. A row with more cells than the
    header is a `RowError` (``6 cells, the header has 5``: a cell no column names is
    never dropped); one with fewer reads its missing last cells as empty. Example: a
    header ``ticket_id, policy, tier, priority, opened_at`` and rows 2 (vircom P1) and 3
    (priority ``P9``) -> two result rows for line 2 and a `RowError` for line 3.
    """
    numbered = list(rows)
    layout = _Layout.of(header, policy)
    columns: list[list[str]] = [[] for _ in RESULT_COLUMNS]
    clean = np.zeros(len(numbered), dtype=bool)
    if layout is not None and numbered:
        chunk, clean = _chunk(layout, [values for _, values in numbered], policy)
        columns, evaluated = evaluate_columns(chunk, partial(quick_plan, book),
                                              None if now is None else instant_us(now),
                                              book.versions)
        clean &= evaluated
    errors: list[RowError] = []
    done: dict[int, list[Result]] = {}
    for index in np.flatnonzero(~clean).tolist():
        line, values = numbered[index]
        try:
            if len(values) > len(header):  # a cell the header does not name
                raise RowError(line, f"{len(values)} cells, the header has {len(header)}",
                               _ticket_id(header, values))
            done[index] = checked(book, dict(zip(header, values, strict=False)), line,
                                   policy, now)
        except RowError as error:
            errors.append(error)
    return merged(columns, clean, done), errors, len(numbered) - len(errors)


def _ticket_id(header: Sequence[str], values: Sequence[str]) -> str:
    """A row's ``ticket_id`` cell, stripped ("" without one)."""
    at = header.index("ticket_id") if "ticket_id" in header else len(values)
    return values[at].strip() if at < len(values) else ""


def _chunk(layout: _Layout, values: list[Sequence[str]],
           policy: str | None) -> tuple[Chunk, Bools]:
    """The rows as a chunk (their stops and priority change as events), and which rows
    have the header's width (the others take the checked path)."""
    count = len(values)
    clean = np.ones(count, dtype=bool)
    if set(map(len, values)) != {layout.width}:
        clean = np.array([len(row) == layout.width for row in values], dtype=bool)
        blank = [""] * layout.width
        values = [row if ok else blank for row, ok in zip(values, clean.tolist(), strict=True)]
    columns = list(zip(*values, strict=True))
    tickets: list[Ints] = []
    codes: list[Ints] = []
    cells: list[str] = []
    new: list[str | None] = []
    events = [(kind, index) for kind, index in layout.stops]
    if layout.changed is not None:
        events.append(("priority_changed", layout.changed))
    for kind, index in events:  # a row's events in the checked path's order
        column = text_array(columns[index])
        rows = np.flatnonzero(column != "")
        tickets.append(rows)
        codes.append(np.full(len(rows), CODES[kind], dtype=np.int64))
        cells += column[rows].tolist()
        if kind == "priority_changed" and layout.changed_to is not None:
            new += [columns[layout.changed_to][row].strip() for row in rows.tolist()]
        else:
            new += [None] * len(rows)
    names = columns[layout.policy] if layout.policy is not None else (policy or "",) * count
    ids = (list(map(str.strip, columns[layout.ticket_id])) if layout.ticket_id is not None
           else ("",) * count)
    attributes = {name: text_array(list(map(str.strip, columns[index])))
                  for name, index in layout.attributes}
    total = len(cells)
    chunk = Chunk(ids, names, columns[layout.tier], columns[layout.priority],
                  parse_instants(columns[layout.opened]), attributes,
                  np.concatenate([np.zeros(0, dtype=np.int64), *tickets]),
                  np.concatenate([np.zeros(0, dtype=np.int64), *codes]),
                  parse_instants(cells), new, np.ones(total, dtype=bool), [True] * total)
    return chunk, clean
