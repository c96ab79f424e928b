"""The Zendesk adapter's typed fast path (`slacalc.sources._zendesk_typed`) against its
general path: the same export folder converted both ways (the general one by making
the fast path decline every ticket) gives the same tables, verdicts, desk-paused spans,
row errors, positions and order. On the generated exports the fast path must take
every ticket; on the hand-built odd fragments it takes what it can and steps aside
for the rest, which the general path names exactly as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slacalc.sources import Converted, UnorderedError
from slacalc.sources._zendesk_typed import Fast
from slacalc.sources.mapping import loads_mapping
from slacalc.sources.zendesk import read_zendesk, stream_zendesk

REPO = Path(__file__).resolve().parent.parent
AGENT, REQUESTER = 501, 9001


def _both(folder: Path, monkeypatch: pytest.MonkeyPatch, **options: Any
          ) -> tuple[Converted, Converted, int]:
    """The folder converted with the fast path, then with the general path only; and how
    many tickets the fast path took."""
    taken = 0
    convert = Fast.convert

    def counted(self: Fast, *args: Any) -> bool:
        nonlocal taken
        done = convert(self, *args)
        taken += done
        return done

    with monkeypatch.context() as patch:
        patch.setattr(Fast, "convert", counted)
        fast = Converted.whole(stream_zendesk(folder, block=7, **options))
    with monkeypatch.context() as patch:
        patch.setattr(Fast, "convert", lambda *_: False)
        general = Converted.whole(stream_zendesk(folder, block=7, **options))
    return fast, general, taken


def _same(fast: Converted, general: Converted) -> None:
    for name in ("tickets", "events", "verdicts", "ticket_lines", "event_lines", "files",
                 "desk_paused"):
        assert getattr(fast, name) == getattr(general, name), name
    assert [(str(error), error.ticket_id) for error in fast.errors] == [
        (str(error), error.ticket_id) for error in general.errors]


@pytest.mark.parametrize("verdicts", [[], ["--calendar-verdicts"],
                                      ["--agreeing-verdicts", "0.5"]])
def test_generated_exports_take_the_fast_path_and_match(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verdicts: list[str]) -> None:
    # Every generated ticket is in Zendesk's usual shape with stamps ending in Z, so the
    # fast path takes all 120; the tables must be the general path's, row for row.
    subprocess.run([sys.executable, str(REPO / "examples" / "make_desk_exports.py"),
                    "--desk", "zendesk", "--tickets", "120", "--out", str(tmp_path),
                    *verdicts], check=True, capture_output=True)
    fast, general, taken = _both(tmp_path, monkeypatch)
    assert taken == 120
    assert len(general.tickets) == 120
    assert general.errors == []
    assert any(general.desk_paused.values())  # some tickets waited on hold
    _same(fast, general)


def _write(folder: Path, tickets: list[Any], audits: list[Any], metrics: list[Any]) -> Path:
    folder.mkdir()
    for name, rows in (("tickets.jsonl", tickets), ("audits.jsonl", audits),
                       ("ticket_metric_events.jsonl", metrics)):
        (folder / name).write_text("".join(
            (row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows),
            encoding="utf-8")
    return folder


def _ticket(number: int, **extra: Any) -> dict[str, Any]:
    return {"id": number, "created_at": "2026-11-02T09:00:00Z", "priority": "high",
            "status": "open", "via": {"channel": "email"}, "tags": ["VIP"],
            "organization_id": 7, "group_id": 3, "requester_id": REQUESTER, **extra}


def _audit(number: int, at: str, *events: dict[str, Any], author: Any = AGENT
           ) -> dict[str, Any]:
    return {"ticket_id": number, "created_at": at, "author_id": author, "events": list(events)}


def _change(field: str, before: Any, after: Any) -> dict[str, Any]:
    return {"type": "Change", "field_name": field, "previous_value": before, "value": after}


def _reply(author: Any = AGENT) -> dict[str, Any]:
    return {"type": "Comment", "public": True, "author_id": author}


def _metric(number: int, kind: str, at: str, **extra: Any) -> dict[str, Any]:
    return {"ticket_id": number, "metric": "agent_work_time", "instance_id": 1,
            "type": kind, "time": at, **extra}


def _cycle(number: int, *, breach: str, fulfil: str | None = None, deleted: bool = False,
           metric: str = "agent_work_time", instance: Any = 1) -> list[dict[str, Any]]:
    rows = [_metric(number, "apply_sla", "2026-11-02T09:00:00Z",
                    sla={"target": 480, "business_hours": True}),
            _metric(number, "breach", breach, deleted=deleted)]
    if fulfil is not None:
        rows += [_metric(number, "fulfill", fulfil),
                 _metric(number, "update_status", fulfil,
                         status={"calendar": 90, "business": 60})]
    return [{**row, "metric": metric, "instance_id": instance} for row in rows]


# Each case: tickets, audits, metric events. Tickets 1-2 are usual (fast); the others
# hold one oddity each, which the fast path must hand over (or, where the general path
# accepts it, may take, giving the same rows).
ODD: dict[str, tuple[list[Any], list[Any], list[Any]]] = {
    "usual, with a hold, a priority change, a reopen, a met and a breached verdict": (
        [_ticket(1), _ticket(2, priority=None, tags=None, via=None)],
        [_audit(1, "2026-11-02T09:00:00Z",
                {"type": "Create", "field_name": "status", "value": "new"},
                {"type": "Create", "field_name": "priority", "value": "high"},
                _reply(REQUESTER), author=REQUESTER),
         _audit(1, "2026-11-02T10:00:00Z", _reply(), _change("status", "new", "open")),
         _audit(1, "2026-11-02T10:00:00Z", _change("priority", "high", "urgent")),
         _audit(1, "2026-11-02T11:00:00Z", _change("status", "open", "hold")),
         _audit(1, "2026-11-02T12:00:00Z", _change("status", "hold", "solved")),
         _audit(1, "2026-11-02T13:00:00Z", _change("status", "solved", "pending")),
         _audit(1, "2026-11-02T08:00:00Z", _change("priority", "urgent", "high")),
         _audit(2, "2026-11-03T09:00:00Z", _change("status", "open", "hold"))],
        [*_cycle(1, breach="2026-11-02T17:00:00Z", fulfil="2026-11-02T12:00:00Z",
                 deleted=True),
         *_cycle(2, breach="2026-11-02T17:00:00Z")]),
    "stamps not in Zendesk's Z form": (
        [_ticket(3, created_at="2026-11-02T09:00:00+00:00"), _ticket(4),
         _ticket(5, created_at="2026-11-02 09:00:00Z"), _ticket(6)],
        [_audit(4, "2026-11-02T10:00:00.5Z", _change("status", "open", "pending")),
         _audit(6, "2026-11-02T10:00:00Z", _change("status", "open", "solved"))],
        [*_cycle(6, breach="2026-11-02T17:00:00-05:00"),
         *_cycle(4, breach="2026-11-02T17:00:00Z", fulfil="2026-11-02T09:30:00+01:00")]),
    "impossible or missing stamps": (
        [_ticket(7, created_at="2026-02-30T09:00:00Z"), _ticket(8, created_at=None),
         _ticket(9), _ticket(10)],
        [_audit(9, "2026-13-02T10:00:00Z", _change("status", "open", "pending")),
         _audit(10, 20261102, _change("status", "open", "pending"))],
        _cycle(9, breach="not a time")),
    "unknown values and mapping faults": (
        [_ticket(11, status="pending_vendor"), _ticket(12, priority="p0"), _ticket(13),
         _ticket(14), _ticket(15, organization_id=None, group_id=None)],
        [_audit(13, "2026-11-02T10:00:00Z", _change("status", "open", "waiting")),
         _audit(14, "2026-11-02T10:00:00Z", _change("priority", "high", "critical"))],
        [*_cycle(15, breach="2026-11-02T17:00:00Z", metric="mystery_time")]),
    "odd types the typed shapes still take": (
        [_ticket(16, id="16", tags=["a", 2], organization_id="org", group_id=3.5,
                 requester_id="9001"),
         _ticket(17, via={"channel": 4}, status=None)],
        [_audit(16, "2026-11-02T10:00:00Z", _change("status", None, "pending"),
                _reply("9001"), {"type": "Change", "field_name": "tags", "value": ["x"]}),
         _audit(16, "2026-11-02T11:00:00Z", _change("status", "", "open"), author=None),
         _audit(17, "2026-11-02T10:00:00Z", _reply(0), author=AGENT)],
        [*_cycle(16, breach="2026-11-02T17:00:00Z", instance=2, metric="reply_time"),
         *_cycle(17, breach="2026-11-02T17:00:00Z", fulfil="2026-11-02T17:00:00Z"),
         _metric(17, "update_status", "2026-11-02T17:00:00Z", status={"business": True})]),
    "odd types the typed shapes refuse": (
        [_ticket(18, status=0), '{"id": 19, "created_at": "2026-11-02T09:00:00Z"} trailing', "[1]",
         _ticket(20)],
        [_audit(18, "2026-11-02T10:00:00Z", _change("status", "open", "pending")),
         {"ticket_id": 20, "created_at": "2026-11-02T10:00:00Z", "events": ["Comment"]}],
        [*_cycle(18, breach="2026-11-02T17:00:00Z"),
         _metric(20, "apply_sla", "2026-11-02T09:00:00Z", sla={"business_hours": None}),
         {"ticket_id": 20, "metric": 5, "type": "breach", "time": "2026-11-02T17:00:00Z"}]),
    "metric events of two metrics and instances interleaved": (
        # the lean path reads a run of one metric and instance with one look-up: here
        # the pairs alternate (the three apply_sla, reply_time 1, agent_work_time,
        # reply_time "1"; then their breaches in that order; zip stops at the shortest
        # cycle), then reply_time 1 again: each pair's cycle must be found again, the
        # verdicts in first-seen order
        [_ticket(22), _ticket(23)],
        [_audit(22, "2026-11-02T10:00:00Z", _reply())],
        [*[row for pair in zip(
            _cycle(22, breach="2026-11-02T17:00:00Z", fulfil="2026-11-02T10:00:00Z",
                   metric="reply_time"),
            _cycle(22, breach="2026-11-03T17:00:00Z"),
            _cycle(22, breach="2026-11-02T18:00:00Z", metric="reply_time", instance="1"),
            strict=False) for row in pair],
         _metric(22, "update_status", "2026-11-02T11:00:00Z", metric="reply_time",
                 status={"calendar": 120, "business": 30}),
         *_cycle(23, breach="2026-11-02T17:00:00Z", metric="reply_time", instance=None),
         *_cycle(23, breach="2026-11-02T16:00:00Z", fulfil="2026-11-02T12:00:00Z")]),
    "records of no ticket, and a ticket without an id": (
        [_ticket(21), {"created_at": "2026-11-02T09:00:00Z"}],
        [_audit(21, "2026-11-02T10:00:00Z", _reply()),
         _audit(99, "2026-11-02T10:00:00Z", _reply())],
        _cycle(98, breach="2026-11-02T17:00:00Z")),
}


@pytest.mark.parametrize("case", list(ODD))
@pytest.mark.parametrize("ordered", [True, False])
def test_odd_fragments_convert_as_the_general_path_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, ordered: bool) -> None:
    folder = _write(tmp_path / "zd", *ODD[case])
    try:
        fast, general, _taken = _both(folder, monkeypatch, ordered=ordered)
    except UnorderedError:  # streamed, records of a ticket came after a later ticket's
        assert ordered
        return
    _same(fast, general)


def test_the_usual_fragment_is_taken_and_worked_out_by_hand(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ticket 1 by hand (default mapping): created new/high (P2); 08:00 urgent -> high
    # sorts first and changes nothing (high is P2 already); 10:00 agent
    # reply -> responded, new -> open (no move), high -> urgent -> priority_changed P1;
    # 11:00 hold (role open: no event, desk paused from 11:00); 12:00 solved -> resolved
    # (hold span ends 12:00); 13:00 solved -> pending -> reopened, awaiting_customer.
    # Ticket 2: priority null -> default P3; on hold from 2026-11-03 09:00 to the end.
    folder = _write(tmp_path / "zd", *ODD[
        "usual, with a hold, a priority change, a reopen, a met and a breached verdict"])
    fast, general, taken = _both(folder, monkeypatch)
    assert taken == 2
    _same(fast, general)
    assert [(row["at"][11:16], row["kind"], row["priority"]) for row in fast.events] == [
        ("10:00", "responded", ""), ("10:00", "priority_changed", "P1"),
        ("12:00", "resolved", ""), ("13:00", "reopened", ""),
        ("13:00", "awaiting_customer", "")]
    assert [row["priority"] for row in fast.tickets] == ["P2", "P3"]
    hour = 3_600_000_000
    eleven = 1_793_610_000_000_000 + 2 * hour  # 2026-11-02T11:00:00Z in µs
    assert fast.desk_paused == {"1": [(eleven, eleven + hour)],
                                "2": [(eleven + 22 * hour, None)]}
    # ticket 1: fulfilled 12:00 before the (deleted) breach at 17:00 -> met, from the
    # fulfil (line 3); ticket 2: breach kept, no fulfil -> breached (line 6).
    assert [(row["ticket_id"], row["breached"], row["due_at"], row["elapsed_seconds"],
             row["source"]) for row in fast.verdicts] == [
        ("1", False, "2026-11-02T17:00:00+00:00", 3600.0, "ticket_metric_events.jsonl:3"),
        ("2", True, "2026-11-02T17:00:00+00:00", None, "ticket_metric_events.jsonl:6")]


def test_a_mapping_without_desk_paused_and_with_rules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rules by tag (casefolded: "VIP" matches "vip") then a catch-all; no desk_paused.
    mapping = loads_mapping(
        "desk: zendesk\nstatuses: {new: open, open: open, pending: awaiting_customer, "
        "hold: open, solved: resolved, closed: closed}\npriorities: {urgent: P1, high: P2, "
        "normal: P3, low: P4}\ndefault_priority: P4\nresponded_on: [public_comment]\n"
        "metrics: {agent_work_time: resolution, reply_time: response}\n"
        "policies:\n  - {tag: vip, policy: vircom, tier: standard}\n"
        "  - {policy: cloudmark, tier: premium}\n", "m.yaml")
    folder = _write(tmp_path / "zd", *ODD[
        "usual, with a hold, a priority change, a reopen, a met and a breached verdict"])
    fast = read_zendesk(folder, mapping)
    with monkeypatch.context() as patch:
        patch.setattr(Fast, "convert", lambda *_: False)
        general = read_zendesk(folder, mapping)
    _same(fast, general)
    assert [(row["policy"], row["priority"]) for row in fast.tickets] == [
        ("vircom", "P2"), ("cloudmark", "P4")]  # ticket 2 has no tags: the catch-all
    assert fast.desk_paused == {}
