"""How events reach their tickets: an events file streamed beside its tickets file, in
any order (block by block when it is grouped by ticket in the tickets' order, read whole
otherwise, the same results), a ticket spoilt by a bad event keeping its good ones, and a
ticket row repeated in a later block (found from the blocks' id hashes)."""

from __future__ import annotations

import csv
import pickle
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slacalc.batch import RESULT_COLUMNS
from slacalc.batch._cells import split_lines
from slacalc.batch._eventlog import Strays, Table, evaluate_log
from slacalc.batch._lines import Lines
from slacalc.batch._logrun import _cut
from slacalc.batch._rows import PolicyBook
from slacalc.cli import main

_SHIPPED = Path(__file__).resolve().parent.parent / "examples" / "eventlog"


def test_the_cut_is_after_the_last_event_of_the_blocks_tickets() -> None:
    # Rows of tickets T1, T1, T2, T3 (the id first, then anything): T1 and T2 are the
    # block's, so three rows are; none, all, and an empty list are the edges.
    rows = Lines(range(2, 6), ["T1,a\n", "T1,b\n", " T2 ,c\n", "T3,d\n"])
    assert _cut(rows, 0, {"T1", "T2"}) == 3
    assert _cut(rows, 0, {"T9"}) == 0
    assert _cut(rows, 0, {"T1", "T2", "T3"}) == 4
    assert _cut(Lines(range(2, 2), []), 0, {"T1"}) == 0
    # Parsed rows and a key in the second column.
    assert _cut([(2, ["a", "T1"]), (3, ["b", "T2"])], 1, {"T1"}) == 1


def _lines(texts: list[str], width: int) -> list[list[str]] | None:
    """`split_lines` of lines, given both ways a block holds them: as texts, and as the one
    string of bytes a block is pickled as (the two must agree)."""
    held = Lines(range(2, 2 + len(texts)), texts)
    found = split_lines(held.commas(), len(texts), width)
    sent = pickle.loads(pickle.dumps(held))
    assert sent.texts == texts
    assert split_lines(sent.commas(), len(texts), width) == found
    return found


def test_lines_travel_as_one_string_only_when_it_splits_back_into_them() -> None:
    # Lines each ending in a line feed (the last one perhaps not) pickle as one string of
    # bytes;
    # a line ended by a lone carriage return (a line of its own in the csv module's
    # reading) or an empty line could not be found again in it: they pickle as a list.
    for texts, one in ((["a,b\n", "c,d\n"], True), (["a,b\n", "c,d"], True),
                       (["a,b\r", "c,d\n"], False), (["a\n", "", "b\n"], False)):
        lines = Lines(range(2, 2 + len(texts)), texts)
        assert (lines.data is not None) == one
        sent = pickle.loads(pickle.dumps(lines))
        assert (sent.texts, list(sent.numbers), len(sent)) == (texts, list(lines.numbers),
                                                               len(texts))


def test_a_block_of_lines_splits_into_columns_only_when_every_line_has_the_width() -> None:
    # Two cells per line: the columns; the last line may lack its line feed.
    assert _lines(["a,b\n", "c,d\n"], 2) == [["a", "c"], ["b", "d"]]
    assert _lines(["a,b\n", ",\n", "c,d"], 2) == [["a", "", "c"], ["b", "", "d"]]
    # A line with one comma too many and the next with one too few: the count of cells is
    # right (4), but the first line feed is in the third cell, not a last column's.
    assert _lines(["a,b,x\n", "c\n"], 2) is None
    assert _lines(["a\n", "b,c,d\n"], 2) is None
    assert _lines(["a,b,c\n", "d\n", "e,f\n", "g,h\n"], 2) is None
    # A line of three cells among lines of two (the count is off), and a carriage return.
    assert _lines(["a,b,x\n", "c,d\n"], 2) is None
    assert _lines(["a,b\r\n"], 2) is None
    assert _lines(['a,"b"\n'], 2) is None  # a quote: the csv module reads the line


@settings(max_examples=300, deadline=None, derandomize=True)
@given(width=st.integers(1, 5),
       lines=st.lists(st.lists(st.text(alphabet="ab ", max_size=3), min_size=1, max_size=7),
                      min_size=1, max_size=8),
       last_feed=st.booleans())
def test_split_agrees_with_the_csv_module(width: int, lines: list[list[str]],
                                          last_feed: bool) -> None:
    # Lines of cells without quotes, none blank (the readers drop blank lines): `split_lines`
    # gives columns exactly when every line has `width` cells, and then the cells
    # `csv.reader` reads (the reference), by column.
    assume(all(",".join(cells) for cells in lines))
    texts = [",".join(cells) + "\n" for cells in lines]
    if not last_feed:
        texts[-1] = texts[-1][:-1]
    found = _lines(texts, width)
    rows = list(csv.reader(texts))
    if {len(row) for row in rows} != {width}:
        assert found is None
    else:
        assert found == [list(column) for column in zip(*rows, strict=True)]


def test_a_streamed_block_with_another_blocks_event_raises_strays() -> None:
    # T2 has no row in this block: as a block's share that is a sign of another order
    # (`Strays`); as the whole log it is T2's row error.
    tickets = Table("tickets.csv", ("ticket_id", "policy", "tier", "priority", "opened_at"),
                    [(2, ["T1", "vircom", "standard", "P2", "2026-11-20T17:30:00-05:00"])])
    events = Table("events.csv", ("ticket_id", "at", "kind"),
                   [(2, ["T2", "2026-11-23T07:55:00-05:00", "responded"])])
    with pytest.raises(Strays):
        evaluate_log(PolicyBook(), tickets, events, whole=False)
    _, errors, count = evaluate_log(PolicyBook(), tickets, events)
    assert count == 1
    assert [error.reason for error in errors] == [
        "events.csv:2: ticket_id 'T2' has no ticket row"]


def test_the_good_events_of_a_spoilt_ticket_are_nobody_elses() -> None:
    # T2's first event has an unknown kind, so T2 is not evaluated; its good `responded`
    # event must not be counted for T1 (an earlier version gave it to the ticket before,
    # T1, which then showed its response met at 07:55). T1 has no event: opened Fri
    # 2026-11-20 17:30 -05:00, 1 business hour in 07:30-18:00 -> due Mon 08:00, and as of
    # Nov 30 it is breached, never stopped.
    opened = "2026-11-20T17:30:00-05:00"
    tickets = Table("tickets.csv", ("ticket_id", "policy", "tier", "priority", "opened_at"),
                    [(2, ["T1", "vircom", "standard", "P2", opened]),
                     (3, ["T2", "vircom", "standard", "P2", opened])])
    events = Table("events.csv", ("ticket_id", "at", "kind"),
                   [(2, ["T2", "2026-11-23T07:55:00-05:00", "bogus"]),
                    (3, ["T2", "2026-11-23T07:55:00-05:00", "responded"])])
    columns, errors, count = evaluate_log(PolicyBook(), tickets, events,
                                          now=datetime(2026, 11, 30, 12, tzinfo=UTC))
    rows = [dict(zip(RESULT_COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]
    assert count == 1
    assert [(row["ticket_id"], row["metric"], row["status"], row["stopped_at"])
            for row in rows] == [("T1", "response", "breached", ""),
                                 ("T1", "resolution", "breached", "")]
    assert datetime.fromisoformat(rows[0]["due"]) == datetime.fromisoformat(
        "2026-11-23T08:00:00-05:00")
    assert [error.reason for error in errors] == [
        "not evaluated: its event at events.csv:2 is bad",
        "events.csv:2: kind: unknown event kind 'bogus'; kinds: responded, awaiting_customer, "
        "customer_replied, priority_changed, workaround, resolved, reopened, contact_attempt, "
        "closed, tier_changed"]


def _report(tickets: Path, events: Path, out: Path) -> tuple[int, str]:
    status = main(["report", str(tickets), "--events", str(events), "--format", "csv",
                   "-o", str(out), "--errors", str(out.with_suffix(".bad")),
                   "--now", "2026-11-30T12:00:00Z"])
    return status, out.read_text() + out.with_suffix(".bad").read_text()


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=st.integers(1, 40), moved=st.integers(0, 10_000), to=st.integers(0, 10_000),
       odd=st.one_of(st.none(), st.tuples(st.integers(0, 10_000), st.integers(0, 10_000))))
def test_an_event_moved_anywhere_gives_the_results_of_one_block(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *, block: int, moved: int, to: int, odd: tuple[int, int] | None) -> None:
    # The shipped events with one line moved elsewhere (often out of its ticket's group)
    # and perhaps one row of the wrong width for some ticket, put anywhere (its ticket is
    # then not evaluated, wherever that row lands): streamed in blocks of any size, the report
    # equals the one made of a single block holding every ticket, where no order matters
    # (the reference), row errors included.
    lines = (_SHIPPED / "events.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    line = rows.pop(moved % len(rows))
    rows.insert(to % (len(rows) + 1), line)
    if odd is not None:
        ticket_id = rows[odd[0] % len(rows)].partition(",")[0]
        rows.insert(odd[1] % len(rows), f"{ticket_id},2026-11-23T07:55:00-05:00")
    events = tmp_path / "events.csv"
    events.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 10**6)
    expected = _report(_SHIPPED / "tickets.csv", events, tmp_path / "expected.csv")
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", block)
    capsys.readouterr()
    assert _report(_SHIPPED / "tickets.csv", events, tmp_path / "found.csv") == expected
    capsys.readouterr()


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=st.integers(1, 40), copied=st.integers(0, 10_000), to=st.integers(0, 10_000),
       with_event=st.booleans())
def test_a_ticket_row_repeated_anywhere_gives_the_results_of_one_block(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *, block: int, copied: int, to: int, with_event: bool) -> None:
    # The shipped tickets with one row copied elsewhere (its id then repeated; perhaps an
    # event of that id put just after the copy's place among the events): streamed in
    # blocks of any size, the report equals the one made of a single block holding every
    # ticket (the reference, where the repeat is caught within the block), and the copy is
    # a row error naming the first row's line.
    lines = (_SHIPPED / "tickets.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    row = rows[copied % len(rows)]
    place = to % (len(rows) + 1)
    rows.insert(place, row)
    first = rows.index(row) + 2  # line numbers count the header
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    events = _SHIPPED / "events.csv"
    if with_event:
        event_lines = events.read_text(encoding="utf-8").splitlines()
        after = rows[place - 1].partition(",")[0] if place else ""
        at = max((index for index, text in enumerate(event_lines)
                  if text.startswith(f"{after},")), default=0) + 1
        ticket_id, opened = row.split(",")[0], row.split(",")[4]
        event_lines.insert(at, f"{ticket_id},{opened},responded,,,,")
        events = tmp_path / "events.csv"
        events.write_text("\n".join(event_lines) + "\n", encoding="utf-8")
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 10**6)
    expected = _report(tickets, events, tmp_path / "expected.csv")
    assert f"ticket_id '{row.partition(',')[0]}' is already on line {first}" in expected[1]
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", block)
    capsys.readouterr()
    assert _report(tickets, events, tmp_path / "found.csv") == expected
    capsys.readouterr()


def test_a_repeat_in_a_later_block_is_caught_and_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Three ticket rows, blocks of one: T1's row again on line 4. vircom standard P2:
    # first reaction within 1 business hour, resolution within 24 real hours. T1 was
    # responded to at 08:10, opened Mon 08:00: met; T2 never: breached; neither resolved
    # by Mon 30th: both resolutions breached. The repeat is a row error, not a third
    # ticket.
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("ticket_id,policy,tier,priority,opened_at\n"
                       "T1,vircom,standard,P2,2026-11-23T08:00:00-05:00\n"
                       "T2,vircom,standard,P2,2026-11-23T08:00:00-05:00\n"
                       "T1,vircom,standard,P2,2026-11-23T08:00:00-05:00\n")
    events = tmp_path / "events.csv"
    events.write_text("ticket_id,at,kind\nT1,2026-11-23T08:10:00-05:00,responded\n")
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 1)
    status, text = _report(tickets, events, tmp_path / "out.csv")
    assert status == 1
    err = capsys.readouterr().err
    assert "tickets.csv has a ticket_id in two blocks: reading " in err
    assert "tickets.csv:4 (T1): ticket_id 'T1' is already on line 2" in err
    results = [line.split(",") for line in text.splitlines() if line.startswith("T")]
    assert sorted((cells[0], cells[4], cells[5]) for cells in results) == [
        ("T1", "resolution", "breached"), ("T1", "response", "met"),
        ("T2", "resolution", "breached"), ("T2", "response", "breached")]


def test_a_hash_alone_never_decides_a_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Every block's ids hashed alike (as if all collided): the report starts again, reads
    # the ids themselves, and gives the results of the shipped log with no row error.
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 10**6)
    expected = _report(_SHIPPED / "tickets.csv", _SHIPPED / "events.csv",
                       tmp_path / "expected.csv")
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 7)
    monkeypatch.setattr("slacalc.batch._logrun.id_hashes",
                        lambda ids: np.zeros(min(len(ids), 1), dtype=np.uint64))
    capsys.readouterr()
    assert _report(_SHIPPED / "tickets.csv", _SHIPPED / "events.csv",
                   tmp_path / "found.csv") == expected
    assert "has a ticket_id in two blocks" in capsys.readouterr().err
