"""Batches of tickets: export rows in, one result row per ticket and metric out.

A CSV export has the columns ``ticket_id, policy, tier, priority, opened_at`` and, when
known, ``category, channel, responded_at, resolved_at, workaround_at`` (a resolution is
taken as confirmed), ``priority_changed_at, priority_changed_to`` (one change); any other
column is a ticket attribute that ``when`` conditions may test. A JSONL export has one
full `Ticket` per line plus its ``policy``. Both give the same result rows as
`Policy.evaluate`: a row that needs nothing but stop events takes a fast path over the
compiled calendars (no per-row models), and a differential test holds the two together.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._zone import instant_us, to_datetime
from .durations import Duration
from .errors import SlacalcError
from .loader import bundled_policy, load_policy
from .policy import Policy
from .report import SLAReport
from .targets import METRICS, Target
from .ticket import Event, Ticket

__all__ = ["COLUMNS", "RESULT_COLUMNS", "PolicyBook", "RowError", "Summary", "evaluate_row"]

COLUMNS = ("ticket_id", "policy", "tier", "priority", "opened_at")
_STOPS = {"responded_at": "responded", "resolved_at": "resolved", "workaround_at": "workaround"}
_KNOWN = {*COLUMNS, *_STOPS, "priority_changed_at", "priority_changed_to"}
RESULT_COLUMNS = ("ticket_id", "policy", "tier", "priority", "metric", "status", "target",
                  "due", "stopped_at", "elapsed_seconds", "remaining_seconds",
                  "overrun_seconds", "reason")
_US = timedelta(microseconds=1)


class RowError(SlacalcError, ValueError):
    """One input row that cannot be evaluated; ``line`` is its line in the input file."""

    def __init__(self, line: int, message: str, ticket_id: str = "") -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.reason = message
        self.ticket_id = ticket_id


class PolicyBook:
    """Policies by name (bundled) or path, loaded once each."""

    def __init__(self) -> None:
        self._loaded: dict[str, Policy] = {}
        self._plans: dict[tuple[str, str, str], _Plan] = {}

    def plan(self, name: str, policy: Policy, tier: str, priority: str) -> _Plan:
        """The compiled targets of a (policy, tier, priority), cached."""
        found = self._plans.get((name, tier, priority))
        if found is None:
            found = self._plans[(name, tier, priority)] = _plan(policy, tier, priority)
        return found

    def get(self, name: str) -> Policy:
        """The policy ``name`` names: a bundled policy, or a path ending in .yaml/.yml."""
        policy = self._loaded.get(name)
        if policy is None:
            is_path = name.endswith((".yaml", ".yml")) or "/" in name
            policy = load_policy(Path(name)) if is_path else bundled_policy(name)
            self._loaded[name] = policy
        return policy


def _instant(text: str | None, column: str, line: int, ticket_id: str) -> datetime | None:
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RowError(line, f"{column}: malformed date {text!r} (ISO 8601 expected)",
                       ticket_id) from None
    if moment.tzinfo is None:
        raise RowError(line, f"{column}: {text!r} has no UTC offset; write e.g. "
                             f"2026-11-20T17:30:00-05:00", ticket_id)
    return moment


def _seconds(value: timedelta | None) -> str:
    if value is None:
        return ""
    if not value.microseconds:
        return str(value.days * 86_400 + value.seconds)
    return f"{value.total_seconds():.6f}"


def _shown(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _result(head: tuple[str, str, str, str], metric: str, status: str, *, target: str = "",
            due: datetime | None = None, stopped: datetime | None = None,
            elapsed: timedelta | None = None, remaining: timedelta | None = None,
            overrun: timedelta | None = None, reason: str = "") -> dict[str, str]:
    ticket_id, policy, tier, priority = head
    return {"ticket_id": ticket_id, "policy": policy, "tier": tier, "priority": priority,
            "metric": metric, "status": status, "target": target, "due": _shown(due),
            "stopped_at": _shown(stopped), "elapsed_seconds": _seconds(elapsed),
            "remaining_seconds": _seconds(remaining), "overrun_seconds": _seconds(overrun),
            "reason": reason}


def rows_of_report(ticket_id: str, policy: str, report: SLAReport) -> list[dict[str, str]]:
    """Result rows of an evaluated ticket (the general path)."""
    rows = []
    for name, metric in report.items():
        overrun = None
        if metric.status == "breached" and metric.due is not None:
            overrun = (metric.stopped_at or report.now) - metric.due
        head = (ticket_id, policy, report.ticket.tier, metric.priority or "")
        rows.append(_result(head, name, metric.status, target=metric.target or "",
                            due=metric.due, stopped=metric.stopped_at,
                            elapsed=None if metric.length is None else metric.elapsed,
                            remaining=metric.remaining, overrun=overrun,
                            reason=metric.reason or ""))
    return rows


@dataclass(frozen=True, slots=True)
class _Row:
    """One parsed export row."""

    ticket_id: str
    policy: str
    tier: str
    priority: str
    opened: datetime
    stops: dict[str, datetime]
    attributes: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Entry:
    """One target entry, compiled for the fast path."""

    target: Target
    text: str
    timeline: Any  # the clock's compiled Timeline
    length: int | None  # business µs; None for a relative target
    workaround: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a (policy, tier, priority) needs per metric, computed once per batch."""

    key: str
    hours: Any  # the tier calendar (for `opened:` conditions)
    metrics: tuple[tuple[str, tuple[_Entry, ...] | None], ...]
    reads_attributes: bool


def _plan(policy: Policy, tier: str, priority: str) -> _Plan:
    tier_model = policy.tier(tier)
    key = policy.priority_key(priority)
    metrics: list[tuple[str, tuple[_Entry, ...] | None]] = []
    for metric in METRICS:
        entries = tier_model.targets.get(key, {}).get(metric)
        compiled: list[_Entry] = []
        for entry in entries or ():
            length = None
            clock = None if entry.within.is_none else policy.clock_for(tier, entry)
            if clock is not None and isinstance(entry.within, Duration):
                length = entry.within.length(clock.business_day) // _US
            compiled.append(_Entry(entry, str(entry.within),
                                   None if clock is None else clock._timeline, length,
                                   "workaround" in entry.stops_on))
        metrics.append((metric, None if entries is None else tuple(compiled)))
    reads = any(set(entry.target.when or ()) - {"opened"}
                for _, entries in metrics for entry in entries or ())
    return _Plan(key, policy.calendar(tier_model.calendar), tuple(metrics), reads)


def _fast(policy: Policy, plan: _Plan, row: _Row, now: datetime) -> list[dict[str, str]]:
    """Evaluate a ticket whose only events are stops, straight on the compiled calendars."""
    head = (row.ticket_id, row.policy, row.tier, plan.key)
    opened, stops = row.opened, row.stops
    origin = instant_us(opened)
    in_hours: bool | None = None
    rows = []
    responded, resolved = stops.get("responded"), stops.get("resolved")
    for metric, entries in plan.metrics:
        chosen: _Entry | None = None
        for entry in entries or ():
            when = entry.target.when
            if when and "opened" in when and in_hours is None:
                in_hours = plan.hours.is_open(opened)
            if not when or entry.target.matches(row.attributes, bool(in_hours)):
                chosen = entry
                break
        if chosen is None or chosen.timeline is None:
            reason = (chosen.target.reason or "no deadline") if chosen else (
                f"no {metric} target for {plan.key} in tier {row.tier}" if entries is None
                else "no target entry matches this ticket")
            rows.append(_result(head, metric, "no_target",
                                target=chosen.text if chosen else "", reason=reason))
            continue
        if metric == "response":
            stop = resolved if responded is None or (resolved and resolved < responded) \
                else responded
        else:
            stop = resolved
        if chosen.workaround and "workaround" in stops and (
                stop is None or stops["workaround"] < stop):
            stop = stops["workaround"]
        timeline = chosen.timeline
        if chosen.length is not None:
            length = chosen.length
            due_us = timeline.shift(origin, length)
        else:
            due_us = instant_us(policy.due_from(row.tier, chosen.target, opened))
            length = timeline.between(origin, due_us)
        end_us = instant_us(stop if stop is not None else now)
        used = timeline.between(origin, end_us)
        late = end_us > due_us
        status = ("breached" if late else "met") if stop is not None else (
            "breached" if late else "running")
        rows.append(_result(
            head, metric, status, target=chosen.text,
            due=to_datetime(due_us, opened.tzinfo),  # type: ignore[arg-type]
            stopped=stop, elapsed=timedelta(microseconds=used),
            remaining=timedelta(microseconds=max(length - used, 0)),
            overrun=timedelta(microseconds=end_us - due_us) if late else None,
            reason=_why(metric, stop, stops)))
    return rows


def _why(metric: str, stop: datetime | None, stops: dict[str, datetime]) -> str:
    """The event that stopped a clock, as `Policy.evaluate` names it (same-instant events
    apply in the order responded, resolved, workaround)."""
    if stop is None:
        return ""
    if metric == "response" and stop == stops.get("responded"):
        return "responded"
    return "resolved" if stop == stops.get("resolved") else "workaround"


def evaluate_row(book: PolicyBook, row: Mapping[str, str | None], line: int, *,
                 policy: str | None = None, now: datetime | None = None) -> list[dict[str, str]]:
    """Result rows for one CSV row (``line`` numbers errors); `RowError` if it is bad.

    Example: ``ticket_id=T1, policy=vircom, tier=standard, priority=P2,
    opened_at=2026-11-20T17:30:00-05:00, responded_at=2026-11-23T07:55:00-05:00`` ->
    response met (due Mon 08:00), resolution breached (due Sat 17:30).
    """
    ticket_id = (row.get("ticket_id") or "").strip()
    name = policy or (row.get("policy") or "").strip()
    requested = now
    try:
        if not name:
            raise RowError(line, "no policy (give a policy column or --policy)", ticket_id)
        chosen = book.get(name)
        for column in ("tier", "priority", "opened_at"):
            if not (row.get(column) or "").strip():
                raise RowError(line, f"{column}: missing", ticket_id)
        tier, priority = str(row["tier"]).strip(), str(row["priority"]).strip()
        opened = _instant(row.get("opened_at"), "opened_at", line, ticket_id)
        assert opened is not None
        stops = {}
        for column, kind in _STOPS.items():
            moment = _instant(row.get(column), column, line, ticket_id)
            if moment is not None:
                if moment < opened:
                    raise RowError(line, f"{column}: {moment.isoformat()} is before opened_at",
                                   ticket_id)
                stops[kind] = moment
        if now is None:
            now = max([opened, *stops.values()])
        elif now < opened:
            raise RowError(line, f"--now {now.isoformat()} is before opened_at", ticket_id)
        plan = book.plan(name, chosen, tier, priority)
        # Attributes are read only when a condition tests them (most plans have none).
        attributes = _attributes(row) if plan.reads_attributes else {}
        if (row.get("priority_changed_at") or "").strip():
            parsed = _Row(ticket_id, name, tier, priority, opened, stops, _attributes(row))
            return _general(chosen, parsed, row, line, requested)
        if any(at > now for at in stops.values()):  # events after now are not applied yet
            stops = {kind: at for kind, at in stops.items() if at <= now}
        return _fast(chosen, plan, _Row(ticket_id, name, tier, priority, opened, stops,
                                        attributes), now)
    except RowError:
        raise
    except (SlacalcError, ValidationError) as error:
        message = str(error).splitlines()[0] if isinstance(error, SlacalcError) else (
            f"{error.errors()[0]['loc']}: {error.errors()[0]['msg']}")
        raise RowError(line, message, ticket_id) from None


def _attributes(row: Mapping[str, str | None]) -> dict[str, str]:
    return {key: str(value).strip() for key, value in row.items()
            if key not in _KNOWN and key and value is not None and str(value).strip()}


def _general(policy: Policy, row: _Row, raw: Mapping[str, str | None], line: int,
             now: datetime | None) -> list[dict[str, str]]:
    events = [Event(kind=kind, at=at) for kind, at in row.stops.items()]
    changed = _instant(raw.get("priority_changed_at"), "priority_changed_at", line,
                       row.ticket_id)
    if changed is not None:
        events.append(Event(kind="priority_changed", at=changed,
                            priority=(raw.get("priority_changed_to") or "").strip()))
    ticket = Ticket(id=row.ticket_id or None, tier=row.tier, priority=row.priority,
                    opened_at=row.opened, attributes=row.attributes, events=tuple(events))
    return rows_of_report(row.ticket_id, row.policy, policy.evaluate(ticket, now))


def evaluate_json(book: PolicyBook, text: str, line: int, *, policy: str | None = None,
                  now: datetime | None = None) -> list[dict[str, str]]:
    """Result rows for one JSONL line: a `Ticket` plus its ``policy``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RowError(line, f"malformed JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(data, dict):
        raise RowError(line, "expected a JSON object (a ticket)")
    ticket_id = str(data.get("id") or "")
    name = policy or str(data.pop("policy", "") or "")
    if policy:
        data.pop("policy", None)
    try:
        if not name:
            raise RowError(line, "no policy (give a policy key or --policy)", ticket_id)
        ticket = Ticket.model_validate(data)
        return rows_of_report(ticket_id, name, book.get(name).evaluate(ticket, now))
    except RowError:
        raise
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RowError(line, f"{where}: {first['msg']}", ticket_id) from None
    except SlacalcError as error:
        raise RowError(line, str(error).splitlines()[0], ticket_id) from None


@dataclass
class Summary:
    """Counts per (policy, tier, priority, metric) and the worst overruns, in flat memory."""

    worst: int = 10
    groups: dict[tuple[str, str, str, str], dict[str, int]] = field(default_factory=dict)
    tickets: int = 0
    failed: int = 0
    _overruns: list[tuple[float, str, str, str, str]] = field(default_factory=list)

    def add(self, rows: list[dict[str, str]]) -> None:
        """Count one ticket's result rows."""
        self.tickets += 1
        for row in rows:
            group = (row["policy"], row["tier"], row["priority"], row["metric"])
            counts = self.groups.setdefault(group, {})
            counts[row["status"]] = counts.get(row["status"], 0) + 1
            if row["overrun_seconds"]:
                entry = (float(row["overrun_seconds"]), row["ticket_id"], row["policy"],
                         row["metric"], row["due"])
                if len(self._overruns) < self.worst:
                    heapq.heappush(self._overruns, entry)
                else:
                    heapq.heappushpop(self._overruns, entry)

    def merge(self, other: Summary) -> None:
        """Fold another summary (from a worker process) into this one."""
        self.tickets += other.tickets
        self.failed += other.failed
        for group, counts in other.groups.items():
            mine = self.groups.setdefault(group, {})
            for status, count in counts.items():
                mine[status] = mine.get(status, 0) + count
        for entry in other._overruns:
            heapq.heappush(self._overruns, entry)
            if len(self._overruns) > self.worst:
                heapq.heappop(self._overruns)

    def worst_overruns(self) -> list[tuple[float, str, str, str, str]]:
        """``(seconds, ticket, policy, metric, due)``, largest first."""
        return sorted(self._overruns, reverse=True)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"tickets": self.tickets, "failed": self.failed,
                "groups": [{"policy": p, "tier": t, "priority": pr, "metric": m, **counts}
                           for (p, t, pr, m), counts in sorted(self.groups.items())],
                "worst_overruns": [{"overrun_seconds": s, "ticket_id": i, "policy": p,
                                    "metric": m, "due": d}
                                   for s, i, p, m, d in self.worst_overruns()]}

