"""What every adapter produces: `Converted` (the event-log tables and the desk's own
verdicts as plain dict rows), the located `SourceRowError`, instants read from a desk,
and the join of a desk's ticket records with the records that follow them.

The tickets and events rows have the event-log layout (docs/cli.md, "Event logs"), all
cells text, so they can be written to CSV or fed to the report as they are. The verdict
rows carry the desk's own SLA verdicts (docs/sources.md, "Desk verdicts").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar

from ..batch._rows import RowError

__all__ = ["EVENT_COLUMNS", "TICKET_COLUMNS", "VERDICT_COLUMNS", "Converted", "Record",
           "RepeatedError", "SourceRowError", "UnorderedError", "instant", "joined",
           "joined_runs", "runs"]

TICKET_COLUMNS = ("ticket_id", "policy", "tier", "priority", "opened_at")
"""The tickets table's columns (an adapter may add attribute columns after them)."""
EVENT_COLUMNS = ("ticket_id", "at", "kind", "priority", "answered", "confirmed", "note")
"""The events table's columns, every row has each (empty text where unused)."""
VERDICT_COLUMNS = ("ticket_id", "metric", "breached", "due_at", "elapsed_seconds",
                   "desk_metric", "source")
"""A desk verdict's keys: ``breached`` bool or None (undecided), ``due_at`` ISO 8601
text with an offset or None, ``elapsed_seconds`` float or None, the others text."""

_T = TypeVar("_T")
Record = tuple[int, Any]
"""A desk record and its position in its file (the line, or the item's number in a
JSON array, counted from 1)."""


class SourceRowError(RowError):
    """A desk record that cannot be converted: ``file`` and ``position`` locate it; the
    message starts ``file:position: `` (``audits.jsonl:42: status 'pending_vendor' is not
    in the mapping (did you mean 'pending'?)``), as report row errors do."""

    def __init__(self, file: str, position: int, message: str, ticket_id: str = "") -> None:
        super().__init__(position, f"{file}:{position}: {message}", ticket_id)
        self.file = file
        self.position = position


@dataclass(slots=True)
class Converted:
    """A desk export converted: ``tickets`` and ``events`` rows in the event-log layout,
    ``verdicts`` (the desk's own SLA verdicts, `VERDICT_COLUMNS`), and ``errors`` (the
    records that could not be converted; their tickets are left out of all three).

    ``ticket_lines`` and ``event_lines`` hold each row's position in the desk's ticket
    and event file (``files`` names them), so a report's row errors point at the export.
    """

    tickets: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[SourceRowError] = field(default_factory=list)
    ticket_lines: list[int] = field(default_factory=list)
    event_lines: list[int] = field(default_factory=list)
    files: tuple[str, str] = ("tickets", "events")
    desk_paused: dict[str, list[tuple[int, int | None]]] = field(default_factory=dict)
    """Per ticket, the spans (UTC µs; None: to the export's end) it spent in a status of
    the mapping's ``desk_paused``: the audit's ``desk_pause`` reason reads them."""

    @classmethod
    def whole(cls, parts: Iterable[Converted], files: tuple[str, str] | None = None
              ) -> Converted:
        """The blocks ``parts`` (of one export) as one `Converted`: the first extended by
        the others; with no block, an empty one naming ``files`` (when given).

        Example: ``Converted.whole(stream_zendesk(folder, ordered=False))`` -> every
        ticket of the folder.
        """
        out: Converted | None = None
        for part in parts:
            if out is None:
                out = part
            else:
                out.extend(part)
        if out is not None:
            return out
        return cls() if files is None else cls(files=files)

    def extend(self, other: Converted) -> None:
        """Append another block's rows (same files).

        Boundary rule: rows keep their order, ``files`` stays this one's. Example: a block
        of tickets 1-10,000 extended by the next gives tickets 1-20,000.
        """
        self.tickets += other.tickets
        self.events += other.events
        self.verdicts += other.verdicts
        self.errors += other.errors
        self.ticket_lines += other.ticket_lines
        self.event_lines += other.event_lines
        self.desk_paused.update(other.desk_paused)


class UnorderedError(Exception):
    """The followers were not grouped by ticket in the tickets' order (streamed mode):
    the caller converts again with the followers read whole."""

    why = "the files are not grouped by ticket in the tickets' order"
    """What the caller says on stderr before it converts again."""


class RepeatedError(UnorderedError):
    """A ticket id is on two records of the tickets file (streamed mode; a time-based
    incremental export may repeat a ticket): a repeat may have taken some of the first
    record's followers, so the caller converts again with the followers read whole, where
    the first record takes them all and the repeat is a row error."""

    why = "a ticket id is on two records of the tickets"


def instant(value: object, where: tuple[str, int], name: str, *,
            naive_utc: bool = False) -> datetime:
    """A desk's time stamp as an aware datetime.

    Boundary rule: ISO 8601 text (``Z``, ``+hh:mm`` or ``+hhmm``; a space or ``T``);
    text without an offset is UTC when ``naive_utc`` (ServiceNow's exports), else a
    `SourceRowError` naming the file, position and field; empty or missing is one too.
    Example: ``instant("2026-11-03 14:00:00", ("sys_audit.csv", 4), "sys_created_on",
    naive_utc=True)`` -> ``datetime(2026, 11, 3, 14, tzinfo=UTC)``.
    """
    if not isinstance(value, str) or not value.strip():
        raise SourceRowError(*where, f"{name}: missing")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise SourceRowError(*where, f"{name}: malformed instant {value!r} (ISO 8601 "
                                     f"expected)") from None
    if moment.tzinfo is None:
        if not naive_utc:
            raise SourceRowError(*where, f"{name}: {value!r} has no UTC offset")
        moment = moment.replace(tzinfo=UTC)
    return moment


_RECORD = itemgetter(1)
_KEY = itemgetter(0)


def _key(record: Any) -> str:
    return str(record[0])


def joined(tickets: Iterable[tuple[str, _T]],
           followers: list[tuple[str, Iterable[tuple[str, Record]]]], *,
           ordered: bool) -> Iterator[tuple[str, _T | None, list[list[Record]]]]:
    """Each ticket ``(id, item)`` with, per follower, the records ``(id, (position,
    record))`` of that id, then ``("", None, ...)`` once with the records of no ticket.

    Boundary rule: ``ordered``: each follower is read along the tickets (memory flat) and
    a ticket takes the records met in a run with its id; a record left at the end (its
    ticket earlier, or none) raises `UnorderedError` after the last ticket. Not ``ordered``:
    each follower is read whole and grouped by id first (any order; memory grows with the
    followers). Example: tickets ``1, 2`` and audits ``1, 1, 2`` -> ``(1, [a, a])``,
    ``(2, [a])``, then ``("", None, [[]])``.
    """
    return joined_runs(tickets, [runs(rows) for _name, rows in followers], ordered=ordered)


def runs(rows: Iterable[tuple[str, Record]]) -> Iterator[tuple[str, list[Record]]]:
    """Keyed records ``(id, (position, record))`` in runs of one id, ``(id, [(position,
    record), ...])``, as `slacalc.sources._files.json_runs` reads them from a file.

    Example: ids ``1, 1, 2, 1`` -> runs ``1`` (two records), ``2``, ``1``.
    """
    for key, run in groupby(rows, key=_KEY):
        yield key, list(map(_RECORD, run))


def joined_runs(tickets: Iterable[tuple[str, _T]],
                followers: Sequence[Iterable[tuple[str, list[Record]]]], *,
                ordered: bool) -> Iterator[tuple[str, _T | None, list[list[Record]]]]:
    """`joined` of followers already in runs: each ``(id, [(position, record), ...])``,
    the records of a run in a row with that id (so a ticket's records are found by a
    comparison per run, not per record).

    Boundary rule: as `joined`; in order, a ticket takes the follower's run at hand when
    its id is the ticket's (the run's list itself, not a copy). Example: tickets ``1, 2`` and
    audit runs ``("1", [a, a]), ("2", [a])`` -> ``("1", [a, a])``, ``("2", [a])``, then
    ``("", None, [[]])``.
    """
    if not ordered:
        grouped: list[dict[str, list[Record]]] = []
        for follower in followers:
            found: dict[str, list[Record]] = {}
            for key, records in follower:
                known = found.get(key)
                if known is None:
                    found[key] = list(records)  # a copy: the runs given stay as they are
                else:
                    known += records
            grouped.append(found)
        for key, item in tickets:
            yield key, item, [found.pop(key, []) for found in grouped]
        yield "", None, [[record for rows in found.values() for record in rows]
                         for found in grouped]
        return
    iterators = [iter(follower) for follower in followers]
    heads: list[tuple[str, list[Record]] | None] = [next(run, None) for run in iterators]
    for key, item in tickets:
        taken: list[list[Record]] = []
        for index, run in enumerate(iterators):
            head = heads[index]
            if head is not None and head[0] == key:
                taken.append(head[1])
                heads[index] = next(run, None)
            else:
                taken.append([])
        yield key, item, taken
    if any(head is not None for head in heads):
        raise UnorderedError
    yield "", None, [[] for _ in iterators]
