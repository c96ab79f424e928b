"""A ticket's events as the kernel reads them: kind codes, `Happening`, `order_events`.

An event's code is its kind's index in `slacalc.sla.ticket.EVENT_KINDS` (which only grows
at its end, so codes never shift). `order_events` checks a ticket's events once, resolves
what they name (a new priority's key, a new tier's plan) and sorts them by instant, never
by wall time, equal instants in their given order; `slacalc.sla.replay` applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from difflib import get_close_matches
from typing import NamedTuple

from ..errors import SlacalcError, TicketError
from .plan import Plan
from .ticket import EVENT_KINDS

__all__ = ["CLOSED", "CONTACT", "PRIORITY", "REOPENED", "REPLIED", "RESOLVED", "RESPONDED",
           "TIER", "WAITING", "WORKAROUND", "Happening", "Tiers", "order_events"]

(RESPONDED, WAITING, REPLIED, PRIORITY, WORKAROUND, RESOLVED, REOPENED, CONTACT,
 CLOSED, TIER) = range(10)
_CODES = {kind: code for code, kind in enumerate(EVENT_KINDS)}  # EVENT_KINDS is in this order

Tiers = Callable[[str], Plan]
"""A tier's plan by name, in the terms in force at the opening (`UnknownTierError` for a
tier those terms lack): what a ``tier_changed`` event moves a ticket to."""


class Happening(NamedTuple):
    """One event of a ticket, as the kernel reads it."""

    at: int  # UTC µs
    position: int  # the event's index in the ticket (explanations name it)
    code: int  # RESPONDED .. TIER
    priority: str | None  # PRIORITY: the new priority key
    flag: bool  # RESOLVED: confirmed; CONTACT: answered
    plan: Plan | None = None  # TIER: the new tier's plan


def order_events(plan: Plan, opened: int,
                 events: Iterable[tuple[str, int, str | None, bool, bool | None]],
                 shown: Callable[[int], str], tiers: Tiers | None = None) -> list[Happening]:
    """Check a ticket's events and sort them by instant (stable: equal instants keep
    their order). Each event is ``(kind, at µs, new, confirmed, answered)``, ``new``
    being the new priority of a ``priority_changed`` or the new tier of a ``tier_changed``
    (looked up with ``tiers``, in the terms in force at the opening).

    Boundary rule: an unknown kind, an event before the opening, a priority change
    without a known priority, a tier change without a known tier (or without ``tiers``),
    a contact attempt without ``answered`` raise `TicketError` naming ``events[i]``;
    ``shown(i)`` is how event ``i``'s instant was written. Example:
    ``[("resolved", t2, ...), ("responded", t1, ...)]`` with ``t1 < t2`` -> responded
    first, then resolved.
    """
    found: list[Happening] = []
    for index, (kind, at, priority, confirmed, answered) in enumerate(events):
        where = f"events[{index}]"
        code = _CODES.get(kind)
        if code is None:
            close = get_close_matches(kind, EVENT_KINDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TicketError(f"{where}: unknown event kind {kind!r}{hint}; kinds: "
                              f"{', '.join(EVENT_KINDS)}")
        if at < opened:
            raise TicketError(f"{where}: {kind} at {shown(index)} is before the ticket was "
                              f"opened ({shown(-1)})")
        key = None
        if code == TIER:
            found.append(Happening(at, index, code, None, confirmed,
                                   _tier_plan(where, priority, tiers)))
            continue
        if code == PRIORITY:
            if priority is None:
                raise TicketError(f"{where}: priority_changed needs the new 'priority'")
            key = plan.priority_key(priority)
            if key is None:
                raise TicketError(f"{where}: {plan.unknown_priority(priority)}")
        if code == CONTACT and answered is None:
            raise TicketError(f"{where}: contact_attempt needs 'answered: true|false'")
        found.append(Happening(at, index, code, key, bool(answered) if code == CONTACT
                               else confirmed))
    found.sort(key=_instant)  # sort is stable: same-instant order is kept
    return found


def _instant(event: Happening) -> int:
    return event.at


def _tier_plan(where: str, tier: str | None, tiers: Tiers | None) -> Plan:
    """The plan a ``tier_changed`` event moves its ticket to; `TicketError` naming it."""
    if tier is None or not tier.strip():
        raise TicketError(f"{where}: tier_changed needs the new 'tier'")
    if tiers is None:
        raise TicketError(f"{where}: tier_changed to {tier!r}: no other tier is known here "
                          f"(evaluate the ticket with its policy)")
    try:
        return tiers(tier.strip())
    except SlacalcError as error:
        raise TicketError(f"{where}: tier_changed: {error}") from None
