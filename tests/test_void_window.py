"""Vircom's void clause, read with its condition (issue 13, item 5): "if a technician
reaches back to you within the first reaction time expectation but you are not available
... these response times are null & void". Rule ``void_within: response``: an
``awaiting_customer`` voids the clocks only at or before the response's due instant
(exactly at due included); a later one stops a response not yet given (breached) and
voids nothing.

Every case is worked out by hand from policies/vircom.yaml (calendar ``business``: Mon-Fri
07:30-18:00 America/Toronto, Quebec holidays, none in the weeks used; standard tier: P1
response 30 minutes and resolution 4 hours, both real time; P2 response 1 business hour,
resolution 24 real hours; P3 response 4 business hours), and checked on the three paths:
`Policy.evaluate` (the single replay), the replay over columns (`replay_columns`) and the
JSONL batch path (`evaluate_lines`). November 2026 is EST (UTC-05:00) throughout.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slacalc import Policy, Ticket, bundled_policy, loads_policy
from slacalc.batch import RESULT_COLUMNS, PolicyBook
from slacalc.batch._jsonl import evaluate_lines
from slacalc.engine._zone import instant_us, to_datetime
from slacalc.sla.columns import STATUSES, gather, replay_columns
from slacalc.sla.ticket import EVENT_KINDS

TORONTO = ZoneInfo("America/Toronto")
ROOT = Path(__file__).resolve().parent.parent
REACHED = "reached out; customer unavailable"
UNAVAILABLE = "customer not available"


def toronto(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of November 2026 in Toronto (EST)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TORONTO)


class Expected(NamedTuple):
    status: str
    reason: str | None
    due: datetime | None
    stopped_at: datetime | None = None


class Case(NamedTuple):
    policy: str  # "vircom", "vircom-any" (void_within removed) or "quiet"
    priority: str
    opened: datetime
    events: tuple[tuple[str, datetime, str | None], ...]  # kind, at, new priority
    now: datetime
    response: Expected
    resolution: Expected


def waiting(at: datetime) -> tuple[str, datetime, None]:
    return ("awaiting_customer", at, None)


# P2 opened Mon 2026-11-23 17:30. Response, 1 business hour: Mon 17:30-18:00 (30 min),
# then Tue 07:30 + 30 min -> due Tue 08:00. Resolution, 24 real hours -> due Tue 17:30.
P2_OPENED, P2_DUE, P2_RESOLUTION_DUE = toronto(23, 17, 30), toronto(24, 8), toronto(24, 17, 30)
# P1 opened Sat 2026-11-21 10:00 (the calendar is closed; P1 runs on real time).
# Response 30 minutes -> due Sat 10:30; resolution 4 hours -> due Sat 14:00.
P1_OPENED, P1_DUE, P1_RESOLUTION_DUE = toronto(21, 10), toronto(21, 10, 30), toronto(21, 14)

CASES = {
    # -- the boundary, business time (P2) ------------------------------------------------
    "P2 reach-out 1 minute before due": Case(
        "vircom", "P2", P2_OPENED, (waiting(toronto(24, 7, 59)),), toronto(24, 12),
        Expected("met", REACHED, P2_DUE, toronto(24, 7, 59)),
        Expected("void", UNAVAILABLE, None)),
    "P2 reach-out exactly at due": Case(
        "vircom", "P2", P2_OPENED, (waiting(toronto(24, 8)),), toronto(24, 12),
        Expected("met", REACHED, P2_DUE, toronto(24, 8)),
        Expected("void", UNAVAILABLE, None)),
    "P2 reach-out 1 minute after due": Case(
        "vircom", "P2", P2_OPENED, (waiting(toronto(24, 8, 1)),), toronto(24, 12),
        Expected("breached", REACHED, P2_DUE, toronto(24, 8, 1)),
        Expected("running", None, P2_RESOLUTION_DUE)),
    # -- the boundary, real time (P1, on a Saturday) --------------------------------------
    "P1 reach-out 1 minute before due": Case(
        "vircom", "P1", P1_OPENED, (waiting(toronto(21, 10, 29)),), toronto(21, 12),
        Expected("met", REACHED, P1_DUE, toronto(21, 10, 29)),
        Expected("void", UNAVAILABLE, None)),
    "P1 reach-out exactly at due": Case(
        "vircom", "P1", P1_OPENED, (waiting(toronto(21, 10, 30)),), toronto(21, 12),
        Expected("met", REACHED, P1_DUE, toronto(21, 10, 30)),
        Expected("void", UNAVAILABLE, None)),
    "P1 reach-out 1 minute after due": Case(
        "vircom", "P1", P1_OPENED, (waiting(toronto(21, 10, 31)),), toronto(21, 12),
        Expected("breached", REACHED, P1_DUE, toronto(21, 10, 31)),
        Expected("running", None, P1_RESOLUTION_DUE)),
    # -- a first reaction already given: the instant test is the same ---------------------
    "P2 responded, reach-out at due": Case(
        "vircom", "P2", P2_OPENED,
        (("responded", toronto(24, 7, 50), None), waiting(toronto(24, 8))), toronto(24, 12),
        Expected("met", "responded", P2_DUE, toronto(24, 7, 50)),
        Expected("void", UNAVAILABLE, None)),
    "P2 responded, reach-out 1 minute after due": Case(
        "vircom", "P2", P2_OPENED,
        (("responded", toronto(24, 7, 50), None), waiting(toronto(24, 8, 1))),
        toronto(24, 12),
        Expected("met", "responded", P2_DUE, toronto(24, 7, 50)),
        Expected("running", None, P2_RESOLUTION_DUE)),
    # -- the due in force at the reach-out: after a priority change ----------------------
    # P3 opened Mon 17:30: 4 business hours -> 30 min Mon + 3 h 30 Tue -> due Tue 11:00,
    # so 08:30 would be within. Raised to P2 at Tue 07:45 (keep_elapsed): 1 business hour
    # from the opening -> due Tue 08:00, so a reach-out at 08:30 is after it. Resolution
    # is then P2's: 24 real hours from the opening -> Tue 17:30.
    "P3 raised to P2, reach-out after the P2 due": Case(
        "vircom", "P3", P2_OPENED,
        (("priority_changed", toronto(24, 7, 45), "P2"), waiting(toronto(24, 8, 30))),
        toronto(24, 12),
        Expected("breached", REACHED, P2_DUE, toronto(24, 8, 30)),
        Expected("running", None, P2_RESOLUTION_DUE)),
    # -- a clock already past due at a reach-out in time is not voided --------------------
    # P2 opened Fri 2026-11-20 17:30: response due Mon 08:00 (30 min Fri, 30 min Mon);
    # resolution 24 real hours -> due Sat 17:30, long past at the Mon 08:00 reach-out.
    "P2 Friday evening, reach-out at due, resolution already breached": Case(
        "vircom", "P2", toronto(20, 17, 30), (waiting(toronto(23, 8)),), toronto(23, 9),
        Expected("met", REACHED, toronto(23, 8), toronto(23, 8)),
        Expected("breached", None, toronto(21, 17, 30))),
    # -- the rule unset: any reach-out voids, as before -----------------------------------
    "void_within unset, reach-out 1 minute after due": Case(
        "vircom-any", "P2", P2_OPENED, (waiting(toronto(24, 8, 1)),), toronto(24, 12),
        Expected("breached", REACHED, P2_DUE, toronto(24, 8, 1)),
        Expected("void", UNAVAILABLE, None)),
    # -- no response deadline: every reach-out is within ----------------------------------
    # "quiet": response none; resolution 8 business hours on Mon-Fri 09:00-17:00 Toronto,
    # opened Mon 09:00 -> due Mon 17:00, not yet past at the Mon 16:00 reach-out.
    "no response target, reach-out voids": Case(
        "quiet", "P1", toronto(23, 9), (waiting(toronto(23, 16)),), toronto(23, 16, 30),
        Expected("no_target", "no first reaction time", None),
        Expected("void", UNAVAILABLE, None)),
}

QUIET = """
schema_version: 1
name: quiet
vendor: Example
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "09:00-17:00"}}
priorities:
  P1: {name: Critical}
tiers:
  standard:
    calendar: office
    targets:
      P1:
        response: {within: none, reason: no first reaction time}
        resolution: 8 business hours
rules:
  awaiting_customer: void
  void_within: response
"""


def _policies() -> dict[str, Policy]:
    text = (ROOT / "policies" / "vircom.yaml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("void_within:"))
    return {"vircom": bundled_policy("vircom"),
            "vircom-any": loads_policy(text.replace(line + "\n", ""), "vircom-any.yaml"),
            "quiet": loads_policy(QUIET, "quiet.yaml")}


POLICIES = _policies()


def _ticket(case: Case) -> Ticket:
    return Ticket.model_validate({
        "id": "T-1", "tier": "standard", "priority": case.priority,
        "opened_at": case.opened.isoformat(),
        "events": [{"kind": kind, "at": at.isoformat(),
                    **({"priority": new} if new else {})} for kind, at, new in case.events]})


def _found(status: str, reason: str | None, due: datetime | None,
           stopped_at: datetime | None) -> Expected:
    return Expected(status, reason or None, due, stopped_at)


def test_the_bundled_policy_reads_the_clause_with_its_condition() -> None:
    vircom = bundled_policy("vircom")
    assert vircom.rules.awaiting_customer == "void"
    assert vircom.rules.void_within == "response"
    assert vircom.plan("standard").rules.void_within_response
    assert not POLICIES["vircom-any"].plan("standard").rules.void_within_response
    assert vircom.notes is not None
    assert '"within the first reaction time expectation" is read as a condition' in " ".join(
        vircom.notes.split())


@pytest.mark.parametrize("name", CASES)
def test_evaluate(name: str) -> None:
    case = CASES[name]
    report = POLICIES[case.policy].evaluate(_ticket(case), case.now)
    for metric, expected in (("response", case.response), ("resolution", case.resolution)):
        found = report[metric]
        assert _found(found.status, found.reason, found.due, found.stopped_at) == expected, \
            metric


@pytest.mark.parametrize("name", CASES)
def test_replay_over_columns(name: str) -> None:
    case = CASES[name]
    plan = POLICIES[case.policy].plan("standard")
    keys = tuple(plan.priorities)
    count = len(case.events)
    histories = gather(
        np.array([keys.index(case.priority)], dtype=np.int64),
        np.array([instant_us(case.opened)], dtype=np.int64),
        np.array([instant_us(case.now)], dtype=np.int64), [{}],
        (np.zeros(count, dtype=np.int64),
         np.array([EVENT_KINDS.index(kind) for kind, _, _ in case.events], dtype=np.int64),
         np.array([instant_us(at) for _, at, _ in case.events], dtype=np.int64),
         np.array([keys.index(new) if new else 0 for _, _, new in case.events],
                  dtype=np.int64),
         np.ones(count, dtype=bool)))
    outcome = replay_columns(plan, histories)
    assert not outcome.failed.any()
    for metric, expected in zip(outcome.metrics, (case.response, case.resolution),
                                strict=True):
        due = to_datetime(int(metric.due[0]), TORONTO) if metric.has_due[0] else None
        stopped = to_datetime(int(metric.stop_at[0]), TORONTO) if metric.stopped[0] else None
        found = _found(STATUSES[int(metric.status[0])],
                       outcome.reasons[int(metric.reason[0])], due, stopped)
        assert found == expected, metric.metric


def _instant(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@pytest.mark.parametrize("name", CASES)
def test_jsonl_lines(name: str) -> None:
    case = CASES[name]
    line = json.dumps({
        "id": "T-1", "policy": case.policy, "tier": "standard", "priority": case.priority,
        "opened_at": case.opened.isoformat(),
        "events": [{"kind": kind, "at": at.isoformat(), **({"priority": new} if new else {})}
                   for kind, at, new in case.events]})
    columns, errors, count = evaluate_lines(PolicyBook(POLICIES), [(1, line)], now=case.now)
    assert (errors, count) == ([], 1)
    rows = [dict(zip(RESULT_COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]
    assert [row["metric"] for row in rows] == ["response", "resolution"]
    for row, expected in zip(rows, (case.response, case.resolution), strict=True):
        found = _found(row["status"], row["reason"], _instant(row["due"]),
                       _instant(row["stopped_at"]))
        assert found == expected, row["metric"]


def test_the_history_says_a_late_reach_out_voids_nothing() -> None:
    case = CASES["P2 reach-out 1 minute after due"]
    text = POLICIES["vircom"].evaluate(_ticket(case), case.now).explain()
    assert "after the first reaction time: voids nothing" in text
    in_time = CASES["P2 reach-out exactly at due"]
    text = POLICIES["vircom"].evaluate(_ticket(in_time), in_time.now).explain()
    assert "after the first reaction time" not in text


def test_elapsed_on_both_sides_of_the_boundary() -> None:
    # Response elapsed, business time: Mon 17:30-18:00 (30 min) + Tue 07:30 to the stop.
    # Resolution elapsed after a late reach-out, real time: Mon 17:30 -> Tue 12:00.
    vircom = POLICIES["vircom"]
    for name, response in (("P2 reach-out 1 minute before due", timedelta(minutes=59)),
                           ("P2 reach-out exactly at due", timedelta(minutes=60)),
                           ("P2 reach-out 1 minute after due", timedelta(minutes=61))):
        case = CASES[name]
        assert vircom.evaluate(_ticket(case), case.now)["response"].elapsed == response, name
    late = CASES["P2 reach-out 1 minute after due"]
    report = vircom.evaluate(_ticket(late), late.now)
    assert report["resolution"].elapsed == timedelta(hours=18, minutes=30)
    assert report["resolution"].remaining == timedelta(hours=5, minutes=30)
