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

from ._cells import ColumnRows
from ._csv import evaluate_rows
from ._eventlog import Table, evaluate_log
from ._measures import Measured
from ._results import RESULT_COLUMNS, Result
from ._rows import PolicyBook, RowError

__all__ = ["INSTANT_COLUMNS", "SECONDS_COLUMNS", "evaluate_cells", "evaluate_columns_of"]

INSTANT_COLUMNS = ("due", "stopped_at", "next_escalation_at")
"""Result columns holding instants."""
SECONDS_COLUMNS = ("elapsed_seconds", "remaining_seconds", "overrun_seconds")
"""Result columns holding lengths in seconds."""
_WIDTH = 2  # result rows per evaluated ticket: response, resolution


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
