"""How a plain CSV file of an event log is read: in bytes, a block at a time, with the
rows and line numbers the csv module gives, and each block's events found by searching
the text for its last ticket."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slacalc.batch._blocks import blocks
from slacalc.batch._lines import Lines
from slacalc.batch._logrun import _cut, _cut_fast
from slacalc.batch._rows import ExportError
from slacalc.cli import main


def _rows(path: Path, size: int) -> list[tuple[int, list[str]]]:
    """Every row `blocks` gives for ``path`` (raw lines split at commas, as the worker
    splits a line without quotes)."""
    _, found = blocks(path, raw=True, size=size)
    return [(line, cells.rstrip("\r\n").split(",") if isinstance(cells, str) else
             list(cells)) for block in found for line, cells in block]


def _reference(path: Path) -> list[tuple[int, list[str]]]:
    """The rows after the header as ``csv.reader`` reads them, each with its line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [(reader.line_num, row) for row in reader if row]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(lines=st.lists(st.text(alphabet='ab,é"\r\n', max_size=7), max_size=14),
       size=st.integers(1, 5), bom=st.booleans(), feed=st.sampled_from(["\n", "\r\n"]))
def test_the_bytes_reader_gives_the_rows_and_lines_of_the_csv_module(
        lines: list[str], size: int, bom: bool, feed: str) -> None:
    # Any text after a plain header (blank lines, CRLF, lone CRs, quotes, a non-ASCII
    # letter split anywhere by a read, a last line without a line feed), read in blocks
    # of about `size` lines: the rows and line numbers `csv.reader` gives (the reference).
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") +
                         ("ticket_id,at" + feed + "".join(lines)).encode("utf-8"))
        assert _rows(path, size) == _reference(path)


def test_blank_lines_before_the_header_count_in_the_line_numbers(tmp_path: Path) -> None:
    # Two blank lines, the header on line 3, rows on lines 4 and 6 (line 5 blank): the
    # numbers csv.reader gives, whether the file is read in bytes (plain) or as text (a
    # quote in the header).
    for header in ("ticket_id,at", 'ticket_id,"at"'):
        path = tmp_path / "events.csv"
        path.write_text(f"\n\n{header}\nT1,a\n\nT2,b\n", encoding="utf-8")
        assert _rows(path, 10) == [(4, ["T1", "a"]), (6, ["T2", "b"])]


def test_a_row_error_names_its_line_after_blank_lines_before_the_header(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The tickets file starts with a blank line, so T1's row is line 3: its error says so
    # (an earlier version counted from the header and said line 2).
    tickets, events = tmp_path / "tickets.csv", tmp_path / "events.csv"
    tickets.write_text("\nticket_id,policy,tier,priority,opened_at\n"
                       "T1,vircom,standard,P9,2026-11-20T17:30:00-05:00\n", encoding="utf-8")
    events.write_text("ticket_id,at,kind\n", encoding="utf-8")
    assert main(["report", str(tickets), "--events", str(events), "--format", "csv",
                 "-o", str(tmp_path / "out.csv")]) == 1
    assert "tickets.csv:3 (T1): " in capsys.readouterr().err


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    # Line 3 holds a byte that starts no UTF-8 character.
    path = tmp_path / "events.csv"
    path.write_bytes(b"ticket_id,at\nT1,a\nT2,\xff\n")
    with pytest.raises(ExportError, match=r"^events\.csv:3: cannot be read \(not UTF-8: "):
        _rows(path, 10)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(counts=st.lists(st.integers(0, 3), min_size=1, max_size=12), data=st.data(),
       last_feed=st.booleans())
def test_the_search_for_the_last_ticket_cuts_where_the_ids_do(
        counts: list[int], data: st.DataObject, last_feed: bool) -> None:
    # Tickets T0..Tn, each with `counts[i]` events, grouped in the tickets' order; a block
    # of the first k tickets and the events read so far (the first m lines, the last one
    # perhaps the file's last, without a line feed). The events that are the block's are
    # the first min(m, theirs): `_cut_fast` finds that many or cannot tell (None), and
    # `_cut` (reading every id) agrees.
    # Ids as exports write them, or with spaces around them (which `_cut` strips: the
    # search cannot tell then), or outside ASCII (searched for as UTF-8 bytes).
    shape = data.draw(st.sampled_from(["T{}", "tické-{}", " T{}", "T{}\u3000"]))
    ids = [shape.format(index) for index in range(len(counts))]
    k = data.draw(st.integers(1, len(ids)))
    texts = [f"{ticket},{n}\n" for ticket, count in zip(ids, counts, strict=True)
             for n in range(count)]
    m = data.draw(st.integers(1, max(len(texts), 1)))
    texts = texts[:m]
    if texts and not last_feed:
        texts[-1] = texts[-1].removesuffix("\n")
    expected = min(len(texts), sum(counts[:k]))
    block = Lines.of(range(2, 2 + k), "".join(f"{ticket},x\n" for ticket in ids[:k]).encode())
    rows = Lines.of(range(5, 5 + len(texts)), "".join(texts).encode())
    assert _cut(rows, 0, {ticket.strip() for ticket in ids[:k]}) == expected
    found = _cut_fast(block, 0, rows, 0)
    if found is not None:
        head, tail = found
        assert (list(head), list(tail)) == (list(rows)[:expected], list(rows)[expected:])
    if texts and counts[k - 1] and len(texts) >= sum(counts[:k]) and shape.strip() == shape:
        assert found is not None  # the block's last ticket has its events here


@pytest.mark.parametrize("raw", [True, False])
def test_the_first_block_may_be_smaller_than_the_others(tmp_path: Path, raw: bool) -> None:
    # 100 rows of 11 bytes ("T0001,abcd" and a line feed) after the header. In bytes, a
    # block is a read of 64 bytes a line, taken on to the end of its last line: the first
    # (first=1) reads 64 bytes, rows 1-5 (55 bytes) and part of row 6, so 6 rows; the
    # next ones (size=10) read 640 bytes, 58 rows and part of the 59th, so 59 rows; the
    # last the 35 left. Read by the csv module (not raw), blocks are of 1, then 10 rows.
    path = tmp_path / "tickets.csv"
    path.write_text("ticket_id,note\n" + "".join(f"T{n:04d},abcd\n" for n in range(1, 101)),
                    encoding="utf-8")
    _, found = blocks(path, raw=raw, size=10, first=1)
    sizes = [len(block) for block in found]
    assert sizes == ([6, 59, 35] if raw else [1, *[10] * 9, 9])
    _, found = blocks(path, raw=raw, size=10)  # no first: all of the size
    assert [len(block) for block in found] == ([59, 41] if raw else [10] * 10)


def test_blocks_of_lines_join_into_one_string_keeping_their_numbers() -> None:
    # Lines 2-3 then 4 (read as bytes): one string of bytes and one range; then line 9 after
    # blank lines: a list of numbers. A block whose last line has no line feed can only
    # end the file: joined before another, its lines stay apart (texts).
    first, second = Lines.of(range(2, 4), b"a\nb\n"), Lines.of(range(4, 5), b"c\n")
    both = Lines.concat([first, second, Lines.of([9], b"d")])
    assert (both.numbers, both.data) == ([2, 3, 4, 9], b"a\nb\nc\nd")
    assert Lines.concat([first, second]).numbers == range(2, 5)
    odd = Lines.concat([Lines.of(range(2, 3), b"a"), Lines.of(range(3, 4), b"b\n")])
    assert list(odd) == [(2, "a"), (3, "b\n")]
    assert list(Lines.concat([])) == []


def test_an_event_of_the_block_after_its_last_tickets_leaves_the_cut_to_the_ids() -> None:
    # Tickets T1, T2; events T2 then T1 (not in the tickets' order). The search for the
    # last ticket (T2) would cut after line 1 and leave T1's event to the next block; the
    # next event is T1's, a ticket of this block, so it cannot tell (None), and `_cut`
    # (by the ids) takes both.
    block = Lines.of(range(2, 4), b"T1,x\nT2,x\n")
    rows = Lines.of(range(2, 5), b"T2,a\nT1,b\nT3,c\n")
    assert _cut_fast(block, 0, rows, 0) is None
    assert _cut(rows, 0, {"T1", "T2"}) == 2
    # In order (T1, T2, then T3 of a later block): the search cuts after T2's event.
    ordered = Lines.of(range(2, 5), b"T1,b\nT2,a\nT3,c\n")
    found = _cut_fast(block, 0, ordered, 0)
    assert found is not None
    assert (list(found[0]), list(found[1])) == ([(2, "T1,b\n"), (3, "T2,a\n")],
                                                [(4, "T3,c\n")])


def test_a_tickets_event_stays_with_its_first_row_when_its_id_comes_again_later(
        tmp_path: Path) -> None:
    # T1's row, T2's, T3's, then T1's again (another block at 2 tickets a block); T2's
    # event comes before T1's. T1's first row must keep its response (met at 07:55, due
    # Mon 08:00 for an opening Fri 17:30 with 1 business hour in 07:30-18:00); an
    # earlier version gave the event to the second T1 row in the next block.
    opened = "vircom,standard,P2,2026-11-20T17:30:00-05:00"
    tickets, events = tmp_path / "tickets.csv", tmp_path / "events.csv"
    tickets.write_text("ticket_id,policy,tier,priority,opened_at\n" + "".join(
        f"{ticket},{opened}\n" for ticket in ("T1", "T2", "T3", "T1")), encoding="utf-8")
    events.write_text("ticket_id,at,kind\nT2,2026-11-23T07:55:00-05:00,responded\n"
                      "T1,2026-11-23T07:55:00-05:00,responded\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("slacalc.batch._logrun._BLOCK", 2)
        main(["report", str(tickets), "--events", str(events), "--format", "csv", "-o",
              str(out), "--now", "2026-11-30T12:00:00Z"])
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = next(row for row in rows if row["ticket_id"] == "T1")
    assert (first["metric"], first["status"]) == ("response", "met")
