"""Audit: a help desk's own SLA verdicts checked against the written contract.

A converted export (`slacalc.sources`) holds the tickets and events (the event-log
layout) and the desk's verdicts (``ticket_id, metric, breached, due_at,
elapsed_seconds, desk_metric, source``). `audit_report` evaluates every ticket with the
kernel in bulk, as ``slacalc report --events`` does, compares each desk verdict with the
contract's, and re-evaluates only the tickets that disagree one by one, for the
explanation (`SLAReport.explain`), the policy line of the target, and the reason
(`slacalc.sources._audit_reasons`: ``holiday``, ``forbidden_pause``,
``priority_change``, ``dst`` or ``unexplained``).

What is compared, when the desk gave it (docs/sources.md, "Audit"):

* ``breached``: the contract's verdict is breached when slacalc's status is
  ``breached`` (stopped after due, or still open past it); ``met``, ``running``,
  ``paused``, ``void`` and ``no_target`` are not breached;
* ``due``: the due instants, compared as instants; they agree when less than one second
  apart (a desk writes seconds; a second or more is a difference); a contract without a
  due (void, no target) differs from any desk due;
* ``elapsed``: the business time counted, under the same tolerance.

Rows come in this order: ``costly`` (the desk says met, the contract breached: the
verdicts that cost money), other disagreements (``disagrees``), verdicts that could not
be compared (``error``: no ticket row, a ticket that cannot be evaluated, a malformed
verdict; located by the verdict's ``source``), then ``agrees``; each group in the
verdicts' order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..batch._rows import PolicyBook
from ..engine._zone import require_aware
from ..errors import SlacalcError, TicketError
from ..policy import Policy
from ..sla import SLAReport, Ticket
from ._audit_bulk import ContractColumns, DeskColumns, Ints, compared, events_of, tickets_by_id
from ._audit_desk import desk_pause
from ._audit_reasons import REASONS, Case, reason_for
from ._audit_rows import AUDIT_COLUMNS, FINDINGS, Agreeing
from ._audit_tables import AuditRowError, Contract, DeskVerdict, ticket_of

__all__ = ["AUDIT_COLUMNS", "FINDINGS", "REASONS", "AuditReport", "AuditRowError", "audit",
           "audit_report"]

_SECOND = 1_000_000
_EMPTY: Any = ""
_BOOK: PolicyBook | None = None


def _now(now: datetime | str) -> datetime:
    if isinstance(now, str):
        try:
            now = datetime.fromisoformat(now)
        except ValueError:
            raise TicketError(f"now: malformed instant {now!r} (ISO 8601 with a UTC offset "
                              f"expected)") from None
    return require_aware(now, "now")


def _seconds(us: int | None) -> float | None:
    return None if us is None else us / _SECOND


def _row(desk: DeskVerdict, contract: Contract | None, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(AUDIT_COLUMNS, _EMPTY) | {
        "ticket_id": desk.ticket_id, "metric": desk.metric, "desk_metric": desk.desk_metric,
        "desk_breached": desk.breached, "contract_breached": None, "desk_due": desk.due_text,
        "due_difference_seconds": None, "desk_elapsed_seconds": _seconds(desk.elapsed),
        "contract_elapsed_seconds": None, "source": desk.source}
    if contract is not None:
        row |= {"policy": contract.policy, "tier": contract.tier,
                "priority": contract.priority, "contract_breached": contract.breached,
                "contract_status": contract.status, "contract_due": contract.due_text,
                "contract_elapsed_seconds": _seconds(contract.elapsed),
                "due_difference_seconds": None if desk.due is None or contract.due is None
                else (desk.due - contract.due) / _SECOND}
    return row | values


def _agreeing(desk: DeskColumns, contract: ContractColumns, rows: Ints, indices: Ints
              ) -> Agreeing:
    """The ``agrees`` rows of the desk verdicts ``indices`` (their contract rows in
    ``rows``), as columns: the values `_row` gives each."""
    mine = rows[indices]
    chosen, picked = indices.tolist(), mine.tolist()
    dated = desk.has_due[indices] & contract.has_due[mine]
    gap = np.where(dated, desk.due[indices] - contract.due[mine], 0) / _SECOND

    def known(values: Ints | Any, given: Any) -> list[float | None]:
        return [value if there else None for value, there in zip(
            values.tolist(), given.tolist(), strict=True)]

    def take(values: Sequence[Any], at: list[int]) -> list[Any]:
        return [values[index] for index in at]

    count = len(chosen)
    status = take(contract.status, picked)
    return Agreeing({
        "finding": ["agrees"] * count, "ticket_id": take(desk.ticket_id, chosen),
        "metric": take(desk.metric, chosen), "desk_metric": take(desk.desk_metric, chosen),
        "policy": take(contract.policy, picked), "tier": take(contract.tier, picked),
        "priority": take(contract.priority, picked), "difference": [""] * count,
        "reason": [""] * count, "detail": [""] * count,
        "desk_breached": take(desk.breached, chosen),
        "contract_breached": [text == "breached" for text in status],
        "contract_status": status, "desk_due": take(desk.due_text, chosen),
        "contract_due": take(contract.due_text, picked),
        "due_difference_seconds": known(gap, dated),
        "desk_elapsed_seconds": known(desk.elapsed[indices] / _SECOND,
                                      desk.has_elapsed[indices]),
        "contract_elapsed_seconds": known(contract.elapsed[mine] / _SECOND,
                                          contract.has_elapsed[mine]),
        "policy_line": [""] * count, "explain": [""] * count,
        "source": take(desk.source, chosen)}, count)


def count(counts: dict[tuple[str, str], list[int]], row: Mapping[str, Any]) -> None:
    """Add one audit row to ``counts``: per (metric, priority) and (metric, ``*``), the
    verdicts compared, agreeing and costly.

    Boundary rule: an ``error`` row (a verdict not compared) is not counted. Example:
    an ``agrees`` row of response P2 -> ``counts[("response", "P2")] == [1, 1, 0]`` and
    the same under ``("response", "*")``.
    """
    if row["finding"] == "error":
        return
    agree, costly = row["finding"] == "agrees", row["finding"] == "costly"
    for key in ((row["metric"], row["priority"]), (row["metric"], "*")):
        found = counts.setdefault(key, [0, 0, 0])
        found[0] += 1
        found[1] += agree
        found[2] += costly


def summarised(counts: Mapping[tuple[str, str], Sequence[int]]) -> list[dict[str, Any]]:
    """`AuditReport.summary` of the ``counts`` gathered by `count`: response first, each
    metric's priorities in order, then its ``*``.

    Boundary rule: the agreement is rounded to four places. Example: ``{("response",
    "P2"): [3, 2, 0]}`` -> ``[{"metric": "response", "priority": "P2", "verdicts": 3,
    "agree": 2, "disagree": 1, "costly": 0, "agreement": 0.6667}]``.
    """
    found = []
    for (metric, priority), (verdicts, agree, costly) in sorted(
            counts.items(), key=lambda item: (item[0][0] != "response", item[0][0],
                                              item[0][1] == "*", item[0][1])):
        found.append({"metric": metric, "priority": priority, "verdicts": verdicts,
                      "agree": agree, "disagree": verdicts - agree, "costly": costly,
                      "agreement": round(agree / verdicts, 4)})
    return found


@dataclass(frozen=True, slots=True)
class AuditReport:
    """An audit as plain rows: ``rows`` (dicts keyed by `AUDIT_COLUMNS`, in `FINDINGS`
    order), ``errors`` (the verdicts not compared, located) and the instant it is as of."""

    now: datetime
    rows: tuple[dict[str, Any], ...]
    errors: tuple[AuditRowError, ...]

    def costly(self) -> list[dict[str, Any]]:
        """The rows where the desk says met and the contract says breached.

        Boundary rule: ``desk_breached`` is False (not None: a desk that did not decide is
        not counted) and slacalc's status is ``breached``. Example: the desk met a P2
        response due 13:00 that the contract, keeping elapsed time over a priority
        change, had due at 10:00 -> one row, ``reason == "priority_change"``.
        """
        return [row for row in self.rows if row["finding"] == "costly"]

    def summary(self) -> list[dict[str, Any]]:
        """Agreement per metric and priority, then per metric over every priority
        (``priority`` ``*``): ``verdicts`` compared, ``agree``, ``disagree``, ``costly``
        and ``agreement`` (agree / verdicts). Verdicts not compared are not counted.

        Example: 3 response verdicts at P2, 2 agreeing -> ``{"metric": "response",
        "priority": "P2", "verdicts": 3, "agree": 2, "disagree": 1, "costly": 0,
        "agreement": 0.6667}`` (rounded to four places).
        """
        counts: dict[tuple[str, str], list[int]] = {}
        for row in self.rows:
            count(counts, row)
        return summarised(counts)

    def frame(self) -> Any:
        """The rows as a pandas DataFrame (`AUDIT_COLUMNS`): text as ``str``, the two
        ``*_breached`` as nullable ``boolean``, the seconds as ``float64`` (NaN: none);
        due instants stay text as written (the desk's as given, the contract's in the
        tier calendar's zone). Needs pandas.

        Boundary rule: one frame row per `rows` item, same order; an ``error`` row has
        NaN seconds and NA booleans on the contract's side. Example: ``frame()
        ["finding"][0]`` is ``"costly"`` when any verdict costs money.
        """
        import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415  (optional)

        columns: dict[str, Any] = {}
        for name in AUDIT_COLUMNS:
            values = [row[name] for row in self.rows]
            if name.endswith("_breached"):
                columns[name] = pd.Series(values, dtype="boolean")
            elif name.endswith("_seconds"):
                columns[name] = pd.Series([float("nan") if value is None else value
                                           for value in values], dtype="float64")
            else:
                columns[name] = pd.Series(values, dtype=str)
        return pd.DataFrame(columns, columns=list(AUDIT_COLUMNS))


def _book() -> PolicyBook:
    """The process's policies, loaded once (as the desk report's): every block of a
    streamed audit reads the same files."""
    global _BOOK  # noqa: PLW0603  (one policy cache per process)
    if _BOOK is None:
        _BOOK = PolicyBook()
    return _BOOK


def _explained(found: Sequence[tuple[DeskVerdict, Contract, list[str]]],
               tickets: Mapping[str, Mapping[str, object]],
               events: Mapping[str, list[Mapping[str, object]]], now: datetime, *,
               policy: str | None, paused: Mapping[str, Sequence[tuple[int, int | None]]]
               ) -> list[dict[str, Any]]:
    """The rows of the disagreeing verdicts: each ticket re-evaluated once by
    `Policy.evaluate`, for its explanation, its policy line and the reason."""
    book = _book()
    reports: dict[str, tuple[Policy, Ticket, SLAReport] | str] = {}
    others: dict[int, Policy | None] = {}
    rows = []
    texts: dict[str, str] = {}

    def explained(key: str, report: SLAReport) -> str:
        """The ticket's explain text, once per ticket (its verdicts share it)."""
        if key not in texts:
            texts[key] = report.explain()
        return texts[key]

    for desk, contract, differences in found:
        key = desk.ticket_id
        if key not in reports:
            try:
                owner = book.get(policy or contract.policy)
                ticket = ticket_of(tickets[key], events.get(key, []))
                reports[key] = (owner, ticket, owner.evaluate(ticket, now))
            except (SlacalcError, ValidationError, ValueError) as error:
                reports[key] = str(error).splitlines()[0]
        evaluated = reports[key]
        finding = "costly" if desk.breached is False and contract.breached else "disagrees"
        if isinstance(evaluated, str):
            rows.append(_row(desk, contract, finding=finding, difference=", ".join(
                differences), reason="unexplained", detail=f"cannot re-evaluate: {evaluated}"))
            continue
        owner, ticket, report = evaluated
        case = Case(owner, ticket, report, desk.metric, now=now, others=others,
                    desk_paused=tuple(paused.get(key, ())))
        reason, detail = reason_for(case, desk, (desk_pause,))
        rows.append(_row(desk, contract, finding=finding, difference=", ".join(differences),
                         reason=reason, detail=detail,
                         policy_line=report[desk.metric].source or "",
                         explain=explained(key, report)))
    return rows


@dataclass(frozen=True, slots=True)
class AuditParts:
    """One batch of verdicts audited, its rows by finding (each in the verdicts' order):
    `AuditReport.rows` is ``costly + disagrees + error_rows + agrees``; ``errors`` are the
    verdicts not compared, as located errors."""

    costly: list[dict[str, Any]]
    disagrees: list[dict[str, Any]]
    error_rows: list[dict[str, Any]]
    agrees: Agreeing  # as columns (`Agreeing.rows`: the dicts)
    errors: list[AuditRowError]


def audit_parts(tickets: Sequence[Mapping[str, object]],
                events: Sequence[Mapping[str, object]],
                verdicts: Sequence[Mapping[str, object]], now: datetime,
                policy: str | None = None, *,
                labels: tuple[Sequence[str], Sequence[str]] | None = None,
                desk_paused: Mapping[str, Sequence[tuple[int, int | None]]] | None = None
                ) -> AuditParts:
    """`audit_report`'s rows by finding, for one batch of tickets and the verdicts on
    them: a streamed audit (`slacalc.sources._audit_run`) calls it per converted block.

    Boundary rule: as `audit_report` (``now`` aware); a verdict whose ticket is not in
    ``tickets`` is an ``error`` (no ticket row). Example: the vircom P2 ticket of
    `audit_report` with the desk's due at 07:45 -> one row in ``disagrees``.
    """
    by_id = tickets_by_id(tickets)
    desk, contract, found, errors = compared(verdicts, tickets, events, now, policy,
                                             labels=labels, book=_book(), ids=by_id)
    differing = found.breached | found.due | found.elapsed
    agreeing = _agreeing(desk, contract, found.row, np.flatnonzero(found.known & ~differing))
    disagreeing = [(desk.verdict(index), contract.contract(int(found.row[index])),
                    found.differences(index)) for index in np.flatnonzero(differing).tolist()]
    grouped = events_of({verdict.ticket_id for verdict, _, _ in disagreeing}, events)
    explained = _explained(disagreeing, by_id, grouped, now, policy=policy,
                           paused=desk_paused or {})
    errors.sort(key=lambda error: error.position)
    error_rows = [dict.fromkeys(AUDIT_COLUMNS, _EMPTY) | {
        "finding": "error", "ticket_id": error.ticket_id, "detail": str(error),
        "source": error.source, "desk_breached": None, "contract_breached": None,
        "due_difference_seconds": None, "desk_elapsed_seconds": None,
        "contract_elapsed_seconds": None} for error in errors]
    return AuditParts([row for row in explained if row["finding"] == "costly"],
                      [row for row in explained if row["finding"] != "costly"],
                      error_rows, agreeing, errors)


def audit_report(tickets: Sequence[Mapping[str, object]],
                 events: Sequence[Mapping[str, object]],
                 verdicts: Sequence[Mapping[str, object]], now: datetime | str,
                 policy: str | None = None, *,
                 labels: tuple[Sequence[str], Sequence[str]] | None = None,
                 desk_paused: Mapping[str, Sequence[tuple[int, int | None]]] | None = None
                 ) -> AuditReport:
    """Compare every desk verdict with the contract's, as of ``now``; the plain-rows form
    of `audit` (the command line's).

    ``policy`` (a bundled name or a YAML path) is used for every ticket, as ``--policy``
    is; ``labels`` name the tickets and the events rows in messages (the export's
    ``file:line``; default ``tickets[i]``, ``events[i]``). Boundary rule: instants and
    lengths agree when less than one second apart; a stop exactly at due is met; events
    after ``now`` are not applied; a verdict whose ticket has no row, or whose ticket
    cannot be evaluated, is an `AuditRowError` (and an ``error`` row), never dropped; a
    naive ``now`` raises `NaiveDatetimeError`.
    Example: vircom standard P2 opened Fri 2026-11-20 17:30 -05:00, responded Mon 07:55;
    the desk says response met, due 2026-11-23T08:00:00-05:00, 3300 s -> ``agrees``. The
    same ticket with the desk's due at 07:45 -> ``disagrees`` on ``due``, reason
    ``unexplained`` (-900 s).
    """
    moment = _now(now)
    parts = audit_parts(tickets, events, verdicts, moment, policy, labels=labels,
                        desk_paused=desk_paused)
    rows = parts.costly + parts.disagrees + parts.error_rows + parts.agrees.rows()
    return AuditReport(moment, tuple(rows), tuple(parts.errors))


def audit(tickets: Sequence[Mapping[str, object]], events: Sequence[Mapping[str, object]],
          verdicts: Sequence[Mapping[str, object]], now: datetime | str,
          policy: str | None = None) -> Any:
    """The audit as a pandas DataFrame, one row per desk verdict (`AUDIT_COLUMNS`,
    costly rows first; `AuditReport.frame`). Needs pandas.

    Boundary rule: as `audit_report` (less than a second apart agrees; a verdict that
    cannot be compared is an ``error`` row naming its source). Example: the vircom P2
    ticket of `audit_report`, desk due 07:45 -> one row, ``finding == "disagrees"``,
    ``difference == "due"``, ``due_difference_seconds == -900.0``.
    """
    return audit_report(tickets, events, verdicts, now, policy).frame()
