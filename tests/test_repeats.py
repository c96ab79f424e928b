"""A ticket id repeated in a later block of a streamed tickets file: the hashes of each
block's ids (`id_hashes`), the reading process's record of them (`Seen`), the exact check
on the ids, and a desk export's ticket exported twice (report and audit alike). The
event-log report's own cases are in tests/test_eventlog_blocks.py."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc.batch._cells import ColumnRows
from slacalc.batch._eventlog import Table, ticket_ids
from slacalc.batch._repeats import Seen, id_hashes, repeated
from slacalc.sources import stream_zendesk
from slacalc.sources._audit_run import audit_stream
from slacalc.sources._report import run_desk_report

_SHIPPED = Path(__file__).resolve().parent.parent / "examples" / "eventlog"
_DESKS = _SHIPPED.parent / "desks"
_B = 0x100000001B3


def test_an_id_hashes_to_its_polynomial_in_any_list() -> None:
    # "ab": code points 97, 98 -> 97 * B + 98 * B**2 (mod 2**64), worked out in Python ints;
    # the same in a list whose other id is longer (its padding adds nothing) or empty.
    expected = (97 * _B + 98 * _B**2) % 2**64
    assert id_hashes(["ab"]).tolist() == [expected]
    assert expected in id_hashes(["a-much-longer-ticket-id", "ab"]).tolist()
    assert id_hashes(["", "ab"]).tolist() == sorted([0, expected])
    assert id_hashes([]).tolist() == []
    assert id_hashes(["", ""]).tolist() == [0, 0]
    # a code point past the basic plane (4 bytes in UTF-8, one UCS-4 unit)
    assert id_hashes(["\U0001f600"]).tolist() == [0x1F600 * _B % 2**64]


def test_distinct_ids_of_real_shapes_hash_apart() -> None:
    # Numbered ids, UUID-like ids and numbers as text: no two equal hashes among 300,000.
    rng = random.Random(7)
    ids = ([f"L-{number:07d}" for number in range(100_000)]
           + [str(number) for number in range(100_000)]
           + [f"{rng.getrandbits(128):032x}" for _ in range(100_000)])
    assert len(set(ids)) == len(ids)
    assert len(np.unique(id_hashes(ids))) == len(ids)


@pytest.mark.parametrize("held", [None, 8])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.integers(0, 40), max_size=12), max_size=12))
def test_seen_says_whether_two_blocks_share_an_id(
        monkeypatch: pytest.MonkeyPatch, held: int | None, blocks: list[list[int]]) -> None:
    # The reference: sets of each block's ids, pairwise (a block's own repeats are not
    # the record's to find). Holding 8 bytes, every block's hashes go to the file.
    if held is not None:
        monkeypatch.setattr("slacalc.batch._repeats._HELD", held)
    seen = Seen()
    for block in blocks:
        seen.add(id_hashes([f"T{number}" for number in block]))
    sets = [set(block) for block in blocks]
    assert seen.repeated() == any(sets[i] & sets[j] for i in range(len(sets))
                                  for j in range(i))


def test_seen_keeps_one_part_of_its_hashes_at_a_time_in_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # 64 blocks of 1,000 distinct ids held past 1 KiB: written out, read back a 64th at a
    # time; then one id of block 0 again in a last block.
    monkeypatch.setattr("slacalc.batch._repeats._HELD", 1024)
    seen = Seen()
    for block in range(64):
        seen.add(id_hashes([f"L-{block:02d}-{number:04d}" for number in range(1000)]))
    assert not seen.repeated()
    seen.add(id_hashes(["L-00-0999"]))
    assert seen.repeated()


def _repeated_desk(tmp_path: Path, *, with_records: bool) -> Path:
    """The Zendesk example with ticket 1 exported again at the end (a time-based
    incremental export may repeat a ticket), perhaps with its metric events and audits
    again after it (as such an export repeats them too)."""
    folder = tmp_path / "zendesk"
    shutil.copytree(_DESKS / "zendesk", folder)
    names = ["tickets.jsonl"] + (["audits.jsonl", "ticket_metric_events.jsonl"]
                                 if with_records else [])
    for name in names:
        key = "id" if name == "tickets.jsonl" else "ticket_id"
        mine = [line for line in (folder / name).read_text().splitlines()
                if json.loads(line)[key] == 1]
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write("\n".join(mine[:1] if key == "id" else mine) + "\n")
    return folder


@pytest.mark.parametrize("with_records", [False, True])
def test_a_desk_ticket_exported_twice_is_a_row_error_in_any_block(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], with_records: bool) -> None:
    # Streamed in blocks of 7 tickets or of all of them, the report is the same: the
    # repeat is a row error naming the first record (tickets.jsonl line 1), and ticket 1
    # is evaluated once, from its first record with every record of its id.
    folder = _repeated_desk(tmp_path, with_records=with_records)
    count = len((folder / "tickets.jsonl").read_text().splitlines())

    def report(block: int) -> tuple[int, str]:
        out = tmp_path / f"out{block}.csv"
        status = run_desk_report(partial(stream_zendesk, block=block), folder, None,
                                 policy=None, now=datetime(2026, 12, 1, tzinfo=UTC),
                                 output_format="csv", output=str(out),
                                 errors=str(out.with_suffix(".bad")), jobs=1)
        return status, out.read_text() + out.with_suffix(".bad").read_text()

    expected = report(10**6)
    assert f"{count},1,tickets.jsonl:{count}: ticket_id '1' is already at tickets.jsonl:1" \
        in expected[1]
    assert expected[0] == 1
    assert sum(line.startswith("1,") for line in expected[1].splitlines()) == 2  # 2 metrics
    assert "a ticket id is on two records of the tickets: reading them whole" in \
        capsys.readouterr().err
    assert report(7) == expected


def test_a_desk_ticket_exported_twice_is_audited_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The example audits 40 response and 26 resolution verdicts (its summary). Ticket 1
    # again with all its records: still 40 and 26 (ticket 1's verdicts once), and the
    # repeat is a row error; in blocks of 7 or of all, the same.
    folder = _repeated_desk(tmp_path, with_records=True)
    texts = []
    for block in (10**6, 7):
        status = audit_stream(stream_zendesk, folder, None,
                              now=datetime(2026, 11, 30, 12, tzinfo=UTC), block=block)
        texts.append((status, capsys.readouterr()))
    assert texts[0] == texts[1]
    status, (out, err) = texts[0]
    assert status == 1
    assert "ticket_id '1' is already at tickets.jsonl:1" in err
    totals = [line.split()[:3] for line in out.splitlines() if " * " in f" {line} "]
    assert totals == [["response", "*", "40"], ["resolution", "*", "26"]]


def test_the_ids_a_block_may_evaluate_and_the_exact_check_on_them() -> None:
    # Rows of the header's width with an id, stripped; a short row and an empty id are
    # not (their rows fail for their own reasons). The same from columns.
    header = ("ticket_id", "policy")
    rows = [(2, [" T1 ", "a"]), (3, ["T2"]), (4, ["", "b"]), (5, ["T3", "c"])]
    assert ticket_ids(Table("t", header, rows)) == ([2, 5], ["T1", "T3"])
    columns = ColumnRows([2, 3], [["T1", " "], ["a", "b"]])
    assert ticket_ids(Table("t", header, columns)) == ([2], ["T1"])
    assert ticket_ids(Table("t", ("id",), rows)) == ([], [])
    # T1 first on line 2; a block of T2 (9), T1 (10), T2 (11): T1 repeats line 2; T2 is
    # new, its first line 9 (its repeat on 11 is the block's own to catch).
    first = {"T1": 2}
    assert repeated(first, [9, 10, 11], ["T2", "T1", "T2"]) == {"T1": 2}
    assert first == {"T1": 2, "T2": 9}


def test_desk_records_exported_twice_change_nothing_but_the_sources(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Every audit and metric event of the Zendesk example written twice (a time-based
    # export may repeat records too): the report is byte-identical, and the audit finds
    # the same verdicts, each row the same but for its source (the later copy's line).
    folder = tmp_path / "zendesk"
    shutil.copytree(_DESKS / "zendesk", folder)
    for name in ("audits.jsonl", "ticket_metric_events.jsonl"):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_text(text + text, encoding="utf-8")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    found = []
    for number, source in enumerate((_DESKS / "zendesk", folder)):
        out = tmp_path / f"report{number}.csv"
        assert run_desk_report(stream_zendesk, source, None, policy=None, now=now,
                               output_format="csv", output=str(out), errors=None,
                               jobs=1) == 0
        audited = tmp_path / f"audit{number}.csv"
        assert audit_stream(stream_zendesk, source, None, now=now,
                            output=str(audited)) == 0
        rows = [row[:-1] for row in csv.reader(io.StringIO(audited.read_text("utf-8")))]
        found.append((out.read_text(encoding="utf-8"), sorted(rows)))
    capsys.readouterr()
    assert found[0] == found[1]
