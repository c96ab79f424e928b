"""The audit's bulk path (`slacalc.sources._audit_bulk`, `_audit_rows`) against its
row-by-row references: the desk's verdicts checked as columns give what `desk_verdicts`
gives row by row (the quick path for clean rows, the row-by-row path for any odd one),
the agreeing rows written from columns give the bytes the per-row writer (`_csv`) gives
the same rows as dicts, and their counts are `count`'s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from slacalc.batch._results import RESULT_COLUMNS
from slacalc.sources import _audit_bulk
from slacalc.sources._audit_bulk import (
    ContractColumns,
    DeskColumns,
    desk_columns,
    events_of,
    tickets_by_id,
)
from slacalc.sources._audit_rows import AUDIT_COLUMNS, Agreeing
from slacalc.sources._audit_run import _csv
from slacalc.sources._audit_tables import desk_verdicts
from slacalc.sources.audit import count

SECOND = 1_000_000


def _verdict(**values: Any) -> dict[str, Any]:
    return {"ticket_id": "T1", "metric": "response", "breached": False,
            "due_at": "2026-11-23T13:00:00Z", "elapsed_seconds": 3300.0,
            "desk_metric": "reply_time", "source": "ticket_metric_events.jsonl:4"} | values


def _listed(columns: DeskColumns) -> list[Any]:
    return [columns.verdict(index) for index in range(len(columns))]


def test_clean_rows_take_the_quick_path_with_the_values_read_by_hand(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_verdict(), _verdict(ticket_id="T2", metric="resolution", breached=None,
                                 due_at=None, elapsed_seconds=None, desk_metric="")]
    # The quick path never asks the row-by-row checker.
    monkeypatch.setattr(_audit_bulk, "desk_verdicts", lambda rows: pytest.fail("row by row"))
    found, errors = desk_columns(rows)
    assert errors == []
    first, second = _listed(found)
    # 2026-11-23T13:00:00Z, counted from the epoch by hand-independent datetime arithmetic.
    assert first.due == int(datetime(2026, 11, 23, 13, tzinfo=UTC).timestamp()) * SECOND
    assert (first.elapsed, first.breached, first.due_text) == (
        3300 * SECOND, False, "2026-11-23T13:00:00Z")
    assert (second.due, second.elapsed, second.breached, second.due_text, second.position) \
        == (None, None, None, "", 1)


ODD = [
    {"due_at": " 2026-11-23T13:00:00Z "},  # spaces: stripped row by row
    {"due_at": "2026-11-23T13:00:00"},  # naive: an error
    {"due_at": datetime(2026, 11, 23, 8, tzinfo=UTC)},  # a datetime: read as its text
    {"elapsed_seconds": -1.0},  # negative: an error
    {"elapsed_seconds": float("nan")},  # not a length: an error
    {"elapsed_seconds": 12.5},  # a fraction: exact by Decimal
    {"elapsed_seconds": 90},  # an int
    {"elapsed_seconds": ""},  # empty: none given
    {"ticket_id": " T9 "},
    {"ticket_id": ""},  # missing: an error
    {"metric": "uptime"},  # an error
    {"breached": "yes"},  # an error
    {"desk_metric": None},
    {"source": None},  # named verdicts[i]
]


@pytest.mark.parametrize("odd", ODD)
def test_a_block_with_an_odd_row_gives_what_desk_verdicts_gives(odd: dict[str, Any]) -> None:
    rows = [_verdict(), _verdict(**odd), _verdict(ticket_id="T3")]
    found, errors = desk_columns(rows)
    good, bad = desk_verdicts(rows)
    assert _listed(found) == good
    assert [str(error) for error in errors] == [str(error) for error in bad]
    assert len(good) + len(bad) == 3  # nothing dropped


def test_a_breach_dated_at_or_after_now_is_undecided() -> None:
    # Due 13:00Z; now 13:00Z exactly: the breach has not happened (running at its due);
    # now 13:00:01Z: it has.
    due = int(datetime(2026, 11, 23, 13, tzinfo=UTC).timestamp()) * SECOND
    for now, expected in ((due, None), (due + SECOND, True)):
        found, _ = desk_columns([_verdict(breached=True), _verdict(breached=False)])
        found.scheduled(now)
        assert found.breached == [expected, False]


def _agreeing(rows: list[dict[str, Any]]) -> Agreeing:
    return Agreeing({name: [row[name] for row in rows] for name in AUDIT_COLUMNS}, len(rows))


def _row(**values: Any) -> dict[str, Any]:
    return dict.fromkeys(AUDIT_COLUMNS, "") | {
        "finding": "agrees", "ticket_id": "T1", "metric": "response", "priority": "P2",
        "desk_breached": None, "contract_breached": False, "contract_status": "met",
        "due_difference_seconds": 0.0, "desk_elapsed_seconds": 3300.0,
        "contract_elapsed_seconds": 3300.4, "source": "x.jsonl:1"} | values


CELLS = [
    {},
    {"ticket_id": "=HYPERLINK(1)"},  # a formula: quoted unless raw
    {"desk_metric": "-1", "tier": "@x", "policy": "+y"},
    {"desk_metric": "a,b", "tier": 'say "hi"'},  # csv quoting
    {"tier": "line\nbreak"},
    {"tier": "carriage\rreturn"},  # csv_text quotes it
    {"tier": "\tx"},  # a tab first: a formula start too (one scan looks for all six)
    {"detail": "\rx", "reason": "ok"},  # a carriage return first: formula and quoting
    {"explain": "a\n=b"},  # "=" after a line feed inside a cell: not a cell's start
    {"desk_breached": True, "due_difference_seconds": -0.5, "desk_elapsed_seconds": None},
]


@pytest.mark.parametrize("raw_csv", [False, True])
@pytest.mark.parametrize("odd", CELLS)
def test_agreeing_rows_written_from_columns_equal_the_rows_written_one_by_one(
        odd: dict[str, Any], raw_csv: bool) -> None:
    rows = [_row(), _row(**({"ticket_id": "T2", "metric": "resolution"} | odd)),
            _row(priority="P3")]
    agreeing = _agreeing(rows)
    assert agreeing.rows() == rows
    assert agreeing.csv(raw_csv) == _csv(rows, raw_csv)


def test_agreeing_rows_are_counted_as_count_counts_each() -> None:
    rows = [_row(), _row(metric="resolution"), _row(priority="P3"), _row()]
    expected: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        count(expected, row)
    found: dict[tuple[str, str], list[int]] = {}
    _agreeing(rows).tally(found)
    assert found == expected
    # By hand: response P2 twice, response * three times, all agreeing, none costly.
    assert found[("response", "P2")] == [2, 2, 0]
    assert found[("response", "*")] == [3, 3, 0]


@pytest.mark.parametrize("ids", [["T1", "T2", "T1", "T3"], [" T1", "T2", "T1 ", None]])
def test_the_events_of_the_disagreeing_tickets_are_picked_in_order(ids: list[Any]) -> None:
    events = [{"ticket_id": ticket_id, "at": f"2026-11-2{index}T09:00:00Z",
               "kind": "responded"} for index, ticket_id in enumerate(ids)]
    # Clean ids are picked at C speed, odd ones (spaces, None) stripped row by row; both
    # give T1's events in the given order, and nothing of the tickets not wanted.
    found = events_of({"T1"}, events)
    assert found == {"T1": [events[0], events[2]]}
    assert events_of(set(), events) == {}


def _results(*rows: dict[str, str]) -> list[list[str]]:
    return [[row.get(name, "") for row in rows] for name in RESULT_COLUMNS]


T1_RESPONSE = {"ticket_id": "T1", "metric": "response", "status": "met",
               "due": "2026-11-23T08:00:00-05:00", "elapsed_seconds": "3300"}
T1_RESOLUTION = {"ticket_id": "T1", "metric": "resolution", "status": "running",
                 "elapsed_seconds": "1.500000"}


@pytest.mark.parametrize("failing", [False, True])
def test_contract_rows_are_found_by_ticket_and_metric(failing: bool) -> None:
    rows = [T1_RESPONSE, T1_RESOLUTION]
    if failing:  # an error row: the rows are looked up one by one, not as pairs
        rows.append({"ticket_id": "T2", "status": "error", "reason": "row tickets.csv:3: bad"})
    found = ContractColumns(_results(*rows))
    assert (found.paired is None) == failing
    assert found.rows(["T1", "T1", "T2", "T9"],
                      ["resolution", "response", "response", "response"]).tolist() == [
        1, 0, -1, -1]
    assert found.failed == ({"T2": "tickets.csv:3: bad"} if failing else {})
    # 08:00 EST is 13:00 UTC; 3300 s and 1.5 s in µs; the resolution has no due.
    assert found.due[0] == int(datetime(2026, 11, 23, 13, tzinfo=UTC).timestamp()) * SECOND
    assert found.has_due.tolist()[:2] == [True, False]
    assert found.elapsed.tolist()[:2] == [3300 * SECOND, 1_500_000]
    assert found.breached.tolist()[:2] == [False, False]


def test_ticket_rows_by_id_keep_the_first_row_of_an_id() -> None:
    clean = [{"ticket_id": "T1", "n": 1}, {"ticket_id": "T2"}, {"ticket_id": "T1", "n": 3}]
    odd = [{"ticket_id": " T1", "n": 1}, {"ticket_id": None}, {"ticket_id": "T1 ", "n": 3}]
    assert tickets_by_id(clean) == {"T1": clean[0], "T2": clean[1]}
    assert tickets_by_id(odd) == {"T1": odd[0], "": odd[1]}


@pytest.mark.parametrize("raw_csv", [False, True])
def test_no_agreeing_rows_write_nothing(raw_csv: bool) -> None:
    # A batch where nothing agrees: no line at all (not even an empty one).
    assert _agreeing([]).csv(raw_csv) == ""
