"""A chunk of tickets: two tables of columns, whatever the export looked like (one row per
ticket: id, policy, tier, priority, opening, attributes; one per event: its ticket, kind,
instant and extras), and what every plan's part of it reads (`Shared`). The kernel
evaluates it (`slacalc.batch._columns`) and gathers its verdicts (`slacalc.batch._found`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..sla.plan import Plan
from ..sla.ticket import EVENT_KINDS
from ._instants import Bools, Instants, Ints, Texts

__all__ = ["CODES", "MOST_EVENTS", "Chunk", "Kind", "Shared"]

MOST_EVENTS = 64
"""A ticket with more events than this takes the checked path (the arrays stay small)."""
CODES = {kind: code for code, kind in enumerate(EVENT_KINDS)}
"""Event kind -> code (`Chunk.code`)."""


class Kind(NamedTuple):
    """The plan of a ticket's tier and the key of its priority."""

    plan: Plan
    key: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """Tickets and their events as columns.

    Ticket columns are row-aligned; event ``i`` belongs to ticket row ``ticket[i]``, and a
    ticket's events keep their given order among themselves. ``answered`` is None where
    an event gave no ``answered``; ``confirmed`` is True where it gave no ``confirmed``.
    """

    ids: Sequence[str]
    policies: Sequence[str]
    tiers: Sequence[str]
    priorities: Sequence[str]
    opened: Instants
    attributes: Mapping[str, Texts]  # a column per attribute, "" where a ticket has none
    ticket: Ints
    code: Ints  # the event's kind: its index in EVENT_KINDS, or -1 for an unknown kind
    at: Instants
    new: Sequence[str | None]  # priority_changed: the new priority as written ("", None: none)
    confirmed: Bools
    answered: Sequence[bool | None]


class Shared(NamedTuple):
    """What every plan's part of a chunk reads, worked out once."""

    heads: tuple[Texts, Texts, Texts]  # ticket id, policy, tier
    given: Ints  # event indices grouped by ticket, each ticket's in given order
    first: Ints  # per ticket, where its events start in ``given``
    flag: Bools  # per event: confirmed (resolved), answered (contact attempt)
    end: Ints  # per ticket: the instant it is judged at
    pairs: tuple[Ints, list[tuple[str, str]]]  # per ticket, its (policy, tier)'s number
