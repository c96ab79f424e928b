"""The streamed audit (``slacalc audit --from DESK FOLDER``, `audit_stream`) against the
in-memory one (`audit_report` over the whole converted tables, written by `run_audit`):
with the block forced to 3 tickets, so that every example export is audited in many
blocks, the two give the same rows in the same order, the same text and the same exit
status. The in-memory audit is the reference: it sees every ticket at once and orders
the rows by finding itself; the streamed one spills each block's rows by finding and
joins the four spills at the end.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slacalc.sources import ADAPTERS, STREAMS
from slacalc.sources._audit_run import audit_stream, run_audit
from slacalc.sources.audit import AUDIT_COLUMNS, FINDINGS, audit_report

DESKS = Path(__file__).resolve().parents[1] / "examples" / "desks"
NOW = datetime(2026, 12, 31, tzinfo=UTC)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _both(desk: str, folder: Path, tmp_path: Path) -> tuple[tuple[int, str, str, bytes],
                                                            tuple[int, str, str, bytes]]:
    """(status, stdout, stderr, CSV bytes) of the streamed audit (3 tickets a block) and
    of the in-memory one, on the same folder."""
    streamed, whole = tmp_path / "streamed.csv", tmp_path / "whole.csv"
    out, err = io.StringIO(), io.StringIO()
    status = audit_stream(STREAMS[desk], folder, None, now=NOW, output=str(streamed),
                          block=3, out=out, err=err)
    ref_out, ref_err = io.StringIO(), io.StringIO()
    ref_status = run_audit(ADAPTERS[desk](folder, None), now=NOW, output=str(whole),
                           out=ref_out, err=ref_err)
    return ((status, out.getvalue(), err.getvalue(), streamed.read_bytes()),
            (ref_status, ref_out.getvalue(), ref_err.getvalue(), whole.read_bytes()))


@pytest.mark.parametrize("desk", ["zendesk", "jira", "servicenow", "statuslog"])
def test_streamed_audit_of_each_example_equals_the_in_memory_audit(
        desk: str, tmp_path: Path) -> None:
    folder = DESKS / desk
    # Many blocks: the examples hold dozens of tickets, 3 a block.
    assert len(list(STREAMS[desk](folder, None, ordered=False, block=3))) > 5
    (status, out, err, data), (ref_status, ref_out, ref_err, ref_data) = _both(
        desk, folder, tmp_path)
    assert (status, out, err) == (ref_status, ref_out, ref_err)
    assert data == ref_data
    # Row for row against audit_report's own rows (the reference's source and finding).
    converted = ADAPTERS[desk](folder, None)
    report = audit_report(converted.tickets, converted.events, converted.verdicts, NOW,
                          desk_paused=converted.desk_paused)
    rows = _rows(tmp_path / "streamed.csv")
    assert [(row["finding"], row["source"], row["ticket_id"], row["reason"])
            for row in rows] == [(row["finding"], row["source"], row["ticket_id"],
                                  row["reason"]) for row in report.rows]
    assert list(rows[0]) == list(AUDIT_COLUMNS)
    # The rows come by finding, whatever block they were found in.
    order = [FINDINGS.index(row["finding"]) for row in rows]
    assert order == sorted(order)


def _mixed(tmp_path: Path) -> Path:
    """The status-log example with the log reversed (so the streamed pass meets records
    of earlier tickets and starts again reading them whole), a log row in a status the
    mapping lacks and a verdict for a ticket that does not exist (conversion errors:
    T-00002 is left out with its verdicts), a verdict with a negative elapsed time (not
    compared: an ``error`` row), and one saying T-00027's resolution was met, which the
    reference audit of the example finds breached (a ``costly`` row from a late block,
    that must still come first)."""
    folder = tmp_path / "desk"
    shutil.copytree(DESKS / "statuslog", folder)
    log = (folder / "status_log.csv").read_text(encoding="utf-8").splitlines()
    (folder / "status_log.csv").write_text(
        "\n".join([log[0], *reversed(log[1:]),
                   "T-00002,2026-11-09T10:00:00+00:00,status,open,limbo"]) + "\n",
        encoding="utf-8")
    verdicts = (folder / "desk_verdicts.csv").read_text(encoding="utf-8")
    (folder / "desk_verdicts.csv").write_text(
        verdicts + "GHOST,response,false,2026-11-10T20:41:00+00:00,60\n"
        "T-00021,response,false,,-5\nT-00027,resolution,false,,\n",
        encoding="utf-8")
    return folder


def test_streamed_audit_with_errors_and_a_second_pass_equals_the_in_memory_audit(
        tmp_path: Path) -> None:
    folder = _mixed(tmp_path)
    (status, out, err, data), (ref_status, ref_out, ref_err, ref_data) = _both(
        "statuslog", folder, tmp_path)
    # The streamed audit says it starts again; then the same lines as the reference.
    notice, _, rest = err.partition("\n")
    assert "not grouped by ticket in the tickets' order" in notice
    assert (status, out, rest) == (ref_status, ref_out, ref_err)
    assert data == ref_data
    assert status == 1
    rows = _rows(tmp_path / "streamed.csv")
    assert [row["ticket_id"] for row in rows if row["finding"] == "error"] == ["T-00021"]
    assert ("T-00027", "resolution") in [(row["ticket_id"], row["metric"]) for row in rows
                                         if row["finding"] == "costly"]
    assert rows[0]["finding"] == "costly"
    assert "T-00002" not in {row["ticket_id"] for row in rows}
    assert "'limbo'" in err
    assert "'GHOST'" in err
    order = [FINDINGS.index(row["finding"]) for row in rows]
    assert order == sorted(order)


def test_streamed_audit_without_output_prints_the_same_text(tmp_path: Path) -> None:
    folder = DESKS / "zendesk"
    out, err = io.StringIO(), io.StringIO()
    status = audit_stream(STREAMS["zendesk"], folder, None, now=NOW, block=3, out=out,
                          err=err)
    ref_out, ref_err = io.StringIO(), io.StringIO()
    ref_status = run_audit(ADAPTERS["zendesk"](folder, None), now=NOW, out=ref_out,
                           err=ref_err)
    assert (status, out.getvalue(), err.getvalue()) == (
        ref_status, ref_out.getvalue(), ref_err.getvalue())
    assert "Other disagreements (" in out.getvalue()
    assert not list(tmp_path.iterdir())  # no -o: nothing written
