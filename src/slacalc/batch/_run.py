"""What the command line runs: the batch report (streamed, optionally in processes) and
the demo. Kept apart from argument parsing so each stays small."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from itertools import chain, count, islice
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from ..engine.calendar import BusinessCalendar
from ._csv import evaluate_rows
from ._header import check_columns, check_outputs, check_policy, column_names, sniff
from ._html import write_html
from ._jsonl import evaluate_lines
from ._measures import Measured
from ._output import (
    RAW_CSV,
    Done,
    Sink,
    chunk_done,
    collect,
    no_tickets,
    outputs,
    progress_bar,
)
from ._parquet import is_parquet, parquet_rows
from ._pool import evaluate_all
from ._rows import ExportError, PolicyBook, RowError, without_lone_surrogates
from .summary import Summary

__all__ = ["as_of_text", "demo", "progress_bar", "run_report"]

_CHUNK = 10_000
_BOOK: PolicyBook | None = None
_FLAT = ("policy", "tier", "priority", "opened_at")
"""The columns a flat export must have (``policy`` unless --policy names it)."""

Block = tuple[int, list[str]] | list[tuple[int, list[str] | str]]
"""A chunk of the input: raw lines with the number of the first (JSONL, or CSV lines that
hold no quote, so each line is one record), or CSV records already split, numbered (a
record the csv module refused, a field over its size limit, is the reason, as text)."""
_TOO_LONG = "field larger than field limit"
Work = tuple[Block, tuple[str, ...] | None, str, str, str | None, datetime | None, bool]
"""A block, the CSV header (None for JSONL), its delimiter, the output format, --policy,
--now. Workers get plain lists of text and send back formatted text: little to pickle,
and the parsing happens in the workers."""


class _LineError(ExportError):
    """A fault at a line of the input: ``"12: malformed CSV (...)"``; the report prefixes
    the file's name."""


def as_of_text(now: datetime | None) -> str:
    """The instant a report is judged at, as its table and summary say it."""
    return now.isoformat() if now is not None else "each ticket's last event"


def _evaluate_chunk(work: Work) -> Done:
    """Evaluate one chunk of numbered input rows (in a worker process, or in this one)."""
    global _BOOK  # noqa: PLW0603  (one policy cache per process)
    if _BOOK is None:
        _BOOK = PolicyBook()
    block, header, delimiter, output_format, policy, now, html = work
    rows: list[str] = []  # each result row's opening as written, unless `Measured`
    if header is None:
        assert isinstance(block, tuple)
        first, lines = block
        numbered, refused = without_lone_surrogates(first, lines)
        columns, errors, tickets = evaluate_lines(_BOOK, numbered, policy=policy, now=now,
                                                  opened=rows)
        if refused:
            errors = sorted([*errors, *refused], key=lambda error: error.line)
    else:
        if isinstance(block, tuple):
            block = _plain_records(*block, delimiter)
        records = [(line, row) for line, row in block if not isinstance(row, str)] \
            if any(isinstance(row, str) for _, row in block) else block
        columns, errors, tickets = evaluate_rows(_BOOK, header, records, policy=policy,
                                                 now=now)
        if len(records) < len(block):
            errors = sorted([*errors, *(RowError(line, row) for line, row in block
                                       if isinstance(row, str))], key=lambda e: e.line)
        if not isinstance(columns, Measured):  # the summary reads the openings
            failed = {error.line for error in errors}
            at = header.index("opened_at") if "opened_at" in header else len(header)
            opened = [row[at] if at < len(row) else "" for line, row in records
                      if line not in failed]
            rows = list(chain.from_iterable(zip(opened, opened, strict=True)))  # 2 each
    return chunk_done(_BOOK, columns, errors, tickets, output_format, opened=rows, html=html)


def _plain_records(first: int, lines: list[str], delimiter: str
                   ) -> list[tuple[int, list[str] | str]]:
    """The records of a block of lines without a quote character (one record a line),
    numbered from ``first``; read in one pass of ``csv.reader`` unless a record is over
    the csv module's size limit, when `_split` reads the block record by record."""
    try:
        return list(zip(count(first), csv.reader(lines, delimiter=delimiter),  # count: endless
                        strict=False))
    except csv.Error:
        return list(_split(csv.reader(lines, delimiter=delimiter), first - 1))


def _split(reader: Any, before: int) -> Iterator[tuple[int, list[str] | str]]:
    """The records of a ``csv.reader`` numbered by the line each ends on (``before`` + the
    reader's line); a record with a field over the csv module's size limit (128 KiB) is
    its reason, for a row error (the reader goes on at the next line); any other fault
    stops the report (`_LineError`)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if _TOO_LONG not in str(error):
                raise _LineError(f"{before + reader.line_num}: malformed CSV ({error})"
                                 ) from None
            yield before + reader.line_num, f"malformed CSV ({error})"
            continue
        yield before + reader.line_num, row


class _Lines:
    """A text handle's lines, numbered from 1, counting the characters read (for the
    progress bar)."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle, self.read, self.number = handle, 0, 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.read += len(line)
        self.number += 1
        return line

    def characters(self) -> int:
        """How many characters have been read."""
        return self.read

    def take(self, count: int) -> list[str]:
        """Up to ``count`` more lines."""
        lines = list(islice(self.handle, count))
        self.read += sum(map(len, lines))
        self.number += len(lines)
        return lines


def _header(is_json: bool, lines: _Lines) -> tuple[tuple[str, ...] | None, str]:
    """The CSV header record, its names as `column_names` reads them (``()`` for a file
    with no line but blank ones), and its delimiter (`sniff`); None for JSONL."""
    if is_json:
        return None, ","
    first = next(lines, "")
    while first and not first.strip():
        first = next(lines, "")
    if not first:
        return (), ","
    delimiter = sniff(first)
    try:
        record = next(csv.reader(chain([first], lines), delimiter=delimiter), [])
    except csv.Error as error:
        raise _LineError(f"{lines.number}: malformed CSV header ({error})") from None
    return column_names(record), delimiter


def _blocks(lines: _Lines, is_json: bool, delimiter: str) -> Iterator[Block]:
    """The input after the header in blocks of about `_CHUNK` records, cut only between
    records. A CSV block without a quote character is sent as raw lines (one record each,
    split by the worker); one with quotes is split here, with ``csv.reader`` reading on
    past the block's last line while a quoted field is still open, so every record and
    line number is exactly what one reader over the whole file gives."""
    while True:
        first = lines.number + 1
        block = lines.take(_CHUNK)
        if not block:
            return
        if is_json or not any('"' in line for line in block):
            yield first, block
            continue
        reader = csv.reader(chain(block, lines), delimiter=delimiter)
        records: list[tuple[int, list[str] | str]] = []
        split = _split(reader, first - 1)  # each record numbered by its last line
        while reader.line_num < len(block):
            found = next(split, None)
            if found is None:
                break
            records.append(found)
        yield records


def run_report(path: Path, *, policy: str | None, now: datetime | None, output_format: str,
               output: str | None, errors: str | None, jobs: int,
               label: str | None = None, raw_csv: bool = False,
               html: str | None = None, at_risk: bool = False) -> int:
    """Evaluate every ticket of an export; the exit status is 1 if any row failed.
    ``html``: also write the HTML report there (`slacalc.batch._html`), from the same
    evaluation.

    ``label`` names the input in messages (default: ``path``; ``stdin`` for standard
    input copied to ``path``). `ReportUsageError`, before any row is read, for a header
    without a required column (or with one twice), an unknown ``policy``, or an output
    that cannot be written (a folder, a missing folder, the input itself). `ExportError`
    (naming the file and the line) when the file cannot be read at all: not UTF-8 (a
    byte-order mark is fine), malformed CSV, or no ticket in it (empty, or only a
    header). A CSV field over the csv module's size limit (128 KiB) is its row's error.
    Without ``raw_csv``, a CSV cell that starts like a formula is written with a ``'``
    before it (`slacalc.batch._escape`). With ``at_risk``, only the rows at risk are
    written, the soonest breach first (`slacalc.batch._atrisk`); the summary counts all.
    """
    shown = label or str(path)
    if raw_csv and output_format == "csv":
        output_format = RAW_CSV
    check_outputs([path], {"-o": output, "--errors": errors, "--html": html})
    check_policy(policy)
    summary = Summary()
    required = _FLAT[1:] if policy else _FLAT
    try:
        with outputs(output, errors, output_format, as_of=as_of_text(now),
                     raw_csv=raw_csv, at_risk=at_risk) as results:
            options = (output_format, policy, now, html is not None)
            if is_parquet(path):
                names, rows = parquet_rows(path)
                columns = column_names(names)
                check_columns(shown, columns, required)
                blocks: Iterator[Block] = (list(block) for block in
                                           iter(lambda: list(islice(rows, _CHUNK)), []))
                _run((columns, ","), blocks, Sink(shown, results, results.bad_csv, False, 0,
                                                 int), summary, options, jobs=jobs)
            else:
                with path.open(encoding="utf-8-sig", newline="") as raw:  # -sig: Excel's BOM
                    lines = _Lines(raw)
                    is_json = path.suffix.lower() in {".jsonl", ".ndjson", ".json"}
                    header, delimiter = _header(is_json, lines)
                    if header is not None and header:
                        check_columns(shown, header, required)
                    _run((header, delimiter), _blocks(lines, is_json, delimiter),
                         Sink(shown, results, results.bad_csv, sys.stderr.isatty(),
                              path.stat().st_size, lines.characters), summary, options,
                         jobs=jobs)
            no_tickets(shown, summary)
            results.finish(summary)
            if html:
                write_html(html, summary, as_of_text(now), tickets=path, events=None,
                           policy=policy, now=now)
    except UnicodeDecodeError as error:
        raise ExportError(f"{shown}:{_undecodable(path)}: not UTF-8 text (byte "
                          f"0x{error.object[error.start]:02x}); save the export as UTF-8"
                          ) from None
    except _LineError as error:
        raise ExportError(f"{shown}:{error}") from None
    return 1 if summary.failed else 0


def _run(header: tuple[tuple[str, ...] | None, str], blocks: Iterator[Block], sink: Sink,
         summary: Summary, options: tuple[str, str | None, datetime | None, bool], *,
         jobs: int) -> None:
    """Evaluate (in ``jobs`` processes) and write every block, in input order."""
    output_format, policy, now, html = options
    names, delimiter = header
    if names == ():  # an empty file: no block either
        return
    work = ((block, names, delimiter, output_format, policy, now, html) for block in blocks)
    evaluate_all(_evaluate_chunk, work, jobs, partial(collect, summary=summary, sink=sink))


def _undecodable(path: Path) -> int:
    """The number of the first line of ``path`` that is not UTF-8."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


_DEMO_CALENDARS: dict[str, dict[str, Any]] = {
    "Vircom, Mon-Fri 07:30-18:00 America/Toronto, Quebec holidays": {
        "timezone": "America/Toronto", "hours": {"mon-fri": "07:30-18:00"},
        "holidays": {"country": "CA", "subdiv": "QC"}},
    "Valimail Enhanced, Mon-Fri 06:00-18:00 America/Los_Angeles, US holidays": {
        "timezone": "America/Los_Angeles", "hours": {"mon-fri": "06:00-18:00"},
        "holidays": {"country": "US"}},
}
_DEMO_OPENED = (
    ("Fri 17:30, half an hour before closing", datetime(2026, 11, 20, 17, 30)),
    ("Sat 10:00, weekend", datetime(2026, 11, 21, 10, 0)),
    ("Wed 16:00, the day before a holiday", datetime(2026, 12, 23, 16, 0)),
    ("Fri 17:00 before the spring DST change", datetime(2026, 3, 6, 17, 0)),
)


def demo() -> int:
    """Print business-time deadlines for a few telling instants on two vendor calendars."""
    buffer = io.StringIO()
    targets = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24))
    for title, mapping in _DEMO_CALENDARS.items():
        calendar = BusinessCalendar.from_dict(mapping)
        zone = ZoneInfo(mapping["timezone"])
        buffer.write(f"{title}\n  {'opened':<42}" + "  ".join(
            f"+{int(t.total_seconds() // 3600)} business h".ljust(25) for t in targets) + "\n")
        for label, wall in _DEMO_OPENED:
            opened = wall.replace(tzinfo=zone)
            cells = "  ".join(calendar.add(opened, t).strftime("%a %Y-%m-%d %H:%M %Z").ljust(25)
                              for t in targets)
            buffer.write(f"  {label:<42}{cells.rstrip()}\n")
        buffer.write("\n")
    sys.stdout.write(buffer.getvalue())
    return 0
