"""The audit's ``desk_pause`` reason: the desk holds its clock in a status of its own
that the contract does not pause on.

A mapping's ``desk_paused`` lists such statuses (Zendesk's ``hold``: on-hold waits on a
third party, and Zendesk pauses ``agent_work_time`` there, while the mapping's role for
it, ``open``, keeps the contract's clock running). The adapter records the spans each
ticket spent in them (`Converted.desk_paused`); this detector recomputes the desk's
answer with the contract's clock held over those spans, alone and together with the
other two mistakes a desk calendar commonly makes (its closed dates counted as open, the
clock held while waiting on the customer), tried in this order:

``desk_pause``, ``holiday, desk_pause``, ``forbidden_pause, desk_pause``,
``holiday, forbidden_pause, desk_pause``.

Like every reason, it holds only when every value the desk gave agrees with the
recomputation (less than a second apart).
"""

from __future__ import annotations

from collections.abc import Iterator

from ._audit_calendar import free_timeline
from ._audit_case import Case, Guess, length
from ._audit_reasons import _held

__all__ = ["desk_pause"]


def _spans(case: Case) -> list[tuple[int, int]]:
    """The desk-paused spans, an open one ending where the clock's count ends."""
    return [(start, max(start, case.end) if stop is None else stop)
            for start, stop in case.desk_paused]


def desk_pause(case: Case) -> Iterator[Guess]:
    """The desk's answers had it held the clock over the ticket's desk-paused spans
    (with, after that alone, the holidays counted as open, the waits on the customer
    held when the contract does not pause on them, and both).

    Boundary rule: nothing is guessed for a ticket without desk-paused spans, or a
    metric without a due instant; a span is held only where it lies after the opening.
    Example: a P3 resolution clock of 16 business hours, opened Mon 09:00, on hold Mon
    10:00 to Tue 10:00 (8 business hours) -> the desk's due 8 business hours after the
    contract's, reason ``desk_pause``.
    """
    paused, calendar, due = _spans(case), case.calendar, case.due
    if not paused or calendar is None or due is None:
        return
    closed, names = case.closed()
    rule, waits = case.forbidden(), case.waits()
    free = free_timeline(calendar)
    tries = [("desk_pause", calendar.timeline, paused, "")]
    if closed:
        tries.append(("holiday, desk_pause", free, paused,
                      f"a holiday the desk does not know ({names}), and "))
    if rule is not None and waits:
        waited = f"a pause the contract does not allow (waiting on the customer; {rule}), and "
        tries.append(("forbidden_pause, desk_pause", calendar.timeline,
                      sorted(paused + waits), waited))
        if closed:
            tries.append(("holiday, forbidden_pause, desk_pause", free,
                          sorted(paused + waits),
                          f"a holiday the desk does not know ({names}), {waited}"))
    for reason, line, spans, before in tries:
        found = _held(case, line, spans)
        if found is None:
            continue
        moved, elapsed, amount = found

        def say(before: str = before, moved: int = moved, amount: int = amount) -> str:
            shown = ", ".join(f"{case.shown(start)} to {case.shown(stop)}"
                              for start, stop in paused)
            return (f"{before}a pause of the desk's own: it holds the {case.metric} clock in "
                    f"a status the mapping lists as desk_paused ({shown}), where the "
                    f"contract's clock runs; held ({length(amount)} of open time before its "
                    f"due), the due is {case.shown(moved)}, the contract's {case.shown(due)}")

        yield Guess(reason, say, moved, elapsed, case.end > moved)
