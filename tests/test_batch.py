"""The batch paths give exactly the rows `Policy.evaluate` gives (differential tests).

`evaluate_rows` evaluates clean rows as numpy columns and every other row through the
checked path; the reference here is `Policy.evaluate` on a `Ticket` built by hand from
the same texts with ``datetime.fromisoformat``, so neither batch path is its own oracle.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import Event, Policy, Ticket, bundled_policy
from slacalc.batch import (
    RESULT_COLUMNS,
    PolicyBook,
    Summary,
    evaluate_row,
    evaluate_rows,
    rows_of_report,
)
from slacalc.testing import policies
from slacalc.testing import tickets as random_tickets

BOOK = PolicyBook()
CASES = [("vircom", "America/Toronto", ["standard"], ["P1", "P2", "P3", "critical", "normal"]),
         ("valimail", "America/Los_Angeles", ["basic", "enhanced", "valicare"],
          ["urgent", "high", "medium", "low"]),
         ("cloudmark", "America/Los_Angeles", ["premium"], ["P1", "P2", "P3", "P4"]),
         ("perfectmail", "UTC", ["standard"], ["standard"])]
STOPS = ("responded", "resolved", "workaround")
HEADER = ("ticket_id", "policy", "tier", "priority", "opened_at", "category", "channel",
          "responded_at", "resolved_at", "workaround_at")


@st.composite
def written(draw: st.DrawFn, moment: datetime) -> str:
    """An instant as exports write it: isoformat, a space, Z, or microseconds."""
    form = draw(st.sampled_from(["iso", "iso", "iso", "space", "zulu", "micro", "zero"]))
    if form == "micro":
        moment = moment + timedelta(microseconds=draw(st.integers(1, 999_999)))
    text = moment.isoformat()
    if form == "space":
        text = text.replace("T", " ")
    elif form == "zulu":
        text = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    elif form == "zero":
        text = text[:19] + ".000000" + text[19:]
    return text


@st.composite
def tickets(draw: st.DrawFn, number: int) -> tuple[dict[str, str], Ticket | None]:
    """An export row and the ticket it means (None for a row that must fail)."""
    policy, zone, tiers, priorities = draw(st.sampled_from(CASES))
    tz = ZoneInfo(zone)
    base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525_000)))
    opened = draw(written(base.astimezone(tz)))
    row = {"ticket_id": f"T{number}", "policy": policy, "tier": draw(st.sampled_from(tiers)),
           "priority": draw(st.sampled_from(priorities)), "opened_at": opened,
           "category": draw(st.sampled_from(["usage", "defect", ""])),
           "channel": draw(st.sampled_from(["email", "phone", ""]))}
    events = []
    for kind in STOPS:
        row[f"{kind}_at"] = ""
        if draw(st.booleans()):
            at = (base + timedelta(minutes=draw(st.integers(0, 20_000)))).astimezone(
                draw(st.sampled_from([tz, UTC])))
            row[f"{kind}_at"] = draw(written(at))
            events.append(Event(kind=kind, at=datetime.fromisoformat(row[f"{kind}_at"])))
    if draw(st.integers(0, 9)) == 0:  # a bad row: the batch must name it and go on
        fault = draw(st.sampled_from(["priority", "naive", "garbage", "early"]))
        if fault == "priority":
            row["priority"] = "P9"
        elif fault == "naive":
            row["opened_at"] = opened[:19]
        elif fault == "garbage":
            row["opened_at"] = "yesterday"
        else:
            row["responded_at"] = (base - timedelta(hours=1)).isoformat()
        return row, None
    if any(event.at < datetime.fromisoformat(opened) for event in events):
        return row, None  # a stop before the opening (by a microsecond, say) fails
    attributes = {key: row[key] for key in ("category", "channel") if row[key]}
    # The ticket gets the instants as the export carries them: fixed offsets.
    ticket = Ticket(id=row["ticket_id"], tier=row["tier"], priority=row["priority"],
                    opened_at=datetime.fromisoformat(opened), attributes=attributes,
                    events=events)
    return row, ticket


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[tuple[dict[str, str], Ticket | None]],
                                      datetime | None]:
    count = draw(st.integers(1, 8))
    rows = [draw(tickets(number)) for number in range(count)]
    now = None
    if draw(st.booleans()):
        now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 540_000)))
    return rows, now


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_batch_rows_equal_the_general_evaluation(
        case: tuple[list[tuple[dict[str, str], Ticket | None]], datetime | None]) -> None:
    rows, now = case
    numbered = [(line, [row[column] for column in HEADER])
                for line, (row, _) in enumerate(rows, start=2)]
    columns, errors, count = evaluate_rows(BOOK, HEADER, numbered, now=now)
    expected: list[tuple[str, ...]] = []
    failing = []
    for line, (row, ticket) in enumerate(rows, start=2):
        if ticket is None or (now is not None and now < ticket.opened_at):
            failing.append(line)
            continue
        report = bundled_policy(row["policy"]).evaluate(ticket, now)
        expected += [tuple(result[column] for column in RESULT_COLUMNS)
                     for result in rows_of_report(row["ticket_id"], row["policy"], report)]
    assert list(zip(*columns, strict=True)) == expected
    assert [error.line for error in errors] == failing
    assert count == len(rows) - len(failing)


def test_single_row_example_by_hand() -> None:
    # Fri 17:30 -05:00 + 1 business hour (07:30-18:00): 30 min Friday, 30 min Monday.
    row = {"ticket_id": "T1", "policy": "vircom", "tier": "standard", "priority": "P2",
           "opened_at": "2026-11-20T17:30:00-05:00",
           "responded_at": "2026-11-23T07:55:00-05:00"}
    response, resolution = evaluate_row(BOOK, row, 2)
    assert response["status"] == "met"
    assert response["due"] == "2026-11-23T08:00:00-05:00"
    assert response["elapsed_seconds"] == str(30 * 60 + 25 * 60)
    assert resolution["status"] == "breached"
    assert resolution["due"] == "2026-11-21T17:30:00-05:00"  # 24 real hours
    assert resolution["overrun_seconds"] == str(38 * 3600 + 25 * 60)


def test_rows_of_other_shapes_keep_their_place() -> None:
    header = (*HEADER, "priority_changed_at", "priority_changed_to")
    good = ["A", "vircom", "standard", "P3", "2026-11-20T10:00:00-05:00", "usage", "", "", "",
            "", "", ""]
    changed = ["B", "vircom", "standard", "P3", "2026-11-20T10:00:00-05:00", "usage", "", "",
               "", "", "2026-11-20T10:30:00-05:00", "P1"]
    short = ["C", "vircom", "standard", "P1"]  # no opened_at: the row fails
    columns, errors, count = evaluate_rows(
        BOOK, header, [(2, good), (3, changed), (4, short), (5, good)])
    assert columns[0] == ["A", "A", "B", "B", "A", "A"]
    assert columns[3] == ["P3", "P3", "P1", "P1", "P3", "P3"]  # B was upgraded to P1
    assert [(error.line, error.reason) for error in errors] == [(4, "opened_at: missing")]
    assert count == 3


def test_summary_counts_and_worst_overruns() -> None:
    def columns(*rows: tuple[str, str, str]) -> list[list[str]]:
        full = [(ticket, "p", "t", "P1", "response", status, "", "", "", "", "", overrun, "")
                for ticket, status, overrun in rows]
        return [list(column) for column in zip(*full, strict=True)]

    summary = Summary(worst=2)
    summary.add(columns(("T10", "breached", "10"), ("T30", "breached", "30"),
                        ("T", "met", ""), ("T20", "breached", "20")), tickets=4)
    assert summary.groups[("p", "t", "P1", "response")] == {"breached": 3, "met": 1}
    assert [entry[0] for entry in summary.worst_overruns()] == [30.0, 20.0]
    other = Summary(worst=2)
    other.add(columns(("X", "breached", "99")))
    summary.merge(other)
    assert summary.tickets == 5
    assert [entry[:2] for entry in summary.worst_overruns()] == [(99.0, "X"), (30.0, "T30")]


def test_worst_overruns_tied_at_the_cut_are_ordered_by_ticket_id() -> None:
    # Two kept of three: 30 s, then the two 20 s tie; the larger id wins the tie (rows
    # compare as (overrun, ticket, ...)), whatever order the rows come in.
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        rows = [("T30", "30"), ("A20", "20"), ("B20", "20")]
        full = [(rows[i][0], "p", "t", "P1", "response", "breached", "", "", "", "", "",
                 rows[i][1], "", "", "") for i in order]
        summary = Summary(worst=2)
        summary.add([list(column) for column in zip(*full, strict=True)], tickets=3)
        assert [entry[:2] for entry in summary.worst_overruns()] == [(30.0, "T30"),
                                                                     (20.0, "B20")]


@st.composite
def random_cases(draw: st.DrawFn) -> tuple[Policy, list[list[str]], list[Ticket]]:
    """A random policy (slacalc.testing) and export rows of stop-only tickets for it."""
    policy = draw(policies())
    rows, references = [], []
    for number in range(draw(st.integers(1, 6))):
        ticket = draw(random_tickets(policy, max_events=4, kinds=STOPS))
        first = {}
        for event in ticket.events:
            first.setdefault(event.kind, event.at)
        opened = ticket.opened_at.isoformat()
        attributes = [ticket.attributes.get(key, "") for key in ATTRIBUTES]
        rows.append([f"R{number}", "random", ticket.tier, ticket.priority, opened, *attributes,
                     *(first[kind].isoformat() if kind in first else "" for kind in STOPS)])
        references.append(Ticket(
            id=f"R{number}", tier=ticket.tier, priority=ticket.priority,
            opened_at=datetime.fromisoformat(opened),
            attributes={key: value for key, value in zip(ATTRIBUTES, attributes, strict=True)
                        if value},
            events=[Event(kind=kind, at=datetime.fromisoformat(first[kind].isoformat()))
                    for kind in STOPS if kind in first]))
    return policy, rows, references


ATTRIBUTES = ("category", "channel", "product")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_cases())
def test_batch_rows_equal_the_general_evaluation_on_random_policies(
        case: tuple[Policy, list[list[str]], list[Ticket]]) -> None:
    # Random policies bring what the bundled ones lack: relative targets (next business
    # day by 16:00), `opened:` and attribute conditions, clocks, workaround stops.
    policy, rows, references = case
    header = ("ticket_id", "policy", "tier", "priority", "opened_at", *ATTRIBUTES,
              "responded_at", "resolved_at", "workaround_at")
    book = PolicyBook({"random": policy})
    columns, errors, count = evaluate_rows(book, header, list(enumerate(rows, start=2)))
    expected = []
    for ticket in references:
        expected += [tuple(result[column] for column in RESULT_COLUMNS) for result in
                     rows_of_report(ticket.id or "", "random", policy.evaluate(ticket))]
    assert errors == []
    assert list(zip(*columns, strict=True)) == expected
    assert count == len(rows)


def test_exports_without_stop_columns_and_at_the_end_of_time() -> None:
    header = ("ticket_id", "policy", "tier", "priority", "opened_at", "responded_at")
    rows = [(2, ["A", "vircom", "standard", "P1", "2026-11-20T10:00:00-05:00",
                 "2026-11-20T10:10:00-05:00"]),
            # 72 real hours from New Year's Eve 9998 would fall due in 9999: out of range.
            (3, ["B", "vircom", "standard", "P3", "9998-12-31T10:00:00-05:00", ""]),
            # 4 real hours from the same instant (15:00 UTC) still fall due in 9998.
            (4, ["C", "vircom", "standard", "P1", "9998-12-31T10:00:00-05:00", ""])]
    columns, errors, count = evaluate_rows(BOOK, header, rows)
    assert [error.line for error in errors] == [3]
    assert "9998" in errors[0].reason
    assert columns[0] == ["A", "A", "C", "C"]
    assert columns[5] == ["met", "running", "running", "running"]
    assert columns[7][2:] == ["9998-12-31T10:30:00-05:00", "9998-12-31T14:00:00-05:00"]
    assert columns[8] == ["2026-11-20T10:10:00-05:00", "", "", ""]
    assert count == 2


def test_a_stop_typed_millennia_late_fails_alone() -> None:
    header = ("ticket_id", "policy", "tier", "priority", "opened_at", "resolved_at")
    rows = [(2, ["A", "vircom", "standard", "P1", "2026-11-20T10:00:00-05:00",
                 "2026-11-20T11:00:00-05:00"]),
            (3, ["B", "vircom", "standard", "P1", "2026-11-20T10:00:00-05:00",
                 "9026-11-20T11:00:00-05:00"]),
            # In UTC this is year 10000, beyond what datetime holds.
            (4, ["C", "vircom", "standard", "P1", "9999-12-31T23:00:00-05:00", ""])]
    columns, errors, count = evaluate_rows(BOOK, header, rows)
    assert [error.line for error in errors] == [3, 4]
    assert "more than 100 years apart" in errors[0].reason
    assert "year 10000 was needed" in errors[1].reason
    assert columns[0] == ["A", "A"]
    # The resolution stops the 30-minute response clock at 11:00, half an hour late.
    assert columns[5] == ["breached", "met"]
    assert columns[11] == ["1800", ""]
    assert count == 1


def test_a_status_the_kernel_never_writes_is_still_counted() -> None:
    # Summary.add of columns a caller made, with a status outside STATUSES ("error", as
    # slacalc.frame writes for a bad row): counted under its own name, the rest as usual.
    full = [("T1", "p", "t", "P1", "response", "error", "", "", "", "", "", "", "", "", ""),
            ("T2", "p", "t", "P1", "response", "met", "", "", "", "", "", "", "", "", ""),
            ("T3", "p", "t", "P1", "response", "error", "", "", "", "", "", "", "", "", "")]
    summary = Summary()
    summary.add([list(column) for column in zip(*full, strict=True)], tickets=3)
    assert summary.groups[("p", "t", "P1", "response")] == {"error": 2, "met": 1}
