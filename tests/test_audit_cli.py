"""``slacalc audit --from DESK FOLDER``: a status-log export folder (the plain layout of
slacalc.sources.statuslog, with its stock mapping: policy cloudmark, tier premium) read,
audited and written.

Hand reasoning: cloudmark premium P2, response 1 business day on calendar ``business``
(Mon-Fri 00:00-24:00 America/Los_Angeles, US holidays; a business day is 24 hours).
S1 opened Wed 2026-11-25 10:00 PST: Wed 10:00-24:00 is 14 h; Thu 11-26 is Thanksgiving
Day (closed); Fri 00:00 + 10 h -> due Fri 2026-11-27 10:00 PST. Replied Thu 12:00: met,
14 h = 50400 s. A desk that counts Thanksgiving as open: due Thu 10:00, so the Thu 12:00
reply is breached, and it counts 14 h + 12 h = 93600 s. S2 opened Mon 2026-11-30 10:00
PST -> due Tue 10:00; replied Mon 11:00: met, 3600 s, as the desk says.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import holidays
import pytest

from slacalc.cli import main


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "tickets.csv").write_text(
        "ticket_id,opened_at,priority,status\n"
        "S1,2026-11-25T10:00:00-08:00,P2,open\n"
        "S2,2026-11-30T10:00:00-08:00,P2,open\n")
    (folder / "status_log.csv").write_text(
        "ticket_id,at,field,from,to\n"
        "S1,2026-11-26T12:00:00-08:00,reply,,\n"
        "S2,2026-11-30T11:00:00-08:00,reply,,\n")
    (folder / "desk_verdicts.csv").write_text(
        "ticket_id,desk_metric,breached,due_at,elapsed_seconds\n"
        "S1,response,true,2026-11-26T10:00:00-08:00,93600\n"
        "S2,response,false,2026-12-01T10:00:00-08:00,3600\n")
    return folder


def test_the_dates_relied_on() -> None:
    us = holidays.country_holidays("US", years=2026)
    assert us.get(date(2026, 11, 26)) == "Thanksgiving Day"
    assert date(2026, 11, 27) not in us
    assert date(2026, 11, 25).weekday() == 2  # a Wednesday


def test_audit_writes_the_rows_and_prints_the_summary(
        export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "audit.csv"
    status = main(["audit", "--from", "statuslog", str(export), "--now",
                   "2026-12-07T00:00:00Z", "-o", str(target)])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out.startswith("Audit as of 2026-12-07T00:00:00+00:00: 2 desk verdicts compared, "
                          "1 agree, 1 disagree (0 desk met, contract breached), 0 not "
                          "compared\n")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(row["ticket_id"], row["finding"], row["reason"]) for row in rows] == [
        ("S1", "disagrees", "holiday"), ("S2", "agrees", "")]
    first = rows[0]
    assert (first["contract_due"], first["contract_elapsed_seconds"]) == (
        "2026-11-27T10:00:00-08:00", "50400")
    assert (first["desk_breached"], first["contract_breached"]) == ("true", "false")
    assert "Thu 2026-11-26 (Thanksgiving Day)" in first["detail"]
    assert first["explain"].startswith("Ticket S1: Cloudmark (cloudmark), tier premium")


def test_a_verdict_without_a_ticket_is_a_located_error(
        export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (export / "desk_verdicts.csv").open("a") as handle:
        handle.write("S9,response,false,,\n")
    status = main(["audit", "--from", "statuslog", str(export), "--now",
                   "2026-12-07T00:00:00Z"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "Other disagreements (1):" in out
    # A record of no ticket is met only once the tickets are done: the streamed audit
    # starts again with the files read whole (first line), then names the record.
    notice, located = err.splitlines()
    assert notice.endswith("reading them whole (memory grows with them)")
    assert located.startswith("slacalc audit: desk_verdicts.csv:4: ")
    assert "'S9'" in located


def test_usage_errors(export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                      ) -> None:
    assert main(["audit", "--from", "statuslog", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == (f"slacalc audit: no such folder: "
                                       f"{tmp_path / 'nowhere'}\n")
    assert main(["audit", "--from", "statuslog", str(export), "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["audit", "--from", "statuslog", str(export), "-o",
                 str(export / "status_log.csv")]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert (export / "status_log.csv").read_text().startswith("ticket_id,at,field")
    assert main(["audit", "--from", "statuslog", str(export / "tickets.csv")]) == 2
    assert "is a file; name the export's folder" in capsys.readouterr().err
    assert main(["audit", "--from", "statuslog", str(export), "--now", "2026-12-07"]) == 2
    assert "has no UTC offset" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["audit", "--from", "freshdesk", str(export)])
    assert stopped.value.code == 2


def test_a_mapping_with_mistakes_is_located(export: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "ours.yaml"
    mapping.write_text("desk: statuslog\nstatuses: {open: opne}\n")
    assert main(["audit", "--from", "statuslog", str(export), "--mapping", str(mapping)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert all(line.startswith(f"slacalc audit: {mapping}:") for line in lines)
    assert any(line.startswith(f"slacalc audit: {mapping}:2:") for line in lines)
