"""The replay's clock arithmetic over arrays: `Clock`, `reach` and `business_elapsed` of
`slacalc.sla.clock`, one row per ticket.

Each function is the array form of its namesake there, step for step; a clock's spans
are a row of two matrices (``starts``, ``ends``), ``spans`` of them used, the last one
still running where ``open``. `slacalc.sla.columns` drives these.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ..engine.timeline import Ints, RealTime, Timeline

__all__ = ["Bools", "Clocks", "Spans", "business_elapsed", "reach", "runs"]

Bools = npt.NDArray[np.bool_]


class Spans(NamedTuple):
    """Each row's spans: ``starts[row, :used[row]]`` to ``ends[...]``, the last one still
    running where ``running`` (its end is then not read)."""

    starts: Ints
    ends: Ints
    used: Ints
    running: Bools


class Clocks:
    """One metric's clock for every row: `slacalc.sla.clock.Clock` as arrays."""

    __slots__ = ("ends", "entry", "first", "first_known", "open", "origin", "paused",
                 "priority", "spans", "starts", "stop_at", "stop_position", "stop_why",
                 "stopped", "void", "void_at", "void_why")

    def __init__(self, width: int, priority: Ints, entry: Ints, origin: Ints) -> None:
        count = len(origin)
        self.priority = priority.copy()
        self.entry = entry
        self.origin = origin.copy()
        self.starts = np.zeros((count, width), dtype=np.int64)
        self.ends = np.zeros((count, width), dtype=np.int64)
        self.starts[:, 0] = origin
        self.spans = np.ones(count, dtype=np.int64)
        self.open = np.ones(count, dtype=bool)  # the last span runs
        self.stopped = np.zeros(count, dtype=bool)
        self.stop_at = np.zeros(count, dtype=np.int64)
        self.stop_position = np.zeros(count, dtype=np.int64)
        self.stop_why = np.zeros(count, dtype=np.int64)
        self.void = np.zeros(count, dtype=bool)
        self.void_at = np.zeros(count, dtype=np.int64)
        self.void_why = np.zeros(count, dtype=np.int64)
        self.paused = np.zeros(count, dtype=bool)  # a pause (waiting on the customer) is open
        self.first = np.zeros(count, dtype=np.int64)  # the entry's due from the origin, unpaused
        self.first_known = np.zeros(count, dtype=bool)  # ``first`` holds it (until a change)

    def active(self, rows: Ints) -> Ints:
        """Those of ``rows`` neither stopped nor void (`Clock.active`)."""
        found: Ints = rows[~self.stopped[rows] & ~self.void[rows]]
        return found

    def running(self, rows: Ints) -> Ints:
        """Those of ``rows`` active with their last span open (`Clock.running`)."""
        found: Ints = rows[~self.stopped[rows] & ~self.void[rows] & self.open[rows]]
        return found

    def halt(self, rows: Ints, at: Ints) -> None:
        """Close the open span of each row at ``at[row]`` (`Clock.halt`)."""
        rows = rows[self.open[rows]]
        self.ends[rows, self.spans[rows] - 1] = at[rows]
        self.open[rows] = False

    def resume(self, rows: Ints, at: Ints) -> None:
        """Open a span at ``at[row]`` on each row without one open (`Clock.resume`)."""
        rows = rows[~self.open[rows]]
        self.starts[rows, self.spans[rows]] = at[rows]
        self.spans[rows] += 1
        self.open[rows] = True

    def spans_of(self, rows: Ints) -> Spans:
        """The spans of ``rows`` as they are (the matrices cut to the most spans used)."""
        count = self.spans[rows]
        used = int(count.max(initial=0))
        return Spans(self.starts[rows, :used], self.ends[rows, :used], count, self.open[rows])

    def running_spans(self, rows: Ints, resumed_at: Ints | None) -> Spans:
        """`Replay._running_spans` of each row (``resumed_at`` aligned with ``rows``, or
        None): starts, ends, count, and whether the last span runs. A stopped clock is
        taken to run on from its stop; a span ending right at the resumption goes on."""
        count, running = self.spans[rows], self.open[rows].copy()  # (copies)
        used = int(count.max(initial=0)) + 1  # (room for the span a resumption opens)
        starts, ends = self.starts[rows, :used], self.ends[rows, :used]
        if resumed_at is None:
            resume = self.stopped[rows] & ~running
            at = self.stop_at[rows]
        else:
            resume = ~running
            at = resumed_at
        index = np.arange(len(rows))
        same = resume & (count > 0) & (ends[index, np.maximum(count - 1, 0)] == at)
        extra = index[resume & ~same]
        starts[extra, count[extra]] = at[extra]
        count[extra] += 1
        running |= resume
        return Spans(starts, ends, count, running)


def reach(timeline: Timeline | RealTime, first_due: Ints, origin: Ints,
          spans: Spans) -> tuple[Ints, Bools]:
    """`slacalc.sla.clock.reach` of each row on one timeline: the due instant, and
    whether the clock reaches it (the scalar's None is ``False``).

    Boundary rule: as the scalar's, row by row. Example, hours 09:00-17:00, 2 business
    hours from Mon 09:00, spans Mon 09:00-10:00 and Mon 14:00-(open): due Mon 15:00.
    """
    starts, ends, count, running = spans
    due, covered = first_due.copy(), origin.copy()
    done = np.zeros(len(due), dtype=bool)
    reached = np.zeros(len(due), dtype=bool)
    for k in range(int(count.max()) if len(count) else 0):
        live = ~done & (k < count)
        start = starts[:, k]
        gap = live & (start > covered)
        early = gap & (due <= covered)  # reached before the gap
        done |= early
        reached |= early
        moving = np.flatnonzero(gap & ~early)
        if len(moving):
            due[moving] = timeline.shift(due[moving],
                                         timeline.between(covered[moving], start[moving]))
        live &= ~early
        last = live & (k == count - 1) & running  # the open span: due is reached in it
        done |= last
        reached |= last
        closed = live & ~last
        covered[closed] = ends[closed, k]
    rest = ~done
    reached[rest] = due[rest] <= covered[rest]
    return due, reached


def business_elapsed(timeline: Timeline | RealTime, spans: Spans, until: Ints) -> Ints:
    """`slacalc.sla.clock.business_elapsed` of each row: business time inside its spans,
    a running span counted up to ``until``.

    Example, hours 09:00-17:00: spans Mon 16:00-Tue 10:00 and Tue 11:00-(open), until
    Tue 12:00 -> 3 h.
    """
    starts, ends, count, running = spans
    total = np.zeros(len(until), dtype=np.int64)
    for k in range(int(count.max()) if len(count) else 0):
        start = starts[:, k]
        end = np.where(running & (k == count - 1), until, np.minimum(ends[:, k], until))
        take = np.flatnonzero((k < count) & (end > start))
        if len(take):
            total[take] += timeline.between(start[take], end[take])
    return total


def runs(keys: Ints) -> list[tuple[int, Ints]]:
    """The positions of ``keys`` grouped by key (keys ascending, each group's positions in
    order): one stable sort, none when every key is the same.

    Example: ``[1, 0, 1]`` -> ``[(0, [1]), (1, [0, 2])]``.
    """
    if not len(keys):
        return []
    first = int(keys[0])
    if (keys == first).all():
        return [(first, np.arange(len(keys)))]
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    cuts = np.flatnonzero(np.diff(ordered)) + 1
    return list(zip(ordered[np.append(0, cuts)].tolist(), np.split(order, cuts), strict=True))
