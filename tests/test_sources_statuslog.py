"""The status-log adapter (``ticket_id, at, field, from, to``) and its optional desk
verdicts; expected rows worked out by hand."""

from __future__ import annotations

from pathlib import Path

from slacalc.sources.statuslog import convert, read_statuslog

TICKET = {"ticket_id": "T1", "opened_at": "2026-11-02T09:00:00+01:00", "priority": "high",
          "organization": "acme", "tags": "vip;sso", "group": "l2", "channel": "web"}


def _log(at: str, field: str, before: str, after: str, ticket: str = "T1") -> dict[str, str]:
    return {"ticket_id": ticket, "at": at, "field": field, "from": before, "to": after}


def test_a_log_in_any_order_with_equal_instants_kept_in_order() -> None:
    # pending at 10:00 and a reply at 10:00 (in that order); open 11:00 (customer_replied);
    # resolved 12:00, closed 12:00 (same instant, file order); "assignee" rows skipped.
    log = [_log("2026-11-02T12:00:00+01:00", "status", "open", "resolved"),
           _log("2026-11-02T10:00:00+01:00", "status", "open", "pending"),
           _log("2026-11-02T10:00:00+01:00", "reply", "", ""),
           _log("2026-11-02T10:30:00+01:00", "assignee", "", "bob"),
           _log("2026-11-02T11:00:00+01:00", "status", "pending", "open"),
           _log("2026-11-02T12:00:00+01:00", "status", "resolved", "closed")]
    out = convert([TICKET], log)
    assert out.tickets == [{"ticket_id": "T1", "policy": "cloudmark", "tier": "premium",
                            "priority": "P2", "opened_at": "2026-11-02T09:00:00+01:00",
                            "channel": "web"}]
    assert [(row["at"][11:16], row["kind"]) for row in out.events] == [
        ("10:00", "awaiting_customer"), ("10:00", "responded"), ("11:00", "customer_replied"),
        ("12:00", "resolved"), ("12:00", "closed")]


def test_resolved_then_waiting_reopens_first() -> None:
    log = [_log("2026-11-02T10:00:00Z", "status", "open", "resolved"),
           _log("2026-11-02T11:00:00Z", "status", "resolved", "waiting on customer")]
    assert [row["kind"] for row in convert([TICKET], log).events] == [
        "resolved", "reopened", "awaiting_customer"]


def test_errors_name_the_row() -> None:
    log = [_log("2026-11-02T10:00:00", "status", "open", "pending"),
           _log("2026-11-02T10:00:00Z", "status", "open", "waiting on vendor"),
           _log("2026-11-02T10:00:00Z", "status", "open", "pending", ticket="T9")]
    out = convert([TICKET, {"ticket_id": "T2", "opened_at": "2026-11-02T09:00:00Z",
                            "priority": "P7"}], log)
    assert [error.reason for error in out.errors] == [
        "status_log:1: at: '2026-11-02T10:00:00' has no UTC offset",
        "status_log:2: status 'waiting on vendor' is not in the mapping (did you mean "
        "'waiting on customer'?)",
        "tickets:2: priority 'P7' is not in the mapping",
        "status_log:3: ticket_id 'T9' has no ticket in tickets"]


def test_desk_verdicts_file(tmp_path: Path) -> None:
    (tmp_path / "tickets.csv").write_text("ticket_id,opened_at,priority\n"
                                          "T1,2026-11-02T09:00:00Z,P1\n"
                                          "T2,2026-11-02T09:00:00Z,P1\n")
    (tmp_path / "status_log.csv").write_text("ticket_id,at,field,from,to\n")
    (tmp_path / "desk_verdicts.csv").write_text(
        "ticket_id,desk_metric,breached,due_at,elapsed_seconds\n"
        "T1,response,false,2026-11-02T10:00:00Z,1800\n"
        "T1,resolution,,,\n"
        "T2,resolution,maybe,,\n")
    out = read_statuslog(tmp_path)
    # T1: a met response and an undecided resolution; T2's bad row leaves T2 out.
    assert out.verdicts == [{"ticket_id": "T1", "metric": "response", "breached": False,
                             "due_at": "2026-11-02T10:00:00+00:00", "elapsed_seconds": 1800.0,
                             "desk_metric": "response", "source": "desk_verdicts.csv:2"},
                            {"ticket_id": "T1", "metric": "resolution", "breached": None,
                             "due_at": None, "elapsed_seconds": None,
                             "desk_metric": "resolution", "source": "desk_verdicts.csv:3"}]
    assert [row["ticket_id"] for row in out.tickets] == ["T1"]
    assert [error.reason for error in out.errors] == [
        "desk_verdicts.csv:4: breached: not true or false 'maybe'"]
