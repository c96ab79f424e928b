"""The audit of one batch in bulk: the desk's verdicts checked and the contract's read as
columns, compared with numpy over the batch.

Only what disagrees or cannot be compared becomes objects (`DeskVerdict`, `Contract`,
`AuditRowError`): the agreeing verdicts (most of any desk worth auditing) go from columns
straight to their rows. The checks are those of `slacalc.sources._audit_tables`: a batch
whose verdict rows are not all plain, already-clean values (text without surrounding
spaces, a due instant in a form `parse_instants` takes, whole seconds) is checked row by
row there (`desk_verdicts`), with the same result.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, repeat
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from ..batch._instants import parse_instants, text_array
from ..batch._results import RESULT_COLUMNS
from ..batch._rows import PolicyBook
from ..engine._zone import instant_us
from ..sla.plan import METRICS
from ._audit_tables import (
    AuditRowError,
    Contract,
    DeskVerdict,
    desk_verdicts,
    result_columns,
    seconds_us,
)

__all__ = ["ContractColumns", "DeskColumns", "compared", "events_of", "tickets_by_id"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_SECOND_US = 1_000_000
_EXACT = 2.0**53  # floats below it that are whole are exactly that integer
_KEYS = ("ticket_id", "metric", "breached", "due_at", "elapsed_seconds", "desk_metric",
         "source")
_METRICS = frozenset(METRICS)
_FLAGS = frozenset({bool, type(None)})
_AT = {name: index for index, name in enumerate(RESULT_COLUMNS)}


def _clean(column: list[Any], *, empty: bool) -> bool:
    """Every value is text without surrounding spaces (and not empty, unless ``empty``):
    checked at C speed."""
    return (set(map(type, column)) == {str} and list(map(str.strip, column)) == column
            and (empty or "" not in column))


@dataclass(slots=True)
class DeskColumns:
    """The desk's checked verdicts as columns (instants and lengths in µs; ``has_due``,
    ``has_elapsed``: the desk gave one)."""

    position: list[int]  # each verdict's index in the verdict rows given
    ticket_id: list[str]
    metric: list[str]
    breached: list[bool | None]
    due: Ints
    has_due: Bools
    due_text: list[str]
    elapsed: Ints
    has_elapsed: Bools
    desk_metric: list[str]
    source: list[str]

    @classmethod
    def of(cls, verdicts: Sequence[DeskVerdict]) -> DeskColumns:
        """Verdicts already checked one by one, as columns."""
        def ints(values: Iterable[int | None]) -> tuple[Ints, Bools]:
            found = list(values)
            return (np.array([value or 0 for value in found], dtype=np.int64).reshape(-1),
                    np.array([value is not None for value in found], dtype=bool).reshape(-1))

        due, has_due = ints(desk.due for desk in verdicts)
        elapsed, has_elapsed = ints(desk.elapsed for desk in verdicts)
        return cls(position=[desk.position for desk in verdicts],
                   ticket_id=[desk.ticket_id for desk in verdicts],
                   metric=[desk.metric for desk in verdicts],
                   breached=[desk.breached for desk in verdicts], due=due, has_due=has_due,
                   due_text=[desk.due_text for desk in verdicts], elapsed=elapsed,
                   has_elapsed=has_elapsed, desk_metric=[desk.desk_metric for desk in verdicts],
                   source=[desk.source for desk in verdicts])

    def __len__(self) -> int:
        return len(self.position)

    def verdict(self, index: int) -> DeskVerdict:
        """Verdict ``index`` as a `DeskVerdict`."""
        return DeskVerdict(
            self.position[index], self.ticket_id[index], self.metric[index],
            self.breached[index], int(self.due[index]) if self.has_due[index] else None,
            self.due_text[index], int(self.elapsed[index]) if self.has_elapsed[index] else None,
            self.desk_metric[index], self.source[index])

    def scheduled(self, now_us: int) -> None:
        """A breach dated at or after ``now`` has not happened yet (Zendesk writes its
        ``breach`` metric events ahead, at the target): that verdict becomes undecided
        (``breached`` None, its due kept). A breach exactly at ``now`` has not happened."""
        ahead = np.flatnonzero(self.has_due & (self.due >= now_us)).tolist()
        for index in ahead:
            if self.breached[index] is True:
                self.breached[index] = None


def desk_columns(rows: Sequence[Mapping[str, object]]
                 ) -> tuple[DeskColumns, list[AuditRowError]]:
    """The desk's verdict rows checked (as `desk_verdicts`), as columns, and the errors.

    Boundary rule: the same verdicts and errors as `desk_verdicts`; a batch holding any
    row that is not plain and clean is checked by it row by row. Example: one row
    ``{"ticket_id": "T1", "metric": "response", "breached": False, "due_at":
    "2026-11-23T13:00:00Z", "elapsed_seconds": 3300.0, ...}`` -> due 13:00 UTC in µs,
    elapsed 3,300,000,000 µs.
    """
    quick = _quick(rows)
    if quick is None:
        good, bad = desk_verdicts(rows)
        return DeskColumns.of(good), bad
    return quick, []


def _quick(rows: Sequence[Mapping[str, object]]) -> DeskColumns | None:
    """`desk_columns` of rows that are all plain and clean; None for any other batch."""
    if set(map(type, rows)) - {dict}:
        return None
    plain = cast(Sequence[dict[str, object]], rows)
    count = len(plain)
    column = {key: list(map(dict.get, plain, repeat(key))) for key in _KEYS}
    if not (_clean(column["ticket_id"], empty=False) and _clean(column["source"], empty=False)
            and _clean(column["desk_metric"], empty=True)
            and set(column["metric"]) <= _METRICS
            and set(map(type, column["breached"])) <= _FLAGS):
        return None
    dues = column["due_at"]
    if not set(map(type, dues)) <= {str, type(None)}:
        return None
    texts = [value or "" for value in cast(list[str | None], dues)]
    parsed = parse_instants(texts)
    if parsed.bad.any():
        return None
    given = column["elapsed_seconds"]
    if not set(map(type, given)) <= {float, type(None)}:
        return None
    timed = np.array([value is not None for value in given], dtype=bool).reshape(count)
    seconds = np.array([0.0 if value is None else value for value in given],
                       dtype=np.float64).reshape(count)
    whole = seconds[timed]
    if not (np.isfinite(whole) & (whole >= 0) & (whole < _EXACT)
            & (whole == np.floor(whole))).all():
        return None
    elapsed = np.zeros(count, dtype=np.int64)
    elapsed[timed] = whole.astype(np.int64) * _SECOND_US
    return DeskColumns(position=list(range(count)),
                       ticket_id=cast(list[str], column["ticket_id"]),
                       metric=cast(list[str], column["metric"]),
                       breached=cast("list[bool | None]", column["breached"]),
                       due=parsed.us, has_due=parsed.present, due_text=texts,
                       elapsed=elapsed, has_elapsed=timed,
                       desk_metric=cast(list[str], column["desk_metric"]),
                       source=cast(list[str], column["source"]))


class ContractColumns:
    """slacalc's result rows of a batch as columns, keyed by (ticket id, metric), and the
    fault of each ticket id that failed."""

    def __init__(self, columns: Sequence[Sequence[str]]) -> None:
        ids = list(map(str.strip, columns[_AT["ticket_id"]]))
        status = list(columns[_AT["status"]])
        metrics = columns[_AT["metric"]]
        self.failed: dict[str, str] = {}
        failing = [index for index, text in enumerate(status) if text == "error"] \
            if "error" in status else []
        for index in failing:
            ticket_id = ids[index]
            reason = columns[_AT["reason"]][index]
            reason = reason.removeprefix("events row ") if reason.startswith(
                "events row ") else reason.removeprefix("row ")
            self.failed[ticket_id] = "; ".join(filter(None, (self.failed.get(ticket_id),
                                                             reason)))
        self.paired: dict[str, int] | None = None  # ticket id -> its response row
        if not failing and ids[0::2] == ids[1::2] and set(metrics[0::2]) <= {METRICS[0]} \
                and set(metrics[1::2]) <= {METRICS[1]}:  # each ticket's two rows in turn
            self.paired = dict(zip(ids[0::2], range(0, len(ids), 2), strict=True))
            self.keyed: dict[tuple[str, str], int] = {}
        elif failing:
            kept = set(range(len(ids))) - set(failing)
            self.keyed = {key: index for index, key in enumerate(zip(ids, metrics, strict=True))
                          if index in kept}
        else:
            self.keyed = dict(zip(zip(ids, metrics, strict=True), range(len(ids)),
                                  strict=True))
        self.policy, self.tier, self.priority = (columns[_AT[name]] for name in (
            "policy", "tier", "priority"))
        self.status, self.reason = status, columns[_AT["reason"]]
        self.due_text = columns[_AT["due"]]
        parsed = parse_instants(self.due_text)
        self.due, self.has_due = parsed.us.copy(), parsed.present.copy()
        for index in np.flatnonzero(parsed.present & parsed.bad).tolist():
            self.due[index] = instant_us(datetime.fromisoformat(self.due_text[index]))
        self.elapsed, self.has_elapsed = _lengths(columns[_AT["elapsed_seconds"]])
        self.breached = text_array(status) == "breached"

    def rows(self, ticket_ids: Sequence[str], metrics: Sequence[str]) -> Ints:
        """The row of each (ticket id, metric) pair; -1 where there is none."""
        count = len(ticket_ids)
        if self.paired is not None:
            first = np.fromiter(map(self.paired.get, ticket_ids, repeat(-1)), dtype=np.int64,
                                count=count)
            second = text_array(metrics) == METRICS[1]
            found: Ints = np.where(first >= 0, first + second, -1)
            return found
        return np.fromiter(map(self.keyed.get, zip(ticket_ids, metrics, strict=True),
                               repeat(-1)), dtype=np.int64, count=count)

    def contract(self, index: int) -> Contract:
        """Row ``index`` as a `Contract`."""
        return Contract(self.policy[index], self.tier[index], self.priority[index],
                        self.status[index],
                        int(self.due[index]) if self.has_due[index] else None,
                        self.due_text[index],
                        int(self.elapsed[index]) if self.has_elapsed[index] else None,
                        self.reason[index])


def contract_columns(tickets: Sequence[Mapping[str, object]],
                     events: Sequence[Mapping[str, object]], now: datetime,
                     policy: str | None, *,
                     labels: tuple[Sequence[str], Sequence[str]] | None = None,
                     book: PolicyBook | None = None) -> ContractColumns:
    """slacalc's verdicts of a batch, every ticket evaluated in bulk (`result_columns`),
    as columns.

    Boundary rule: as `result_columns` (a failed ticket's fault in ``failed``, none of
    its rows keyed). Example: a vircom P2 ticket opened Fri
    2026-11-20 17:30 -05:00 and its ``responded`` event Mon 07:55 -> the key ``("T1",
    "response")``: met, due ``2026-11-23T08:00:00-05:00``, elapsed 3300 s.
    """
    return ContractColumns(result_columns(tickets, events, now, policy, labels=labels,
                                          book=book))


def _lengths(texts: Sequence[str]) -> tuple[Ints, Bools]:
    """A seconds column of result rows in µs, and which cells hold one (whole seconds
    read at once; any other, such as ``1.500000``, by `seconds_us`)."""
    cells = text_array(texts)
    given = cells != ""
    found = np.zeros(len(texts), dtype=np.int64)
    if given.any():
        held = cells[given].astype(str)
        whole = np.strings.isdigit(held)  # ASCII digits (checked below) only
        if not "".join(held.tolist()).isascii():
            whole &= np.array([text.isascii() for text in held.tolist()], dtype=bool)
        numbers = np.zeros(len(held), dtype=np.int64)
        numbers[whole] = held[whole].astype(np.int64) * _SECOND_US
        for index in np.flatnonzero(~whole).tolist():
            numbers[index] = seconds_us(str(held[index])) or 0
        found[given] = numbers
    return found, given


class Compared:
    """Each desk verdict compared: its contract row (-1: none) and which fields differ."""

    def __init__(self, desk: DeskColumns, contract: ContractColumns) -> None:
        count = len(desk)
        self.row = row = contract.rows(desk.ticket_id, desk.metric)
        known = row >= 0
        at = np.where(known, row, 0)
        given = np.array([value is not None for value in desk.breached],
                         dtype=bool).reshape(count)
        said = np.array([value is True for value in desk.breached], dtype=bool).reshape(count)
        self.breached = known & given & (said != contract.breached[at])
        self.due = known & desk.has_due & (~contract.has_due[at] | (
            np.abs(desk.due - contract.due[at]) >= _SECOND_US))
        self.elapsed = known & desk.has_elapsed & (~contract.has_elapsed[at] | (
            np.abs(desk.elapsed - contract.elapsed[at]) >= _SECOND_US))
        self.known = known

    def differences(self, index: int) -> list[str]:
        """The fields verdict ``index`` differs on, in the audit's order."""
        return [name for name, differs in (("breached", self.breached), ("due", self.due),
                                           ("elapsed", self.elapsed)) if differs[index]]


def compared(verdicts: Sequence[Mapping[str, object]], tickets: Sequence[Mapping[str, object]],
             events: Sequence[Mapping[str, object]], now: datetime, policy: str | None, *,
             labels: tuple[Sequence[str], Sequence[str]] | None, book: PolicyBook,
             ids: Collection[str]
             ) -> tuple[DeskColumns, ContractColumns, Compared, list[AuditRowError]]:
    """A batch's desk verdicts checked (and read as of ``now``), its tickets evaluated in
    bulk, and each verdict compared (``ids``: the ticket ids that have a row).

    Boundary rule: a verdict without a contract row is an `AuditRowError`: its ticket has
    no row, or it failed (the fault given). Example: see `audit_parts`.
    """
    desk, errors = desk_columns(verdicts)
    desk.scheduled(instant_us(now))
    contract = contract_columns(tickets, events, now, policy, labels=labels, book=book)
    found = Compared(desk, contract)
    for index in np.flatnonzero(~found.known).tolist():
        ticket_id = desk.ticket_id[index]
        reason = (f"ticket_id {ticket_id!r} has no ticket row" if ticket_id not in ids else
                  f"ticket not evaluated: {contract.failed.get(ticket_id, 'no verdict')}")
        errors.append(AuditRowError(desk.source[index], ticket_id, reason,
                                    desk.position[index]))
    return desk, contract, found, errors


def tickets_by_id(tickets: Sequence[Mapping[str, object]]) -> dict[str, Mapping[str, object]]:
    """Each ticket row by its id (the first row of an id; ids stripped), the rows of
    plain dicts with clean text ids taken at C speed.

    Example: rows of ids ``T1``, ``T2``, ``T1`` -> ``{"T1": first row, "T2": ...}``.
    """
    if not set(map(type, tickets)) - {dict}:
        keys = list(map(dict.get, cast(Sequence[dict[str, object]], tickets),
                        repeat("ticket_id")))
        if set(map(type, keys)) == {str} and list(map(str.strip, cast(list[str], keys))) \
                == keys:
            return dict(zip(reversed(cast(list[str], keys)), reversed(tickets), strict=True))
    found: dict[str, Mapping[str, object]] = {}
    for row in tickets:
        found.setdefault(str(row.get("ticket_id") or "").strip(), row)
    return found


def events_of(wanted: set[str], events: Sequence[Mapping[str, object]]
               ) -> dict[str, list[Mapping[str, object]]]:
    """The event rows of the tickets ``wanted``, by ticket id (each in the given order);
    the rows of plain dicts whose ids are clean text are picked at C speed.

    Example: ``{"T1"}`` and events of T1, T2, T1 -> ``{"T1": [first, third]}``.
    """
    grouped: dict[str, list[Mapping[str, object]]] = {}
    if not wanted:
        return grouped
    if not set(map(type, events)) - {dict}:
        keys = list(map(dict.get, cast(Sequence[dict[str, object]], events),
                        repeat("ticket_id")))
        if set(map(type, keys)) == {str} and list(map(str.strip, cast(list[str], keys))) \
                == keys:
            for event in compress(events, map(wanted.__contains__, keys)):
                grouped.setdefault(cast(str, event["ticket_id"]), []).append(event)
            return grouped
    for event in events:
        key = str(event.get("ticket_id") or "").strip()
        if key in wanted:
            grouped.setdefault(key, []).append(event)
    return grouped
