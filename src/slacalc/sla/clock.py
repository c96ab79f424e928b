"""A metric's clock: the spans during which it ran, and the arithmetic on them.

`slacalc.sla.replay` drives these (it re-exports every name here); `slacalc.sla._arrays`
is their array form, one row per ticket. A clock runs from an origin (the opening, or a
restart); every gap between two spans (a pause, or the time between a resolution and a
reopening) pushes its due later by exactly the business time of the gap (`reach`), and
its elapsed time is the business time inside the spans (`business_elapsed`).
"""

from __future__ import annotations

from ..engine.timeline import RealTime, Timeline
from .plan import Entry, MetricPlan

__all__ = ["Clock", "Span", "Walks", "business_elapsed", "reach"]

Span = list[int | None]
"""``[start, end]`` in UTC µs; ``end`` is None while the span runs."""


class Clock:
    """The running spans of one metric's clock and how it ended, if it did."""

    __slots__ = ("entry", "metric", "origin", "pauses", "plan", "priority", "spans",
                 "stopped", "void", "walks")

    def __init__(self, metric: int, plan: MetricPlan, priority: str, origin: int) -> None:
        self.metric = metric
        self.plan = plan
        self.priority = priority
        self.origin = origin
        self.spans: list[Span] = [[origin, None]]
        self.entry: Entry | None = None  # the entry in force (set by the replay)
        self.stopped: tuple[int, int | None, str] | None = None  # when, event index, why
        self.void: tuple[int, int | None, str] | None = None
        self.pauses: list[tuple[int, int, int | None, int | None]] = []
        self.walks = Walks()  # `reach` over these spans, remembered

    @property
    def active(self) -> bool:
        """Neither stopped nor void: running or paused."""
        return self.stopped is None and self.void is None

    @property
    def running(self) -> bool:
        """Active, with its last span still open."""
        return self.active and bool(self.spans) and self.spans[-1][1] is None

    @property
    def ended(self) -> int | None:
        """The instant the clock stopped or was voided, None while it is active (running
        or paused). Example: responded at Tue 07:50 -> Tue 07:50."""
        end = self.stopped or self.void
        return None if end is None else end[0]

    def halt(self, at: int) -> None:
        """Close the open span at ``at`` (a pause or a stop)."""
        if self.spans and self.spans[-1][1] is None:
            self.spans[-1][1] = at

    def resume(self, at: int) -> None:
        """Open a new span at ``at`` unless one is open."""
        if not self.spans or self.spans[-1][1] is not None:
            self.spans.append([at, None])


def _walk(timeline: Timeline | RealTime, due: int, covered: int,
          spans: list[Span]) -> tuple[int, int, bool]:
    """`reach`'s walk over ``spans`` from ``due`` (the due so far) and ``covered`` (the end
    of the spans walked so far): the new ``(due, covered, reached)``; ``reached`` is True
    once the answer is known (``due``)."""
    for start, end in spans:
        assert start is not None
        if start > covered:
            if due <= covered:
                return due, covered, True
            due = timeline.shift(due, timeline.between(covered, start))
        if end is None:
            return due, covered, True
        covered = end
    return due, covered, False


def reach(timeline: Timeline | RealTime, first_due: int, origin: int,
          spans: list[Span]) -> int | None:
    """When the clock reaches its target: ``first_due`` pushed later by each gap's business
    time; None if the clock stopped running before reaching it.

    Boundary rule: a clock whose last span ended exactly at its due reached it. Example,
    hours 09:00-17:00, 2 business hours from Mon 09:00 (first due 11:00), paused Mon
    10:00-14:00: the gap holds 4 business hours, so due Mon 15:00.
    """
    due, covered, reached = _walk(timeline, first_due, origin, spans)
    return due if reached or due <= covered else None


class Walks:
    """`reach` over a clock's spans followed by a tail, in time linear in the spans overall.

    A clock's spans only grow: a span is appended, or the last one is closed; a restart
    gives the clock a new list. Every span but the last is therefore closed for good, and
    the walk over them is kept (per timeline, first due and origin) and carried on from
    where it stopped, so a ticket of n events (each asking for a due instant, as an
    explanation does) costs O(n), not O(n²). Example: 16,000 resolutions and reopenings
    walk 16,000 gaps once, not 128 million times.
    """

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[tuple[int, int, int], list[object]] = {}

    def reach(self, timeline: Timeline | RealTime, first_due: int, origin: int,
              spans: list[Span], tail: list[Span]) -> int | None:
        """`reach` over ``spans[:-1] + tail`` (the tail stands for the last span: as it is,
        reopened, or followed by a resumption)."""
        key = (id(timeline), first_due, origin)
        kept = self._kept.get(key)
        if kept is None or kept[0] is not spans or kept[1] is not timeline:
            kept = self._kept[key] = [spans, timeline, 0, first_due, origin, False]
        count, due, covered, reached = kept[2:]
        assert isinstance(count, int)
        assert isinstance(due, int)
        assert isinstance(covered, int)
        closed = len(spans) - 1
        if not reached and count < closed:
            due, covered, reached = _walk(timeline, due, covered, spans[count:closed])
            kept[2:] = [closed, due, covered, reached]
        if reached:
            return due
        due, covered, reached = _walk(timeline, due, covered, tail)
        return due if reached or due <= covered else None


def business_elapsed(timeline: Timeline | RealTime, spans: list[Span], until: int) -> int:
    """Business time inside the spans (µs), counting an open span up to ``until``.

    Boundary rule: time after ``until`` is not counted, even in a closed span. Example,
    hours 09:00-17:00: spans Mon 16:00-Tue 10:00 and Tue 11:00-(open), until Tue 12:00 ->
    2 h + 1 h = 3 h.
    """
    total = 0
    for start, end in spans:
        assert start is not None
        stop = until if end is None or end > until else end
        if stop > start:
            total += timeline.between(start, stop)
    return total
