"""The times to the stop kept for percentiles: held in memory, written to a temporary file
past a size, and read back the same (the reference: the rows as added, kept in lists)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slacalc.batch import _samples
from slacalc.batch._samples import Samples
from slacalc.cli import main

_KEYS = [("vircom", "standard", "P1", "response"), ("vircom", "standard", "P1", "resolution"),
         ("valimail", "basic", "P2", "response")]
_ROWS = st.lists(st.tuples(st.floats(0, 1e7), st.floats(0, 1e7)), min_size=0, max_size=5)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(adds=st.lists(st.tuples(st.sampled_from(range(3)), _ROWS), max_size=20),
       held=st.sampled_from([16, 48, 1 << 22]))
def test_rows_come_back_per_group_in_the_order_added(adds: list[tuple[int, list[tuple[
        float, float]]]], held: int) -> None:
    # Rows added to three groups, written out past `held` bytes (one row: 16): each
    # group's rows are the ones added to it, in order; pickled and merged alike.
    expected: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_samples, "HELD", held)
        samples = Samples()
        for index, rows in adds:
            samples.add(_KEYS[index], np.array(rows, dtype=np.float64).reshape(-1, 2))
            if rows:
                expected.setdefault(_KEYS[index], []).extend(rows)
        assert samples.groups() == sorted(expected)
        for key, rows in expected.items():
            assert samples.rows(key).tolist() == [list(row) for row in rows]
        assert samples.rows(("none", "", "", "")).shape == (0, 2)
        sent = pickle.loads(pickle.dumps(samples))
        assert {key: sent.rows(key).tolist() for key in sent.groups()} == {
            key: samples.rows(key).tolist() for key in samples.groups()}
        both = Samples()
        both.merge(samples)
        both.merge(sent)
        for key, rows in expected.items():
            assert both.rows(key).tolist() == [list(row) for row in rows] * 2


def test_rows_past_the_size_are_written_out_and_memory_holds_none_of_them() -> None:
    # 3 rows of 16 bytes with 32 held: the third write goes past it, so all three are
    # written to the file and none is held.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_samples, "HELD", 32)
        samples = Samples()
        for value in (1.0, 2.0, 3.0):
            samples.add(_KEYS[0], np.array([[value, value * 10]]))
        assert samples._held == {}  # (what is held is the point here)
        assert samples.rows(_KEYS[0]).tolist() == [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]


def test_a_report_whose_times_are_written_out_prints_the_same_summary(
        capsys: pytest.CaptureFixture[str]) -> None:
    # The shipped event log's report with the times written out every 64 bytes (4 rows)
    # prints what it prints with them all in memory: the same percentiles, to the minute.
    log = Path(__file__).resolve().parent.parent / "examples" / "eventlog"
    found = []
    for held in (1 << 22, 64):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_samples, "HELD", held)
            main(["report", str(log / "tickets.csv"), "--events", str(log / "events.csv"),
                  "--now", "2026-11-30T12:00:00Z"])
        found.append(capsys.readouterr().out)
    assert "p50" in found[0]
    assert "cloudmark" in found[0].partition("p50")[2]  # a percentile row
    assert found[0] == found[1]


def test_without_a_temporary_directory_every_row_is_held(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    # No temporary file can be made (a read-only system): the rows stay in memory and
    # all come back, rather than the report failing.
    def refused() -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(_samples, "HELD", 16)
    monkeypatch.setattr(_samples.tempfile, "TemporaryFile", refused)
    samples = Samples()
    for value in (1.0, 2.0, 3.0):
        samples.add(_KEYS[1], np.array([[value, -value]]))
    assert samples.rows(_KEYS[1]).tolist() == [[1.0, -1.0], [2.0, -2.0], [3.0, -3.0]]
