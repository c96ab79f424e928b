"""``slacalc report --from DESK FOLDER`` and ``slacalc convert``: a desk export converted
block by block and evaluated as an event log in memory, or written as the event-log files.

Each `Converted` block becomes the two tables `evaluate_log` takes (named by the desk's
files, each row with its position there), so a report row error points at the export
(``audits.jsonl:42 (12): status 'pending_vendor' is not in the mapping (did you mean
'pending'?)``); the conversion's own row errors are counted and printed with them.
"""

from __future__ import annotations

import csv
import gc
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from ..batch._eventlog import Table, evaluate_log
from ..batch._header import ReportUsageError, check_outputs, check_policy
from ..batch._output import (
    RAW_CSV,
    Done,
    Sink,
    chunk_done,
    collect,
    no_tickets,
    outputs,
)
from ..batch._pool import evaluate_all
from ..batch._rows import PolicyBook, RowError
from ..batch._run import as_of_text
from ..batch.summary import Summary
from ..engine._zone import instant_us
from ._tables import EVENT_COLUMNS, TICKET_COLUMNS, VERDICT_COLUMNS, Converted, UnorderedError
from .mapping import DeskMapping, load_mapping

__all__ = ["desk_mapping", "fewer_collections", "run_desk_report", "write_converted"]

Stream = Callable[..., Iterator[Converted]]
_Faults = list[tuple[int, str, str]]
_Work = tuple[Table, Table, _Faults, str, str | None, datetime | None]
_BOOK: PolicyBook | None = None
_EVENT_CELLS = itemgetter(*EVENT_COLUMNS)  # an event row's cells (all text), in order


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic collector run less often while a desk is converted (its many
    small dicts and tuples hold no cycles; the default thresholds cost a quarter of the
    conversion), and put back after."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def desk_mapping(desk: str, path: str | None) -> DeskMapping | None:
    """The ``--mapping`` file for ``--from desk`` (None: the desk's default mapping).

    Boundary rule: a mapping written for another desk is a `ReportUsageError`; a file
    with mistakes raises its `MappingError` (each located). Example:
    ``desk_mapping("zendesk", None)`` -> None.
    """
    if path is None:
        return None
    mapping = load_mapping(path)
    if mapping.desk != desk:
        raise ReportUsageError(f"--mapping {path}: written for desk {mapping.desk!r}, not "
                               f"{desk!r} (its 'desk' key)")
    return mapping


def tables(block: Converted) -> tuple[Table, Table]:
    """A block's rows as the tickets and events tables of `evaluate_log`."""
    header = tuple(block.tickets[0]) if block.tickets else TICKET_COLUMNS
    tickets = Table(block.files[0], header,
                    [(line, list(row.values())) for line, row
                     in zip(block.ticket_lines, block.tickets, strict=True)])
    events = Table(block.files[1], EVENT_COLUMNS,
                   [(line, [row[name] for name in EVENT_COLUMNS]) for line, row
                    in zip(block.event_lines, block.events, strict=True)])
    return tickets, events


def _evaluate(work: _Work) -> Done:
    global _BOOK  # noqa: PLW0603  (one policy cache per process)
    if _BOOK is None:
        _BOOK = PolicyBook()
    tickets, events, faults, output_format, policy, now = work
    columns, errors, count = evaluate_log(_BOOK, tickets, events, policy=policy, now=now)
    failed = [RowError(line, reason, ticket_id) for line, ticket_id, reason in faults]
    return chunk_done(_BOOK, columns, failed + errors, count, output_format)


def _work(blocks: Iterator[Converted], output_format: str, policy: str | None,
          now: datetime | None) -> Iterator[_Work]:
    for block in blocks:
        tickets, events = tables(block)
        faults = [(error.line, error.ticket_id, error.reason) for error in block.errors]
        yield tickets, events, faults, output_format, policy, now


def run_desk_report(stream: Stream, folder: Path, mapping: DeskMapping | None, *,
                    policy: str | None, now: datetime | None, output_format: str,
                    output: str | None, errors: str | None, jobs: int,
                    raw_csv: bool = False, at_risk: bool = False) -> int:
    """The event-log report of a desk export folder, converted by ``stream`` (one of
    `slacalc.sources.STREAMS`); the exit status is 1 if any record or row failed.

    Boundary rule: the folder is streamed when its files are grouped by ticket in the
    tickets' order; otherwise the report starts again with the followers read whole
    (stderr says so), as the event-log report does. A record the mapping cannot convert
    is a row error naming its file and position; its ticket is not evaluated. With
    ``at_risk``, only the rows at risk are written, the soonest breach first, as the
    ordinary report's ``--at-risk`` does (`slacalc.batch._atrisk`). Example:
    ``slacalc report --from zendesk examples/desks/zendesk --now 2026-12-01T00:00:00Z``.
    """
    if not folder.is_dir():
        raise ReportUsageError(f"{folder}: not a folder (--from reads an export folder)")
    check_outputs(sorted(path for path in folder.iterdir() if path.is_file()),
                  {"-o": output, "--errors": errors})
    check_policy(policy)
    if raw_csv and output_format == "csv":
        output_format = RAW_CSV
    with fewer_collections():
        return _report(stream, folder, mapping, policy=policy, now=now,
                       output_format=output_format, output=output, errors=errors,
                       jobs=jobs, raw_csv=raw_csv, at_risk=at_risk)


def _report(stream: Stream, folder: Path, mapping: DeskMapping | None, *,
            policy: str | None, now: datetime | None, output_format: str,
            output: str | None, errors: str | None, jobs: int, raw_csv: bool,
            at_risk: bool) -> int:
    for ordered in (True, False):
        lines: list[str] = []
        with outputs(output, errors, output_format, buffered=True, as_of=as_of_text(now),
                     raw_csv=raw_csv, at_risk=at_risk) as results:
            sink = Sink(str(folder), results, results.bad_csv, False, 0, int, lines.append)
            summary = Summary()
            try:
                evaluate_all(_evaluate, _work(stream(folder, mapping, ordered=ordered),
                                              output_format, policy, now),
                             jobs, partial(collect, summary=summary, sink=sink))
            except UnorderedError as stop:
                print(f"slacalc report: {folder}: {stop.why}: reading them whole (memory "
                      f"grows with them)", file=sys.stderr)
                continue
            no_tickets(str(folder), summary)
            results.finish(summary)
        for line in lines:
            print(line, file=sys.stderr)
        return 1 if summary.failed else 0
    raise AssertionError("unreachable: the second pass reads the files whole")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_converted(stream: Stream, folder: Path, mapping: DeskMapping | None,
                    output: Path, now: datetime | None = None) -> int:
    """Write a desk export folder as ``tickets.csv``, ``events.csv`` and
    ``desk_verdicts.csv`` in ``output`` (created if missing; each file written whole or
    not at all); the exit status is 1 if any record failed (each printed on stderr).
    With ``now`` (the export's instant), a desk breach dated at or after it has not
    happened: its ``breached`` is written empty (undecided), its ``due_at`` kept.

    Boundary rule: as `run_desk_report` for the order of the files. Example:
    ``slacalc convert --from zendesk examples/desks/zendesk -o /tmp/zd`` then
    ``slacalc report /tmp/zd/tickets.csv --events /tmp/zd/events.csv``.
    """
    if not folder.is_dir():
        raise ReportUsageError(f"{folder}: not a folder (--from reads an export folder)")
    if output.exists() and not output.is_dir():
        raise ReportUsageError(f"-o {output}: not a folder")
    if output.exists() and output.resolve() == folder.resolve():
        raise ReportUsageError(f"-o {output}: the export folder itself; write elsewhere")
    output.mkdir(parents=True, exist_ok=True)
    for ordered in (True, False):
        temporary = Path(tempfile.mkdtemp(prefix=".slacalc-", dir=output))
        try:
            with fewer_collections():
                failed = _write(stream(folder, mapping, ordered=ordered), temporary,
                                None if now is None else instant_us(now))
        except UnorderedError:
            _remove(temporary)
            continue
        except BaseException:
            _remove(temporary)
            raise
        for name in ("tickets.csv", "events.csv", "desk_verdicts.csv"):
            os.replace(temporary / name, output / name)
        _remove(temporary)
        for error in failed:
            print(f"slacalc convert: {error.reason}", file=sys.stderr)
        return 1 if failed else 0
    raise AssertionError("unreachable: the second pass reads the files whole")


def _undecided(row: dict[str, Any], now_us: int | None) -> dict[str, Any]:
    """A verdict row as of ``now_us``: a breach dated at or after it -> undecided."""
    due = row["due_at"]
    if now_us is None or row["breached"] is not True or not due:
        return row
    if instant_us(datetime.fromisoformat(due)) < now_us:
        return row
    return {**row, "breached": None}


def _write(blocks: Iterator[Converted], folder: Path, now_us: int | None) -> list[RowError]:
    failed: list[RowError] = []
    with (open(folder / "tickets.csv", "w", newline="", encoding="utf-8") as tickets,
          open(folder / "events.csv", "w", newline="", encoding="utf-8") as events,
          open(folder / "desk_verdicts.csv", "w", newline="", encoding="utf-8") as verdicts):
        ticket_rows, event_rows = csv.writer(tickets), csv.writer(events)
        verdict_rows = csv.writer(verdicts)
        event_rows.writerow(EVENT_COLUMNS)
        verdict_rows.writerow(VERDICT_COLUMNS)
        header: list[str] | None = None
        for block in blocks:
            if block.tickets and header is None:
                header = list(block.tickets[0])
                ticket_rows.writerow(header)
            ticket_rows.writerows([row.values() for row in block.tickets])
            event_rows.writerows(map(_EVENT_CELLS, block.events))  # each row's at C speed
            verdict_rows.writerows([[_cell(row[name]) for name in VERDICT_COLUMNS]
                                    for row in map(_undecided, block.verdicts,
                                                   repeat(now_us))])
            failed += block.errors
        if header is None:
            ticket_rows.writerow(TICKET_COLUMNS)
    return failed


def _remove(folder: Path) -> None:
    for item in folder.iterdir():
        item.unlink()
    folder.rmdir()
