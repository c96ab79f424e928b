"""What a report shows people: the results table and the summary (docs/cli.md defines
every column). Machines get CSV, JSONL or Parquet (`slacalc.batch._output`).

The table is made when the report is done, from the result rows kept as CSV, so each
column is as wide as its longest cell; policies show their names, not the paths they
were given as (`policy_names`, in the workers).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

from ..errors import SlacalcError
from ._escape import printable
from ._results import RESULT_COLUMNS
from ._rows import PolicyBook
from ._stats import PERCENTILES
from .summary import Summary

__all__ = ["TABLE_COLUMNS", "clock_of", "hours", "plural", "policy_names", "summary_text",
           "table_cells", "write_table"]

TABLE_COLUMNS = ("ticket_id", "policy", "tier", "priority", "metric", "status", "due",
                 "clock", "elapsed", "remaining", "overrun", "at_risk")
"""The table's columns (docs/cli.md says what each means)."""
_AT = {name: index for index, name in enumerate(RESULT_COLUMNS)}
_OPEN = ("running", "paused")
_NO_TARGET = ("no_target", "not_applicable")
_METRIC_ORDER = {"response": 0, "resolution": 1}  # as a ticket meets them


def hours(seconds: str) -> str:
    """A length in seconds (a result cell) as hours and minutes, rounded to the minute.

    Example: ``"15000"`` -> ``"4h10"``; ``""`` -> ``""``.
    """
    if not seconds:
        return ""
    minutes = round(float(seconds) / 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def plural(count: int, noun: str) -> str:
    """``1 ticket``, ``2 tickets``, ``1,024 rows``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def clock_of(target: str, elapsed: str) -> str:
    """What a row's ``elapsed`` and ``remaining`` count: ``business`` (the open hours of
    the target's calendar) or ``real`` (every hour); blank without a timed target.

    Boundary rule: the policy grammar writes every business target with the word
    ``business`` (``1 business hour``, ``next business day by 16:00``) and every real-time
    one without (``4 hours``, ``48-72 hours``). Example: ``("24 hours", "300")`` ->
    ``"real"``.
    """
    if not elapsed:
        return ""
    return "business" if "business" in target else "real"


def table_cells(row: Sequence[str]) -> list[str]:
    """The `TABLE_COLUMNS` cells of a result row (`RESULT_COLUMNS` order).

    Boundary rule: a breached row shows its overrun and no remaining time (none is
    left); control characters in text cells are shown escaped (`printable`: an ANSI
    escape ``\x1b`` cannot reach the terminal). Example: a breached response, 1 hour
    target, 14h03 used, 13h03 late -> ``[..., "breached", due, "real", "14h03", "",
    "13h03", ""]``; a running one past 75% of its target ends with ``"75%"``.
    """
    status = row[_AT["status"]]
    elapsed = row[_AT["elapsed_seconds"]]
    return [printable(row[_AT["ticket_id"]]), printable(row[_AT["policy"]]),
            printable(row[_AT["tier"]]), printable(row[_AT["priority"]]),
            row[_AT["metric"]], status, row[_AT["due"]],
            clock_of(row[_AT["target"]], elapsed), hours(elapsed),
            "" if status == "breached" else hours(row[_AT["remaining_seconds"]]),
            hours(row[_AT["overrun_seconds"]]), row[_AT["at_risk"]]]


def _aligned(rows: Iterable[Sequence[str]], widths: Sequence[int],
             right: Sequence[bool] = ()) -> Iterable[str]:
    flags = list(right) or [False] * len(widths)
    for row in rows:
        cells = [cell.rjust(width) if flag else cell.ljust(width)
                 for cell, width, flag in zip(row, widths, flags, strict=True)]
        yield "  ".join(cells).rstrip() + "\n"


def write_table(rows: IO[str], out: IO[str], as_of: str) -> None:
    """The results table from the result rows kept as CSV (``rows``, read twice: once to
    size the columns, once to write them), under a line saying as of when."""
    widths = [len(name) for name in TABLE_COLUMNS]
    for row in csv.reader(rows):
        for index, cell in enumerate(table_cells(row)):
            widths[index] = max(widths[index], len(cell))
    rows.seek(0)
    out.write(f"SLA report as of {as_of}\n\n")
    out.writelines(_aligned([TABLE_COLUMNS, ["-" * width for width in widths]], widths))
    out.writelines(_aligned(map(table_cells, csv.reader(rows)), widths))


def policy_names(book: PolicyBook, policies: Iterable[str]) -> dict[str, str]:
    """Each policy as a result row gives it -> its name, for the table and the summary
    (``policies/ours.yaml`` -> the ``name`` inside it; ``vircom`` -> ``vircom``).

    Boundary rule: a policy that does not load is shown as given. Example:
    ``policy_names(PolicyBook(), ["vircom"])`` -> ``{"vircom": "vircom"}``.
    """
    names = {}
    for given in set(policies):
        try:
            names[given] = book.get(given).name
        except (SlacalcError, OSError):  # an evaluated row's policy loaded; kept as given
            names[given] = given
    return names


_SUMMARY = ("policy", "tier", "priority", "metric", "tickets", "met", "breached", "open",
            "void", "no target", "breach rate")


def summary_text(summary: Summary, as_of: str) -> str:
    """The summary a report prints after its results: counts per policy, tier, priority
    and metric, then the worst overruns (docs/cli.md defines each column).

    Boundary rule: ``open`` is running or paused, ``no target`` is no_target or
    not_applicable; the breach rate is breached / (met + breached), ``-`` when neither.
    """
    lines = ["", f"Summary as of {as_of}: {plural(summary.tickets, 'ticket')} evaluated, "
                 f"{plural(summary.failed, 'row')} failed", ""]
    rows: list[list[str]] = []
    for (policy, tier, priority, metric), counts in sorted(
            summary.groups.items(), key=lambda item: (*item[0][:3], _METRIC_ORDER.get(
                item[0][3], len(_METRIC_ORDER)), item[0][3])):
        met, breached = counts.get("met", 0), counts.get("breached", 0)
        decided = met + breached
        rows.append([printable(policy), printable(tier), printable(priority), metric,
                     str(sum(counts.values())), str(met),
                     str(breached), str(sum(counts.get(name, 0) for name in _OPEN)),
                     str(counts.get("void", 0)),
                     str(sum(counts.get(name, 0) for name in _NO_TARGET)),
                     f"{breached / decided:.1%}" if decided else "-"])
    widths = [max(len(row[index]) for row in [list(_SUMMARY), *rows])
              for index in range(len(_SUMMARY))]
    right = [index >= 4 for index in range(len(_SUMMARY))]
    text = "\n".join(lines) + "\n" + "".join(_aligned([_SUMMARY, *rows], widths, right))
    text += _percentile_text(summary) + _monthly_text(summary)
    worst = summary.worst_overruns()
    if worst:
        shown = [[printable(ticket) or "(no id)", printable(policy), metric, due,
                  hours(str(seconds))]
                 for seconds, ticket, policy, metric, due in worst]
        sizes = [max(len(row[index]) for row in shown) for index in range(3)]
        text += "\nWorst overruns (real time past the due instant):\n" + "".join(
            f"  {row[0]:<{sizes[0]}}  {row[1]:<{sizes[1]}}  {row[2]:<{sizes[2]}}  due "
            f"{row[3]}, {row[4]} late\n" for row in shown)
    return text


_SPREAD = ("policy", "tier", "priority", "metric", "stops", "clock p50", "p90", "p99",
           "real p50", "p90", "p99")
_MONTHLY = ("policy", "tier", "priority", "metric", "month", "met", "breached",
            "compliance")


def _hours(value: float | None) -> str:
    return "-" if value is None else hours(str(value))


def _percentile_text(summary: Summary) -> str:
    """Time to the stop per group: median, p90 and p99 on the target's clock and in real
    time (docs/cli.md)."""
    found = sorted(summary.percentiles(), key=_in_order)
    if not found:
        return ""
    rows = [[printable(entry["policy"]), printable(entry["tier"]),
             printable(entry["priority"]), entry["metric"], str(entry["count"]),
             *(_hours(entry[f"{clock}_p{p}"]) for clock in ("clock", "real")
               for p in PERCENTILES)] for entry in found]
    return ("\nTime to the stop (met, or breached and stopped): median, p90, p99 on the "
            "target's clock and in real time:\n" + _laid(_SPREAD, rows, 4))


def _monthly_text(summary: Summary) -> str:
    """Compliance (met / decided) per group and month of opening (docs/cli.md)."""
    found = sorted(summary.monthly(), key=_in_order)
    if not found:
        return ""
    rows = [[printable(entry["policy"]), printable(entry["tier"]),
             printable(entry["priority"]), entry["metric"], entry["month"],
             str(entry["met"]), str(entry["breached"]), f"{entry['compliance']:.1%}"]
            for entry in found]
    return ("\nMonthly compliance (met / (met + breached)), by month of opening in the "
            "tier calendar's zone:\n" + _laid(_MONTHLY, rows, 5))


def _in_order(entry: dict[str, Any]) -> tuple[Any, ...]:
    """Groups as the counts are shown: by policy, tier, priority, response first."""
    metric = entry["metric"]
    return (entry["policy"], entry["tier"], entry["priority"],
            _METRIC_ORDER.get(metric, len(_METRIC_ORDER)), metric, entry.get("month", ""))


def _laid(head: Sequence[str], rows: list[list[str]], numbers_from: int) -> str:
    widths = [max(len(row[index]) for row in [list(head), *rows])
              for index in range(len(head))]
    right = [index >= numbers_from for index in range(len(head))]
    return "".join(_aligned([head, *rows], widths, right))
