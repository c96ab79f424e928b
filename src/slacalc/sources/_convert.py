"""The part of every adapter after its desk's records are read: a ticket's policy and
tier by the mapping's rules, its events (`derive`), its verdicts, gathered into
`Converted` blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ..engine._zone import instant_us
from ._history import Change, derive
from ._tables import Converted, SourceRowError
from .mapping import DeskMapping

__all__ = ["Builder", "Opening", "blocks", "verdict"]

BLOCK = 10_000
"""Tickets per `Converted` block when streaming."""


def verdict(ticket_id: str, metric: str, *, breached: bool | None, due_at: datetime | None,
            elapsed: float | None, desk_metric: str, source: str) -> dict[str, Any]:
    """A verdict row (`VERDICT_COLUMNS`); ``due_at`` is written ISO 8601 with its offset."""
    return {"ticket_id": ticket_id, "metric": metric, "breached": breached,
            "due_at": None if due_at is None else due_at.isoformat(),
            "elapsed_seconds": elapsed, "desk_metric": desk_metric, "source": source}


class Opening:
    """What a desk says of a ticket at its opening (all text as the desk writes it)."""

    __slots__ = ("attributes", "group", "opened", "organization", "priority", "status",
                 "tags", "ticket_id", "where")

    def __init__(self, ticket_id: str, where: tuple[str, int], opened: datetime, *,
                 priority: str, status: str | None = None, organization: str = "",
                 tags: Iterable[str] = (), group: str = "",
                 attributes: dict[str, str] | None = None) -> None:
        self.ticket_id = ticket_id
        self.where = where
        self.opened = opened
        self.priority = priority
        self.status = status
        self.organization = organization
        self.tags = frozenset(tag.casefold() for tag in tags)
        self.group = group
        self.attributes = attributes or {}


class Builder:
    """Gathers converted tickets into a `Converted` (``take`` hands it over)."""

    def __init__(self, mapping: DeskMapping, files: tuple[str, str],
                 attributes: Sequence[str] = ()) -> None:
        self.mapping = mapping
        self.files = files
        self.attributes = tuple(attributes)
        self.out = Converted(files=files)
        self.count = 0

    def fail(self, error: SourceRowError) -> None:
        """A record that belongs to no ticket that could be converted."""
        self.out.errors.append(error)

    def ticket(self, opening: Opening, changes: Sequence[Change],
               verdicts: Sequence[dict[str, Any]] = (),
               errors: Sequence[SourceRowError] = ()) -> None:
        """Convert one ticket; ``errors`` are its records' own faults (the ticket is then
        left out, each fault reported)."""
        self.count += 1
        found = list(errors)
        rule = self.mapping.rule(opening.organization, opening.tags, opening.group)
        if rule is None:
            found.append(SourceRowError(*opening.where, (
                f"no rule of the mapping's policies matches (organization "
                f"{opening.organization!r}, tags {sorted(opening.tags)}, group "
                f"{opening.group!r}); add a last rule without conditions"),
                opening.ticket_id))
        history = derive(opening.ticket_id, self.mapping, changes, status=opening.status,
                         priority=opening.priority, where=opening.where, errors=found,
                         opened=opening.opened)
        if found or history is None or rule is None:
            self.out.errors += found
            return
        row = {"ticket_id": opening.ticket_id, "policy": rule.policy, "tier": rule.tier,
               "priority": history.priority, "opened_at": opening.opened.isoformat()}
        for name in self.attributes:
            row[name] = opening.attributes.get(name, "")
        self.out.tickets.append(row)
        self.out.ticket_lines.append(opening.where[1])
        for line, event in history.events:
            self.out.events.append(event)
            self.out.event_lines.append(line)
        self.out.verdicts += verdicts
        if history.paused:
            self.out.desk_paused[opening.ticket_id] = [
                (instant_us(start), None if stop is None else instant_us(stop))
                for start, stop in history.paused]

    def take(self) -> Converted:
        """The tickets converted since the last ``take``."""
        out, self.out, self.count = self.out, Converted(files=self.files), 0
        return out


def blocks(feed: Callable[[Builder], Iterator[None]], builder: Builder,
           size: int = BLOCK) -> Iterator[Converted]:
    """`Converted` blocks of ``size`` tickets: ``feed`` converts into ``builder`` and
    yields after each ticket; the last block holds the rest (and any errors)."""
    for _ in feed(builder):
        if builder.count >= size:
            yield builder.take()
    last = builder.take()
    if last.tickets or last.errors or last.verdicts:
        yield last
