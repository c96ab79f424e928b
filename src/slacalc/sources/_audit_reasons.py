"""Why the desk and the contract disagree: each reason is a recomputation.

Every detector builds what the desk would have answered had it made one named mistake
(a `Guess`: due instant, business time used, breached or not), from the ticket, its
`SLAReport` and the policy; a reason holds when every value the desk gave agrees with
that guess, under the audit's tolerance (`close`: less than a second apart). They are
tried in this order, and the first that holds is the reason:

1. ``holiday``: the desk counts a closed date of the metric's calendar (a holiday: a
   country holiday, an added date or an iCalendar feed's all-day event) as an open day.
   Recomputed on the same calendar without those closures.
2. ``forbidden_pause``: the desk stops the clock while waiting on the customer
   (``awaiting_customer`` until ``customer_replied`` or ``reopened``), and the policy's
   rules do not pause this metric. Recomputed by holding the clock over those spans.
3. ``priority_change``: the desk handles a ``priority_changed`` event otherwise: the
   ticket re-evaluated with its priority fixed to each value it held (the change
   ignored, or applied from the opening), and under the other ``priority_change`` rule.
4. ``dst``: the desk ignores a DST change of the calendar's zone between the opening and
   the due: the calendar read at each fixed UTC offset the zone had there (or, on a
   real-time clock, the target added in wall time); it holds only when the two due
   instants are exactly the zone's shift apart, with the change between them.

5. ``holiday, forbidden_pause``: both of the first two at once (a desk calendar without
   the holidays that also holds the clock while waiting on the customer).
6. ``desk_pause`` (alone, or after ``holiday``, ``forbidden_pause`` or both): the desk
   holds its clock in a status the mapping lists as ``desk_paused`` (`_audit_desk`).

Otherwise the reason is ``unexplained``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta, timezone
from functools import partial
from itertools import pairwise

from pydantic import ValidationError

from ..engine._hours import DAY_S
from ..engine._zone import instant_us, offset_segments, to_datetime
from ..engine.timeline import Timeline
from ..errors import SlacalcError
from ..policy import Policy
from ..sla import Ticket
from ._audit_calendar import fixed_timeline, free_timeline
from ._audit_case import Case, Guess, close, length
from ._audit_tables import DeskVerdict

__all__ = ["REASONS", "Case", "Guess", "close", "reason_for"]

REASONS = ("holiday", "forbidden_pause", "priority_change", "dst", "holiday, forbidden_pause",
           "desk_pause", "holiday, desk_pause", "forbidden_pause, desk_pause",
           "holiday, forbidden_pause, desk_pause", "unexplained")
"""The reasons an audit names, in the order they are tried."""
_SECOND_US = 1_000_000
_ONE_US = timedelta(microseconds=1)
_length = length


def _guess_on(case: Case, reason: str, timeline: Timeline, detail: Callable[[int], str]
              ) -> Guess | None:
    """The desk's answer had it counted the same business time on ``timeline``."""
    calendar, due = case.calendar, case.due
    if calendar is None or due is None:
        return None
    opened, end = case.opened, case.end
    moved = timeline.shift(opened, calendar.timeline.between(opened, due))
    elapsed = case.elapsed + timeline.between(opened, end) - calendar.timeline.between(
        opened, end)
    if moved == due and elapsed == case.elapsed:
        return None
    return Guess(reason, partial(detail, moved), moved, elapsed, end > moved)


def _closed(case: Case) -> tuple[list[date], str]:
    """The closed dates (holidays) of the metric's calendar from the opening to the due
    or the clock's end, whichever is later, and their names (`Case.closed`)."""
    return case.closed()


def _landing(case: Case, closed: list[date], moved: int) -> str:
    calendar = case.calendar
    assert calendar is not None
    if to_datetime(moved, calendar.zone).date() in closed:
        return " (it lands inside the closed date)"
    return " (it lands past a closed date)"


def _holiday(case: Case) -> Iterator[Guess]:
    calendar, due = case.calendar, case.due
    if calendar is None or due is None:
        return
    closed, names = case.closed()
    if not closed:
        return

    def detail(moved: int) -> str:
        if moved == due:  # the closed dates lie after the due: only elapsed differs
            return (f"a holiday the desk does not know: {names}, after the due instant; "
                    f"counted as open, they add to the time used")
        return (f"a holiday the desk does not know: {names}; counted as open, the due is "
                f"{case.shown(moved)}{_landing(case, closed, moved)}, the desk's; the "
                f"contract's is {case.shown(due)}")

    found = _guess_on(case, "holiday", free_timeline(calendar), detail)
    if found is not None:
        yield found


def _held(case: Case, line: Timeline, spans: list[tuple[int, int]]
          ) -> tuple[int, int, int] | None:
    """The desk's due and elapsed had it counted on ``line`` and held the clock over
    ``spans``, and the open time held before that due; None when nothing changes."""
    calendar, due = case.calendar, case.due
    if calendar is None or due is None:
        return None
    opened, end = case.opened, case.end

    def held(until: int) -> int:
        return sum(line.between(max(start, opened), min(stop, until)) for start, stop in spans
                   if min(stop, until) > max(start, opened))

    length = calendar.timeline.between(opened, due)
    moved = line.shift(opened, length)
    for _ in range(len(spans) + 2):  # each round can only bring in one more span
        later = line.shift(opened, length + held(moved))
        if later == moved:
            break
        moved = later
    elapsed = (case.elapsed + line.between(opened, end) - calendar.timeline.between(opened, end)
               - held(end))
    if moved == due and elapsed == case.elapsed:
        return None
    return moved, elapsed, held(moved)


def _waiting(case: Case) -> tuple[str, list[tuple[int, int]]] | None:
    """The rule that does not pause this metric while waiting on the customer, and the
    spans waited; None when the metric has no due, the rule pauses it, or nobody waited."""
    if case.calendar is None or case.due is None:
        return None
    rule, spans = case.forbidden(), case.waits()
    return None if rule is None or not spans else (rule, spans)


def _pause(case: Case) -> Iterator[Guess]:
    calendar, due, waiting = case.calendar, case.due, _waiting(case)
    if calendar is None or due is None or waiting is None:
        return
    rule, spans = waiting
    found = _held(case, calendar.timeline, spans)
    if found is None:
        return
    moved, elapsed, amount = found

    def say() -> str:
        waits = ", ".join(f"{case.shown(start)} to {case.shown(stop)}" for start, stop in spans)
        return (f"a pause the contract does not allow: the desk holds the {case.metric} clock "
                f"while waiting on the customer ({waits}: {_length(amount)} of open time "
                f"before its due), but the rule {rule} does not pause it; held, the due is "
                f"{case.shown(moved)}, the contract's {case.shown(due)}")

    yield Guess("forbidden_pause", say, moved, elapsed, case.end > moved)


def _holiday_and_pause(case: Case) -> Iterator[Guess]:
    """Both mistakes at once: the closed dates counted as open, and the clock held while
    waiting on the customer."""
    calendar, due, waiting = case.calendar, case.due, _waiting(case)
    if calendar is None or due is None or waiting is None:
        return
    rule, spans = waiting
    closed, names = case.closed()
    if not closed:
        return
    found = _held(case, free_timeline(calendar), spans)
    if found is None:
        return
    moved, elapsed, amount = found

    def say() -> str:
        return (f"a holiday the desk does not know ({names}) and a pause the contract does "
                f"not allow (the desk holds the clock while waiting on the customer, "
                f"{_length(amount)} of open time before its due; the rule {rule} does not "
                f"pause it): the due is {case.shown(moved)}, the contract's "
                f"{case.shown(due)}")

    yield Guess("holiday, forbidden_pause", say, moved, elapsed, case.end > moved)


def _other_rule(case: Case) -> Policy | None:
    """The policy under the other ``priority_change`` rule (None with versions)."""
    key = id(case.policy)
    if key not in case.others:
        found: Policy | None = None
        if not case.policy.versions:
            data = case.policy.model_dump()
            data["rules"]["priority_change"] = ("keep_elapsed" if case.policy.rules
                                                .priority_change == "restart" else "restart")
            try:
                found = Policy.model_validate(data)
            except (ValidationError, SlacalcError):
                found = None
        case.others[key] = found
    return case.others[key]


def _evaluated(case: Case, policy: Policy, ticket: Ticket, reason: str,
               detail: Callable[[], str]) -> Guess | None:
    try:
        metric = policy.evaluate(ticket, case.now)[case.metric]
    except SlacalcError:
        return None
    due = None if metric.due is None else instant_us(metric.due)
    elapsed = None if metric.length is None else metric.elapsed // _ONE_US

    def say() -> str:
        return (f"{detail()}; that gives due "
                f"{'none' if due is None else case.shown(due)}, the contract's "
                f"{'none' if case.due is None else case.shown(case.due)}")

    return Guess(reason, say, due, elapsed, metric.status == "breached")


def _priority(case: Case) -> Iterator[Guess]:
    ticket = case.ticket
    changes = [event for event in ticket.events if event.kind == "priority_changed"]
    if not changes:
        return
    plain = tuple(event for event in ticket.events if event.kind != "priority_changed")
    rule = case.policy.rules.priority_change
    where = case.policy.location("rules", "priority_change")
    said = f"the rule priority_change: {rule}" + (f" ({where[0]}:{where[1]})" if where else "")
    first = changes[0]
    held = [ticket.priority, *(event.priority or "" for event in changes)]
    for number, priority in enumerate(dict.fromkeys(held)):
        def how(number: int = number, priority: str = priority) -> str:
            kept = (f"the desk keeps {priority}, ignoring the priority_changed at "
                    f"{case.shown(instant_us(first.at))}" if number == 0 else
                    f"the desk applies {priority} from the opening")
            return (f"a priority change handled differently: {kept}, where {said} applies "
                    f"it at the change")

        found = _evaluated(case, case.policy, ticket.model_copy(update={
            "priority": priority, "events": plain}), "priority_change", how)
        if found is not None:
            yield found
    other = _other_rule(case)
    if other is not None:
        rule_name = other.rules.priority_change
        found = _evaluated(case, other, ticket, "priority_change",
                           lambda: f"a priority change handled differently: the desk uses "
                                   f"priority_change: {rule_name}, the contract {said}")
        if found is not None:
            yield found


def _dst(case: Case) -> Iterator[Guess]:
    calendar, due = case.calendar, case.due
    if calendar is None or due is None:
        return
    opened = case.opened
    real = all(hours == ((0, DAY_S),) for hours in calendar.weekly.days)  # 24x7
    zone = case.report.zone if real else calendar.zone
    segments = offset_segments(zone, opened, due + 1)  # whole UTC years
    changes = [(end, after - before) for (_, end, before), (_, _, after)
               in pairwise(segments) if opened <= end < due]
    if not changes:
        return
    guesses: list[tuple[int, str, Timeline | None]] = []
    if real:  # a real-time target added in wall time
        wall = to_datetime(opened, zone).replace(tzinfo=None) + timedelta(
            microseconds=due - opened)
        guesses.append((instant_us(wall.replace(tzinfo=zone)),
                        f"adds the target in wall time ({zone})", None))
    else:
        length = calendar.timeline.between(opened, due)
        for offset in dict.fromkeys(offset for start, stop, offset in segments
                                    if start <= due and stop > opened):
            fixed = timezone(timedelta(microseconds=offset))
            fixed_line = fixed_timeline(calendar, offset)
            guesses.append((fixed_line.shift(opened, length), f"reads calendar "
                            f"{calendar.name or ''!r} at the fixed offset {fixed.tzname(None)}",
                            fixed_line))
    end = case.end
    for moved, how, line in guesses:
        shifted = [(at, step) for at, step in changes
                   if opened <= at < max(due, moved) and abs(moved - due) == abs(step)]
        if not shifted:
            continue
        at, step = shifted[0]
        elapsed = case.elapsed if line is None else (
            case.elapsed + line.between(opened, end) - calendar.timeline.between(opened, end))
        yield Guess("dst", f"a DST hour: the desk {how}, across the change of {zone} at "
                    f"{case.shown(at)} ({_length(abs(step))}); its due is "
                    f"{case.shown(moved)}, the contract's {case.shown(due)}",
                    moved, elapsed, end > moved)  # rare (a DST change before the due)


_DETECTORS = (_holiday, _pause, _priority, _dst, _holiday_and_pause)


def reason_for(case: Case, desk: DeskVerdict,
               extra: Sequence[Callable[[Case], Iterator[Guess]]] = ()) -> tuple[str, str]:
    """The reason (one of `REASONS`) and its detail for a disagreeing verdict.

    Boundary rule: the first detector whose guess agrees with every value the desk gave
    (`Guess.matches`, less than a second apart) names the reason, ``extra`` ones tried
    after the built-in ones; none -> ``unexplained``.
    Example: vircom P3 opened Thu 2026-12-24 16:00 EST, the desk's response due Fri
    2026-12-25 09:30 EST -> ``holiday`` (Christmas Day is closed; the contract's due is
    Mon 2026-12-28 09:30).
    """
    for detector in (*_DETECTORS, *extra):
        for guess in detector(case):
            if guess.matches(desk):
                return guess.reason, guess.detail
    metric = case.report[case.metric]
    due = case.due
    said = (f"the contract's clock is {metric.status}"
            + (f" ({metric.reason})" if metric.reason else "")
            + (f", due {case.shown(due)}" if due is not None else ""))
    gap = ""
    if desk.due is not None and due is not None:
        gap = f"; the desk's due is {desk.due_text} ({(desk.due - due) / _SECOND_US:+.0f} s)"
    return "unexplained", (f"{said}{gap}; no holiday, pause, priority change or DST hour "
                           f"accounts for the difference")
