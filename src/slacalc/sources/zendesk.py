"""Zendesk Support: tickets (incremental ticket export), ticket audits and, where
present, ticket metric events -> the event-log tables and Zendesk's own SLA verdicts.

Shapes (docs/sources.md, "Zendesk", cites the API pages):

* a ticket: ``id``, ``created_at``, ``priority`` (urgent/high/normal/low or null),
  ``status``, ``via.channel``, ``tags``, ``organization_id``, ``group_id``,
  ``requester_id``;
* an audit: ``ticket_id``, ``created_at``, ``author_id`` and ``events``: ``Create`` (a
  property set on a new ticket), ``Change`` (``field_name``, ``previous_value``,
  ``value``) and ``Comment`` (``public``, ``author_id``);
* a metric event: ``ticket_id``, ``metric``, ``instance_id``, ``type`` (activate, pause,
  fulfill, apply_sla, breach, update_status), ``time``, ``sla`` (``target``,
  ``business_hours``), ``status`` (``calendar``, ``business`` minutes), ``deleted``.

Files in an export folder: ``tickets.jsonl`` (or ``tickets.json``: ``{"tickets": [...]}``),
``audits.jsonl`` (or ``audits.json``: ``{"audits": [...]}``) and, optionally,
``ticket_metric_events.jsonl`` (or ``.json``: ``{"ticket_metric_events": [...]}``).
Streamed when the audits and metric events come grouped by ticket in the tickets'
order; otherwise they are read whole first (`joined`). A ticket whose records came
typed, with stamps in Zendesk's own form, is converted on the lean path of
`slacalc.sources._zendesk_typed`; any other, here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..engine._zone import instant_us
from ._convert import Builder, Opening, blocks, verdict
from ._files import find, find_optional, json_keyed, json_runs, shown
from ._history import PRIORITY, REPLY, STATUS, Change
from ._tables import Converted, Record, SourceRowError, instant, joined_runs, runs
from ._zendesk_shapes import Audit, AuditEvent, MetricEvent, Ticket, metric_state
from ._zendesk_typed import Fast
from .mapping import DeskMapping, default_mapping, unknown

__all__ = ["FILES", "convert", "read_zendesk", "stream_zendesk"]

FILES = ("tickets.jsonl", "audits.jsonl", "ticket_metric_events.jsonl")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _keyed(records: Iterable[tuple[int, Any]], key: str) -> Iterator[tuple[str, Record]]:
    for item in records:
        record = item[1]
        value = record.get(key) if type(record) is dict else None
        yield ("" if value is None else str(value)), item


def _changes(ticket_id: str, requester: str, audits: list[Record], name: str,
             errors: list[SourceRowError]) -> tuple[list[Change], dict[str, str]]:
    """The status, priority and reply changes of a ticket's audits, and the values its
    creation audit set (``Create`` events)."""
    changes: list[Change] = []
    created: dict[str, str] = {}
    fields = (STATUS, PRIORITY)
    for position, audit in audits:
        where = (name, position)
        if type(audit) is str:
            errors.append(SourceRowError(*where, str(audit), ticket_id))
            continue
        try:
            at = instant(audit.get("created_at"), where, "created_at")
        except SourceRowError as error:
            errors.append(error)
            continue
        events = [event for event in audit.get("events") or ()
                  if type(event) is dict or type(event) is AuditEvent]
        creating = any(event.get("type") == "Create" for event in events)
        author = audit.get("author_id")
        for event in events:
            kind, field = event.get("type"), event.get("field_name")
            if kind == "Change" and field in fields:
                value, previous = event.get("value"), event.get("previous_value")
                changes.append(Change(at, field, "" if value is None else str(value), where,
                                      None if previous in (None, "") else str(previous)))
            elif kind == "Comment":
                if event.get("public") and not creating \
                        and _text(event.get("author_id") or author) != requester:
                    changes.append(Change(at, REPLY, "", where))
            elif kind == "Create" and field in fields:
                created[field] = _text(event.get("value"))
    return changes, created


class _Cycle:
    """What the metric events of one metric and instance said, read in one pass."""

    __slots__ = ("applied", "breach", "business", "elapsed", "first", "fulfil")

    def __init__(self, first: int) -> None:
        self.first = first
        self.applied: int | None = None
        self.business = True
        self.breach: tuple[int, dict[str, Any]] | None = None
        self.fulfil: tuple[int, dict[str, Any]] | None = None
        self.elapsed: Any = None


def _verdicts(ticket_id: str, records: list[Record], name: str, mapping: DeskMapping,
              errors: list[SourceRowError]) -> list[dict[str, Any]]:
    """One verdict per mapped metric (and instance) that an SLA was applied to."""
    cycles: dict[tuple[Any, Any], _Cycle] = {}
    for position, record in records:
        if type(record) is str:
            errors.append(SourceRowError(name, position, record, ticket_id))
            continue
        if type(record) is MetricEvent:  # typed: its fields read as attributes
            metric, instance, kind = record.metric, record.instance_id, record.type
        else:
            metric, instance, kind = (record.get("metric"), record.get("instance_id"),
                                      record.get("type"))
        key = (metric, instance)
        cycle = cycles.get(key)
        if cycle is None:
            cycle = cycles[key] = _Cycle(position)
        if kind == "update_status":
            cycle.elapsed = record.get("status")
        elif kind == "breach":
            if cycle.breach is None or not record.get("deleted"):
                cycle.breach = (position, record)
        elif kind == "fulfill":
            cycle.fulfil = (position, record)
        elif kind == "apply_sla":
            sla = record.get("sla")
            cycle.business = bool(sla.get("business_hours", True)) \
                if type(sla) is dict else True
            cycle.applied = position
    found = []
    for (desk_metric, instance), cycle in cycles.items():
        if cycle.applied is None:
            continue
        metric = mapping.metric(_text(desk_metric))
        if metric is None:
            errors.append(SourceRowError(name, cycle.first, unknown(
                "metric", _text(desk_metric), mapping.metrics), ticket_id))
            continue
        if metric == "ignore" or (desk_metric == "reply_time" and instance not in {None, 1,
                                                                                   "1"}):
            continue
        try:
            found.append(_verdict(ticket_id, metric, _text(desk_metric), cycle, name))
        except SourceRowError as error:
            errors.append(error)
    return found


def _verdict(ticket_id: str, metric: str, desk_metric: str, cycle: _Cycle,
             name: str) -> dict[str, Any]:
    """The desk's own state of one metric instance, from its events: a breach event not
    deleted -> breached, unless the metric was fulfilled before the breach's time (met:
    Zendesk deletes the breach then; an export that kept it still says met); a fulfil
    without such a breach -> met; neither -> None (running). A breach event is scheduled
    ahead: one dated after the export's instant has not happened (`as_of`)."""
    status = cycle.elapsed if type(cycle.elapsed) is dict else {}
    minutes = status.get("business" if cycle.business else "calendar")
    elapsed = float(minutes) * 60 if isinstance(minutes, int | float) else None
    breach, fulfil = cycle.breach, cycle.fulfil
    due = None
    if breach is not None:
        due = instant(breach[1].get("time"), (name, breach[0]), "time")
    kept = breach is not None and not breach[1].get("deleted")
    if kept and fulfil is not None and due is not None:
        fulfilled = instant(fulfil[1].get("time"), (name, fulfil[0]), "time")
        kept = instant_us(fulfilled) > instant_us(due)
    breached, source = metric_state(kept, None if breach is None else breach[0],
                                    None if fulfil is None else fulfil[0], cycle.applied)
    return verdict(ticket_id, metric, breached=breached, due_at=due, elapsed=elapsed,
                   desk_metric=desk_metric, source=f"{name}:{source}")


def _feed(tickets: Iterable[tuple[str, Record]], audits: Iterable[tuple[str, list[Record]]],
          metric_events: Iterable[tuple[str, list[Record]]], names: tuple[str, str, str],
          ordered: bool) -> Callable[[Builder], Iterator[None]]:
    """The tickets with their audits and metric events (each given in runs of one
    ticket id: `json_runs`, `runs`) converted into the builder, a yield per ticket."""
    def feed(builder: Builder) -> Iterator[None]:
        fast = Fast(builder.mapping, names)
        for key, item, (mine, metrics) in joined_runs(
                tickets, [audits, metric_events], ordered=ordered):
            if item is None:  # the records of no ticket
                for file, records in ((names[1], mine), (names[2], metrics)):
                    for position, record in records:
                        owner = _text(record.get("ticket_id")) if not isinstance(
                            record, str) else ""
                        builder.fail(SourceRowError(file, position, (
                            f"ticket_id {owner!r} has no ticket in {names[0]}")
                            if not isinstance(record, str) else record))
                continue
            if not fast.convert(builder, key, item, mine, metrics):
                _ticket(builder, key, item, mine=mine, metrics=metrics, names=names)
            yield
    return feed


def _ticket(builder: Builder, key: str, item: Record, *, mine: list[Record],
            metrics: list[Record], names: tuple[str, str, str]) -> None:
    position, ticket = item
    where = (names[0], position)
    if not isinstance(ticket, dict | Ticket):
        builder.fail(SourceRowError(*where, str(ticket)))
        return
    if not key:
        builder.fail(SourceRowError(*where, "id: missing"))
        return
    errors: list[SourceRowError] = []
    try:
        opened = instant(ticket.get("created_at"), where, "created_at")
    except SourceRowError as error:
        error.ticket_id = key
        builder.fail(error)
        return
    changes, created = _changes(key, _text(ticket.get("requester_id")), mine, names[1],
                                errors)
    status = created.get(STATUS) or _first(changes, STATUS) or _text(ticket.get("status"))
    priority = created.get(PRIORITY, _first(changes, PRIORITY)
                           or _text(ticket.get("priority")))
    via = ticket.get("via") if isinstance(ticket.get("via"), dict) else {}
    opening = Opening(key, where, opened, priority=priority, status=status,
                      organization=_text(ticket.get("organization_id")),
                      tags=[str(tag) for tag in ticket.get("tags") or []],
                      group=_text(ticket.get("group_id")),
                      attributes={"channel": _text((via or {}).get("channel"))})
    verdicts = _verdicts(key, metrics, names[2], builder.mapping, errors)
    builder.ticket(opening, changes, verdicts, errors)


def _first(changes: list[Change], field: str) -> str | None:
    """The value before the first change of ``field`` (its ``previous_value``)."""
    return next((change.previous for change in sorted(changes, key=lambda c: c.at)
                 if change.field == field), None)


def _numbered(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[int, Any]]:
    return enumerate(rows, start=1)


def convert(tickets: Iterable[dict[str, Any]], audits: Iterable[dict[str, Any]],
            metric_events: Iterable[dict[str, Any]] = (),
            mapping: DeskMapping | None = None) -> Converted:
    """Zendesk records (already read: dicts as the API returns them) -> `Converted`.

    Boundary rule: the audits and metric events may come in any order (they are grouped
    by ``ticket_id``); positions in errors and ``source`` are each record's number in
    its iterable, from 1 (``audits:3``). A status or priority the mapping lacks, a
    missing ``created_at``, an audit or metric event of no ticket is a row error; a
    ticket with one is left out. Example: ticket 7 created ``2026-11-02T09:00:00Z``
    (priority high), an audit at 10:00 changing status open -> pending, another at 12:00
    pending -> open -> events ``awaiting_customer`` 10:00 and ``customer_replied`` 12:00,
    priority ``P2`` (default mapping).
    """
    feed = _feed(_keyed(_numbered(tickets), "id"), runs(_keyed(_numbered(audits), "ticket_id")),
                 runs(_keyed(_numbered(metric_events), "ticket_id")),
                 ("tickets", "audits", "ticket_metric_events"), ordered=False)
    return Converted.whole(blocks(feed, Builder(mapping or default_mapping("zendesk"),
                                                ("tickets", "audits"), ("channel",))),
                           ("tickets", "audits"))


def stream_zendesk(folder: Path, mapping: DeskMapping | None = None, *,
                   ordered: bool = True, block: int = 10_000) -> Iterator[Converted]:
    """`Converted` blocks of ``block`` tickets from an export folder (see the module).

    Boundary rule: ``ordered`` reads the audits and metric events along the tickets
    (memory flat) and raises `UnorderedError` at the end if they were not grouped by ticket
    in the tickets' order (convert again with ``ordered=False``, which reads them whole
    first). Example: ``next(stream_zendesk(Path("examples/desks/zendesk"))).tickets[0]``.
    """
    ticket_file = find(folder, ["tickets.jsonl", "tickets.json"])
    audit_file = find(folder, ["audits.jsonl", "audits.json"])
    metric_file = find_optional(folder, ["ticket_metric_events.jsonl", "ticket_metric_events.json"])
    names = (shown(ticket_file), shown(audit_file),
             shown(metric_file) if metric_file else "ticket_metric_events.jsonl")
    metrics = json_runs(metric_file, "ticket_metric_events", "ticket_id", MetricEvent) \
        if metric_file else iter(())
    feed = _feed(json_keyed(ticket_file, "tickets", "id", Ticket),
                 json_runs(audit_file, "audits", "ticket_id", Audit), metrics, names,
                 ordered=ordered)
    yield from blocks(feed, Builder(mapping or default_mapping("zendesk"), names[:2],
                                    ("channel",), whole=not ordered), block)


def read_zendesk(folder: Path, mapping: DeskMapping | None = None) -> Converted:
    """Every ticket of an export folder as one `Converted` (any record order).

    Boundary rule: as `stream_zendesk` with ``ordered=False``. Example:
    ``read_zendesk(Path("examples/desks/zendesk")).verdicts[0]["metric"]`` ->
    ``"response"``.
    """
    return Converted.whole(stream_zendesk(Path(folder), mapping, ordered=False))
