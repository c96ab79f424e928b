"""Golden SLA-clock scenarios, each instant derived by hand in its comment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacalc import Event, Ticket, TicketError, bundled_policy, loads_policy

from dst import spring_forward

LA = ZoneInfo("America/Los_Angeles")
TORONTO = ZoneInfo("America/Toronto")
H = timedelta(hours=1)


def la(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA)  # type: ignore[misc]


def to(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)  # type: ignore[misc]


def ticket(tier: str, priority: str, opened: datetime, *events: tuple[str, datetime],
           **extra: Any) -> Ticket:
    built = [Event(kind=kind, at=at, **extra.pop(f"e{i}", {}))
             for i, (kind, at) in enumerate(events)]
    return Ticket(tier=tier, priority=priority, opened_at=opened, events=built, **extra)


# A policy that pauses, in whole 8-hour days so the arithmetic is easy to follow.
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
  priority_change: {change}
"""


def pausing(change: str = "keep_elapsed") -> Any:
    return loads_policy(PAUSING.replace("{change}", change), "pausing.yaml")


# -- Valimail: a severity upgrade after 2 business hours ---------------------------------


def test_valimail_upgrade_after_two_business_hours_breaches_with_the_due_it_would_have_had(
) -> None:
    # Enhanced, P3 (24 business hours) opened Mon 09:00 PT; upgraded to P1 (1 business
    # hour) at 11:00, when 2 business hours have run. Under keep_elapsed P1 applies from
    # the start: due Mon 10:00, already past -> breached at 10:00. The response at 11:10
    # is after due.
    report = bundled_policy("valimail").evaluate(
        ticket("enhanced", "low", la(2026, 11, 23, 9, 0),
               ("priority_changed", la(2026, 11, 23, 11, 0)),
               ("responded", la(2026, 11, 23, 11, 10)), e0={"priority": "urgent"}))
    response = report["response"]
    assert (response.status, response.due, response.breached_at, response.stopped_at) == (
        "breached", la(2026, 11, 23, 10, 0), la(2026, 11, 23, 10, 0), la(2026, 11, 23, 11, 10))
    assert response.priority == "P1"
    assert response.elapsed == timedelta(hours=2, minutes=10)
    assert response.remaining == timedelta(0)
    assert report["resolution"].status == "no_target"  # Valimail promises responses only


def test_valimail_upgrade_to_high_still_in_time() -> None:
    # The same ticket upgraded to P2 (4 business hours) instead: due Mon 13:00; answered
    # 12:30 -> met.
    report = bundled_policy("valimail").evaluate(
        ticket("enhanced", "P3", la(2026, 11, 23, 9, 0),
               ("priority_changed", la(2026, 11, 23, 11, 0)),
               ("responded", la(2026, 11, 23, 12, 30)), e0={"priority": "high"}))
    assert (report["response"].status, report["response"].due) == ("met", la(2026, 11, 23, 13))


# -- Cloudmark: resolution counts only when the customer confirms it ----------------------


def test_cloudmark_resolution_only_when_confirmed_and_confirmed_exactly_at_due_is_met() -> None:
    # Premium P2 opened Mon 2026-11-30 10:00 PT: 3 business days of 24 h, Mon-Fri -> due
    # Thu 12-03 10:00. An unconfirmed resolution on Wednesday does not stop the clock; the
    # confirmed one exactly at due is met.
    opened = la(2026, 11, 30, 10, 0)
    events = [("responded", la(2026, 11, 30, 12, 0)),
              ("resolved", la(2026, 12, 2, 9, 0)),
              ("resolved", la(2026, 12, 3, 10, 0))]
    cloudmark = bundled_policy("cloudmark")
    wednesday = cloudmark.evaluate(ticket("premium", "P2", opened, *events,
                                          e1={"confirmed": False}), now=la(2026, 12, 2, 12, 0))
    assert wednesday["resolution"].status == "running"
    assert wednesday["resolution"].due == la(2026, 12, 3, 10, 0)
    # Used: Mon 14 h + Tue 24 h + Wed 12 h = 50 h of 72.
    assert wednesday["resolution"].elapsed == timedelta(hours=50)
    assert wednesday["resolution"].at_risk(0.75) is False  # 50/72 < 3/4
    assert wednesday["resolution"].at_risk("0.69") is True
    final = cloudmark.evaluate(ticket("premium", "P2", opened, *events, e1={"confirmed": False}))
    assert (final["resolution"].status, final["resolution"].stopped_at) == (
        "met", la(2026, 12, 3, 10, 0))
    assert final["response"].status == "met"  # due Tue 10:00, answered Mon 12:00


def test_cloudmark_closed_counts_as_a_confirmed_resolution() -> None:
    report = bundled_policy("cloudmark").evaluate(
        ticket("premium", "P2", la(2026, 11, 30, 10, 0),
               ("responded", la(2026, 11, 30, 11, 0)), ("closed", la(2026, 12, 4, 10, 0))))
    # Due Thu 10:00 (above); closed Fri 10:00 -> breached by a day.
    assert (report["resolution"].status, report["resolution"].breached_at) == (
        "breached", la(2026, 12, 3, 10, 0))


# -- Vircom: null and void when the customer is not available ----------------------------


def test_vircom_void_when_the_customer_is_unavailable() -> None:
    # P2 opened Mon 09:00: response due 10:00 (1 business hour), resolution Tue 09:00
    # (24 real hours). The technician reaches out at 09:40 and the customer is not there:
    # that is the response (met), and the resolution clock is void.
    report = bundled_policy("vircom").evaluate(
        ticket("standard", "P2", to(2026, 11, 23, 9, 0),
               ("awaiting_customer", to(2026, 11, 23, 9, 40)),
               ("customer_replied", to(2026, 11, 23, 11, 0))), now=to(2026, 11, 25, 9, 0))
    assert (report["response"].status, report["response"].stopped_at) == (
        "met", to(2026, 11, 23, 9, 40))
    assert (report["resolution"].status, report["resolution"].reason) == (
        "void", "customer not available")
    assert report["resolution"].due is None


def test_vircom_a_late_reach_out_is_a_late_response() -> None:
    # Reaching out at 10:30, after the 10:00 response deadline: the response is breached;
    # the reach-out is not within the first reaction time (rule void_within: response),
    # so nothing is voided: the resolution runs on, due Tue 09:00 (24 real hours).
    report = bundled_policy("vircom").evaluate(
        ticket("standard", "high", to(2026, 11, 23, 9, 0),
               ("awaiting_customer", to(2026, 11, 23, 10, 30))))
    assert (report["response"].status, report["response"].breached_at) == (
        "breached", to(2026, 11, 23, 10, 0))
    assert (report["resolution"].status, report["resolution"].due) == (
        "running", to(2026, 11, 24, 9, 0))


# -- Reopen: resolution time accumulates across cycles -----------------------------------


def test_reopen_accumulates_across_cycles() -> None:
    # Vircom P3 usage question, opened Mon 11-23 09:00: resolution 48-72 real hours, due
    # Thu 09:00. Resolved Tue 09:00 (24 h used), reopened Wed 09:00: 48 h are left, so due
    # Fri 09:00 and expected (48 h: 24 left) by Thu 09:00. Resolved Thu 21:00 -> met, with
    # 24 + 36 = 60 h used.
    report = bundled_policy("vircom").evaluate(
        ticket("standard", "P3", to(2026, 11, 23, 9, 0),
               ("responded", to(2026, 11, 23, 10, 0)), ("resolved", to(2026, 11, 24, 9, 0)),
               ("reopened", to(2026, 11, 25, 9, 0)), ("resolved", to(2026, 11, 26, 21, 0))))
    resolution = report["resolution"]
    assert (resolution.status, resolution.due, resolution.expected_by) == (
        "met", to(2026, 11, 27, 9, 0), to(2026, 11, 26, 9, 0))
    assert resolution.elapsed == timedelta(hours=60)
    assert resolution.target == "48-72 hours"


# -- Pauses ----------------------------------------------------------------------------


def test_pause_across_a_weekend_and_a_dst_change() -> None:
    # Pausing policy, P2 resolution 5 business days = 40 business hours (09:00-17:00).
    # Opened on the Friday before the spring change at 16:00; waiting on the customer
    # from Fri 16:30 to Mon 10:00 (the clocks moved on Sunday). The pause holds 30 min on
    # Friday + 1 h on Monday = 1.5 business hours. Unpaused due: Fri 1 h + 4 more days
    # (Mon-Thu, 32 h) = 33 h, then 7 h of Friday -> Fri 16:00; pushed 1.5 business hours
    # later: Fri 16:00 + 1 h -> 17:00, then Mon 09:00 + 30 min -> Mon 09:30 (EDT).
    sunday, _ = spring_forward("America/Toronto", 2026)
    friday = to(sunday.year, sunday.month, sunday.day - 2, 16, 0)
    monday = to(sunday.year, sunday.month, sunday.day + 1, 10, 0)
    paused = pausing().evaluate(ticket("standard", "P2", friday,
                                       ("responded", friday + timedelta(minutes=10)),
                                       ("awaiting_customer", friday + timedelta(minutes=30)),
                                       ("customer_replied", monday)))
    resolution = paused["resolution"]
    assert resolution.status == "running"
    assert resolution.due == to(sunday.year, sunday.month, sunday.day + 8, 9, 30)
    assert resolution.due is not None
    assert resolution.due.utcoffset() == timedelta(hours=-4)
    # While paused (Saturday), the due instant is unknown and nothing is breached.
    saturday = pausing().evaluate(ticket("standard", "P2", friday,
                                         ("awaiting_customer", friday + timedelta(minutes=30))),
                                  now=friday + timedelta(days=1))
    assert (saturday["resolution"].status, saturday["resolution"].due) == ("paused", None)
    # The response clock is not in paused_metrics: 4 business hours from Fri 16:00 ->
    # Mon 12:00, still running on Saturday.
    assert saturday["response"].status == "running"


def test_priority_change_during_a_pause_keeps_the_pause() -> None:
    # P2 opened Mon 11-23 09:00; responded 10:00; waiting on the customer from Mon 13:00
    # (4 business hours used); upgraded to P1 on Tue 10:00, still paused; the customer
    # replies Tue 15:00. The pause holds Mon 13-17 + Tue 09-15 = 10 business hours. P1
    # resolution is 2 days = 16 h from the start: Tue 17:00 unpaused, + 10 h -> Wed 8 h,
    # Thu 2 h -> Thu 11:00. (Losing the pause on the change, the GLPI/Zammad bug, would
    # give Tue 17:00.)
    events = [("responded", to(2026, 11, 23, 10, 0)),
              ("awaiting_customer", to(2026, 11, 23, 13, 0)),
              ("priority_changed", to(2026, 11, 24, 10, 0)),
              ("customer_replied", to(2026, 11, 24, 15, 0))]
    report = pausing().evaluate(ticket("standard", "P2", to(2026, 11, 23, 9, 0), *events,
                                       e2={"priority": "P1"}), now=to(2026, 11, 24, 16, 0))
    assert (report["resolution"].status, report["resolution"].due) == (
        "running", to(2026, 11, 26, 11, 0))
    # Used: Mon 09-13 (4 h) + Tue 15-16 (1 h).
    assert report["resolution"].elapsed == 5 * H
    assert report["response"].priority == "P2"  # stopped before the change: kept as it was
    explained = report.explain()
    assert "paused: from Mon 2026-11-23 13:00 EST (event 1), until Tue 2026-11-24 15:00 EST " \
           "(event 3)" in explained
    assert "[2] priority_changed: P2 -> P1" in explained


def test_priority_change_restart_starts_over_at_the_change() -> None:
    # The same history under `restart`: the clock restarts at Tue 10:00 with nothing used,
    # while still paused; it runs from the reply at Tue 15:00. 16 h from Tue 15:00:
    # Tue 2 h, Wed 8 h, Thu 6 h -> Thu 15:00.
    events = [("responded", to(2026, 11, 23, 10, 0)),
              ("awaiting_customer", to(2026, 11, 23, 13, 0)),
              ("priority_changed", to(2026, 11, 24, 10, 0)),
              ("customer_replied", to(2026, 11, 24, 15, 0))]
    report = pausing("restart").evaluate(
        ticket("standard", "P2", to(2026, 11, 23, 9, 0), *events, e2={"priority": "P1"}),
        now=to(2026, 11, 24, 16, 0))
    assert report["resolution"].due == to(2026, 11, 26, 15, 0)
    assert report["resolution"].elapsed == H


# -- Closing ---------------------------------------------------------------------------


CLOSING = PAUSING.replace("priority_change: {change}", "close_after_unanswered_contacts: 2")


def test_closed_after_unanswered_contacts_voids_the_running_clocks() -> None:
    policy = loads_policy(CLOSING.replace("awaiting_customer: pause", "awaiting_customer: "
                                          "ignore"), "closing.yaml")
    opened = to(2026, 11, 23, 9, 0)
    unanswered = policy.evaluate(ticket(
        "standard", "P2", opened, ("responded", to(2026, 11, 23, 9, 30)),
        ("contact_attempt", to(2026, 11, 24, 9, 0)), ("contact_attempt", to(2026, 11, 25, 9, 0)),
        ("closed", to(2026, 12, 7, 9, 0)), e1={"answered": False}, e2={"answered": False}))
    # The response was met before; the resolution is void, although Dec 7 is past its
    # due (5 days of 8 h from Mon 09:00: Fri 11-27 17:00): the customer never answered.
    assert unanswered["response"].status == "met"
    assert (unanswered["resolution"].status, unanswered["resolution"].reason) == (
        "void", "closed after 2 unanswered contact attempts")
    answered = policy.evaluate(ticket(
        "standard", "P2", opened, ("responded", to(2026, 11, 23, 9, 30)),
        ("contact_attempt", to(2026, 11, 24, 9, 0)), ("contact_attempt", to(2026, 11, 25, 9, 0)),
        ("closed", to(2026, 12, 7, 9, 0)), e1={"answered": False}, e2={"answered": True}))
    # One unanswered attempt only: the closing is a resolution, ten days late.
    assert (answered["resolution"].status, answered["resolution"].breached_at) == (
        "breached", to(2026, 11, 27, 17, 0))


def test_closing_before_a_response_voids_a_response_not_yet_due() -> None:
    policy = loads_policy(CLOSING, "closing.yaml")
    report = policy.evaluate(ticket("standard", "P2", to(2026, 11, 23, 9, 0),
                                    ("closed", to(2026, 11, 23, 10, 0))))
    assert (report["response"].status, report["response"].reason) == (
        "void", "ticket closed first")
    assert report["resolution"].status == "met"


# -- Targets ---------------------------------------------------------------------------


def test_relative_targets_and_after_hours_conditions() -> None:
    text = """
schema_version: 1
name: relative
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
        response:
          - {when: {opened: after_hours}, within: end of business day}
          - {within: 2 business hours}
        resolution: next business day by 16:00
"""
    policy = loads_policy(text, "relative.yaml")
    # Opened Fri 18:00 (after hours): the business day is Monday, so the response is due
    # at Monday's closing, 17:00; resolution the next open date after Monday by 16:00.
    late = policy.evaluate(Ticket(tier="standard", priority="P1",
                                  opened_at=to(2026, 11, 20, 18, 0)))
    assert late["response"].due == to(2026, 11, 23, 17, 0)
    assert late["resolution"].due == to(2026, 11, 24, 16, 0)
    assert late["response"].length == 8 * H  # Monday's whole business day
    # Opened Mon 10:00 in hours: 2 business hours -> 12:00; resolution Tue 16:00.
    early = policy.deadlines("standard", "P1", to(2026, 11, 23, 10, 0))
    assert early == {"response": to(2026, 11, 23, 12, 0), "resolution": to(2026, 11, 24, 16, 0)}


def test_none_targets_report_no_target_with_the_reason() -> None:
    report = bundled_policy("vircom").evaluate(
        Ticket(tier="standard", priority="P3", opened_at=to(2026, 11, 23, 9, 0),
               attributes={"category": "defect"}))
    assert (report["resolution"].status, report["resolution"].reason) == (
        "no_target", "fixed in the next operational release")
    assert report["response"].status == "running"


# -- Input -----------------------------------------------------------------------------


def test_tickets_validate_from_json() -> None:
    raw = ('{"id": "T-9", "tier": "standard", "priority": "critical", '
           '"opened_at": "2026-11-21T23:45:00-05:00", '
           '"events": [{"kind": "responded", "at": "2026-11-22T05:30:00Z"}]}')
    report = bundled_policy("vircom").evaluate(Ticket.model_validate_json(raw))
    # P1: 30 real minutes -> Sun 00:15 EST = 05:15Z; answered 05:30Z -> breached.
    assert (report["response"].status, report["response"].due) == (
        "breached", to(2026, 11, 22, 0, 15))
    assert report.to_dict()["metrics"]["response"]["due"] == "2026-11-22T00:15:00-05:00"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"kind": "respnded", "at": "2026-11-23T10:00:00-05:00"},
         r"events\[1\]: unknown event kind 'respnded' \(did you mean 'responded'\?\)"),
        ({"kind": "responded", "at": "2026-11-20T10:00:00-05:00"},
         r"events\[1\]: responded at 2026-11-20T10:00:00-05:00 is before the ticket was opened"),
        ({"kind": "priority_changed", "at": "2026-11-23T10:00:00-05:00", "priority": "P7"},
         r"events\[1\]: policy 'vircom' has no priority 'P7'"),
        ({"kind": "contact_attempt", "at": "2026-11-23T10:00:00-05:00"},
         r"events\[1\]: contact_attempt needs 'answered: true\|false'"),
    ],
    ids=["unknown-kind", "before-opening", "unknown-priority", "attempt-without-answer"],
)
def test_bad_events_name_their_index(event: dict[str, Any], message: str) -> None:
    raw = {"tier": "standard", "priority": "P2", "opened_at": "2026-11-23T09:00:00-05:00",
           "events": [{"kind": "responded", "at": "2026-11-23T09:30:00-05:00"}, event]}
    with pytest.raises(TicketError, match=message):
        bundled_policy("vircom").evaluate(raw)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Ticket.model_validate({"tier": "standard", "priority": "P2",
                               "opened_at": "2026-11-23T09:00:00"})


def test_a_response_during_a_pause_is_judged_with_the_pause_credited() -> None:
    # Pausing policy with every clock paused: P2 response 4 business hours from Mon 09:00
    # (due 13:00 unpaused). Waiting on the customer from 10:00, the vendor answers at 16:00
    # while still paused: the clock is judged as if it resumed at the answer, so the pause
    # (10:00-16:00, 6 business hours) is credited: 13:00 + 6 h = Mon 13-17 + Tue 09-11 ->
    # due Tue 11:00; answered Mon 16:00 -> met, with 1 business hour used.
    policy = loads_policy(PAUSING.replace("{change}", "keep_elapsed").replace(
        "  paused_metrics: [resolution]\n", ""), "pausing.yaml")
    report = policy.evaluate(ticket("standard", "P2", to(2026, 11, 23, 9, 0),
                                    ("awaiting_customer", to(2026, 11, 23, 10, 0)),
                                    ("responded", to(2026, 11, 23, 16, 0))))
    assert (report["response"].status, report["response"].due) == ("met", to(2026, 11, 24, 11))
    assert report["response"].elapsed == H


def test_a_restart_during_a_pause_then_an_answer_at_that_instant_is_met_with_a_due() -> None:
    # Restart policy, every clock paused at Mon 10:00; upgraded to P1 at 11:00 (restart:
    # nothing used, still paused) and answered at 11:00. Judged from 11:00: P1 response is
    # 1 business hour -> due 12:00; met. (Found by the clock properties: due was None.)
    policy = loads_policy(PAUSING.replace("{change}", "restart").replace(
        "  paused_metrics: [resolution]\n", ""), "pausing.yaml")
    report = policy.evaluate(ticket("standard", "P2", to(2026, 11, 23, 9, 0),
                                    ("awaiting_customer", to(2026, 11, 23, 10, 0)),
                                    ("priority_changed", to(2026, 11, 23, 11, 0)),
                                    ("responded", to(2026, 11, 23, 11, 0)),
                                    e1={"priority": "P1"}))
    assert (report["response"].status, report["response"].due) == ("met", to(2026, 11, 23, 12))
    assert "response: met" in report.explain()
