"""The report over an event log: a tickets file and an events file (CSV, optionally
gzipped, or Parquet), evaluated in blocks of tickets, each with its events.

Both files are first streamed side by side (`_streamed`, reading them with
`slacalc.batch._blocks`): the tickets file in blocks of about `_BLOCK` tickets, each with
the events up to the last event of its last ticket (found by searching the events' text,
`_cut_fast`, or else by a binary search over their ids, `_cut`; the block's evaluation
notices an event of another block's ticket, `Strays`), so memory stays flat when the
events are grouped by ticket in the tickets' order (the usual export). Plain lines travel
to the workers as they are (`Lines`) and are split there (`cells`, into `ColumnRows`).
When the events turn out to be in another order, or a ticket id is in two blocks (found
from the ids' hashes once the last block is in: `slacalc.batch._repeats`), the report
starts again (`_grouped`): the events file is read whole and grouped by ``ticket_id``, so
memory grows with the events file, and a repeated id is checked as text. Each block is
evaluated with its events (`evaluate_log`), in this process or in ``jobs`` worker
processes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice, repeat
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

import numpy as np

from ._blocks import blocks, cells, header_of, read_table, records
from ._cells import ColumnRows
from ._eventlog import BLOCK, EVENT_COLUMNS, Strays, Table, evaluate_log, ticket_ids
from ._header import check_columns, check_outputs, check_policy
from ._html import write_html
from ._lines import Lines, joined
from ._measures import Measured
from ._output import RAW_CSV, Done, Sink, chunk_done, collect, no_tickets, outputs
from ._pool import evaluate_all
from ._repeats import Hashes, Repeats, Seen, id_hashes, repeated
from ._results import RESULT_COLUMNS
from ._rows import COLUMNS, STOPS, ExportError, PolicyBook
from ._run import as_of_text
from .summary import Summary

__all__ = ["read_table", "run_log_report"]

_BLOCK = BLOCK
_FIRST = 1_000
"""Tickets in the first block: under ``--jobs`` it is evaluated before the workers start
(they inherit what it compiled), so a small one lets them start sooner."""
_ID = RESULT_COLUMNS.index("ticket_id")
_BOOK: PolicyBook | None = None
_LogWork = tuple[Table, Table, str, str | None, datetime | None, bool, bool, dict[str, int]]
"""Tickets, their events, the `_Options`, whether the events are the whole log's (else a
streamed block's share: `evaluate_log`'s ``whole``), and the ids of earlier blocks' tickets
that rows here repeat, each with its line (`evaluate_log`'s ``earlier``)."""
_Options = tuple[str, str | None, datetime | None, bool]  # format, policy, now, html
_Named = tuple[Path, str]
"""A file and its name in messages (its file name, or ``stdin``)."""


def _evaluate(work: _LogWork) -> tuple[Done, Hashes]:
    """A block's `Done`, and for a streamed block the hashes of its tickets' ids (for the
    reading process to find an id repeated in a later block, `_unrepeated`)."""
    global _BOOK  # noqa: PLW0603  (one policy cache per process)
    if _BOOK is None:
        _BOOK = PolicyBook()
    tickets, events, output_format, policy, now, html, whole, earlier = work
    tickets = Table(tickets.name, tickets.header,
                    cells(tickets.rows, len(tickets.header), cut=True))
    events = Table(events.name, events.header,
                   cells(events.rows, len(events.header), cut=True))
    columns, errors, count = evaluate_log(_BOOK, tickets, events, policy=policy, now=now,
                                          whole=whole, earlier=earlier)
    hashes = id_hashes([] if whole else ticket_ids(tickets)[1])
    rows: list[str] = []  # each result row's opening as written, unless `Measured`
    if columns and not isinstance(columns, Measured):
        where = {name: index for index, name in enumerate(tickets.header)}
        key, at = where.get("ticket_id", -1), where.get("opened_at", -1)
        found = tickets.rows
        if isinstance(found, ColumnRows) and min(key, at) >= 0 and max(key, at) < len(
                found.columns):
            pairs: Iterable[tuple[str, str]] = zip(
                map(str.strip, found.columns[key]), found.columns[at], strict=True)
        else:
            pairs = ((cells[key].strip(), cells[at]) for _, cells in found
                     if 0 <= key < len(cells) and 0 <= at < len(cells))
        # ids are unique among the evaluated tickets: a later row of the same id failed
        opened = dict(reversed(list(pairs)))  # so the first row of an id is kept
        rows = list(map(opened.get, columns[_ID], repeat("")))
    return chunk_done(_BOOK, columns, errors, count, output_format, opened=rows,
                      html=html), hashes


def _grouped(ticket_file: _Named, event_file: _Named,
             options: _Options) -> Iterator[_LogWork]:
    """The blocks with their events, the events file read whole and grouped by ticket
    (any order; memory grows with the events file)."""
    (tickets, tickets_name), (events, events_name) = ticket_file, event_file
    table = read_table(events, events_name)
    header, rows = records(tickets)
    grouped: dict[str, list[tuple[int, Sequence[str]]]] = {}
    at = {name: index for index, name in enumerate(table.header)}.get("ticket_id")
    for line, row in table.rows:
        key = row[at].strip() if at is not None and at < len(row) else ""
        grouped.setdefault(key, []).append((line, row))
    first: dict[str, int] = {}  # each ticket id's first row that may be evaluated
    while True:
        block = Table(tickets_name, header, list(islice(rows, _BLOCK)))
        if not block.rows:
            break
        lines, ids = ticket_ids(block)
        earlier = repeated(first, lines, ids)
        # a ticket's events go with its first row (a repeat fails; no row: an error below)
        mine = sorted((item for key in dict.fromkeys(ids) if key not in earlier
                       for item in grouped.get(key, [])),
                      key=lambda item: item[0])  # file order: same-instant events keep it
        yield (block, Table(events_name, table.header, mine), *options, True, earlier)
    orphans = sorted((item for key, items in grouped.items() if key not in first
                      for item in items), key=lambda item: item[0])
    if orphans:  # events whose ticket_id has no ticket row: each is a row error
        yield (Table(tickets_name, header, []), Table(events_name, table.header, orphans),
               *options, True, {})


class _Order:
    """Whether the events file turned out to follow the tickets file's order."""

    def __init__(self) -> None:
        self.kept = True


def _streamed(ticket_file: _Named, event_file: _Named, options: _Options,
              order: _Order) -> Iterator[_LogWork]:
    """The blocks with their events, both files streamed: the events of a block end after
    the last event of its last ticket (`_cut_fast`), or where a binary search finds the
    first event of a ticket outside it (`_cut`). Exact when the events file is grouped by
    ticket in the tickets file's order (memory stays flat). In
    any other order some block is given an event of a ticket outside it, and its
    evaluation raises `Strays`; or an event is left over at the end, which sets
    ``order.kept`` to False. Either way the caller runs `_grouped` instead."""
    (tickets, tickets_name), (events, events_name) = ticket_file, event_file
    header, ticket_blocks = blocks(tickets, raw=True, size=_BLOCK, first=min(_FIRST, _BLOCK))
    # the events in reads of the tickets' size too: larger reads let peak RSS grow with the run
    event_header, event_blocks = blocks(events, raw=True, size=_BLOCK)
    key = {name: index for index, name in enumerate(header)}.get("ticket_id")
    event_key = {name: index for index, name in enumerate(event_header)}.get("ticket_id")
    if key is None or event_key is None:
        order.kept = False  # `_grouped` names the missing column
        return
    pending: Sequence[tuple[int, Any]] = []
    for block in ticket_blocks:
        ids: set[str] | None = None  # the block's ticket ids, read only when needed
        parts: list[Sequence[tuple[int, Any]]] = []  # its events, a read at a time
        while True:
            if not pending:
                pending = next(event_blocks, [])
                if not pending:
                    break
            found: tuple[Sequence[tuple[int, Any]], Sequence[tuple[int, Any]]] | None = \
                _cut_fast(block, key, pending, event_key)
            if found is None:
                ids = set(_keys(block, key)) if ids is None else ids
                cut = _cut(pending, event_key, ids)
                found = pending[:cut], pending[cut:]
            parts.append(found[0])
            pending = found[1]
            if pending:
                break
        yield (Table(tickets_name, header, block),
               Table(events_name, event_header, joined(*parts)), *options, False, {})
    if pending or next(event_blocks, None) is not None:
        order.kept = False


def _cut(rows: Sequence[tuple[int, Any]], index: int, ids: set[str]) -> int:
    """How many of ``rows`` (from the first) belong to tickets ``ids``, found by binary
    search: exact when they do up to some row and none does after it, as in a file
    grouped by ticket in the tickets' order; any other order leaves an event in a block
    of the wrong tickets, which its evaluation notices (`Strays`).

    Example: rows of tickets ``T1, T1, T2, T3`` and ``ids == {"T1", "T2"}`` -> 3.
    """
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high) // 2
        if _key(rows[middle][1], index) in ids:
            low = middle + 1
        else:
            high = middle
    return low


def _cut_fast(block: Sequence[tuple[int, Any]], key: int, rows: Sequence[tuple[int, Any]],
              index: int) -> tuple[Lines, Lines] | None:
    """`_cut` of events ``rows`` for the tickets ``block`` found by searching their bytes
    for the block's last ticket, when both are plain `Lines` with the ids first (``key``
    and ``index`` are 0): after that ticket's last event, when the next event is of no
    ticket of the block; or all of them, when the last ticket has none here but the last
    event is of a ticket of the block. None when that cannot tell (`_cut` then reads the
    ids), as for an id with spaces around it (which `_cut` strips).

    Exact for a file grouped by ticket in the tickets' order, as `_cut` is; in any other
    order an event lands in a block of the wrong tickets, which `Strays` catches.
    Example: tickets ``T1, T2`` and events of ``T1, T2, T2, T3`` -> the first three.
    """
    if key or index or not isinstance(block, Lines) or not isinstance(rows, Lines):
        return None
    tickets, events = block.data, rows.data
    if not tickets or not events:
        return None
    last = _first_cell(_last_line(tickets))
    if not last:
        return None
    start = events.rfind(b"\n" + last + b",") + 1
    if not start and not events.startswith(last + b","):  # no event of the last ticket
        if _holds(tickets, _first_cell(_last_line(events))):
            return rows, Lines.of(range(0), b"")
        return None
    end = events.find(b"\n", start) + 1 or len(events)
    after = _first_cell(events[end:events.find(b"\n", end) + 1 or len(events)])
    if after is None or _holds(tickets, after):
        return None  # an event of the block after its last ticket's: not in order
    feeds = int(np.count_nonzero(np.frombuffer(events, dtype=np.uint8, count=end) == 10))
    return rows.parted(feeds + (not events.endswith(b"\n", 0, end)), end)


def _first_cell(line: bytes) -> bytes | None:
    """The first cell of a line (UTF-8, without its line feed; b"" for no line) when no
    space is around it (as `_key` strips the text), as ids are written; else None."""
    cell = line.partition(b",")[0].removesuffix(b"\n")
    text = cell.decode()
    return cell if text == text.strip() else None


def _holds(tickets: bytes, ticket_id: bytes | None) -> bool:
    """Whether a line of ``tickets`` starts with the cell ``ticket_id`` (as written)."""
    return ticket_id is not None and ticket_id != b"" and (
        b"\n" + ticket_id + b"," in tickets or tickets.startswith(ticket_id + b","))


def _last_line(text: bytes) -> bytes:
    """The last line of ``text`` (without its line feed)."""
    end = len(text) - text.endswith(b"\n")
    return text[text.rfind(b"\n", 0, end) + 1:end]


def _keys(rows: Sequence[tuple[int, Any]], index: int) -> list[str]:
    """Column ``index`` of each record, stripped ("" where a row is too short); a raw
    line is cut only as far as that column."""
    if isinstance(rows, ColumnRows) and index < len(rows.columns):
        return list(map(str.strip, rows.columns[index]))
    try:
        cells = rows.texts if isinstance(rows, Lines) else list(map(itemgetter(1), rows))
        if isinstance(rows, Lines) or set(map(type, cells)) == {str}:
            cut = methodcaller("partition", ",") if index == 0 else methodcaller(
                "split", ",", index + 1)
            return list(map(str.strip, map(itemgetter(index), map(cut, cells))))
        return list(map(str.strip, map(itemgetter(index), cells)))
    except (IndexError, TypeError):
        return [_key(cells, index) for _, cells in rows]


def _key(cells: str | Sequence[str], index: int) -> str:
    found = cells.split(",", index + 1) if isinstance(cells, str) else cells
    return found[index].strip() if index < len(found) else ""


def _report(work: Iterator[_LogWork], sink: Sink, jobs: int) -> Summary:
    summary = Summary()
    evaluate_all(_evaluate, work, jobs, lambda done: collect(_unrepeated(done), summary, sink))
    return summary


def _unrepeated(done: Iterable[tuple[Done, Hashes]]) -> Iterator[Done]:
    """Each block's `Done`, in order; then `Repeats` if a ticket id of one block hashes
    as one of another block does (the results are still held back: `Results`)."""
    seen = Seen()
    for part, hashes in done:
        seen.add(hashes)
        yield part
    if seen.repeated():
        raise Repeats("a ticket_id in two blocks")


def _check(ticket_file: _Named, event_file: _Named, policy: str | None) -> None:
    """The checks made once, before any row: ``--policy``, then each file's header (the
    required columns, no name twice, no stop column in the tickets file)."""
    check_policy(policy)
    header, rows = records(ticket_file[0], size=1)  # only whether there is a row
    try:
        if next(rows, None) is None:
            raise ExportError(f"{ticket_file[1]}: no tickets (the file is empty or has only "
                              f"a header)")
    finally:
        rows.close()  # type: ignore[attr-defined]
    needed = [name for name in COLUMNS if not (policy and name == "policy")]
    check_columns(ticket_file[1], header, needed, refused=list(STOPS))
    check_columns(event_file[1], header_of(event_file[0]), EVENT_COLUMNS)


def run_log_report(tickets: Path, events: Path, *, policy: str | None, now: datetime | None,
                   output_format: str, output: str | None, errors: str | None,
                   jobs: int, labels: tuple[str, str] | None = None,
                   raw_csv: bool = False, html: str | None = None,
                   at_risk: bool = False) -> int:
    """`run_report` for an event log: ``tickets`` and ``events`` (CSV, ``.gz`` gzipped,
    or Parquet); the exit status is 1 if any row of either failed.

    The two files are streamed together (memory flat) when the events file is grouped by
    ticket in the tickets file's order, as exports usually are; otherwise the report is
    run again with the events file read whole (memory grows with it), and stderr says so.
    Row errors are printed once the report is done. ``labels`` name the two files in
    messages as the user gave them (default: their paths; ``stdin`` for standard input
    copied to a file); rows of either file are named by its file name.
    `ReportUsageError` before any row is read, as for `run_report` (both headers are
    checked). ``html``: also write the HTML report there, as `run_report` does.
    Boundary rule: results in the tickets file's order; a row error names its file and
    line (see `evaluate_log`). Example:
    ``slacalc report examples/eventlog/tickets.csv --events examples/eventlog/events.csv
    --format csv``.
    """
    given = labels or (str(tickets), str(events))
    if raw_csv and output_format == "csv":
        output_format = RAW_CSV
    names = (Path(given[0]).name, Path(given[1]).name)  # tables name their files
    ticket_file, event_file = (tickets, names[0]), (events, names[1])
    check_outputs([tickets, events], {"-o": output, "--errors": errors, "--html": html})
    _check(ticket_file, event_file, policy)
    options: _Options = (output_format, policy, now, html is not None)
    order = _Order()
    shown = given[0]
    for streamed in (True, False):
        lines: list[str] = []
        with outputs(output, errors, output_format, buffered=True,
                     as_of=as_of_text(now), raw_csv=raw_csv, at_risk=at_risk) as results:
            sink = Sink(shown, results, results.bad_csv, False, 0, int, lines.append)
            work = (_streamed(ticket_file, event_file, options, order) if streamed
                    else _grouped(ticket_file, event_file, options))
            why = ""
            try:
                summary = _report(work, sink, jobs)
            except Strays:
                order.kept = False
            except Repeats:
                why = f"{shown} has a ticket_id in two blocks: reading {given[1]} whole"
            if not order.kept:
                why = f"{given[1]} is not grouped by ticket in the order of {shown}: " \
                      f"reading it whole"
            if streamed and why:
                print(f"slacalc report: {why} (memory grows with it)", file=sys.stderr)
                continue
            no_tickets(names[0], summary)
            results.finish(summary)
            if html:
                write_html(html, summary, as_of_text(now), tickets=tickets, events=events,
                           policy=policy, now=now)
        for line in lines:
            print(line, file=sys.stderr)
        return 1 if summary.failed else 0
    raise AssertionError("unreachable: the grouped pass always completes")
