"""An events block read from its bytes (`slacalc.batch._cells.Cut`, `parse_bytes`,
`read_cut`) gives what the text path gives.

`Cut.of` is held to ``csv.reader`` (the cells of plain lines), `parse_bytes` to
`parse_instants` of the same cells as text, and `_Events` built from a block's bytes to
`_Events` built from the same rows as tuples of text (the checked path, which the byte path
must equal wherever it is taken and hand over to wherever it is not). Expected values come
from hand reasoning (in comments) or from those independent references.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slacalc.batch._blocks import cells
from slacalc.batch._cells import Cut, word_keys
from slacalc.batch._eventlog import Table, _Events, evaluate_log
from slacalc.batch._instants import WIDTH, parse_bytes, parse_instants
from slacalc.batch._lines import Lines
from slacalc.batch._rows import PolicyBook
from slacalc.sla.ticket import EVENT_KINDS

_SHIPPED = Path(__file__).resolve().parent.parent / "examples" / "eventlog"
_LONG = "T" * 70  # a ticket id of 70 bytes: over the 64 a cell is read to


# --- Cut: hand examples ---------------------------------------------------------------

def _of(data: bytes, count: int, width: int) -> Cut:
    cut = Cut.of(data, count, width)
    assert cut is not None
    return cut


def _texts(cut: Cut) -> list[list[str]]:
    count, width = cut.starts.shape
    return [[cut.text(row, column) for column in range(width)] for row in range(count)]


def _listed(found: tuple[Any, Any] | None) -> tuple[list[Any], list[Any]] | None:
    """`Cut.codes` as lists; `Cut.values` as its distinct texts sorted and each cell's."""
    if found is None:
        return None
    if isinstance(found[0], list):
        return sorted(found[0]), [found[0][index] for index in found[1].tolist()]
    return found[0].tolist(), found[1].tolist()


def test_the_docstring_example_a_final_line_feed_and_multibyte_cells() -> None:
    # "a,b\nc,d": the separators are at 1 (","), 3 ("\n"), 5 (",") and 7 (the line feed
    # added after the last line); each cell starts one past the separator before it.
    for data in (b"a,b\nc,d", b"a,b\nc,d\n"):
        cut = _of(data, 2, 2)
        assert (cut.starts.tolist(), cut.ends.tolist()) == ([[0, 2], [4, 6]], [[1, 3], [5, 7]])
        assert _texts(cut) == [["a", "b"], ["c", "d"]]
    # One column: each line is a cell; an empty cell between two commas is one too.
    one, empty = _of(b"x\nyz", 2, 1), _of(b",b\na,\n", 2, 2)
    assert (_texts(one), _texts(empty)) == ([["x"], ["yz"]], [["", "b"], ["a", ""]])
    assert empty.lengths(0).tolist() == [0, 1]
    # "é" is 2 bytes (C3 A9), "日本" 6 (E6 97 A5 E6 9C AC): offsets count bytes, the
    # texts come back whole.
    cut = _of("é,日本\nab,\n".encode(), 2, 2)
    assert _texts(cut) == [["é", "日本"], ["ab", ""]]
    assert (cut.lengths(0).tolist(), cut.lengths(1).tolist()) == ([2, 2], [6, 0])
    assert cut.ends.tolist() == [[2, 9], [12, 13]]


def test_a_block_not_of_plain_lines_of_the_width_is_none() -> None:
    assert Cut.of(b"a,b,x\nc,d\n", 2, 2) is None  # one comma too many: 5 separators, not 4
    # One comma too many, then one too few: 4 separators, but the first line feed is the
    # third, not a second (a line's last) one.
    assert Cut.of(b"a,b,x\nc\n", 2, 2) is None
    assert Cut.of(b"a\nb,c,d\n", 2, 2) is None
    assert Cut.of(b"a,b\n", 1, 3) is None  # a line of 2 cells, 3 wanted
    # A quote, a carriage return, a NUL: the block is the csv module's / text path's.
    assert Cut.of(b'a,"b"\n', 1, 2) is None
    assert Cut.of(b"a,b\r\n", 1, 2) is None
    assert Cut.of(b"a,b\rc\n", 1, 2) is None
    assert Cut.of(b"a,\x00\n", 1, 2) is None
    # Two lines feeds, but 1 or 3 lines said: the count disagrees.
    assert Cut.of(b"a,b\nc,d\n", 1, 2) is None
    assert Cut.of(b"a,b\nc,d\n", 3, 2) is None
    assert Cut.of(b"a,b\nc,d", 1, 4) is None  # 4 cells in all, but over 2 lines


def test_codes_pad_cut_and_refuse_long_cells() -> None:
    # Column 0 of "T1,x\nT22,y": b"T1" (84, 49) then, in the data, ",x\n", which must
    # read as zeros; b"T22" (84, 50, 50). The matrix is as wide as the longest cell.
    cut = _of(b"T1,x\nT22,y", 2, 2)
    assert _listed(cut.codes(0)) == ([[84, 49, 0], [84, 50, 50]], [2, 3])
    assert _listed(cut.codes(0, np.array([1]))) == ([[84, 50, 50]], [3])
    # width 2: "T22" is cut to "T2" and its length given as 2; width 5 pads both ("x",
    # then "y" at the very end of the data).
    assert _listed(cut.codes(0, width=2)) == ([[84, 49], [84, 50]], [2, 2])
    assert _listed(cut.codes(1, width=5)) == ([[120, 0, 0, 0, 0], [121, 0, 0, 0, 0]], [1, 1])
    # A cell of 64 bytes is read; one of 65 is not (unless cut to a width: 36 b's).
    fits, over = _of(b"a," + b"b" * 64 + b"\n", 1, 2), _of(b"a," + b"b" * 65 + b"\n", 1, 2)
    assert _listed(fits.codes(1)) == ([[98] * 64], [64])
    assert (over.codes(1), over.values(1), over.lengths(1).tolist()) == (None, None, [65])
    assert _listed(over.codes(1, width=WIDTH)) == ([[98] * WIDTH], [WIDTH])


def test_values_are_the_distinct_texts_and_each_cells_index() -> None:
    # Cells no, yes, no, é, z, "" (one column): 5 distinct texts; each cell's index picks
    # its own text back. In byte order they would be "", "no", "yes", "z", "é" (0xC3
    # after "z" = 0x7A), but only the set and the indices are promised.
    column = ["no", "yes", "no", "é", "z", ""]
    cut = _of("".join(f"{cell},x\n" for cell in column).encode(), 6, 2)
    found = cut.values(0)
    assert found is not None
    assert len(found[0]) == 5
    assert _listed(found) == (["", "no", "yes", "z", "é"], column)
    assert _listed(cut.values(0, np.array([4, 1, 1]))) == (["yes", "z"], ["z", "yes", "yes"])
    assert _listed(cut.values(0, np.zeros(0, dtype=np.int64))) == ([], [])


# --- Cut: against csv.reader -----------------------------------------------------------

_PLAIN = st.text(alphabet=["a", " ", "é", "日"], max_size=3)
_CELL = st.one_of(_PLAIN, _PLAIN, _PLAIN, st.sampled_from([",", "a,", ",é", "日,,"]))


@st.composite
def _blocks(draw: st.DrawFn) -> tuple[int, list[str]]:
    """A width and lines of that many cells, none blank; in half the blocks some lines
    have a cell less or more, or commas inside cells."""
    width, even = draw(st.integers(1, 4)), draw(st.booleans())
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        size = width if even else width + draw(st.sampled_from([0, 0, 0, -1, 1]))
        lines.append(",".join(draw(st.lists(_PLAIN if even else _CELL, min_size=max(size, 1),
                                            max_size=max(size, 1)))))
    assume(all(lines))
    return width, lines


@settings(max_examples=400, deadline=None, derandomize=True)
@given(block=_blocks(), last_feed=st.booleans(),
       poison=st.one_of(st.none(), st.tuples(st.integers(0, 10_000),
                                             st.sampled_from(['"', "\r", "\x00"]))))
def test_cut_agrees_with_the_csv_module(block: tuple[int, list[str]], last_feed: bool,
                                        poison: tuple[int, str] | None) -> None:
    # The reference: csv.reader's cells of each line. The block is cut exactly when every
    # line has `width` of them; then each cell's text, UTF-8 length and distinct value are
    # csv.reader's. A quote, carriage return or NUL anywhere: never cut.
    width, lines = block
    data = "\n".join(lines) + ("\n" if last_feed else "")
    if poison is not None:
        at = poison[0] % len(data)
        cut = Cut.of((data[:at] + poison[1] + data[at:]).encode(), len(lines), width)
        assert cut is None
        return
    rows = list(csv.reader(lines))
    cut = Cut.of(data.encode(), len(lines), width)
    if any(len(row) != width for row in rows):
        assert cut is None
        return
    assert cut is not None
    assert _texts(cut) == rows
    for column in range(width):
        expected = [row[column] for row in rows]
        assert cut.lengths(column).tolist() == [len(text.encode()) for text in expected]
        found = cut.values(column)
        assert found is not None
        assert len(set(found[0])) == len(found[0])
        assert _listed(found) == (sorted(set(expected)), expected)
        size = max([len(text.encode()) for text in expected] + [1])
        assert _listed(cut.codes(column)) == (
            [list(text.encode().ljust(size, b"\0")) for text in expected],
            [len(text.encode()) for text in expected])


# --- parse_bytes against parse_instants -------------------------------------------------

def _matrix(texts: list[str]) -> tuple[Any, Any]:
    """The cells as `parse_bytes` takes them, built by hand: `WIDTH` bytes a row, a longer
    cell cut there and its length capped."""
    matrix = np.zeros((len(texts), WIDTH), dtype=np.uint8)
    length = np.zeros(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):
        data = text.encode()[:WIDTH]
        matrix[row, :len(data)] = list(data)
        length[row] = len(data)
    return matrix, length


@st.composite
def _instant_texts(draw: st.DrawFn) -> str:
    """A text an export may hold at an instant: mostly a taken form (some exactly as
    ``isoformat`` writes them), else a near miss or junk (spaces, non-ASCII digits,
    overlong, naive, any text)."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    minutes = draw(st.integers(-1439, 1439))
    if draw(st.booleans()):
        return moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat()
    text = f"{moment:%Y-%m-%d}{draw(st.sampled_from('Tt '))}{moment:%H:%M}"
    if draw(st.booleans()):
        text += f":{moment:%S}"
        if draw(st.booleans()):
            places = draw(st.integers(1, 7))
            text += draw(st.sampled_from(".,")) + f"{moment.microsecond:06d}9"[:places]
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    text += draw(st.sampled_from(["Z", "", f"{sign}{hours:02d}", f"{sign}{hours:02d}{rest:02d}",
                                  f"{sign}{hours:02d}:{rest:02d}",
                                  f"{sign}{hours:02d}:{rest:02d}:07"]))
    at = draw(st.integers(0, len(text) - 1))
    return draw(st.sampled_from([  # as written (3 in 9), else spaced, empty, or junk
        text, text, text, draw(st.sampled_from([" " + text, text + " "])), "",
        text[:at] + draw(st.sampled_from("٢²０é")) + text[at + 1:],  # a digit not ASCII's
        text + draw(st.sampled_from(["x" * 20, "0" * 12, "日本語"])),  # overlong
        draw(st.text(alphabet="0123456789-:T+Z., é٢", max_size=40))]))


def test_parse_bytes_by_hand() -> None:
    # 2026-11-20 17:30 at -05:00 is 22:30 UTC: 1_795_213_800 s after the epoch
    # (datetime(2026, 11, 20, 22, 30, tzinfo=UTC).timestamp()); the empty cell is absent.
    assert datetime(2026, 11, 20, 22, 30, tzinfo=UTC).timestamp() == 1_795_213_800
    parsed = parse_bytes(*_matrix(["2026-11-20T17:30:00-05:00", "", "2026-11-20T17:30:00"]))
    assert [getattr(parsed, field).tolist() for field in (
        "us", "offset", "present", "bad", "canonical")] == [
        [1_795_213_800_000_000, 0, 0], [-5 * 3600 * 10**6, 0, 0], [True, False, True],
        [False, False, True], [True, False, False]]  # the last is naive: no offset, bad


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_instant_texts(), min_size=1, max_size=12))
def test_parse_bytes_equals_parse_instants(texts: list[str]) -> None:
    # The same cells, as bytes built by hand and as text: every field equal. And each
    # taken text is what datetime.fromisoformat reads, canonical when it is what
    # isoformat writes back (an independent check of both).
    found, expected = parse_bytes(*_matrix(texts)), parse_instants(texts)
    for field in ("us", "offset", "present", "bad", "canonical"):
        assert getattr(found, field).tolist() == getattr(expected, field).tolist(), field
    for row in np.flatnonzero(found.present & ~found.bad).tolist():
        moment = datetime.fromisoformat(texts[row])
        assert (timedelta(microseconds=int(found.us[row])), moment.utcoffset(),
                found.canonical[row]) == (moment - datetime(1970, 1, 1, tzinfo=UTC),
                                          timedelta(microseconds=int(found.offset[row])),
                                          texts[row] == moment.isoformat())


def test_a_cell_of_a_nul_is_present_both_ways() -> None:
    # "\x00" is a one-character text, not an empty cell: present, and bad (no instant).
    # (numpy's S dtype drops trailing NULs: parse_instants once took the length 0 from it
    # and read the cell as absent.)
    found, expected = parse_bytes(*_matrix(["\x00"])), parse_instants(["\x00"])
    assert (found.present.tolist(), found.bad.tolist()) == ([True], [True])
    assert (expected.present.tolist(), expected.bad.tolist()) == ([True], [True])


# --- _Events: the byte path against the text path ----------------------------------------

_TICKETS = {"T1": 0, "T2": 1, "tické": 2, _LONG: 3, "ticket-8": 4, "case-000000000017": 5}
_IDS = ["T1", "T2", "tické", "ticket-8", "case-000000000017"]  # (8 and 17 bytes: words)
_HEADERS = [
    ("ticket_id", "at", "kind", "priority", "answered", "confirmed", "note"),
    ("ticket_id", "at", "kind", "answered", "confirmed", "note"),  # no priority
    ("ticket_id", "at", "kind", "priority", "tier", "answered", "confirmed", "note"),
    ("note", "kind", "confirmed", "at", "priority", "ticket_id", "answered"),  # reordered
    ("ticket_id", "at", "kind"),
]
_GOOD_AT = ["2026-11-23T07:55:00-05:00", "2026-11-23T12:55Z", "2026-11-23T07:55:00.250-05:00",
            "2026-11-23 13:55:00+01", "2026-11-23T07:55:00.123456-05:00"]
_NEEDS = {"priority_changed": "priority", "tier_changed": "tier",
          "contact_attempt": "answered"}  # the column a kind needs filled
_BAD_AT = ["2026-11-23T07:55:00", " 2026-11-23T07:55Z", "2026-11-23T07:55Z ",
           "2026-13-23T07:55Z", "", "yesterday", "2026-11-23T07:55:00.1234567-05:00"]


@st.composite
def _events(draw: st.DrawFn) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """A header and rows of events: good ones, and in half the blocks one or two with an
    odd or bad cell, or of any kind (its column perhaps not in the header)."""
    header = draw(st.sampled_from(_HEADERS))
    kinds = [kind for kind in EVENT_KINDS if _NEEDS.get(kind, "at") in header]
    count = draw(st.integers(1, 8))
    odd_rows = set() if draw(st.booleans()) else draw(
        st.sets(st.integers(0, count - 1), min_size=1, max_size=2))
    rows = []
    for index in range(count):
        kind = draw(st.sampled_from(EVENT_KINDS if index in odd_rows else kinds))
        event = {"ticket_id": draw(st.sampled_from(_IDS)),
                 "at": draw(st.sampled_from(_GOOD_AT)), "kind": kind,
                 "priority": draw(st.sampled_from(["P1", " P3 "])) if kind == "priority_changed"
                 else draw(st.sampled_from(["", "", "P2 "])),
                 "tier": "premium" if kind == "tier_changed" else "",
                 "answered": draw(st.sampled_from(["true", "0", " yes ", "No"]))
                 if kind == "contact_attempt" else draw(st.sampled_from(["", "", "TRUE"])),
                 "confirmed": draw(st.sampled_from(["", "", "false", "Yes"])),
                 "note": draw(st.sampled_from(["", "a note", "é 日本", "n" * 80]))}
        odd = "none" if index not in odd_rows else draw(st.sampled_from([
            "none", "kind", "spaced kind", "spaced id", "stray", "tickè", "long", "at",
            "no priority", "no tier", "flag", "no answer", "long priority"]))
        event.update({  # (every change drawn, the odd one's made)
            "none": {}, "kind": {"kind": draw(st.sampled_from(["bogus", "Responded", "respond"]))},
            "spaced kind": {"kind": f" {kind} "},
            "spaced id": {"ticket_id": f" {event['ticket_id']}"},
            "stray": {"ticket_id": draw(st.sampled_from([
                "T9", "T", "T12", "tick", "T1é", "ticket-", "ticket-80", "case-000000000018"]))},
            "tickè": {"ticket_id": "tickè"}, "long": {"ticket_id": _LONG},
            "at": {"at": draw(st.sampled_from(_BAD_AT))},
            "no priority": {"kind": "priority_changed",
                            "priority": draw(st.sampled_from(["", " "]))},
            "no tier": {"kind": "tier_changed", "tier": ""},
            "long priority": {"kind": "priority_changed", "priority": "P" * 70},
            "flag": {draw(st.sampled_from(["answered", "confirmed"])): draw(st.sampled_from(
                ["maybe", "y" * 70]))},
            "no answer": {"kind": "contact_attempt", "answered": ""}}[odd])
        rows.append(tuple(event[name] for name in header))
    return header, rows


def _logs(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> tuple[_Events, _Events]:
    """`_Events` of the rows as a block of lines (its bytes first) and as tuples of text."""
    lines = Lines(range(2, 2 + len(rows)), [",".join(row) + "\n" for row in rows])
    split = cells(lines, len(header), cut=True)
    plain = [(2 + index, row) for index, row in enumerate(rows)]
    return (_Events(Table("events.csv", header, split), _TICKETS),
            _Events(Table("events.csv", header, plain), _TICKETS))


def _seen(log: _Events, header: tuple[str, ...]) -> dict[str, Any]:
    """What the report reads of a log (``new`` only where the kind reads it)."""
    count = len(log.code)
    changed = np.flatnonzero(log.code == EVENT_KINDS.index("priority_changed")).tolist()
    return {"ticket": log.ticket.tolist(), "code": log.code.tolist(),
            **{field: getattr(log.parsed, field).tolist() for field in (
                "us", "offset", "present", "bad", "canonical")},
            "good": log.good.tolist(), "confirmed": log.confirmed.tolist(),
            "answered": log.answered, "lines": list(log.lines), "spoilt": log.spoilt,
            "strays": log.strays, "new": [log.new[index] for index in changed],
            "errors": [(error.line, error.reason, error.ticket_id) for error in log.errors],
            "cells": [[log.cell(name, index) for name in (*header, "tier", "note")]
                      for index in range(count)]}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_events())
def test_the_byte_path_reads_what_the_text_path_reads(
        block: tuple[tuple[str, ...], list[tuple[str, ...]]]) -> None:
    header, rows = block
    found, expected = _logs(header, rows)
    assert _seen(found, header) == _seen(expected, header)
    assert expected._cut is None  # (the reference never reads bytes)


def test_an_all_good_block_is_read_from_its_bytes() -> None:
    # Two good events of T2 and tické (ticket rows 1 and 2): ids matched as bytes, kinds
    # and flags by distinct value. 07:55 -05:00 is 12:55 UTC; "yes " answers, "" leaves
    # `confirmed` empty (code 2, read as true), "No" is false.
    header = _HEADERS[0]
    rows = [("T2", "2026-11-23T07:55:00-05:00", "contact_attempt", "", "yes ", "", "é"),
            ("tické", "2026-11-23T12:55Z", "priority_changed", " P1 ", "", "No", "")]
    found, expected = _logs(header, rows)
    assert found._cut is not None
    us = int(datetime(2026, 11, 23, 12, 55, tzinfo=UTC).timestamp()) * 1_000_000
    seen = _seen(found, header)
    assert {key: seen[key] for key in ("ticket", "lines", "us", "offset", "answered",
                                       "confirmed", "new", "errors", "good")} == {
        "ticket": [1, 2], "lines": [2, 3], "us": [us, us], "offset": [-5 * 3600 * 10**6, 0],
        "answered": [True, None], "confirmed": [True, False], "new": ["P1"], "errors": [],
        "good": [True, True]}
    assert seen["code"] == [EVENT_KINDS.index(kind) for kind in ("contact_attempt",
                                                                 "priority_changed")]
    assert (seen["cells"][0][6], seen["cells"][1][0]) == ("é", "tické")
    assert seen == _seen(expected, header)
    # The same block with the tier column and a tier_changed: still its bytes.
    tiered = [(*row[:4], "", *row[4:]) for row in rows]
    tiered.append(("T1", "2026-11-23T12:55Z", "tier_changed", "", "premium", "", "", ""))
    assert _logs(_HEADERS[2], tiered)[0]._cut is not None


def test_one_bad_event_sends_the_block_to_the_text_path() -> None:
    # The second event's kind is unknown: the byte path gives up, the block is split as
    # text and its one error names line 3 and T1 (the first event stays good).
    header = ("ticket_id", "at", "kind")
    rows = [("T1", "2026-11-23T12:55Z", "responded"), ("T1", "2026-11-23T12:56Z", "bogus")]
    found, expected = _logs(header, rows)
    assert found._cut is None
    assert [(error.line, error.ticket_id) for error in found.errors] == [(3, "T1")]
    assert found.errors[0].reason.startswith("events.csv:3: kind: unknown event kind 'bogus'")
    assert found.good.tolist() == [True, False]
    assert _seen(found, header) == _seen(expected, header)
    # An id with a space before it is good as text (stripped) but not as bytes.
    spaced = [("T1", "2026-11-23T12:55Z", "responded"), (" T2", "2026-11-23T12:56Z", "closed")]
    found, _ = _logs(header, spaced)
    assert (found._cut, found.errors, found.ticket.tolist()) == (None, [], [0, 1])
    # An id of 70 bytes that is a ticket's: over the 64 bytes read, so read as text.
    found, _ = _logs(header, [(_LONG, "2026-11-23T12:55Z", "responded")])
    assert (found._cut, found.errors, found.ticket.tolist()) == (None, [], [3])


def test_a_key_alone_never_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    # `word_keys` keys equal rows alike ([1, 2] twice) and these two rows apart. Every
    # key made equal (as if all collided), the words decide: the distinct texts are still
    # found, and ids T1 and T2 cannot both match the one ticket their key finds, so the
    # block goes to the text path, which reads it the same.
    keys = word_keys(np.array([[1, 2], [1, 2], [2, 1]], dtype=np.uint64)).tolist()
    assert keys[0] == keys[1] != keys[2]
    for module in ("_cells", "_eventcells"):
        monkeypatch.setattr(f"slacalc.batch.{module}.word_keys",
                            lambda words: np.zeros(len(words), dtype=np.uint64))
    cut = _of(b"no\nyes\nno\n", 3, 1)
    assert _listed(cut.values(0)) == (["no", "yes"], ["no", "yes", "no"])
    rows = [("T1", "2026-11-23T12:55Z", "responded"), ("T2", "2026-11-23T12:56Z", "closed")]
    found, expected = _logs(_HEADERS[4], rows)
    assert found._cut is None
    assert _seen(found, _HEADERS[4]) == _seen(expected, _HEADERS[4])


# --- evaluate_log on the shipped example, both ways -------------------------------------

def test_the_shipped_log_reports_the_same_from_bytes_and_from_rows() -> None:
    def table(name: str) -> tuple[tuple[str, ...], list[str], list[tuple[str, ...]]]:
        lines = (_SHIPPED / name).read_text(encoding="utf-8").splitlines(keepends=True)
        rows = [tuple(row) for row in csv.reader(lines[1:])]
        return tuple(lines[0].strip().split(",")), lines[1:], rows

    ticket_header, _, ticket_rows = table("tickets.csv")
    tickets = Table("tickets.csv", ticket_header,
                    [(2 + index, row) for index, row in enumerate(ticket_rows)])
    header, lines, rows = table("events.csv")
    split = cells(Lines(range(2, 2 + len(lines)), lines), len(header), cut=True)
    plain = [(2 + index, row) for index, row in enumerate(rows)]
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    found = evaluate_log(PolicyBook(), tickets, Table("events.csv", header, split), now=now)
    expected = evaluate_log(PolicyBook(), tickets, Table("events.csv", header, plain), now=now)
    # The shipped events are all good: the block really was read from its bytes.
    ids = {row[0]: index for index, row in enumerate(ticket_rows)}
    assert _Events(Table("events.csv", header, split), ids)._cut is not None
    assert (found[0], found[2]) == (expected[0], expected[2])
    assert [(e.line, e.reason, e.ticket_id) for e in found[1]] == [
        (e.line, e.reason, e.ticket_id) for e in expected[1]]
    # Every ticket evaluated, each a row per metric at least (response, resolution).
    assert (found[2], len(found[0][0]) >= 2 * len(ticket_rows)) == (len(ticket_rows), True)
