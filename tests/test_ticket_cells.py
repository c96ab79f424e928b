"""A tickets block read from its bytes (`slacalc.batch._ticketcells.read_tickets`) gives
what the text path gives: `evaluate_log` of a block handed over as lines (found in their
bytes first) equals `evaluate_log` of the same rows as tuples of text (the checked path,
the reference), result for result and error for error; and `ticket_ids` is the same
either way. Expected values come from that reference or from hand reasoning."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slacalc.batch._blocks import cells
from slacalc.batch._eventlog import Table, evaluate_log, ticket_ids
from slacalc.batch._lines import Lines
from slacalc.batch._rows import PolicyBook
from slacalc.batch._ticketcells import read_tickets

HEADER = ("ticket_id", "policy", "tier", "priority", "opened_at", "category")
EVENT_HEADER = ("ticket_id", "at", "kind")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
_IDS = ["T1", "T2", " T3", "T4 ", "tické", "T" * 70, ""]
_OPENED = ["2026-11-20T17:30:00-05:00", "2026-11-20T22:30Z", "2026-11-20T17:30:00.250-05:00",
           "2026-11-20T17:30:00", " 2026-11-20T17:30:00-05:00", "", "yesterday"]


def _split(rows: list[tuple[str, ...]]) -> Table:
    lines = Lines(range(2, 2 + len(rows)), [",".join(row) + "\n" for row in rows])
    return Table("tickets.csv", HEADER, cells(lines, len(HEADER), cut=True))


def _plain(rows: list[tuple[str, ...]]) -> Table:
    return Table("tickets.csv", HEADER, [(2 + index, row) for index, row in enumerate(rows)])


def _events() -> Table:
    # A response of T1 and of T2 (12:55 UTC, Mon 2026-11-23), whichever rows exist.
    rows = [("T1", "2026-11-23T12:55:00Z", "responded"),
            ("T2", "2026-11-23T12:55:00Z", "responded")]
    return Table("events.csv", EVENT_HEADER,
                 [(2 + index, row) for index, row in enumerate(rows)])


@st.composite
def _blocks(draw: st.DrawFn) -> list[tuple[str, ...]]:
    """Ticket rows: ids from a pool (repeats, blanks, spaces, a long one, a multibyte one
    drawn too), known and unknown policies and priorities, cells with spaces, openings
    good and bad, categories with spaces (vircom's P3 targets depend on the category),
    multibyte or too long for a cell read whole."""
    rows = []
    for number in range(draw(st.integers(1, 8))):
        ticket_id = (f"T{number + 1}" if draw(st.integers(0, 9)) < 8  # mostly unique
                     else draw(st.sampled_from(_IDS)))
        policy, tier, priority = draw(st.sampled_from([
            ("vircom", "standard", "P2"), ("vircom", "standard", " P1"),
            ("cloudmark", "premium", "P4"), ("vircom", "gold", "P2"),
            ("nosuch", "standard", "P2"), ("vircom ", "standard", "P3"),
            ("vircom", "standard", "P3"), ("vircom", "standard", "urgent")]))
        rows.append((ticket_id, policy, tier, priority, draw(st.sampled_from(_OPENED)),
                     draw(st.sampled_from(["", "defect", " defect ", " usage ", "é 日本",
                                           "c" * 80]))))
    return rows


def _outcome(table: Table, policy: str | None) -> tuple[object, ...]:
    columns, errors, count = evaluate_log(PolicyBook(), table, _events(), policy=policy,
                                          now=NOW, whole=True)
    return ([list(column) for column in columns],
            [(error.line, error.reason, error.ticket_id) for error in errors], count)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_blocks(), st.sampled_from([None, "vircom"]))
def test_a_block_read_from_its_bytes_reports_what_its_text_reports(
        rows: list[tuple[str, ...]], policy: str | None) -> None:
    assert _outcome(_split(rows), policy) == _outcome(_plain(rows), policy)
    assert ticket_ids(_split(rows)) == ticket_ids(_plain(rows))


def test_the_bytes_give_stripped_ids_and_attributes_and_cells_as_written() -> None:
    # " T3" and "T4 " are ids T3 and T4; the policy cell "vircom " is kept as written
    # (the plan lookup says what it is); " usage " is the attribute "usage". 17:30 -05:00
    # is 22:30 UTC.
    rows = [(" T3", "vircom ", "standard", "P2", "2026-11-20T17:30:00-05:00", " usage "),
            ("T4 ", "cloudmark", "premium", "P4", "2026-11-20T22:30Z", "é 日本")]
    split = _split(rows)
    cut = split.rows.cut  # type: ignore[attr-defined]
    where = {name: index for index, name in enumerate(HEADER)}
    found = read_tickets(cut, where, [("category", 5)], None, {})
    assert found is not None
    ids, fields = found
    assert ids == ["T3", "T4"]
    assert (fields.names, fields.tiers, fields.priorities) == (
        ["vircom ", "cloudmark"], ["standard", "premium"], ["P2", "P4"])
    stamp = int(datetime(2026, 11, 20, 22, 30, tzinfo=UTC).timestamp()) * 1_000_000
    assert fields.opened.us.tolist() == [stamp, stamp]
    assert fields.attributes["category"].tolist() == ["usage", "é 日本"]


def test_a_category_with_spaces_decides_a_target_as_its_text_does() -> None:
    # vircom P3 with category "defect" has no deadline ("within: none"), any other P3
    # 48-72 hours: " defect " is "defect" once stripped, both ways.
    rows = [("T1", "vircom", "standard", "P3", "2026-11-20T22:30Z", " defect ")]
    found = _outcome(_split(rows), None)
    assert found == _outcome(_plain(rows), None)
    assert found[0][6] == ["4 business hours", "none"]  # (the target column)


def test_repeated_blank_or_earlier_ids_go_the_text_path() -> None:
    # Those rows are errors, which only the text path names: the bytes give nothing.
    where = {name: index for index, name in enumerate(HEADER)}
    good = ("T1", "vircom", "standard", "P2", "2026-11-20T22:30Z", "")
    for rows, earlier in (([good, good], {}), ([good, ("", *good[1:])], {}),
                          ([good], {"T1": 7})):
        cut = _split(rows).rows.cut  # type: ignore[attr-defined]
        assert read_tickets(cut, where, [], None, earlier) is None
    cut = _split([good]).rows.cut  # type: ignore[attr-defined]
    assert read_tickets(cut, where, [], None, {"T2": 7}) is not None
    assert np.array_equal(cut.starts[:, 0], [0])
