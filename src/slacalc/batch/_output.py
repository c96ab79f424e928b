"""What a report writes: result lines (CSV, JSONL or an aligned table), the summary, the
row errors, and progress; and the ordered collection of worker results. Shared by the
export report (`slacalc.batch._run`) and the event-log report (`slacalc.batch._logrun`).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from ._parquet import ParquetOut
from ._results import RESULT_COLUMNS
from ._rows import ExportError
from .summary import Summary

__all__ = ["HEADS", "Done", "Sink", "collect", "format_columns", "in_order", "outputs",
           "progress_bar", "summary_text"]

Done = tuple[str, list[tuple[int, str, str]], Summary]
"""A chunk's formatted results, its row errors ``(line, ticket_id, reason)`` and summary."""
_Work = TypeVar("_Work")


_CSV_FIELDS = len(RESULT_COLUMNS) - 1  # commas in a result line


def format_columns(columns: list[list[str]], output_format: str) -> str:
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


HEADS = {"csv": ",".join(RESULT_COLUMNS) + "\n", "jsonl": "", "parquet": ""}


_TABLE = (("ticket_id", 10), ("policy", 11), ("tier", 13), ("priority", 8), ("metric", 10),
          ("status", 9), ("due", 25), ("elapsed", 9), ("remaining", 9))
HEADS["table"] = "  ".join(name.ljust(width) for name, width in _TABLE).rstrip() + "\n" + \
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


def summary_text(summary: Summary) -> str:
    """The summary a report prints after its results: counts per group, worst overruns."""
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


def in_order(pool: ProcessPoolExecutor, function: Callable[[_Work], Done],
             work: Iterator[_Work], window: int) -> Iterator[Done]:
    """Results in input order, with at most ``window`` chunks in flight: the input is read
    only as fast as it is evaluated, so memory stays flat (``Executor.map`` would read it
    all first)."""
    pending: deque[Future[Done]] = deque()
    for item in work:
        pending.append(pool.submit(function, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


@dataclass(frozen=True, slots=True)
class Sink:
    """Where results, row errors and progress go."""

    path: Path
    out: IO[str]
    bad_csv: Any
    progress: bool
    size: int
    counted: Callable[[], int]  # characters read so far
    report: Callable[[str], None] = _to_stderr  # where a row error's line goes


def _where(path: Path, line: int, ticket_id: str, reason: str) -> str:
    """A row error as one line: ``file:line (ticket): reason``; a reason that names its
    own file and line (an events table's) keeps it."""
    shown = f" ({ticket_id})" if ticket_id else ""
    head, separator, rest = reason.partition(": ")
    if separator and head.endswith(f":{line}") and " " not in head:
        return f"{head}{shown}: {rest}"
    return f"{path}:{line}{shown}: {reason}"


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


class _Results:
    """The results handle of a report that may start again (`discard`): a file, or, for
    standard output, a temporary file copied there when the report is done. ``errors``
    (the row-errors file) starts again with it."""

    def __init__(self, output: str | None, output_format: str, errors: IO[str] | None,
                 bad_csv: Any) -> None:
        self._parquet = output_format == "parquet"
        self._output = output
        self._errors, self._bad_csv = errors, bad_csv
        self._out: Any = (ParquetOut(output) if self._parquet and output else
                          open(output, "w", encoding="utf-8", newline="") if output  # noqa: SIM115
                          else tempfile.TemporaryFile("w+", encoding="utf-8", newline=""))  # noqa: SIM115

    def write(self, text: str) -> int:
        return int(self._out.write(text))

    def discard(self) -> None:
        """Forget everything written so far (results and row errors)."""
        if self._parquet:
            self._out.close()
            self._out = ParquetOut(str(self._output))
        else:
            self._out.seek(0)
            self._out.truncate()
        if self._errors is not None:
            self._errors.seek(0)
            self._errors.truncate()
            self._bad_csv.writerow(["line", "ticket_id", "error"])

    def close(self) -> None:
        if self._output is None:
            self._out.seek(0)
            shutil.copyfileobj(self._out, sys.stdout)
        self._out.close()


@contextmanager
def outputs(output: str | None, errors: str | None, output_format: str = "csv", *,
            buffered: bool = False) -> Iterator[tuple[Any, Any]]:
    """The results handle (``output``, else standard output; a `ParquetOut` for the
    ``parquet`` format, which needs ``output``) and a CSV writer for row errors
    (``errors``, with its header written; None without it), closed on leaving.
    ``buffered``: the results handle can `discard` what it holds (standard output is
    then written only when leaving)."""
    if output_format == "parquet" and not output:
        raise ExportError("--format parquet writes a file: give -o results.parquet")
    bad = open(errors, "w+" if buffered else "w", encoding="utf-8", newline="") if errors \
        else None  # noqa: SIM115
    bad_csv = csv.writer(bad, lineterminator="\n") if bad else None
    if bad_csv:
        bad_csv.writerow(["line", "ticket_id", "error"])
    out: Any
    if buffered:
        out = _Results(output, output_format, bad, bad_csv)
    elif output_format == "parquet":
        out = ParquetOut(str(output))
    else:
        out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    try:
        yield out, bad_csv
    finally:
        if output or buffered:
            out.close()
        if bad:
            bad.close()
