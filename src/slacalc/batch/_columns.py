"""A chunk of a ticket export evaluated as columns, one metric at a time.

Most export rows are *clean*: a known (policy, tier, priority), instants in the usual
ISO forms, and nothing but stop events. For those, `Policy.evaluate` reduces to a few
integer operations per metric on UTC microseconds, run here over every clean row of a
chunk at once with numpy: each row takes its plan's target entry, rows are grouped by
the timeline their entry runs on, the business position of an instant is a
``searchsorted`` over the timeline's spans, ``due`` the inverse lookup and ``elapsed``
a difference of positions. Texts are then made once per column. Rows that are not clean
(and so may be bad) are left to the caller's checked path; a differential test holds
the columns to `Policy.evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..engine.timeline import RealTime
from ..errors import SlacalcError
from ..sla.plan import METRICS, Entry, MetricPlan, Plan, matches
from ._instants import END_US, Bools, Instants, Ints, Texts, instant_text, instant_texts
from ._results import seconds_text

__all__ = ["Chunk", "Kind", "evaluate_columns"]

_WHY = np.array(["", "responded", "resolved", "workaround"], dtype=object)
_STATUS = np.array(["no_target", "running", "met", "breached"], dtype=object)
_RESPONDED, _RESOLVED, _WORKAROUND = 1, 2, 3
_NEAR_US = 20 * 365 * 86_400_000_000  # rows this close share one compiled range


class Kind(NamedTuple):
    """The plan of a row's tier and the key of its priority."""

    plan: Plan
    key: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """The parsed columns of a chunk, row-aligned."""

    heads: tuple[Sequence[str], Sequence[str], Sequence[str]]  # ticket id, policy, tier
    opened: Instants
    stops: dict[str, Instants]  # responded / resolved / workaround (absent columns omitted)
    end: Ints  # the evaluation instant of each row
    attributes: dict[str, Sequence[str]]  # other columns, for ``when`` conditions


@dataclass(frozen=True, slots=True)
class _Metric:
    """One metric's numbers for every row of the chunk (meaningful where ``timed``)."""

    entry: Ints  # index into the chunk's entry table
    timed: Bools  # the entry has a deadline
    due: Ints
    length: Ints
    used: Ints
    stopped: Ints
    which: Ints  # the stopping event: 0 none yet, 1 responded, 2 resolved, 3 workaround


def evaluate_columns(plans: Sequence[Kind | None], group: Ints, chunk: Chunk,
                     clean: Bools) -> tuple[list[list[str]], Bools]:
    """Result columns (`slacalc.batch.RESULT_COLUMNS` order, one row per clean ticket and
    metric, in row order) and the rows evaluated; a row of ``clean`` that could not be
    evaluated here (e.g. a due after year 9998) is left out of both.

    ``plans[group[row]]`` is the plan of each row. Boundary rule: exactly
    `Policy.evaluate` on a ticket whose events are the row's stops: a stop at the due
    instant is met; same-instant stops apply in the order responded, resolved,
    workaround. Example: vircom standard P2 opened Fri 2026-11-20 17:30 -05:00, responded
    Mon 07:55 -> response ``met``, due ``2026-11-23T08:00:00-05:00``.
    """
    table: list[tuple[Entry | None, str]] = []  # (entry, reason when none applies)
    numbers = []
    failed = np.zeros(len(clean), dtype=bool)
    for index, metric in enumerate(METRICS):
        entry = np.zeros(len(clean), dtype=np.int64)
        for plan, rows in _by_plan(plans, group, clean):
            _choose(plan.plan, plan.plan.priorities[plan.key][index], chunk, rows,
                    entry=entry, table=table)
        numbers.append(_numbers(metric, table, entry, chunk, clean=clean, failed=failed))
    clean = clean & ~failed
    rows = np.flatnonzero(clean)
    keys = np.array([plan.key if plan else "" for plan in plans], dtype=object)[group[rows]]
    head = [list(np.array(column, dtype=object)[rows]) for column in chunk.heads]
    columns: list[list[str]] = [[] for _ in range(13)]
    width = len(METRICS)
    for column, values in enumerate([*head, keys.tolist()]):
        columns[column] = [value for value in values for _ in range(width)]
    for offset, (metric, found) in enumerate(zip(METRICS, numbers, strict=True)):
        texts = _texts(table, found, chunk, rows)
        for column, values in enumerate([[metric] * len(rows), *texts], start=4):
            assert isinstance(values, list)
            if offset == 0:
                columns[column] = [""] * (len(rows) * width)
            columns[column][offset::width] = values
    return columns, clean


def _by_plan(plans: Sequence[Kind | None], group: Ints,
             clean: Bools) -> list[tuple[Kind, Ints]]:
    rows = np.flatnonzero(clean)
    ordered = rows[np.argsort(group[rows], kind="stable")]
    parts = np.split(ordered, np.flatnonzero(np.diff(group[ordered])) + 1)
    found = [(plans[int(group[part[0]])], part) for part in parts if len(part)]
    return [(plan, part) for plan, part in found if plan is not None]


def _choose(plan: Plan, metric: MetricPlan, chunk: Chunk, rows: Ints, *, entry: Ints,
            table: list[tuple[Entry | None, str]]) -> None:
    """Write into ``entry`` the table index of the target entry each row takes."""
    def index_of(found: Entry | None) -> int:
        item = (found, metric.missing if found is None else "")
        for number, known in enumerate(table):
            if known[0] is item[0] and known[1] == item[1]:
                return number
        table.append(item)
        return len(table) - 1

    if metric.fixed is not None or not metric.entries:
        entry[rows] = index_of(metric.fixed)
        return
    entries = metric.entries
    names = sorted({key for item in entries for key, _ in item.conditions} - {"opened"})
    hours: list[bool] = [False] * len(rows)
    if any(key == "opened" for item in entries for key, _ in item.conditions):
        hours = _is_open(plan, chunk.opened.us[rows]).tolist()
    values = [[chunk.attributes[name][row].strip() if name in chunk.attributes else ""
               for row in rows.tolist()] for name in names]
    cache: dict[tuple[object, ...], int] = {}
    picks = []
    for key in zip(*values, hours, strict=True):
        found = cache.get(key)
        if found is None:
            attributes = {name: value for name, value in zip(names, key, strict=False) if value}
            in_hours = bool(key[-1]).__bool__
            found = cache[key] = index_of(next(
                (item for item in entries
                 if matches(item.conditions, attributes, in_hours)), None))
        picks.append(found)
    entry[rows] = picks


def _numbers(metric: str, table: list[tuple[Entry | None, str]], entry: Ints, chunk: Chunk,
             *, clean: Bools, failed: Bools) -> _Metric:
    """Due, length, used and the stop of every clean row, entry by entry."""
    count = len(clean)
    due, length, used = (np.zeros(count, dtype=np.int64) for _ in range(3))
    timed = np.zeros(count, dtype=bool)
    workaround = np.array([bool(item and item.workaround) for item, _ in table] or [False],
                          dtype=bool)[entry]
    stop, which = _stop(metric, chunk, workaround)
    stopped = np.where(which > 0, stop, chunk.end)
    for number, (item, _) in enumerate(table):
        rows = np.flatnonzero(clean & (entry == number))
        if item is None or item.timeline is None or not len(rows):
            continue
        timed[rows] = True
        far = stopped[rows] - chunk.opened.us[rows] > _NEAR_US
        failed[rows[far]] = True  # a measurement over decades: the checked path takes it
        for part in _near(chunk.opened.us, rows[~far]):
            try:
                due[part], length[part], used[part] = _on_clock(item, chunk, part,
                                                                stopped[part])
            except SlacalcError:
                failed[part] = True  # a year out of range: the checked path says so
    return _Metric(entry, timed, due, length, used, stopped, which)


def _near(instants: Ints, rows: Ints) -> list[Ints]:
    """``rows`` in groups whose ``instants`` lie within `_NEAR_US` of each other, so that
    each group is looked up in one compact compiled range of its timeline."""
    if not len(rows):
        return []
    bucket = (instants[rows] - instants[rows].min()) // _NEAR_US
    if not bucket.any():
        return [rows]
    ordered = rows[np.argsort(bucket, kind="stable")]
    return np.split(ordered, np.flatnonzero(np.diff(np.sort(bucket))) + 1)


def _stop(metric: str, chunk: Chunk, workaround_counts: Bools) -> tuple[Ints, Ints]:
    """The instant that stops each row's clock, and which event it is (the workaround
    only where the row's target entry stops on it)."""
    count = len(chunk.end)
    stop = np.zeros(count, dtype=np.int64)
    which = np.zeros(count, dtype=np.int64)
    resolved = chunk.stops.get("resolved")
    if resolved is not None:
        stop = np.where(resolved.present, resolved.us, stop)
        which = np.where(resolved.present, _RESOLVED, which)
    responded = chunk.stops.get("responded")
    if metric == "response" and responded is not None:
        use = responded.present & ((which == 0) | (responded.us <= stop))
        stop = np.where(use, responded.us, stop)
        which = np.where(use, _RESPONDED, which)
    workaround = chunk.stops.get("workaround")
    if workaround is not None:
        use = workaround_counts & workaround.present & ((which == 0) | (workaround.us < stop))
        stop = np.where(use, workaround.us, stop)
        which = np.where(use, _WORKAROUND, which)
    return stop, which


def _on_clock(item: Entry, chunk: Chunk, rows: Ints,
              stopped: Ints) -> tuple[Ints, Ints, Ints]:
    """Due, business length and business time used, on the entry's clock (the timeline's
    array arithmetic: the same `shift` and `between` a single ticket's replay calls)."""
    origin = chunk.opened.us[rows]
    timeline = item.timeline
    assert timeline is not None
    if item.length is None:  # a relative target (next business day): due as worded
        due = np.array([item.first_due(int(start)) for start in origin.tolist()],
                       dtype=np.int64)
        length = timeline.between(origin, due)
    else:
        due = timeline.shift(origin, item.length)
        length = np.full(len(rows), item.length, dtype=np.int64)
    if isinstance(timeline, RealTime) and max(int(due.max()), int(stopped.max())) >= END_US:
        raise SlacalcError("an instant after the last supported year")
    return due, length, timeline.between(origin, stopped)


def _texts(table: list[tuple[Entry | None, str]], found: _Metric, chunk: Chunk,
           rows: Ints) -> list[list[str]]:
    """The eight text columns after ``metric`` (status .. reason) for ``rows``."""
    timed = found.timed[rows]
    live = rows[timed]
    late = found.stopped[live] > found.due[live]
    status = np.zeros(len(rows), dtype=np.int64)
    status[timed] = np.where(late, 3, np.where(found.which[live] > 0, 2, 1))
    targets = np.array([item.text if item else "" for item, _ in table] or [""], dtype=object)
    reasons = np.array([why if item is None else item.reason
                        for item, why in table] or [""], dtype=object)
    reason = reasons[found.entry[rows]]
    reason[timed] = _WHY[found.which[live]]
    due, stopped, elapsed, remaining, overrun = (np.full(len(rows), "", dtype=object)
                                                 for _ in range(5))
    due[timed] = instant_texts(found.due[live], chunk.opened.offset[live])
    stopped[timed] = _stop_texts(chunk, live, found.which[live])
    used = found.used[live]
    elapsed[timed] = _seconds_texts(used)
    remaining[timed] = _seconds_texts(np.maximum(found.length[live] - used, 0))
    late_rows = np.flatnonzero(timed)[late]
    overrun[late_rows] = _seconds_texts(found.stopped[live][late] - found.due[live][late])
    return [_STATUS[status].tolist(), targets[found.entry[rows]].tolist(), due.tolist(),
            stopped.tolist(), elapsed.tolist(), remaining.tolist(), overrun.tolist(),
            reason.tolist()]


def _stop_texts(chunk: Chunk, rows: Ints, which: Ints) -> Texts:
    """Each stop as its row wrote it (re-written only when not in ``isoformat``'s form)."""
    texts = np.full(len(rows), "", dtype=object)
    for code, kind in ((_RESPONDED, "responded"), (_RESOLVED, "resolved"),
                       (_WORKAROUND, "workaround")):
        column = chunk.stops.get(kind)
        if column is None:
            continue
        mine = which == code
        texts[mine] = column.texts[rows[mine]]
        for index in np.flatnonzero(mine & ~column.canonical[rows]).tolist():
            row = int(rows[index])
            texts[index] = instant_text(int(column.us[row]), int(column.offset[row]))
    return texts


def _seconds_texts(us: Ints) -> Texts:
    """`seconds_text` of each value."""
    texts = np.empty(len(us), dtype=object)
    texts[:] = list(map(str, (us // 1_000_000).tolist()))
    for index in np.flatnonzero(us % 1_000_000).tolist():
        texts[index] = seconds_text(int(us[index]))
    return texts


def _is_open(plan: Plan, instants: Ints) -> Bools:
    """Whether the tier calendar is open at each instant (`Timeline.is_open` on arrays)."""
    found = np.zeros(len(instants), dtype=bool)
    for part in _near(instants, np.arange(len(instants))):
        found[part] = plan.hours.is_open(instants[part])
    return found
