"""Batches of tickets: export rows in, one result row per ticket and metric out.

A CSV export has the columns ``ticket_id, policy, tier, priority, opened_at`` and, when
known, ``category, channel, responded_at, resolved_at, workaround_at`` (a resolution is
taken as confirmed), ``priority_changed_at, priority_changed_to`` (one change); any other
column is a ticket attribute that ``when`` conditions may test. A JSONL export has one
full `Ticket` per line plus its ``policy``. Both give the same result rows as
`Policy.evaluate`: a row that needs nothing but stop events is run on its compiled
`Plan` (no per-row models), and a differential test holds the two together.

`evaluate_rows` is the batch loop: a clean row (known plan, ISO instants with offsets,
nothing but stops) goes straight to its plan; any other row goes through the checked
path `evaluate_row`, which either evaluates it the same way or names what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from ..engine._zone import instant_us
from ..errors import SlacalcError, UnknownPriorityError
from ..policy import Policy, bundled_policy, load_policy
from ..policy._edges import instant, later_than_opening
from ..sla import SLAReport
from ..sla.plan import Plan
from ..sla.replay import order_events, replay
from ..sla.ticket import Event, Ticket
from ..sla.verdict import judge
from ._columns import CODES, Chunk, Kind, evaluate_columns
from ._instants import Bools, parse_instants
from ._results import RESULT_COLUMNS, Result, merged, result_rows, seconds_text

__all__ = ["COLUMNS", "RESULT_COLUMNS", "ExportError", "PolicyBook", "RowError", "evaluate_json",
           "evaluate_row", "evaluate_rows", "quick_plan", "rows_of_report"]

COLUMNS = ("ticket_id", "policy", "tier", "priority", "opened_at")
_STOPS = {"responded_at": "responded", "resolved_at": "resolved", "workaround_at": "workaround"}
_KNOWN = {*COLUMNS, *_STOPS, "priority_changed_at", "priority_changed_to"}
_ONE_US = timedelta(microseconds=1)


class RowError(SlacalcError, ValueError):
    """One input row that cannot be evaluated; ``line`` is its line in the input file."""

    def __init__(self, line: int, message: str, ticket_id: str = "") -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.reason = message
        self.ticket_id = ticket_id


class ExportError(SlacalcError, ValueError):
    """A ticket export that cannot be read at all (not UTF-8 text, a CSV field over the
    csv module's size limit); the message names the line, and the caller the file."""


class PolicyBook:
    """Policies by name (bundled, given, or a path), loaded once each, and their plans.

    ``PolicyBook({"mine": policy})`` also answers ``"mine"`` with a `Policy` built in code.
    """

    def __init__(self, policies: Mapping[str, Policy] | None = None) -> None:
        self._loaded: dict[str, Policy] = dict(policies or {})
        self._plans: dict[tuple[str, str], Plan] = {}

    def plan(self, name: str, tier: str) -> Plan:
        """The compiled plan of ``tier`` in policy ``name`` (cached; the policy's own
        errors for an unknown policy or tier)."""
        found = self._plans.get((name, tier))
        if found is None:
            found = self._plans[(name, tier)] = self.get(name).plan(tier)
        return found

    def kind(self, name: str, tier: str, priority: str) -> Kind:
        """The plan and priority key of a row; `UnknownPriorityError` naming the
        priorities for one the policy does not know."""
        plan = self.plan(name, tier)
        key = plan.priority_key(priority)
        if key is None:
            raise UnknownPriorityError(plan.unknown_priority(priority))
        return Kind(plan, key)

    def get(self, name: str) -> Policy:
        """The policy ``name`` names: a bundled policy, or a path ending in .yaml/.yml."""
        policy = self._loaded.get(name)
        if policy is None:
            is_path = name.endswith((".yaml", ".yml")) or "/" in name
            policy = load_policy(Path(name)) if is_path else bundled_policy(name)
            self._loaded[name] = policy
        return policy


def _instant(text: str | None, column: str, line: int, ticket_id: str) -> datetime | None:
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RowError(line, f"{column}: malformed date {text!r} (ISO 8601 expected)",
                       ticket_id) from None
    if moment.tzinfo is None:
        raise RowError(line, f"{column}: {text!r} has no UTC offset; write e.g. "
                             f"2026-11-20T17:30:00-05:00", ticket_id)
    return moment


def _text(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _seconds(value: timedelta | None) -> str:
    return "" if value is None else seconds_text(value // _ONE_US)


def _report_results(ticket_id: str, policy: str, report: SLAReport) -> list[Result]:
    results: list[Result] = []
    for name, metric in report.items():
        overrun = None
        if metric.status == "breached" and metric.due is not None:
            overrun = (metric.stopped_at or report.now) - metric.due
        results.append((ticket_id, policy, report.ticket.tier, metric.priority or "", name,
                        metric.status, metric.target or "", _text(metric.due),
                        _text(metric.stopped_at),
                        _seconds(None if metric.length is None else metric.elapsed),
                        _seconds(metric.remaining), _seconds(overrun), metric.reason or ""))
    return results


def rows_of_report(ticket_id: str, policy: str, report: SLAReport) -> list[dict[str, str]]:
    """Result rows (column -> text) of an evaluated ticket, as the batch report shows them.

    Example: a vircom P2 ticket -> two rows, ``metric`` ``response`` then ``resolution``.
    """
    return [dict(zip(RESULT_COLUMNS, result, strict=True))
            for result in _report_results(ticket_id, policy, report)]


def _checked(book: PolicyBook, row: Mapping[str, str | None], line: int,
             policy: str | None, now: datetime | None) -> list[Result]:
    """Validate one row field by field (the first problem becomes its `RowError`), then
    evaluate it as a `Ticket` with `Policy.evaluate`: the path of every row that is not
    clean, and the reference the column path is tested against."""
    ticket_id = (row.get("ticket_id") or "").strip()
    name = policy or (row.get("policy") or "").strip()
    try:
        if not name:
            raise RowError(line, "no policy (give a policy column or --policy)", ticket_id)
        book.get(name)
        for column in ("tier", "priority", "opened_at"):
            if not (row.get(column) or "").strip():
                raise RowError(line, f"{column}: missing", ticket_id)
        tier, priority = str(row["tier"]).strip(), str(row["priority"]).strip()
        opened = _instant(row.get("opened_at"), "opened_at", line, ticket_id)
        assert opened is not None
        events = []
        for column, kind in _STOPS.items():
            moment = _instant(row.get(column), column, line, ticket_id)
            if moment is not None:
                if moment < opened:
                    raise RowError(line, f"{column}: {moment.isoformat()} is before opened_at",
                                   ticket_id)
                events.append(Event(kind=kind, at=moment))
        if now is not None and now < opened:
            raise RowError(line, f"--now {now.isoformat()} is before opened_at", ticket_id)
        book.kind(name, tier, priority)  # an unknown tier or priority is named here
        changed = _instant(row.get("priority_changed_at"), "priority_changed_at", line,
                           ticket_id)
        if changed is not None:
            events.append(Event(kind="priority_changed", at=changed,
                                priority=(row.get("priority_changed_to") or "").strip()))
        ticket = Ticket(id=ticket_id or None, tier=tier, priority=priority, opened_at=opened,
                        attributes=_attributes(row), events=tuple(events))
        return _report_results(ticket_id, name, book.get(name).evaluate(ticket, now))
    except RowError:
        raise
    except (SlacalcError, ValidationError) as error:
        message = str(error).splitlines()[0] if isinstance(error, SlacalcError) else (
            f"{error.errors()[0]['loc']}: {error.errors()[0]['msg']}")
        raise RowError(line, message, ticket_id) from None


def evaluate_row(book: PolicyBook, row: Mapping[str, str | None], line: int, *,
                 policy: str | None = None, now: datetime | None = None) -> list[dict[str, str]]:
    """Result rows for one CSV row (``line`` numbers errors); `RowError` if it is bad.

    Boundary rule: a stop exactly at the due instant is met; stops after ``now`` are not
    applied; without ``now`` the ticket is judged as of its last event. Example:
    ``ticket_id=T1, policy=vircom, tier=standard, priority=P2,
    opened_at=2026-11-20T17:30:00-05:00, responded_at=2026-11-23T07:55:00-05:00`` ->
    response met (due Mon 08:00), resolution breached (due Sat 17:30).
    """
    return [dict(zip(RESULT_COLUMNS, result, strict=True))
            for result in _checked(book, row, line, policy, now)]


def _attributes(row: Mapping[str, str | None]) -> dict[str, str]:
    return {key: str(value).strip() for key, value in row.items()
            if key not in _KNOWN and key and value is not None and str(value).strip()}


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a header puts the columns the quick path reads."""

    width: int
    policy: int | None  # None when --policy names it
    tier: int
    priority: int
    opened: int
    ticket_id: int | None
    stops: tuple[tuple[str, int], ...]
    changed: int | None
    changed_to: int | None
    attributes: tuple[tuple[str, int], ...]

    @staticmethod
    def of(header: Sequence[str], policy: str | None) -> _Layout | None:
        """The layout, or None when rows of this header all take the checked path."""
        where = {name: index for index, name in enumerate(header)}
        needed = ("tier", "priority", "opened_at") if policy else (
            "policy", "tier", "priority", "opened_at")
        if len(where) != len(header) or any(name not in where for name in needed):
            return None
        return _Layout(len(header), None if policy else where["policy"], where["tier"],
                       where["priority"], where["opened_at"], where.get("ticket_id"),
                       tuple((kind, where[column]) for column, kind in _STOPS.items()
                             if column in where),
                       where.get("priority_changed_at"), where.get("priority_changed_to"),
                       tuple((name, index) for name, index in where.items()
                             if name and name not in _KNOWN))


def quick_plan(book: PolicyBook, name: str, tier: str, priority: str) -> Kind | None:
    """The plan and priority key of a ticket the columns may take; None when the names
    carry spaces or are unknown (the checked path then names the fault)."""
    if not all(part and part == part.strip() for part in (name, tier, priority)):
        return None
    try:
        return book.kind(name, tier, priority)
    except (SlacalcError, ValidationError):
        return None


def evaluate_rows(book: PolicyBook, header: Sequence[str],
                  rows: Iterable[tuple[int, Sequence[str]]], *, policy: str | None = None,
                  now: datetime | None = None) -> tuple[list[list[str]], list[RowError], int]:
    """Result columns of numbered CSV rows, the rows that failed, and the tickets evaluated.

    The result is column-major: one list per `RESULT_COLUMNS` entry, one item per ticket
    and metric, in input order. Clean rows are evaluated as columns (the kernel's replay
    over arrays); every other row goes through `evaluate_row`'s checked path. Boundary
    rule: every row gives exactly what `evaluate_row` gives it (its results or its
    `RowError`); a failed row never stops the others. Example: a header ``ticket_id,
    policy, tier, priority, opened_at`` and rows 2 (vircom P1) and 3 (priority ``P9``) ->
    two result rows for line 2 and a `RowError` for line 3.
    """
    numbered = list(rows)
    layout = _Layout.of(header, policy)
    columns: list[list[str]] = [[] for _ in RESULT_COLUMNS]
    clean = np.zeros(len(numbered), dtype=bool)
    if layout is not None and numbered:
        chunk, clean = _chunk(layout, [values for _, values in numbered], policy)
        columns, evaluated = evaluate_columns(chunk, partial(quick_plan, book),
                                              None if now is None else instant_us(now))
        clean &= evaluated
    errors: list[RowError] = []
    done: dict[int, list[Result]] = {}
    for index in np.flatnonzero(~clean).tolist():
        line, values = numbered[index]
        try:
            done[index] = _checked(book, dict(zip(header, values, strict=False)), line,
                                   policy, now)
        except RowError as error:
            errors.append(error)
    return merged(columns, clean, done), errors, len(numbered) - len(errors)


def _chunk(layout: _Layout, values: list[Sequence[str]],
           policy: str | None) -> tuple[Chunk, Bools]:
    """The rows as a chunk (their stops and priority change as events), and which rows
    have the header's width (the others take the checked path)."""
    count = len(values)
    clean = np.ones(count, dtype=bool)
    if set(map(len, values)) != {layout.width}:
        clean = np.array([len(row) == layout.width for row in values], dtype=bool)
        blank = [""] * layout.width
        values = [row if ok else blank for row, ok in zip(values, clean.tolist(), strict=True)]
    columns = list(zip(*values, strict=True))
    tickets: list[int] = []
    codes: list[int] = []
    cells: list[str] = []
    new: list[str | None] = []
    events = [(kind, index) for kind, index in layout.stops]
    if layout.changed is not None:
        events.append(("priority_changed", layout.changed))
    for kind, index in events:  # a row's events in the checked path's order
        for row, cell in enumerate(columns[index]):
            if cell:
                tickets.append(row)
                codes.append(CODES[kind])
                cells.append(cell)
                new.append(columns[layout.changed_to][row].strip()
                           if kind == "priority_changed" and layout.changed_to is not None
                           else None)
    names = columns[layout.policy] if layout.policy is not None else (policy or "",) * count
    ids = (list(map(str.strip, columns[layout.ticket_id])) if layout.ticket_id is not None
           else ("",) * count)
    attributes = [{name: row[index].strip() for name, index in layout.attributes
                   if row[index].strip()} for row in values] if layout.attributes else (
        [{}] * count)
    total = len(tickets)
    chunk = Chunk(ids, names, columns[layout.tier], columns[layout.priority],
                  parse_instants(columns[layout.opened]), attributes,
                  np.array(tickets, dtype=np.int64).reshape(total),
                  np.array(codes, dtype=np.int64).reshape(total),
                  parse_instants(cells), new, np.ones(total, dtype=bool), [True] * total)
    return chunk, clean


def evaluate_json(book: PolicyBook, text: str, line: int, *, policy: str | None = None,
                  now: datetime | None = None) -> list[Result]:
    """Result rows for one JSONL line: a `Ticket` plus its ``policy``.

    A line in the usual shape goes straight to the kernel (its instants read once, no
    model built); any other line is validated as a `Ticket`, whose error is the row's.
    Boundary rule: the ticket's own ``policy`` key gives way to ``policy`` when one is
    given. Example: ``{"policy": "vircom", "tier": "standard", "priority": "P1",
    "opened_at": "2026-11-20T17:30:00-05:00", "events": []}`` -> two running metrics.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RowError(line, f"malformed JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(data, dict):
        raise RowError(line, "expected a JSON object (a ticket)")
    ticket_id = str(data.get("id") or "")
    name = policy or str(data.pop("policy", "") or "")
    if policy:
        data.pop("policy", None)
    try:
        if not name:
            raise RowError(line, "no policy (give a policy key or --policy)", ticket_id)
        plain = _plain_ticket(data)
        if plain is not None:
            return _replayed(book, name, ticket_id, plain, now)
        ticket = Ticket.model_validate(data)
        return _report_results(ticket_id, name, book.get(name).evaluate(ticket, now))
    except RowError:
        raise
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RowError(line, f"{where}: {first['msg']}", ticket_id) from None
    except SlacalcError as error:
        raise RowError(line, str(error).splitlines()[0], ticket_id) from None


_TICKET_KEYS = frozenset({"id", "tier", "priority", "opened_at", "attributes", "events"})
_EVENT_KEYS = frozenset({"kind", "at", "priority", "confirmed", "answered", "note"})
_PlainEvent = tuple[str, datetime, str | None, bool, bool | None]
_PlainTicket = tuple[str, str, datetime, dict[str, str], list[_PlainEvent]]


def _aware(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _plain_ticket(data: dict[str, object]) -> _PlainTicket | None:
    """The ticket's fields when the line has the usual shape (known keys, text where text
    is due, aware instants), else None: the model then validates it and names the fault."""
    tier, priority, events = data.get("tier"), data.get("priority"), data.get("events", [])
    attributes = data.get("attributes", {})
    opened = _aware(data.get("opened_at"))
    if (not _TICKET_KEYS.issuperset(data) or not isinstance(tier, str)
            or not isinstance(priority, str) or opened is None
            or not isinstance(events, list) or not isinstance(attributes, dict)
            or not all(isinstance(value, str) for value in attributes.values())
            or not (data.get("id") is None or isinstance(data.get("id"), str))):
        return None
    found: list[_PlainEvent] = []
    for event in events:
        if not isinstance(event, dict) or not _EVENT_KEYS.issuperset(event):
            return None
        kind, at = event.get("kind"), _aware(event.get("at"))
        new, confirmed = event.get("priority"), event.get("confirmed", True)
        answered, note = event.get("answered"), event.get("note")
        if (not isinstance(kind, str) or at is None or not isinstance(confirmed, bool)
                or not (new is None or isinstance(new, str))
                or not (answered is None or isinstance(answered, bool))
                or not (note is None or isinstance(note, str))):
            return None
        found.append((kind, at, new, confirmed, answered))
    return tier, priority, opened, attributes, found


def _replayed(book: PolicyBook, name: str, ticket_id: str, ticket: _PlainTicket,
              now: datetime | None) -> list[Result]:
    """The kernel's verdicts on a plain ticket, as result rows (no datetime in between)."""
    tier, priority, opened_at, attributes, events = ticket
    kind = book.kind(name, tier, priority)
    opened = instant(opened_at, "opened_at")

    def shown(index: int) -> str:
        return (opened_at if index < 0 else events[index][1]).isoformat()

    ordered = order_events(kind.plan, opened, ((event[0], instant(event[1], "at"), *event[2:])
                                               for event in events), shown)
    moment = None if now is None else later_than_opening(now, opened_at)
    state = replay(kind.plan, kind.key, opened, attributes, ordered, now=moment)
    offset = opened_at.utcoffset()
    assert offset is not None
    return result_rows(ticket_id, name, tier, [judge(state, clock) for clock in state.clocks],
                       now=state.now, offset=offset // _ONE_US,
                       stop_text=lambda index: "" if index is None
                       else events[index][1].isoformat())
