"""A metric's verdict after a replay: status, due, time used and left, in µs.

The one place a clock's state becomes an answer. `SLAReport` shows a verdict as
datetimes and timedeltas; the batch report writes it as text columns. Neither decides
anything of its own.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from .escalation import AT_RISK, crossed, threshold_lengths
from .plan import METRICS, Entry
from .replay import Clock, Replay, business_elapsed

__all__ = ["Verdict", "judge"]


class Verdict(NamedTuple):
    """Where one metric stands at the replay's ``now``.

    ``status`` is one of running, paused, met, breached, void, no_target. Instants and
    lengths are UTC µs; ``due`` is None for no_target and void, and for a paused clock
    that has not yet reached its target. ``stopped`` is ``(at, event index, why)``.
    ``escalations`` pairs each threshold of the plan (a share of the target) with the
    instant it falls due (None where unknown, and for no_target and void); ``crossed``
    counts the thresholds a running or paused clock has reached (`escalation.crossed`).
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
    escalations: tuple[tuple[Fraction, int | None], ...] = ()
    crossed: int = 0

    @property
    def escalated(self) -> Fraction | None:
        """The highest threshold crossed (None: none), for a running or paused clock."""
        return self.escalations[self.crossed - 1][0] if self.crossed else None

    @property
    def next_escalation(self) -> int | None:
        """When the lowest threshold not yet crossed falls due, for a running or paused
        clock (None: none left, or unknown while paused)."""
        if self.status not in AT_RISK or self.crossed >= len(self.escalations):
            return None
        return self.escalations[self.crossed][1]

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
    covers the gap); elapsed counts business time up to the stop, the void or ``now``; a
    threshold falls due as `Replay.escalations` says and is crossed once elapsed reaches
    it (`slacalc.sla.escalation`). Example: vircom P2 opened Fri 17:30, responded Mon
    07:55 -> met, due Mon 08:00, elapsed 25 minutes of 1 hour.
    """
    name = METRICS[clock.metric]
    entry = clock.entry
    shares = state.plan.escalation
    unknown = tuple((share, None) for share in shares)
    if entry is None or entry.timeline is None:
        return Verdict(name, "no_target", clock.priority, entry,
                       entry.reason if entry is not None else clock.plan.missing,
                       escalations=unknown)
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
                       elapsed, escalations=unknown)
    due = state.due(clock)
    expected = state.expected_by(clock)
    lengths = threshold_lengths(shares, length) if shares else ()
    escalations = tuple(zip(shares, state.escalations(clock, lengths), strict=True)) \
        if shares else ()
    if clock.stopped is not None:
        late = due is not None and clock.stopped[0] > due
        return Verdict(name, "breached" if late else "met", clock.priority, entry,
                       clock.stopped[2], due, length, elapsed, clock.stopped, expected,
                       escalations)
    late = due is not None and state.now > due
    if not clock.running:
        status, reason = "breached" if late else "paused", "waiting on the customer"
    else:
        status, reason = "breached" if late else "running", ""
    return Verdict(name, status, clock.priority, entry, reason, due, length, elapsed, None,
                   expected, escalations, crossed(status, elapsed, lengths))
