"""The desk's own state of an SLA, read as of an instant: Zendesk schedules its ``breach``
metric events ahead (at the target), so a breach dated after the export's instant (or
after the audit's ``--now``) has not happened; a fulfil before the breach's time is met.
Expected values worked out by hand in each test's comment."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from slacalc.cli import main
from slacalc.sources import STREAMS
from slacalc.sources._report import write_converted
from slacalc.sources.audit import audit_report
from slacalc.sources.zendesk import convert


def _ticket(number: int) -> dict[str, Any]:
    return {"id": number, "created_at": "2026-11-02T09:00:00Z", "priority": "high",
            "status": "open", "via": {"channel": "email"}, "tags": [],
            "organization_id": 7, "group_id": 3, "requester_id": 9001}


def _metric(number: int, metric: str, kind: str, time: str, **extra: Any) -> dict[str, Any]:
    return {"ticket_id": number, "metric": metric, "instance_id": 1, "type": kind,
            "time": time, **extra}


def test_a_breach_kept_in_the_export_but_fulfilled_before_it_is_met() -> None:
    # reply_time: target 10:00 (breach event, not marked deleted), fulfilled 09:40, before
    # it: the desk met it (Zendesk deletes such a breach; an export that kept it does not
    # make it one). agent_work_time: fulfilled 18:00, after its 17:00 breach: breached.
    events = [
        _metric(1, "reply_time", "apply_sla", "2026-11-02T09:00:00Z", sla={"target": 60}),
        _metric(1, "reply_time", "breach", "2026-11-02T10:00:00Z"),
        _metric(1, "reply_time", "fulfill", "2026-11-02T09:40:00Z"),
        _metric(1, "agent_work_time", "apply_sla", "2026-11-02T09:00:00Z", sla={}),
        _metric(1, "agent_work_time", "breach", "2026-11-02T17:00:00Z"),
        _metric(1, "agent_work_time", "fulfill", "2026-11-02T18:00:00Z"),
    ]
    out = convert([_ticket(1)], [], events)
    assert out.errors == []
    assert [(row["desk_metric"], row["breached"], row["due_at"], row["source"])
            for row in out.verdicts] == [
        ("reply_time", False, "2026-11-02T10:00:00+00:00", "ticket_metric_events:3"),
        ("agent_work_time", True, "2026-11-02T17:00:00+00:00", "ticket_metric_events:5")]


def _verdict(breached: bool | None, due: str) -> dict[str, Any]:
    return {"ticket_id": "F1", "metric": "response", "breached": breached, "due_at": due,
            "elapsed_seconds": None, "desk_metric": "reply_time", "source": "tme.jsonl:4"}


# vircom standard P2, opened Fri 2026-11-20 17:30 -05:00 (after hours): its 1 business
# hour of response runs from Mon 07:00, due Mon 2026-11-23 08:00 -05:00 = 13:00Z (the
# audit's own docstring example). No response yet.
TICKETS = [{"ticket_id": "F1", "policy": "vircom", "tier": "standard", "priority": "P2",
            "opened_at": "2026-11-20T17:30:00-05:00"}]


def test_a_breach_dated_after_now_is_not_the_desks_verdict_yet() -> None:
    # As of Mon 07:30 -05:00 the contract is running (due 08:00 not reached); the desk's
    # breach event, scheduled at 13:00Z = 08:00 -05:00, has not happened: the desk has
    # not decided, and the due instants are equal -> agrees (not a breached difference).
    report = audit_report(TICKETS, [], [_verdict(True, "2026-11-23T13:00:00Z")],
                          "2026-11-23T07:30:00-05:00")
    (row,) = report.rows
    assert (row["finding"], row["difference"], row["contract_status"]) == (
        "agrees", "", "running")
    assert row["desk_breached"] is None
    # A breach exactly at now has not happened either (a ticket open at its due runs).
    (row,) = audit_report(TICKETS, [], [_verdict(True, "2026-11-23T13:00:00Z")],
                          "2026-11-23T08:00:00-05:00").rows
    assert (row["finding"], row["desk_breached"]) == ("agrees", None)
    # One minute past it the breach has happened, and the contract breached too.
    (row,) = audit_report(TICKETS, [], [_verdict(True, "2026-11-23T13:00:00Z")],
                          "2026-11-23T08:01:00-05:00").rows
    assert (row["finding"], row["desk_breached"], row["contract_breached"]) == (
        "agrees", True, True)


def test_convert_with_now_leaves_a_future_breach_undecided(tmp_path: Path) -> None:
    # Ticket 1's resolution breach is scheduled 2026-12-03, the export taken 2026-12-01:
    # desk_verdicts.csv says breached empty (undecided), due kept. Its response breach
    # at 2026-11-02T10:00Z is long past: true.
    folder = tmp_path / "zd"
    folder.mkdir()
    (folder / "tickets.jsonl").write_text(json.dumps(_ticket(1)) + "\n")
    (folder / "audits.jsonl").write_text("")
    events = [
        _metric(1, "reply_time", "apply_sla", "2026-11-02T09:00:00Z", sla={}),
        _metric(1, "reply_time", "breach", "2026-11-02T10:00:00Z"),
        _metric(1, "requester_wait_time", "apply_sla", "2026-11-02T09:00:00Z", sla={}),
        _metric(1, "requester_wait_time", "breach", "2026-12-03T08:27:00Z"),
    ]
    (folder / "ticket_metric_events.jsonl").write_text(
        "".join(json.dumps(event) + "\n" for event in events))
    assert write_converted(STREAMS["zendesk"], folder, None, tmp_path / "out",
                           datetime(2026, 12, 1, tzinfo=UTC)) == 0
    with (tmp_path / "out" / "desk_verdicts.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["desk_metric"], row["breached"], row["due_at"]) for row in rows] == [
        ("reply_time", "true", "2026-11-02T10:00:00+00:00"),
        ("requester_wait_time", "", "2026-12-03T08:27:00+00:00")]


def test_report_from_a_desk_honours_at_risk(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # A status-log folder evaluated under a policy with escalations at 50% and 75%, as of
    # Mon 2026-11-23 11:00 EST, 4 business hours of response on 07:30-18:00 (the tier
    # is the policy's only one): R opened 08:00 (3 h used: 75%, due 12:00 EST), Q opened
    # 09:00 (2 h: 50%, due 13:00 EST), S opened 10:30 (30 min: not at risk). Only R and
    # Q are written, the soonest due first. Before --at-risk reached --from, S was listed.
    policy = tmp_path / "p.yaml"
    policy.write_text("""schema_version: 1
name: p
vendor: V
escalation: [50%, 75%]
calendars: {office: {timezone: America/Toronto, hours: {mon-fri: "07:30-18:00"}}}
priorities: {P1: {name: U}}
tiers: {premium: {calendar: office, targets: {P1: {response: 4 business hours}}}}
""", encoding="utf-8")
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "tickets.csv").write_text("ticket_id,opened_at,priority\n" + "".join(
        f"{name},2026-11-23T{at}:00-05:00,P1\n"
        for name, at in [("S", "10:30"), ("Q", "09:00"), ("R", "08:00")]), encoding="utf-8")
    (folder / "status_log.csv").write_text("ticket_id,at,field,from,to\n", encoding="utf-8")
    out = tmp_path / "risk.csv"
    assert main(["report", "--from", "statuslog", str(folder), "--policy", str(policy),
                 "--at-risk", "--now", "2026-11-23T11:00:00-05:00", "--format", "csv",
                 "-o", str(out)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [(row["ticket_id"], row["at_risk"]) for row in rows] == [("R", "75%"),
                                                                    ("Q", "50%")]
