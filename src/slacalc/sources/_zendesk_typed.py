"""Zendesk's usual records converted on a lean path: the typed fast path of
`slacalc.sources.zendesk`.

A run of export lines that all decode into the typed shapes of
`slacalc.sources._zendesk_shapes` comes as msgspec structs, not dicts. A ticket whose
records are all typed and whose time stamps are all in Zendesk's own form
(``2026-11-02T09:00:00Z``, the API's) is converted here without a `Change` object or a
datetime per record: each stamp is checked and turned into UTC µs once (a cache, since
a month of minutes repeats), changes are sorted by those µs, and a stamp is written
back as ``isoformat`` writes it (``2026-11-02T09:00:00+00:00``). The mapping's answers
are cached per value (every cache bounded, so memory stays flat).

The path declines (returns False, having added nothing) whenever a record or a value is
not of that usual kind, or anything would be a row error; the general path
(`slacalc.sources.zendesk`) then converts the ticket and names the fault exactly.
Differential tests hold the two paths to the same tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any, TypeVar, cast

from ..engine._zone import instant_us
from ._convert import Builder
from ._history import MOVES, PRIORITY, REPLY, STATUS
from ._tables import Record
from ._zendesk_shapes import Audit, MetricEvent, Ticket, metric_state
from .mapping import DeskMapping, PolicyRule

__all__ = ["Fast"]


_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_CACHE_LIMIT = 100_000  # entries kept per cache, so memory stays flat on any export
_MISSING: Any = object()
_FIELDS = (STATUS, PRIORITY)
_AT = itemgetter(0)
_TYPE = attrgetter("type")
_K = TypeVar("_K")
_V = TypeVar("_V")
_Change = tuple[int, str, str, int, "str | None", str]  # µs, field, value, line, previous, text


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _iso(stamp: str) -> str:
    """A stamp of Zendesk's form as ``datetime.isoformat`` writes it (UTC, seconds).

    Example: ``"2026-11-02T09:00:00Z"`` -> ``"2026-11-02T09:00:00+00:00"``.
    """
    return stamp[:19] + "+00:00"


def _event(ticket_id: str, stamp: str, kind: str, note: str, priority: str = ""
           ) -> dict[str, str]:
    """An event row at a stamp of Zendesk's form."""
    return {"ticket_id": ticket_id, "at": _iso(stamp), "kind": kind, "priority": priority,
            "answered": "", "confirmed": "", "note": note}


class Fast:
    """The fast path for one mapping and one export's file names (`convert` below)."""

    def __init__(self, mapping: DeskMapping, names: tuple[str, str, str]) -> None:
        self.mapping = mapping
        self.names = names
        self.stamps: dict[str, int] = {}  # each cache holds at most _CACHE_LIMIT entries
        self.roles: dict[str, str | None] = {}
        self.priorities: dict[str, str | None] = {}
        self.metrics: dict[str, str | None] = {}
        self.responding: dict[str, bool] = {}
        self.pausing: dict[str, bool] = {}
        self.rules: dict[tuple[str, frozenset[str], str], PolicyRule | None] = {}
        self.paused = bool(mapping.desk_paused)

    def us(self, stamp: object) -> int | None:
        """A stamp of Zendesk's form in UTC µs; None for anything else."""
        if type(stamp) is not str:
            return None
        found = self.stamps.get(stamp)
        if found is None:
            if _STAMP.fullmatch(stamp) is None:
                return None
            try:
                found = instant_us(datetime.fromisoformat(stamp))
            except (ValueError, OverflowError):
                return None
            if len(self.stamps) >= _CACHE_LIMIT:
                self.stamps.clear()
            self.stamps[stamp] = found
        return found

    def role(self, status: str) -> str | None:
        return _answer(self.roles, status, self.mapping.role)

    def priority(self, value: str) -> str | None:
        return _answer(self.priorities, value, self.mapping.priority)

    def responds(self, status: str) -> bool:
        return _answer(self.responding, status, self.mapping.responds)

    def pauses(self, status: str) -> bool:
        return _answer(self.pausing, status, self.mapping.desk_pauses)

    def rule(self, organization: str, tags: frozenset[str], group: str) -> PolicyRule | None:
        return _answer(self.rules, (organization, tags, group),
                       lambda key: self.mapping.rule(*key))

    def convert(self, builder: Builder, key: str, item: Record, mine: list[Record],
                metrics: list[Record]) -> bool:
        """Convert one ticket into ``builder`` as the general path would; False (nothing
        added) when a record is not typed, a stamp is not of Zendesk's form, or anything
        would be a row error."""
        position, ticket = item
        if type(ticket) is not Ticket or not key:
            return False
        opened = self.us(ticket.created_at)
        if opened is None:
            return False
        requester = ticket.requester_id
        found = self._changes("" if requester is None else str(requester), mine)
        if found is None:
            return False
        changes, created = found
        changes.sort(key=_AT)
        status = created.get(STATUS) or _previous(changes, STATUS) or _text(ticket.status)
        priority = created[PRIORITY] if PRIORITY in created else (
            _previous(changes, PRIORITY) or _text(ticket.priority))
        tags = ticket.tags
        if tags is not None and type(tags) is not list:
            return False
        via = ticket.via if type(ticket.via) is dict else {}
        try:  # text tags (the usual): casefolded at C speed
            tagged = frozenset(map(str.casefold, tags or ()))
        except TypeError:
            tagged = frozenset(str(tag).casefold() for tag in tags or ())
        organization, group = ticket.organization_id, ticket.group_id
        rule = self.rule("" if organization is None else str(organization), tagged,
                         "" if group is None else str(group))
        role = self.role(status) if status.strip() else "open"
        current = self.priority(priority)
        if rule is None or role is None or current is None:
            return False
        lines: list[int] = []
        events = self._events(key, changes, role, current, lines)
        verdicts = self._verdicts(key, metrics)
        if events is None or verdicts is None:
            return False
        builder.count += 1
        if not builder.claim(key, (self.names[0], position)):
            return True  # a repeat: its row error is the builder's
        out = builder.out
        row = {"ticket_id": key, "policy": rule.policy, "tier": rule.tier,
               "priority": current, "opened_at": _iso(ticket.created_at)}
        if builder.attributes:
            attributes = {"channel": _text((via or {}).get("channel"))}
            for name in builder.attributes:
                row[name] = attributes.get(name, "")
        out.tickets.append(row)
        out.ticket_lines.append(position)
        out.events += events
        out.event_lines += lines
        out.verdicts += verdicts
        if self.paused:
            spans = self._paused(changes, status, opened)
            if spans:
                out.desk_paused[key] = spans
        return True

    def _changes(self, requester: str, audits: list[Record]
                 ) -> tuple[list[_Change], dict[str, str]] | None:
        """The status, priority and reply changes of the audits (as ``_changes`` of the
        general path), and the values the creation audit set; None to decline."""
        changes: list[_Change] = []
        created: dict[str, str] = {}
        stamps = self.stamps
        for line, audit in audits:
            if type(audit) is not Audit:
                return None
            stamp = audit.created_at
            at = stamps.get(stamp) if type(stamp) is str else None
            if at is None:
                at = self.us(stamp)
                if at is None:
                    return None
            events = audit.events or ()
            creating = None  # whether the audit creates the ticket: asked by a comment
            for event in events:
                kind = event.type
                if kind == "Change":
                    field = event.field_name
                    if field in _FIELDS:
                        value, previous = event.value, event.previous_value
                        changes.append((at, field, "" if value is None else str(value), line,
                                        None if previous in (None, "") else str(previous),
                                        stamp))
                elif kind == "Comment":
                    if event.public:
                        if creating is None:
                            creating = "Create" in map(_TYPE, events)
                        if not creating:
                            writer = event.author_id or audit.author_id
                            if ("" if writer is None else str(writer)) != requester:
                                changes.append((at, REPLY, "", line, None, stamp))
                elif kind == "Create":
                    field = event.field_name
                    if field in _FIELDS:
                        created[field] = _text(event.value)
        return changes, created

    def _events(self, key: str, changes: list[_Change], role: str, current: str,
                lines: list[int]) -> list[dict[str, str]] | None:
        """The event rows of the sorted changes (as `derive`), each one's line put in
        ``lines``; None to decline."""
        name = self.names[1]
        responded = False
        roles, responding = self.roles, self.responding
        events: list[dict[str, str]] = []
        for _at, field, value, line, previous, stamp in changes:
            if field == REPLY:
                if not responded:
                    responded = True
                    events.append(_event(key, stamp, "responded",
                                         f"public reply ({name}:{line})"))
                    lines.append(line)
                continue
            if field == PRIORITY:
                new = self.priority(value)
                if new is None:
                    return None
                if new != current:
                    current = new
                    events.append(_event(key, stamp, "priority_changed",
                                         f"priority {value} ({name}:{line})", new))
                    lines.append(line)
                continue
            target = roles.get(value, _MISSING)
            if target is _MISSING:
                target = self.role(value)
            if target is None:
                return None
            responds = False
            if not responded:
                cached = responding.get(value)
                responds = self.responds(value) if cached is None else cached
            if not responds and target == role:
                continue  # a move within a role, and no reply: no event
            note = f"status {previous or '?'} -> {value} ({name}:{line})"
            if responds:
                responded = True
                events.append(_event(key, stamp, "responded", note))
                lines.append(line)
            if target != role:
                kinds = MOVES.get((role, target), (target,) if target in {"resolved", "closed"}
                                  else ())
                for kind in kinds:
                    events.append(_event(key, stamp, kind, note))
                    lines.append(line)
                role = target
        return events

    def _paused(self, changes: list[_Change], status: str, opened: int
                ) -> list[tuple[int, int | None]]:
        """The spans in a ``desk_paused`` status, in µs (as ``_paused``)."""
        spans: list[tuple[int, int | None]] = []
        held = opened if self.pauses(status) else None
        pausing_of = self.pausing
        for at, field, value, _line, _previous, _stamp in changes:
            if field != STATUS:
                continue
            pausing = pausing_of.get(value)
            if pausing is None:
                pausing = self.pauses(value)
            if pausing and held is None:
                held = at
            elif not pausing and held is not None:
                spans.append((held, at))
                held = None
        if held is not None:
            spans.append((held, None))
        return spans

    def _verdicts(self, key: str, records: list[Record]) -> list[dict[str, Any]] | None:
        """The desk's verdicts (as ``_verdicts``); None to decline."""
        cycles: dict[tuple[Any, Any], list[Any]] = {}
        known = cycles.get
        metric: Any = _MISSING
        instance: Any = _MISSING
        cycle: list[Any] = []
        for item in records:
            record = item[1]
            if type(record) is not MetricEvent:
                return None
            if record.metric != metric or record.instance_id != instance:
                metric, instance = pair = (record.metric, record.instance_id)
                found = known(pair)
                if found is None:  # applied, business hours, breach, fulfil, elapsed
                    found = cycles[pair] = [None, True, None, None, None]
                cycle = found
            kind = record.type
            if kind == "update_status":
                cycle[4] = record.status
            elif kind == "breach":
                if cycle[2] is None or not record.deleted:
                    cycle[2] = item
            elif kind == "fulfill":
                cycle[3] = item
            elif kind == "apply_sla":
                sla = record.sla
                cycle[1] = bool(sla.get("business_hours", True)) if type(sla) is dict else True
                cycle[0] = item[0]
        verdicts = []
        metrics = self.metrics
        for (desk_metric, instance), cycle in cycles.items():
            if cycle[0] is None:
                continue
            name = desk_metric if type(desk_metric) is str else _text(desk_metric)
            metric = metrics.get(name, _MISSING)
            if metric is _MISSING:
                metric = self.metric(name)
            if metric is None:
                return None
            if metric == "ignore" or (desk_metric == "reply_time"
                                      and instance not in {None, 1, "1"}):
                continue
            verdict = self._verdict(key, metric, name, cycle)
            if verdict is None:
                return None
            verdicts.append(verdict)
        return verdicts

    def metric(self, name: str) -> str | None:
        return _answer(self.metrics, name, self.mapping.metric)

    def _verdict(self, key: str, metric: str, desk_metric: str, cycle: list[Any]
                 ) -> dict[str, Any] | None:
        """One verdict row (as ``_verdict``); None to decline."""
        applied, business, breach, fulfil, status = cycle
        status = status if type(status) is dict else {}
        minutes = status.get("business" if business else "calendar")
        elapsed = float(minutes) * 60 if isinstance(minutes, int | float) else None
        due = when = None
        if breach is not None:
            when = breach[1].time
            due = self.stamps.get(when) if type(when) is str else None
            if due is None:
                due = self.us(when)
                if due is None:
                    return None
        kept = breach is not None and not breach[1].deleted
        if kept and fulfil is not None and due is not None:
            fulfilled = self.us(fulfil[1].time)
            if fulfilled is None:
                return None
            kept = fulfilled > due
        breached, source = metric_state(kept, None if breach is None else breach[0],
                                        None if fulfil is None else fulfil[0], applied)
        return {"ticket_id": key, "metric": metric, "breached": breached,
                "due_at": None if when is None else _iso(when),
                "elapsed_seconds": elapsed, "desk_metric": desk_metric,
                "source": f"{self.names[2]}:{source}"}


def _answer(cache: dict[_K, _V], key: _K, ask: Callable[[_K], _V]) -> _V:
    """``ask(key)``, remembered in ``cache`` (which starts again when full)."""
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        found = cache[key] = ask(key)
    return cast(_V, found)


def _previous(changes: list[_Change], field: str) -> str | None:
    """The value before the first change of ``field`` (the changes sorted)."""
    return next((change[4] for change in changes if change[1] == field), None)
