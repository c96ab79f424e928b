"""A metric's verdict after a replay: status, due, time used and left, in µs.

The one place a clock's state becomes an answer. `SLAReport` shows a verdict as
datetimes and timedeltas; the batch report writes it as text columns. Neither decides
anything of its own.
"""

from __future__ import annotations

from typing import NamedTuple

from .plan import METRICS, Entry
from .replay import Clock, Replay, business_elapsed

__all__ = ["Verdict", "judge"]


class Verdict(NamedTuple):
    """Where one metric stands at the replay's ``now``.

    ``status`` is one of running, paused, met, breached, void, no_target. Instants and
    lengths are UTC µs; ``due`` is None for no_target and void, and for a paused clock
    that has not yet reached its target. ``stopped`` is ``(at, event index, why)``.
    """

    metric: str
    status: str
    priority: str
    entry: Entry | None  # the entry in force (a ``within: none`` one for no_target)
    reason: str
    due: int | None = None
    length: int | None = None
    elapsed: int = 0
    stopped: tuple[int, int | None, str] | None = None
    expected_by: int | None = None

    @property
    def remaining(self) -> int | None:
        """Business time left (never negative), None without a target."""
        return None if self.length is None else max(self.length - self.elapsed, 0)

    def overrun(self, now: int) -> int | None:
        """How late a breached metric is (its stop, or ``now``, minus due), else None."""
        if self.status != "breached" or self.due is None:
            return None
        return (self.stopped[0] if self.stopped else now) - self.due


def judge(state: Replay, clock: Clock) -> Verdict:
    """The verdict of ``clock`` at ``state.now``.

    Boundary rule: a stop at or before due is met, after it breached; a running or paused
    clock is breached once ``now`` is past due (a paused one only once its pause no longer
    covers the gap); elapsed counts business time up to the stop, the void or ``now``.
    Example: vircom P2 opened Fri 17:30, responded Mon 07:55 -> met, due Mon 08:00,
    elapsed 25 minutes of 1 hour.
    """
    name = METRICS[clock.metric]
    entry = clock.entry
    if entry is None or entry.timeline is None:
        return Verdict(name, "no_target", clock.priority, entry,
                       entry.reason if entry is not None else clock.plan.missing)
    timeline = entry.timeline
    length = entry.length
    if length is None:
        length = timeline.between(clock.origin, state.first_due(clock, entry))
    if clock.stopped is not None:
        until = clock.stopped[0]
    elif clock.void is not None:
        until = clock.void[0]
    else:
        until = state.now
    elapsed = business_elapsed(timeline, clock.spans, until)
    if clock.void is not None:
        return Verdict(name, "void", clock.priority, entry, clock.void[2], None, length,
                       elapsed)
    due = state.due(clock)
    expected = state.expected_by(clock)
    if clock.stopped is not None:
        late = due is not None and clock.stopped[0] > due
        return Verdict(name, "breached" if late else "met", clock.priority, entry,
                       clock.stopped[2], due, length, elapsed, clock.stopped, expected)
    late = due is not None and state.now > due
    if not clock.running:
        return Verdict(name, "breached" if late else "paused", clock.priority, entry,
                       "waiting on the customer", due, length, elapsed, None, expected)
    return Verdict(name, "breached" if late else "running", clock.priority, entry, "", due,
                   length, elapsed, None, expected)
