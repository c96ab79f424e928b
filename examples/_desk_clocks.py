"""The desks' own clocks for `make_desk_exports.py`: how each generated export's SLA
verdicts are computed from a ticket's story (the module beside this one writes them in
each desk's shape).

Three desks, chosen on the command line:

* `ConfiguredDesk` (the default): slacalc on the contract's policy as a typical desk is
  configured, which is not quite the contract: no holidays, and the clock paused while the
  ticket waits on the customer *or* on a vendor. Most tickets agree; those that span
  Thanksgiving or waited do not.
* `PlainDesk` (``--calendar-verdicts``): plain elapsed time, no calendar, no pause (no
  slacalc run: cheap); most verdicts disagree with the contract.
* `AgreeingDesk` (``--agreeing-verdicts SHARE``): the contract's own verdicts, computed
  from the events the Zendesk adapter derives from the export, except for about ``SHARE``
  of the tickets, where the desk makes one of the mistakes `slacalc audit` names: a
  holiday it does not know, a pause on waiting the contract does not allow, the other
  ``priority_change`` rule, or its calendar read at a fixed UTC offset across a DST change
  (those tickets are moved to open just before the change, on 2026-11-01).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["MISTAKES", "NOW", "AgreeingDesk", "ConfiguredDesk", "PlainDesk", "Story",
           "contract_events", "status_changes"]

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 12, 1, tzinfo=UTC)
"""The instant the exports were taken; nothing after it is written."""
LENGTHS = {  # cloudmark premium's targets in hours (P1 response is real time)
    ("response", 0): 1, ("response", 1): 24, ("response", 2): 48, ("response", 3): 72,
    ("resolution", 1): 72, ("resolution", 2): 240,
}
MISTAKES = ("holiday", "pause", "priority_change", "dst")
"""The mistakes of `AgreeingDesk`, each a change to the contract's policy text."""
_EDITS = {
    "holiday": (", holidays: {country: US}", ""),
    "pause": ("awaiting_customer: ignore", "awaiting_customer: pause"),
    "priority_change": ("priority_change: keep_elapsed", "priority_change: restart"),
    "dst": ("America/Los_Angeles", "Etc/GMT+7"),  # Pacific daylight time, all year
}
_ROLES = {"new": "open", "open": "open", "hold": "open", "pending": "awaiting_customer",
          "solved": "resolved", "closed": "closed"}  # the Zendesk default mapping's
_MOVES = {("open", "awaiting_customer"): ("awaiting_customer",),
          ("awaiting_customer", "open"): ("customer_replied",),
          ("resolved", "open"): ("reopened",), ("closed", "open"): ("reopened",),
          ("resolved", "awaiting_customer"): ("reopened", "awaiting_customer"),
          ("closed", "awaiting_customer"): ("reopened", "awaiting_customer")}
_DST_END = datetime(2026, 11, 1, 9, tzinfo=UTC)  # Los Angeles leaves daylight time


@dataclass
class Story:
    """One ticket's history, desk-neutral: actions ``(at, what, value)`` with ``what`` in
    reply, status (open/pending/hold/solved/closed) and priority (0-3)."""

    number: int
    opened: datetime
    priority: int
    organization: str
    channel: str
    tags: list[str]
    actions: list[tuple[datetime, str, Any]] = field(default_factory=list)
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def final(self, what: str, initial: Any) -> Any:
        values = [value for _, kind, value in self.actions if kind == what]
        return values[-1] if values else initial


def status_changes(story: Story) -> list[tuple[datetime, str, str]]:
    """``(at, from, to)`` of every status change (new -> open at the first reply)."""
    found, current = [], "new"
    for at, what, value in story.actions:
        if what == "reply" and current == "new":
            found.append((at, current, "open"))
            current = "open"
        elif what == "status" and value != current:
            found.append((at, current, value))
            current = value
    return found


def _policy(edit: tuple[str, str] | None = None) -> Any:
    from slacalc import loads_policy  # noqa: PLC0415  (slacalc only for exact verdicts)

    text = (HERE.parent / "policies" / "cloudmark.yaml").read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in text, edit
        text = text.replace(*edit)
    return loads_policy(text, "cloudmark.yaml")


def _judged(story: Story, policy: Any, events: list[Any]) -> None:
    """Fill ``story.verdicts`` from ``policy`` on ``events``: metric -> breached, due,
    elapsed, stopped, length (a metric met, breached, running or paused)."""
    from slacalc.sla.ticket import Ticket  # noqa: PLC0415

    ticket = Ticket(id=str(story.number), tier="premium", priority=f"P{story.priority + 1}",
                    opened_at=story.opened, events=events)
    story.verdicts = {}
    for metric, report in policy.evaluate(ticket, NOW).metrics.items():
        if report.status not in {"met", "breached", "running", "paused"}:
            continue
        story.verdicts[metric] = {
            "breached": {"met": False, "breached": True}.get(report.status),
            "due": report.due, "elapsed": report.elapsed.total_seconds(),
            "stopped": report.stopped_at, "length": report.length.total_seconds()}


class ConfiguredDesk:
    """slacalc on the contract's policy as the desk configured it (no holidays; a pause
    while pending or on hold)."""

    def __init__(self) -> None:
        from slacalc import loads_policy  # noqa: PLC0415

        text = (HERE.parent / "policies" / "cloudmark.yaml").read_text(encoding="utf-8")
        self.policy = loads_policy(text.replace(", holidays: {country: US}", "").replace(
            "awaiting_customer: ignore", "awaiting_customer: pause"), "desk.yaml")

    def judge(self, story: Story) -> None:
        """Fill ``story.verdicts``: metric -> breached, due, elapsed, stopped."""
        from slacalc.sla.ticket import Event  # noqa: PLC0415

        events, waiting, solved, replied = [], False, False, False
        for at, what, value in story.actions:
            if what == "reply" and not replied:
                events.append(Event(kind="responded", at=at))
                replied = True
            elif what == "priority":
                events.append(Event(kind="priority_changed", at=at, priority=f"P{value + 1}"))
            elif what == "status" and value in {"pending", "hold"} and not waiting:
                events.append(Event(kind="awaiting_customer", at=at))
                waiting = True
            elif what == "status" and value == "open":
                if waiting:
                    events.append(Event(kind="customer_replied", at=at))
                if solved:
                    events.append(Event(kind="reopened", at=at))
                waiting = solved = False
            elif what == "status" and value == "solved":
                events.append(Event(kind="resolved", at=at))
                solved = True
            elif what == "status" and value == "closed":
                events.append(Event(kind="closed", at=at))
        _judged(story, self.policy, events)


class PlainDesk:
    """Plain elapsed time: no calendar, no pause."""

    def judge(self, story: Story) -> None:
        stops = {"response": next((at for at, what, _ in story.actions if what == "reply"), None),
                 "resolution": next((at for at, what, value in story.actions
                                     if what == "status" and value == "solved"), None)}
        for metric, stopped in stops.items():
            hours = LENGTHS.get((metric, story.priority))
            if hours is None:
                continue
            due = story.opened + timedelta(hours=hours)
            end = stopped or NOW
            story.verdicts[metric] = {
                "breached": end > due if stopped or due < NOW else None, "due": due,
                "elapsed": (end - story.opened).total_seconds(), "stopped": stopped,
                "length": hours * 3600.0}


def contract_events(story: Story) -> list[Any]:
    """The events the Zendesk adapter derives from the story's export (default mapping):
    at one instant the agent's reply first, then the status changes, then the priority."""
    from slacalc.sla.ticket import Event  # noqa: PLC0415

    changes: dict[datetime, list[tuple[str, Any]]] = {}
    for at, _before, after in status_changes(story):
        changes.setdefault(at, []).append(("status", after))
    for at, what, value in story.actions:
        if what == "reply":
            changes.setdefault(at, []).insert(0, ("reply", None))
        elif what == "priority":
            changes.setdefault(at, []).append(("priority", value))
    events, role, priority, responded = [], "open", story.priority, False
    for at, items in sorted(changes.items()):
        for what, value in items:
            if what == "reply" and not responded:
                events.append(Event(kind="responded", at=at))
                responded = True
            elif what == "priority" and value != priority:
                events.append(Event(kind="priority_changed", at=at, priority=f"P{value + 1}"))
                priority = value
            elif what == "status" and _ROLES[value] != role:
                target = _ROLES[value]
                kinds = _MOVES.get((role, target), (target,) if target in {"resolved",
                                                                             "closed"} else ())
                events += [Event(kind=kind, at=at) for kind in kinds]
                role = target
    return events


class AgreeingDesk:
    """The contract's verdicts, but about ``share`` of the tickets get one mistake of
    `MISTAKES` (chosen among those the ticket can show: a pause needs a wait on the
    customer, a priority change a change). Its own random stream: the stories are those
    of the other desks, except the DST tickets, moved to open before the change."""

    def __init__(self, share: float, seed: int) -> None:
        self.share = share
        self.rng = random.Random(f"agreeing-{seed}")
        self.contract = _policy()
        self.desks = {mistake: _policy(_EDITS[mistake]) for mistake in MISTAKES}
        self.made: dict[str, int] = dict.fromkeys(MISTAKES, 0)
        self.given: dict[int, str] = {}
        """The ticket numbers given a mistake, and which."""

    def judge(self, story: Story) -> None:
        policy = self.contract
        if self.rng.random() < self.share:
            kinds = {what for _, what, _ in story.actions}
            waited = any(value == "pending" for _, what, value in story.actions
                         if what == "status")
            possible = [mistake for mistake in MISTAKES
                        if (mistake != "pause" or waited)
                        and (mistake != "priority_change" or "priority" in kinds)]
            mistake = self.rng.choice(possible)
            self.made[mistake] += 1
            self.given[story.number] = mistake
            policy = self.desks[mistake]
            if mistake == "dst":  # open it in the last two days of daylight time
                opened = _DST_END - timedelta(minutes=self.rng.randrange(60 * 24 * 2))
                _moved(story, opened)
        _judged(story, policy, contract_events(story))


def _moved(story: Story, opened: datetime) -> None:
    """The story shifted in time to open at ``opened`` (its actions with it)."""
    shift = opened - story.opened
    story.opened = opened
    story.actions = [(at + shift, what, value) for at, what, value in story.actions]
