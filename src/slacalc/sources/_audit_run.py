"""What ``slacalc audit`` runs: a converted export audited, the rows written as CSV, the
summary printed (costly verdicts first), every row error on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ..batch._escape import csv_text, formula_safe, printable
from ..batch._header import ReportUsageError, check_outputs, check_policy
from ..batch._output import write_whole
from ._tables import Converted
from .audit import AUDIT_COLUMNS, AuditReport, audit_report
from .mapping import DeskMapping, load_mapping

__all__ = ["audit_folder", "audit_text", "run_audit"]

_SHOWN = 50  # disagreements listed on the terminal (the CSV holds them all)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.6f}"
    return str(value)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    shown = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in shown) for i in range(len(shown[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in shown]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def audit_text(report: AuditReport, *, listed: bool = True) -> str:
    """The audit for people: a heading, the costly verdicts (desk met, contract
    breached), the other disagreements with their reason (when ``listed``; at most 50),
    then agreement per metric and priority. Text from the export is shown escaped.

    Example: one costly verdict -> ``Desk says met, contract says breached (1):`` and a
    row ``C1  response  P2  2026-11-16T13:00:00-05:00  2026-11-16T10:00:00-05:00
    priority_change``.
    """
    rows = report.rows
    compared = [row for row in rows if row["finding"] != "error"]
    agree = sum(row["finding"] == "agrees" for row in compared)
    costly = report.costly()
    lines = [f"Audit as of {report.now.isoformat()}: {len(compared)} desk verdicts "
             f"compared, {agree} agree, {len(compared) - agree} disagree ({len(costly)} "
             f"desk met, contract breached), {len(report.errors)} not compared", ""]
    lines.append(f"Desk says met, contract says breached ({len(costly)}):")
    if costly:
        lines += _table([["ticket_id", "policy", "metric", "priority", "desk_due",
                          "contract_due", "reason"]] + [
            [row["ticket_id"], row["policy"], row["metric"], row["priority"],
             row["desk_due"], row["contract_due"], row["reason"]] for row in costly])
    others = [row for row in rows if row["finding"] == "disagrees"]
    if listed:
        lines += ["", f"Other disagreements ({len(others)}):"]
        if others:
            lines += _table([["ticket_id", "metric", "difference", "reason", "detail"]] + [
                [row["ticket_id"], row["metric"], row["difference"], row["reason"],
                 row["detail"]] for row in others[:_SHOWN]])
            if len(others) > _SHOWN:
                lines.append(f"... and {len(others) - _SHOWN} more (write them with -o)")
    lines += ["", "Agreement by metric and priority:"]
    summary = report.summary()
    if summary:
        lines += _table([["metric", "priority", "verdicts", "agree", "disagree", "costly",
                          "agreement"]] + [
            [item["metric"], item["priority"], str(item["verdicts"]), str(item["agree"]),
             str(item["disagree"]), str(item["costly"]), f"{item['agreement']:.1%}"]
            for item in summary])
    return "\n".join(lines) + "\n"


def _say(line: str, err: IO[str]) -> None:
    print(printable(line, lines=False), file=err)


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
    files = converted.files
    labels = None
    if len(converted.ticket_lines) == len(converted.tickets) and len(
            converted.event_lines) == len(converted.events):
        labels = ([f"{files[0]}:{line}" for line in converted.ticket_lines],
                  [f"{files[1]}:{line}" for line in converted.event_lines])
    report = audit_report(converted.tickets, converted.events, converted.verdicts, now,
                          policy, labels=labels, desk_paused=converted.desk_paused)
    if output is not None:
        escape = (lambda cell: cell) if raw_csv else formula_safe
        write_whole(output, csv_text([AUDIT_COLUMNS, *(
            [escape(_cell(row[name])) if isinstance(row[name], str) else _cell(row[name])
             for name in AUDIT_COLUMNS] for row in report.rows)]), "-o")
    out.write(audit_text(report, listed=output is None))
    for error in converted.errors:
        _say(f"slacalc audit: {error.reason}", err)
    for failure in report.errors:
        _say(f"slacalc audit: {failure}", err)
    return 1 if converted.errors or report.errors else 0


def audit_folder(read: Callable[[Path, DeskMapping | None], Converted], folder: str, *,
                 mapping: str | None, now: datetime, output: str | None = None,
                 policy: str | None = None, raw_csv: bool = False) -> int:
    """``slacalc audit --from DESK FOLDER``: the export folder read by the desk's reader
    (`slacalc.sources.ADAPTERS`) with the mapping file (None: the desk's default), then
    `run_audit`; the exit status.

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
    converted = read(path, load_mapping(mapping) if mapping else None)
    return run_audit(converted, now=now, output=output, policy=policy, raw_csv=raw_csv)
