"""The batch fast path gives exactly the rows `Policy.evaluate` gives (differential test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import Event, Ticket, bundled_policy
from slacalc.batch import PolicyBook, Summary, evaluate_row, rows_of_report

BOOK = PolicyBook()
CASES = [("vircom", "America/Toronto", ["standard"], ["P1", "P2", "P3", "critical", "normal"]),
         ("valimail", "America/Los_Angeles", ["basic", "enhanced", "valicare"],
          ["urgent", "high", "medium", "low"]),
         ("cloudmark", "America/Los_Angeles", ["premium"], ["P1", "P2", "P3", "P4"]),
         ("perfectmail", "UTC", ["standard"], ["standard"])]
STOPS = ("responded", "resolved", "workaround")


@st.composite
def rows(draw: st.DrawFn) -> tuple[dict[str, str], Ticket, datetime | None]:
    policy, zone, tiers, priorities = draw(st.sampled_from(CASES))
    tz = ZoneInfo(zone)
    base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525_000)))
    opened = base.astimezone(tz)
    row = {"ticket_id": "T", "policy": policy, "tier": draw(st.sampled_from(tiers)),
           "priority": draw(st.sampled_from(priorities)), "opened_at": opened.isoformat(),
           "category": draw(st.sampled_from(["usage", "defect", ""])),
           "channel": draw(st.sampled_from(["email", "phone", ""]))}
    events = []
    for kind in STOPS:
        if draw(st.booleans()):
            at = (base + timedelta(minutes=draw(st.integers(0, 20_000)))).astimezone(
                draw(st.sampled_from([tz, UTC])))
            row[f"{kind}_at"] = at.isoformat()
            # The ticket gets the instants as an export carries them: fixed offsets.
            events.append(Event(kind=kind, at=datetime.fromisoformat(at.isoformat())))
    attributes = {key: row[key] for key in ("category", "channel") if row[key]}
    ticket = Ticket(id="T", tier=row["tier"], priority=row["priority"],
                    opened_at=datetime.fromisoformat(opened.isoformat()),
                    attributes=attributes, events=events)
    now = None
    if draw(st.booleans()):
        now = base + timedelta(minutes=draw(st.integers(0, 25_000)))
    return row, ticket, now


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_fast_rows_equal_the_general_evaluation(case: tuple[dict[str, str], Ticket,
                                                           datetime | None]) -> None:
    row, ticket, now = case
    fast = evaluate_row(BOOK, row, 2, now=now)
    report = bundled_policy(row["policy"]).evaluate(ticket, now)
    assert fast == rows_of_report("T", row["policy"], report)


def test_summary_counts_and_worst_overruns() -> None:
    summary = Summary(worst=2)
    for overrun in ("10", "30", "", "20"):
        summary.add([{"policy": "p", "tier": "t", "priority": "P1", "metric": "response",
                      "status": "breached" if overrun else "met", "overrun_seconds": overrun,
                      "ticket_id": f"T{overrun}", "due": ""}])
    assert summary.groups[("p", "t", "P1", "response")] == {"breached": 3, "met": 1}
    assert [entry[0] for entry in summary.worst_overruns()] == [30.0, 20.0]
    other = Summary(worst=2)
    other.add([{"policy": "p", "tier": "t", "priority": "P1", "metric": "response",
                "status": "breached", "overrun_seconds": "99", "ticket_id": "X", "due": ""}])
    summary.merge(other)
    assert summary.tickets == 5
    assert [entry[0] for entry in summary.worst_overruns()] == [99.0, 30.0]
