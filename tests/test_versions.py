"""Effective-dated policy versions: the terms in force are chosen by the ticket's opening
(instants compared, never wall times) and kept for the ticket's whole life; golden
deadlines either side of each boundary, derived by hand; validation, lint and the
schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacalc import Ticket, loads_policy, policy_json_schema
from slacalc.batch import RESULT_COLUMNS, PolicyBook, evaluate_rows, rows_of_report
from slacalc.batch._jsonl import evaluate_lines
from slacalc.batch._rows import quick_plan
from slacalc.errors import PolicyError, UnknownTierError
from slacalc.policy import Policy, lint

TORONTO = ZoneInfo("America/Toronto")

# Base: office hours Mon-Fri 09:00-17:00 Toronto. From 2027-01-01 (Toronto midnight) P1
# is faster; from Mon 2027-03-15 08:00 EDT the office opens 08:00-18:00 and a priority
# change restarts the clocks (the P1 targets of the first version stay in force).
ACME = """\
schema_version: 1
name: acme
vendor: Acme
timezone: America/Toronto
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "09:00-17:00"}}
priorities:
  P1: {name: Urgent}
  P2: {name: Normal}
tiers:
  standard:
    calendar: office
    targets:
      P1: {response: 1 business hour, resolution: 8 business hours}
      P2: {response: 4 business hours}
versions:
  - effective_from: 2027-01-01
    notes: Renewal.
    tiers:
      standard:
        targets:
          P1: {response: 30 business minutes, resolution: 4 business hours}
  - effective_from: 2027-03-15T08:00:00-04:00
    calendars:
      office: {timezone: America/Toronto, hours: {mon-fri: "08:00-18:00"}}
    rules: {priority_change: restart}
"""


@pytest.fixture(scope="module")
def acme() -> Policy:
    return loads_policy(ACME, "acme.yaml")


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TORONTO)


def _due(policy: Policy, priority: str, opened: datetime) -> tuple[Any, Any]:
    found = policy.deadlines("standard", priority, opened)
    return found.get("response"), found.get("resolution")


def test_the_minute_before_and_after_the_first_version(acme: Policy) -> None:
    # Thu 2026-12-31 23:59 EST: base terms. Nothing is open before Fri 09:00, so
    # 1 business hour -> Fri 10:00 and 8 business hours -> Fri 17:00.
    assert _due(acme, "P1", _at(2026, 12, 31, 23, 59)) == (_at(2027, 1, 1, 10),
                                                          _at(2027, 1, 1, 17))
    # Fri 2027-01-01 00:01 EST: the version -> 30 business minutes (09:30) and
    # 4 business hours (13:00).
    assert _due(acme, "P1", _at(2027, 1, 1, 0, 1)) == (_at(2027, 1, 1, 9, 30),
                                                      _at(2027, 1, 1, 13))


def test_the_boundary_is_an_instant(acme: Policy) -> None:
    midnight = datetime(2027, 1, 1, 5, tzinfo=UTC)  # 2027-01-01 00:00 EST
    assert acme.version_starts() == (int(midnight.timestamp()) * 1_000_000,
                                     int(datetime(2027, 3, 15, 12, tzinfo=UTC).timestamp())
                                     * 1_000_000)
    assert acme.version_at(midnight) == 1  # in force from its instant, inclusive
    assert acme.version_at(midnight - timedelta(microseconds=1)) == 0
    # 00:30 on 1 January in Paris is 23:30 UTC on 31 December, 18:30 in Toronto: the
    # wall date is past the change, the instant is not -> base terms, due Fri 10:00.
    paris = datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert acme.version_at(paris) == 0
    assert _due(acme, "P1", paris)[0] == _at(2027, 1, 1, 10)


def test_the_minute_before_and_after_the_second_version(acme: Policy) -> None:
    # Mon 2027-03-15 07:59 EDT: first version, office 09:00-17:00 -> P1 30 business
    # minutes: 09:30. 08:01 EDT: second version, office 08:00-18:00 -> 08:31; its P1
    # targets are still the first version's (versions build on each other).
    assert _due(acme, "P1", _at(2027, 3, 15, 7, 59))[0] == _at(2027, 3, 15, 9, 30)
    assert _due(acme, "P1", _at(2027, 3, 15, 8, 1))[0] == _at(2027, 3, 15, 8, 31)


def test_a_ticket_spanning_a_change_keeps_the_terms_of_its_opening(acme: Policy) -> None:
    # Opened Thu 2026-12-31 16:00 EST (base): response 1 business hour -> Thu 17:00;
    # resolution 8 business hours -> Thu 16-17 (1 h) + Fri 09:00-16:00 (7 h) = Fri 16:00.
    # Responded Fri 09:10 and resolved Fri 14:00, both after the change: the response is
    # breached (the version's 30 minutes would not help), the resolution met (under the
    # version's 4 business hours it would have been due Fri 12:00, breached).
    ticket = Ticket.model_validate({
        "tier": "standard", "priority": "P1", "opened_at": _at(2026, 12, 31, 16),
        "events": [{"kind": "responded", "at": _at(2027, 1, 1, 9, 10)},
                   {"kind": "resolved", "at": _at(2027, 1, 1, 14)}]})
    report = acme.evaluate(ticket)
    assert (report["response"].status, report["response"].due) == ("breached",
                                                                  _at(2026, 12, 31, 17))
    assert (report["resolution"].status, report["resolution"].due) == ("met",
                                                                      _at(2027, 1, 1, 16))
    assert report["resolution"].target == "8 business hours"


def test_a_ticket_spanning_the_calendar_change_and_dst(acme: Policy) -> None:
    # Opened Fri 2027-03-12 16:30 EST (first version, office 09:00-17:00), P2 4 business
    # hours: Fri 16:30-17:00 (30 min) + Mon 09:00-12:30 EDT (3 h 30 min) -> Mon 12:30 EDT
    # (DST began on the Sunday). The second version's 08:00-18:00 office, in force from
    # Mon 08:00, would give Fri 16:30-18:00 + Mon 08:00-10:30 -> Mon 10:30: not used.
    # At Mon 12:00: 30 min + 3 h used, 30 min left.
    ticket = Ticket.model_validate({"tier": "standard", "priority": "P2",
                                    "opened_at": _at(2027, 3, 12, 16, 30)})
    report = acme.evaluate(ticket, _at(2027, 3, 15, 12))
    assert (report["response"].status, report["response"].due) == ("running",
                                                                  _at(2027, 3, 15, 12, 30))
    assert report["response"].remaining == timedelta(minutes=30)


def test_a_version_rule_applies_to_tickets_opened_under_it(acme: Policy) -> None:
    # Tue 2027-03-16 09:00 EDT, second version (rule restart): P2, changed to P1 at
    # 09:20 -> P1's 30 business minutes restart at 09:20: due 09:50; responded 09:40 ->
    # met. Under the first version's keep_elapsed it would be due 09:30, breached.
    events = [{"kind": "priority_changed", "at": _at(2027, 3, 16, 9, 20), "priority": "P1"},
              {"kind": "responded", "at": _at(2027, 3, 16, 9, 40)}]
    ticket = Ticket.model_validate({"tier": "standard", "priority": "P2",
                                    "opened_at": _at(2027, 3, 16, 9), "events": events})
    response = acme.evaluate(ticket)["response"]
    assert (response.status, response.due) == ("met", _at(2027, 3, 16, 9, 50))
    # The same ticket a week before the second version (Tue 2027-03-09, EST):
    # keep_elapsed -> due 09:30, breached.
    earlier = Ticket.model_validate({
        "tier": "standard", "priority": "P2", "opened_at": _at(2027, 3, 9, 9),
        "events": [{**event, "at": event["at"] - timedelta(days=7)} for event in events]})
    response = acme.evaluate(earlier)["response"]
    assert (response.status, response.due) == ("breached", _at(2027, 3, 9, 9, 30))


def test_plans_are_compiled_once_per_tier_and_version(acme: Policy) -> None:
    before, after = _at(2026, 12, 1, 9), _at(2027, 2, 1, 9)
    assert acme.plan_at("standard", before) is acme.plan_of("standard", 0)
    assert acme.plan_at("standard", after) is acme.plan_of("standard", 1)
    assert acme.plan_of("standard", 0) is not acme.plan_of("standard", 1)
    assert acme.plan_of("standard", 1).version == "2027-01-01"
    # The explanation and the source line say which terms applied.
    ticket = Ticket.model_validate({"tier": "standard", "priority": "P1", "opened_at": after})
    report = acme.evaluate(ticket)
    assert "the version 2027-01-01" in report.explain()
    assert report["response"].source == "acme.yaml:22"  # the version's P1 line
    with pytest.raises(IndexError):
        acme.terms(3)


def test_plan_of_a_versioned_policy_needs_the_opening(acme: Policy) -> None:
    with pytest.raises(PolicyError, match=r"has versions .* use plan_at\('standard', opened\)"):
        acme.plan("standard")
    book = PolicyBook({"acme": acme})
    assert quick_plan(book, "acme", "standard", "P1", 1).plan is acme.plan_of("standard", 1)


OPENINGS = ["2026-12-31T23:59:00-05:00", "2027-01-01T00:01:00-05:00",
            "2027-03-15T07:59:00-04:00", "2027-03-15T08:01:00-04:00"]


def test_the_batch_paths_take_the_terms_in_force_at_opening(acme: Policy) -> None:
    # Both sides of both version boundaries, on the column path of the JSONL and CSV
    # reports: exactly Policy.evaluate's rows, and none fails.
    tickets = [{"id": f"T{n}", "tier": "standard", "priority": "P1", "opened_at": opened}
               for n, opened in enumerate(OPENINGS)]
    expected = []
    for ticket in tickets:
        report = acme.evaluate(Ticket.model_validate(ticket))
        expected += [tuple(row[column] for column in RESULT_COLUMNS)
                     for row in rows_of_report(ticket["id"], "acme", report)]
    lines = [(n + 1, json.dumps({"policy": "acme", **ticket})) for n, ticket in
             enumerate(tickets)]
    columns, errors, count = evaluate_lines(PolicyBook({"acme": acme}), lines)
    assert (errors, count) == ([], len(tickets))
    assert list(zip(*columns, strict=True)) == expected
    header = ("ticket_id", "policy", "tier", "priority", "opened_at")
    rows = [(n + 2, [ticket["id"], "acme", "standard", "P1", ticket["opened_at"]])
            for n, ticket in enumerate(tickets)]
    columns, errors, count = evaluate_rows(PolicyBook({"acme": acme}), header, rows)
    assert (errors, count) == ([], len(tickets))
    assert list(zip(*columns, strict=True)) == expected
    # The response dues differ across each boundary (hand-derived in the tests above).
    dues = [columns[7][index] for index in range(0, len(columns[7]), 2)]
    assert dues == ["2027-01-01T10:00:00-05:00", "2027-01-01T09:30:00-05:00",
                    "2027-03-15T09:30:00-04:00", "2027-03-15T08:31:00-04:00"]


_BASE = """\
schema_version: 1
name: acme
vendor: Acme
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "09:00-17:00"}}
priorities:
  P1: {name: Urgent}
  P2: {name: Normal}
tiers:
  standard:
    calendar: office
    targets:
      P1: {response: 1 business hour}
      P2: {response: 4 business hours}
"""


@pytest.mark.parametrize(("extra", "expected"), [
    ("versions:\n  - effective_from: 2027-01-01\n",
     "acme.yaml:16:21: versions[0].effective_from: the date 2027-01-01 needs the policy's "
     "'timezone'"),
    ("timezone: America/Toronot\nversions:\n  - effective_from: 2027-01-01\n",
     "acme.yaml:15:11: timezone: unknown IANA time zone 'America/Toronot' (did you mean "
     "'America/Toronto'?)"),
    ("versions:\n  - effective_from: 2027-01-01T00:00:00\n",
     "acme.yaml:16:21: versions[0].effective_from: 2027-01-01T00:00:00 has no UTC offset"),
    ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-02-01\n"
     "  - effective_from: 2027-01-01\n",
     "acme.yaml:18:21: versions[1].effective_from: earlier than versions[0].effective_from"),
    ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n"
     "  - effective_from: 2027-01-01T05:00:00Z\n",
     "acme.yaml:18:21: versions[1].effective_from: the same instant as "
     "versions[0].effective_from"),
    ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n"
     "    priorities: {}\n",
     "acme.yaml:18:5: versions[0].priorities: unknown key 'priorities' (priorities is not "
     "versioned"),
    ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n    tiers:\n"
     "      standard: {calender: office}\n",
     "acme.yaml:19:18: versions[0].tiers.standard.calender: unknown key 'calender' (did you "
     "mean 'calendar'?)"),
    ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n    tiers:\n"
     "      gold: {targets: {P1: {response: 1 hour}}}\n",
     "acme.yaml:19:7: versions[0].tiers.gold: tier 'gold' is new in this version and needs "
     "its 'calendar'"),
    ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n    tiers:\n"
     "      standard: {targets: {P9: {response: 1 hour}}}\n",
     "acme.yaml:19:28: versions[0].tiers.standard.targets.P9: in the terms from 2027-01-01: "
     "target for undeclared priority 'P9'"),
    ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n    calendars:\n"
     "      24x7: {timezone: UTC, hours: 24x7}\n",
     "acme.yaml:19:7: versions[0].calendars.24x7: in the terms from 2027-01-01: the name "
     "'24x7' is reserved"),
])
def test_version_errors_are_located(extra: str, expected: str) -> None:
    with pytest.raises(PolicyError) as caught:
        loads_policy(_BASE + extra, "acme.yaml")
    assert str(caught.value).startswith(expected), str(caught.value)


def test_a_version_problem_is_reported_once() -> None:
    # An unknown clock written in the first version is in the second's terms too.
    extra = ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n"
             "    tiers:\n      standard: {targets: {P1: {response: {within: 1 business hour,"
             " clock: nope}}}}\n  - effective_from: 2027-02-01\n    rules: {awaiting_customer:"
             " pause}\n")
    with pytest.raises(PolicyError) as caught:
        loads_policy(_BASE + extra, "acme.yaml")
    assert len(caught.value.errors) == 1
    assert "unknown clock 'nope'" in str(caught.value)


def test_lint_checks_each_version() -> None:
    extra = ("timezone: America/Toronto\nversions:\n"
             "  - effective_from: 2027-01-01\n    tiers:\n"
             "      standard: {targets: {P1: {response: 8 business hours}}}\n"
             "  - effective_from: 2027-02-01\n    rules: {}\n")
    findings = lint(loads_policy(_BASE + extra, "acme.yaml"), as_of=date(2026, 11, 2))
    shown = [str(finding) for finding in findings]
    assert shown == [
        "acme.yaml:19: warning: versions.0.tiers.standard.targets.P1.response: P1 is due later "
        "than the less urgent P2 for a ticket opened Mon 2026-11-02 00:00 EST",
        "acme.yaml:20: warning: versions.1: versions[1] changes nothing: the terms in force "
        "before it say the same",
    ]
    assert lint(loads_policy(ACME, "acme.yaml"), as_of=date(2026, 11, 2)) == []


def test_the_schema_covers_versions() -> None:
    schema = policy_json_schema()
    assert schema["properties"]["versions"]["type"] == "array"
    version = schema["$defs"]["Version"]
    assert version["required"] == ["effective_from"]
    assert {"format": "date", "type": "string"} in version["properties"][
        "effective_from"]["anyOf"]
    assert version["additionalProperties"] is False
    assert set(schema["$defs"]["TierChange"]["properties"]) == {"calendar", "description",
                                                                "targets", "escalation"}


def test_versions_round_trip_through_a_dump(acme: Policy) -> None:
    again = Policy.model_validate(acme.model_dump())
    assert again == acme
    assert again.version_starts() == acme.version_starts()


def test_reports_use_the_calendars_of_the_version(acme: Policy) -> None:
    # Tue 2027-03-16 07:30 EDT, second version (office 08:00-18:00), judged at 09:00: the
    # business time counted is 08:00-09:00 (on the base calendar it would be none).
    ticket = Ticket.model_validate({"tier": "standard", "priority": "P2",
                                    "opened_at": _at(2027, 3, 16, 7, 30)})
    report = acme.evaluate(ticket, _at(2027, 3, 16, 9))
    assert report.timeline()["metrics"]["response"]["counted"] == [
        ["2027-03-16T08:00:00-04:00", "2027-03-16T09:00:00-04:00"]]
    assert report.calendar("response") is acme.terms(2).calendar("office")
    assert report.zone == TORONTO
    assert acme.target("standard", "P1", "response", _at(2027, 3, 16, 9), {}) is not None
    assert str(acme.target("standard", "P1", "response", _at(2027, 3, 16, 9),
                           {})[1].within) == "30 business minutes"  # type: ignore[index]


def test_a_tier_and_calendar_new_in_a_version() -> None:
    # From 2027-01-01 a "plus" tier answers in 2 business hours on Saturdays 10:00-14:00.
    extra = ("timezone: America/Toronto\nversions:\n  - effective_from: 2027-01-01\n"
             "    calendars:\n      saturdays: {timezone: America/Toronto, hours: {sat: "
             "\"10:00-14:00\"}}\n    tiers:\n      plus: {calendar: saturdays, targets: "
             "{P1: {response: 2 business hours}}}\n")
    policy = loads_policy(_BASE + extra, "acme.yaml")
    # Opened Mon 2027-01-04 09:00 -> Sat 2027-01-09 10:00 + 2 h = 12:00.
    opened = _at(2027, 1, 4, 9)
    assert policy.deadlines("plus", "P1", opened)["response"] == _at(2027, 1, 9, 12)
    report = policy.evaluate(Ticket(tier="plus", priority="P1", opened_at=opened),
                             _at(2027, 1, 9, 11))
    assert report["response"].elapsed == timedelta(hours=1)
    assert "saturdays" in report._repr_svg_()
    with pytest.raises(UnknownTierError, match="no tier 'plus'"):  # not before the version
        policy.deadlines("plus", "P1", _at(2026, 12, 28, 9))
