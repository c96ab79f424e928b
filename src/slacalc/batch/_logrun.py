"""The report over an event log: a tickets file and an events file (CSV, optionally
gzipped, or Parquet), evaluated in blocks of tickets, each with its events.

The events file is read first and its rows grouped by ``ticket_id`` (so it may be in any
order); the tickets file is then read in blocks of `_BLOCK` tickets, in order, and each
block is evaluated with its events (`evaluate_log`), in this process or in ``jobs``
worker processes. Memory grows with the events file, not with the tickets file.
"""

from __future__ import annotations

import csv
import gzip
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from itertools import chain, islice
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import IO, Any

from ._eventlog import Table, evaluate_log
from ._output import HEADS, Done, Sink, collect, format_columns, in_order, outputs, summary_text
from ._parquet import is_parquet, parquet_rows
from ._rows import ExportError, PolicyBook
from .summary import Summary

__all__ = ["read_table", "run_log_report"]

_BLOCK = 10_000
_BOOK: PolicyBook | None = None
_LogWork = tuple[Table, Table, str, str | None, datetime | None]
_Options = tuple[str, str | None, datetime | None]


def _open(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _records(path: Path, *, raw: bool = False
             ) -> tuple[tuple[str, ...], Iterator[tuple[int, Any]]]:
    """The header and rows of a CSV (``.gz``) or Parquet file, each row with the line it
    ends on. ``raw``: a plain ``.csv`` file's lines are given as they are (text, split by
    the worker that evaluates them; the parent only finds their ticket) until a block
    holds a quote; from there on, rows are parsed."""
    if is_parquet(path):
        return parquet_rows(path)
    handle = _open(path)
    reader = csv.reader(handle)
    try:
        header = tuple(name.strip() for name in next(reader, ()))
    except (csv.Error, UnicodeDecodeError, EOFError, OSError) as error:
        handle.close()
        raise ExportError(f"{path}:1: cannot read the header ({error})") from None
    plain = raw and path.suffix.lower() == ".csv"

    def rows() -> Iterator[tuple[int, Any]]:
        number = reader.line_num
        try:
            while plain:
                lines = list(islice(handle, _BLOCK))
                if not lines:
                    return
                if '"' in "".join(lines):  # quoted fields may span lines: parse from here
                    parsed = csv.reader(chain(lines, handle))
                    for row in parsed:
                        if row:
                            yield number + parsed.line_num, row
                    return
                for offset, line in enumerate(lines, start=1):
                    if line.rstrip("\r\n"):  # an empty line is no record, as for csv
                        yield number + offset, line
                number += len(lines)
            for row in reader:
                if row:
                    yield reader.line_num, row
        except csv.Error as error:
            raise ExportError(f"{path}: malformed CSV ({error})") from None
        except (UnicodeDecodeError, EOFError, OSError) as error:
            raise ExportError(f"{path}: cannot be read ({error})") from None
        finally:
            handle.close()

    return header, rows()


def _cells(records: Sequence[tuple[int, Any]]) -> list[tuple[int, list[str]]]:
    """Records with raw lines split into cells (a line without quotes splits at commas,
    exactly as ``csv.reader`` reads it)."""
    if not any(type(cells) is str for _, cells in records):
        return list(records)
    return [(line, cells.rstrip("\r\n").split(",") if type(cells) is str else cells)
            for line, cells in records]


def read_table(path: Path) -> Table:
    """Every row of a CSV file (``.csv.gz``: gzipped; ``.parquet``: numbered from 1), each
    with the line it ends on.

    Boundary rule: blank lines are skipped; a malformed file raises `ExportError` naming
    the path and line. Example: a file ``ticket_id,at,kind`` / ``T1,2026-11-23T07:55Z,
    responded`` -> ``Table("events.csv", ("ticket_id", "at", "kind"), [(2, [...])])``.
    """
    header, rows = _records(path)
    return Table(path.name, header, list(rows))


def _evaluate(work: _LogWork) -> Done:
    global _BOOK  # noqa: PLW0603  (one policy cache per process)
    if _BOOK is None:
        _BOOK = PolicyBook()
    tickets, events, output_format, policy, now = work
    tickets = Table(tickets.name, tickets.header, _cells(tickets.rows))
    events = Table(events.name, events.header, _cells(events.rows))
    columns, errors, count = evaluate_log(_BOOK, tickets, events, policy=policy, now=now)
    summary = Summary()
    summary.add(columns, count)
    summary.failed = len(errors)
    return (format_columns(columns, output_format),
            [(error.line, error.ticket_id, error.reason) for error in errors], summary)


def _grouped(tickets: Path, events: Path, options: _Options) -> Iterator[_LogWork]:
    """The blocks with their events, the events file read whole and grouped by ticket
    (any order; memory grows with the events file)."""
    table = read_table(events)
    header, rows = _records(tickets)
    where = {name: index for index, name in enumerate(header)}
    grouped: dict[str, list[tuple[int, Sequence[str]]]] = {}
    at = {name: index for index, name in enumerate(table.header)}.get("ticket_id")
    for line, row in table.rows:
        key = row[at].strip() if at is not None and at < len(row) else ""
        grouped.setdefault(key, []).append((line, row))
    taken: set[str] = set()
    while True:
        block = list(islice(rows, _BLOCK))
        if not block:
            break
        ids = [row[where["ticket_id"]].strip() if "ticket_id" in where
               and where["ticket_id"] < len(row) else "" for _, row in block]
        mine = sorted((item for key in dict.fromkeys(ids) for item in grouped.get(key, [])),
                      key=lambda item: item[0])  # file order: same-instant events keep it
        taken.update(ids)
        yield (Table(tickets.name, header, block), Table(events.name, table.header, mine),
               *options)
    orphans = sorted((item for key, items in grouped.items() if key not in taken
                      for item in items), key=lambda item: item[0])
    if orphans:  # events whose ticket_id has no ticket row: each is a row error
        yield (Table(tickets.name, header, []), Table(events.name, table.header, orphans),
               *options)


class _Order:
    """Whether the events file turned out to follow the tickets file's order."""

    def __init__(self) -> None:
        self.kept = True


def _streamed(tickets: Path, events: Path, options: _Options,
              order: _Order) -> Iterator[_LogWork]:
    """The blocks with their events, both files streamed: the events of a block are those
    read before the first event of a ticket outside it. Exact when the events file is
    grouped by ticket in the tickets file's order (memory stays flat); an event left over
    at the end (its ticket earlier, or none) sets ``order.kept`` to False, and the
    caller runs `_grouped` instead."""
    header, rows = _records(tickets, raw=True)
    event_header, event_rows = _records(events, raw=True)
    key = {name: index for index, name in enumerate(header)}.get("ticket_id")
    event_key = {name: index for index, name in enumerate(event_header)}.get("ticket_id")
    if key is None or event_key is None:
        order.kept = False  # `_grouped` names the missing column
        return
    pending: list[tuple[int, list[str]]] = []
    while True:
        block = list(islice(rows, _BLOCK))
        if not block:
            break
        ids = set(_keys(block, key))
        mine: list[tuple[int, list[str]]] = []
        while True:
            if not pending:
                pending = list(islice(event_rows, 4 * _BLOCK))
                if not pending:
                    break
            inside = list(map(ids.__contains__, _keys(pending, event_key)))
            if all(inside):
                mine += pending
                pending = []
                continue
            first = inside.index(False)
            mine += pending[:first]
            pending = pending[first:]
            break
        yield (Table(tickets.name, header, block), Table(events.name, event_header, mine),
               *options)
    if pending or next(event_rows, None) is not None:
        order.kept = False


def _keys(rows: Sequence[tuple[int, Any]], index: int) -> list[str]:
    """Column ``index`` of each record, stripped ("" where a row is too short)."""
    try:
        cells = list(map(itemgetter(1), rows))
        if type(cells[0] if cells else []) is str and all(type(cell) is str for cell in cells):
            return list(map(str.strip, map(itemgetter(index), map(
                methodcaller("split", ",", index + 1), cells))))
        return list(map(str.strip, map(itemgetter(index), cells)))
    except (IndexError, TypeError):
        return [_key(cells, index) for _, cells in rows]


def _key(cells: str | Sequence[str], index: int) -> str:
    found = cells.split(",", index + 1) if isinstance(cells, str) else cells
    return found[index].strip() if index < len(found) else ""


def _report(work: Iterator[_LogWork], sink: Sink, jobs: int) -> Summary:
    summary = Summary()
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            collect(in_order(pool, _evaluate, work, 2 * jobs), summary, sink)
    else:
        collect(map(_evaluate, work), summary, sink)
    return summary


def run_log_report(tickets: Path, events: Path, *, policy: str | None, now: datetime | None,
                   output_format: str, output: str | None, errors: str | None,
                   jobs: int) -> int:
    """`run_report` for an event log: ``tickets`` and ``events`` (CSV, ``.gz`` gzipped,
    or Parquet); the exit status is 1 if any row of either failed.

    The two files are streamed together (memory flat) when the events file is grouped by
    ticket in the tickets file's order, as exports usually are; otherwise the report is
    run again with the events file read whole (memory grows with it), and stderr says so.
    Row errors are printed once the report is done. Boundary rule: results in the
    tickets file's order; a row error names its file and line (see `evaluate_log`).
    Example: ``slacalc report examples/eventlog/tickets.csv --events
    examples/eventlog/events.csv --format csv``.
    """
    options: _Options = ("csv" if output_format == "parquet" else output_format, policy, now)
    order = _Order()
    for streamed in (True, False):
        lines: list[str] = []
        with outputs(output, errors, output_format, buffered=True) as (out, bad_csv):
            out.write(HEADS[output_format])
            sink = Sink(tickets, out, bad_csv, False, 0, int, lines.append)
            work = (_streamed(tickets, events, options, order) if streamed
                    else _grouped(tickets, events, options))
            summary = _report(work, sink, jobs)
            if streamed and not order.kept:
                out.discard()
                print(f"slacalc report: {events} is not grouped by ticket in the order of "
                      f"{tickets}: reading it whole (memory grows with it)", file=sys.stderr)
                continue
            text = summary_text(summary)
            if output_format == "table":
                out.write(text)
            else:
                (sys.stdout if output is not None else sys.stderr).write(text)
        for line in lines:
            print(line, file=sys.stderr)
        return 1 if summary.failed else 0
    raise AssertionError("unreachable: the grouped pass always completes")
