"""A pause of the desk's own (issue 14, the audit): a status the mapping lists under
``desk_paused`` (Zendesk's ``hold``: on-hold waits on a third party, and Zendesk pauses
``agent_work_time`` there; the contract's clock runs) is recorded as spans by the
adapter, and the audit names the difference ``desk_pause``. Expected values worked out
by hand in each test's comment."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from slacalc.cli import main
from slacalc.sources.audit import audit_report
from slacalc.sources.mapping import MappingError, loads_mapping
from slacalc.sources.zendesk import convert

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "desks"


def _us(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp()) * 1_000_000


def _status(number: int, at: str, before: str, after: str) -> dict[str, Any]:
    return {"ticket_id": number, "created_at": at, "author_id": 501,
            "events": [{"type": "Change", "field_name": "status", "previous_value": before,
                        "value": after}]}


def test_zendesk_hold_spans_are_recorded_and_give_no_event() -> None:
    # Opened 09:00Z (open). 10:00 open -> hold, 11:30 hold -> open, 12:00 open -> hold and
    # still on hold at the export: spans 10:00-11:30 and 12:00-(open end). hold's role is
    # open, so no event at all (open -> open); ticket 2 never holds: no spans.
    tickets = [{"id": number, "created_at": "2026-11-02T09:00:00Z", "priority": "normal",
                "status": "open", "requester_id": 9} for number in (1, 2)]
    audits = [_status(1, "2026-11-02T10:00:00Z", "open", "hold"),
              _status(1, "2026-11-02T11:30:00Z", "hold", "open"),
              _status(1, "2026-11-02T12:00:00Z", "open", "hold")]
    out = convert(tickets, audits)
    assert out.errors == []
    assert out.events == []
    assert out.desk_paused == {"1": [(_us(2026, 11, 2, 10), _us(2026, 11, 2, 11, 30)),
                                     (_us(2026, 11, 2, 12), None)]}


TEXT = """desk: zendesk
statuses: {open: open, hold: open, pending: awaiting_customer}
priorities: {normal: P3}
desk_paused: [%s]
policies: [{policy: vircom, tier: standard}]
"""


@pytest.mark.parametrize(("value", "message"), [
    ("onhold", "m.yaml:4:15: desk_paused.0: 'onhold' is not a status of the mapping "
               "(did you mean 'hold'?)"),
    ("pending", "m.yaml:4:15: desk_paused.0: 'pending' has the role 'awaiting_customer'; "
                "only a status whose role is 'open' (the contract's clock runs) can be one "
                "the desk alone pauses on"),
])
def test_desk_paused_names_open_statuses_of_the_mapping(value: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        loads_mapping(TEXT % value, "m.yaml")
    assert [str(error) for error in caught.value.errors] == [message]
    assert loads_mapping(TEXT % "HOLD", "m.yaml").desk_pauses(" hold")


def test_the_audit_names_a_pause_of_the_desks_own() -> None:
    # vircom standard P3: response 4 business hours on Mon-Fri 07:30-18:00 Toronto (EST,
    # -05:00 in November; Mon 2026-11-16 is no Quebec holiday). Opened Mon 09:00 EST:
    # the contract's due 13:00 EST. Responded 14:00 EST: breached, 5 h used. The desk
    # held its clock on hold 10:00-11:30 EST (15:00-16:30Z): 1 h 30 less, due 14:30 EST,
    # 3 h 30 used (12,600 s), met -> costly, reason desk_pause.
    tickets = [{"ticket_id": "H1", "policy": "vircom", "tier": "standard", "priority": "P3",
                "opened_at": "2026-11-16T09:00:00-05:00"}]
    events = [{"ticket_id": "H1", "at": "2026-11-16T14:00:00-05:00", "kind": "responded"}]
    desk = [{"ticket_id": "H1", "metric": "response", "breached": False,
             "due_at": "2026-11-16T14:30:00-05:00", "elapsed_seconds": 12_600.0,
             "desk_metric": "reply_time", "source": "tme.jsonl:3"}]
    spans = {"H1": [(_us(2026, 11, 16, 15), _us(2026, 11, 16, 16, 30))]}
    (row,) = audit_report(tickets, events, desk, "2026-11-20T00:00:00Z",
                          desk_paused=spans).rows
    assert (row["finding"], row["reason"], row["contract_due"]) == (
        "costly", "desk_pause", "2026-11-16T13:00:00-05:00")
    assert "Mon 2026-11-16 10:00 EST to Mon 2026-11-16 11:30 EST" in row["detail"]
    assert "1h30 of open time" in row["detail"]
    # Without the spans nothing accounts for it.
    (row,) = audit_report(tickets, events, desk, "2026-11-20T00:00:00Z").rows
    assert row["reason"] == "unexplained"


def test_the_example_export_leaves_nothing_unexplained(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # examples/desks/zendesk: the desk's calendar has no holidays and pauses on pending
    # and on hold. Ticket 16 is on hold Tue 11-03 21:44 PST to Thu 11-05 05:41 PST and its
    # resolution window crosses Veterans Day (11-11); ticket 36 is on hold Mon 11-16
    # 04:17-09:29 PST and crosses Thanksgiving (11-26): both "holiday, desk_pause".
    # Ticket 37's resolution breach is dated 2026-12-03, after --now: not a breach yet.
    out = tmp_path / "audit.csv"
    assert main(["audit", "--from", "zendesk", str(EXAMPLES / "zendesk"), "--now",
                 "2026-12-01T00:00:00Z", "-o", str(out)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row for row in rows if row["reason"] == "unexplained"] == []
    assert {(row["ticket_id"], row["reason"]) for row in rows
            if "desk_pause" in row["reason"]} == {("16", "holiday, desk_pause"),
                                                  ("36", "holiday, desk_pause")}
    (late,) = [row for row in rows if (row["ticket_id"], row["metric"]) == ("37",
                                                                             "resolution")]
    assert (late["desk_breached"], late["difference"], late["reason"]) == ("", "due",
                                                                           "holiday")
