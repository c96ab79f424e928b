"""The part of every adapter after its desk's records are read: a ticket's policy and
tier by the mapping's rules, its events (`derive`), its verdicts, gathered into
`Converted` blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ..batch._repeats import Seen, id_hashes
from ..engine._zone import instant_us
from ._history import Change, derive
from ._tables import Converted, RepeatedError, SourceRowError
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
                 attributes: Sequence[str] = (), *, whole: bool = True) -> None:
        self.mapping = mapping
        self.files = files
        self.attributes = tuple(attributes)
        self.out = Converted(files=files)
        self.count = 0
        # a ticket id on two records: read whole, the repeat is a row error (each id's
        # first record kept); streamed, `RepeatedError` (this block's ids, then every
        # block's as hashes, looked at once the last block is in)
        self._first: dict[str, tuple[str, int]] = {}
        self._block: set[str] = set()
        self._seen = None if whole else Seen()

    def fail(self, error: SourceRowError) -> None:
        """A record that belongs to no ticket that could be converted."""
        self.out.errors.append(error)

    def ticket(self, opening: Opening, changes: Sequence[Change],
               verdicts: Sequence[dict[str, Any]] = (),
               errors: Sequence[SourceRowError] = ()) -> None:
        """Convert one ticket; ``errors`` are its records' own faults (the ticket is then
        left out, each fault reported; a repeated id: `claim`)."""
        self.count += 1
        if not self.claim(opening.ticket_id, opening.where):
            return
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

    def claim(self, ticket_id: str, where: tuple[str, int]) -> bool:
        """Whether the ticket ``ticket_id`` (its record at ``where``) is converted: not
        when an earlier record has its id. Read whole, that is a row error naming the
        first record (which took every record of the id); streamed, `RepeatedError`.

        Example, read whole: ``claim("7", ("tickets.jsonl", 1))`` -> True, then
        ``claim("7", ("tickets.jsonl", 9))`` -> False, with the error ``tickets.jsonl:9:
        ticket_id '7' is already at tickets.jsonl:1``.
        """
        if self._seen is not None:
            if ticket_id in self._block:
                raise RepeatedError
            self._block.add(ticket_id)
            return True
        first = self._first.get(ticket_id)
        if first is None:
            self._first[ticket_id] = where
            return True
        self.out.errors.append(SourceRowError(
            *where, f"ticket_id {ticket_id!r} is already at {first[0]}:{first[1]}",
            ticket_id))
        return False

    def take(self) -> Converted:
        """The tickets converted since the last ``take``."""
        if self._seen is not None:
            self._seen.add(id_hashes(list(self._block)))
            self._block = set()
        out, self.out, self.count = self.out, Converted(files=self.files), 0
        return out

    def repeated(self) -> bool:
        """Whether two blocks taken (streamed) have a ticket id (by its hash) in common."""
        return self._seen is not None and self._seen.repeated()


def blocks(feed: Callable[[Builder], Iterator[None]], builder: Builder,
           size: int = BLOCK) -> Iterator[Converted]:
    """`Converted` blocks of ``size`` tickets: ``feed`` converts into ``builder`` and
    yields after each ticket; the last block holds the rest (and any errors). Streamed
    (the builder's ``whole`` False), a ticket id on two records raises `RepeatedError`
    (within a block at once, across blocks before the last one)."""
    for _ in feed(builder):
        if builder.count >= size:
            yield builder.take()
    last = builder.take()
    if builder.repeated():
        raise RepeatedError
    if last.tickets or last.errors or last.verdicts:
        yield last
