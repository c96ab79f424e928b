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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from difflib import get_close_matches
from functools import partial
from itertools import compress, repeat
from typing import TypeVar, cast

import numpy as np

from ..engine._zone import instant_us
from ..sla.ticket import EVENT_KINDS, Event
from ._cells import ColumnRows, Cut
from ._chunk import CODES, Chunk
from ._columns import evaluate_columns
from ._eventcells import FLAGS, read_cut
from ._instants import Bools, Ints, parse_instants
from ._results import Result, merged
from ._rows import COLUMNS, STOPS, ExportError, PolicyBook, RowError, checked, quick_plan
from ._ticketcells import fields_of_text, read_tickets

__all__ = ["BLOCK", "EVENT_COLUMNS", "Strays", "Table", "evaluate_log", "events_of",
           "ticket_ids"]

BLOCK = 10_000
"""Tickets evaluated together, with their events: the arrays of a block of this size stay
in the processor's caches, and a report's memory does not grow with the log."""

EVENT_COLUMNS = ("ticket_id", "at", "kind")
"""The columns every events table has."""
_EXTRAS = ("priority", "tier", "answered", "confirmed", "note")
_ANSWERED = {1: True, 0: False}
_PRIORITY, _CONTACT = CODES["priority_changed"], CODES["contact_attempt"]
_TIER = CODES["tier_changed"]
_T = TypeVar("_T")


class Strays(Exception):  # noqa: N818  (not an error: a signal to read the file whole)
    """A block of a streamed events file holds an event of a ticket outside the block: the
    file is not grouped by ticket in the tickets' order (or names a ticket with no row),
    and the report starts again with the file read whole (`evaluate_log`, ``whole``)."""


@dataclass(frozen=True, slots=True)
class Table:
    """The rows of one file: its name (errors name it), its header, each row with the
    line it ends on (a list of ``(line, cells)``, or `ColumnRows`)."""

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


def _stripped(columns: list[list[str]], index: int | None, count: int) -> list[str]:
    """Column ``index`` of ``count`` rows, stripped ("" for every row without it)."""
    if index is None:
        return [""] * count
    return list(map(str.strip, columns[index]))


def _widths(table: Table, errors: list[RowError], *, named: bool,
            key: int) -> tuple[list[int], list[list[str]], dict[str, int]]:
    """The lines and the columns of the rows with the header's width; the others are
    errors (``named``: their reasons start with the file's name and line), and the ids in
    their column ``key`` (where they have it), each with its first such line."""
    width = len(table.header)
    if isinstance(table.rows, ColumnRows) and len(table.rows.columns) == width:
        return table.rows.lines, table.rows.columns, {}
    lines = [line for line, _ in table.rows]
    values = [cells for _, cells in table.rows]
    odd: dict[str, int] = {}
    if set(map(len, values)) - {width}:
        for line, cells in table.rows:
            if len(cells) != width:
                where = f"{table.name}:{line}: " if named else ""
                ticket_id = cells[key].strip() if key < len(cells) else ""
                odd.setdefault(ticket_id, line)
                errors.append(RowError(line, f"{where}{len(cells)} cells, the header has "
                                             f"{width}", ticket_id))
        kept = [(line, cells) for line, cells in table.rows if len(cells) == width]
        lines, values = [line for line, _ in kept], [cells for _, cells in kept]
    columns = [list(column) for column in zip(*values, strict=True)] if values else [
        [] for _ in range(width)]
    return lines, columns, odd


class _Events:
    """The events table, checked column by column and tied to ticket rows (``rows``:
    ticket id -> row). A row's fault is found only for the rare bad rows. A block whose
    cells were found in its bytes is read from them when every event in it is good
    (`read_cut`), else split as text and checked here."""

    def __init__(self, table: Table, rows: dict[str, int]) -> None:
        where = _where(table, EVENT_COLUMNS)
        self._where = where
        self._cut: Cut | None = None  # the block's bytes, when they were read (`cell`)
        self._values: list[list[str]] = []
        self.errors: list[RowError] = []
        self.spoilt: dict[int, int] = {}  # ticket row -> the line of its first bad event
        self.strays = False
        """Some event (or a row of the wrong width) names a ticket with no row here."""
        found = table.rows
        if isinstance(found, ColumnRows) and found.cut is not None:
            read = read_cut(found.cut, where, rows)
            if read is not None:
                self._cut, self.lines = found.cut, found.lines
                self.ticket, self.code, self.parsed = read.ticket, read.code, read.parsed
                self.new = read.new
                self.good = np.ones(len(self.code), dtype=bool)
                self._flagged(read.answered, read.confirmed)
                return
        self._checked(table, rows)

    def _flagged(self, answered: Ints, confirmed: Ints) -> None:
        self.confirmed = confirmed != 0
        self.answered: list[bool | None] = list(map(_ANSWERED.get, answered.tolist()))

    def _checked(self, table: Table, rows: dict[str, int]) -> None:
        where = self._where
        self.lines, values, odd = _widths(table, self.errors, named=True,
                                          key=where["ticket_id"])
        count = len(self.lines)
        self._values = values
        self.code = _looked_up(values[where["kind"]], CODES)
        self.ticket = _looked_up(values[where["ticket_id"]], rows)  # -1: no ticket row
        found = self.ticket.tolist()
        self.new = list(values[where["priority"]]) if "priority" in where else [""] * count
        for index in np.flatnonzero(self.code == _PRIORITY).tolist():
            self.new[index] = self.new[index].strip()  # other kinds' cells are not read
        answered, confirmed = (_flags(values, where.get(name), count)
                               for name in ("answered", "confirmed"))
        self.parsed = parse_instants(_stripped(values, where["at"], count))
        bad = ((self.ticket < 0) | (self.code < 0)
               | self._without(_PRIORITY, "priority") | self._without(_TIER, "tier")
               | ((self.code == _CONTACT) & (answered > 1)) | (answered < 0)
               | (confirmed < 0) | self.parsed.bad | ~self.parsed.present)
        self.spoilt = {rows[ticket_id]: line for ticket_id, line in odd.items()
                       if ticket_id in rows}
        self.strays = bool((self.ticket < 0).any()) or len(self.spoilt) < len(odd)
        for index in np.flatnonzero(bad).tolist():
            row = found[index]
            problem = _problem(self, index, answered=int(answered[index]),
                               confirmed=int(confirmed[index]))
            line = self.lines[index]
            self.errors.append(RowError(line, f"{table.name}:{line}: {problem}",
                                        self.cell("ticket_id", index)))
            if row >= 0:
                self.spoilt[row] = min(self.spoilt.get(row, line), line)
        self.errors.sort(key=lambda error: error.line)
        self.good = ~bad
        self._flagged(answered, confirmed)

    def cell(self, name: str, index: int) -> str:
        """Event ``index``'s cell in column ``name``, stripped ("" without the column)."""
        column = self._where.get(name)
        if column is None:
            return ""
        cell = self._values[column][index] if self._cut is None else self._cut.text(
            index, column)
        return cell.strip()

    def _without(self, kind: int, name: str) -> Bools:
        """Which events of ``kind`` have no text in column ``name``."""
        found = np.zeros(len(self.code), dtype=bool)
        rows = np.flatnonzero(self.code == kind).tolist()
        found[rows] = [not self.cell(name, row) for row in rows]
        return found


def _looked_up(cells: list[str], codes: dict[str, int]) -> Ints:
    """The code of each cell, stripped (-1: none). Cells are looked up as they are first,
    and stripped only when that finds nothing (cells seldom have spaces around them)."""
    found = np.fromiter(map(codes.get, cells, repeat(-1)), dtype=np.int64, count=len(cells))
    for index in np.flatnonzero(found < 0).tolist():
        found[index] = codes.get(cells[index].strip(), -1)
    return found


def _flags(columns: list[list[str]], index: int | None, count: int) -> Ints:
    """A yes/no column as `FLAGS` codes (-1: not one); all empty (2) without it. Only
    the cells with text are read (most events leave the column empty)."""
    found = np.full(count, 2, dtype=np.int64)
    if index is not None:
        column = columns[index]
        filled = list(compress(range(count), column))
        found[filled] = list(map(FLAGS.get, map(str.casefold, map(str.strip, map(
            column.__getitem__, filled))), repeat(-1)))
    return found


def _problem(log: _Events, index: int, *, answered: int, confirmed: int) -> str:
    """What is wrong with event ``index`` (one of the checks of `_Events` failed)."""
    kind, text, ticket_id = (log.cell(name, index) for name in ("kind", "at", "ticket_id"))
    if not ticket_id:
        return "ticket_id: missing"
    if log.ticket[index] < 0:
        return f"ticket_id {ticket_id!r} has no ticket row"
    if log.code[index] < 0:
        close = get_close_matches(kind, EVENT_KINDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"kind: unknown event kind {kind!r}{hint}; kinds: {', '.join(EVENT_KINDS)}"
    if kind == "priority_changed" and not log.new[index]:
        return "priority_changed needs the new priority (a priority column)"
    if kind == "tier_changed" and not log.cell("tier", index):
        return "tier_changed needs the new tier (a tier column)"
    if answered < 0 or (kind == "contact_attempt" and answered > 1):
        return "answered: contact_attempt needs true or false"
    if confirmed < 0:
        return "confirmed: not true or false"
    if not text:
        return "at: missing"
    if _naive(text):
        return f"at: {text!r} has no UTC offset; write e.g. 2026-11-20T17:30:00-05:00"
    return f"at: malformed instant {text!r} (ISO 8601 with a UTC offset expected)"


def _event(log: _Events, index: int) -> Event:
    """Event ``index`` of a checked events table (a good one) as an `Event`."""
    return Event.model_validate({
        "kind": log.cell("kind", index), "at": datetime.fromisoformat(log.cell("at", index)),
        "priority": log.cell("priority", index) or None,
        "confirmed": bool(log.confirmed[index]), "answered": log.answered[index],
        "note": log.cell("note", index) or None, "tier": log.cell("tier", index) or None})


def _events_of(log: _Events, rest: Ints, owner: Ints, row: int) -> Iterator[Event]:
    """The `Event`s of ticket row ``row``: the events ``rest`` whose ``owner`` (ticket
    row, ascending) it is, each made only when read (`report_of` reads them only once
    the row's own fields pass)."""
    low, high = np.searchsorted(owner, [row, row + 1]).tolist()
    for index in rest[low:high].tolist():
        yield _event(log, index)


def events_of(events: Table, ids: Sequence[str]) -> dict[str, list[Event]]:
    """The good events of the tickets ``ids`` in an events table, each ticket's in the
    table's order (a bad event is left out: its ticket's report is a row error).

    Example: rows ``T1,2026-11-23T07:55:00-05:00,responded`` -> ``{"T1": [Event(...)]}``.
    """
    log = _Events(events, {ticket_id: row for row, ticket_id in enumerate(ids)})
    found: dict[str, list[Event]] = {}
    for index in np.flatnonzero(log.good).tolist():
        found.setdefault(log.cell("ticket_id", index), []).append(_event(log, index))
    return found


def _pick(values: list[_T], indices: list[int]) -> list[_T]:
    """``values`` at ``indices`` (all of them: the list itself)."""
    return values if len(indices) == len(values) else [values[index] for index in indices]


def _naive(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is None
    except ValueError:
        return False


def _tickets(table: Table, where: dict[str, int], errors: list[RowError],
             earlier: Mapping[str, int]) -> tuple[list[int], list[list[str]], list[str]]:
    """The ticket rows that can be evaluated: lines, columns and ids (a row without an
    id, or whose id an earlier row has, here or in ``earlier``, is an error)."""
    lines, columns, _ = _widths(table, errors, named=False, key=where["ticket_id"])
    ids = _stripped(columns, where["ticket_id"], len(lines))
    if len(set(ids)) == len(ids) and "" not in ids and earlier.keys().isdisjoint(ids):
        return lines, columns, ids
    seen = dict(earlier)
    kept = []
    for row, (line, ticket_id) in enumerate(zip(lines, ids, strict=True)):
        if not ticket_id:
            errors.append(RowError(line, "ticket_id: missing (an event log needs one)"))
        elif ticket_id in seen:
            errors.append(RowError(line, f"ticket_id {ticket_id!r} is already on line "
                                         f"{seen[ticket_id]}", ticket_id))
        else:
            seen[ticket_id] = line
            kept.append(row)
    return _pick(lines, kept), [_pick(column, kept) for column in columns], _pick(ids, kept)


def ticket_ids(table: Table) -> tuple[Sequence[int], list[str]]:
    """The lines and the ids (stripped) of the ticket rows that `evaluate_log` may
    evaluate: of the header's width, with an id (a repeated id included).

    Example: rows ``(2, ["T1", ...])``, ``(3, [" T2 "])`` (too short), ``(4, ["", ...])``
    -> ``([2], ["T1"])``."""
    key = {name: index for index, name in enumerate(table.header)}.get("ticket_id")
    if key is None:
        return [], []
    rows = table.rows
    if isinstance(rows, ColumnRows) and rows.cut is not None:  # (every row of the width)
        lines, ids = rows.lines, [text.strip() for text in rows.cut.texts(key)]
    else:
        lines, columns, _ = _widths(table, [], named=False, key=key)  # (errors: `_tickets`)
        ids = _stripped(columns, key, len(lines))
    if "" not in ids:
        return lines, ids
    some = [bool(ticket_id) for ticket_id in ids]
    return list(compress(lines, some)), list(compress(ids, some))


def evaluate_log(book: PolicyBook, tickets: Table, events: Table, *,
                 policy: str | None = None, now: datetime | None = None, whole: bool = True,
                 earlier: Mapping[str, int] | None = None,
                 ) -> tuple[list[list[str]], list[RowError], int]:
    """Result columns of an event log (tickets in file order), the rows that failed (in
    the tickets file, then the events file), and the tickets evaluated.

    Boundary rule: each ticket gives exactly the rows `Policy.evaluate` gives the
    `Ticket` made of its row and its events; a bad event fails its ticket, and a ticket
    row twice (same ``ticket_id``) fails the second. Example: ticket T1 (vircom standard
    P2, opened Fri 2026-11-20 17:30 -05:00) and the event ``T1,
    2026-11-23T07:55:00-05:00, responded`` -> response met, due Mon 08:00.
    ``whole``: the events table is the whole log, so an event whose ticket has no row is
    that event's row error; otherwise it is one streamed block's share, and such an event
    raises `Strays` (its ticket may be in another block). ``earlier``: the ids of
    earlier blocks' tickets that rows here repeat, each with its line (those rows fail).
    """
    needed = [name for name in COLUMNS if not (policy and name == "policy")]
    where = _where(tickets, needed)
    stops = [name for name in STOPS if name in where]
    if stops:
        raise ExportError(f"{tickets.name}: with an events table, events come from it; "
                          f"remove the column {stops[0]}")
    errors: list[RowError] = []
    others = [(name, index) for name, index in where.items() if name not in COLUMNS and name]
    rows = tickets.rows
    quick = None if not isinstance(rows, ColumnRows) or rows.cut is None else read_tickets(
        rows.cut, where, others, policy, earlier or {})
    columns: list[list[str]] | None = None  # (read from its bytes: split only if needed)
    if quick is None:
        lines, columns, ids = _tickets(tickets, where, errors, earlier or {})
        fields = fields_of_text(columns, where, others, policy)
    else:
        assert isinstance(rows, ColumnRows)
        (ids, fields), lines = quick, rows.lines
    log = _Events(events, dict(zip(ids, range(len(ids)), strict=True)))
    if log.strays and not whole:
        raise Strays(f"{events.name}: an event of a ticket outside the block")
    for row, line in sorted(log.spoilt.items()):
        errors.append(RowError(lines[row], f"not evaluated: its event at {events.name}:"
                                           f"{line} is bad", ids[row]))
    kept = np.ones(len(ids) + 1, dtype=bool)  # the tickets evaluated here, then False
    kept[[*log.spoilt, -1]] = False  # for "no ticket row" (-1)
    place = np.cumsum(kept) - 1  # a kept ticket's row in the chunk
    keep = np.flatnonzero(kept).tolist()
    picked = len(keep) < len(ids)
    lines, ids = _pick(lines, keep), _pick(ids, keep)
    fields = fields.taken(keep) if picked else fields
    # the good events of the tickets evaluated here (a spoilt ticket may have good ones)
    mine = np.flatnonzero(log.good & kept[log.ticket])
    chosen = mine.tolist()
    chunk = Chunk(ids, fields.names, fields.tiers, fields.priorities, fields.opened,
                  fields.attributes, place[log.ticket[mine]], log.code[mine],
                  log.parsed.taken(mine), _pick(cast("list[str | None]", log.new), chosen),
                  log.confirmed[mine], _pick(log.answered, chosen))
    fast, clean = evaluate_columns(chunk, partial(quick_plan, book),
                                   None if now is None else instant_us(now),
                                   book.versions)
    done: dict[int, list[Result]] = {}
    rest = mine[~clean[place[log.ticket[mine]]]]  # the events of the rest, by ticket row
    owner = place[log.ticket[rest]]
    order = np.argsort(owner, kind="stable")
    rest, owner = rest[order], owner[order]
    unclean = np.flatnonzero(~clean).tolist()
    if unclean and columns is None:  # (the checked path reads their cells as text)
        assert isinstance(rows, ColumnRows)
        columns = rows.columns
    for row in unclean:
        assert columns is not None
        record = dict(zip(tickets.header, [column[keep[row]] for column in columns],
                          strict=True))
        try:
            done[row] = checked(book, record, lines[row], policy, now,
                                events=_events_of(log, rest, owner, row))
        except RowError as error:
            errors.append(error)
    errors.sort(key=lambda error: error.line)
    return merged(fast, clean, done), errors + log.errors, len(done) + int(clean.sum())
