"""``slacalc report --html``: the HTML report, made from the report's own summary (one
evaluation, several writers) and written whole or not at all.

The page's numbers come from `Summary` (counts, months, times to the stop, the kept
breached and running rows); only the pictures of the worst overruns need more: those few
tickets are found again in the input by their ``ticket_id`` and evaluated on the
single-ticket path (`report_of`, `Policy.evaluate`), which draws their timelines.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import SlacalcError
from ..render._page import GroupPanel, MetricPanel, Page, Worst, page_html
from ..sla import SLAReport
from ..sla.ticket import Ticket
from ._eventlog import Table, events_of
from ._header import column_names, sniff
from ._parquet import is_parquet, parquet_rows
from ._rows import PolicyBook, RowError, report_of
from ._stats import KEPT, WATCH_COLUMNS, percentiles_of
from ._whole import write_whole
from .summary import Summary

__all__ = ["PICTURES", "html_page", "write_html"]

PICTURES = 5
"""The worst overruns drawn with their timeline pictures (distinct tickets)."""
_METRIC_ORDER = {"response": 0, "resolution": 1}
_OPEN, _NO_TARGET = ("running", "paused"), ("no_target", "not_applicable")


def _panels(summary: Summary) -> list[GroupPanel]:
    groups: dict[tuple[str, str, str], list[MetricPanel]] = {}
    months: dict[tuple[str, str, str, str], list[tuple[str, int, int]]] = {}
    for (key, month), (met, breached) in sorted(summary.stats.months.items()):
        months.setdefault(key, []).append((month, met, breached))
    for key, counts in sorted(summary.groups.items(), key=lambda item: (
            *item[0][:3], _METRIC_ORDER.get(item[0][3], len(_METRIC_ORDER)), item[0][3])):
        clock, real = summary.stats.seconds(key)
        shown = {"met": counts.get("met", 0), "breached": counts.get("breached", 0),
                 "open": sum(counts.get(name, 0) for name in _OPEN),
                 "void": counts.get("void", 0),
                 "no_target": sum(counts.get(name, 0) for name in _NO_TARGET)}
        groups.setdefault(key[:3], []).append(MetricPanel(
            key[3], shown, months.get(key, []), clock, summary.stats.target(key),
            {"clock": percentiles_of(clock), "real": percentiles_of(real)}))
    return [GroupPanel(*key, metrics) for key, metrics in groups.items()]


def html_page(summary: Summary, as_of: str, pictures: dict[str, str] | None = None) -> str:
    """The HTML report of a summary; ``pictures`` maps a ticket id to its timeline SVG.

    Boundary rule: the worst overruns are the summary's, largest first, at most
    `PICTURES` distinct tickets; the table lists the kept breached rows, then the kept
    running rows (`slacalc.batch._stats.KEPT` of each). Example: the summary of
    ``examples/eventlog`` -> a page whose ``section.group`` for vircom standard P1 shows
    ``met 0``, ``breached 34`` for the response.
    """
    pictures = pictures or {}
    breached, running = summary.stats.watched()
    return page_html(Page(as_of, summary.tickets, summary.failed, _panels(summary),
                          [Worst(ticket, policy, metric, due, seconds,
                                 pictures.get(ticket, ""))
                           for seconds, ticket, policy, metric, due in _worst(summary)],
                          WATCH_COLUMNS, [*breached, *running], KEPT))


def _worst(summary: Summary) -> list[tuple[float, str, str, str, str]]:
    """The largest overruns, one per ticket (its largest), at most `PICTURES`."""
    seen: set[tuple[str, str]] = set()
    found = []
    for entry in summary.worst_overruns():
        if (entry[1], entry[2]) not in seen:
            seen.add((entry[1], entry[2]))
            found.append(entry)
    return found[:PICTURES]


def write_html(path: str, summary: Summary, as_of: str, *, tickets: Path,
               events: Path | None, policy: str | None, now: datetime | None) -> None:
    """Write the HTML report to ``path`` (whole or not at all), drawing the worst
    overruns' tickets found again in ``tickets`` (and ``events``).

    Boundary rule: a ticket is found by its ``ticket_id`` (its first row) and evaluated
    as of ``now`` on the single-ticket path; one that has no id, or cannot be found or
    evaluated again, has no picture. Example: ``write_html("/tmp/report.html", summary,
    "2026-11-30T12:00:00+00:00", tickets=Path("tickets.csv"), events=None,
    policy=None, now=now)``.
    """
    wanted = [ticket for _, ticket, _, _, _ in _worst(summary) if ticket]
    pictures: dict[str, str] = {}
    for ticket_id, report in _reports(tickets, events, wanted, policy, now):
        pictures.setdefault(ticket_id, report._repr_svg_())
    write_whole(path, html_page(summary, as_of, pictures), "--html")


def _reports(tickets: Path, events: Path | None, wanted: Sequence[str],
             policy: str | None, now: datetime | None) -> Iterator[tuple[str, SLAReport]]:
    """The reports of the tickets ``wanted`` (by id; the first row of each), evaluated
    singly; a ticket that cannot be found or evaluated again is left out."""
    if not wanted:
        return
    book = PolicyBook()
    ids = set(wanted)
    if tickets.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        yield from _json_reports(book, tickets, ids, policy, now)
        return
    header, cells_of = _table(tickets)
    rows: dict[str, tuple[int, dict[str, str]]] = {}
    for line, cells in _having(header, cells_of, ids):
        ticket_id = cells[header.index("ticket_id")].strip()
        rows.setdefault(ticket_id, (line, dict(zip(header, cells, strict=False))))
    found = {}
    if events is not None:
        names, event_rows = _table(events)
        found = events_of(Table(events.name, names, list(_having(names, event_rows, set(
            rows)))), list(rows))
    for ticket_id, (line, row) in rows.items():
        try:
            yield ticket_id, report_of(book, row, line, policy, now,
                                       events=found.get(ticket_id, []))[1]
        except RowError:
            continue


def _table(path: Path) -> tuple[tuple[str, ...], Iterator[tuple[int, list[str]]]]:
    """A CSV (``.gz``: gzipped; its delimiter sniffed) or Parquet file's header (names as
    the report reads them) and its rows with the line each ends on, streamed."""
    if is_parquet(path):
        names, found = parquet_rows(path)
        return column_names(names), found

    def lines() -> Iterator[str]:
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            yield from handle

    text = lines()
    first = next(text, "")
    reader = csv.reader(_chain(first, text), delimiter=sniff(first))
    header = column_names(next(reader, []))

    def records() -> Iterator[tuple[int, list[str]]]:
        for cells in reader:
            if cells:
                yield reader.line_num, cells

    return header, records()


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _having(header: Sequence[str], rows: Iterator[tuple[int, list[str]]],
            ids: set[str]) -> Iterator[tuple[int, list[str]]]:
    """The rows whose ``ticket_id`` is one of ``ids``."""
    if "ticket_id" not in header:
        return
    at = list(header).index("ticket_id")
    for line, cells in rows:
        if at < len(cells) and cells[at].strip() in ids:
            yield line, cells


def _json_reports(book: PolicyBook, path: Path, ids: set[str], policy: str | None,
                  now: datetime | None) -> Iterator[tuple[str, SLAReport]]:
    with path.open(encoding="utf-8-sig") as handle:
        for text in handle:
            if not any(ticket_id in text for ticket_id in ids):
                continue
            try:
                data: Any = json.loads(text)
                if not isinstance(data, dict) or str(data.get("id") or "") not in ids:
                    continue
                name = policy or str(data.pop("policy", "") or "")
                data.pop("policy", None)
                ticket_id = str(data["id"])
                ids.discard(ticket_id)
                yield ticket_id, book.get(name).evaluate(Ticket.model_validate(data), now)
            except (ValueError, RecursionError, SlacalcError, ValidationError):
                continue
