"""The replay: a ticket's events applied to its metric clocks, in integer UTC microseconds.

This is the one place the clock rules live (docs/clocks.md states them in words).
`Policy.evaluate`, `Policy.deadlines`, the JSONL and CSV report and `slacalc.frame` all
come here. Events arrive as `Happening`s, already instants (µs) and sorted by instant,
never by wall time, equal instants in their given order (`order_events`, in
`slacalc.sla.events`, whose names this module re-exports).

Each metric has a clock (`slacalc.sla.clock`, whose names this module re-exports): the
spans during which it ran, from an origin (the opening, or a restart). Everything else
follows from those spans and the target entry in force:

* the *due* instant is found by walking the spans (`reach`): start from the due the
  entry gives from the origin, and every gap between spans (a pause, or the time between
  a resolution and a reopening) pushes it later by exactly the business time of the gap;
* *elapsed* is the business time inside the spans, on the entry's clock;
* a stop at or before due is *met*, after due *breached*; a clock still running at
  ``now`` is breached once ``now`` is past due.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import NamedTuple

from ..engine._zone import to_datetime
from ..engine.timeline import RealTime, Timeline
from ..errors import TicketError
from .clock import Clock, Span, business_elapsed, reach
from .events import (
    CLOSED,
    CONTACT,
    PRIORITY,
    REOPENED,
    REPLIED,
    RESOLVED,
    RESPONDED,
    TIER,
    WAITING,
    WORKAROUND,
    Happening,
    Tiers,
    order_events,
)
from .plan import AWAIT_PAUSE, AWAIT_VOID, METRICS, Entry, MetricPlan, Plan
from .ticket import EVENT_KINDS

__all__ = [
    "CLOSED",
    "CONTACT",
    "PRIORITY",
    "REOPENED",
    "REPLIED",
    "RESOLVED",
    "RESPONDED",
    "TIER",
    "WAITING",
    "WORKAROUND",
    "Clock",
    "Happening",
    "Replay",
    "Step",
    "Tiers",
    "business_elapsed",
    "order_events",
    "reach",
    "replay",
]

class Step(NamedTuple):
    """One line of a ticket's history: the event and what it did to each clock."""

    at: int
    position: int | None  # the event's index in the ticket, None for the opening
    kind: str
    detail: str
    effects: dict[str, str]


class Replay:
    """A ticket replayed against a plan: the clocks and the history that shaped them."""

    __slots__ = ("_firsts", "_in_hours", "attributes", "clocks", "now", "opened", "opening",
                 "plan", "priority", "steps", "unanswered")

    def __init__(self, plan: Plan, priority: str, opened: int, attributes: Mapping[str, str],
                 now: int, *, trace: bool) -> None:
        self.plan = plan  # the plan in force: the opening's until a tier change
        self.opening = plan
        self.priority = priority
        self.opened = opened
        self.attributes = attributes
        self.now = now
        metrics = plan.priorities[priority]
        self.clocks = (Clock(0, metrics[0], priority, opened), Clock(1, metrics[1], priority,
                                                                     opened))
        self.steps: list[Step] | None = [] if trace else None
        self.unanswered = 0
        self._in_hours: bool | None = None
        self._firsts: dict[tuple[int, int], tuple[Entry, int]] = {}
        for clock in self.clocks:
            clock.entry = self.choose(clock.plan)

    # -- targets -------------------------------------------------------------------------

    def opened_in_hours(self) -> bool:
        """Whether the calendar of the tier in force is open at the opening (asked once
        per tier, if ever)."""
        if self._in_hours is None:
            self._in_hours = self.plan.hours.is_open(self.opened)
        return self._in_hours

    def choose(self, metric: MetricPlan) -> Entry | None:
        """The entry ``metric`` takes for this ticket (its ``within: none`` entry too)."""
        return metric.fixed or metric.choose(self.attributes, self.opened_in_hours)

    def first_due(self, clock: Clock, entry: Entry) -> int:
        """When ``entry`` falls due for ``clock`` before any pause (worked out once)."""
        key = (id(entry), clock.origin)
        found = self._firsts.get(key)
        if found is None or found[0] is not entry:  # the entry is kept: its id stays its own
            found = self._firsts[key] = (entry, entry.first_due(clock.origin))
        return found[1]

    @staticmethod
    def _tail(clock: Clock, resumed_at: int | None) -> list[Span]:
        """What stands for the clock's last span when it is judged: the span itself, or,
        for a clock that is not running and taken to run on from ``resumed_at`` (a stopped
        clock: from its stop), the same span going on (it ran right up to that instant)
        or the span followed by a new one. The spans before the last are as they are."""
        spans = clock.spans
        last = spans[-1:]
        if last and last[0][1] is None:
            return last
        if resumed_at is None and clock.stopped is not None:
            resumed_at = clock.stopped[0]
        if resumed_at is None:
            return last
        if last and last[0][1] == resumed_at:  # ran right up to it: the same span goes on
            return [[last[0][0], None]]
        return [*last, [resumed_at, None]]

    def _reach(self, clock: Clock, timeline: Timeline | RealTime, first: int,
               resumed_at: int | None) -> int | None:
        return clock.walks.reach(timeline, first, clock.origin, clock.spans,
                                 self._tail(clock, resumed_at))

    def due(self, clock: Clock, *, resumed_at: int | None = None) -> int | None:
        """The clock's due instant. A paused clock has one only once it has reached its
        target (else None), unless taken to resume at ``resumed_at``; a stopped clock is
        judged as if it had run on from its stop."""
        entry = clock.entry
        if entry is None or entry.timeline is None:
            return None
        return self._reach(clock, entry.timeline, self.first_due(clock, entry), resumed_at)

    def escalations(self, clock: Clock, lengths: tuple[int, ...]) -> tuple[int | None, ...]:
        """When each threshold falls due, ``lengths`` being their lengths on the target's
        clock (`slacalc.sla.escalation.threshold_lengths`): the due instant of a target
        that long, found as `due` finds it (pauses push it later; None where `due` would
        be None, as for a paused clock that has not reached it).

        Example, 4 business hours on 07:30-18:00 opened Fri 17:30, 50% (2 hours): Mon 09:00.
        """
        entry = clock.entry
        if entry is None or entry.timeline is None:
            return (None,) * len(lengths)
        timeline = entry.timeline
        return tuple(self._reach(clock, timeline, timeline.shift(clock.origin, length), None)
                     for length in lengths)

    def expected_by(self, clock: Clock) -> int | None:
        """For a range target, when it is expected (the lower bound), pauses included."""
        entry = clock.entry
        if entry is None or entry.timeline is None or entry.lower is None:
            return None
        first = entry.timeline.shift(clock.origin, entry.lower)
        return self._reach(clock, entry.timeline, first, None)

    def breached_at(self, clock: Clock, moment: int) -> bool:
        """True when the clock is past due at ``moment`` (exactly at due is not past); a
        paused clock is credited its pause up to ``moment``."""
        due = self.due(clock, resumed_at=None if clock.running else moment)
        return due is not None and moment > due

    def within_response(self, moment: int) -> bool:
        """Whether ``moment`` is within the first reaction time: at or before the due
        instant of the response clock (pauses included; a stopped or void clock judged as
        if it had run on from its end).

        Boundary rule: exactly at due is within; no response deadline (no target, or
        ``within: none``) leaves every moment within. Example, vircom P2 (1 business hour
        on 07:30-18:00 Toronto) opened Mon 17:30: due Tue 08:00, so Tue 08:00 is within
        and Tue 08:01 is not, whether or not a response was already recorded.
        """
        response = self.clocks[0]
        end = response.ended
        due = self.due(response, resumed_at=moment if end is None else end)
        return due is None or moment <= due

    # -- what events do ------------------------------------------------------------------

    def note(self, effects: dict[str, str] | None, clock: Clock, text: str) -> None:
        if effects is not None:
            effects[METRICS[clock.metric]] = text

    def stop(self, clock: Clock, event: Happening, why: str,
             effects: dict[str, str] | None) -> None:
        if not clock.active:
            return
        clock.halt(event.at)
        clock.stopped = (event.at, event.position, why)
        if effects is not None:
            late = self.breached_at(clock, event.at)
            self.note(effects, clock, f"stopped ({why}): {'breached' if late else 'met'}")

    def make_void(self, clock: Clock, event: Happening, reason: str,
                  effects: dict[str, str] | None) -> None:
        if not clock.active:
            return
        clock.halt(event.at)
        clock.void = (event.at, event.position, reason)
        self.note(effects, clock, f"void: {reason}")

    def resume_paused(self, event: Happening, effects: dict[str, str] | None) -> None:
        for clock in self.clocks:
            if clock.active and clock.pauses and clock.pauses[-1][2] is None:
                started, started_by, _, _ = clock.pauses[-1]
                clock.pauses[-1] = (started, started_by, event.at, event.position)
                clock.resume(event.at)
                self.note(effects, clock, "resumed")

    def apply(self, event: Happening) -> None:
        """Apply one event (docs/clocks.md states the same rules in words)."""
        effects: dict[str, str] | None = None
        detail = ""
        if self.steps is not None:
            effects = {}
        response, resolution = self.clocks
        rules = self.plan.rules
        code = event.code
        if code == RESPONDED:
            self.stop(response, event, "responded", effects)
        elif code == WAITING:
            detail = self._wait_on_customer(event, effects)
        elif code == REPLIED:
            self.resume_paused(event, effects)
        elif code == PRIORITY:
            detail = self._change_priority(event, effects)
        elif code == WORKAROUND:
            for clock in self.clocks:
                if clock.active and clock.entry is not None and clock.entry.timeline \
                        is not None and clock.entry.workaround:
                    self.stop(clock, event, "workaround", effects)
        elif code == RESOLVED:
            if rules.confirmation and not event.flag:
                detail = "not confirmed by the customer: the resolution clock keeps running"
            else:
                self.stop(response, event, "resolved", effects)
                self.stop(resolution, event, "resolved", effects)
        elif code == REOPENED:
            self.resume_paused(event, effects)
            if resolution.stopped is not None and resolution.void is None:
                resolution.stopped = None
                resolution.resume(event.at)
                self.note(effects, resolution, "resumed: time already used still counts")
        elif code == CONTACT:
            self.unanswered = 0 if event.flag else self.unanswered + 1
            detail = "answered" if event.flag else f"unanswered ({self.unanswered} in a row)"
        elif code == TIER:
            detail = self._change_tier(event, effects)
        else:  # CLOSED
            self._close(event, effects)
        if self.steps is not None:
            assert effects is not None
            self.steps.append(Step(event.at, event.position, EVENT_KINDS[code], detail, effects))

    def _wait_on_customer(self, event: Happening, effects: dict[str, str] | None) -> str:
        rules = self.plan.rules
        if rules.awaiting == AWAIT_PAUSE:
            for clock in self.clocks:
                if rules.paused[clock.metric] and clock.running:
                    clock.halt(event.at)
                    clock.pauses.append((event.at, event.position, None, None))
                    self.note(effects, clock, "paused")
            return ""
        if rules.awaiting != AWAIT_VOID:
            return "no effect (the policy ignores waiting on the customer)"
        late = rules.void_within_response and not self.within_response(event.at)
        self.stop(self.clocks[0], event, "reached out; customer unavailable", effects)
        if late:  # not within the first reaction time: nothing is voided
            return "after the first reaction time: voids nothing"
        for clock in self.clocks:
            if clock.active and not self.breached_at(clock, event.at):
                self.make_void(clock, event, "customer not available", effects)
        return ""

    def _change_priority(self, event: Happening, effects: dict[str, str] | None) -> str:
        new = event.priority
        assert new is not None
        detail = f"{self.priority} -> {new}"
        self.priority = new
        self._retarget(event, effects)
        return detail

    def _change_tier(self, event: Happening, effects: dict[str, str] | None) -> str:
        """The ticket moves to ``event.plan``'s tier at its priority: handled as a priority
        change (`_retarget`: the rule ``priority_change``), the new tier's targets and
        calendars applying to the clocks still active."""
        plan = event.plan
        assert plan is not None
        if self.priority not in plan.priorities:
            raise TicketError(f"events[{event.position}]: tier_changed to {plan.tier!r}: "
                              f"{plan.unknown_priority(self.priority)}")
        detail = f"{self.plan.tier} -> {plan.tier}"
        self.plan = plan
        self._in_hours = None  # ``opened`` conditions now read the new tier's calendar
        self._retarget(event, effects)
        return detail

    def _retarget(self, event: Happening, effects: dict[str, str] | None) -> None:
        """Give every active clock the entry of the priority and plan now in force:
        from its origin on its spans (keep_elapsed), or from ``event`` (restart)."""
        new = self.priority
        restart = self.plan.rules.restart
        for clock in self.clocks:
            if not clock.active:
                continue
            paused = not clock.running
            before = self.due(clock, resumed_at=event.at) if effects is not None else None
            clock.priority = new
            clock.plan = self.plan.priorities[new][clock.metric]
            clock.entry = self.choose(clock.plan)
            if restart:
                clock.origin = event.at
                clock.spans = [] if paused else [[event.at, None]]
            if effects is not None:
                after = self.due(clock, resumed_at=event.at)
                note = " (restarted)" if restart else ""
                note += " (if resumed now; paused)" if paused else ""
                zone = self.opening.zone
                self.note(effects, clock,
                          f"due {_shown(before, zone)} -> {_shown(after, zone)}{note}")

    def _close(self, event: Happening, effects: dict[str, str] | None) -> None:
        limit = self.plan.rules.close_after
        if limit is not None and self.unanswered >= limit:
            reason = f"closed after {self.unanswered} unanswered contact attempts"
            for clock in self.clocks:
                self.make_void(clock, event, reason, effects)
            return
        self.stop(self.clocks[1], event, "closed", effects)
        for clock in self.clocks:
            if not clock.active:
                continue
            if self.breached_at(clock, event.at):
                self.stop(clock, event, "closed", effects)
            else:
                self.make_void(clock, event, "ticket closed first", effects)


def replay(plan: Plan, priority: str, opened: int, attributes: Mapping[str, str],
           events: list[Happening], *, now: int | None = None, trace: bool = False) -> Replay:
    """Apply a ticket's ordered events (`order_events`) up to ``now`` (default: the last
    event, or the opening); ``trace`` keeps the history for explanations.

    Boundary rule: events after ``now`` are not applied; ``now`` before the opening raises
    `TicketError`. Example: vircom P2 opened Fri 17:30, responded Mon 07:55 -> response
    stopped, met (due Mon 08:00).
    """
    moment = now if now is not None else max(opened, events[-1].at if events else opened)
    if moment < opened:
        raise TicketError("now is before the ticket was opened")
    state = Replay(plan, priority, opened, attributes, moment, trace=trace)
    if state.steps is not None:
        state.steps.append(Step(opened, None, "opened", f"priority {priority}", {}))
    for event in events:
        if event.at > moment:
            break
        state.apply(event)
    return state


def _shown(moment: int | None, zone: tzinfo) -> str:
    """An instant as explanations show it: in the tier calendar's zone."""
    if moment is None:
        return "none"
    shown: datetime = to_datetime(moment, zone)
    return shown.strftime("%a %Y-%m-%d %H:%M %Z")
