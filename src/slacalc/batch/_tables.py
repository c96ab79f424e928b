"""Tables of cells in, result rows out, with every bad row kept as an ``error`` row: what
`slacalc.frame` (pandas) and `slacalc.arrow` (Arrow) share.

The input is the flat layout (one row per ticket, stop columns) or, with an events table,
the event-log layout (docs/cli.md). No input row is silently dropped: a bad ticket row
gives one result row with status ``error``, an empty ``metric`` and the reason ``row
<label>: <message>`` in its place; a bad event row gives one after the tickets' rows,
with the reason ``events row <label>: <message>``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from itertools import repeat
from typing import NamedTuple

import numpy as np

from ._cells import ColumnRows
from ._csv import evaluate_rows
from ._eventlog import BLOCK, Table, evaluate_log
from ._instants import Ints
from ._measures import Measured
from ._results import RESULT_COLUMNS, Result
from ._rows import PolicyBook, RowError

__all__ = ["INSTANT_COLUMNS", "SECONDS_COLUMNS", "Blocks", "evaluate_cells",
           "evaluate_columns_of", "has_errors", "log_blocks"]

INSTANT_COLUMNS = ("due", "stopped_at", "next_escalation_at")
"""Result columns holding instants."""
SECONDS_COLUMNS = ("elapsed_seconds", "remaining_seconds", "overrun_seconds")
"""Result columns holding lengths in seconds."""
_WIDTH = 2  # result rows per evaluated ticket: response, resolution
_STATUS = RESULT_COLUMNS.index("status")


def _error_row(row: Mapping[str, str], policy: str | None, error: RowError,
               reason: str) -> Result:
    def text(column: str) -> str:
        return (row.get(column) or "").strip()

    found = dict.fromkeys(RESULT_COLUMNS, "") | {
        "ticket_id": error.ticket_id or text("ticket_id"), "policy": policy or text("policy"),
        "tier": text("tier"), "priority": text("priority"), "status": "error",
        "reason": reason}
    return tuple(found[name] for name in RESULT_COLUMNS)  # type: ignore[return-value]


def evaluate_cells(header: Sequence[str], cells: Sequence[Sequence[str]],
                   labels: Sequence[Hashable], *, policy: str | None = None,
                   now: datetime | None = None,
                   events: tuple[Sequence[str], Sequence[Sequence[str]],
                                 Sequence[Hashable]] | None = None,
                   book: PolicyBook | None = None) -> list[Result]:
    """Result rows of a table of text cells (``labels`` name its rows in errors), with an
    optional events table ``(header, cells, labels)``; ``book`` loads the policies (a
    fresh one by default: a policy file edited between calls is read again).

    Boundary rule: the rows ``slacalc report --format csv`` gives the same tables, and an
    ``error`` row for each bad row (see above). Example: one vircom P2 row opened Fri
    17:30 -05:00, responded Mon 07:55 -> response met, resolution breached.
    """
    listed = None
    if events is not None:
        event_header, event_cells, event_labels = events
        listed = (event_header, list(enumerate(event_cells, start=2)), event_labels)
    found = _evaluated(header, list(enumerate(cells, start=2)), labels, policy=policy, now=now,
                       events=listed, book=book)
    return list(zip(*found, strict=True))


def evaluate_columns_of(header: Sequence[str], columns: Sequence[Sequence[str]],
                        labels: Sequence[Hashable], *, policy: str | None = None,
                        now: datetime | None = None,
                        events: tuple[Sequence[str], Sequence[Sequence[str]],
                                      Sequence[Hashable]] | None = None,
                        book: PolicyBook | None = None) -> list[list[str]]:
    """`evaluate_cells` of tables given column by column (each column the same length as
    ``labels``), as result columns (`RESULT_COLUMNS` order): the columns are read as they
    are, no row is made of them (`slacalc.frame` and `slacalc.arrow` hold columns).

    Boundary rule: the same results as `evaluate_cells` of the same cells. Example: the
    columns ``ticket_id: [T1]``, ``policy: [vircom]``, ... -> the result columns, two
    rows (response, resolution).
    """
    listed = None
    if events is not None:
        event_header, event_columns, event_labels = events
        listed = (event_header, _numbered(event_columns, len(event_labels)), event_labels)
    return _evaluated(header, _numbered(columns, len(labels)), labels, policy=policy, now=now,
                      events=listed, book=book)


class Blocks(NamedTuple):
    """How an event log is evaluated a block of tickets at a time (`log_blocks`): the
    order that puts the events in block order (None: they are in it), and where each
    block's tickets and (so ordered) events start, block ``b`` taking
    ``tickets[b]:tickets[b + 1]`` and ``events[b]:events[b + 1]``."""

    order: Ints | None
    tickets: list[int]
    events: list[int]


def log_blocks(ids: Sequence[str], event_ids: Sequence[str],
               size: int = BLOCK) -> Blocks | None:
    """The blocks of ``size`` tickets (in their order) an event log is evaluated in, each
    with its tickets' events (in their order), as the command line reads a log; None
    when it is to be evaluated whole: it has one block or fewer, a ticket id is blank,
    padded or on two rows, or an event's ticket id is not exactly a ticket's (the rows
    such faults give, and where they go, are the whole log's to say).

    Boundary rule: a ticket's rows depend on its row and its events only, so the blocks'
    rows joined are the whole log's, as long as no block has an ``error`` row
    (`has_errors`: then evaluate it whole). Example: 25,000 tickets, ``size`` 10,000 ->
    ``tickets == [0, 10000, 20000, 25000]``.
    """
    if len(ids) <= size:
        return None
    row = {ticket_id: index for index, ticket_id in enumerate(ids)}
    if len(row) < len(ids) or "" in row or any(text != text.strip() for text in row):
        return None
    owner = np.fromiter(map(row.get, event_ids, repeat(-1)), dtype=np.int64,
                        count=len(event_ids))
    if (owner < 0).any():
        return None
    block = owner // size
    order = None
    if not (np.diff(block) >= 0).all():
        order = np.argsort(block, kind="stable")  # (each block's events in their order)
        block = block[order]
    count = -(-len(ids) // size)
    return Blocks(order, [min(number * size, len(ids)) for number in range(count + 1)],
                  np.searchsorted(block, np.arange(count + 1)).tolist())


def has_errors(columns: Sequence[Sequence[str]]) -> bool:
    """Whether result columns (`RESULT_COLUMNS` order) hold an ``error`` row."""
    return "error" in columns[_STATUS]


def _numbered(columns: Sequence[Sequence[str]], count: int) -> ColumnRows:
    """``count`` rows held as ``columns``, numbered from 2 (as a CSV's rows after its
    header)."""
    return ColumnRows(list(range(2, count + 2)), [list(column) for column in columns])


def _evaluated(header: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]],
               labels: Sequence[Hashable], *, policy: str | None, now: datetime | None,
               events: tuple[Sequence[str], Sequence[tuple[int, Sequence[str]]],
                             Sequence[Hashable]] | None,
               book: PolicyBook | None) -> list[list[str]]:
    """The result columns of numbered ticket rows (and events), error rows in place."""
    book = book or PolicyBook()
    if events is None:
        found, errors, _ = evaluate_rows(book, header, list(rows), policy=policy, now=now)
        late: list[Result] = []
    else:
        event_header, event_rows, event_labels = events
        found, errors, _ = evaluate_log(book, Table("tickets", tuple(header), rows),
                                        Table("events", tuple(event_header), event_rows),
                                        policy=policy, now=now)
        late = [_error_row({}, policy, error, f"events row {event_labels[error.line - 2]}: "
                                              f"{error.reason.split(': ', 1)[1]}")
                for error in errors if error.reason.startswith("events:")]
        errors = [error for error in errors if not error.reason.startswith("events:")]
    if not errors and not late:
        if isinstance(found, Measured) and found and found[0]:
            return found  # (with its instants as numbers, which `slacalc.frame` reads)
        return [list(column) for column in found] if found and found[0] else [
            [] for _ in RESULT_COLUMNS]
    failed = {error.line - 2: error for error in errors}
    results = iter(zip(*found, strict=True))
    made: list[Result] = []
    for position, (_, values) in enumerate(rows):
        error = failed.get(position)
        if error is not None:
            row = dict(zip(header, values, strict=False))
            made.append(_error_row(row, policy, error, f"row {labels[position]}: "
                                                       f"{error.reason}"))
        else:  # every evaluated ticket has one row per metric
            made += [next(results) for _ in range(_WIDTH)]
    made += late
    return [list(column) for column in zip(*made, strict=True)] if made else [
        [] for _ in RESULT_COLUMNS]
