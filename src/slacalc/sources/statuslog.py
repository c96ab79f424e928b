"""Any help desk: a tickets file and a status log (``ticket_id, at, field, from, to``)
-> the event-log tables, and, where given, the desk's verdicts.

Files in an export folder (docs/sources.md, "Any status log"):

* ``tickets.csv``: ``ticket_id``, ``opened_at``, ``priority`` (at the opening), and
  optionally ``status`` (at the opening; default: the first change's ``from``, else
  open), ``organization``, ``tags`` (separated by ``;`` or spaces), ``group``,
  ``channel``;
* ``status_log.csv``: ``ticket_id``, ``at`` (ISO 8601 with an offset), ``field``
  (``status``, ``priority``, or ``reply``: a public reply by the desk; other fields are
  skipped), ``from``, ``to``;
* optionally ``desk_verdicts.csv``: ``ticket_id``, ``desk_metric``, ``breached``
  (true/false/empty), ``due_at``, ``elapsed_seconds`` (as ``slacalc convert`` writes
  them).

Streamed when the log and the verdicts come grouped by ticket in the tickets' order;
otherwise read whole first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ._convert import Builder, Opening, blocks, verdict
from ._files import cell_rows, csv_records, find, find_optional, shown
from ._history import PRIORITY, REPLY, STATUS, Change
from ._tables import Converted, Record, SourceRowError, instant, joined
from .mapping import DeskMapping, default_mapping, unknown

__all__ = ["FILES", "convert", "read_statuslog", "stream_statuslog"]

FILES = ("tickets.csv", "status_log.csv", "desk_verdicts.csv")
_FIELDS = {"status": STATUS, "priority": PRIORITY, "reply": REPLY}
_FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False,
          "": None}


def _changes(key: str, rows: list[Record], name: str,
             errors: list[SourceRowError]) -> list[Change]:
    changes = []
    for position, row in rows:
        field = _FIELDS.get(row.get("field", "").strip().lower())
        if field is None:
            continue
        try:
            at = instant(row.get("at"), (name, position), "at")
        except SourceRowError as error:
            error.ticket_id = key
            errors.append(error)
            continue
        changes.append(Change(at, field, row.get("to", "").strip(), (name, position),
                              row.get("from", "").strip() or None))
    return changes


def _verdicts(key: str, rows: list[Record], name: str, mapping: DeskMapping,
              errors: list[SourceRowError]) -> list[dict[str, Any]]:
    found = []
    for position, row in rows:
        where = (name, position)
        desk_metric = (row.get("desk_metric") or row.get("metric") or "").strip()
        metric = mapping.metric(desk_metric)
        flag = row.get("breached", "").strip().lower()
        if metric is None:
            errors.append(SourceRowError(*where, unknown("metric", desk_metric,
                                                         mapping.metrics), key))
            continue
        if flag not in _FLAGS:
            errors.append(SourceRowError(*where, f"breached: not true or false "
                                                 f"{row.get('breached')!r}", key))
            continue
        if metric == "ignore":
            continue
        try:
            due_text = row.get("due_at", "").strip()
            due = instant(due_text, where, "due_at") if due_text else None
            elapsed_text = row.get("elapsed_seconds", "").strip()
            elapsed = float(elapsed_text) if elapsed_text else None
        except SourceRowError as error:
            error.ticket_id = key
            errors.append(error)
            continue
        except ValueError:
            errors.append(SourceRowError(*where, f"elapsed_seconds: not a number "
                                         f"{row.get('elapsed_seconds')!r}", key))
            continue
        found.append(verdict(key, metric, breached=_FLAGS[flag], due_at=due, elapsed=elapsed,
                             desk_metric=desk_metric, source=f"{name}:{position}"))
    return found


def _ticket(builder: Builder, item: Record, log: list[Record], verdicts: list[Record],
            names: tuple[str, str, str]) -> None:
    position, row = item
    where = (names[0], position)
    key = row.get("ticket_id", "").strip()
    if not key:
        builder.fail(SourceRowError(*where, "ticket_id: missing"))
        return
    try:
        opened = instant(row.get("opened_at"), where, "opened_at")
    except SourceRowError as error:
        error.ticket_id = key
        builder.fail(error)
        return
    errors: list[SourceRowError] = []
    changes = _changes(key, log, names[1], errors)
    status = row.get("status", "").strip() or next(
        (c.previous for c in sorted(changes, key=lambda c: c.at)
         if c.field == STATUS and c.previous), None)
    opening = Opening(key, where, opened, priority=row.get("priority", ""), status=status,
                      organization=row.get("organization", "").strip(),
                      tags=[tag for tag in re.split(r"[;\s]+", row.get("tags", "")) if tag],
                      group=row.get("group", "").strip(),
                      attributes={"channel": row.get("channel", "").strip()})
    builder.ticket(opening, changes, _verdicts(key, verdicts, names[2], builder.mapping,
                                               errors), errors)


def _keyed(rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[tuple[str, Record]]:
    for position, row in rows:
        yield row.get("ticket_id", "").strip(), (position, row)


def _feed(tickets: Iterable[tuple[int, dict[str, str]]],
          log: Iterable[tuple[int, dict[str, str]]],
          verdicts: Iterable[tuple[int, dict[str, str]]], names: tuple[str, str, str],
          ordered: bool) -> Callable[[Builder], Iterator[None]]:
    def feed(builder: Builder) -> Iterator[None]:
        for _key, item, (mine, own) in joined(
                _keyed(tickets), [(names[1], _keyed(log)), (names[2], _keyed(verdicts))],
                ordered=ordered):
            if item is None:
                for file, records in ((names[1], mine), (names[2], own)):
                    for position, row in records:
                        builder.fail(SourceRowError(file, position, f"ticket_id "
                                                    f"{row.get('ticket_id', '')!r} has no "
                                                    f"ticket in {names[0]}"))
                continue
            _ticket(builder, item, mine, own, names)
            yield
    return feed


def convert(tickets: Iterable[dict[str, Any]], log: Iterable[dict[str, Any]],
            verdicts: Iterable[dict[str, Any]] = (),
            mapping: DeskMapping | None = None) -> Converted:
    """Ticket rows and status-log rows (already read: dicts) -> `Converted`.

    Boundary rule: the log may be in any order (each ticket's changes are sorted by
    ``at``; equal instants keep their order); positions are each row's number from 1. A
    status or priority the mapping lacks, or a log row of no ticket, is a row error.
    Example: ticket T1 opened ``2026-11-02T09:00:00+00:00`` priority P2 and the log row
    ``T1, 2026-11-02T10:00:00+00:00, status, open, pending`` -> event
    ``awaiting_customer`` at 10:00.
    """
    names = ("tickets", "status_log", "desk_verdicts")
    feed = _feed(cell_rows(tickets), cell_rows(log), cell_rows(verdicts), names,
                 ordered=False)
    return Converted.whole(blocks(feed, Builder(mapping or default_mapping("statuslog"),
                                                names[:2], ("channel",))), names[:2])


def stream_statuslog(folder: Path, mapping: DeskMapping | None = None, *,
                     ordered: bool = True, block: int = 10_000) -> Iterator[Converted]:
    """`Converted` blocks of ``block`` tickets from an export folder (see the module).

    Boundary rule: as `stream_zendesk`. Example:
    ``next(stream_statuslog(Path("examples/desks/statuslog"))).events[0]["kind"]``.
    """
    folder = Path(folder)
    tickets = find(folder, ["tickets.csv"])
    log = find(folder, ["status_log.csv"])
    verdicts = find_optional(folder, ["desk_verdicts.csv"])
    names = (shown(tickets), shown(log), shown(verdicts) if verdicts else "desk_verdicts.csv")
    feed = _feed(csv_records(tickets), csv_records(log),
                 csv_records(verdicts) if verdicts else iter(()), names, ordered=ordered)
    yield from blocks(feed, Builder(mapping or default_mapping("statuslog"), names[:2],
                                    ("channel",), whole=not ordered), block)


def read_statuslog(folder: Path, mapping: DeskMapping | None = None) -> Converted:
    """Every ticket of an export folder as one `Converted` (any row order).

    Boundary rule: as `stream_statuslog` with ``ordered=False``. Example:
    ``read_statuslog(Path("examples/desks/statuslog")).tickets[0]["policy"]``.
    """
    return Converted.whole(stream_statuslog(folder, mapping, ordered=False))
