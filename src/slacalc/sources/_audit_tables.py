"""The audit's inputs as the batch reads them, and the contract's verdicts in bulk.

A converted export (`slacalc.sources`) is three lists of dict rows: tickets and events in
the event-log layout (docs/cli.md), and the desk's own verdicts. Here the first two
become text cells and go through the event-log evaluation of `slacalc.batch` in one
pass (`evaluate_cells`, the path of ``slacalc report --events`` and `evaluate_frame`),
and the desk's verdicts are checked field by field, a bad one a located `AuditRowError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import chain, repeat
from typing import cast

from ..batch._results import RESULT_COLUMNS
from ..batch._rows import PolicyBook
from ..batch._tables import evaluate_cells, evaluate_columns_of
from ..engine._zone import instant_us
from ..errors import SlacalcError
from ..sla.plan import METRICS
from ..sla.ticket import Event, Ticket

__all__ = ["AuditRowError", "Contract", "DeskVerdict", "cells", "desk_verdicts",
           "result_columns", "seconds_us", "ticket_of"]

_SECOND_US = 1_000_000
_EXACT = 2.0**53  # floats below it that are whole are exactly that integer
_TICKET_KEYS = ("ticket_id", "policy", "tier", "priority", "opened_at")
_EVENT_KEYS = ("ticket_id", "at", "kind", "priority", "tier", "answered", "confirmed", "note")


class AuditRowError(SlacalcError, ValueError):
    """A desk verdict that cannot be compared: its ticket has no row, or cannot be
    evaluated, or the verdict itself is malformed. ``source`` is where the desk wrote it
    (``task_sla.csv:17``)."""

    def __init__(self, source: str, ticket_id: str, reason: str, position: int = 0) -> None:
        where = f"{source} ({ticket_id})" if ticket_id else source
        super().__init__(f"{where}: {reason}")
        self.source, self.ticket_id, self.reason = source, ticket_id, reason
        self.position = position  # the verdict's index in the verdicts given


@dataclass(frozen=True, slots=True)
class DeskVerdict:
    """One verdict of the desk, checked: instants and lengths in µs (None: not given)."""

    position: int  # its index in the verdicts given
    ticket_id: str
    metric: str
    breached: bool | None
    due: int | None
    due_text: str
    elapsed: int | None
    desk_metric: str
    source: str


@dataclass(frozen=True, slots=True)
class Contract:
    """slacalc's verdict on one ticket and metric, as the batch report wrote it."""

    policy: str
    tier: str
    priority: str
    status: str
    due: int | None
    due_text: str
    elapsed: int | None
    reason: str

    @property
    def breached(self) -> bool:
        """The contract says breached: stopped after due, or still open past it."""
        return self.status == "breached"


def _cell(value: object) -> str:
    """A row value as the text cell the batch reads ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cells(rows: Sequence[Mapping[str, object]], first: Sequence[str]
          ) -> tuple[list[str], list[list[str]]]:
    """Dict rows as a header (``first``, then every other key in order of appearance)
    and rows of text cells ("" where a row lacks a key).

    Example: ``[{"ticket_id": "T1", "kind": "responded"}]``, ``("ticket_id", "at",
    "kind")`` -> ``(["ticket_id", "at", "kind"], [["T1", "", "responded"]])``.
    """
    header = list(first)
    seen = set(header)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                header.append(key)
    return header, [[value if type(value) is str else _cell(value)
                     for value in map(row.get, header)] for row in rows]


def _columns(rows: Sequence[Mapping[str, object]], first: Sequence[str]
             ) -> tuple[list[str], list[list[str]]] | None:
    """`cells` of rows that are all plain dicts, as a header and text columns (each read
    at C speed, its values checked at once); None when a row is not a plain dict."""
    if set(map(type, rows)) - {dict}:
        return None
    plain = cast(Sequence[dict[str, object]], rows)
    header = list(dict.fromkeys(chain(first, chain.from_iterable(plain))))
    columns = []
    for name in header:
        column: list[object] = list(map(dict.get, plain, repeat(name)))
        if set(map(type, column)) != {str}:
            column = [value if type(value) is str else _cell(value) for value in column]
        columns.append(cast(list[str], column))
    return header, columns


def seconds_us(text: str) -> int | None:
    """A seconds cell of a result row in µs (None when empty).

    Example: ``"90"`` -> ``90_000_000``; ``"1.500000"`` -> ``1_500_000``.
    """
    if not text:
        return None
    if text.isdigit() and text.isascii():  # whole seconds, as the batch mostly writes
        return int(text) * _SECOND_US
    return int(Decimal(text) * _SECOND_US)


def result_columns(tickets: Sequence[Mapping[str, object]],
                   events: Sequence[Mapping[str, object]], now: datetime,
                   policy: str | None, *,
                   labels: tuple[Sequence[str], Sequence[str]] | None = None,
                   book: PolicyBook | None = None) -> list[list[str]]:
    """The result columns (`RESULT_COLUMNS` order) of every ticket evaluated in bulk, as
    ``slacalc report --events`` evaluates an event log; a bad ticket's row has the status
    ``error`` and its fault as the reason.

    Boundary rule: as of ``now``, events after it not applied; a bad ticket or event row
    fails its ticket (the message names the row by ``labels``, the tickets' and the
    events', else ``tickets[3]``, ``events[12]``, counted from 0). Example: a vircom P2
    ticket opened Fri 2026-11-20 17:30 -05:00 and its ``responded`` event Mon 07:55 ->
    two rows, the first response met, due ``2026-11-23T08:00:00-05:00``, elapsed 3300.
    """
    first = _TICKET_KEYS[:1] + _TICKET_KEYS[2:] if policy else _TICKET_KEYS
    ticket_labels, event_labels = labels or (
        [f"tickets[{i}]" for i in range(len(tickets))],
        [f"events[{i}]" for i in range(len(events))])
    ticket_columns, event_columns = _columns(tickets, first), _columns(events, _EVENT_KEYS[:3])
    if ticket_columns is not None and event_columns is not None:  # plain dicts: as columns
        return evaluate_columns_of(*ticket_columns, ticket_labels, policy=policy, now=now,
                                   events=(*event_columns, event_labels), book=book)
    header, ticket_cells = cells(tickets, first)
    event_header, event_cells = cells(events, _EVENT_KEYS[:3])
    rows = evaluate_cells(header, ticket_cells, ticket_labels, policy=policy, now=now,
                          events=(event_header, event_cells, event_labels), book=book)
    return [list(column) for column in zip(*rows, strict=True)] if rows else [
        [] for _ in RESULT_COLUMNS]


def _flag(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"breached: expected true, false or none, got {value!r}")


def _due(value: object) -> tuple[int | None, str]:
    if value is None or value == "":
        return None, ""
    if isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"due_at: expected ISO 8601 text, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"due_at: malformed instant {value!r} (ISO 8601 with a UTC offset "
                         f"expected)") from None
    if moment.tzinfo is None:
        raise ValueError(f"due_at: {value!r} has no UTC offset")
    return instant_us(moment), value.strip()


def _elapsed(value: object) -> int | None:
    if value is None or value == "":
        return None
    if type(value) is float and value.is_integer() and 0 <= value < _EXACT:
        return int(value) * _SECOND_US  # a whole number of seconds: exact, as below
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"elapsed_seconds: expected a number of seconds, got {value!r}")
    try:
        seconds = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"elapsed_seconds: not a number: {value!r}") from None
    if not seconds.is_finite() or seconds < 0 or (isinstance(value, float)
                                                   and not math.isfinite(value)):
        raise ValueError(f"elapsed_seconds: expected a length of 0 or more, got {value!r}")
    return int(seconds * _SECOND_US)


def desk_verdicts(rows: Sequence[Mapping[str, object]]
                  ) -> tuple[list[DeskVerdict], list[AuditRowError]]:
    """The desk's verdict rows checked: the good ones, and an `AuditRowError` per bad one
    (a metric other than response or resolution, a ``breached`` that is not a bool or
    None, a naive or malformed ``due_at``, a negative ``elapsed_seconds``).

    Boundary rule: nothing is dropped: every row is a verdict or an error, named by its
    ``source`` (``verdicts[i]`` when it has none). Example: ``{"ticket_id": "T1",
    "metric": "response", "breached": False, "due_at": "2026-11-23T08:00:00-05:00",
    "elapsed_seconds": 3300.0, "desk_metric": "First reply time", "source":
    "ticket_metric_events.json:4"}`` -> a verdict due at 13:00 UTC, 3300 s used.
    """
    good: list[DeskVerdict] = []
    bad: list[AuditRowError] = []
    for position, row in enumerate(rows):
        source = _cell(row.get("source")).strip() or f"verdicts[{position}]"
        ticket_id = _cell(row.get("ticket_id")).strip()
        metric = _cell(row.get("metric")).strip()
        try:
            if not ticket_id:
                raise ValueError("ticket_id: missing")
            if metric not in METRICS:
                raise ValueError(f"metric: expected response or resolution, got {metric!r}")
            due, due_text = _due(row.get("due_at"))
            good.append(DeskVerdict(position, ticket_id, metric, _flag(row.get("breached")),
                                    due, due_text, _elapsed(row.get("elapsed_seconds")),
                                    _cell(row.get("desk_metric")).strip(), source))
        except ValueError as error:
            bad.append(AuditRowError(source, ticket_id, str(error), position))
    return good, bad


def ticket_of(row: Mapping[str, object], events: Sequence[Mapping[str, object]]) -> Ticket:
    """The `Ticket` of a tickets row and its event rows (already evaluated in bulk, so
    valid), for `Policy.evaluate`: the one-ticket path that gives ``explain``.

    Example: ``{"ticket_id": "T1", "tier": "standard", "priority": "P2", "opened_at":
    "2026-11-20T17:30:00-05:00", "category": "usage"}`` and one ``responded`` row ->
    a Ticket with attribute ``category=usage`` and one event.
    """
    attributes = {key: _cell(value).strip() for key, value in row.items()
                  if key not in _TICKET_KEYS and key and _cell(value).strip()}
    found = []
    for event in events:
        answered = _cell(event.get("answered")).strip().casefold()
        confirmed = _cell(event.get("confirmed")).strip().casefold()
        found.append(Event.model_validate({
            "kind": _cell(event.get("kind")).strip(),
            "at": datetime.fromisoformat(_cell(event.get("at")).strip()),
            "priority": _cell(event.get("priority")).strip() or None,
            "tier": _cell(event.get("tier")).strip() or None,
            "answered": None if not answered else answered in {"true", "yes", "1"},
            "confirmed": confirmed not in {"false", "no", "0"},
            "note": _cell(event.get("note")).strip() or None}))
    return Ticket(id=_cell(row.get("ticket_id")).strip() or None,
                  tier=_cell(row.get("tier")).strip(),
                  priority=_cell(row.get("priority")).strip(),
                  opened_at=datetime.fromisoformat(_cell(row.get("opened_at")).strip()),
                  attributes=attributes, events=tuple(found))
