"""Escalation thresholds (issue 16 item 3): ``escalation: [50%, 75%, 90%]`` in a policy,
when each threshold falls due on the target's own clock, which one a ticket has crossed,
the ``at_risk`` and ``next_escalation_at`` result columns, ``slacalc report --at-risk``
and `breaching_within`.

Every expected instant is worked out by hand in the comments (DST dates come from the
zone, `tests/dst.py`); none is taken from the code under test.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slacalc import (
    Breach,
    NaiveDatetimeError,
    Policy,
    PolicyError,
    Ticket,
    TicketError,
    breaching_within,
    loads_policy,
    policy_json_schema,
)
from slacalc.batch import RESULT_COLUMNS, PolicyBook, evaluate_rows, rows_of_report
from slacalc.cli import main
from slacalc.sla.escalation import threshold_columns, threshold_lengths

from dst import fall_back, spring_forward

TORONTO = ZoneInfo("America/Toronto")
LONDON = ZoneInfo("Europe/London")
ESCALATING = Path(__file__).parent / "fixtures" / "valid" / "escalating.yaml"
HALF, THREE_QUARTERS, NINE_TENTHS = Fraction(1, 2), Fraction(3, 4), Fraction(9, 10)


def _policy(hours: str = '{mon-fri: "07:30-18:00"}', *, extra: str = "",
            rules: str = "{}") -> Policy:
    return loads_policy(f"""
schema_version: 1
name: escalating
vendor: Example
escalation: [50%, 75%, 90%]
calendars:
  office: {{timezone: America/Toronto, hours: {hours}}}
  london: {{timezone: Europe/London, hours: {{mon-fri: "09:00-17:00"}}}}
priorities:
  P1: {{name: Urgent}}
  P2: {{name: High}}
tiers:
  standard:
    calendar: office
    targets:
      P1: {{response: 4 business hours, resolution: 24 hours}}
      P2: {{response: 6 business hours}}
  europe:
    calendar: london
    targets:
      P1: {{response: 4 business hours}}
{extra}
rules: {rules}
""")


def _at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = TORONTO) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=zone)


def _instants(report: Any) -> list[datetime | None]:
    return [at for _, at in report.escalations]


def _u(moment: datetime | None) -> datetime | None:
    """An instant in UTC, to compare instants as instants (None stays None)."""
    return None if moment is None else moment.astimezone(UTC)


def _same(found: list[datetime | None], expected: list[datetime | None]) -> None:
    """Instants compared as instants (and None as None), never as wall times."""
    assert [None if at is None else at.astimezone(UTC) for at in found] == \
        [None if at is None else at.astimezone(UTC) for at in expected]


# -- a weekend ------------------------------------------------------------------------


def test_thresholds_across_a_weekend() -> None:
    # P1 response: 4 business hours on Mon-Fri 07:30-18:00 Toronto, opened Fri
    # 2026-11-20 17:30 EST. Friday gives 30 minutes (17:30-18:00); the weekend is closed;
    # Monday opens at 07:30. 50% = 2 h: 1 h 30 on Monday -> Mon 09:00. 75% = 3 h ->
    # Mon 10:00. 90% = 3 h 36 min -> Mon 10:36. Due (4 h) -> Mon 11:00.
    policy = _policy()
    ticket = Ticket(id="W", tier="standard", priority="P1", opened_at=_at(20, 17, 30))
    expected = [_at(23, 9), _at(23, 10), _at(23, 10, 36)]
    saturday = policy.evaluate(ticket, _at(21, 12))["response"]
    assert [share for share, _ in saturday.escalations] == [HALF, THREE_QUARTERS,
                                                             NINE_TENTHS]
    _same(_instants(saturday), expected)
    assert saturday.escalated is None  # 30 of 240 minutes used
    assert _u(saturday.next_escalation_at) == _u(_at(23, 9))
    assert _u(saturday.due) == _u(_at(23, 11))
    # Reaching a threshold exactly crosses it (as `at_risk` compares: >=).
    cases = [(_at(23, 8, 59), None, _at(23, 9)), (_at(23, 9), HALF, _at(23, 10)),
             (_at(23, 10, 35), THREE_QUARTERS, _at(23, 10, 36)),
             (_at(23, 10, 36), NINE_TENTHS, None),
             (_at(23, 11), NINE_TENTHS, None)]  # exactly at due: still running
    for now, crossed, upcoming in cases:
        metric = policy.evaluate(ticket, now)["response"]
        assert metric.status == "running", now
        assert (metric.escalated, _u(metric.next_escalation_at)) == (crossed, _u(upcoming))
        assert metric.at_risk(crossed or Fraction(1, 2)) is (crossed is not None)
        _same(_instants(metric), expected)
    late = policy.evaluate(ticket, _at(23, 11) + timedelta(microseconds=1))["response"]
    assert late.status == "breached"
    assert (late.escalated, late.next_escalation_at) == (None, None)  # its status says it
    # The resolution runs on real time (24 hours): 50% = 12 h -> Sat 05:30; 75% = 18 h
    # -> Sat 11:30; 90% = 21 h 36 min -> Sat 15:06.
    _same(_instants(policy.evaluate(ticket, _at(21, 12))["resolution"]),
          [_at(21, 5, 30), _at(21, 11, 30), _at(21, 15, 6)])


# -- DST ------------------------------------------------------------------------------


def _night(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TORONTO)


def test_thresholds_across_spring_forward() -> None:
    # Hours daily 01:00-04:00 Toronto; P2: 6 business hours, opened at 01:00 the day
    # before the clocks go forward (at 02:00 EST, the instant T). That day gives 3 h; the
    # change day only 2 h (01:00-02:00 EST, then 03:00-04:00 EDT); the next day the rest.
    # 50% = 3 h -> the day before, 04:00. 75% = 4 h 30: 1 h on the change day reaches T
    # (02:00 EST = 03:00 EDT), 30 min more -> T + 30 min, 03:30 EDT. 90% = 5 h 24 min:
    # 5 h by 04:00 EDT, 24 min the next day -> 01:24. Due (6 h) -> the next day 02:00.
    day, change = spring_forward("America/Toronto", 2027)
    policy = _policy('{daily: "01:00-04:00"}')
    opened = _night(day - timedelta(days=1), 1)
    ticket = Ticket(id="S", tier="standard", priority="P2", opened_at=opened)
    metric = policy.evaluate(ticket, opened)["response"]
    three_quarters = change + timedelta(minutes=30)
    assert three_quarters.astimezone(TORONTO).hour == 3  # not 02:30: no such wall time
    _same(_instants(metric), [_night(day - timedelta(days=1), 4), three_quarters,
                              _night(day + timedelta(days=1), 1, 24)])
    assert _u(metric.due) == _u(_night(day + timedelta(days=1), 2))


def test_thresholds_across_fall_back() -> None:
    # The same hours on the day the clocks go back (02:00 EDT -> 01:00 EST at the instant
    # F): 01:00-02:00 is shown twice, so the day holds 4 h, from 01:00 EDT (F - 1 h) to
    # 04:00 EST. 6 business hours opened the day before at 01:00: 3 h that day; 75%
    # (4 h 30) is 1 h 30 into the change day -> F + 30 min (the second 01:30, EST);
    # 90% (5 h 24) -> 2 h 24 in -> F + 1 h 24 (02:24 EST); due (6 h) -> F + 2 h (03:00).
    day, change = fall_back("America/Toronto", 2026)
    policy = _policy('{daily: "01:00-04:00"}')
    opened = _night(day - timedelta(days=1), 1)
    ticket = Ticket(id="F", tier="standard", priority="P2", opened_at=opened)
    metric = policy.evaluate(ticket, change)["response"]
    _same(_instants(metric), [_night(day - timedelta(days=1), 4),
                              change + timedelta(minutes=30),
                              change + timedelta(hours=1, minutes=24)])
    assert metric.due is not None
    assert metric.due.astimezone(UTC) == change + timedelta(hours=2)
    # As of F + 30 min, the wall clock reads 01:30 for the second time: 75% crossed.
    later = policy.evaluate(ticket, change + timedelta(minutes=30))["response"]
    assert later.escalated == THREE_QUARTERS
    assert later.next_escalation_at is not None
    assert later.next_escalation_at.astimezone(UTC) == change + timedelta(hours=1,
                                                                           minutes=24)


def test_real_time_thresholds_across_spring_forward() -> None:
    # The P1 resolution is 24 real hours. Opened at noon the day before the clocks go
    # forward: 75% = 18 real hours later, which the wall clock shows as 07:00, not 06:00.
    day, _ = spring_forward("America/Toronto", 2027)
    opened = _night(day - timedelta(days=1), 12)
    ticket = Ticket(id="R", tier="standard", priority="P1", opened_at=opened)
    metric = _policy().evaluate(ticket, opened)["resolution"]
    start = opened.astimezone(UTC)
    _same(_instants(metric), [start + timedelta(hours=12), start + timedelta(hours=18),
                              start + timedelta(hours=21, minutes=36)])
    shown = metric.escalations[1][1]
    assert shown is not None
    assert (shown.astimezone(TORONTO).date(), shown.astimezone(TORONTO).hour) == (day, 7)


# -- pauses and stops -----------------------------------------------------------------


def _events(*pairs: tuple[str, datetime]) -> list[dict[str, Any]]:
    return [{"kind": kind, "at": at} for kind, at in pairs]


def test_a_paused_clock_knows_only_the_thresholds_it_reached() -> None:
    # P1 response, 4 business hours, opened Mon 08:00; waiting on the customer from
    # 09:00 (1 h used, 25%) to 13:00. While paused nothing is known of the thresholds
    # ahead. After the reply: 50% (2 h) at 14:00, 75% at 15:00, 90% at 15:36, due 16:00.
    policy = _policy(rules="{awaiting_customer: pause}")
    base = {"id": "P", "tier": "standard", "priority": "P1", "opened_at": _at(23, 8)}
    paused = policy.evaluate({**base, "events": _events(("awaiting_customer", _at(23, 9)))},
                             _at(23, 12))["response"]
    assert paused.status == "paused"
    assert _instants(paused) == [None, None, None]
    assert (paused.escalated, paused.next_escalation_at) == (None, None)
    replied = {**base, "events": _events(("awaiting_customer", _at(23, 9)),
                                          ("customer_replied", _at(23, 13)))}
    metric = policy.evaluate(replied, _at(23, 15))["response"]
    _same(_instants(metric), [_at(23, 14), _at(23, 15), _at(23, 15, 36)])
    assert (metric.escalated, _u(metric.next_escalation_at)) == (THREE_QUARTERS,
                                                                  _u(_at(23, 15, 36)))
    # Paused after crossing 50% (2 h 30 used at 14:30): still at risk at 50%; 50% fell
    # due at 14:00 and is known, the rest are not.
    again = {**base, "events": [*replied["events"], *_events(("awaiting_customer",
                                                              _at(23, 14, 30)))]}
    held = policy.evaluate(again, _at(23, 17))["response"]
    assert held.status == "paused"
    assert held.escalated == HALF
    _same(_instants(held), [_at(23, 14), None, None])
    assert held.next_escalation_at is None


def test_a_stopped_clock_escalates_no_more() -> None:
    # Opened Mon 07:30: 75% (3 h of 4) falls due at 10:30, when it is responded to: the
    # clock is met (stopped), so it is neither at risk nor escalating any more.
    policy = _policy()
    ticket = {"id": "M", "tier": "standard", "priority": "P1", "opened_at": _at(23, 7, 30),
              "events": _events(("responded", _at(23, 10, 30)))}
    metric = policy.evaluate(ticket, _at(23, 12))["response"]
    assert metric.status == "met"
    assert (metric.escalated, metric.next_escalation_at) == (None, None)
    assert not metric.at_risk(Fraction(1, 2))
    rows = rows_of_report("M", "escalating", policy.evaluate(ticket, _at(23, 12)))
    assert (rows[0]["at_risk"], rows[0]["next_escalation_at"]) == ("", "")


# -- rounding ---------------------------------------------------------------------------


def test_a_threshold_is_rounded_up_to_the_microsecond() -> None:
    # 12.3456789% of 1 real hour (3,600,000,000 µs) is 444,444,440.4 µs: the threshold is
    # the first whole µs at or past it, 444,444,441 µs after the opening; 440 µs is short.
    policy = loads_policy("""schema_version: 1
name: fine
vendor: V
escalation: [12.3456789%]
priorities: {P1: {name: U}}
tiers: {t: {calendar: 24x7, targets: {P1: {response: 60 minutes}}}}
""")
    opened = _at(23, 9)
    ticket = Ticket(tier="t", priority="P1", opened_at=opened)
    metric = policy.evaluate(ticket, opened)["response"]
    _same(_instants(metric), [opened + timedelta(microseconds=444_444_441)])
    short = policy.evaluate(ticket, opened + timedelta(microseconds=444_444_440))
    there = policy.evaluate(ticket, opened + timedelta(microseconds=444_444_441))
    assert (short["response"].escalated, there["response"].escalated) == (
        None, Fraction(123456789, 1_000_000_000))


def test_threshold_lengths_over_arrays_do_not_overflow() -> None:
    # 1/3 of 10 µs is 3.33...: 4. 99.99% of about 95 years of µs (3e15) would overflow
    # int64 if multiplied first (3e19); the exact answer is 3e15 * 9999 / 10000.
    shares = (Fraction(1, 3), Fraction(9999, 10000))
    assert threshold_lengths(shares, 10) == (4, 10)
    big = 3_000_000_000_000_001
    expected = (1_000_000_000_000_001, -(-big * 9999 // 10000))
    assert threshold_lengths(shares, big) == expected
    columns = threshold_columns(shares, np.array([10, big], dtype=np.int64))
    assert [column.tolist() for column in columns] == [[4, expected[0]], [10, expected[1]]]


# -- the policy key -------------------------------------------------------------------


def test_a_tier_list_replaces_the_policy_list_and_an_empty_one_turns_it_off() -> None:
    extra = """  quiet:
    calendar: office
    escalation: []
    targets: {P1: {response: 4 business hours}}
  keen:
    calendar: office
    escalation: [12.5%, 99.5%]
    targets: {P1: {response: 4 business hours}}"""
    policy = _policy(extra=extra)
    opened = _at(23, 7, 30)
    assert policy.plan("standard").escalation == (HALF, THREE_QUARTERS, NINE_TENTHS)
    assert policy.plan("quiet").escalation == ()
    assert policy.plan("keen").escalation == (Fraction(1, 8), Fraction(199, 200))
    # 12.5% of 4 h = 30 min -> 08:00; 99.5% = 3 h 58 min 48 s -> 11:28:48.
    metric = policy.evaluate(Ticket(tier="keen", priority="P1", opened_at=opened),
                             _at(23, 8))["response"]
    _same(_instants(metric), [_at(23, 8), _at(23, 11, 28) + timedelta(seconds=48)])
    assert metric.to_dict()["escalated"] == "12.5%"
    assert [item["share"] for item in metric.to_dict()["escalations"]] == ["12.5%", "99.5%"]
    assert policy.evaluate(Ticket(tier="quiet", priority="P1", opened_at=opened),
                           _at(23, 11))["response"].escalations == ()


def test_the_json_schema_documents_the_key() -> None:
    schema = policy_json_schema()
    key = schema["properties"]["escalation"]
    found = next(branch for branch in key.get("anyOf", [key]) if branch.get("type") == "array")
    assert found["items"]["pattern"]
    tier = schema["$defs"]["Tier"]["properties"]["escalation"]
    assert any(branch.get("type") == "array" for branch in tier.get("anyOf", [tier]))


@pytest.mark.parametrize(("written", "message"), [
    ("[50%, 0.75]", "escalation[1]: expected a percentage of the target such as '75%'"),
    ("[100%]", "escalation[0]: a threshold lies strictly between 0% and 100%"),
    ("[-5%]", "escalation[0]: expected a percentage of the target"),
    ("[90%, 50%]", "escalation[1]: '50%' comes after '90%'"),
    ("[50%, 50.00%]", "escalation[1]: '50%' is listed twice"),
    ("50%", "escalation: Input should be a valid tuple"),
])
def test_bad_thresholds_are_located(written: str, message: str) -> None:
    # tests/fixtures/invalid/escalation-*.yaml check the exact line and column of each
    # kind of error; here the messages of a few more values, at line 3.
    text = (f"schema_version: 1\nname: bad\nescalation: {written}\nvendor: V\n"
            "priorities: {P1: {name: U}}\ntiers: {t: {calendar: 24x7}}\n")
    with pytest.raises(PolicyError) as caught:
        loads_policy(text, "bad.yaml")
    assert any(str(problem).startswith("bad.yaml:3:") and message in str(problem)
               for problem in caught.value.errors), [str(p) for p in caught.value.errors]


def test_a_version_may_change_a_tier_list_but_not_the_policy_one() -> None:
    versioned = _policy(extra="""versions:
  - effective_from: 2027-01-01T00:00:00-05:00
    tiers: {standard: {escalation: [80%]}}
""")
    assert versioned.plan_at("standard", _at(23, 9)).escalation == (HALF, THREE_QUARTERS,
                                                                     NINE_TENTHS)
    later = datetime(2027, 1, 4, 9, tzinfo=TORONTO)
    assert versioned.plan_at("standard", later).escalation == (Fraction(4, 5),)
    with pytest.raises(PolicyError, match="escalation is not versioned"):
        _policy(extra="""versions:
  - effective_from: 2027-01-01T00:00:00-05:00
    escalation: [80%]
""")


# -- result rows: the columns equal the single replay ---------------------------------


def test_the_columns_give_the_single_replays_cells() -> None:
    # evaluate_rows replays clean rows as arrays; rows_of_report comes from
    # Policy.evaluate. Their at_risk and next_escalation_at cells must agree, row by row,
    # as of instants on both sides of each threshold of the weekend ticket.
    policy = _policy()
    header = ["ticket_id", "policy", "tier", "priority", "opened_at", "responded_at"]
    rows = [["W", "escalating", "standard", "P1", "2026-11-20T17:30:00-05:00", ""],
            ["E", "escalating", "europe", "P1", "2026-11-23T09:00:00+00:00", ""],
            ["M", "escalating", "standard", "P1", "2026-11-23T07:30:00-05:00",
             "2026-11-23T10:30:00-05:00"]]
    book = PolicyBook({"escalating": policy})
    seen = set()
    for now in [_at(21, 12), _at(23, 9), _at(23, 10, 36), _at(23, 11), _at(23, 11, 1),
                _at(23, 11, 0, LONDON), _at(23, 12, 0, LONDON)]:
        live = [row for row in rows if datetime.fromisoformat(row[4]) <= now]
        columns, errors, _ = evaluate_rows(book, header, list(enumerate(live, 2)), now=now)
        assert not errors
        fast = [dict(zip(RESULT_COLUMNS, row, strict=True)) for row in zip(*columns,
                                                                             strict=True)]
        single = []
        for row in live:
            cells = dict(zip(header, row, strict=True))
            ticket = Ticket(id=cells["ticket_id"], tier=cells["tier"], priority="P1",
                            opened_at=datetime.fromisoformat(cells["opened_at"]),
                            events=[{"kind": "responded", "at": cells["responded_at"]}]
                            if cells["responded_at"] else [])
            single += rows_of_report(cells["ticket_id"], "escalating",
                                     policy.evaluate(ticket, now))
        assert fast == single, now
        seen |= {(row["ticket_id"], row["at_risk"]) for row in fast}
    # The weekend ticket showed each threshold in turn; Europe's (4 h from 09:00 London:
    # 50% at 11:00 London) crossed 50%; the met one never shows one.
    assert {("W", ""), ("W", "50%"), ("W", "90%"), ("E", "50%")} <= seen
    assert {cell for ticket, cell in seen if ticket == "M"} == {""}


# -- slacalc report --at-risk ---------------------------------------------------------


def test_report_at_risk_lists_running_rows_soonest_breach_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy_file = tmp_path / "escalating.yaml"
    policy_file.write_text("""schema_version: 1
name: escalating
vendor: Example
escalation: [50%, 75%, 90%]
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "07:30-18:00"}}
  london: {timezone: Europe/London, hours: {mon-fri: "09:00-17:00"}}
priorities: {P1: {name: Urgent}}
tiers:
  standard: {calendar: office, targets: {P1: {response: 4 business hours}}}
  europe: {calendar: london, targets: {P1: {response: 4 business hours}}}
rules: {awaiting_customer: pause}
""", encoding="utf-8")

    def line(ticket_id: str, tier: str, opened: str, *events: tuple[str, str]) -> str:
        return json.dumps({"id": ticket_id, "policy": str(policy_file), "tier": tier,
                           "priority": "P1", "opened_at": opened,
                           "events": [{"kind": kind, "at": at} for kind, at in events]})

    # 4 business hours each. As of Mon 2026-11-23 11:00 EST (16:00 UTC):
    # A: opened 08:00 EST, 3 h used (75% exactly: crossed), due 12:00 EST (17:00Z).
    # B: London, opened 09:00 GMT -> due 13:00 GMT; by 16:00Z it has breached: not listed.
    # C: London, opened 12:30 GMT: 3 h 30 used (87.5%: 75%), due 16:30 GMT (16:30Z),
    #    sooner than A although "16:30+00:00" sorts after "12:00-05:00" as text.
    # D: opened 09:00 EST, 2 h used (50%), due 13:00 EST (18:00Z).
    # E: opened 10:00 EST, 1 h used (25%): not at risk.
    # F: opened 07:30 EST, paused at 10:00 after 2 h 30 (50%): at risk, due unknown: last.
    # G: opened 07:30 EST, responded 10:45 after 75%: met, not listed.
    lines = [line("E", "standard", "2026-11-23T10:00:00-05:00"),
             line("F", "standard", "2026-11-23T07:30:00-05:00",
                  ("awaiting_customer", "2026-11-23T10:00:00-05:00")),
             line("D", "standard", "2026-11-23T09:00:00-05:00"),
             line("A", "standard", "2026-11-23T08:00:00-05:00"),
             line("B", "europe", "2026-11-23T09:00:00+00:00"),
             line("G", "standard", "2026-11-23T07:30:00-05:00",
                  ("responded", "2026-11-23T10:45:00-05:00")),
             line("C", "europe", "2026-11-23T12:30:00+00:00")]
    source = tmp_path / "tickets.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    now = "2026-11-23T11:00:00-05:00"
    out = tmp_path / "risk.csv"
    assert main(["report", str(source), "--now", now, "--at-risk", "--format", "csv",
                 "-o", str(out)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [(row["ticket_id"], row["status"], row["at_risk"]) for row in rows] == [
        ("C", "running", "75%"), ("A", "running", "75%"), ("D", "running", "50%"),
        ("F", "paused", "50%")]
    # C's 90% falls due at 3 h 36 min: 16:06 GMT; A's at 11:36 EST; D's 75% at 12:00 EST.
    assert [row["next_escalation_at"] for row in rows] == [
        "2026-11-23T16:06:00+00:00", "2026-11-23T11:36:00-05:00",
        "2026-11-23T12:00:00-05:00", ""]
    # The table lists the same rows in the same order; the summary still counts all.
    assert main(["report", str(source), "--now", now, "--at-risk"]) == 0
    printed = capsys.readouterr().out
    listed = [text.split()[0] for text in printed.split("\n\n")[1].splitlines()[2:]]
    assert listed == ["C", "A", "D", "F"]
    assert "7 tickets evaluated" in printed
    # JSON lines too.
    assert main(["report", str(source), "--now", now, "--at-risk", "--format", "jsonl",
                 "-o", str(tmp_path / "risk.jsonl")]) == 0
    records = [json.loads(text) for text in
               (tmp_path / "risk.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [record["ticket_id"] for record in records] == ["C", "A", "D", "F"]


def test_report_at_risk_on_an_event_log(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    # The same as the JSONL export, from a tickets table and an events table. As of Mon
    # 2026-11-23 11:00 EST, 4 business hours each on 07:30-18:00: P opened 07:30, paused
    # at 10:00 (2 h 30 used: 50%), due unknown; Q opened 09:00 (2 h: 50%), due 13:00;
    # R opened 08:00 (3 h: 75%), due 12:00; S opened 10:30 (30 min: none).
    policy = ESCALATING
    tickets, events = tmp_path / "tickets.csv", tmp_path / "events.csv"
    tickets.write_text("ticket_id,policy,tier,priority,opened_at\n" + "".join(
        f"{name},{policy},standard,P1,2026-11-23T{at}:00-05:00\n"
        for name, at in [("P", "07:30"), ("Q", "09:00"), ("R", "08:00"), ("S", "10:30")]),
        encoding="utf-8")
    events.write_text("ticket_id,at,kind\nP,2026-11-23T10:00:00-05:00,awaiting_customer\n",
                      encoding="utf-8")
    out = tmp_path / "risk.csv"
    assert main(["report", str(tickets), "--events", str(events), "--at-risk", "--now",
                 "2026-11-23T11:00:00-05:00", "--format", "csv", "-o", str(out)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [(row["ticket_id"], row["at_risk"], row["next_escalation_at"]) for row in rows] == [
        ("R", "75%", ""), ("Q", "50%", "2026-11-23T12:00:00-05:00"), ("P", "50%", "")]


# -- breaching_within -----------------------------------------------------------------


def test_breaching_within_includes_both_ends_of_the_window() -> None:
    policy = _policy()
    # X: due Mon 11:00 EST (opened Fri 17:30); Y: opened Mon 08:00 -> due 12:00;
    # Z: London, opened 09:00 GMT -> due 13:00 GMT = 08:00 EST; as of Mon 10:00 EST
    # (15:00Z) Z has breached and is not news. W was met.
    tickets = [
        {"id": "Y", "tier": "standard", "priority": "P1", "opened_at": _at(23, 8)},
        Ticket(id="X", tier="standard", priority="P1", opened_at=_at(20, 17, 30)),
        {"id": "Z", "tier": "europe", "priority": "P1", "opened_at": _at(23, 9, 0, LONDON)},
        {"id": "W", "tier": "standard", "priority": "P1", "opened_at": _at(23, 8),
         "events": [{"kind": "responded", "at": _at(23, 9)}]},
    ]
    now = _at(23, 10)
    found = breaching_within(policy, tickets, now, timedelta(hours=2))
    assert [(breach.ticket.id, breach.metric) for breach in found] == [
        ("X", "response"), ("Y", "response")]  # 12:00 is exactly now + 2 h: included
    assert isinstance(found[0], Breach)
    assert _u(found[0].due) == _u(_at(23, 11))
    just_short = breaching_within(policy, tickets, now,
                                  timedelta(hours=2) - timedelta(microseconds=1))
    assert [breach.ticket.id for breach in just_short] == ["X"]
    # Due exactly now: still running, so listed with a zero horizon.
    assert [breach.ticket.id for breach in breaching_within(policy, tickets, _at(23, 11),
                                                              timedelta(0))] == ["X"]
    # The resolutions (24 real hours): X's fell due Sat 17:30 (breached); Y's and W's
    # (W responded, its resolution runs on) are both due Tue 08:00, within a day: a tie,
    # kept in the tickets' order.
    day = breaching_within(policy, tickets, now, timedelta(days=1))
    assert [(breach.ticket.id, breach.metric) for breach in day] == [
        ("X", "response"), ("Y", "response"), ("Y", "resolution"), ("W", "resolution")]


def test_breaching_within_refuses_bad_input() -> None:
    policy = _policy()
    ticket = Ticket(tier="standard", priority="P1", opened_at=_at(23, 8))
    with pytest.raises(TicketError, match="horizon"):
        breaching_within(policy, [ticket], _at(23, 9), timedelta(minutes=-1))
    with pytest.raises(NaiveDatetimeError):
        breaching_within(policy, [ticket], datetime(2026, 11, 23, 9), timedelta(hours=1))
    with pytest.raises(TicketError, match="before the ticket was opened"):
        breaching_within(policy, [ticket], _at(23, 7), timedelta(hours=1))
