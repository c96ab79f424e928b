"""`Policy.evaluate` replays without keeping the history and makes the report's datetimes
on first access: what a report shows must be what an eager one showed. Every instant is
derived by hand in the comments."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slacalc import Event, Ticket, bundled_policy, loads_policy
from slacalc.sla import Deadlines, MetricReport
from slacalc.sla.replay import replay

TORONTO = ZoneInfo("America/Toronto")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
H = timedelta(hours=1)

# Whole 8-hour days, so the arithmetic is easy to follow; only the resolution pauses.
PAUSING = """
schema_version: 1
name: pausing
vendor: Example
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "09:00-17:00"}}
priorities:
  P1: {name: Critical}
  P2: {name: High}
tiers:
  standard:
    calendar: office
    targets:
      P1: {response: 1 business hour, resolution: 2 business days}
      P2: {response: 4 business hours, resolution: 5 business days}
rules:
  awaiting_customer: pause
  paused_metrics: [resolution]
  priority_change: keep_elapsed
"""


def to(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TORONTO)


def policy() -> Any:
    return loads_policy(PAUSING, "pausing.yaml")


# P2 opened Mon 11-23 09:00 EST. The customer is waited on from 10:00 (the resolution
# pauses, the response runs on); upgraded to P1 at 11:00, during the pause; the customer
# replies at 13:00; responded 13:30; resolved Tue 15:00.
EVENTS = [Event(kind="awaiting_customer", at=to(2026, 11, 23, 10, 0)),
          Event(kind="priority_changed", at=to(2026, 11, 23, 11, 0), priority="P1"),
          Event(kind="customer_replied", at=to(2026, 11, 23, 13, 0)),
          Event(kind="responded", at=to(2026, 11, 23, 13, 30)),
          Event(kind="resolved", at=to(2026, 11, 24, 15, 0))]
TICKET = Ticket(id="T-1", tier="standard", priority="P2", opened_at=to(2026, 11, 23, 9, 0),
                events=EVENTS)


def test_metrics_of_a_lazy_report_are_the_hand_derived_ones() -> None:
    report = policy().evaluate(TICKET)
    assert "metrics" not in vars(report)  # made on first access
    # Both targets come from the P1 line of the YAML (line 14, the text's first line empty).
    # Response, P1 from the start (keep_elapsed): 1 business hour -> due Mon 10:00; the
    # response at 13:30 is late. Used Mon 09:00-13:30 = 4.5 h of 1 h.
    assert report["response"] == MetricReport(
        "response", "breached", due=to(2026, 11, 23, 10, 0), elapsed=4 * H + 30 * H / 60,
        remaining=timedelta(0), target="1 business hour", length=H, priority="P1",
        clock="office", source="pausing.yaml:14", breached_at=to(2026, 11, 23, 10, 0),
        stopped_at=EVENTS[3].at, reason="responded")
    # Resolution, P1: 2 days = 16 business hours from Mon 09:00 -> Tue 17:00 unpaused;
    # the pause Mon 10:00-13:00 holds 3 business hours -> Wed 12:00. Resolved Tue 15:00:
    # met. Used Mon 09-10 (1 h) + Mon 13-17 (4 h) + Tue 09-15 (6 h) = 11 h of 16 h.
    assert report["resolution"] == MetricReport(
        "resolution", "met", due=to(2026, 11, 25, 12, 0), elapsed=11 * H, remaining=5 * H,
        target="2 business days", length=16 * H, priority="P1", clock="office",
        source="pausing.yaml:14", stopped_at=EVENTS[4].at, reason="resolved")
    assert report["resolution"].stopped_at is EVENTS[4].at  # the event's own datetime
    assert list(report) == ["response", "resolution"]
    assert len(report) == 2
    assert repr(report) == "SLAReport(pausing/standard: response=breached, resolution=met)"


def test_history_of_a_lazy_report_is_replayed_with_the_same_steps() -> None:
    report = policy().evaluate(TICKET)
    history = report._state
    assert history._state.steps is None  # evaluate replayed without keeping the history
    steps = [(step.at, step.index, step.kind, step.detail, step.effects)
             for step in history.steps]
    assert steps == [
        (TICKET.opened_at, None, "opened", "priority P2", {}),
        (EVENTS[0].at, 0, "awaiting_customer", "", {"resolution": "paused"}),
        # The response's due moves from Mon 13:00 (4 h) to Mon 10:00 (1 h). The paused
        # resolution, if resumed at 11:00: P2 40 h from Mon 09:00 is Fri 11-27 17:00, plus
        # the 1 h gap 10:00-11:00 -> Mon 11-30 10:00; P1 Tue 17:00 + 1 h -> Wed 10:00.
        (EVENTS[1].at, 1, "priority_changed", "P2 -> P1", {
            "response": "due Mon 2026-11-23 13:00 EST -> Mon 2026-11-23 10:00 EST",
            "resolution": "due Mon 2026-11-30 10:00 EST -> Wed 2026-11-25 10:00 EST "
                          "(if resumed now; paused)"}),
        (EVENTS[2].at, 2, "customer_replied", "", {"resolution": "resumed"}),
        (EVENTS[3].at, 3, "responded", "", {"response": "stopped (responded): breached"}),
        (EVENTS[4].at, 4, "resolved", "", {"resolution": "stopped (resolved): met"}),
    ]
    # The same steps, in µs, as a replay that kept its history from the start.
    state = history._state
    traced = replay(state.plan, "P2", state.opened, state.attributes, history._events,
                    now=state.now, trace=True)
    assert [((at - EPOCH) // US, index, kind, detail, effects)
            for at, index, kind, detail, effects in steps] == [
        (step.at, step.position, step.kind, step.detail, step.effects)
        for step in traced.steps or ()]
    resolution = history.clocks["resolution"]
    assert resolution.pauses == [(EVENTS[0].at, 0, EVENTS[2].at, 2)]
    assert resolution.spans == [[TICKET.opened_at, EVENTS[0].at], [EVENTS[2].at, EVENTS[4].at]]


def test_explanation_of_a_lazy_report() -> None:
    explained = policy().evaluate(TICKET).explain()
    assert "  paused: from Mon 2026-11-23 10:00 EST (event 0), until Mon 2026-11-23 13:00 " \
           "EST (event 2)" in explained
    assert "  Mon 2026-11-23 11:00 EST  [1] priority_changed: P2 -> P1, response due Mon " \
           "2026-11-23 13:00 EST -> Mon 2026-11-23 10:00 EST" in explained
    # Spare time is real time: Tue 15:00 to Wed 12:00.
    assert "  due Wed 2026-11-25 12:00 EST; stopped Tue 2026-11-24 15:00 EST: met with " \
           "21 h to spare." in explained
    assert "  time: 11 h used of 16 h" in explained


def test_history_stops_at_now_like_the_report() -> None:
    # now Mon 12:00: the pause and the change are applied, the reply is not. The
    # resolution is paused with 1 h used (09-10); its due is unknown until it resumes.
    report = policy().evaluate(TICKET, now=to(2026, 11, 23, 12, 0))
    assert [step.kind for step in report._state.steps] == [
        "opened", "awaiting_customer", "priority_changed"]
    assert (report["resolution"].status, report["resolution"].due,
            report["resolution"].elapsed) == ("paused", None, H)
    # The response (P1, due Mon 10:00) is still open and past due.
    assert (report["response"].status, report["response"].stopped_at) == ("breached", None)
    data = report.timeline()
    assert [event["kind"] for event in data["events"]] == [
        "opened", "awaiting_customer", "priority_changed"]
    assert data["metrics"]["resolution"]["pauses"] == [{
        "start": EVENTS[0].at.isoformat(), "started_by": 0, "end": None, "ended_by": None}]


def test_lazy_report_to_dict_and_equality() -> None:
    first = policy().evaluate(TICKET)
    second = policy().evaluate(TICKET)
    assert first == second
    assert first == dict(second.items())
    data = first.to_dict()
    assert data["priority"] == "P1"  # the priority in force at now
    assert data["metrics"]["resolution"]["due"] == "2026-11-25T12:00:00-05:00"
    assert data["metrics"]["response"]["stopped_at"] == EVENTS[3].at.isoformat()


def test_not_applicable_report_is_unchanged() -> None:
    terms = loads_policy(PAUSING + "applies_to: current_subscribers\n", "pausing.yaml")
    report = terms.evaluate(TICKET, subscription_active=False)
    assert report["response"] == MetricReport(
        "response", "not_applicable", priority="P1",
        reason="the SLA applies only to current subscribers")
    assert [step.kind for step in report._state.steps][-1] == "resolved"


def test_deadlines_are_the_same_object_as_the_constructor_builds() -> None:
    # vircom standard P2 opened Fri 17:30: response 1 business hour (07:30-18:00) -> Mon
    # 08:00; resolution 24 real hours -> Sat 17:30.
    vircom = bundled_policy("vircom")
    opened = to(2026, 11, 20, 17, 30)
    due = vircom.deadlines("standard", "P2", opened)
    assert type(due) is Deadlines
    assert due == {"response": to(2026, 11, 23, 8, 0), "resolution": to(2026, 11, 21, 17, 30)}
    built = Deadlines(dict(due), policy="vircom", tier="standard", priority="P2",
                      opened_at=opened, targets=due.targets)
    assert vars(due) == vars(built)
    assert str(due) == str(built)
    for clone in (pickle.loads(pickle.dumps(due)), copy.deepcopy(due)):
        assert clone == due
        assert vars(clone) == vars(due)
    assert vircom.plan("standard") is vircom.plan("standard")


def test_explain_writes_the_first_eight_counted_spans_and_counts_the_rest() -> None:
    # P2 opened Mon 2026-11-02 09:00 EST, never answered, judged Fri 11-20 17:00: the
    # office calendar (Mon-Fri 09:00-17:00, no holidays) counts one span a weekday, Nov
    # 2-6, 9-13 and 16-20: 15 spans for each metric; eight are written, 7 more counted.
    ticket = Ticket(id="T-2", tier="standard", priority="P2", opened_at=to(2026, 11, 2, 9, 0))
    text = policy().evaluate(ticket, now=to(2026, 11, 20, 17, 0)).explain()
    counted = [line for line in text.splitlines() if line.startswith("  counted: ")]
    assert len(counted) == 2  # response and resolution
    for line in counted:
        assert line.count(" - ") == 8
        assert line.startswith("  counted: Mon 2026-11-02 09:00 EST - 17:00 EST, "
                               "Tue 2026-11-03 09:00 EST - 17:00 EST")
        assert line.endswith("Wed 2026-11-11 09:00 EST - 17:00 EST, and 7 more")
