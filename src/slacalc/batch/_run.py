"""What the command line runs: the batch report (streamed, optionally in processes) and
the demo. Kept apart from argument parsing so each stays small."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from ..engine.calendar import BusinessCalendar
from ._csv import evaluate_rows
from ._jsonl import evaluate_lines
from ._rows import RESULT_COLUMNS, ExportError, PolicyBook
from .summary import Summary

__all__ = ["demo", "run_report"]

_CHUNK = 10_000
_BOOK: PolicyBook | None = None

Block = tuple[int, list[str]] | list[tuple[int, list[str]]]
"""A chunk of the input: raw lines with the number of the first (JSONL, or CSV lines that
hold no quote, so each line is one record), or CSV records already split, numbered."""
Work = tuple[Block, tuple[str, ...] | None, str, str | None, datetime | None]
"""A block, the CSV header (None for JSONL), the output format, --policy, --now. Workers
get plain lists of text and send back formatted text: little to pickle, and the parsing
happens in the workers."""
Done = tuple[str, list[tuple[int, str, str]], Summary]


def _evaluate_chunk(work: Work) -> Done:
    """Evaluate one chunk of numbered input rows (in a worker process, or in this one)."""
    global _BOOK  # noqa: PLW0603  (one policy cache per process)
    if _BOOK is None:
        _BOOK = PolicyBook()
    block, header, output_format, policy, now = work
    summary = Summary()
    if header is None:
        assert isinstance(block, tuple)
        first, lines = block
        columns, errors, tickets = evaluate_lines(_BOOK, list(enumerate(lines, start=first)),
                                                  policy=policy, now=now)
    else:
        if isinstance(block, tuple):
            first, lines = block
            reader = csv.reader(lines)
            try:
                block = [(first + reader.line_num - 1, row) for row in reader]
            except csv.Error as error:
                raise ExportError(f"{first + reader.line_num - 1}: malformed CSV ({error})"
                                  ) from None
        columns, errors, tickets = evaluate_rows(_BOOK, header, block, policy=policy,
                                                 now=now)
    summary.add(columns, tickets)
    summary.failed = len(errors)
    return (_format(columns, output_format),
            [(error.line, error.ticket_id, error.reason) for error in errors], summary)


_CSV_FIELDS = len(RESULT_COLUMNS) - 1  # commas in a result line


def _format(columns: list[list[str]], output_format: str) -> str:
    """Result columns as text lines: CSV (no header), JSON, or an aligned table.

    Boundary rule: CSV quoting is exactly ``csv.writer``'s; lines are joined directly
    when no field holds a comma, quote or line break (the usual case), which gives the
    same text. Example: columns ``[["T1"], ["vircom"], ...]`` -> ``"T1,vircom,...\\n"``.
    """
    if not columns or not columns[0]:
        return ""
    rows = zip(*columns, strict=True)
    if output_format == "jsonl":
        return "".join(json.dumps(dict(zip(RESULT_COLUMNS, row, strict=True))) + "\n"
                       for row in rows)
    if output_format == "table":
        return "".join(_table_line(dict(zip(RESULT_COLUMNS, row, strict=True)))
                       for row in rows)
    count = len(columns[0])
    text = "\n".join(map(",".join, rows)) + "\n"
    if text.count(",") == _CSV_FIELDS * count and text.count("\n") == count \
            and '"' not in text and "\r" not in text:
        return text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(zip(*columns, strict=True))
    return buffer.getvalue()


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

    def take(self, count: int) -> list[str]:
        """Up to ``count`` more lines."""
        lines = list(islice(self.handle, count))
        self.read += sum(map(len, lines))
        self.number += len(lines)
        return lines


def progress_bar(read: int, size: int, rows: int, width: int = 30) -> str:
    """One progress line: ``[#########.....]  30%  120,000 rows``.

    Boundary rule: the share is of characters read (so a file of long rows fills the bar as
    evenly as one of short rows), capped at 100%. Example: ``progress_bar(50, 100, 7, 10)``
    -> ``"[#####.....]  50%  7 rows"``.
    """
    share = min(read / size, 1.0) if size else 1.0
    filled = int(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%}  {rows:,} rows"


def _header(is_json: bool, lines: _Lines) -> tuple[str, ...] | None:
    """The CSV header record (``()`` for an empty file; None for JSONL)."""
    if is_json:
        return None
    try:
        return tuple(next(csv.reader(lines), ()))
    except csv.Error as error:
        raise ExportError(f"1: malformed CSV header ({error})") from None


def _blocks(lines: _Lines, is_json: bool) -> Iterator[Block]:
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
        reader = csv.reader(chain(block, lines))
        records = []
        while reader.line_num < len(block):
            try:
                row = next(reader)
            except csv.Error as error:
                raise ExportError(f"{first + reader.line_num - 1}: malformed CSV ({error})"
                                  ) from None
            records.append((first - 1 + reader.line_num, row))  # a record's last line
        yield records


_HEADS = {"csv": ",".join(RESULT_COLUMNS) + "\n", "jsonl": ""}


_TABLE = (("ticket_id", 10), ("policy", 11), ("tier", 13), ("priority", 8), ("metric", 10),
          ("status", 9), ("due", 25), ("elapsed", 9), ("remaining", 9))
_HEADS["table"] = "  ".join(name.ljust(width) for name, width in _TABLE).rstrip() + "\n" + \
    "  ".join("-" * width for _, width in _TABLE) + "\n"


def _hours(seconds: str) -> str:
    if not seconds:
        return ""
    minutes = round(float(seconds) / 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def _table_line(row: dict[str, str]) -> str:
    shown = dict(row, elapsed=_hours(row["elapsed_seconds"]),
                 remaining=_hours(row["remaining_seconds"]), due=row["due"][:25])
    return "  ".join(shown[name].ljust(width) for name, width in _TABLE).rstrip() + "\n"


def _summary_text(summary: Summary) -> str:
    lines = ["", f"Summary: {summary.tickets:,} tickets evaluated, {summary.failed:,} rows "
                 f"failed", "",
             f"{'policy':<12}{'tier':<14}{'priority':<9}{'metric':<11}{'tickets':>8}"
             f"{'met':>7}{'breached':>9}{'open':>7}{'other':>7}{'breach rate':>13}"]
    for (policy, tier, priority, metric), counts in sorted(summary.groups.items()):
        total = sum(counts.values())
        met, breached = counts.get("met", 0), counts.get("breached", 0)
        running = counts.get("running", 0) + counts.get("paused", 0)
        other = total - met - breached - running
        rate = f"{breached / (met + breached):.1%}" if met + breached else "-"
        lines.append(f"{policy:<12}{tier:<14}{priority:<9}{metric:<11}{total:>8}{met:>7}"
                     f"{breached:>9}{running:>7}{other:>7}{rate:>13}")
    worst = summary.worst_overruns()
    if worst:
        lines += ["", "Worst overruns:"]
        for seconds, ticket, policy, metric, due in worst:
            lines.append(f"  {ticket or '(no id)':<10} {policy:<12} {metric:<11} due {due}, "
                         f"{_hours(str(seconds))} late")
    return "\n".join(lines) + "\n"


def run_report(path: Path, *, policy: str | None, now: datetime | None, output_format: str,
               output: str | None, errors: str | None, jobs: int) -> int:
    """Evaluate every ticket of an export; the exit status is 1 if any row failed.

    `ExportError` (naming ``path`` and the line) when the file cannot be read at all: not
    UTF-8 (a byte-order mark is fine), or a CSV field over the csv module's size limit.
    """
    summary = Summary()
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    bad = open(errors, "w", encoding="utf-8", newline="") if errors else None  # noqa: SIM115
    bad_csv = csv.writer(bad, lineterminator="\n") if bad else None
    if bad_csv:
        bad_csv.writerow(["line", "ticket_id", "error"])
    try:
        with path.open(encoding="utf-8-sig", newline="") as raw:  # -sig: Excel's BOM
            lines = _Lines(raw)
            _stream(lines, _Sink(path, out, bad_csv, sys.stderr.isatty(), path.stat().st_size,
                                 lines), summary, (output_format, policy, now), jobs)
        summary_text = _summary_text(summary)
        if output_format == "table":
            out.write(summary_text)
        else:
            (sys.stdout if output is not None else sys.stderr).write(summary_text)
    except UnicodeDecodeError as error:
        raise ExportError(f"{path}:{_undecodable(path)}: not UTF-8 text (byte "
                          f"0x{error.object[error.start]:02x}); save the export as UTF-8"
                          ) from None
    except ExportError as error:
        raise ExportError(f"{path}:{error}") from None
    finally:
        if output:
            out.close()
        if bad:
            bad.close()
    return 1 if summary.failed else 0


def _stream(lines: _Lines, sink: _Sink, summary: Summary,
            options: tuple[str, str | None, datetime | None], jobs: int) -> None:
    """Read, evaluate (in ``jobs`` processes) and write every block, in input order."""
    output_format, policy, now = options
    is_json = sink.path.suffix.lower() in {".jsonl", ".ndjson", ".json"}
    header = _header(is_json, lines)
    work = ((block, header, output_format, policy, now) for block in _blocks(lines, is_json))
    sink.out.write(_HEADS[output_format])
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            _collect(_in_order(pool, work, 2 * jobs), summary, sink)
    else:
        _collect(map(_evaluate_chunk, work), summary, sink)


def _undecodable(path: Path) -> int:
    """The number of the first line of ``path`` that is not UTF-8."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _in_order(pool: ProcessPoolExecutor, work: Iterator[Work], window: int) -> Iterator[Done]:
    """Results in input order, with at most ``window`` chunks in flight: the input is read
    only as fast as it is evaluated, so memory stays flat (``Executor.map`` would read it
    all first)."""
    pending: deque[Future[Done]] = deque()
    for item in work:
        pending.append(pool.submit(_evaluate_chunk, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass(frozen=True, slots=True)
class _Sink:
    """Where results, row errors and progress go."""

    path: Path
    out: IO[str]
    bad_csv: Any
    progress: bool
    size: int
    counted: _Lines


def _collect(done: Iterator[Done], summary: Summary, sink: _Sink) -> None:
    for text, row_errors, part in done:
        sink.out.write(text)
        summary.merge(part)
        for line, ticket_id, reason in row_errors:
            shown = f" ({ticket_id})" if ticket_id else ""
            print(f"{sink.path}:{line}{shown}: {reason}", file=sys.stderr)
            if sink.bad_csv:
                sink.bad_csv.writerow([line, ticket_id, reason])
        if sink.progress:
            rows = summary.tickets + summary.failed
            sys.stderr.write("\rslacalc " + progress_bar(sink.counted.read, sink.size, rows))
            sys.stderr.flush()
    if sink.progress:
        sys.stderr.write("\n")


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
