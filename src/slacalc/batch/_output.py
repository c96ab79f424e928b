"""What a report writes: result lines (CSV, JSONL, Parquet, or the table of
`slacalc.batch._display`), the summary, the row errors, and progress; and the ordered
collection of worker results. Shared by the export report (`slacalc.batch._run`) and
the event-log report (`slacalc.batch._logrun`).

Every file is written whole or not at all: into a temporary file beside it, renamed
into place when the report is done (`Results.finish`); an error or Ctrl-C leaves the
file as it was. A path that is not a regular file (a device, a FIFO) is written directly.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ._atrisk import at_risk_text
from ._display import policy_names, summary_text, write_table
from ._escape import CsvRows, csv_text, formula_safe_columns, printable
from ._header import ReportUsageError
from ._measures import Measured, measures_of_text
from ._parquet import ParquetOut
from ._results import RESULT_COLUMNS
from ._rows import ExportError, PolicyBook, RowError
from ._stats import Stats, openings
from ._whole import WholeFile
from ._writer import Coded
from .summary import Summary

__all__ = ["HEADS", "RAW_CSV", "Done", "Results", "Sink", "chunk_done", "collect",
           "format_columns", "no_tickets", "outputs", "progress_bar", "summary_text"]

Done = tuple[str, list[tuple[int, str, str]], Summary]
"""A chunk's formatted results, its row errors ``(line, ticket_id, reason)`` and summary."""
_Any = TypeVar("_Any")


_CSV_FIELDS = len(RESULT_COLUMNS) - 1  # commas in a result line
_NUMBERS = frozenset(name for name in RESULT_COLUMNS if name.endswith("_seconds"))
_TEXT_AT = tuple(index for index, name in enumerate(RESULT_COLUMNS)
                 if name not in _NUMBERS and name not in {"due", "stopped_at",
                                                           "next_escalation_at", "metric",
                                                           "status", "at_risk"})
"""The result columns that hold text from the input or a policy (numbers and instants
never start like a formula: the seconds are never negative, an instant starts with its
year; nor do slacalc's own words: the metric, the status, an escalation share)."""
RAW_CSV = "csv-raw"
"""The output format of ``--format csv --raw-csv``: CSV with no cell escaped."""


def _json_value(name: str, text: str) -> str | int | float | None:
    if not text:
        return None
    if name in _NUMBERS:
        return float(text) if "." in text else int(text)
    return text


def format_columns(columns: list[list[str]], output_format: str,
                   coded: Coded | None = None) -> str:
    """Result columns as text lines: CSV (no header; also what the table and Parquet are
    made from) or JSON.

    Boundary rule: CSV quoting is exactly ``csv.writer``'s (and a cell holding a
    carriage return is quoted, `csv_text`); lines are joined directly
    when no field holds a comma, quote or line break (the usual case), which gives the
    same text; with the codes they were written from (``coded``, for these very
    columns) the lines are joined from those (`csv_lines`, the same text again). JSON
    has numbers for the ``*_seconds`` columns and null for every empty cell, as
    `SLAReport.to_dict` has. Example: columns
    ``[["T1"], ["vircom"], ...]`` -> ``"T1,vircom,...\\n"``.
    """
    if not columns or not columns[0]:
        return ""
    if output_format == "csv" and coded is not None:
        lines = coded.lines_of(columns)  # joined from codes (`csv_lines`)
        if lines is not None:
            return lines
    rows = zip(*columns, strict=True)
    if output_format == "jsonl":
        return "".join(json.dumps({name: _json_value(name, text) for name, text
                                   in zip(RESULT_COLUMNS, row, strict=True)}) + "\n"
                       for row in rows)
    count, width = len(columns[0]), 2 * len(columns)
    cells = [","] * (count * width)  # each cell, then "," or (the last) a line feed
    for index, column in enumerate(columns):
        cells[2 * index::width] = column
    cells[width - 1::width] = ["\n"] * count
    text = "".join(cells)
    if text.count(",") == _CSV_FIELDS * count and text.count("\n") == count \
            and '"' not in text and "\r" not in text:
        return text
    return csv_text(zip(*columns, strict=True))


_HEADER = ",".join(RESULT_COLUMNS) + "\n"
HEADS = {"csv": _HEADER, RAW_CSV: _HEADER, "jsonl": "", "parquet": "", "table": ""}


def chunk_done(book: PolicyBook, columns: list[list[str]], errors: list[RowError],
               tickets: int, output_format: str, *,
               opened: Sequence[str] | None = None, html: bool = False) -> Done:
    """What a worker sends back for a chunk: its text in ``output_format`` (the table's
    rows as CSV, policies by name), its row errors and its summary (policies by name).
    For ``csv`` each text cell is `formula_safe` (not for `RAW_CSV`). ``opened`` is each
    result row's ticket opening as written (for real times and months in the summary).
    ``html``: the summary keeps what only the HTML report shows (`Stats.html`)."""
    measures = columns.measures if isinstance(columns, Measured) else \
        measures_of_text(columns, *openings(book, columns, opened))
    coded = columns.coded if isinstance(columns, Measured) else None
    names = policy_names(book, [group[0] for group in measures.groups.values()])
    named = columns
    if any(name != given for given, name in names.items()):  # policies given as paths
        named = [columns[0], [names[given] for given in columns[1]], *columns[2:]]
        measures = measures.named(names)
    summary = Summary(stats=Stats(html=html))
    summary.add(named, tickets, measures=measures)
    if output_format == "csv" and not (coded is not None and coded.safe_for(columns)):
        columns = formula_safe_columns(columns, _TEXT_AT)
    summary.failed = len(errors)
    shown = "csv" if output_format in {"parquet", "table", RAW_CSV} else output_format
    return (format_columns(named if output_format == "table" else columns, shown, coded),
            [(error.line, error.ticket_id, error.reason) for error in errors], summary)


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


@dataclass(frozen=True, slots=True)
class Sink:
    """Where results, row errors and progress go."""

    path: Path | str  # the input as row errors name it
    out: Any  # `Results`
    bad_csv: Any
    progress: bool
    size: int
    counted: Callable[[], int]  # characters read so far
    report: Callable[[str], None] = _to_stderr  # where a row error's line goes


def _where(path: Path | str, line: int, ticket_id: str, reason: str) -> str:
    """A row error as one line: ``slacalc report: file:line (ticket): reason``; a reason
    that names its own file and line (an events table's) keeps it. Control characters
    are shown escaped (`printable`): the line goes to a terminal."""
    shown = f" ({ticket_id})" if ticket_id else ""
    head, separator, rest = reason.partition(": ")
    if separator and head.endswith(f":{line}") and " " not in head:
        return printable(f"slacalc report: {head}{shown}: {rest}")
    return printable(f"slacalc report: {path}:{line}{shown}: {reason}")


def collect(done: Iterator[Done], summary: Summary, sink: Sink) -> None:
    """Write each chunk's results and row errors, in order, and fold its summary in."""
    for text, row_errors, part in done:
        sink.out.write(text)
        summary.merge(part)
        for line, ticket_id, reason in row_errors:
            sink.report(_where(sink.path, line, ticket_id, reason))
            if sink.bad_csv:
                sink.bad_csv.writerow([line, ticket_id, reason])
        if sink.progress:
            rows = summary.tickets + summary.failed
            sys.stderr.write("\rslacalc " + progress_bar(sink.counted(), sink.size, rows))
            sys.stderr.flush()
    if sink.progress:
        sys.stderr.write("\n")


def progress_bar(read: int, size: int, rows: int, width: int = 30) -> str:
    """One progress line: ``[#########.....]  30%  120,000 rows``.

    Boundary rule: the share is of characters read (so a file of long rows fills the bar as
    evenly as one of short rows), capped at 100%. Example: ``progress_bar(50, 100, 7, 10)``
    -> ``"[#####.....]  50%  7 rows"``.
    """
    share = min(read / size, 1.0) if size else 1.0
    filled = int(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%}  {rows:,} rows"


class Results:
    """A report's outputs: results (``output``, else standard output), row errors
    (``errors``, a CSV with its header written; `bad_csv` is None without it), and, once
    the report is done, the summary (`finish`). Nothing reaches ``output`` or ``errors``
    before `finish`; standard output is written as results come for CSV and JSONL unless
    ``buffered`` (then at `finish`, so a report that starts again shows nothing twice),
    and at `finish` for the table (sized to its content). The errors CSV has its text
    cells `formula_safe` unless ``raw_csv`` (the results' are escaped in `chunk_done`).
    With ``at_risk`` every format is kept until `finish`, then cut to the rows at risk,
    the soonest breach first (`slacalc.batch._atrisk`)."""

    def __init__(self, output: str | None, output_format: str, errors: str | None, *,
                 buffered: bool, as_of: str, raw_csv: bool = False,
                 at_risk: bool = False) -> None:
        if output_format == "parquet" and not output:
            raise ReportUsageError("--format parquet writes a file: give -o results.parquet")
        self.format, self.as_of, self.at_risk = output_format, as_of, at_risk
        self._head = "" if at_risk else HEADS[output_format]
        self._targets: list[WholeFile] = []
        self._handles: list[Any] = []
        self.bad_csv = None
        try:
            self._output = self._target(output, "-o") if output else None
            self._bad = self._target(errors, "--errors") if errors else None
            if self._bad is not None:
                handle = self._keep(self._bad.open())
                self.bad_csv = CsvRows(handle, escape=not raw_csv)
                self.bad_csv.writerow(["line", "ticket_id", "error"])
            self._body: Any
            if at_risk:
                self._body = self._keep(tempfile.TemporaryFile(  # noqa: SIM115
                    "w+", encoding="utf-8", newline=""))
            elif output_format == "parquet":
                assert self._output is not None
                self._body = self._keep(ParquetOut(str(self._output.temp)))
            elif output_format == "table" or (buffered and self._output is None):
                self._body = self._keep(tempfile.TemporaryFile(  # noqa: SIM115
                    "w+", encoding="utf-8", newline=""))
            elif self._output is not None:
                self._body = self._keep(self._output.open())
            else:
                self._body = sys.stdout
        except BaseException:
            self.abandon()
            raise

    def _target(self, path: str, option: str) -> WholeFile:
        target = WholeFile(path, option)
        self._targets.append(target)
        return target

    def _keep(self, handle: _Any) -> _Any:
        self._handles.append(handle)
        return handle

    def write(self, text: str) -> int:
        if self._head:  # written with the first results, so a report that stops at
            self._body.write(self._head)  # once leaves standard output empty
            self._head = ""
        return int(self._body.write(text))

    def _close(self) -> None:
        """Close every handle (all of them, even when one fails: its error is raised)."""
        handles, self._handles = self._handles, []
        failed: OSError | None = None
        for handle in handles:
            try:
                handle.close()
            except OSError as error:  # a full disk shows when the last bytes are flushed
                failed = failed or error
        if failed is not None:
            raise failed

    def finish(self, summary: Summary) -> None:
        """Write the table (if that is the format) and the summary, and put every file in
        place. For CSV, JSONL and Parquet the summary goes to standard output when the
        results went to a file, else to standard error."""
        text = summary_text(summary, self.as_of)
        self.write("")
        if self.at_risk:
            self._cut_to_at_risk()
        if self.format == "table":
            self._body.seek(0)
            out = self._keep(self._output.open()) if self._output is not None else sys.stdout
            write_table(self._body, out, self.as_of)
            out.write(text)
        elif self._body is not sys.stdout and self._output is None:
            self._body.seek(0)
            shutil.copyfileobj(self._body, sys.stdout)
        self._close()
        for target in self._targets:
            target.commit()
        self._targets = []
        if self.format != "table":
            (sys.stdout if self._output is not None else sys.stderr).write(text)

    def _cut_to_at_risk(self) -> None:
        """``--at-risk``: the results kept so far cut to the rows at risk, the soonest
        breach first (`at_risk_text`), put where `finish` then writes them from."""
        self._body.seek(0)
        kept = at_risk_text(self._body.read(), self.format)
        head = HEADS[self.format]
        if self.format == "parquet":
            assert self._output is not None
            writer = ParquetOut(str(self._output.temp))
            writer.write(kept)
            writer.close()
        elif self.format != "table" and self._output is not None:
            self._keep(self._output.open()).write(head + kept)
        else:
            self._body.seek(0)
            self._body.truncate()
            self._body.write(head + kept)

    def abandon(self) -> None:
        """Leave every file as it was (the report stopped, or starts again)."""
        try:
            self._close()
        finally:
            for target in self._targets:
                target.abandon()
            self._targets = []



@contextmanager
def outputs(output: str | None, errors: str | None, output_format: str = "csv", *,
            buffered: bool = False, as_of: str = "", raw_csv: bool = False,
            at_risk: bool = False) -> Iterator[Results]:
    """`Results`, abandoned when the block is left without `Results.finish` (an error,
    Ctrl-C, or a report that starts again): no half-written file is left."""
    results = Results(output, output_format, errors, buffered=buffered, as_of=as_of,
                      raw_csv=raw_csv, at_risk=at_risk)
    try:
        yield results
    finally:
        results.abandon()


def no_tickets(path: Path | str, summary: Summary) -> None:
    """`ExportError` for an input that holds no ticket row at all (empty, or a header)."""
    if summary.tickets == 0 and summary.failed == 0:
        raise ExportError(f"{path}: no tickets (the file is empty or has only a header)")
