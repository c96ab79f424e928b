"""``tier_changed``: a ticket moves to another tier, handled like a priority change
(rule ``priority_change``: keep_elapsed or restart), golden cases derived by hand; the
array kernel refuses such tickets, and the JSONL batch path gives what `Policy.evaluate`
gives (they take the single path)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slacalc import Policy, Ticket, loads_policy
from slacalc.batch import RESULT_COLUMNS, PolicyBook, rows_of_report
from slacalc.batch._eventlog import Table, evaluate_log
from slacalc.batch._jsonl import evaluate_lines
from slacalc.engine._zone import instant_us
from slacalc.errors import TicketError
from slacalc.sla.columns import gather, replay_columns
from slacalc.sla.events import (
    CLOSED,
    CONTACT,
    PRIORITY,
    REOPENED,
    REPLIED,
    RESOLVED,
    RESPONDED,
    TIER,
    WAITING,
    WORKAROUND,
)
from slacalc.sla.ticket import EVENT_KINDS

TORONTO = ZoneInfo("America/Toronto")

# basic runs on office hours (Mon-Fri 09:00-17:00 Toronto), premium on a 24x7 calendar in
# the same zone, so premium's business hours are real hours.
TIERED = """
schema_version: 1
name: tiered
vendor: Example
timezone: America/Toronto
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "09:00-17:00"}}
  always: {timezone: America/Toronto, hours: 24x7}
priorities:
  P1: {name: Urgent}
  P2: {name: Normal}
tiers:
  basic:
    calendar: office
    targets:
      P1: {response: 2 business hours}
      P2: {response: 8 business hours}
  premium:
    calendar: always
    targets:
      P1: {response: 1 business hour}
      P2: {response: 2 business hours, resolution: 6 hours}
rules: {priority_change: RULE, awaiting_customer: pause}
"""


def _policy(rule: str = "keep_elapsed", versions: str = "") -> Policy:
    return loads_policy(TIERED.replace("RULE", rule) + versions, "tiered.yaml")


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TORONTO)


def _ticket(tier: str, priority: str, opened: datetime,
            *events: tuple[str, datetime, dict[str, Any]]) -> Ticket:
    return Ticket.model_validate({
        "id": "T1", "tier": tier, "priority": priority, "opened_at": opened,
        "events": [{"kind": kind, "at": at, **extra} for kind, at, extra in events]})


def _to(tier: str) -> dict[str, Any]:
    return {"tier": tier}


NONE: dict[str, Any] = {}


def test_event_codes_follow_event_kinds() -> None:
    # A code is its kind's index in EVENT_KINDS, which grows only at its end.
    codes = (RESPONDED, WAITING, REPLIED, PRIORITY, WORKAROUND, RESOLVED, REOPENED, CONTACT,
             CLOSED, TIER)
    assert codes == tuple(range(10))
    assert EVENT_KINDS[:9] == ("responded", "awaiting_customer", "customer_replied",
                               "priority_changed", "workaround", "resolved", "reopened",
                               "contact_attempt", "closed")
    assert EVENT_KINDS[TIER] == "tier_changed"


def test_keep_elapsed_upgrade_after_the_new_target_passed() -> None:
    # basic P2, opened Mon 2026-11-23 16:00: 8 business hours on 09:00-17:00 -> Mon 16-17
    # (1 h) + Tue 09:00-16:00 (7 h): due Tue 16:00. Moved to premium at Mon 20:00:
    # premium P2 is 2 hours from the opening (keep_elapsed) -> due Mon 18:00, already
    # past; the response at 20:30 is breached. Premium has a resolution target (6 real
    # hours from Mon 16:00 -> Mon 22:00) that basic lacked: running at 20:30.
    ticket = _ticket("basic", "P2", _at(11, 23, 16), ("tier_changed", _at(11, 23, 20),
                                                      _to("premium")),
                     ("responded", _at(11, 23, 20, 30), NONE))
    report = _policy().evaluate(ticket)
    response, resolution = report["response"], report["resolution"]
    assert (response.status, response.due) == ("breached", _at(11, 23, 18))
    assert response.breached_at == _at(11, 23, 18)
    assert (response.target, response.clock) == ("2 business hours", "always")
    assert (resolution.status, resolution.due) == ("running", _at(11, 23, 22))
    # Without the move the response was met (due Tue 16:00) and there was no resolution.
    unmoved = _policy().evaluate(_ticket("basic", "P2", _at(11, 23, 16),
                                         ("responded", _at(11, 23, 20, 30), NONE)))
    assert (unmoved["response"].status, unmoved["response"].due) == ("met", _at(11, 24, 16))
    assert unmoved["resolution"].status == "no_target"


def test_keep_elapsed_upgrade_in_time() -> None:
    # Moved at Mon 16:30: premium's 2 hours from the opening (16:00) -> due 18:00;
    # responded 17:45 -> met, 1 h 45 min used of 2 h.
    ticket = _ticket("basic", "P2", _at(11, 23, 16),
                     ("tier_changed", _at(11, 23, 16, 30), _to("premium")),
                     ("responded", _at(11, 23, 17, 45), NONE))
    response = _policy().evaluate(ticket)["response"]
    assert (response.status, response.due) == ("met", _at(11, 23, 18))
    assert response.elapsed == timedelta(hours=1, minutes=45)
    assert response.length == timedelta(hours=2)


def test_restart_starts_the_new_tier_target_at_the_change() -> None:
    # Rule restart: moved at Mon 20:00 -> premium's 2 hours from 20:00: due 22:00;
    # responded 21:00 -> met, 1 h used. Resolution: 6 hours from 20:00 -> Tue 02:00.
    ticket = _ticket("basic", "P2", _at(11, 23, 16), ("tier_changed", _at(11, 23, 20),
                                                      _to("premium")),
                     ("responded", _at(11, 23, 21), NONE))
    report = _policy("restart").evaluate(ticket)
    assert (report["response"].status, report["response"].due) == ("met", _at(11, 23, 22))
    assert report["response"].elapsed == timedelta(hours=1)
    assert (report["resolution"].status, report["resolution"].due) == ("running",
                                                                      _at(11, 24, 2))


def test_a_downgrade_moves_the_clock_onto_office_hours() -> None:
    # premium P1 opened Sat 2026-11-21 10:00: 1 hour -> due 11:00. Moved to basic at
    # 10:20: basic P1 is 2 business hours on 09:00-17:00 from the opening -> nothing open
    # until Mon 09:00, so due Mon 11:00; responded Mon 10:00 -> met, 1 business hour used.
    ticket = _ticket("premium", "P1", _at(11, 21, 10),
                     ("tier_changed", _at(11, 21, 10, 20), _to("basic")),
                     ("responded", _at(11, 23, 10), NONE))
    response = _policy().evaluate(ticket)["response"]
    assert (response.status, response.due) == ("met", _at(11, 23, 11))
    assert (response.elapsed, response.clock) == (timedelta(hours=1), "office")


def test_a_stopped_clock_keeps_its_outcome() -> None:
    # Responded Mon 16:30 (basic: due Tue 16:00, met) before the move at 17:00; the move
    # gives the still-running resolution premium's 6 hours from 16:00 -> Mon 22:00.
    ticket = _ticket("basic", "P2", _at(11, 23, 16), ("responded", _at(11, 23, 16, 30), NONE),
                     ("tier_changed", _at(11, 23, 17), _to("premium")))
    report = _policy().evaluate(ticket)
    assert (report["response"].status, report["response"].due) == ("met", _at(11, 24, 16))
    assert (report["resolution"].status, report["resolution"].due) == ("running",
                                                                      _at(11, 23, 22))


def test_a_move_while_paused_keeps_the_pause() -> None:
    # Paused Mon 16:30 (30 min used), moved to premium at 18:00, customer replied 19:00:
    # premium's 2 hours from 16:00 (first due 18:00) pushed by the 2 h 30 min gap
    # (16:30-19:00 on a 24x7 calendar) -> due 20:30; responded 20:00 -> met.
    ticket = _ticket("basic", "P2", _at(11, 23, 16),
                     ("awaiting_customer", _at(11, 23, 16, 30), NONE),
                     ("tier_changed", _at(11, 23, 18), _to("premium")),
                     ("customer_replied", _at(11, 23, 19), NONE),
                     ("responded", _at(11, 23, 20), NONE))
    response = _policy().evaluate(ticket)["response"]
    assert (response.status, response.due) == ("met", _at(11, 23, 20, 30))
    assert response.elapsed == timedelta(hours=1, minutes=30)  # 16:00-16:30, 19:00-20:00


def test_the_history_shows_the_move() -> None:
    ticket = _ticket("basic", "P2", _at(11, 23, 16), ("tier_changed", _at(11, 23, 20),
                                                      _to("premium")))
    text = _policy().evaluate(ticket).explain()
    assert "[0] tier_changed: basic -> premium" in text
    assert "response due Tue 2026-11-24 16:00 EST -> Mon 2026-11-23 18:00 EST" in text


def test_bad_tier_changes_name_the_event() -> None:
    policy = _policy()
    with pytest.raises(TicketError, match=r"events\[1\]: tier_changed: .*no tier 'gold'"):
        policy.evaluate(_ticket("basic", "P2", _at(11, 23, 16),
                                ("responded", _at(11, 23, 17), NONE),
                                ("tier_changed", _at(11, 23, 18), _to("gold"))))
    with pytest.raises(TicketError, match=r"events\[0\]: tier_changed needs the new 'tier'"):
        policy.evaluate(_ticket("basic", "P2", _at(11, 23, 16),
                                ("tier_changed", _at(11, 23, 18), NONE)))


def test_the_tier_moved_to_is_the_one_in_force_at_the_opening() -> None:
    # From 2026-12-01 (Toronto), premium P2 responds in 1 business hour instead of 2.
    version = """versions:
  - effective_from: 2026-12-01
    tiers:
      premium:
        targets:
          P2: {response: 1 business hour}
"""
    policy = _policy(versions=version)
    # Opened Mon 2026-11-30 16:00 (base terms), moved Tue 2026-12-01 09:00, after the
    # version starts: still the base premium, 2 hours from the opening -> due Mon 18:00.
    before = _ticket("basic", "P2", _at(11, 30, 16), ("tier_changed", _at(12, 1, 9),
                                                      _to("premium")))
    assert policy.evaluate(before)["response"].due == _at(11, 30, 18)
    # Opened Tue 2026-12-01 16:00 (the version), moved 16:10 -> 1 hour -> due 17:00.
    after = _ticket("basic", "P2", _at(12, 1, 16), ("tier_changed", _at(12, 1, 16, 10),
                                                    _to("premium")))
    assert policy.evaluate(after)["response"].due == _at(12, 1, 17)


def test_the_arrays_refuse_a_tier_change() -> None:
    # Two basic tickets; the second has a tier_changed: the arrays mark it failed (the
    # batch then takes it singly) and replay the first as ever.
    policy = _policy()
    plan = policy.plan("basic")
    keys = tuple(plan.priorities)
    opened = np.array([instant_us(_at(11, 23, 16))] * 2, dtype=np.int64)
    now = np.array([instant_us(_at(11, 23, 21))] * 2, dtype=np.int64)
    events = (np.array([0, 1, 1]), np.array([RESPONDED, TIER, RESPONDED]),
              np.array([instant_us(_at(11, 23, 17)), instant_us(_at(11, 23, 20)),
                        instant_us(_at(11, 23, 20, 30))]),
              np.zeros(3, dtype=np.int64), np.ones(3, dtype=bool))
    histories = gather(np.array([keys.index("P2")] * 2), opened, now, {}, events)
    outcome = replay_columns(plan, histories)
    assert outcome.failed.tolist() == [False, True]
    assert int(outcome.metrics[0].due[0]) == instant_us(_at(11, 24, 16))
    # A tier change after now is kept too, so its ticket still goes to the single path.
    early = np.array([instant_us(_at(11, 23, 18))] * 2, dtype=np.int64)
    outcome = replay_columns(plan, gather(np.array([1, 1]), opened, early, {}, events))
    assert outcome.failed.tolist() == [False, True]


def _line(ticket: dict[str, Any]) -> str:
    return json.dumps({"policy": "tiered", **ticket}, default=str)


def test_jsonl_rows_equal_the_model_path() -> None:
    policy = _policy()
    moved = {"id": "T1", "tier": "basic", "priority": "P2",
             "opened_at": "2026-11-23T16:00:00-05:00",
             "events": [{"kind": "tier_changed", "at": "2026-11-23T20:00:00-05:00",
                         "tier": "premium"},
                        {"kind": "responded", "at": "2026-11-23T20:30:00-05:00"}]}
    plain = {"id": "T2", "tier": "basic", "priority": "P2",
             "opened_at": "2026-11-23T16:00:00-05:00",
             "events": [{"kind": "responded", "at": "2026-11-23T20:30:00-05:00"}]}
    columns, errors, count = evaluate_lines(PolicyBook({"tiered": policy}),
                                            [(1, _line(moved)), (2, _line(plain))])
    expected = []
    for data in (moved, plain):
        report = policy.evaluate(Ticket.model_validate(data))
        expected += [tuple(row[column] for column in RESULT_COLUMNS)
                     for row in rows_of_report(str(data["id"]), "tiered", report)]
    assert (errors, count) == ([], 2)
    assert list(zip(*columns, strict=True)) == expected
    assert expected[0][RESULT_COLUMNS.index("status")] == "breached"  # as golden above


def test_jsonl_tier_change_without_a_tier_fails_its_line() -> None:
    # A tier_changed in the usual shape but without its tier reaches the arrays, which
    # refuse it; the checked path names the fault, whether or not it is after now.
    policy = _policy()
    bare = {"id": "T1", "tier": "basic", "priority": "P2",
            "opened_at": "2026-11-23T16:00:00-05:00",
            "events": [{"kind": "tier_changed", "at": "2026-11-23T20:00:00-05:00"}]}
    for now in (None, _at(11, 23, 18)):
        _, errors, count = evaluate_lines(PolicyBook({"tiered": policy}),
                                          [(1, _line(bare))], now=now)
        assert [error.line for error in errors] == [1]
        assert "tier_changed needs the new 'tier'" in str(errors[0])
        assert count == 0


def test_an_event_log_carries_the_new_tier() -> None:
    # basic P2 opened Mon 2026-11-23 16:00, moved to premium at 20:00, responded 20:30:
    # the golden case above (due Mon 18:00, breached), read from two tables; an event
    # log's tier_changed without a tier is a row error naming its line.
    policy = loads_policy(TIERED.replace("RULE", "keep_elapsed"), "tiered.yaml")
    header = ("ticket_id", "policy", "tier", "priority", "opened_at")
    tickets = Table("tickets.csv", header, [
        (2, ["T1", "tiered", "basic", "P2", "2026-11-23T16:00:00-05:00"]),
        (3, ["T2", "tiered", "basic", "P2", "2026-11-23T16:00:00-05:00"])])
    events = Table("events.csv", ("ticket_id", "at", "kind", "tier"), [
        (2, ["T1", "2026-11-23T20:00:00-05:00", "tier_changed", "premium"]),
        (3, ["T1", "2026-11-23T20:30:00-05:00", "responded", ""]),
        (4, ["T2", "2026-11-23T20:00:00-05:00", "tier_changed", ""])])
    columns, errors, count = evaluate_log(PolicyBook({"tiered": policy}), tickets, events)
    response = dict(zip(RESULT_COLUMNS, [column[0] for column in columns], strict=True))
    assert (response["tier"], response["status"]) == ("basic", "breached")
    assert response["due"] == "2026-11-23T18:00:00-05:00"
    assert count == 1
    assert [(error.line, error.reason) for error in errors] == [
        (3, "not evaluated: its event at events.csv:4 is bad"),
        (4, "events.csv:4: tier_changed needs the new tier (a tier column)")]
