"""Where datetimes meet the kernel: a `Ticket` in, an `SLAReport` or `Deadlines` out.

Everything between is integer UTC microseconds: the ticket's instants are converted once
here, the kernel (`slacalc.sla.replay`) orders and replays them, and the report turns
the answers back into datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError

from ..engine import BusinessCalendar
from ..engine._zone import require_aware, to_datetime
from ..errors import TicketError, UnknownPriorityError
from ..sla import Deadlines, SLAReport, Ticket
from ..sla.history import History
from ..sla.plan import Plan
from ..sla.replay import order_events, replay
from ..sla.report import build_report

__all__ = ["deadlines", "evaluate", "instant", "later_than_opening", "ticket_from"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


class _Planned(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def vendor(self) -> str: ...
    def calendar(self, name: str) -> BusinessCalendar: ...
    def plan_at(self, tier: str, opened: int) -> Plan: ...


def instant(moment: datetime, what: str) -> int:
    """``moment`` as UTC microseconds; `NaiveDatetimeError` naming ``what`` if naive.

    Example: 2026-11-20T17:30-05:00 -> 1_795_213_800_000_000.
    """
    try:
        return (moment - _EPOCH) // _US
    except TypeError:
        require_aware(moment, what)
        raise


def later_than_opening(now: datetime, opened_at: datetime) -> int:
    """``now`` as µs; `TicketError` when it is before the opening (compared as instants).

    Example: now 01:10 PST, opened 00:50 PDT on a fall-back night -> fine (80 min later).
    """
    moment = instant(now, "now")
    if moment < instant(opened_at, "opened_at"):
        raise TicketError(f"now ({now.isoformat()}) is before the ticket was opened "
                          f"({opened_at.isoformat()})")
    return moment


def _shown_value(value: object, most: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= most else f"{text[:most]}... ({len(text):,} characters)"


def ticket_from(data: Mapping[str, Any]) -> Ticket:
    """A `Ticket` from a mapping; `TicketError` naming the first bad field and its value
    (and how many more there are), never pydantic's ``ValidationError``.

    Example: ``{"tier": "standard", "priority": "P2", "opened_at": "soon"}`` ->
    ``TicketError("opened_at: Input should be a valid datetime or date, ...; got 'soon'")``.
    """
    try:
        return Ticket.model_validate(data)
    except ValidationError as error:
        problems = error.errors()
        first = problems[0]
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                        for part in first["loc"]).lstrip(".") or "ticket"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] != "missing" and not isinstance(first["input"], Mapping):
            message += f"; got {_shown_value(first['input'])}"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise TicketError(f"{where}: {message}{more}") from None


def _key(plan: Plan, priority: str) -> str:
    key = plan.priority_key(priority)
    if key is None:
        raise UnknownPriorityError(plan.unknown_priority(priority))
    return key


def evaluate(policy: _Planned, ticket: Ticket, now: datetime | None, *,
             not_applicable: str = "") -> SLAReport:
    """`Policy.evaluate`: the ticket's instants to µs, the kernel's replay, the report.

    Boundary rule: events sort by instant, so 01:10 PST after 00:50 PDT on a fall-back
    night is 80 minutes later, whatever the wall clocks read; the plans (the opening
    tier's and any a ``tier_changed`` moves to) are those of the terms in force at the
    opening. Example (24x7, 30 minutes): opened 00:50 PDT, responded 01:10 PST ->
    response breached by 50 minutes.
    """
    opened_at = ticket.opened_at
    opened = instant(opened_at, "opened_at")
    events = ticket.events
    plan = policy.plan_at(ticket.tier, opened)

    def shown(index: int) -> str:
        return (opened_at if index < 0 else events[index].at).isoformat()

    def tier(name: str) -> Plan:
        return policy.plan_at(name, opened)

    ordered = order_events(plan, opened, ((event.kind, instant(event.at, "at"),
                                           event.tier if event.kind == "tier_changed"
                                           else event.priority, event.confirmed, event.answered)
                                          for event in events), shown, tier)
    key = _key(plan, ticket.priority)
    if now is None:
        last = ordered[-1] if ordered and ordered[-1].at > opened else None
        moment = opened if last is None else last.at
        now_at = opened_at if last is None else events[last.position].at
    else:
        moment = later_than_opening(now, opened_at)
        now_at = now
    state = replay(plan, key, opened, ticket.attributes, ordered, now=moment)
    history = History(state, policy, ticket, now_at,
                      lambda index: opened_at if index is None else events[index].at,
                      priority=key, events=ordered)
    if not_applicable:
        return build_report(state, history, applicable=False, reason=not_applicable)
    return build_report(state, history)


def deadlines(policy: _Planned, tier: str, priority: str, opened_at: datetime,
              attributes: Mapping[str, str]) -> Deadlines:
    """`Policy.deadlines`: each metric's first due from the compiled plan, as datetimes in
    ``opened_at``'s tzinfo.

    Boundary rule: the entry is chosen by the kernel's rule (`slacalc.sla.plan.matches`);
    a ``within: none`` entry or none matching gives None. Example (vircom, standard, P2):
    Fri 17:30 Toronto -> response Mon 08:00, resolution Sat 17:30.
    """
    opened = instant(opened_at, "opened_at")
    plan = policy.plan_at(tier, opened)
    key = _key(plan, priority)
    tz = opened_at.tzinfo
    assert tz is not None
    in_hours: list[bool] = []

    def opened_in_hours() -> bool:
        if not in_hours:
            in_hours.append(plan.hours.is_open(opened))
        return in_hours[0]

    due: dict[str, datetime | None] = {}
    targets: dict[str, str] = {}
    for metric in plan.priorities[key]:
        if metric.entries is None:
            continue
        entry = metric.fixed or metric.choose(attributes, opened_in_hours)
        name = metric.metric
        if entry is None or entry.timeline is None:
            targets[name] = entry.text if entry is not None else "none"
            due[name] = None
            continue
        targets[name] = entry.text
        due[name] = to_datetime(entry.first_due(opened), tz)
    return Deadlines._made(due, policy=plan.policy, tier=tier, priority=key,
                           opened_at=opened_at, targets=targets)
