"""The replay over columns (`slacalc.sla.columns`) gives, row by row, exactly what the
single-ticket replay and `judge` give: on random policies (every rule: pause, void,
ignore, paused metrics, keep_elapsed or restart, confirmation, close after unanswered
contacts, workaround stops, relative targets, ``when`` conditions) and random histories
of every event kind, judged at the last event or at a random ``now``; and by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import Policy, Ticket, bundled_policy, load_policy
from slacalc.engine._zone import instant_us
from slacalc.errors import PolicyError
from slacalc.sla.columns import STATUSES, gather, replay_columns, runs
from slacalc.sla.plan import Plan
from slacalc.sla.replay import order_events, replay
from slacalc.sla.ticket import EVENT_KINDS
from slacalc.sla.verdict import Verdict, judge
from slacalc.testing import ONE_TIER_KINDS, policy_mappings
from slacalc.testing import tickets as random_tickets

HOUR = 3_600_000_000
TORONTO = ZoneInfo("America/Toronto")


def _scalar(plan: Plan, ticket: Ticket, now: int | None) -> list[Verdict]:
    opened = instant_us(ticket.opened_at)
    key = plan.priority_key(ticket.priority)
    assert key is not None
    events = [(event.kind, instant_us(event.at), event.priority, event.confirmed,
               event.answered) for event in ticket.events]
    ordered = order_events(plan, opened, events, str)
    state = replay(plan, key, opened, dict(ticket.attributes), ordered, now=now)
    return [judge(state, clock) for clock in state.clocks]


def _columns(plans: list[Plan], mine: list[int], tickets: list[Ticket],
             nows: list[int | None]) -> list[list[tuple]]:
    """Replay ``tickets`` as columns, ticket ``i`` on ``plans[mine[i]]``, all in one call."""
    keys = [tuple(plan.priorities) for plan in plans]
    opened = np.array([instant_us(ticket.opened_at) for ticket in tickets], dtype=np.int64)
    last = [max([instant_us(event.at) for event in ticket.events], default=int(start))
            for ticket, start in zip(tickets, opened, strict=True)]
    now = np.array([moment if moment is not None else end
                    for moment, end in zip(nows, last, strict=True)], dtype=np.int64)
    flat: list[tuple[int, int, int, int, bool]] = []
    for row, ticket in enumerate(tickets):
        plan = plans[mine[row]]
        for event in ticket.events:
            new = plan.priority_key(event.priority) if event.priority else None
            flag = bool(event.answered) if event.kind == "contact_attempt" else event.confirmed
            flat.append((row, EVENT_KINDS.index(event.kind), instant_us(event.at),
                         keys[mine[row]].index(new) if new else 0, flag))
    columns = list(zip(*flat, strict=True)) or [(), (), (), (), ()]
    ticket, code, at, new, flag = (np.array(values, dtype=np.int64) for values in columns)
    histories = gather(np.array([keys[plan].index(plans[plan].priority_key(t.priority) or "")
                                 for t, plan in zip(tickets, mine, strict=True)],
                                dtype=np.int64), opened, now,
                       {name: [t.attributes.get(name, "") for t in tickets] for name in
                        sorted({key for t in tickets for key in t.attributes})},
                       (ticket, code, at, new, flag.astype(bool)))
    outcome = replay_columns(plans, histories, np.array(mine, dtype=np.int64))
    assert not outcome.failed.any()
    found = []
    for row in range(len(tickets)):
        verdicts = []
        for metric in outcome.metrics:
            entry = outcome.entries[int(metric.entry[row])]
            status = STATUSES[int(metric.status[row])]
            timed = entry is not None and entry.timeline is not None
            verdicts.append((
                metric.metric, status, keys[mine[row]][int(metric.priority[row])], entry,
                outcome.reasons[int(metric.reason[row])],
                int(metric.due[row]) if metric.has_due[row] else None,
                int(metric.length[row]) if timed else None,
                int(metric.elapsed[row]),
                (int(metric.stop_at[row]), int(metric.stop_position[row]))
                if metric.stopped[row] else None,
                tuple(int(at) if known else None for at, known in
                      zip(metric.escalations[row], metric.reached[row], strict=True)),
                int(metric.crossed[row])))
        found.append(verdicts)
    return found


def _expected(verdict: Verdict) -> tuple:
    return (verdict.metric, verdict.status, verdict.priority, verdict.entry, verdict.reason,
            verdict.due, verdict.length, verdict.elapsed,
            verdict.stopped[:2] if verdict.stopped else None,
            tuple(at for _, at in verdict.escalations), verdict.crossed)


_FOCUS = (ONE_TIER_KINDS,  # everything the arrays take (a tier_changed goes to the single
          # path: tests/test_tier_change.py), and two mixes that make the rare rules meet
          ("awaiting_customer", "customer_replied", "priority_changed", "responded",
           "resolved", "reopened"),
          ("contact_attempt", "closed", "awaiting_customer", "responded", "workaround"))


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Policy, str, list[Ticket], list[int | None]]:
    mapping = draw(policy_mappings())
    mapping["rules"]["awaiting_customer"] = draw(st.sampled_from(["ignore", "pause", "void"]))
    if draw(st.booleans()):  # every priority and metric timed, so every rule shows
        for tier in mapping["tiers"].values():
            for key in mapping["priorities"]:
                targets = tier["targets"].setdefault(key, {})
                for metric in ("response", "resolution"):
                    targets.setdefault(metric, draw(st.sampled_from(
                        ["90 minutes", "2 hours", "1 business hour", "4 business hours"])))
    if draw(st.booleans()):  # escalation thresholds, shares of each target
        shares = draw(st.lists(st.integers(1, 999), min_size=1, max_size=4, unique=True))
        mapping["escalation"] = [f"{share / 10:g}%" for share in sorted(shares)]
    policy = Policy.model_validate(mapping)
    tier = draw(st.sampled_from(list(policy.tiers)))
    kinds = draw(st.sampled_from(_FOCUS))
    tickets = draw(st.lists(random_tickets(policy, tier=tier, max_events=10, kinds=kinds),
                            min_size=1, max_size=6))
    nows: list[int | None] = []
    for ticket in tickets:
        opened = instant_us(ticket.opened_at)
        nows.append(draw(st.none() | st.integers(opened, opened + 60 * 24 * HOUR)))
    return policy, tier, tickets, nows


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_columns_equal_the_single_replay_on_random_policies(
        case: tuple[Policy, str, list[Ticket], list[int | None]]) -> None:
    policy, tier, tickets, nows = case
    plan = policy.plan(tier)
    expected = [[_expected(verdict) for verdict in _scalar(plan, ticket, now)]
                for ticket, now in zip(tickets, nows, strict=True)]
    assert _columns([plan], [0] * len(tickets), tickets, nows) == expected


@st.composite
def _mixed(draw: st.DrawFn) -> tuple[list[Plan], list[int], list[Ticket], list[int | None]]:
    """Tickets of two or three random policies (each its own rules, priorities, calendars
    and targets; the escalation thresholds shared, as the arrays require), interleaved."""
    shares = draw(st.none() | st.lists(st.integers(1, 999), min_size=1, max_size=3,
                                        unique=True))
    plans: list[Plan] = []
    cases: list[tuple[int, Ticket, int | None]] = []
    for number in range(draw(st.integers(2, 3))):
        mapping = draw(policy_mappings())
        mapping["rules"]["awaiting_customer"] = draw(st.sampled_from(["ignore", "pause",
                                                                      "void"]))
        if shares is not None:
            mapping["escalation"] = [f"{share / 10:g}%" for share in sorted(shares)]
        policy = Policy.model_validate(mapping)
        tier = draw(st.sampled_from(list(policy.tiers)))
        plans.append(policy.plan(tier))
        kinds = draw(st.sampled_from(_FOCUS))
        for ticket in draw(st.lists(random_tickets(policy, tier=tier, max_events=8,
                                                   kinds=kinds), min_size=1, max_size=4)):
            opened = instant_us(ticket.opened_at)
            cases.append((number, ticket, draw(st.none() | st.integers(
                opened, opened + 60 * 24 * HOUR))))
    cases = draw(st.permutations(cases))
    return (plans, [number for number, _, _ in cases], [ticket for _, ticket, _ in cases],
            [now for _, _, now in cases])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mixed())
def test_columns_replay_the_tickets_of_several_plans_at_once(
        case: tuple[list[Plan], list[int], list[Ticket], list[int | None]]) -> None:
    # One call over the tickets of several plans gives each row what the single replay
    # gives it on its own plan: rules, priorities and targets are read row by row.
    plans, mine, tickets, nows = case
    expected = [[_expected(verdict) for verdict in _scalar(plans[plan], ticket, now)]
                for plan, ticket, now in zip(mine, tickets, nows, strict=True)]
    assert _columns(plans, mine, tickets, nows) == expected


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TORONTO)


def test_a_paused_ticket_by_hand() -> None:
    # Hours Mon-Fri 09:00-17:00 Toronto; waiting on the customer pauses both clocks.
    policy = Policy.model_validate({
        "schema_version": 1, "name": "paused", "vendor": "Example",
        "calendars": {"office": {"timezone": "America/Toronto",
                                 "hours": {"mon-fri": "09:00-17:00"}}},
        "priorities": {"P2": {"name": "P2"}},
        "tiers": {"standard": {"calendar": "office", "targets": {
            "P2": {"response": "2 business hours", "resolution": "8 business hours"}}}},
        "rules": {"awaiting_customer": "pause"}})
    ticket = Ticket.model_validate({
        "tier": "standard", "priority": "P2", "opened_at": _at(23, 9),
        "events": [{"kind": "awaiting_customer", "at": _at(23, 9, 30)},
                   {"kind": "customer_replied", "at": _at(23, 11, 30)},
                   {"kind": "responded", "at": _at(23, 12)}]})
    [(response, resolution)] = _columns([policy.plan("standard")], [0], [ticket], [None])
    assert response[1] == "met"
    assert response[5] == instant_us(_at(23, 13))  # 11:00, pushed by the 2 paused hours
    assert response[7] == HOUR  # 09:00-09:30 and 11:30-12:00
    assert response[8] == (instant_us(_at(23, 12)), 2)
    assert resolution[1] == "running"
    assert resolution[5] == instant_us(_at(24, 11))  # Mon 17:00 + the 2 paused hours
    assert resolution[7] == HOUR  # up to now, the last event (12:00)


def test_plans_with_different_escalation_thresholds_are_not_replayed_together() -> None:
    # Verdicts hold one column per threshold, so plans replayed in one call must share
    # them: the escalating fixture (50%, 75%) and vircom (none) cannot.
    escalating = load_policy(Path(__file__).parent / "fixtures" / "valid" / "escalating.yaml")
    plans = [escalating.plan("standard"), bundled_policy("vircom").plan("standard")]
    opened = np.array([instant_us(_at(23, 9))] * 2, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    histories = gather(np.zeros(2, dtype=np.int64), opened, opened, {},
                       (empty, empty, empty, empty, empty.astype(bool)))
    with pytest.raises(PolicyError, match=r"escalation: plans replayed together must share"):
        replay_columns(plans, histories, np.array([0, 1], dtype=np.int64))


def test_runs_group_positions_by_key_in_order() -> None:
    # Keys [1, 0, 1, 2]: key 0 at position 1; key 1 at 0 and 2 (in that order); key 2 at 3.
    # All keys equal: one group of every position, no sort.
    assert [(key, at.tolist()) for key, at in runs(np.array([1, 0, 1, 2]))] == [
        (0, [1]), (1, [0, 2]), (2, [3])]
    assert [(key, at.tolist()) for key, at in runs(np.array([5, 5]))] == [(5, [0, 1])]
    assert runs(np.zeros(0, dtype=np.int64)) == []
