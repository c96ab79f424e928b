"""The ServiceNow adapter: incident, sys_audit and task_sla rows with raw values;
instants without an offset are UTC (the default mapping says so). Expected rows worked
out by hand (each test's comment)."""

from __future__ import annotations

import csv
from pathlib import Path

from slacalc.sources.servicenow import convert, read_servicenow

INCIDENT = {"sys_id": "a1", "number": "INC0010001", "opened_at": "2026-11-02 09:00:00",
            "priority": "2", "state": "6", "hold_reason": "", "company": "Acme",
            "assignment_group": "Service Desk", "contact_type": "phone", "caller_id": "jane"}


def _audit(at: str, field: str, old: str, new: str, *, user: str = "agent",
           key: str = "a1") -> dict[str, str]:
    return {"documentkey": key, "tablename": "incident", "fieldname": field,
            "oldvalue": old, "newvalue": new, "sys_created_on": at, "user": user}


def test_hold_reasons_comments_and_states() -> None:
    # Insert rows (state 1, priority 2) at 09:00 give nothing. 09:30 the caller's comment:
    # no response. 10:00 state 1 -> 2 (In Progress, in responded_on): responded.
    # 11:00 state 2 -> 3 with hold_reason 1 (Awaiting Caller, "3:1"): awaiting_customer.
    # 12:00 hold_reason 1 -> "" and state 3 -> 2: customer_replied. 13:00 state 2 -> 3
    # with hold_reason 4 (Awaiting Vendor, "3"): open, no event. 14:00 state -> 6:
    # resolved. Rows listed in a shuffled order.
    rows = [_audit("2026-11-02 14:00:00", "state", "3", "6"),
            _audit("2026-11-02 11:00:00", "hold_reason", "", "1"),
            _audit("2026-11-02 09:00:00", "state", "", "1", user="jane"),
            _audit("2026-11-02 11:00:00", "state", "2", "3"),
            _audit("2026-11-02 09:30:00", "comments", "", "Any news?", user="jane"),
            _audit("2026-11-02 10:00:00", "state", "1", "2"),
            _audit("2026-11-02 12:00:00", "state", "3", "2"),
            _audit("2026-11-02 12:00:00", "hold_reason", "1", ""),
            _audit("2026-11-02 13:00:00", "state", "2", "3"),
            _audit("2026-11-02 13:00:00", "hold_reason", "", "4"),
            _audit("2026-11-02 09:00:00", "priority", "", "2", user="jane")]
    out = convert([INCIDENT], rows)
    assert out.errors == []
    assert out.tickets == [{"ticket_id": "INC0010001", "policy": "cloudmark", "tier": "premium",
                            "priority": "P2", "opened_at": "2026-11-02T09:00:00+00:00",
                            "channel": "phone"}]
    assert [(row["at"], row["kind"]) for row in out.events] == [
        ("2026-11-02T10:00:00+00:00", "responded"),
        ("2026-11-02T11:00:00+00:00", "awaiting_customer"),
        ("2026-11-02T12:00:00+00:00", "customer_replied"),
        ("2026-11-02T14:00:00+00:00", "resolved")]


def test_an_agent_comment_first_is_the_response_and_priority_changes() -> None:
    # 09:20 an agent's customer-visible comment: responded. 10:00 priority 2 -> 1: P1.
    # 11:00 state 6 then 12:00 back to 2: resolved, reopened.
    rows = [_audit("2026-11-02 09:20:00", "comments", "", "On it"),
            _audit("2026-11-02 10:00:00", "priority", "2", "1"),
            _audit("2026-11-02 11:00:00", "state", "1", "6"),
            _audit("2026-11-02 12:00:00", "state", "6", "2")]
    out = convert([INCIDENT], rows)
    assert [(row["kind"], row["priority"]) for row in out.events] == [
        ("responded", ""), ("priority_changed", "P1"), ("resolved", ""), ("reopened", "")]
    assert out.tickets[0]["priority"] == "P2"  # the priority at the opening


def test_unknown_state_priority_and_orphans_are_row_errors() -> None:
    rows = [_audit("2026-11-02 10:00:00", "state", "1", "9"),
            _audit("2026-11-02 10:00:00", "priority", "2", "0"),
            _audit("2026-11-02 10:00:00", "state", "1", "2", key="zz")]
    out = convert([INCIDENT, {**INCIDENT, "sys_id": "b2", "number": "INC2", "opened_at": ""}],
                  rows)
    assert sorted(error.reason for error in out.errors) == [
        "incident:2: opened_at: missing",
        "sys_audit:1: status '9' is not in the mapping",
        "sys_audit:2: priority '0' is not in the mapping",
        "sys_audit:3: 'zz' is no incident of incident (sys_id)"]
    assert out.tickets == []


def test_task_sla_rows_give_verdicts() -> None:
    # Response: completed, not breached, due 09:15 UTC, 0:12:00 business -> 720 s.
    # Resolution: in progress and breached: breached; business_duration 1970-01-02 01:00
    # -> 90000 s. A cancelled SLA gives none; an in-progress unbreached one is undecided.
    slas = [{"task": "a1", "sla": "Priority 1 response (15 minutes)", "stage": "completed",
             "has_breached": "false", "planned_end_time": "2026-11-02 09:15:00",
             "business_duration": "1970-01-01 00:12:00"},
            {"task": "a1", "sla": "Priority 2 resolution (8 hour)", "stage": "in_progress",
             "has_breached": "true", "planned_end_time": "2026-11-02 17:00:00",
             "business_duration": "1970-01-02 01:00:00"},
            {"task": "a1", "sla": "Priority 3 resolution (1 day)", "stage": "cancelled",
             "has_breached": "false", "planned_end_time": "", "business_duration": ""},
            {"task": "a1", "sla": "Priority 4 resolution (2 day)", "stage": "in_progress",
             "has_breached": "false", "planned_end_time": "", "business_duration": "60"}]
    out = convert([INCIDENT], [], slas)
    assert [(v["metric"], v["breached"], v["due_at"], v["elapsed_seconds"], v["source"])
            for v in out.verdicts] == [
        ("response", False, "2026-11-02T09:15:00+00:00", 720.0, "task_sla:1"),
        ("resolution", True, "2026-11-02T17:00:00+00:00", 90000.0, "task_sla:2"),
        ("resolution", None, None, 60.0, "task_sla:4")]


def test_the_folder_reads_csv_files(tmp_path: Path) -> None:
    with (tmp_path / "incident.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(INCIDENT))
        writer.writeheader()
        writer.writerow(INCIDENT)
    with (tmp_path / "sys_audit.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(_audit("", "", "", "")))
        writer.writeheader()
        writer.writerow(_audit("2026-11-02 10:00:00", "state", "1", "7"))
        writer.writerow(_audit("2026-11-02 11:00:00", "state", "7", "99"))
    out = read_servicenow(tmp_path)
    # Line 3 of sys_audit.csv (its header is line 1) names the unknown state.
    assert [error.reason for error in out.errors] == [
        "sys_audit.csv:3: status '99' is not in the mapping"]
