"""Event logs (a tickets table and an events table) give, ticket by ticket, what the model
path gives: `Policy.evaluate` of the `Ticket` made of the ticket row and its events,
whatever the order of the events file; bad rows are named by file and line."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import Event, Policy, Ticket
from slacalc.batch import RESULT_COLUMNS, ExportError, PolicyBook, rows_of_report
from slacalc.batch import _eventlog as eventlog
from slacalc.batch._blocks import cells, read_table
from slacalc.batch._cells import ColumnRows
from slacalc.batch._eventlog import Table, evaluate_log
from slacalc.batch._lines import Lines, joined
from slacalc.cli import main
from slacalc.testing import policies
from slacalc.testing import tickets as random_tickets

TICKETS = ("ticket_id", "policy", "tier", "priority", "opened_at", "category")
EVENTS = ("ticket_id", "at", "kind", "priority", "answered", "confirmed", "note")


def _event_row(ticket_id: str, event: Any) -> list[str]:
    return [ticket_id, event.at.isoformat(), event.kind, event.priority or "",
            "" if event.answered is None else str(event.answered).lower(),
            "" if event.confirmed else "false", event.note or ""]


@st.composite
def _logs(draw: st.DrawFn) -> tuple[Policy, list[Ticket], list[list[str]], list[list[str]]]:
    policy = draw(policies())
    tickets = []
    queues = []
    for number in range(draw(st.integers(1, 6))):
        ticket = draw(random_tickets(policy, max_events=8))
        ticket = ticket.model_copy(update={"id": f"T{number}"})
        tickets.append(ticket)
        queues.append([_event_row(f"T{number}", event) for event in ticket.events])
    events: list[list[str]] = []
    while any(queues):  # the tickets' events interleaved at random, each ticket's in order
        queue = draw(st.sampled_from([queue for queue in queues if queue]))
        events.append(queue.pop(0))
    rows = [[ticket.id or "", "random", ticket.tier, ticket.priority,
             ticket.opened_at.isoformat(), ticket.attributes.get("category", "")]
            for ticket in tickets]
    return policy, tickets, rows, events


def _tables(rows: list[list[str]], events: list[list[str]]) -> tuple[Table, Table]:
    return (Table("tickets.csv", TICKETS, list(enumerate(rows, start=2))),
            Table("events.csv", EVENTS, list(enumerate(events, start=2))))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_logs())
def test_an_event_log_equals_the_model_path(
        log: tuple[Policy, list[Ticket], list[list[str]], list[list[str]]]) -> None:
    policy, tickets, rows, events = log
    columns, errors, count = evaluate_log(PolicyBook({"random": policy}), *_tables(rows, events))
    expected = []
    for ticket in tickets:  # as read back from the text (fixed offsets, as written)
        attributes = {key: value for key, value in ticket.attributes.items()
                      if key == "category" and value}
        report = policy.evaluate(ticket.model_copy(update={
            "attributes": attributes,
            "opened_at": datetime.fromisoformat(ticket.opened_at.isoformat()),
            "events": tuple(event.model_copy(update={
                "at": datetime.fromisoformat(event.at.isoformat())})
                for event in ticket.events)}))
        expected += [tuple(row[column] for column in RESULT_COLUMNS)
                     for row in rows_of_report(ticket.id or "", "random", report)]
    assert errors == []
    assert list(zip(*columns, strict=True)) == expected
    assert count == len(tickets)


VIRCOM = ["T1", "vircom", "standard", "P2", "2026-11-20T17:30:00-05:00", ""]


def test_a_ticket_and_its_events_by_hand() -> None:
    # vircom standard P2: 1 business hour response on 07:30-18:00 Toronto. Opened Fri
    # 17:30, responded Mon 07:55 -> met, due Mon 08:00 (30 minutes Friday, 30 Monday).
    events = [["T1", "2026-11-23T07:55-05:00", "responded", "", "", "", ""]]
    columns, errors, count = evaluate_log(PolicyBook(), *_tables([VIRCOM], events))
    response = dict(zip(RESULT_COLUMNS, [column[0] for column in columns], strict=True))
    assert (errors, count) == ([], 1)
    assert (response["status"], response["due"]) == ("met", "2026-11-23T08:00:00-05:00")
    assert response["stopped_at"] == "2026-11-23T07:55:00-05:00"


@pytest.mark.parametrize(("event", "message"), [
    (["T9", "2026-11-23T07:55:00-05:00", "responded"], "ticket_id 'T9' has no ticket row"),
    (["T1", "2026-11-23T07:55:00-05:00", "respondd"], "did you mean 'responded'?"),
    (["T1", "2026-11-23T07:55:00", "responded"], "has no UTC offset"),
    (["T1", "Monday", "responded"], "malformed instant 'Monday'"),
    (["T1", "2026-11-23T07:55:00-05:00", "priority_changed"], "needs the new priority"),
    (["T1", "2026-11-23T07:55:00-05:00", "contact_attempt"], "answered: contact_attempt"),
    (["T1", "2026-11-23T07:55:00-05:00"], "2 cells, the header has 3"),
])
def test_a_bad_event_names_its_line_and_fails_its_ticket(event: list[str],
                                                         message: str) -> None:
    good = ["T2", *VIRCOM[1:]]
    tickets = Table("tickets.csv", TICKETS, [(2, VIRCOM), (3, good)])
    events = Table("events.csv", ("ticket_id", "at", "kind"),
                   [(2, event), (3, ["T2", "2026-11-23T07:55:00-05:00", "responded"])])
    columns, errors, count = evaluate_log(PolicyBook(), tickets, events)
    reasons = [(error.line, error.reason) for error in errors]
    assert any(line == 2 and reason.startswith("events.csv:2: ") and message in reason
               for line, reason in reasons), reasons
    if event[0] == "T1":  # a row of the wrong width too: T1 would lose that event
        assert (2, "not evaluated: its event at events.csv:2 is bad") in reasons
    assert set(columns[0]) == {"T2"} | ({"T1"} if event[0] != "T1" else set())
    assert count == len(set(columns[0]))


def test_a_ticket_that_fails_on_its_own_fields_costs_no_event(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # T1 is opened after --now: its row error comes before its events are read, so none
    # of its two is made an `Event` (a log evaluated as of a date before most openings
    # took ten times as long when each was). T2 (P9: no such priority) fails too. T3 has
    # 70 events (35 waits on the customer), more than the columns take, so it is
    # evaluated singly: its 70 are made, and its rows are those of `Policy.evaluate` of
    # the same ticket.
    late = ["T1", "vircom", "standard", "P2", "2026-12-05T09:00:00-05:00", ""]
    unknown = ["T2", "vircom", "standard", "P9", "2026-11-20T17:30:00-05:00", ""]
    many = ["T3", *VIRCOM[1:]]
    events = [["T1", "2026-12-05T10:00:00-05:00", "responded", "", "", "", ""],
              ["T1", "2026-12-05T11:00:00-05:00", "resolved", "", "", "", ""],
              ["T2", "2026-11-23T07:55:00-05:00", "responded", "", "", "", ""]]
    notes = [["T3", f"2026-11-23T{8 + minute // 60:02}:{minute % 60:02}:00-05:00",
              ("awaiting_customer", "customer_replied")[minute % 2], "", "", "", ""]
             for minute in range(70)]  # (waiting on the customer, a minute at a time)
    made: list[int] = []
    event = eventlog._event
    monkeypatch.setattr(eventlog, "_event", lambda log, index: made.append(index) or event(
        log, index))
    now = datetime.fromisoformat("2026-12-01T00:00:00-05:00")
    columns, errors, count = evaluate_log(PolicyBook(), *_tables(
        [late, unknown, many], events + notes), now=now)
    assert [(error.line, error.reason) for error in errors][:1] == [
        (2, "--now 2026-12-01T00:00:00-05:00 is before opened_at")]
    assert [error.line for error in errors] == [2, 3]  # (T2: its priority named)
    assert made == list(range(3, 73))  # T3's 70 events, and none of T1's or T2's
    assert count == 1
    ticket = Ticket(id="T3", tier="standard", priority="P2",
                    opened_at=datetime.fromisoformat(many[4]), events=tuple(
                        Event(kind=row[2], at=datetime.fromisoformat(row[1]))
                        for row in notes))
    expected = rows_of_report("T3", "vircom", PolicyBook().get("vircom").evaluate(
        ticket, now))
    assert list(zip(*columns, strict=True)) == [
        tuple(row[column] for column in RESULT_COLUMNS) for row in expected]


def test_a_ticket_row_twice_and_missing_columns() -> None:
    tickets = Table("tickets.csv", TICKETS, [(2, VIRCOM), (3, VIRCOM)])
    _, errors, count = evaluate_log(PolicyBook(), tickets, Table("events.csv", EVENTS, []))
    assert [(error.line, error.reason) for error in errors] == [
        (3, "ticket_id 'T1' is already on line 2")]
    assert count == 1
    with pytest.raises(ExportError, match=r"events\.csv: no kind column"):
        evaluate_log(PolicyBook(), tickets, Table("events.csv", ("ticket_id", "at"), []))
    flat = Table("tickets.csv", (*TICKETS, "responded_at"), [])
    with pytest.raises(ExportError, match="remove the column responded_at"):
        evaluate_log(PolicyBook(), flat, Table("events.csv", EVENTS, []))


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def test_the_command_line_reads_an_event_log(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    rows = [VIRCOM, ["T2", *VIRCOM[1:]], ["T3", *VIRCOM[1:]]]
    events = [["T2", "2026-11-23T09:00:00-05:00", "awaiting_customer", "", "", "", ""],
              ["T1", "2026-11-23T07:55:00-05:00", "responded", "", "", "", ""],
              ["T2", "2026-11-23T07:40:00-05:00", "responded", "", "", "", ""],
              ["T9", "2026-11-23T07:40:00-05:00", "responded", "", "", "", ""]]
    _write(tmp_path / "tickets.csv", TICKETS, rows)
    _write(tmp_path / "events.csv.gz", EVENTS, events)
    outputs = []
    for jobs in ("1", "2"):
        out, bad = tmp_path / f"out{jobs}.csv", tmp_path / f"bad{jobs}.csv"
        status = main(["report", str(tmp_path / "tickets.csv"), "--events",
                       str(tmp_path / "events.csv.gz"), "--format", "csv", "-o", str(out),
                       "--errors", str(bad), "--jobs", jobs,
                       "--now", "2026-11-30T12:00:00Z"])
        assert status == 1  # the orphan event is a row error
        outputs.append(out.read_text())
        err = capsys.readouterr().err
        assert "is not grouped by ticket" in err  # T2, T1, T2: read whole, then
        assert "events.csv.gz:5 (T9): ticket_id 'T9' has no ticket row" in err
        with bad.open() as handle:
            assert list(csv.reader(handle))[1:] == [
                ["5", "T9", "events.csv.gz:5: ticket_id 'T9' has no ticket row"]]
    assert outputs[0] == outputs[1]
    results = list(csv.DictReader(outputs[0].splitlines()))
    assert [(row["ticket_id"], row["metric"], row["status"]) for row in results] == [
        ("T1", "response", "met"), ("T1", "resolution", "breached"),
        ("T2", "response", "met"), ("T2", "resolution", "breached"),  # 24 h, Sat 17:30
        ("T3", "response", "breached"), ("T3", "resolution", "breached")]
    assert datetime.fromisoformat(results[0]["due"]) == datetime.fromisoformat(
        "2026-11-23T08:00:00-05:00")


def test_grouped_events_are_streamed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Grouped by ticket in the tickets' order: one pass in blocks of 50 tickets, no note;
    # the same rows as the same events reversed (which take the second pass).
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 50)
    log = Path(__file__).resolve().parent.parent / "examples" / "eventlog"
    rows = list(csv.reader(io.StringIO((log / "events.csv").read_text(encoding="utf-8"))))
    shuffled = tmp_path / "shuffled.csv"
    _write(shuffled, tuple(rows[0]), rows[:0:-1])  # reversed: every ticket out of place
    found = []
    for events in (log / "events.csv", shuffled):
        out = tmp_path / "out.csv"
        assert main(["report", str(log / "tickets.csv"), "--events", str(events),
                     "--format", "csv", "-o", str(out), "--now", "2026-11-30T12:00:00Z"]) == 0
        found.append(out.read_text())
        noted = "is not grouped by ticket" in capsys.readouterr().err
        assert noted == (events == shuffled)
    assert found[0] == found[1]


_LINES = st.lists(st.tuples(st.text(alphabet="ab ,", max_size=6),
                            st.sampled_from(["\n", "\r\n"])).map("".join),
                  min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(_LINES, st.integers(1, 4), st.booleans())
def test_a_block_of_raw_lines_splits_as_csv_reader_reads_it(
        lines: list[str], width: int, last_unended: bool) -> None:
    # The reference is csv.reader on each line (no quotes in the block, as for every raw
    # block): the one-pass split of a usual block and the line-by-line split of any other
    # give the same cells, numbered as given.
    if last_unended:
        lines[-1] = lines[-1].rstrip("\n")
    lines = [line for line in lines if line.rstrip("\r\n")] or ["a" + "," * (width - 1)]
    records = list(enumerate(lines, start=2))
    expected = [(line, next(csv.reader([text.rstrip("\r\n")]), [""]))
                for line, text in records]
    split = cells(records, width)
    assert [(line, list(cells)) for line, cells in split] == expected


def test_blank_lines_and_crlf_keep_every_line_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A blank line inside each file is no row, and the rows after it keep their own line
    # numbers: the bad event is on line 4 of the events file (CRLF endings), its ticket
    # on line 4 of the tickets file. T1: vircom P2 opened Fri 17:30 EST, responded Mon
    # 07:55; 1 business hour from 07:30-18:00 -> due Mon 08:00: met.
    tickets, events = tmp_path / "tickets.csv", tmp_path / "events.csv"
    tickets.write_text("ticket_id,policy,tier,priority,opened_at\n"
                       "T1,vircom,standard,P2,2026-11-20T17:30:00-05:00\n\n"
                       "T2,vircom,standard,P2,2026-11-20T17:30:00-05:00\n", encoding="utf-8")
    events.write_bytes(b"ticket_id,at,kind\r\nT1,2026-11-23T07:55:00-05:00,responded\r\n\r\n"
                       b"T2,2026-11-23T07:55:00-05:00,bogus\r\n")
    out = tmp_path / "out.csv"
    assert main(["report", str(tickets), "--events", str(events), "--format", "csv", "-o",
                 str(out), "--now", "2026-11-23T12:00:00-05:00"]) == 1
    err = capsys.readouterr().err
    assert f"{events.name}:4" in err
    assert "'bogus'" in err
    assert f"{tickets}:4 (T2): not evaluated: its event at {events.name}:4 is bad" in err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(row["ticket_id"], row["metric"], row["status"], row["due"]) for row in rows
            ][:1] == [("T1", "response", "met", "2026-11-23T08:00:00-05:00")]
    assert {row["ticket_id"] for row in rows} == {"T1"}


def test_a_quoted_note_mid_file_switches_to_csv_parsing_with_the_same_results(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The example log read in blocks of 40 tickets, once as shipped and once with a note
    # far into the events file quoted over two lines (a comma, quotes, a line break) and
    # a later event's kind made unknown. From the quote on the file is parsed as csv
    # reads it: the same results for every other ticket, and the bad event named by the
    # line csv.reader ends it on (the reference).
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 40)
    log = Path(__file__).resolve().parent.parent / "examples" / "eventlog"
    with (log / "events.csv").open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    rows[300][header.index("note")] = 'called back, "twice"\nthen mailed'
    bad = rows[450][0]
    rows[450][header.index("kind")] = "bogus"
    changed = tmp_path / "events.csv"
    _write(changed, tuple(header), rows)
    with changed.open(newline="") as handle:
        reader = csv.reader(handle)
        line = next(reader.line_num for row in reader if row == rows[450])
    found = []
    for events in (log / "events.csv", changed):
        out = tmp_path / "out.csv"
        main(["report", str(log / "tickets.csv"), "--events", str(events), "--format",
              "csv", "-o", str(out), "--now", "2026-11-30T12:00:00Z"])
        written = csv.reader(io.StringIO(out.read_text(encoding="utf-8")))
        found.append([row for row in written if row[0] != bad])
    err = capsys.readouterr().err
    assert f"events.csv:{line} ({bad}): kind: unknown event kind 'bogus'" in err
    assert line == 453  # one line more than its row number: the note's line break
    assert found[0] == found[1]
    assert len(found[0]) > 500


def test_numbered_lines_join_and_slice_keeping_their_numbers() -> None:
    # Lines 2-3 then 4: one range 2-4; then line 9 (after blank lines): a list of numbers.
    first, second = Lines(range(2, 4), ["a\n", "b\n"]), Lines(range(4, 5), ["c\n"])
    both = first + second
    assert (both.numbers, both.texts) == (range(2, 5), ["a\n", "b\n", "c\n"])
    gap = both + Lines([9], ["d\n"])
    assert (gap.numbers, list(gap)) == ([2, 3, 4, 9], [(2, "a\n"), (3, "b\n"), (4, "c\n"),
                                                       (9, "d\n")])
    assert (gap[1:3].numbers, gap[1:3].texts, gap[-1]) == ([3, 4], ["b\n", "c\n"], (9, "d\n"))
    assert joined([], second) is second
    assert joined(first, []) is first
    assert joined([(1, ["x"])], second) == [(1, ["x"]), (4, "c\n")]  # parsed rows: a list


def test_column_rows_read_row_by_row_as_the_rows_they_hold() -> None:
    # Two rows of three cells held as three columns: row i is (line i, cells i).
    rows = ColumnRows([2, 5], [["T1", "T2"], ["a", "b"], ["x", "y"]])
    assert len(rows) == 2
    assert rows[1] == (5, ("T2", "b", "y"))
    assert rows[-2] == (2, ("T1", "a", "x"))
    assert list(rows) == [(2, ("T1", "a", "x")), (5, ("T2", "b", "y"))]
    tail = rows[1:]
    assert (tail.lines, tail.columns) == ([5], [["T2"], ["b"], ["y"]])
    with pytest.raises(IndexError):
        rows[2]
    assert list(ColumnRows([2, 3], [])) == [(2, ()), (3, ())]  # rows of no cell


def test_rows_with_more_cells_than_the_header_are_errors(tmp_path: Path) -> None:
    # A usual block with one row two cells too long: the one-pass split is not taken for
    # it, and that row is an error naming its line, the others evaluated.
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,policy,tier,priority,opened_at\n"
        "T1,vircom,standard,P2,2026-11-20T17:30-05:00\n"
        "T2,vircom,standard,P2,2026-11-20T17:30-05:00,x,y\n", encoding="utf-8")
    (tmp_path / "events.csv").write_text("ticket_id,at,kind\n"
                                         "T1,2026-11-23T07:55-05:00,responded\n",
                                         encoding="utf-8")
    table = read_table(tmp_path / "tickets.csv")
    events = read_table(tmp_path / "events.csv")
    columns, errors, count = evaluate_log(
        PolicyBook(), Table(table.name, table.header, cells(table.rows, 5)),
        Table(events.name, events.header, cells(events.rows, 3)))
    assert count == 1
    assert [(error.line, error.reason) for error in errors] == \
        [(3, "7 cells, the header has 5")]
    assert set(columns[0]) == {"T1"}


_SHIPPED = Path(__file__).resolve().parent.parent / "examples" / "eventlog"
_EXPECTED: list[str] = []  # the shipped files' results, made once


def _shipped_report(tickets: Path, events: Path, out: Path) -> str:
    main(["report", str(tickets), "--events", str(events), "--format", "csv", "-o", str(out),
          "--now", "2026-11-30T12:00:00Z"])
    return out.read_text()


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=st.integers(1, 70), ending=st.sampled_from(["\n", "\r\n"]),
       blanks=st.lists(st.tuples(st.booleans(), st.integers(0, 1200)), max_size=6))
def test_any_block_size_line_ending_and_blank_lines_stream_the_same_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *, block: int, ending: str, blanks: list[tuple[bool, int]]) -> None:
    # The shipped log streamed in blocks of any size, its lines ended by LF or CRLF, with
    # blank lines put anywhere in either file: the results are those of the shipped files
    # read as they are (the reference), and the streamed pass is kept (no regrouping).
    if not _EXPECTED:
        _EXPECTED.append(_shipped_report(_SHIPPED / "tickets.csv", _SHIPPED / "events.csv",
                                         tmp_path / "expected.csv"))
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", block)
    paths = {}
    for name in ("tickets", "events"):
        lines = (_SHIPPED / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        for in_events, where in blanks:
            if in_events == (name == "events"):
                lines.insert(1 + where % len(lines), "")  # never before the header
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes((ending.join(lines) + ending).encode("utf-8"))
    capsys.readouterr()
    found = _shipped_report(paths["tickets"], paths["events"], tmp_path / "found.csv")
    assert "is not grouped by ticket" not in capsys.readouterr().err
    assert found == _EXPECTED[0]


def test_yes_no_cells_read_in_any_case_and_anything_else_is_the_rows_error() -> None:
    # T1: " TRUE " confirms its resolution (spaces and case do not matter) and "No"
    # answers its contact attempt: evaluated. T2: "maybe" is no confirmation; T3: a
    # contact attempt needs an answer. Each bad event is its row's error, naming its line,
    # and its ticket is not evaluated (its verdict would be wrong).
    tickets = Table("tickets.csv", TICKETS, [(2, VIRCOM), (3, ["T2", *VIRCOM[1:]]),
                                             (4, ["T3", *VIRCOM[1:]])])
    stamp = "2026-11-23T09:00:00-05:00"
    events = Table("events.csv", EVENTS, [
        (2, ["T1", stamp, "contact_attempt", "", "No", "", ""]),
        (3, ["T1", stamp, "resolved", "", "", " TRUE ", ""]),
        (4, ["T2", stamp, "resolved", "", "", "maybe", ""]),
        (5, ["T3", stamp, "contact_attempt", "", "", "", ""])])
    columns, errors, count = evaluate_log(PolicyBook(), tickets, events)
    assert count == 1
    assert set(columns[0]) == {"T1"}
    assert [(error.line, error.ticket_id, error.reason) for error in errors] == [
        (3, "T2", "not evaluated: its event at events.csv:4 is bad"),
        (4, "T3", "not evaluated: its event at events.csv:5 is bad"),
        (4, "T2", "events.csv:4: confirmed: not true or false"),
        (5, "T3", "events.csv:5: answered: contact_attempt needs true or false")]
