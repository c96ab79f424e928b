"""Metric clocks: a ticket's events replayed into met / breached / paused / void.

Each metric (response, resolution) has a clock: the spans during which it ran, from an
origin (the opening, or a restart). Everything else follows from those spans and the
target in force:

* the *due* instant is found by walking the spans: start from the due instant the target
  gives from the origin, and every gap between spans (a pause, or the time between a
  resolution and a reopening) pushes it later by exactly the business time of the gap;
* *elapsed* is the business time inside the spans, on the target's clock;
* a stop at or before due is *met*, after due *breached*; a clock still running at
  ``now`` is breached once ``now`` is past due.

Because the spans are kept, a priority change under ``keep_elapsed`` simply applies the
new target to the same spans ("as if it had applied from the start"), keeping every pause.
The rules are stated in docs/clocks.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from difflib import get_close_matches
from typing import TYPE_CHECKING

from ..engine.calendar import BusinessCalendar
from ..engine.durations import RelativeDue
from ..errors import TicketError, UnknownPriorityError
from ..policy.targets import METRICS, Metric, Target
from .ticket import EVENT_KINDS, Event, Ticket

if TYPE_CHECKING:
    from ..policy.model import Policy

__all__ = ["MetricClock", "Replay", "Step", "replay"]


@dataclass
class Step:
    """One line of a ticket's history: the event and what it did to each clock."""

    at: datetime
    index: int | None  # the event's position in the ticket, None for the opening
    kind: str
    detail: str = ""
    effects: dict[str, str] = field(default_factory=dict)


@dataclass
class MetricClock:
    """The running spans of one metric's clock and how it ended, if it did."""

    metric: Metric
    origin: datetime
    priority: str
    spans: list[list[datetime | None]]
    stopped: tuple[datetime, int | None, str] | None = None  # when, event index, why
    void: tuple[datetime, int | None, str] | None = None
    pauses: list[tuple[datetime, int, datetime | None, int | None]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """Neither stopped nor void: running or paused."""
        return self.stopped is None and self.void is None

    @property
    def running(self) -> bool:
        """Active, with its last span still open."""
        return self.active and bool(self.spans) and self.spans[-1][1] is None

    def halt(self, at: datetime) -> None:
        """Close the open span at ``at`` (a pause or a stop)."""
        if self.spans and self.spans[-1][1] is None:
            self.spans[-1][1] = at

    def resume(self, at: datetime) -> None:
        """Open a new span at ``at`` unless one is open."""
        if not self.spans or self.spans[-1][1] is not None:
            self.spans.append([at, None])


def reach(calendar: BusinessCalendar, first_due: datetime, origin: datetime,
          spans: list[list[datetime | None]]) -> datetime | None:
    """When the clock reaches its target: ``first_due`` pushed later by each gap's business
    time; None if the clock stopped running before reaching it.

    Example, hours 09:00-17:00, 2 business hours from Mon 09:00 (first due 11:00), paused
    Mon 10:00-14:00: the gap holds 4 business hours, so due Mon 15:00.
    """
    due, covered = first_due, origin
    for start, end in spans:
        assert start is not None
        if start > covered:
            if due <= covered:
                return due
            due = calendar.add(due, calendar.elapsed(covered, start))
        if end is None:
            return due
        covered = end
    return due if due <= covered else None


def business_elapsed(calendar: BusinessCalendar, spans: list[list[datetime | None]],
                     until: datetime) -> timedelta:
    """Business time inside the spans, counting an open span up to ``until``."""
    total = timedelta(0)
    for start, end in spans:
        assert start is not None
        stop = until if end is None else min(end, until)
        if stop > start:
            total += calendar.elapsed(start, stop)
    return total


@dataclass
class Replay:
    """A ticket replayed against a policy: the clocks and the history that shaped them."""

    policy: Policy
    ticket: Ticket
    tier: str
    priority: str
    now: datetime
    clocks: dict[Metric, MetricClock]
    steps: list[Step]
    unanswered: int = 0
    # A target depends only on (metric, priority), its first due also on the origin: both
    # are asked for again at every event, so each is worked out once.
    _targets: dict[tuple[str, str], tuple[int, Target] | None] = field(default_factory=dict)
    _first_dues: dict[tuple[str, str, datetime], datetime] = field(default_factory=dict)

    # -- targets -------------------------------------------------------------------------

    def target(self, clock: MetricClock) -> tuple[int, Target] | None:
        """The target entry in force for ``clock``, None when there is none."""
        key = (clock.metric, clock.priority)
        if key not in self._targets:
            chosen = self.policy.target(self.tier, clock.priority, clock.metric,
                                        self.ticket.opened_at, self.ticket.attributes)
            self._targets[key] = None if chosen is None or chosen[1].within.is_none else chosen
        return self._targets[key]

    def first_due(self, clock: MetricClock, target: Target) -> datetime:
        """When ``target`` falls due for ``clock`` before any pause."""
        key = (clock.metric, clock.priority, clock.origin)
        if key not in self._first_dues:
            self._first_dues[key] = self.policy.due_from(self.tier, target, clock.origin)
        return self._first_dues[key]

    @staticmethod
    def _running_spans(clock: MetricClock,
                       resumed_at: datetime | None) -> list[list[datetime | None]]:
        """The clock's spans, taken to run on from ``resumed_at`` if it is not running; a
        stopped clock is judged as if it had run on from its stop."""
        spans = clock.spans
        if spans and spans[-1][1] is None:
            return spans
        if resumed_at is None and clock.stopped is not None:
            resumed_at = clock.stopped[0]
        if resumed_at is None:
            return spans
        if spans and spans[-1][1] == resumed_at:  # ran right up to it: the same span goes on
            return [*spans[:-1], [spans[-1][0], None]]
        return [*spans, [resumed_at, None]]

    def due(self, clock: MetricClock, *, resumed_at: datetime | None = None) -> datetime | None:
        """The clock's due instant. A paused clock has one only once it has reached its
        target (else None), unless taken to resume at ``resumed_at``; a stopped clock is
        judged as if it had run on from its stop."""
        chosen = self.target(clock)
        if chosen is None:
            return None
        calendar = self.policy.clock_for(self.tier, chosen[1])
        return reach(calendar, self.first_due(clock, chosen[1]), clock.origin,
                     self._running_spans(clock, resumed_at))

    def expected_by(self, clock: MetricClock) -> datetime | None:
        """For a range target, when it is expected (the lower bound), pauses included."""
        chosen = self.target(clock)
        if chosen is None or isinstance(chosen[1].within, RelativeDue):
            return None
        within = chosen[1].within
        if not within.is_range:
            return None
        calendar = self.policy.clock_for(self.tier, chosen[1])
        first = calendar.add(clock.origin, within.expected_length(calendar.business_day))
        return reach(calendar, first, clock.origin, self._running_spans(clock, None))

    def breached_at(self, clock: MetricClock, moment: datetime) -> bool:
        """True when the clock is past due at ``moment`` (exactly at due is not past); a
        paused clock is credited its pause up to ``moment``."""
        due = self.due(clock, resumed_at=None if clock.running else moment)
        return due is not None and moment > due

    # -- events --------------------------------------------------------------------------

    def stop(self, metric: Metric, at: datetime, index: int | None, why: str,
             step: Step) -> None:
        clock = self.clocks[metric]
        if not clock.active:
            return
        clock.halt(at)
        clock.stopped = (at, index, why)
        late = self.breached_at(clock, at)
        step.effects[metric] = f"stopped ({why}): {'breached' if late else 'met'}"

    def make_void(self, metric: Metric, at: datetime, index: int | None, reason: str,
                  step: Step) -> None:
        clock = self.clocks[metric]
        if not clock.active:
            return
        clock.halt(at)
        clock.void = (at, index, reason)
        step.effects[metric] = f"void: {reason}"


def _checked_events(policy: Policy, ticket: Ticket) -> list[tuple[int, Event]]:
    """Events in time order (stable for equal instants), each checked against the policy."""
    for index, event in enumerate(ticket.events):
        where = f"events[{index}]"
        if event.kind not in EVENT_KINDS:
            close = get_close_matches(event.kind, EVENT_KINDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TicketError(f"{where}: unknown event kind {event.kind!r}{hint}; kinds: "
                              f"{', '.join(EVENT_KINDS)}")
        if event.at < ticket.opened_at:
            raise TicketError(f"{where}: {event.kind} at {event.at.isoformat()} is before the "
                              f"ticket was opened ({ticket.opened_at.isoformat()})")
        if event.kind == "priority_changed":
            if event.priority is None:
                raise TicketError(f"{where}: priority_changed needs the new 'priority'")
            try:
                policy.priority_key(event.priority)
            except UnknownPriorityError as error:
                raise TicketError(f"{where}: {error}") from None
        if event.kind == "contact_attempt" and event.answered is None:
            raise TicketError(f"{where}: contact_attempt needs 'answered: true|false'")
    ordered = list(enumerate(ticket.events))
    ordered.sort(key=lambda pair: pair[1].at)  # sort is stable: same-instant order is kept
    return ordered


def replay(policy: Policy, ticket: Ticket, now: datetime | None = None) -> Replay:
    """Apply a ticket's events up to ``now`` (default: the last event, or the opening).

    Events after ``now`` are not applied: the report says where things stood at ``now``.
    Example: vircom P2 opened Fri 17:30, responded Mon 07:55 -> response stopped, met.
    """
    events = _checked_events(policy, ticket)
    moment = now if now is not None else max(
        [ticket.opened_at, *(event.at for _, event in events)])
    if moment < ticket.opened_at:
        raise TicketError(f"now ({moment.isoformat()}) is before the ticket was opened "
                          f"({ticket.opened_at.isoformat()})")
    policy.tier(ticket.tier)
    priority = policy.priority_key(ticket.priority)
    opened = Step(ticket.opened_at, None, "opened", f"priority {priority}")
    state = Replay(policy, ticket, ticket.tier, priority, moment,
                   {m: MetricClock(m, ticket.opened_at, priority, [[ticket.opened_at, None]])
                    for m in METRICS}, [opened])
    for index, event in events:
        if event.at > moment:
            break
        step = Step(event.at, index, event.kind, event.note or "")
        state.steps.append(step)
        _APPLY[event.kind](state, index, event, step)
    return state


# -- what each event does (docs/clocks.md states the same rules in words) ----------------


def _responded(state: Replay, index: int, event: Event, step: Step) -> None:
    state.stop("response", event.at, index, "responded", step)


def _awaiting(state: Replay, index: int, event: Event, step: Step) -> None:
    rules = state.policy.rules
    if rules.awaiting_customer == "pause":
        for metric in rules.paused_metrics or METRICS:
            clock = state.clocks[metric]
            if clock.running:
                clock.halt(event.at)
                clock.pauses.append((event.at, index, None, None))
                step.effects[metric] = "paused"
    elif rules.awaiting_customer == "void":
        state.stop("response", event.at, index, "reached out; customer unavailable", step)
        for metric in METRICS:
            clock = state.clocks[metric]
            if clock.active and not state.breached_at(clock, event.at):
                state.make_void(metric, event.at, index, "customer not available", step)
    else:
        step.detail = step.detail or "no effect (the policy ignores waiting on the customer)"


def _resume_paused(state: Replay, index: int, at: datetime, step: Step) -> None:
    for metric, clock in state.clocks.items():
        if clock.active and clock.pauses and clock.pauses[-1][2] is None:
            started, started_by, _, _ = clock.pauses[-1]
            clock.pauses[-1] = (started, started_by, at, index)
            clock.resume(at)
            step.effects[metric] = "resumed"


def _customer_replied(state: Replay, index: int, event: Event, step: Step) -> None:
    _resume_paused(state, index, event.at, step)


def _priority_changed(state: Replay, index: int, event: Event, step: Step) -> None:
    new = state.policy.priority_key(event.priority or "")
    step.detail = f"{state.priority} -> {new}"
    state.priority = new
    restart = state.policy.rules.priority_change == "restart"
    for metric, clock in state.clocks.items():
        if not clock.active:
            continue
        paused = not clock.running
        before = state.due(clock, resumed_at=event.at)
        clock.priority = new
        if restart:
            clock.origin = event.at
            clock.spans = [] if paused else [[event.at, None]]
        after = state.due(clock, resumed_at=event.at)
        note = " (restarted)" if restart else ""
        note += " (if resumed now; paused)" if paused else ""
        zone = state.policy.calendar(state.policy.tier(state.tier).calendar).zone
        step.effects[metric] = f"due {_shown(before, zone)} -> {_shown(after, zone)}{note}"


def _workaround(state: Replay, index: int, event: Event, step: Step) -> None:
    for metric, clock in state.clocks.items():
        chosen = state.target(clock) if clock.active else None
        if chosen is not None and "workaround" in chosen[1].stops_on:
            state.stop(metric, event.at, index, "workaround", step)


def _resolved(state: Replay, index: int, event: Event, step: Step) -> None:
    if state.policy.rules.resolution_requires_confirmation and not event.confirmed:
        step.detail = "not confirmed by the customer: the resolution clock keeps running"
        return
    state.stop("response", event.at, index, "resolved", step)
    state.stop("resolution", event.at, index, "resolved", step)


def _reopened(state: Replay, index: int, event: Event, step: Step) -> None:
    _resume_paused(state, index, event.at, step)
    clock = state.clocks["resolution"]
    if clock.stopped is not None and clock.void is None:
        clock.stopped = None
        clock.resume(event.at)
        step.effects["resolution"] = "resumed: time already used still counts"


def _contact_attempt(state: Replay, index: int, event: Event, step: Step) -> None:
    state.unanswered = 0 if event.answered else state.unanswered + 1
    step.detail = "answered" if event.answered else f"unanswered ({state.unanswered} in a row)"


def _closed(state: Replay, index: int, event: Event, step: Step) -> None:
    limit = state.policy.rules.close_after_unanswered_contacts
    if limit is not None and state.unanswered >= limit:
        reason = f"closed after {state.unanswered} unanswered contact attempts"
        for metric in METRICS:
            state.make_void(metric, event.at, index, reason, step)
        return
    state.stop("resolution", event.at, index, "closed", step)
    for metric, clock in state.clocks.items():
        if not clock.active:
            continue
        if state.breached_at(clock, event.at):
            state.stop(metric, event.at, index, "closed", step)
        else:
            state.make_void(metric, event.at, index, "ticket closed first", step)


_APPLY = {
    "responded": _responded,
    "awaiting_customer": _awaiting,
    "customer_replied": _customer_replied,
    "priority_changed": _priority_changed,
    "workaround": _workaround,
    "resolved": _resolved,
    "reopened": _reopened,
    "contact_attempt": _contact_attempt,
    "closed": _closed,
}


def _shown(moment: datetime | None, zone: tzinfo) -> str:
    """An instant as explanations show it: in the tier calendar's zone."""
    return "none" if moment is None else moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z")
