"""Desk records read in runs of one ticket id (`json_runs`) and joined to their tickets a
run at a time (`joined_runs`): the runs, their positions and the join's answers are the
ones the record-by-record reader (`json_keyed`) and join (`joined`) give, written out by
hand here, on the edges: a run cut by the decoder's batches, an id written two ways, a
batch that is not typed, blank lines, records left over, records out of order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slacalc.sources import _files
from slacalc.sources._files import json_keyed, json_runs
from slacalc.sources._tables import UnorderedError, joined, joined_runs, runs
from slacalc.sources._zendesk_shapes import Audit


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "audits.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _audit(ticket: Any, number: int) -> str:
    return json.dumps({"ticket_id": ticket, "created_at": "2026-11-02T09:00:00Z",
                       "author_id": number})


def _shown(found: Iterator[tuple[str, list[tuple[int, Any]]]]) -> list[tuple[str, list[int]]]:
    """Each run as its id and its records' positions (the lines)."""
    return [(key, [position for position, _ in records]) for key, records in found]


@pytest.mark.parametrize("shape", [Audit, None])
def test_runs_of_one_id_in_file_order(tmp_path: Path, shape: type[Audit] | None) -> None:
    # Audits of tickets 7, 7, 8, 7 on lines 1-4: three runs (7 comes back after 8, a
    # run of its own), typed or read as plain dicts alike.
    path = _write(tmp_path, [_audit(7, 1), _audit(7, 2), _audit(8, 3), _audit(7, 4)])
    found = list(json_runs(path, "audits", "ticket_id", shape))
    assert _shown(iter(found)) == [("7", [1, 2]), ("8", [3]), ("7", [4])]
    assert [record.get("author_id") for _, records in found
            for _, record in records] == [1, 2, 3, 4]
    if shape is not None:
        assert all(type(record) is Audit for _, records in found for _, record in records)


def test_a_run_goes_on_across_the_decoders_batches(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 2 lines: [7, 7] [7, 8] [8]. Ticket 7's run spans the first two batches
    # and 8's the last two; each is still one run, in line order.
    monkeypatch.setattr(_files, "_BATCH", 2)
    path = _write(tmp_path, [_audit(7, 1), _audit(7, 2), _audit(7, 3), _audit(8, 4),
                             _audit(8, 5)])
    assert _shown(json_runs(path, "audits", "ticket_id", Audit)) == [
        ("7", [1, 2, 3]), ("8", [4, 5])]


def test_an_id_written_two_ways_is_one_run(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # 7 and "7" are the same id as text ("7"), as `json_keyed` keys them: one run, also
    # when the change of spelling falls on a batch's edge (batches of 2: [7, "7"] ["7",
    # 9]); 9 then is a run of its own.
    monkeypatch.setattr(_files, "_BATCH", 2)
    path = _write(tmp_path, [_audit(7, 1), _audit("7", 2), _audit("7", 3), _audit(9, 4)])
    assert _shown(json_runs(path, "audits", "ticket_id", Audit)) == [
        ("7", [1, 2, 3]), ("9", [4])]


def test_runs_hold_the_keys_of_the_record_by_record_reader(tmp_path: Path) -> None:
    # Line 2 is not JSON, so the batch is read as plain dicts: that line comes as its
    # error text with the id "" (a run of its own), line 3 (blank) is skipped, line 5 has
    # no ticket_id (""), line 6 a null one (""): the runs are those of `json_keyed`'s
    # keys, line by line: "1" [1], "" [2], "1" [4], "" [5, 6], "2" [7].
    lines = [_audit(1, 1), "not json", "", _audit(1, 4), json.dumps({"author_id": 5}),
             json.dumps({"author_id": 6, "ticket_id": None}), _audit(2, 7)]
    path = _write(tmp_path, lines)
    expected = [("1", [1]), ("", [2]), ("1", [4]), ("", [5, 6]), ("2", [7])]
    assert _shown(json_runs(path, "audits", "ticket_id", Audit)) == expected
    # the same as the record-by-record reader's keys grouped in runs (`runs`)
    assert _shown(runs(json_keyed(path, "audits", "ticket_id", Audit))) == expected
    texts = [record for _, records in json_runs(path, "audits", "ticket_id", Audit)
             for _, record in records if isinstance(record, str)]
    assert len(texts) == 1
    assert texts[0].startswith("not JSON")


def _tickets(*keys: str) -> list[tuple[str, str]]:
    return [(key, f"ticket {key}") for key in keys]


def _run(key: str, *names: str) -> tuple[str, list[tuple[int, Any]]]:
    return key, [(index, name) for index, name in enumerate(names, start=1)]


def test_joined_runs_in_order_with_two_followers() -> None:
    # Tickets 1, 2, 3; audits of 1 and 3, metric events of 2 and 3: each ticket takes
    # the run at hand when it is its own, else nothing; the end says no record is left.
    audits = [_run("1", "a1", "a2"), _run("3", "a3")]
    metrics = [_run("2", "m1"), _run("3", "m2", "m3")]
    found = list(joined_runs(_tickets("1", "2", "3"), [audits, metrics], ordered=True))
    assert found == [
        ("1", "ticket 1", [[(1, "a1"), (2, "a2")], []]),
        ("2", "ticket 2", [[], [(1, "m1")]]),
        ("3", "ticket 3", [[(1, "a3")], [(1, "m2"), (2, "m3")]]),
        ("", None, [[], []]),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_joined_runs_in_order_with_other_numbers_of_followers(count: int) -> None:
    # One follower, or three (the general branch): the same rule per follower. Each
    # follower holds runs of tickets 1 and 2, so each ticket takes one run from each.
    followers = [[_run("1", f"f{index}-1"), _run("2", f"f{index}-2")]
                 for index in range(count)]
    found = list(joined_runs(_tickets("1", "2"), followers, ordered=True))
    assert found == [
        ("1", "ticket 1", [[(1, f"f{index}-1")] for index in range(count)]),
        ("2", "ticket 2", [[(1, f"f{index}-2")] for index in range(count)]),
        ("", None, [[] for _ in range(count)]),
    ]


@pytest.mark.parametrize("audits", [
    [_run("2", "a1"), _run("1", "a2")],  # ticket 1's run after 2's: 1 finds 2 at hand
    [_run("1", "a1"), _run("9", "a2")],  # a run of no ticket
    [_run("1", "a1"), _run("2", "a2"), _run("1", "a3")],  # 1 comes back after 2
])
def test_joined_runs_in_order_left_over_is_unordered(audits: list[Any]) -> None:
    # Every ticket is still given (with what was at hand) before the error: the caller
    # throws the pass away and reads the files whole.
    found = joined_runs(_tickets("1", "2"), [audits, []], ordered=True)
    assert [next(found)[0], next(found)[0]] == ["1", "2"]
    with pytest.raises(UnorderedError):
        next(found)


def test_joined_runs_not_in_order_groups_every_run_of_an_id() -> None:
    # Read whole: ticket 1 takes both its runs (a1 then a3, in file order), 2 takes a2,
    # and the run of ticket 9 (no ticket) is handed over at the end.
    audits = [_run("1", "a1"), _run("2", "a2"), _run("9", "a4"), _run("1", "a3")]
    found = list(joined_runs(_tickets("2", "1"), [audits], ordered=False))
    assert found == [
        ("2", "ticket 2", [[(1, "a2")]]),
        ("1", "ticket 1", [[(1, "a1"), (1, "a3")]]),
        ("", None, [[(1, "a4")]]),
    ]


def test_joined_takes_records_one_by_one_as_before() -> None:
    # `joined` (records keyed one by one, as the other desks give them) groups them in
    # runs first: tickets 1, 2 and audits 1, 1, 2 -> 1 takes two, 2 takes one.
    audits = [("1", (1, "a1")), ("1", (2, "a2")), ("2", (3, "a3"))]
    assert list(joined(_tickets("1", "2"), [("audits", audits)], ordered=True)) == [
        ("1", "ticket 1", [[(1, "a1"), (2, "a2")]]),
        ("2", "ticket 2", [[(3, "a3")]]),
        ("", None, [[]]),
    ]
    shuffled = [("2", (3, "a3")), ("1", (1, "a1")), ("1", (2, "a2"))]
    assert list(joined(_tickets("1", "2"), [("audits", shuffled)], ordered=False)) == [
        ("1", "ticket 1", [[(1, "a1"), (2, "a2")]]),
        ("2", "ticket 2", [[(3, "a3")]]),
        ("", None, [[]]),
    ]
