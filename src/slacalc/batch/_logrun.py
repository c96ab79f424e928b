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
from itertools import islice
from pathlib import Path
from typing import IO

from ._eventlog import Table, evaluate_log
from ._output import HEADS, Done, Sink, collect, format_columns, in_order, outputs, summary_text
from ._parquet import is_parquet, parquet_rows
from ._rows import ExportError, PolicyBook
from .summary import Summary

__all__ = ["read_table", "run_log_report"]

_BLOCK = 10_000
_BOOK: PolicyBook | None = None
_LogWork = tuple[Table, Table, str, str | None, datetime | None]


def _open(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _records(path: Path) -> tuple[tuple[str, ...], Iterator[tuple[int, list[str]]]]:
    if is_parquet(path):
        return parquet_rows(path)
    handle = _open(path)
    reader = csv.reader(handle)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                if row:
                    yield reader.line_num, row
        except csv.Error as error:
            raise ExportError(f"{path}:{reader.line_num}: malformed CSV ({error})") from None
        except (UnicodeDecodeError, EOFError, OSError) as error:
            raise ExportError(f"{path}: cannot be read ({error})") from None
        finally:
            handle.close()

    try:
        header = tuple(name.strip() for name in next(reader, ()))
    except (csv.Error, UnicodeDecodeError, EOFError, OSError) as error:
        handle.close()
        raise ExportError(f"{path}:1: cannot read the header ({error})") from None
    return header, rows()


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
    columns, errors, count = evaluate_log(_BOOK, tickets, events, policy=policy, now=now)
    summary = Summary()
    summary.add(columns, count)
    summary.failed = len(errors)
    return (format_columns(columns, output_format),
            [(error.line, error.ticket_id, error.reason) for error in errors], summary)


def _work(tickets: Path, events: Table, options: tuple[str, str | None, datetime | None]
          ) -> Iterator[_LogWork]:
    header, rows = _records(tickets)
    where = {name: index for index, name in enumerate(header)}
    grouped: dict[str, list[tuple[int, Sequence[str]]]] = {}
    at = {name: index for index, name in enumerate(events.header)}.get("ticket_id")
    for line, row in events.rows:
        key = row[at].strip() if at is not None and at < len(row) else ""
        grouped.setdefault(key, []).append((line, row))
    taken: set[str] = set()
    output_format, policy, now = options
    output_format = "csv" if output_format == "parquet" else output_format  # Parquet: CSV text
    while True:
        block = list(islice(rows, _BLOCK))
        if not block:
            break
        ids = [row[where["ticket_id"]].strip() if "ticket_id" in where
               and where["ticket_id"] < len(row) else "" for _, row in block]
        mine = sorted((item for key in dict.fromkeys(ids) for item in grouped.get(key, [])),
                      key=lambda item: item[0])  # file order: same-instant events keep it
        taken.update(ids)
        yield (Table(tickets.name, header, block), Table(events.name, events.header, mine),
               output_format, policy, now)
    orphans = sorted((item for key, items in grouped.items() if key not in taken
                      for item in items), key=lambda item: item[0])
    if orphans:  # events whose ticket_id has no ticket row: each is a row error
        yield (Table(tickets.name, header, []), Table(events.name, events.header, orphans),
               output_format, policy, now)


def run_log_report(tickets: Path, events: Path, *, policy: str | None, now: datetime | None,
                   output_format: str, output: str | None, errors: str | None,
                   jobs: int) -> int:
    """`run_report` for an event log: ``tickets`` and ``events`` (CSV, ``.gz`` gzipped);
    the exit status is 1 if any row of either failed.

    Boundary rule: results in the tickets file's order; a row error names its file and
    line (see `evaluate_log`). Example: ``slacalc report examples/tickets.csv --events
    examples/events.csv --format csv``.
    """
    summary = Summary()
    with outputs(output, errors, output_format) as (out, bad_csv):
        table = read_table(events)
        work = _work(tickets, table, (output_format, policy, now))
        sink = Sink(tickets, out, bad_csv, False, 0, int)
        out.write(HEADS[output_format])
        if jobs > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                collect(in_order(pool, _evaluate, work, 2 * jobs), summary, sink)
        else:
            collect(map(_evaluate, work), summary, sink)
        text = summary_text(summary)
        if output_format == "table":
            out.write(text)
        else:
            (sys.stdout if output is not None else sys.stderr).write(text)
    return 1 if summary.failed else 0

