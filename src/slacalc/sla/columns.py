"""The replay over columns: many tickets of one plan replayed at once, with numpy.

The same kernel as `slacalc.sla.replay`, run over arrays instead of one ticket: each
function here is the array form of the function of the same name there (`Clock.halt`,
`Clock.resume`, `Replay.due`, `reach`, `business_elapsed`, `Replay.apply`), step for
step, on the same `Plan` and through the same `Timeline.shift` / `between`, which take
arrays. Event ``j`` of every ticket is applied in one step; a ticket's clocks are rows
of arrays (its spans a row of a matrix). The rules are stated once, in words, in
docs/clocks.md; `tests/test_columns.py` holds the two forms equal on random plans and
histories of every event kind.

Tickets arrive as `Histories`: events already sorted by instant per ticket (equal
instants in their given order, as `order_events` sorts them), already checked, and
already cut at ``now``. Rows whose arithmetic leaves the supported years come back in
`Outcome.failed`; the caller gives those to the single-ticket path, which names the error.
So do rows with a ``tier_changed`` event: the arrays replay the tickets of one plan, and
a tier change moves a ticket to another plan, so callers must route such tickets to the
single path (`Policy.evaluate`); `replay_columns` marks them failed rather than guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from ..engine.timeline import Ints
from ..errors import PolicyError, SlacalcError
from ._arrays import Bools, runs
from ._entries import Tables
from ._replays import STATUSES, Column, Histories, Replays, Verdicts
from .events import TIER
from .plan import METRICS, Entry, Plan

__all__ = ["STATUSES", "Histories", "Outcome", "Verdicts", "gather", "grouped",
           "replay_columns", "runs", "starts", "tier_changes"]

@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdicts of both metrics, the tables their indices point into, and the rows
    the arrays could not take (their results are meaningless: replay them singly)."""

    metrics: tuple[Verdicts, Verdicts]
    entries: Sequence[Entry | None]
    reasons: Sequence[str]
    failed: Bools




def _replay(plans: Sequence[Plan], which: Ints, tickets: Histories,
            tables: Tables) -> tuple[Verdicts, Verdicts]:
    state = Replays(plans, which, tickets, tables)
    for step in range(int(tickets.count.max()) if len(tickets.count) else 0):
        rows = np.flatnonzero(tickets.count > step)
        codes = tickets.code[rows, step]
        for code in np.flatnonzero(np.bincount(codes)).tolist():  # (kinds met, in order)
            state.apply(code, rows[codes == code], step)
    return state.judge(0), state.judge(1)


def _part(tickets: Histories, rows: slice) -> Histories:
    return replace(tickets, **{field.name: getattr(tickets, field.name)[rows]
                               for field in fields(Histories) if field.name != "attributes"},
                   attributes={name: values[rows]
                               for name, values in tickets.attributes.items()})


def _join(parts: Sequence[tuple[Verdicts, Verdicts]]) -> tuple[Verdicts, Verdicts]:
    def joined(metric: int) -> Verdicts:
        first = parts[0][metric]
        return Verdicts(first.metric, *(np.concatenate([getattr(part[metric], field.name)
                                                        for part in parts])
                                        for field in fields(Verdicts)[1:]))
    return joined(0), joined(1)


def _replay_parts(plans: Sequence[Plan], which: Ints, tickets: Histories, tables: Tables, *,
                  failed: Bools, rows: slice) -> tuple[Verdicts, Verdicts]:
    """Replay ``tickets``; when some row's arithmetic fails (an instant beyond the
    supported years), replay each half apart, down to the failing rows alone."""
    try:
        return _replay(plans, which, tickets, tables)
    except SlacalcError:
        count = len(tickets.opened)
        if count == 1:
            failed[rows] = True
            width = len(plans[0].escalation)
            return _blank(0, width), _blank(1, width)
        half = count // 2
        start = rows.start or 0
        return _join([
            _replay_parts(plans, which[:half], _part(tickets, slice(0, half)), tables,
                          failed=failed, rows=slice(start, start + half)),
            _replay_parts(plans, which[half:], _part(tickets, slice(half, count)), tables,
                          failed=failed, rows=slice(start + half, start + count))])


def _blank(metric: int, width: int) -> Verdicts:
    """One row's verdict placeholder (its row is in `Outcome.failed`), with ``width``
    escalation thresholds."""
    zero, no = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=bool)
    return Verdicts(METRICS[metric], zero, zero, zero, zero, zero, no, zero, zero, no, zero,
                    zero, np.zeros((1, width), dtype=np.int64),
                    np.zeros((1, width), dtype=bool), zero)


def replay_columns(plans: Plan | Sequence[Plan], tickets: Histories,
                   which: Ints | None = None) -> Outcome:
    """Replay every ticket of ``tickets`` and judge both metrics, as arrays: row ``i`` a
    ticket of ``plans[which[i]]`` (``plans`` may be one plan; ``which`` None: the first),
    its priority an index into that plan's priorities. Plans replayed together must
    share their escalation thresholds (else `PolicyError`).

    Boundary rule: row by row, exactly `slacalc.sla.replay.replay` then `judge` on the
    same ticket and its own plan (events at or before ``now`` applied; a stop at due is
    met); a row whose arithmetic leaves years 2..9998, or that has a ``tier_changed``
    event (another plan), is marked in ``failed`` and the others are kept.
    Example: vircom standard P2 opened Fri 2026-11-20 17:30 EST, responded Mon 07:55 ->
    response ``met``, due Mon 08:00 EST.
    """
    if isinstance(plans, Plan):
        plans = (plans,)
    if which is None:
        which = np.zeros(len(tickets.opened), dtype=np.int64)
    shares = plans[0].escalation
    if any(plan.escalation != shares for plan in plans):  # a column per threshold
        raise PolicyError("escalation: plans replayed together must share their thresholds; "
                          f"got {sorted({plan.escalation for plan in plans})}")
    tables = Tables()
    failed = tier_changes(tickets)
    if failed.any():  # replayed without their events; their results are not used
        tickets = replace(tickets, count=np.where(failed, 0, tickets.count),
                          code=np.where(failed[:, np.newaxis], 0, tickets.code))
    metrics = _replay_parts(plans, which, tickets, tables, failed=failed,
                            rows=slice(0, len(tickets.opened)))
    return Outcome(metrics, tables.entries, tables.reasons, failed)


def tier_changes(tickets: Histories) -> Bools:
    """The rows with a ``tier_changed`` among their events: the arrays cannot take them.

    Boundary rule: only a row's first ``count`` events are its own (the matrices' other
    cells are padding). Example: rows ``[responded]`` and ``[tier_changed, responded]``
    -> ``[False, True]``.
    """
    width = tickets.code.shape[1]
    applied = np.arange(width)[np.newaxis, :] < tickets.count[:, np.newaxis]
    found: Bools = ((tickets.code == TIER) & applied).any(axis=1)
    return found


def gather(priority: Ints, opened: Ints, now: Ints, attributes: Mapping[str, Column],
           events: tuple[Ints, Ints, Ints, Ints, Bools]) -> Histories:
    """`Histories` from flat event columns ``(ticket, code, at, new, flag)``: event ``i``
    belongs to row ``ticket[i]``; a ticket's events may be spread over the columns in any
    order, and its own order among them is its events' ``position``.

    Boundary rule: each ticket's events are sorted by instant, equal instants keeping
    their given order (`order_events`' rule), and those after its ``now`` are left out
    (the replay does not apply them), except a ``tier_changed``, kept so that
    `replay_columns` sends its ticket to the single path (which checks it whenever it
    is). The events must already be checked (kinds, known priorities, none before the
    opening). Example: ticket 0 with ``resolved`` at t2 then
    ``responded`` at t1 < t2 -> row 0 holds responded (position 1), then resolved
    (position 0).
    """
    ticket, code, at, new, flag = events
    count = len(opened)
    given = grouped(ticket)
    first = starts(np.bincount(ticket, minlength=count))
    position = np.empty(len(ticket), dtype=np.int64)
    position[given] = np.arange(len(ticket)) - first[ticket[given]]
    kept = np.flatnonzero((at <= now[ticket]) | (code == TIER))
    step, rise = np.diff(ticket[kept]), np.diff(at[kept])
    if not ((step > 0) | ((step == 0) & (rise >= 0))).all():  # else in order already
        kept = kept[np.lexsort((position[kept], at[kept], ticket[kept]))]
    order = kept
    used = np.bincount(ticket[order], minlength=count).astype(np.int64)
    width = int(used.max()) if count and len(order) else 0
    row = ticket[order]
    column = np.arange(len(order)) - starts(used)[row]

    def matrix(values: Ints) -> Ints:
        found = np.zeros((count, width), dtype=np.int64)
        found[row, column] = values[order]
        return found

    answered = np.zeros((count, width), dtype=bool)
    answered[row, column] = flag[order]
    return Histories(priority, opened, now, used, matrix(code), matrix(at), matrix(position),
                     matrix(new), answered, attributes)


def starts(counts: Ints) -> Ints:
    """Where each group starts when groups of ``counts`` items lie one after another.

    Example: ``[2, 0, 3]`` -> ``[0, 2, 2]``.
    """
    found: Ints = np.cumsum(counts) - counts
    return found


def grouped(ticket: Ints) -> Ints:
    """The order that groups events by ticket, keeping each ticket's events in their
    given order (a stable sort, skipped when they are grouped already).

    Example: ``[1, 0, 1]`` -> ``[1, 0, 2]``; ``[0, 0, 1]`` -> ``[0, 1, 2]``.
    """
    if (np.diff(ticket) >= 0).all():
        return np.arange(len(ticket))
    found: Ints = np.argsort(ticket, kind="stable")
    return found
