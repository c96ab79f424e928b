"""A ticket's desk history (status, priority and reply changes) turned into event-log
events, the same way for every desk, by the mapping's roles.

The changes are sorted by instant (equal instants keep their order). A status change
moves the ticket between the roles of `slacalc.sources.mapping.ROLES`; each move gives
these events (docs/sources.md, "From statuses to events"):

| from -> to | events |
| --- | --- |
| open -> awaiting_customer | ``awaiting_customer`` |
| awaiting_customer -> open | ``customer_replied`` |
| resolved or closed -> open | ``reopened`` |
| resolved or closed -> awaiting_customer | ``reopened``, ``awaiting_customer`` |
| any -> resolved | ``resolved`` |
| any -> closed | ``closed`` |

A move within one role (``new`` -> ``open``) gives none. The first public reply, or the
first change to a status named in ``responded_on``, gives ``responded``; a priority
change to another policy priority gives ``priority_changed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ._tables import SourceRowError
from .mapping import DeskMapping, unknown

__all__ = ["MOVES", "Change", "History", "derive"]

STATUS, PRIORITY, REPLY = "status", "priority", "reply"


@dataclass(frozen=True, slots=True)
class Change:
    """One change a desk recorded: ``field`` is ``status``, ``priority`` or ``reply`` (a
    public reply by the desk), ``value`` the new desk value, ``previous`` the old one if
    the desk gives it, ``where`` its file and position."""

    at: datetime
    field: str
    value: str
    where: tuple[str, int]
    previous: str | None = None


@dataclass(slots=True)
class History:
    """The ticket's priority at its opening and its events (dict rows, event-log layout,
    with the position of the record each came from)."""

    priority: str
    events: list[tuple[int, dict[str, str]]]
    paused: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    """The spans in a status of the mapping's ``desk_paused`` (None: to the export's end)."""


def _event(ticket_id: str, at: datetime, kind: str, note: str,
           priority: str = "") -> dict[str, str]:
    return {"ticket_id": ticket_id, "at": at.isoformat(), "kind": kind,
            "priority": priority, "answered": "", "confirmed": "", "note": note}


MOVES = {
    ("open", "awaiting_customer"): ("awaiting_customer",),
    ("awaiting_customer", "open"): ("customer_replied",),
    ("resolved", "open"): ("reopened",),
    ("closed", "open"): ("reopened",),
    ("resolved", "awaiting_customer"): ("reopened", "awaiting_customer"),
    ("closed", "awaiting_customer"): ("reopened", "awaiting_customer"),
}
"""The events of a move between two roles (any other move into resolved or closed gives
that kind; one within a role, none)."""


def derive(ticket_id: str, mapping: DeskMapping, changes: Sequence[Change], *,
           status: str | None, priority: str, where: tuple[str, int],
           errors: list[SourceRowError], opened: datetime | None = None) -> History | None:
    """The events of one ticket from its ``changes`` (any order), or None when one of
    them (or the opening ``status``/``priority``, read at ``where``) is not in the mapping:
    then each such value is one `SourceRowError` appended to ``errors``.

    Boundary rule: ``status`` is the status the ticket opened in (None: ``open``); a
    status change is judged from the role the ticket is in, not from the change's own
    ``previous`` value; changes at one instant keep their order. Example: ``new``, then
    ``pending`` at 10:00, ``open`` at 11:00 -> ``awaiting_customer`` 10:00,
    ``customer_replied`` 11:00. The spans in a ``desk_paused`` status (from ``opened``
    when the ticket opened in one) are `History.paused`.
    """
    before = len(errors)
    ordered = sorted(changes, key=lambda change: change.at)
    role = "open"
    if status is not None and status.strip():
        found = mapping.role(status)
        if found is None:
            errors.append(SourceRowError(*where, unknown("status", status, mapping.statuses),
                                         ticket_id))
        else:
            role = found
    current = mapping.priority(priority)
    if current is None:
        message = ("priority: empty and the mapping has no default_priority"
                   if not priority.strip() else
                   unknown("priority", priority, mapping.priorities))
        errors.append(SourceRowError(*where, message, ticket_id))
    first = current or ""
    responded = False
    events: list[tuple[int, dict[str, str]]] = []
    for change in ordered:
        line = change.where[1]
        if change.field == REPLY:
            if not responded:
                responded = True
                events.append((line, _event(ticket_id, change.at, "responded",
                                            f"public reply ({_at(change)})")))
            continue
        if change.field == PRIORITY:
            new = mapping.priority(change.value)
            if new is None:
                errors.append(SourceRowError(*change.where, unknown(
                    "priority", change.value, mapping.priorities), ticket_id))
            elif new != current:
                current = new
                events.append((line, _event(ticket_id, change.at, "priority_changed",
                                            f"priority {change.value} ({_at(change)})", new)))
            continue
        target = mapping.role(change.value)
        if target is None:
            errors.append(SourceRowError(*change.where, unknown(
                "status", change.value, mapping.statuses), ticket_id))
            continue
        note = f"status {change.previous or '?'} -> {change.value} ({_at(change)})"
        if not responded and mapping.responds(change.value):
            responded = True
            events.append((line, _event(ticket_id, change.at, "responded", note)))
        if target != role:
            kinds = MOVES.get((role, target), (target,) if target in {"resolved", "closed"}
                               else ())
            events += [(line, _event(ticket_id, change.at, kind, note)) for kind in kinds]
            role = target
    if len(errors) > before:
        return None
    return History(first, events, _paused(mapping, ordered, status, opened))


def _paused(mapping: DeskMapping, ordered: Sequence[Change], status: str | None,
            opened: datetime | None) -> list[tuple[datetime, datetime | None]]:
    """The spans in a status of the mapping's ``desk_paused`` (None: still in one)."""
    if not mapping.desk_paused:
        return []
    spans: list[tuple[datetime, datetime | None]] = []
    held = opened if status is not None and mapping.desk_pauses(status) else None
    for change in ordered:
        if change.field != STATUS:
            continue
        pausing = mapping.desk_pauses(change.value)
        if pausing and held is None:
            held = change.at
        elif not pausing and held is not None:
            spans.append((held, change.at))
            held = None
    if held is not None:
        spans.append((held, None))
    return spans


def _at(change: Change) -> str:
    return f"{change.where[0]}:{change.where[1]}"
