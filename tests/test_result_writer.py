"""Result lines joined from codes (`slacalc.batch._writer`) and the texts they are joined
from agree with independent references: ``csv.writer`` for the lines (and the OWASP rule
for formula escaping), ``datetime.isoformat`` for instants, the exact decimal for seconds.

Every property below fails if the fast path is wrong: the lines are compared whole, and
the cases draw cells with commas, quotes, carriage returns, line feeds, NULs, non-ASCII
text, empty cells and every formula start, so both the joined path and the fallback to
the text path are held to the same reference.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import load_policy
from slacalc.batch import RESULT_COLUMNS, PolicyBook
from slacalc.batch import _writer as writer
from slacalc.batch._eventlog import Table, evaluate_log
from slacalc.batch._found import _seconds_texts
from slacalc.batch._instants import END_US, FIRST_US, TextTable, instant_texts
from slacalc.batch._measures import Measured
from slacalc.batch._output import RAW_CSV, chunk_done, format_columns
from slacalc.batch._writer import Coded, combinations, csv_lines, plain
from slacalc.testing import policies
from slacalc.testing import tickets as random_tickets

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
DAY = 86_400 * 1_000_000
STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's formula starts
ESCAPED = {"ticket_id", "policy", "tier", "priority", "target", "reason"}  # cli.md
TRICKY = st.text(alphabet=st.sampled_from(
    [*"ab7 ,\"'\r\n\x00\t=+-@", "é", "ü", "\u2013", "\U0001f600"]), max_size=6)
PLAIN = st.text(alphabet=st.sampled_from([*"ab7 '", "é", "\u2013"]), max_size=6)
STARTED = st.builds(str.__add__, st.sampled_from(["", "", *STARTS]), PLAIN)  # maybe a formula
TICKETS = ("ticket_id", "policy", "tier", "priority", "opened_at", "category")
EVENTS = ("ticket_id", "at", "kind", "priority", "answered", "confirmed", "note")


def csv_reference(rows: list[tuple[str, ...]], *, escape: bool = False) -> str:
    """The rows as ``csv.writer`` writes them (a cell holding a carriage return or a line
    feed quoted: they are the writer's line terminator), each line ended by ``\\n``; with
    ``escape``, the text cells starting like a formula get a single quote first."""
    text = ""
    for row in rows:
        shown = tuple("'" + cell if escape and name in ESCAPED and cell[:1] in STARTS
                      else cell for name, cell in zip(RESULT_COLUMNS, row, strict=True))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(shown)
        text += buffer.getvalue()[:-2] + "\n"
    return text


# -- instants and seconds --------------------------------------------------------------

OFFSETS = st.one_of(
    st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda minutes: minutes * 60_000_000),
    st.integers(-86_399, 86_399).map(lambda seconds: seconds * 1_000_000),  # odd seconds
    st.integers(-DAY + 1, DAY - 1))  # a fraction of a second (the slow path)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(FIRST_US, END_US - 1), OFFSETS, st.booleans()),
                min_size=1, max_size=30))
def test_instant_texts_are_isoformat(cases: list[tuple[int, int, bool]]) -> None:
    # Instants across UTC years 2..9998 (local years 1..9999), whole or not, at any
    # offset under a day; written twice, so the second call reads the kept texts.
    us = np.array([value if micro else value - value % 1_000_000
                   for value, _, micro in cases], dtype=np.int64)
    offsets = np.array([offset for _, offset, _ in cases], dtype=np.int64)
    expected = [(EPOCH + timedelta(microseconds=value)).astimezone(
        timezone(timedelta(microseconds=offset))).isoformat()
        for value, offset in zip(us.tolist(), offsets.tolist(), strict=True)]
    assert instant_texts(us, offsets).tolist() == expected
    assert instant_texts(us, offsets).tolist() == expected


def test_instant_texts_by_hand() -> None:
    # 2026-11-20T22:30Z is day 20,777 after 1970-01-01, 22:30 UTC; at -05:00 it is 17:30,
    # at +05:45 04:15 the next day; 0001-01-01T00:00:00-00:44:30 is 00:44:30 UTC of year 1.
    day = 20_777 * DAY + (22 * 3600 + 30 * 60) * 1_000_000
    year_one = (datetime(1, 1, 1, tzinfo=UTC) - EPOCH) // US + 2670 * 1_000_000
    texts = instant_texts(np.array([day, day, day + 1, year_one], dtype=np.int64),
                          np.array([-5 * 3600, 5 * 3600 + 45 * 60, 0, -2670],
                                   dtype=np.int64) * 1_000_000)
    assert texts.tolist() == ["2026-11-20T17:30:00-05:00", "2026-11-21T04:15:00+05:45",
                              "2026-11-20T22:30:00.000001+00:00",
                              "0001-01-01T00:00:00-00:44:30"]


@settings(max_examples=300)
@given(st.lists(st.one_of(st.integers(0, 200_000).map(lambda seconds: seconds * 1_000_000),
                          st.integers(0, 2**17 * 1_000_000 + 10**9),
                          st.integers(-10**12, 2**53)), min_size=1, max_size=30))
def test_seconds_texts_are_seconds(values: list[int]) -> None:
    # Whole seconds print as an integer, anything else with six decimals of the double
    # us / 1e6 (the report's rule); below and above the kept range, and negative.
    expected = [str(value // 1_000_000) if value % 1_000_000 == 0
                else f"{value / 1_000_000:.6f}" for value in values]
    us = np.array(values, dtype=np.int64)
    assert _seconds_texts(us).tolist() == expected
    assert _seconds_texts(us).tolist() == expected


def test_seconds_texts_by_hand() -> None:
    # 90 s; 1.5 s; 2**17 s = 131,072 s (the first not kept); 0 s.
    us = np.array([90_000_000, 1_500_000, 131_072_000_000, 0], dtype=np.int64)
    assert _seconds_texts(us).tolist() == ["90", "1.500000", "131072", "0"]


def test_a_text_table_makes_each_text_once() -> None:
    made: list[int] = []

    def make(value: int) -> str:
        made.append(value)
        return f"<{value}>"

    table = TextTable(10, make)
    assert table.of(np.array([3, 3, 7], dtype=np.int64)).tolist() == ["<3>", "<3>", "<7>"]
    assert table.of(np.array([7, 0], dtype=np.int64)).tolist() == ["<7>", "<0>"]
    assert made == [3, 7, 0]


# -- codes -------------------------------------------------------------------------------

@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-2, 2), st.integers(0, 2**40)),
                min_size=1, max_size=40), st.booleans())
def test_combinations_number_equal_keys_alike(rows: list[tuple[int, int, int]],
                                              collide: bool) -> None:
    # ``collide``: a multiplier of 0 mixes only the last key, so rows that differ in the
    # others collide in the mix and the check must split them apart.
    keys = [np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)]
    with pytest.MonkeyPatch.context() as patch:
        if collide:
            patch.setattr(writer, "_MIX", np.uint64(0))
        code, first = combinations(keys)
    for one in range(len(rows)):
        assert rows[int(first[code[one]])] == rows[one]
        for other in range(len(rows)):
            assert (code[one] == code[other]) == (rows[one] == rows[other])


def test_plain_is_no_quoting() -> None:
    assert plain(["T1", "a b", "é", ""])
    assert plain([])
    for bad in (",", '"', "\r", "\n", "\x00"):
        assert not plain(["T1", f"a{bad}b"]), repr(bad)


# -- lines from columns ------------------------------------------------------------------

@st.composite
def coded_columns(draw: st.DrawFn) -> tuple[list[list[str]], list[np.ndarray], list[str]]:
    """Result columns whose texts come from a few combinations (each a code), as the
    kernel makes them, and the ids of their tickets (the rows' ids and maybe more)."""
    cell = draw(st.sampled_from([TRICKY, PLAIN, STARTED]))  # quoting, neither, formulas
    pool = draw(st.lists(st.tuples(*[cell] * 9), min_size=1, max_size=4))
    shared = [tuple(str(cell) for cell in combo) for combo in pool]  # one object per text
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=12))
    named = draw(st.sampled_from([TRICKY, PLAIN, STARTED]))
    ids = draw(st.lists(named, min_size=len(picks), max_size=len(picks)))
    instants = st.sampled_from(["", "2026-11-23T08:00:00-05:00",
                                "0001-01-01T00:00:00.000001-00:44:30"])
    spans = st.sampled_from(["", "0", "90", "1.500000", "123456789"])
    numbers = [draw(st.lists(kind, min_size=len(picks), max_size=len(picks)))
               for kind in (instants, instants, spans, spans, spans, instants)]
    rows = [(ids[row], *shared[pick][:6], *(numbers[at][row] for at in range(5)),
             *shared[pick][6:8], numbers[5][row]) for row, pick in enumerate(picks)]
    columns = [list(column) for column in zip(*rows, strict=True)]
    # the codes, as the kernel keeps them: the combination of the first six texts, and a
    # number per distinct target, reason and at_risk text
    keys = [np.array(picks, dtype=np.int64)]
    for at in (5, 6, 7):  # target, reason, at_risk
        numbers: dict[str, int] = {}
        keys.append(np.array([numbers.setdefault(shared[pick][at], len(numbers))
                              for pick in picks], dtype=np.int64))
    more = draw(st.lists(named, max_size=2))
    return columns, keys, [*ids, *more]


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(coded_columns())
def test_lines_are_csv_writer_lines(case: tuple[list[list[str]], list[np.ndarray],
                                                list[str]]) -> None:
    columns, keys, names = case
    rows = list(zip(*columns, strict=True))
    text_at = [0, 1, 2, 3, 4, 5, 6, 12, 13]
    made = csv_lines(columns, keys, names)
    quoting = not all(plain([row[at] for row in rows]) for at in text_at) or not plain(names)
    assert (made is None) == quoting
    if made is not None:
        assert made[0] == csv_reference(rows)
        shown = [row[at] for row in rows for at in text_at] + names
        assert made[1] == any(cell[:1] in STARTS for cell in shown)
    coded = Coded(columns, keys, names)
    assert format_columns(columns, "csv", coded) == csv_reference(rows)  # either path
    assert coded.safe_for(columns) == (made is not None and not made[1])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(coded_columns())
def test_text_codes_give_back_every_text_cell(case: tuple[list[list[str]], list[np.ndarray],
                                                         list[str]]) -> None:
    # What the frame builds its text columns from: each column the keys determine, as a
    # code per row and a text per code, equal cell for cell to the column itself.
    columns, keys, names = case
    found = Coded(columns, keys, names).text_codes(columns)
    assert sorted(found) == [1, 2, 3, 4, 5, 6, 12, 13]  # (not the id, instants, seconds)
    for index, (code, texts) in found.items():
        assert [texts[number] for number in code.tolist()] == columns[index]


def test_text_codes_by_hand() -> None:
    # Three rows: the first and third share every key, so every text but the id.
    columns = [["T1", "T2", "T3"], ["vircom"] * 3, ["standard"] * 3, ["P2", "P1", "P2"],
               ["response"] * 3, ["met", "breached", "met"], ["1 hour", "30 min", "1 hour"],
               [""] * 3, [""] * 3, [""] * 3, [""] * 3, [""] * 3,
               ["responded", "responded", "responded"], [""] * 3, [""] * 3]
    keys = [np.array([4, 7, 4]), np.array([0, 1, 0]), np.array([0, 0, 0]),
            np.array([0, 0, 0])]
    found = Coded(columns, keys, columns[0]).text_codes(columns)
    code, texts = found[5]  # status
    assert code.tolist() == [0, 1, 0]
    assert texts == ["met", "breached"]
    assert found[6][1] == ["1 hour", "30 min"]
    assert Coded(columns, keys, columns[0]).text_codes([list(column) for column in
                                                        columns]) == {}  # (other lists)


def test_changed_columns_are_not_written() -> None:
    columns = [["T1"], ["vircom"], ["standard"], ["P2"], ["response"], ["met"], ["1 hour"],
               ["2026-11-23T08:00:00-05:00"], [""], ["90"], ["3510"], [""], ["responded"],
               [""], [""]]
    coded = Coded(columns, [np.zeros(1, dtype=np.int64)] * 4, ["T1"])
    line = "T1,vircom,standard,P2,response,met,1 hour,2026-11-23T08:00:00-05:00,,90,3510,," \
           "responded,,\n"
    assert coded.lines_of(columns) == line
    renamed = [columns[0], ["ours"], *columns[2:]]  # a policy shown by name: a new list
    assert coded.lines_of(renamed) is None
    assert format_columns(renamed, "csv", coded) == line.replace("vircom", "ours")
    columns[9].append("1")  # a column grown since
    assert coded.lines_of(columns) is None


# -- a report's chunks -------------------------------------------------------------------

def _event_row(ticket_id: str, event: Any) -> list[str]:
    return [ticket_id, event.at.isoformat(), event.kind, event.priority or "",
            "" if event.answered is None else str(event.answered).lower(),
            "" if event.confirmed else "false", ""]


@st.composite
def logs(draw: st.DrawFn) -> tuple[PolicyBook, Table, Table]:
    """A random policy's tickets with tricky ids (each unique, stripped as the report
    strips them), as the event-log report reads them."""
    policy = draw(policies())
    rows, events = [], []
    named = draw(st.sampled_from([TRICKY, PLAIN, STARTED]))
    for number in range(draw(st.integers(1, 6))):
        ticket = draw(random_tickets(policy, max_events=6))
        ticket_id = (draw(named) + f"#{number}").strip() or f"#{number}"
        rows.append([ticket_id, "random", ticket.tier, ticket.priority,
                     ticket.opened_at.isoformat(), ticket.attributes.get("category", "")])
        events += [_event_row(ticket_id, event) for event in ticket.events]
    return (PolicyBook({"random": policy}),
            Table("tickets.csv", TICKETS, list(enumerate(rows, start=2))),
            Table("events.csv", EVENTS, list(enumerate(events, start=2))))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_a_chunk_is_written_as_csv_writer_writes_it(log: tuple[PolicyBook, Table, Table]
                                                    ) -> None:
    book, tickets, events = log
    columns, errors, count = evaluate_log(book, tickets, events)
    rows = list(zip(*columns, strict=True))
    assert errors == []
    assert chunk_done(book, columns, [], count, "csv")[0] == csv_reference(rows, escape=True)
    assert chunk_done(book, columns, [], count, RAW_CSV)[0] == csv_reference(rows)
    assert format_columns(columns, "csv") == csv_reference(rows)


def test_a_clean_chunk_takes_the_joined_lines() -> None:
    # vircom standard P2, opened Fri 2026-11-20 17:30 -05:00 and responded Mon 07:55:
    # response met, due Mon 08:00 (1 business hour on 07:30-18:00: 30 minutes on Friday,
    # 30 on Monday); 55 minutes used (3300 s), 5 left (300 s).
    tickets = Table("tickets.csv", TICKETS, [
        (2, ["=T1", "vircom", "standard", "P2", "2026-11-20T17:30:00-05:00", ""]),
        (3, ["T,2", "vircom", "standard", "P2", "2026-11-20T17:30:00-05:00", ""])])
    events = Table("events.csv", EVENTS, [
        (2, ["=T1", "2026-11-23T07:55:00-05:00", "responded", "", "", "", ""]),
        (3, ["T,2", "2026-11-23T07:55:00-05:00", "responded", "", "", "", ""])])
    columns, errors, count = evaluate_log(PolicyBook(), tickets, events)
    assert (errors, count) == ([], 2)
    assert isinstance(columns, Measured)
    assert columns.coded is not None
    assert columns.coded.lines_of(columns) is None  # "T,2" needs quoting: the text path
    first = Table("tickets.csv", TICKETS, tickets.rows[:1])
    columns, errors, count = evaluate_log(PolicyBook(), first, Table(
        "events.csv", EVENTS, events.rows[:1]))
    assert isinstance(columns, Measured)
    assert columns.coded is not None
    line = ("=T1,vircom,standard,P2,response,met,1 business hour,2026-11-23T08:00:00-05:00,"
            "2026-11-23T07:55:00-05:00,3300,300,,responded,,\n")
    assert (columns.coded.lines_of(columns) or "").startswith(line)
    assert not columns.coded.safe_for(columns)  # "=T1" starts like a formula
    escaped = chunk_done(PolicyBook(), columns, [], count, "csv")[0]
    assert escaped.startswith("'=T1,vircom,")
    assert escaped.count("'=T1,") == 2


def test_rows_differing_only_in_at_risk_keep_their_own() -> None:
    # As of Mon 2026-11-23 11:00 EST, 4 business hours on 07:30-18:00: Q opened 09:00 has
    # used 2 h (50% crossed; the 75% threshold, 3 h, falls at 12:00; due 13:00), R opened
    # 08:00 has used 3 h (75% crossed, no threshold left; due 12:00). Both responses run:
    # the rows share every coded text but at_risk, which each must keep.
    policy = load_policy(Path(__file__).parent / "fixtures" / "valid" / "escalating.yaml")
    tickets = Table("tickets.csv", TICKETS, [
        (2, ["Q", "p", "standard", "P1", "2026-11-23T09:00:00-05:00", ""]),
        (3, ["R", "p", "standard", "P1", "2026-11-23T08:00:00-05:00", ""])])
    columns, errors, count = evaluate_log(
        PolicyBook({"p": policy}), tickets, Table("events.csv", EVENTS, []),
        now=datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    assert (errors, count) == ([], 2)
    lines = chunk_done(PolicyBook({"p": policy}), columns, [], count, "csv")[0].splitlines()
    responses = [line for line in lines if ",response," in line]
    assert responses == [
        "Q,p,standard,P1,response,running,4 business hours,2026-11-23T13:00:00-05:00,,7200,"
        "7200,,,50%,2026-11-23T12:00:00-05:00",
        "R,p,standard,P1,response,running,4 business hours,2026-11-23T12:00:00-05:00,,10800,"
        "3600,,,75%,"]
