"""Event logs: a tickets table and an events table, evaluated as one chunk.

The layout (docs/cli.md, "Event logs"):

* tickets: ``ticket_id, policy, tier, priority, opened_at`` and any attribute columns,
  one row per ticket (``policy`` may instead come from ``--policy``);
* events: ``ticket_id, at, kind``, and when the kind needs them ``priority``
  (priority_changed), ``answered`` (contact_attempt), ``confirmed`` (resolved) and
  ``note``; one row per event, in any order. Each ticket's events are sorted by instant;
  events at the same instant keep their order in the file.

A ticket with no events is fine. An event whose ``ticket_id`` has no ticket row, an
unknown ``kind``, a missing field or a naive instant is a `RowError` naming the events
file and line; its ticket is then not evaluated (its verdict would be wrong) and is
reported too, naming that line. Nothing else is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from difflib import get_close_matches
from functools import partial

import numpy as np

from ..engine._zone import instant_us
from ..sla.ticket import EVENT_KINDS, Event
from ._columns import CODES, Chunk, evaluate_columns
from ._instants import parse_instants
from ._results import Result, merged
from ._rows import COLUMNS, STOPS, ExportError, PolicyBook, RowError, checked, quick_plan

__all__ = ["EVENT_COLUMNS", "Table", "evaluate_log"]

EVENT_COLUMNS = ("ticket_id", "at", "kind")
"""The columns every events table has."""
_EXTRAS = ("priority", "answered", "confirmed", "note")
_YES, _NO = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})


@dataclass(frozen=True, slots=True)
class Table:
    """The rows of one file: its name (errors name it), its header, each row with the
    line it ends on."""

    name: str
    header: tuple[str, ...]
    rows: Sequence[tuple[int, Sequence[str]]]


def _where(table: Table, needed: Sequence[str]) -> dict[str, int]:
    where = {name.strip(): index for index, name in enumerate(table.header)}
    missing = [name for name in needed if name not in where]
    if missing:
        raise ExportError(f"{table.name}: no {', '.join(missing)} column "
                          f"(the header is {', '.join(table.header) or 'empty'})")
    return where


def _flag(text: str, default: bool | None) -> bool | None:
    """A yes/no cell: true/false, yes/no, 1/0 in any case; ``default`` when empty; None
    when it is none of these."""
    value = text.strip().casefold()
    if not value:
        return default
    return True if value in _YES else False if value in _NO else None


class _Events:
    """The events table checked and tied to ticket rows (``rows``: ticket id -> row)."""

    def __init__(self, table: Table, rows: dict[str, int]) -> None:
        where = _where(table, EVENT_COLUMNS)
        self.ticket: list[int] = []
        self.kinds: list[str] = []
        self.at: list[str] = []
        self.new: list[str | None] = []
        self.confirmed: list[bool] = []
        self.answered: list[bool | None] = []
        self.notes: list[str | None] = []
        self.lines: list[int] = []
        self.ids: list[str] = []
        self.errors: list[RowError] = []
        self.spoilt: dict[int, int] = {}  # ticket row -> the line of its first bad event
        width = len(table.header)
        for line, values in table.rows:
            cells = dict.fromkeys(_EXTRAS, "")
            if len(values) == width:
                cells.update({name: values[index].strip() for name, index in where.items()
                              if name in _EXTRAS or name in EVENT_COLUMNS})
            ticket_id = cells.get("ticket_id", "")
            row = rows.get(ticket_id)
            problem = _problem(cells, len(values), width, row)
            if problem is not None:
                self._fail(table, line, row, ticket_id, problem)
                continue
            assert row is not None
            self.ticket.append(row)
            self.kinds.append(cells["kind"])
            self.at.append(cells["at"])
            self.new.append(cells["priority"] or None)
            self.confirmed.append(bool(_flag(cells["confirmed"], True)))
            self.answered.append(_flag(cells["answered"], None))
            self.notes.append(cells["note"] or None)
            self.lines.append(line)
            self.ids.append(ticket_id)
        parsed = parse_instants(self.at)
        for index in np.flatnonzero(parsed.bad | ~parsed.present).tolist():
            text = self.at[index]
            self._fail(table, self.lines[index], self.ticket[index], self.ids[index],
                       f"at: {text!r} has no UTC offset; write e.g. 2026-11-20T17:30:00-05:00"
                       if _naive(text) else
                       f"at: malformed instant {text!r} (ISO 8601 with a UTC offset expected)")
        self.errors.sort(key=lambda error: error.line)

    def _fail(self, table: Table, line: int, row: int | None, ticket_id: str,
              problem: str) -> None:
        self.errors.append(RowError(line, f"{table.name}:{line}: {problem}", ticket_id))
        if row is not None:
            self.spoilt[row] = min(self.spoilt.get(row, line), line)


def _problem(cells: dict[str, str], count: int, width: int, row: int | None) -> str | None:
    """What is wrong with one event row, None if nothing (its instant aside)."""
    kind = cells.get("kind", "")
    if count != width:
        return f"{count} cells, the header has {width}"
    if not cells["ticket_id"]:
        return "ticket_id: missing"
    if row is None:
        return f"ticket_id {cells['ticket_id']!r} has no ticket row"
    if kind not in CODES:
        close = get_close_matches(kind, EVENT_KINDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"kind: unknown event kind {kind!r}{hint}; kinds: {', '.join(EVENT_KINDS)}"
    if kind == "priority_changed" and not cells["priority"]:
        return "priority_changed needs the new priority (a priority column)"
    if kind == "contact_attempt" and _flag(cells["answered"], None) is None:
        return "answered: contact_attempt needs true or false"
    if _flag(cells["confirmed"], True) is None:
        return f"confirmed: {cells['confirmed']!r} is not true or false"
    return None


def _naive(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is None
    except ValueError:
        return False


def evaluate_log(book: PolicyBook, tickets: Table, events: Table, *,
                 policy: str | None = None, now: datetime | None = None
                 ) -> tuple[list[list[str]], list[RowError], int]:
    """Result columns of an event log (tickets in file order), the rows that failed (in
    the tickets file, then the events file), and the tickets evaluated.

    Boundary rule: each ticket gives exactly the rows `Policy.evaluate` gives the
    `Ticket` made of its row and its events; a bad event fails its ticket, and a ticket
    row twice (same ``ticket_id``) fails the second. Example: ticket T1 (vircom standard
    P2, opened Fri 2026-11-20 17:30 -05:00) and the event ``T1,
    2026-11-23T07:55:00-05:00, responded`` -> response met, due Mon 08:00.
    """
    needed = [name for name in COLUMNS if not (policy and name == "policy")]
    where = _where(tickets, needed)
    stops = [name for name in STOPS if name in where]
    if stops:
        raise ExportError(f"{tickets.name}: with an events table, events come from it; "
                          f"remove the column {stops[0]}")
    width = len(tickets.header)
    errors: list[RowError] = []
    kept: list[tuple[int, Sequence[str]]] = []
    rows: dict[str, int] = {}
    for line, values in tickets.rows:
        if len(values) != width:
            errors.append(RowError(line, f"{len(values)} cells, the header has {width}"))
            continue
        ticket_id = values[where["ticket_id"]].strip()
        if not ticket_id:
            errors.append(RowError(line, "ticket_id: missing (an event log needs one)"))
            continue
        if ticket_id in rows:
            first = kept[rows[ticket_id]][0]
            errors.append(RowError(line, f"ticket_id {ticket_id!r} is already on line {first}",
                                   ticket_id))
            continue
        rows[ticket_id] = len(kept)
        kept.append((line, values))
    log = _Events(events, rows)
    ids = [values[where["ticket_id"]].strip() for _, values in kept]
    for row, line in sorted(log.spoilt.items()):
        errors.append(RowError(kept[row][0], f"not evaluated: its event at {events.name}:"
                                             f"{line} is bad", ids[row]))
    whole = [row for row in range(len(kept)) if row not in log.spoilt]  # evaluated
    place = {row: index for index, row in enumerate(whole)}
    kept = [kept[row] for row in whole]
    ids = [ids[row] for row in whole]
    mine = [index for index, row in enumerate(log.ticket) if row in place]
    ticket = np.array([place[log.ticket[index]] for index in mine], dtype=np.int64)
    columns = [list(column) for column in zip(*(values for _, values in kept),
                                              strict=True)] or [[] for _ in tickets.header]
    names = columns[where["policy"]] if "policy" in where and not policy else \
        [policy or ""] * len(kept)
    attributes = [{name: values[index].strip() for name, index in where.items()
                   if name not in COLUMNS and name and values[index].strip()}
                  for _, values in kept]
    total = len(mine)
    chunk = Chunk(ids, names, columns[where["tier"]], columns[where["priority"]],
                  parse_instants(columns[where["opened_at"]]), attributes,
                  ticket.reshape(total),
                  np.array([CODES[log.kinds[index]] for index in mine],
                           dtype=np.int64).reshape(total),
                  parse_instants([log.at[index] for index in mine]),
                  [log.new[index] for index in mine],
                  np.array([log.confirmed[index] for index in mine], dtype=bool).reshape(total),
                  [log.answered[index] for index in mine])
    fast, clean = evaluate_columns(chunk, partial(quick_plan, book),
                                   None if now is None else instant_us(now))
    done: dict[int, list[Result]] = {}
    singly: dict[int, list[Event]] = {}
    for index in mine:
        row = place[log.ticket[index]]
        if not clean[row]:
            singly.setdefault(row, []).append(Event.model_validate({
                "kind": log.kinds[index], "at": datetime.fromisoformat(log.at[index]),
                "priority": log.new[index], "confirmed": log.confirmed[index],
                "answered": log.answered[index], "note": log.notes[index]}))
    for row in np.flatnonzero(~clean).tolist():
        line, values = kept[row]
        record = dict(zip(tickets.header, values, strict=True))
        try:
            done[row] = checked(book, record, line, policy, now, events=singly.get(row, []))
        except RowError as error:
            errors.append(error)
    errors.sort(key=lambda error: error.line)
    return merged(fast, clean, done), errors + log.errors, len(done) + int(clean.sum())
