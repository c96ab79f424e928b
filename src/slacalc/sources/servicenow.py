"""ServiceNow incidents: ``incident`` rows, ``sys_audit`` rows and, where present,
``task_sla`` rows -> the event-log tables and ServiceNow's own SLA verdicts.

Shapes (docs/sources.md, "ServiceNow", cites the documentation), raw values as the Table
API and a CSV export with raw values give them:

* ``incident``: ``sys_id``, ``number`` (the ticket id shown), ``opened_at``,
  ``priority`` (1-5), ``state`` (1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed,
  8 Canceled), ``hold_reason`` (1 Awaiting Caller, ...), ``company`` (the organisation),
  ``assignment_group`` (the group), ``contact_type`` (the channel), ``caller_id``;
* ``sys_audit``: ``documentkey`` (the incident's ``sys_id``), ``tablename``
  (``incident``; other tables are skipped), ``fieldname`` (``state``, ``hold_reason``,
  ``priority``, ``comments``), ``oldvalue``, ``newvalue``, ``sys_created_on``, ``user``;
* ``task_sla``: ``task`` (the incident's ``sys_id``), ``sla`` (the SLA definition's
  name), ``stage``, ``has_breached``, ``planned_end_time``, ``business_duration``.

ServiceNow writes instants without an offset, in UTC in exports (``naive_instants: utc``
in the default mapping); a ``business_duration`` is seconds, or a duration written as
the date ``1970-01-01 hh:mm:ss`` (seconds since the epoch, as ServiceNow stores them).

Files in an export folder: ``incident.csv``, ``sys_audit.csv`` and, optionally,
``task_sla.csv``. Streamed when ``sys_audit.csv`` and ``task_sla.csv`` are grouped by
incident in ``incident.csv``'s order; otherwise they are read whole first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from ._convert import Builder, Opening, blocks, verdict
from ._files import cell_rows, csv_records, find, find_optional, shown
from ._history import PRIORITY, REPLY, STATUS, Change
from ._tables import Converted, Record, SourceRowError, instant, joined
from .mapping import DeskMapping, default_mapping, unknown

__all__ = ["FILES", "convert", "read_servicenow", "stream_servicenow"]

FILES = ("incident.csv", "sys_audit.csv", "task_sla.csv")
_TRUE = {"true", "1", "yes"}


def _status(mapping: DeskMapping, state: str, hold: str) -> str:
    """``state:hold_reason`` when the mapping names that pair (On Hold, Awaiting
    Caller), else the state."""
    pair = f"{state}:{hold}"
    return pair if hold and mapping.role(pair) is not None else state


def _changes(key: str, rows: list[Record], name: str, *, caller: str, mapping: DeskMapping,
             opening: tuple[str, str], errors: list[SourceRowError]
             ) -> tuple[list[Change], str, str]:
    """The incident's changes (state and hold reason read together per instant), and its
    state and priority at the opening."""
    naive = mapping.naive_instants == "utc"
    stamped: list[tuple[Any, int, dict[str, str]]] = []
    for position, row in rows:
        if row.get("tablename", "incident").strip() not in {"", "incident"}:
            continue
        try:
            at = instant(row.get("sys_created_on"), (name, position), "sys_created_on",
                         naive_utc=naive)
        except SourceRowError as error:
            error.ticket_id = key
            errors.append(error)
            continue
        stamped.append((at, position, row))
    stamped.sort(key=lambda item: item[0])
    state, hold = opening[0], ""
    changes: list[Change] = []
    for at, group in groupby(stamped, key=lambda item: item[0]):
        before = _status(mapping, state, hold)
        where = (name, 0)
        for _, position, row in group:
            field = row.get("fieldname", "").strip()
            old, new = row.get("oldvalue", "").strip(), row.get("newvalue", "").strip()
            if field == "state":
                state, where = new, (name, position)
            elif field == "hold_reason":
                hold, where = new, (name, position)
            elif field == "priority" and old:
                changes.append(Change(at, PRIORITY, new, (name, position), old))
            elif field == "comments" and row.get("user", "").strip() != caller:
                changes.append(Change(at, REPLY, "", (name, position)))
        after = _status(mapping, state, hold)
        if after != before:
            changes.append(Change(at, STATUS, after, where, before))
    return changes, opening[0], opening[1]


def _seconds(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if text.startswith("1970-"):  # a glide duration: the date that many seconds after 1970
        return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()
    raise ValueError(text)


def _verdicts(number: str, rows: list[Record], name: str, mapping: DeskMapping, *,
              errors: list[SourceRowError]) -> list[dict[str, Any]]:
    found = []
    for position, row in rows:
        where = (name, position)
        desk_metric = row.get("sla", "").strip()
        metric = mapping.metric(desk_metric)
        if metric is None:
            errors.append(SourceRowError(*where, unknown("metric", desk_metric,
                                                         mapping.metrics), number))
            continue
        stage = row.get("stage", "").strip().lower()
        if metric == "ignore" or stage in {"cancelled", "canceled"}:
            continue
        try:
            due_text = row.get("planned_end_time", "").strip()
            due = instant(due_text, where, "planned_end_time", naive_utc=mapping.
                          naive_instants == "utc") if due_text else None
            elapsed = _seconds(row.get("business_duration", ""))
        except SourceRowError as error:
            error.ticket_id = number
            errors.append(error)
            continue
        except ValueError:
            errors.append(SourceRowError(*where, f"business_duration: not a duration "
                                         f"{row.get('business_duration')!r}", number))
            continue
        breached: bool | None = row.get("has_breached", "").strip().lower() in _TRUE
        if not breached and stage not in {"completed", "achieved"}:
            breached = None
        found.append(verdict(number, metric, breached=breached, due_at=due, elapsed=elapsed,
                             desk_metric=desk_metric, source=f"{name}:{position}"))
    return found


def _incident(builder: Builder, item: Record, audits: list[Record], slas: list[Record],
              names: tuple[str, str, str]) -> None:
    position, row = item
    where = (names[0], position)
    number = row.get("number", "").strip() or row.get("sys_id", "").strip()
    if not number:
        builder.fail(SourceRowError(*where, "number: missing"))
        return
    errors: list[SourceRowError] = []
    try:
        opened = instant(row.get("opened_at"), where, "opened_at",
                         naive_utc=builder.mapping.naive_instants == "utc")
    except SourceRowError as error:
        error.ticket_id = number
        builder.fail(error)
        return
    first_state = next((r.get("oldvalue", "").strip() for _, r in sorted(
        audits, key=lambda a: a[1].get("sys_created_on", "")) if r.get("fieldname") ==
        "state" and r.get("oldvalue", "").strip()), "1")
    first_priority = next((r.get("oldvalue", "").strip() for _, r in sorted(
        audits, key=lambda a: a[1].get("sys_created_on", "")) if r.get("fieldname") ==
        "priority" and r.get("oldvalue", "").strip()), row.get("priority", "").strip())
    changes, state, priority = _changes(number, audits, names[1], caller=row.get(
        "caller_id", "").strip(), mapping=builder.mapping,
        opening=(first_state, first_priority), errors=errors)
    opening = Opening(number, where, opened, priority=priority, status=state,
                      organization=row.get("company", "").strip(),
                      group=row.get("assignment_group", "").strip(),
                      attributes={"channel": row.get("contact_type", "").strip()})
    builder.ticket(opening, changes, _verdicts(number, slas, names[2], builder.mapping,
                                               errors=errors), errors)


def _keyed(rows: Iterable[tuple[int, dict[str, str]]], *keys: str
           ) -> Iterator[tuple[str, Record]]:
    for position, row in rows:
        yield next((row.get(key, "").strip() for key in keys if row.get(key, "").strip()),
                   ""), (position, row)


def _feed(incidents: Iterable[tuple[int, dict[str, str]]],
          audits: Iterable[tuple[int, dict[str, str]]],
          slas: Iterable[tuple[int, dict[str, str]]], names: tuple[str, str, str],
          ordered: bool) -> Callable[[Builder], Iterator[None]]:
    def feed(builder: Builder) -> Iterator[None]:
        for _key, item, (mine, own) in joined(
                _keyed(incidents, "sys_id", "number"),
                [(names[1], _keyed(audits, "documentkey")), (names[2], _keyed(slas, "task"))],
                ordered=ordered):
            if item is None:
                for file, records in ((names[1], mine), (names[2], own)):
                    for position, row in records:
                        owner = row.get("documentkey") or row.get("task", "")
                        builder.fail(SourceRowError(file, position, f"{owner!r} is no "
                                                    f"incident of {names[0]} (sys_id)"))
                continue
            _incident(builder, item, mine, own, names)
            yield
    return feed


def convert(incidents: Iterable[dict[str, Any]], audits: Iterable[dict[str, Any]],
            task_slas: Iterable[dict[str, Any]] = (),
            mapping: DeskMapping | None = None) -> Converted:
    """ServiceNow rows (already read: dicts of raw values) -> `Converted`.

    Boundary rule: the audit and task_sla rows may come in any order; positions are
    each row's number from 1; instants without an offset are UTC with the default
    mapping. A state or priority the mapping lacks, a missing ``opened_at``, an audit row
    of no incident is a row error (the incident is left out). Example: incident
    INC0010001 opened ``2026-11-02 09:00:00`` priority 2, audit rows at 10:00 state 2 -> 3
    and hold_reason -> 1 -> priority ``P2``, events ``awaiting_customer`` at 10:00 UTC.
    """
    names = ("incident", "sys_audit", "task_sla")
    feed = _feed(cell_rows(incidents), cell_rows(audits), cell_rows(task_slas), names,
                 ordered=False)
    return Converted.whole(blocks(feed, Builder(mapping or default_mapping("servicenow"),
                                                names[:2], ("channel",))), names[:2])


def stream_servicenow(folder: Path, mapping: DeskMapping | None = None, *,
                      ordered: bool = True, block: int = 10_000) -> Iterator[Converted]:
    """`Converted` blocks of ``block`` incidents from an export folder (see the module).

    Boundary rule: as `stream_zendesk` (``ordered``: `UnorderedError` at the end when the
    audit or task_sla rows are not grouped in the incidents' order). Example:
    ``next(stream_servicenow(Path("examples/desks/servicenow"))).tickets[0]``.
    """
    folder = Path(folder)
    incident = find(folder, ["incident.csv"])
    audit = find(folder, ["sys_audit.csv"])
    sla = find_optional(folder, ["task_sla.csv"])
    names = (shown(incident), shown(audit), shown(sla) if sla else "task_sla.csv")
    feed = _feed(csv_records(incident), csv_records(audit),
                 csv_records(sla) if sla else iter(()), names, ordered=ordered)
    yield from blocks(feed, Builder(mapping or default_mapping("servicenow"), names[:2],
                                    ("channel",), whole=not ordered), block)


def read_servicenow(folder: Path, mapping: DeskMapping | None = None) -> Converted:
    """Every incident of an export folder as one `Converted` (any row order).

    Boundary rule: as `stream_servicenow` with ``ordered=False``. Example:
    ``read_servicenow(Path("examples/desks/servicenow")).verdicts[0]["source"]`` ->
    ``"task_sla.csv:2"``.
    """
    return Converted.whole(stream_servicenow(folder, mapping, ordered=False))
