"""The Jira Service Management adapter: issues with ``expand=changelog`` and SLA fields
in the REST API's shapes; expected rows worked out by hand (each test's comment)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slacalc.sources import load_mapping
from slacalc.sources.jira import convert, read_jira


def _history(at: str, field: str, before: str, after: str) -> dict[str, Any]:
    return {"created": at, "items": [{"field": field, "fieldtype": "jira",
                                      "fromString": before, "toString": after}]}


def _issue(key: str, *histories: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base = {"created": "2026-11-02T09:00:00.000+0000", "priority": {"name": "High"},
            "status": {"name": "Resolved"}, "labels": ["vip"], "project": {"key": "SD"},
            "reporter": {"accountId": "cust-1"},
            "customfield_10002": [{"name": "Acme"}]}
    return {"key": key, "fields": {**base, **fields},
            "changelog": {"histories": list(histories)}}


def test_statuses_comments_and_priorities_in_any_order() -> None:
    # Waiting for support (open) -> 11:00 Waiting for customer (awaiting_customer) ->
    # 13:00 In Progress (customer_replied) -> 15:00 Resolved (resolved); the customer's own
    # comment is no response, the agent's public one at 10:00 is; the internal one at 09:30
    # (jsdPublic false) is not. Priority High -> Highest at 12:00: P1. Histories listed
    # out of time order.
    issue = _issue(
        "SD-1",
        _history("2026-11-02T15:00:00.000+0000", "status", "In Progress", "Resolved"),
        _history("2026-11-02T11:00:00.000+0000", "status", "Waiting for support",
                 "Waiting for customer"),
        _history("2026-11-02T13:00:00.000+0000", "status", "Waiting for customer",
                 "In Progress"),
        _history("2026-11-02T12:00:00.000-0500", "priority", "High", "Highest"),
        comment={"comments": [
            {"author": {"accountId": "cust-1"}, "created": "2026-11-02T09:05:00.000+0000"},
            {"author": {"accountId": "agent"}, "created": "2026-11-02T09:30:00.000+0000",
             "jsdPublic": False},
            {"author": {"accountId": "agent"}, "created": "2026-11-02T10:00:00.000+0000",
             "jsdPublic": True}]})
    out = convert([issue])
    assert out.errors == []
    assert out.tickets == [{"ticket_id": "SD-1", "policy": "cloudmark", "tier": "premium",
                            "priority": "P2", "opened_at": "2026-11-02T09:00:00+00:00"}]
    assert [(row["at"], row["kind"], row["priority"]) for row in out.events] == [
        ("2026-11-02T10:00:00+00:00", "responded", ""),
        ("2026-11-02T11:00:00+00:00", "awaiting_customer", ""),
        ("2026-11-02T13:00:00+00:00", "customer_replied", ""),
        ("2026-11-02T15:00:00+00:00", "resolved", ""),
        ("2026-11-02T12:00:00-05:00", "priority_changed", "P1")]  # 17:00 UTC: the last


def test_unknown_status_and_missing_created_are_row_errors() -> None:
    out = convert([_issue("SD-1", _history("2026-11-02T11:00:00.000+0000", "status",
                                           "Waiting for support", "Waiting for vendor")),
                   {"key": "SD-2", "fields": {"priority": {"name": "High"}}},
                   {"fields": {}}])
    assert [error.reason for error in out.errors] == [
        "issues:1: status 'Waiting for vendor' is not in the mapping (did you mean "
        "'Waiting for support'?)",
        "issues:2: fields.created: missing", "issues:3: key: missing"]
    assert out.tickets == []


def _cycle(breached: bool, breach: str, elapsed: int) -> dict[str, Any]:
    return {"breached": breached, "breachTime": {"iso8601": breach},
            "goalDuration": {"millis": 3_600_000}, "elapsedTime": {"millis": elapsed}}


def test_sla_fields_give_verdicts() -> None:
    # First response: one completed cycle, met, due 10:00, 30 min elapsed. Resolution:
    # a completed breached cycle (due 17:00, 9 h) then an ongoing one (1 h): breached,
    # due that of the first breached cycle, elapsed 10 h. "Time to close after
    # resolution" is mapped to ignore: no verdict.
    issue = _issue("SD-1", customfield_10030={
        "name": "Time to first response",
        "completedCycles": [_cycle(False, "2026-11-02T10:00:00+0000", 1_800_000)]},
        customfield_10031={
        "name": "Time to resolution",
        "completedCycles": [_cycle(True, "2026-11-02T17:00:00+0000", 32_400_000)],
        "ongoingCycle": _cycle(False, "2026-11-04T09:00:00+0000", 3_600_000)},
        customfield_10032={"name": "Time to close after resolution", "completedCycles": []})
    out = convert([issue])
    assert out.verdicts == [
        {"ticket_id": "SD-1", "metric": "response", "breached": False,
         "due_at": "2026-11-02T10:00:00+00:00", "elapsed_seconds": 1800.0,
         "desk_metric": "Time to first response", "source": "issues:1"},
        {"ticket_id": "SD-1", "metric": "resolution", "breached": True,
         "due_at": "2026-11-02T17:00:00+00:00", "elapsed_seconds": 36000.0,
         "desk_metric": "Time to resolution", "source": "issues:1"}]


def test_an_ongoing_cycle_not_yet_breached_is_undecided() -> None:
    issue = _issue("SD-1", customfield_10031={
        "name": "Time to resolution", "completedCycles": [],
        "ongoingCycle": {**_cycle(False, "", 60_000),
                         "breachTime": {"epochMillis": 1_793_696_400_000}}})
    verdict = convert([issue]).verdicts[0]
    # 1_793_696_400 s after the epoch is 2026-11-03T09:00:00Z.
    assert (verdict["breached"], verdict["due_at"], verdict["elapsed_seconds"]) == (
        None, "2026-11-03T09:00:00+00:00", 60.0)


def test_the_organization_field_picks_the_policy(tmp_path: Path) -> None:
    mapping = (tmp_path / "m.yaml")
    mapping.write_text("desk: jira\nstatuses: {Resolved: resolved}\npriorities: {High: P2}\n"
                       "organization_field: customfield_10002\npolicies:\n"
                       "  - {organization: acme, policy: vircom, tier: standard}\n"
                       "  - {policy: cloudmark, tier: premium}\n")
    (tmp_path / "issues.jsonl").write_text(json.dumps(_issue("SD-1")) + "\n" + json.dumps(
        _issue("SD-2", customfield_10002=[{"name": "Globex"}])) + "\n")
    out = read_jira(tmp_path, load_mapping(mapping))
    assert [(row["ticket_id"], row["policy"]) for row in out.tickets] == [
        ("SD-1", "vircom"), ("SD-2", "cloudmark")]
    assert out.files == ("issues.jsonl", "issues.jsonl")
