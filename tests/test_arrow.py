"""Arrow and Parquet: `slacalc.arrow.evaluate_arrow` and ``slacalc report`` on Parquet
files give the rows the CSV report gives, with typed columns."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slacalc.batch import RESULT_COLUMNS
from slacalc.cli import main

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pacsv = pytest.importorskip("pyarrow.csv")
arrow = pytest.importorskip("slacalc.arrow")

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "examples" / "eventlog"
NOW = "2026-11-30T12:00:00Z"


def _text_table(path: Path) -> object:
    with path.open(encoding="utf-8", newline="") as handle:
        names = next(csv.reader(handle))
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False))


def _cli_rows(tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / "cli.csv"
    main(["report", str(LOG / "tickets.csv"), "--events", str(LOG / "events.csv"),
          "--format", "csv", "-o", str(out), "--now", NOW])
    with out.open() as handle:
        return list(csv.DictReader(handle))


def _instant(text: str) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def test_evaluate_arrow_gives_the_cli_rows(tmp_path: Path) -> None:
    expected = _cli_rows(tmp_path)
    found = arrow.evaluate_arrow(_text_table(LOG / "tickets.csv"),
                                 _text_table(LOG / "events.csv"), now=NOW)
    assert found.schema == arrow.result_schema()
    assert found.schema.field("due").type == pa.timestamp("us", tz="UTC")
    rows = found.to_pylist()
    assert [row["status"] for row in rows] == [row["status"] for row in expected]
    assert [row["due"] for row in rows] == [_instant(row["due"]) for row in expected]
    assert [row["elapsed_seconds"] for row in rows] == [
        float(row["elapsed_seconds"]) if row["elapsed_seconds"] else None for row in expected]


def _typed(path: Path, instants: tuple[str, ...]) -> object:
    """The CSV file as Arrow with its instant columns as ``timestamp[us, UTC]``."""
    table = _text_table(path)
    for name in instants:
        index = table.schema.get_field_index(name)
        values = [datetime.fromisoformat(text).astimezone(UTC) if text else None
                  for text in table.column(name).to_pylist()]
        table = table.set_column(index, name, pa.array(values, pa.timestamp("us", tz="UTC")))
    return table


def test_the_report_reads_and_writes_parquet(tmp_path: Path) -> None:
    expected = _cli_rows(tmp_path)
    pq.write_table(_typed(LOG / "tickets.csv", ("opened_at",)), tmp_path / "tickets.parquet")
    pq.write_table(_typed(LOG / "events.csv", ("at",)), tmp_path / "events.parquet")
    out = tmp_path / "out.parquet"
    status = main(["report", str(tmp_path / "tickets.parquet"), "--events",
                   str(tmp_path / "events.parquet"), "--format", "parquet", "-o", str(out),
                   "--now", NOW])
    assert status == 0
    rows = pq.read_table(out).to_pylist()
    assert list(rows[0]) == list(RESULT_COLUMNS)
    # The same verdicts and instants; instants read from Parquet are in UTC, so only
    # their text (the offset shown) may differ from the CSV's.
    assert [(row["ticket_id"], row["status"], row["due"], row["stopped_at"])
            for row in rows] == [
        (row["ticket_id"], row["status"], _instant(row["due"]), _instant(row["stopped_at"]))
        for row in expected]


def test_a_naive_timestamp_column_is_an_error_row() -> None:
    tickets = pa.table({"ticket_id": ["T1"], "policy": ["vircom"], "tier": ["standard"],
                        "priority": ["P2"],
                        "opened_at": pa.array([datetime(2026, 11, 20, 17, 30)],
                                              pa.timestamp("us"))})
    found = arrow.evaluate_arrow(tickets).to_pylist()
    assert [row["status"] for row in found] == ["error"]
    assert "has no UTC offset" in found[0]["reason"]


def test_parquet_event_logs_in_many_blocks_read_as_their_csv(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The example log as Parquet with every cell as text, read in blocks of 40 tickets
    # (a ticket's events then often span two Parquet blocks): the same results, byte for
    # byte, as the CSV files themselves.
    monkeypatch.setattr("slacalc.batch._logrun._BLOCK", 40)
    for name in ("tickets", "events"):
        table = pacsv.read_csv(LOG / f"{name}.csv", convert_options=pacsv.ConvertOptions(
            column_types={column: pa.string() for column in _header(LOG / f"{name}.csv")},
            strings_can_be_null=False))
        pq.write_table(table, tmp_path / f"{name}.parquet", row_group_size=25)
    found = []
    for suffix, folder in (("csv", LOG), ("parquet", tmp_path)):
        out = tmp_path / f"out-{suffix}.csv"
        assert main(["report", str(folder / f"tickets.{suffix}"), "--events",
                     str(folder / f"events.{suffix}"), "--format", "csv", "-o", str(out),
                     "--now", "2026-11-30T12:00:00Z"]) == 0
        found.append(out.read_text())
    assert found[0] == found[1]
    assert found[0].count("\n") > 500


def _header(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return next(csv.reader(handle))


def test_parquet_output_needs_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    assert main(["report", str(ROOT / "examples" / "tickets.csv"), "--format",
                 "parquet"]) == 2
    assert "give -o results.parquet" in capsys.readouterr().err
