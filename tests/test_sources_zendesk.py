"""The Zendesk adapter: hand-built fragments of tickets, audits and metric events in the
API's shapes, converted by the default mapping; every expected row is worked out by hand
from docs/sources.md's table of status moves (see each test's comment)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slacalc.sources import UnorderedError
from slacalc.sources.mapping import loads_mapping
from slacalc.sources.zendesk import convert, read_zendesk, stream_zendesk

AGENT, REQUESTER = 501, 9001


def _ticket(number: int, **extra: Any) -> dict[str, Any]:
    return {"id": number, "created_at": "2026-11-02T09:00:00Z", "priority": "high",
            "status": "open", "via": {"channel": "email"}, "tags": ["vip"],
            "organization_id": 7, "group_id": 3, "requester_id": REQUESTER, **extra}


def _audit(number: int, at: str, *events: dict[str, Any], author: int = AGENT) -> dict[str, Any]:
    return {"ticket_id": number, "created_at": at, "author_id": author, "events": list(events)}


def _status(before: str, after: str) -> dict[str, Any]:
    return {"type": "Change", "field_name": "status", "previous_value": before, "value": after}


CREATE = (_audit(1, "2026-11-02T09:00:00Z",
                 {"type": "Create", "field_name": "status", "value": "new"},
                 {"type": "Create", "field_name": "priority", "value": "high"},
                 {"type": "Comment", "public": True, "author_id": REQUESTER},
                 author=REQUESTER),)


def _kinds(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [(row["at"], row["kind"], row["priority"]) for row in rows]


def test_a_wait_on_the_customer_a_reply_a_solve_and_a_close() -> None:
    # new (open) -> 10:00 agent reply + new->open (no role change) -> 11:00 pending
    # (awaiting_customer) -> 13:00 open (customer_replied) -> 15:00 solved (resolved)
    # -> 4 days later closed (closed); the requester's own comment at creation is no reply.
    audits = [*CREATE,
              _audit(1, "2026-11-02T10:00:00Z", {"type": "Comment", "public": True,
                                                 "author_id": AGENT}, _status("new", "open")),
              _audit(1, "2026-11-02T11:00:00Z", _status("open", "pending")),
              _audit(1, "2026-11-02T13:00:00Z", _status("pending", "open"), author=REQUESTER),
              _audit(1, "2026-11-02T15:00:00Z", _status("open", "solved")),
              _audit(1, "2026-11-06T15:00:00Z", _status("solved", "closed"))]
    out = convert([_ticket(1, status="closed")], audits)
    assert out.errors == []
    assert out.tickets == [{"ticket_id": "1", "policy": "cloudmark", "tier": "premium",
                            "priority": "P2", "opened_at": "2026-11-02T09:00:00+00:00",
                            "channel": "email"}]
    assert _kinds(out.events) == [
        ("2026-11-02T10:00:00+00:00", "responded", ""),
        ("2026-11-02T11:00:00+00:00", "awaiting_customer", ""),
        ("2026-11-02T13:00:00+00:00", "customer_replied", ""),
        ("2026-11-02T15:00:00+00:00", "resolved", ""),
        ("2026-11-06T15:00:00+00:00", "closed", "")]
    assert set(out.events[0]) == {"ticket_id", "at", "kind", "priority", "answered",
                                  "confirmed", "note"}
    assert out.events[1]["note"] == "status open -> pending (audits:3)"


def test_audits_out_of_time_order_are_sorted_by_instant() -> None:
    # The same history with its audits listed backwards: the events come in time order,
    # and a reopening (solved -> open) after a solve gives `reopened`.
    audits = [_audit(1, "2026-11-03T09:00:00Z", _status("solved", "open")),
              _audit(1, "2026-11-02T15:00:00Z", _status("pending", "solved")),
              _audit(1, "2026-11-02T11:00:00Z", _status("open", "pending")),
              *CREATE]
    out = convert([_ticket(1)], audits)
    assert _kinds(out.events) == [
        ("2026-11-02T11:00:00+00:00", "awaiting_customer", ""),
        ("2026-11-02T15:00:00+00:00", "resolved", ""),
        ("2026-11-03T09:00:00+00:00", "reopened", "")]


def test_priority_changes_map_to_the_policy_priorities() -> None:
    # high (P2) at creation; normal at 10:00 -> P3; urgent at 12:00 -> P1; a change to
    # the same policy priority gives no event.
    audits = [*CREATE,
              _audit(1, "2026-11-02T10:00:00Z", {"type": "Change", "field_name": "priority",
                                                 "previous_value": "high", "value": "normal"}),
              _audit(1, "2026-11-02T12:00:00Z", {"type": "Change", "field_name": "priority",
                                                 "previous_value": "normal", "value": "urgent"})]
    out = convert([_ticket(1, priority="urgent")], audits)
    assert out.tickets[0]["priority"] == "P2"
    assert _kinds(out.events) == [("2026-11-02T10:00:00+00:00", "priority_changed", "P3"),
                                  ("2026-11-02T12:00:00+00:00", "priority_changed", "P1")]


def test_unknown_statuses_and_priorities_are_row_errors_with_the_position() -> None:
    # Audit 2 (position 2) moves to a custom status the mapping lacks; audit 3 to an
    # unknown priority: two errors, the ticket is left out; ticket 2 converts.
    audits = [*CREATE,
              _audit(1, "2026-11-02T10:00:00Z", _status("open", "pending_vendor")),
              _audit(1, "2026-11-02T11:00:00Z", {"type": "Change", "field_name": "priority",
                                                 "previous_value": "high", "value": "blocker"})]
    out = convert([_ticket(1), _ticket(2)], audits)
    assert [str(error.reason) for error in out.errors] == [
        "audits:2: status 'pending_vendor' is not in the mapping (did you mean 'pending'?)",
        "audits:3: priority 'blocker' is not in the mapping"]
    assert [error.ticket_id for error in out.errors] == ["1", "1"]
    assert [row["ticket_id"] for row in out.tickets] == ["2"]


def test_missing_fields_and_orphan_audits() -> None:
    out = convert([{"id": 1, "priority": "low"}, {"created_at": "2026-11-02T09:00:00Z"},
                   _ticket(3, created_at="2026-11-02T09:00:00")],
                  [_audit(9, "2026-11-02T10:00:00Z", _status("open", "solved"))])
    assert [error.reason for error in out.errors] == [
        "tickets:1: created_at: missing", "tickets:2: id: missing",
        "tickets:3: created_at: '2026-11-02T09:00:00' has no UTC offset",
        "audits:1: ticket_id '9' has no ticket in tickets"]
    assert out.tickets == []


def test_a_null_priority_takes_the_default_or_is_an_error() -> None:
    assert convert([_ticket(1, priority=None)], []).tickets[0]["priority"] == "P3"
    strict = loads_mapping("desk: zendesk\nstatuses: {open: open}\npriorities: {high: P2}\n"
                           "policies: [{policy: vircom, tier: standard}]\n")
    out = convert([_ticket(1, priority=None)], [], mapping=strict)
    assert [error.reason for error in out.errors] == [
        "tickets:1: priority: empty and the mapping has no default_priority"]


def test_policy_rules_by_organization_tag_and_group() -> None:
    mapping = loads_mapping(
        "desk: zendesk\nstatuses: {open: open}\npriorities: {high: P2}\npolicies:\n"
        "  - {organization: '8', policy: vircom, tier: standard}\n"
        "  - {tag: VIP, group: '3', policy: cloudmark, tier: premium}\n"
        "  - {policy: perfectmail, tier: standard}\n")
    out = convert([_ticket(1, organization_id=8), _ticket(2), _ticket(3, tags=[])], [],
                  mapping=mapping)
    # 1: organization 8 (first rule); 2: tag vip (any case) and group 3; 3: the last rule.
    assert [(row["policy"], row["tier"]) for row in out.tickets] == [
        ("vircom", "standard"), ("cloudmark", "premium"), ("perfectmail", "standard")]


def _metric(number: int, metric: str, kind: str, time: str, **extra: Any) -> dict[str, Any]:
    return {"ticket_id": number, "metric": metric, "instance_id": 1, "type": kind,
            "time": time, **extra}


def test_metric_events_give_the_desks_verdicts() -> None:
    # reply_time: SLA applied, breach scheduled 10:00 but deleted (fulfilled at 09:40):
    # met, due 10:00, 40 business minutes. agent_work_time: breach at 17:00 not deleted:
    # breached, due 17:00. requester_wait_time has no apply_sla: no verdict (not measured).
    events = [
        _metric(1, "reply_time", "activate", "2026-11-02T09:00:00Z"),
        _metric(1, "reply_time", "apply_sla", "2026-11-02T09:00:00Z",
                sla={"target": 60, "business_hours": True}),
        _metric(1, "reply_time", "breach", "2026-11-02T10:00:00Z", deleted=True),
        _metric(1, "reply_time", "fulfill", "2026-11-02T09:40:00Z"),
        _metric(1, "reply_time", "update_status", "2026-11-02T09:40:00Z",
                status={"calendar": 40, "business": 40}),
        _metric(1, "agent_work_time", "apply_sla", "2026-11-02T09:00:00Z",
                sla={"target": 480, "business_hours": False}),
        _metric(1, "agent_work_time", "breach", "2026-11-02T17:00:00Z"),
        _metric(1, "requester_wait_time", "activate", "2026-11-02T09:00:00Z"),
    ]
    out = convert([_ticket(1)], [], events)
    assert out.verdicts == [
        {"ticket_id": "1", "metric": "response", "breached": False,
         "due_at": "2026-11-02T10:00:00+00:00", "elapsed_seconds": 2400.0,
         "desk_metric": "reply_time", "source": "ticket_metric_events:4"},
        {"ticket_id": "1", "metric": "resolution", "breached": True,
         "due_at": "2026-11-02T17:00:00+00:00", "elapsed_seconds": None,
         "desk_metric": "agent_work_time", "source": "ticket_metric_events:7"}]


def test_an_unknown_desk_metric_is_a_row_error() -> None:
    events = [_metric(1, "next_reply_time", "apply_sla", "2026-11-02T09:00:00Z", sla={})]
    out = convert([_ticket(1)], [], events)
    assert [error.reason for error in out.errors] == [
        "ticket_metric_events:1: metric 'next_reply_time' is not in the mapping "
        "(did you mean 'reply_time'?)"]


def _write(folder: Path, name: str, rows: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(row) + "\n" for row in rows))


def test_the_folder_streams_when_grouped_and_says_so_when_not(tmp_path: Path) -> None:
    tickets = [_ticket(1), _ticket(2)]
    audits = [_audit(1, "2026-11-02T11:00:00Z", _status("open", "pending")),
              _audit(2, "2026-11-02T12:00:00Z", _status("open", "solved"))]
    _write(tmp_path, "tickets.jsonl", tickets)
    _write(tmp_path, "audits.jsonl", audits)
    blocks = list(stream_zendesk(tmp_path, block=1))
    assert [[row["ticket_id"] for row in block.tickets] for block in blocks] == [["1"], ["2"]]
    assert blocks[1].events[0]["note"] == "status open -> solved (audits.jsonl:2)"
    _write(tmp_path, "audits.jsonl", audits[::-1])
    with pytest.raises(UnorderedError):
        list(stream_zendesk(tmp_path))
    whole = read_zendesk(tmp_path)  # any order: the audits read whole first
    assert [row["kind"] for row in whole.events] == ["awaiting_customer", "resolved"]
    assert whole.files == ("tickets.jsonl", "audits.jsonl")
    assert whole.ticket_lines == [1, 2]
    assert whole.event_lines == [2, 1]


def test_a_json_page_and_a_bad_line(tmp_path: Path) -> None:
    (tmp_path / "tickets.json").write_text(json.dumps({"tickets": [_ticket(1)],
                                                        "end_of_stream": True}))
    (tmp_path / "audits.jsonl").write_text('{"ticket_id": 1, "created_at": \n')
    out = read_zendesk(tmp_path)
    assert [row["ticket_id"] for row in out.tickets] == ["1"]
    assert [error.reason.split(" (")[0] for error in out.errors] == ["audits.jsonl:1: not JSON"]
