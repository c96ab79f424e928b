"""What ``slacalc audit`` runs: a converted export audited, the rows written as CSV, the
summary printed (costly verdicts first), every row error on stderr."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, overload

from ..batch._escape import FORMULA_STARTS, csv_text, formula_safe, printable
from ..batch._header import ReportUsageError, check_outputs, check_policy
from ..batch._whole import WholeFile, write_whole
from ._audit_rows import Agreeing, cell
from ._convert import BLOCK
from ._report import fewer_collections
from ._tables import Converted, UnorderedError
from .audit import (
    AUDIT_COLUMNS,
    FINDINGS,
    AuditReport,
    audit_parts,
    audit_report,
    count,
    summarised,
)
from .jira import read_jira, stream_jira
from .mapping import DeskMapping, load_mapping
from .servicenow import read_servicenow, stream_servicenow
from .statuslog import read_statuslog, stream_statuslog
from .zendesk import read_zendesk, stream_zendesk

__all__ = ["Tally", "audit_folder", "audit_stream", "audit_text", "run_audit"]

_SHOWN = 50  # disagreements listed on the terminal (the CSV holds them all)
_COSTLY = ("ticket_id", "policy", "metric", "priority", "desk_due", "contract_due", "reason")
_OTHERS = ("ticket_id", "metric", "difference", "reason", "detail")
_PICK = itemgetter(*AUDIT_COLUMNS)
_FORMULA = frozenset(FORMULA_STARTS)  # each one character: a cell's first is looked up
_STREAMS: dict[object, Callable[..., Iterator[Converted]]] = {
    read_jira: stream_jira, read_servicenow: stream_servicenow,
    read_statuslog: stream_statuslog, read_zendesk: stream_zendesk}
"""Each desk's reader (`slacalc.sources.ADAPTERS`) -> its stream (``STREAMS``)."""


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    shown = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in shown) for i in range(len(shown[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in shown]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


class Tally:
    """What the audit's text needs, gathered row by row (a streamed audit keeps only
    this): the counts per metric and priority, every costly row's shown cells, the first
    disagreements' and how many there are, the verdicts not compared."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.counts: dict[tuple[str, str], list[int]] = {}
        self.compared = self.agree = self.others = 0
        self.costly: list[list[str]] = []
        self.shown: list[list[str]] = []
        self.errors: list[str] = []

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        """Count rows (any finding)."""
        for row in rows:
            finding = row["finding"]
            count(self.counts, row)
            if finding == "error":
                continue
            self.compared += 1
            self.agree += finding == "agrees"
            if finding == "costly":
                self.costly.append([row[name] for name in _COSTLY])
            elif finding == "disagrees":
                self.others += 1
                if len(self.shown) < _SHOWN:
                    self.shown.append([row[name] for name in _OTHERS])


    def agreeing(self, rows: Agreeing) -> None:
        """Count the agreeing rows of a batch (as `add` counts each)."""
        self.compared += len(rows)
        self.agree += len(rows)
        rows.tally(self.counts)


def audit_text(report: AuditReport | Tally, *, listed: bool = True) -> str:
    """The audit for people: a heading, the costly verdicts (desk met, contract
    breached), the other disagreements with their reason (when ``listed``; at most 50),
    then agreement per metric and priority. Text from the export is shown escaped.

    Example: one costly verdict -> ``Desk says met, contract says breached (1):`` and a
    row ``C1  response  P2  2026-11-16T13:00:00-05:00  2026-11-16T10:00:00-05:00
    priority_change``.
    """
    if isinstance(report, AuditReport):
        tally = Tally(report.now)
        tally.add(report.rows)
        tally.errors = [str(error) for error in report.errors]
    else:
        tally = report
    costly = tally.costly
    lines = [f"Audit as of {tally.now.isoformat()}: {tally.compared} desk verdicts "
             f"compared, {tally.agree} agree, {tally.compared - tally.agree} disagree "
             f"({len(costly)} desk met, contract breached), {len(tally.errors)} not "
             f"compared", ""]
    lines.append(f"Desk says met, contract says breached ({len(costly)}):")
    if costly:
        lines += _table([list(_COSTLY), *costly])
    if listed:
        lines += ["", f"Other disagreements ({tally.others}):"]
        if tally.others:
            lines += _table([list(_OTHERS), *tally.shown])
            if tally.others > _SHOWN:
                lines.append(f"... and {tally.others - _SHOWN} more (write them with -o)")
    lines += ["", "Agreement by metric and priority:"]
    summary = summarised(tally.counts)
    if summary:
        lines += _table([["metric", "priority", "verdicts", "agree", "disagree", "costly",
                          "agreement"]] + [
            [item["metric"], item["priority"], str(item["verdicts"]), str(item["agree"]),
             str(item["disagree"]), str(item["costly"]), f"{item['agreement']:.1%}"]
            for item in summary])
    return "\n".join(lines) + "\n"


def _say(line: str, err: IO[str]) -> None:
    print(printable(line, lines=False), file=err)


class _Labels(Sequence[str]):
    """Rows' names in messages, the export's ``file:line``, each written when a message
    asks for it (few do: a block's names are not made up front)."""

    __slots__ = ("file", "lines")

    def __init__(self, file: str, lines: Sequence[int]) -> None:
        self.file, self.lines = file, lines

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [f"{self.file}:{line}" for line in self.lines[index]]
        return f"{self.file}:{self.lines[index]}"


def _labels(block: Converted) -> tuple[Sequence[str], Sequence[str]] | None:
    """The rows' names in messages, the export's ``file:line``, when the block has them."""
    files = block.files
    if len(block.ticket_lines) == len(block.tickets) and len(
            block.event_lines) == len(block.events):
        return _Labels(files[0], block.ticket_lines), _Labels(files[1], block.event_lines)
    return None


def _text(value: Any, raw_csv: bool) -> str:
    """A cell that is not plain text (or is text of a subclass of str)."""
    if isinstance(value, str):
        return str(value) if raw_csv else formula_safe(str(value))
    return cell(value)


def _csv(rows: Iterable[dict[str, Any]], raw_csv: bool) -> str:
    """The rows as CSV lines: text cells `formula_safe` unless ``raw_csv``, other values
    by `cell` (each row's cells picked at C speed, plain text handled inline)."""
    if raw_csv:
        return csv_text([value if type(value) is str else _text(value, raw_csv)
                         for value in _PICK(row)] for row in rows)
    return csv_text([("'" + value if value[:1] in _FORMULA else value)
                     if type(value) is str else _text(value, raw_csv)
                     for value in _PICK(row)] for row in rows)


def run_audit(converted: Converted, *, now: datetime | str, output: str | None = None,
              policy: str | None = None, raw_csv: bool = False,
              out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """Audit a converted export as of ``now``; the exit status (1 if any record could
    not be converted or any verdict compared, else 0).

    With ``output``, every audit row is written there as CSV (`AUDIT_COLUMNS`, whole or
    not at all; a text cell starting like a formula gets a ``'`` unless ``raw_csv``) and
    the summary goes to ``out``; without, the text of `audit_text` does. Each conversion
    error and each verdict not compared is one line on ``err``: ``slacalc audit:
    task_sla.csv:9 (GHOST): ticket_id 'GHOST' has no ticket row``.

    Boundary rule: the rows are labelled by the export's own ``file:line`` when the
    converted tables carry their lines (``ticket_lines``, ``event_lines``). Example: a
    status-log export whose one verdict agrees -> the summary on ``out``, exit status 0.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    report = audit_report(converted.tickets, converted.events, converted.verdicts, now,
                          policy, labels=_labels(converted),
                          desk_paused=converted.desk_paused)
    if output is not None:
        write_whole(output, csv_text([AUDIT_COLUMNS]) + _csv(report.rows, raw_csv), "-o")
    out.write(audit_text(report, listed=output is None))
    for error in converted.errors:
        _say(f"slacalc audit: {error.reason}", err)
    for failure in report.errors:
        _say(f"slacalc audit: {failure}", err)
    return 1 if converted.errors or report.errors else 0


def _streamed(blocks: Iterator[Converted], now: datetime, *, output: str | None,
              policy: str | None, raw_csv: bool) -> tuple[Tally, list[str]]:
    """Audit block by block: each finding's CSV rows spilled to its own temporary file,
    then the four joined into ``output`` (costly, disagrees, error, agrees; whole or not
    at all); the tally and the conversion's errors are what stays in memory."""
    tally = Tally(now)
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="slacalc-audit-") as spill:
        paths = [Path(spill) / f"{finding}.csv" for finding in FINDINGS]
        handles = [path.open("w", encoding="utf-8", newline="") for path in paths] \
            if output is not None else []
        try:
            for block in blocks:
                parts = audit_parts(block.tickets, block.events, block.verdicts, now,
                                    policy, labels=_labels(block),
                                    desk_paused=block.desk_paused)
                found = (parts.costly, parts.disagrees, parts.error_rows)
                for index, rows in enumerate(found):
                    tally.add(rows)
                    if handles:
                        handles[index].write(_csv(rows, raw_csv))
                tally.agreeing(parts.agrees)
                if handles:
                    handles[3].write(parts.agrees.csv(raw_csv))
                tally.errors += [str(error) for error in parts.errors]
                failed += [error.reason for error in block.errors]
        finally:
            for handle in handles:
                handle.close()
        if output is not None:
            target = WholeFile(output, "-o")
            try:
                with target.open() as whole:
                    whole.write(csv_text([AUDIT_COLUMNS]))
                    for path in paths:
                        with path.open(encoding="utf-8", newline="") as part:
                            shutil.copyfileobj(part, whole)
                target.commit()
            finally:
                target.abandon()
    return tally, failed


def audit_stream(stream: Callable[..., Iterator[Converted]], folder: Path,
                 mapping: DeskMapping | None, *, now: datetime, output: str | None = None,
                 policy: str | None = None, raw_csv: bool = False, block: int = BLOCK,
                 out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """`run_audit` of an export folder converted block by block by ``stream`` (one of
    `slacalc.sources.STREAMS`): each block of ``block`` tickets audited, its rows spilled
    by finding; in memory only the counts per metric and priority, the costly rows'
    cells and the first 50 disagreements (the text's), and the row errors. The exit
    status as `run_audit`; the output the same, byte for byte.

    Boundary rule: as the desk report, the folder is streamed when its files are grouped
    by ticket in the tickets' order; otherwise the audit starts again with them read
    whole (stderr says so; nothing is written twice). Example: ``audit_stream(
    stream_jira, Path("examples/desks/jira"), None, now=...)`` -> 0.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    for ordered in (True, False):
        try:
            with fewer_collections():
                tally, failed = _streamed(stream(folder, mapping, ordered=ordered,
                                                 block=block), now, output=output,
                                          policy=policy, raw_csv=raw_csv)
        except UnorderedError as stop:
            _say(f"slacalc audit: {folder}: {stop.why}: reading them whole (memory grows "
                 f"with them)", err)
            continue
        out.write(audit_text(tally, listed=output is None))
        for line in failed:
            _say(f"slacalc audit: {line}", err)
        for line in tally.errors:
            _say(f"slacalc audit: {line}", err)
        return 1 if failed or tally.errors else 0
    raise AssertionError("unreachable: the second pass reads the files whole")


def audit_folder(read: Callable[[Path, DeskMapping | None], Converted], folder: str, *,
                 mapping: str | None, now: datetime, output: str | None = None,
                 policy: str | None = None, raw_csv: bool = False) -> int:
    """``slacalc audit --from DESK FOLDER``: the export folder streamed block by block
    (`audit_stream`, by the stream of the desk's reader ``read``, one of
    `slacalc.sources.ADAPTERS`; another reader is read whole, then `run_audit`) with the
    mapping file (None: the desk's default); the exit status.

    Boundary rule: checked before anything is read, each a `ReportUsageError` (exit
    status 2): a folder that does not exist or is a file, an ``output`` that cannot be
    written (a folder, a missing folder, a file of the export), an unknown ``policy``; a
    mapping with mistakes raises its located `MappingError`. Example: ``audit_folder(read_zendesk,
    "examples/desks/zendesk", mapping=None, now=...)`` -> 0 when every verdict was
    compared.
    """
    path = Path(folder)
    if not path.exists():
        raise ReportUsageError(f"no such folder: {folder}")
    if not path.is_dir():
        raise ReportUsageError(f"{folder} is a file; name the export's folder")
    check_outputs([item for item in path.iterdir() if item.is_file()], {"-o": output})
    check_policy(policy)
    loaded = load_mapping(mapping) if mapping else None
    stream = _STREAMS.get(read)
    if stream is not None:
        return audit_stream(stream, path, loaded, now=now, output=output, policy=policy,
                            raw_csv=raw_csv)
    converted = read(path, loaded)
    return run_audit(converted, now=now, output=output, policy=policy, raw_csv=raw_csv)
