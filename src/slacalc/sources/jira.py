"""Jira Service Management: issues with their changelog and SLA fields -> the event-log
tables and Jira's own SLA verdicts.

Shape (docs/sources.md, "Jira", cites the API pages): an issue as the REST API returns it
with ``expand=changelog``: ``key``, ``fields.created``, ``fields.priority.name``,
``fields.status.name``, ``fields.labels`` (tags), ``fields.project.key`` (the group),
``fields.reporter.accountId``, ``fields.comment.comments[]`` (``author.accountId``,
``created``, ``jsdPublic``), the Organizations field (``organization_field`` of the
mapping: a list of ``{"name": ...}``), the SLA fields (any field whose value holds
``completedCycles`` or ``ongoingCycle``; its ``name`` is the SLA's name), and
``changelog.histories[]`` (``created``, ``items[]``: ``field``, ``fromString``,
``toString``).

Files in an export folder: ``issues.jsonl`` (an issue per line) or ``issues.json`` (a
search result page: ``{"issues": [...]}``). Each issue carries its whole history, so the
file is streamed in any order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._convert import Builder, Opening, blocks, verdict
from ._files import find, json_records, shown
from ._history import PRIORITY, REPLY, STATUS, Change
from ._tables import Converted, SourceRowError, instant
from .mapping import DeskMapping, default_mapping, unknown

__all__ = ["FILES", "convert", "read_jira", "stream_jira"]

FILES = ("issues.jsonl",)
_FIELDS = {"status": STATUS, "priority": PRIORITY}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _name(value: Any) -> str:
    return str(_dict(value).get("name") or "")


def _changes(issue: dict[str, Any], where: tuple[str, int], reporter: str,
             errors: list[SourceRowError]) -> list[Change]:
    changes = []
    key = str(issue.get("key") or "")
    for history in _dict(issue.get("changelog")).get("histories") or []:
        if not isinstance(history, dict):
            continue
        items = [item for item in history.get("items") or []
                 if isinstance(item, dict) and item.get("field") in _FIELDS]
        if not items:
            continue
        try:
            at = instant(history.get("created"), where, "changelog.histories[].created")
        except SourceRowError as error:
            error.ticket_id = key
            errors.append(error)
            continue
        changes += [Change(at, _FIELDS[str(item["field"])], str(item.get("toString") or ""),
                           where, item.get("fromString")) for item in items]
    for item in _dict(_dict(issue.get("fields")).get("comment")).get("comments") or []:
        comment = _dict(item)
        if comment.get("jsdPublic", True) and \
                str(_dict(comment.get("author")).get("accountId") or "") != reporter:
            try:
                changes.append(Change(instant(comment.get("created"), where,
                                              "comment.created"), REPLY, "", where))
            except SourceRowError as error:
                error.ticket_id = key
                errors.append(error)
    return changes


def _moment(value: Any, where: tuple[str, int], name: str) -> datetime | None:
    """A Jira date object (``iso8601`` or ``epochMillis``), None if absent."""
    value = _dict(value)
    if value.get("iso8601"):
        return instant(value["iso8601"], where, name)
    millis = value.get("epochMillis")
    if isinstance(millis, int | float):
        return datetime.fromtimestamp(millis / 1000, UTC)
    return None


def _millis(value: Any) -> float | None:
    millis = _dict(value).get("millis")
    return float(millis) / 1000 if isinstance(millis, int | float) else None


def _verdicts(key: str, fields: dict[str, Any], where: tuple[str, int],
              mapping: DeskMapping, errors: list[SourceRowError]) -> list[dict[str, Any]]:
    """One verdict per mapped SLA field: breached if any cycle breached; else undecided
    while a cycle runs; the due instant of the first breached cycle, else of the last;
    the elapsed time of all cycles together."""
    found = []
    for field_id, value in fields.items():
        if not isinstance(value, dict) or not ({"completedCycles", "ongoingCycle"} & set(value)):
            continue
        desk_metric = str(value.get("name") or field_id)
        metric = mapping.metric(desk_metric)
        if metric is None:
            errors.append(SourceRowError(*where, unknown("metric", desk_metric,
                                                         mapping.metrics), key))
            continue
        if metric == "ignore":
            continue
        cycles = [_dict(cycle) for cycle in value.get("completedCycles") or []]
        ongoing = value.get("ongoingCycle")
        if isinstance(ongoing, dict):
            cycles.append(ongoing)
        if not cycles:
            continue
        try:
            breached_cycles = [cycle for cycle in cycles if cycle.get("breached")]
            chosen = (breached_cycles or cycles)[0 if breached_cycles else -1]
            due = _moment(chosen.get("breachTime"), where, f"{field_id}.breachTime")
        except SourceRowError as error:
            error.ticket_id = key
            errors.append(error)
            continue
        breached = True if breached_cycles else (None if isinstance(ongoing, dict) else False)
        times = [_millis(cycle.get("elapsedTime")) for cycle in cycles]
        elapsed = None if None in times else sum(time for time in times if time is not None)
        found.append(verdict(key, metric, breached=breached, due_at=due, elapsed=elapsed,
                             desk_metric=desk_metric, source=f"{where[0]}:{where[1]}"))
    return found


def _issue(builder: Builder, position: int, issue: Any, name: str) -> None:
    where = (name, position)
    if not isinstance(issue, dict):
        builder.fail(SourceRowError(*where, str(issue)))
        return
    key = str(issue.get("key") or "")
    if not key:
        builder.fail(SourceRowError(*where, "key: missing"))
        return
    fields = _dict(issue.get("fields"))
    errors: list[SourceRowError] = []
    try:
        opened = instant(fields.get("created"), where, "fields.created")
    except SourceRowError as error:
        error.ticket_id = key
        builder.fail(error)
        return
    reporter = str(_dict(fields.get("reporter")).get("accountId") or "")
    changes = _changes(issue, where, reporter, errors)
    first = sorted((change for change in changes if change.field != REPLY),
                   key=lambda change: change.at)
    status = next((c.previous for c in first if c.field == STATUS and c.previous), None)
    priority = next((c.previous for c in first if c.field == PRIORITY and c.previous), None)
    field = builder.mapping.organization_field
    organizations = fields.get(field) if field else None
    opening = Opening(key, where, opened, priority=priority or _name(fields.get("priority")),
                      status=status or _name(fields.get("status")),
                      organization=_name((organizations or [{}])[0])
                      if isinstance(organizations, list) else "",
                      tags=[str(label) for label in fields.get("labels") or []],
                      group=str(_dict(fields.get("project")).get("key") or ""))
    builder.ticket(opening, changes, _verdicts(key, fields, where, builder.mapping, errors),
                   errors)


def _feed(issues: Iterable[tuple[int, Any]], name: str
          ) -> Callable[[Builder], Iterator[None]]:
    def feed(builder: Builder) -> Iterator[None]:
        for position, issue in issues:
            _issue(builder, position, issue, name)
            yield
    return feed


def convert(issues: Iterable[dict[str, Any]], mapping: DeskMapping | None = None) -> Converted:
    """Jira issues (already read: dicts as the REST API returns them) -> `Converted`.

    Boundary rule: positions are each issue's number from 1 (``issues:3``); a status or
    priority the mapping lacks, a missing ``fields.created`` or an SLA name the mapping
    lacks is a row error and the issue is left out. Example: issue SD-1 created
    ``2026-11-02T09:00:00.000+0000``, priority High, one history at 10:00 with ``status``
    ``Waiting for support`` -> ``Waiting for customer`` -> priority ``P2``, event
    ``awaiting_customer`` at 10:00.
    """
    return Converted.whole(blocks(_feed(enumerate(issues, start=1), "issues"), Builder(
        mapping or default_mapping("jira"), ("issues", "issues"))), ("issues", "issues"))


def stream_jira(folder: Path, mapping: DeskMapping | None = None, *, ordered: bool = True,
                block: int = 10_000) -> Iterator[Converted]:
    """`Converted` blocks of ``block`` issues from an export folder (an issue holds its
    own history; ``ordered`` False only makes a repeated issue key a row error at once,
    where streamed it raises `RepeatedError`).

    Boundary rule: as `convert`, positions being lines (``issues.jsonl:3``). Example:
    ``next(stream_jira(Path("examples/desks/jira"))).tickets[0]["ticket_id"]``.
    """
    path = find(Path(folder), ["issues.jsonl", "issues.json"])
    name = shown(path)
    yield from blocks(_feed(json_records(path, "issues"), name),
                      Builder(mapping or default_mapping("jira"), (name, name),
                              whole=not ordered), block)


def read_jira(folder: Path, mapping: DeskMapping | None = None) -> Converted:
    """Every issue of an export folder as one `Converted`.

    Boundary rule: as `stream_jira`. Example: ``read_jira(Path("examples/desks/jira"))``.
    """
    return Converted.whole(stream_jira(Path(folder), mapping))
