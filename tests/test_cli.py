"""The command line, end to end: outputs, bad rows, exit codes, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from slacalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tickets.csv"
NOW = "2026-12-01T00:00:00Z"  # the report defaults to the clock; tests pass an instant
ROWS = """ticket_id,policy,tier,priority,opened_at,category,channel,responded_at,resolved_at,workaround_at
T1,vircom,standard,P2,2026-11-20T17:30:00-05:00,usage,email,2026-11-23T07:55:00-05:00,,2026-11-23T10:00:00-05:00
T2,vircom,standard,P9,2026-11-20T17:30:00-05:00,usage,email,,,
T3,valimail,enhanced,urgent,2026-11-21T10:00:00-08:00,,,2026-11-23T07:30:00-08:00,,
T4,cloudmark,premium,P2,2026-11-30T10:00,,,,,
T5,nosuch,standard,P1,2026-11-30T10:00:00-08:00,,,,,
T6,vircom,standard,P1,yesterday,,,,,
"""


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "tickets.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "slacalc", *args], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def test_report_csv_rows_errors_and_exit_status(export: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    status = main(["report", str(export), "--format", "csv", "-o", str(out),
                   "--errors", str(errors), "--now", NOW])
    assert status == 1  # some rows failed; the others were processed
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    by_key = {(row["ticket_id"], row["metric"]): row for row in rows}
    assert sorted({row["ticket_id"] for row in rows}) == ["T1", "T3"]
    # T1 (vircom P2): 1 business hour from Fri 17:30 -> Mon 08:00, answered 07:55 with
    # 55 business minutes used; resolution 24 real hours -> Sat 17:30, the workaround
    # on Mon 10:00 is 40 h 30 min late.
    t1 = by_key[("T1", "response")]
    assert (t1["status"], t1["due"], t1["elapsed_seconds"], t1["remaining_seconds"]) == (
        "met", "2026-11-23T08:00:00-05:00", "3300", "300")
    t1 = by_key[("T1", "resolution")]
    assert (t1["status"], t1["due"], t1["overrun_seconds"], t1["reason"]) == (
        "breached", "2026-11-21T17:30:00-05:00", str(40 * 3600 + 30 * 60), "workaround")
    # T3 (valimail enhanced, urgent = P1): Saturday -> counts from Mon 06:00, due 07:00;
    # answered 07:30 -> breached by 30 minutes.
    t3 = by_key[("T3", "response")]
    assert (t3["priority"], t3["status"], t3["due"], t3["overrun_seconds"]) == (
        "P1", "breached", "2026-11-23T07:00:00-08:00", "1800")
    assert by_key[("T3", "resolution")]["status"] == "no_target"
    stderr = capsys.readouterr().err
    assert f"{export}:3 (T2): policy 'vircom' has no priority 'P9'" in stderr
    assert f"{export}:5 (T4): opened_at: '2026-11-30T10:00' has no UTC offset" in stderr
    assert f"{export}:6 (T5): no bundled policy 'nosuch'" in stderr
    assert f"{export}:7 (T6): opened_at: malformed date 'yesterday'" in stderr
    bad = list(csv.DictReader(io.StringIO(errors.read_text(encoding="utf-8"))))
    assert [row["line"] for row in bad] == ["3", "5", "6", "7"]


def test_report_jsonl_and_parallel_give_the_same_rows(export: Path, tmp_path: Path) -> None:
    serial, parallel = tmp_path / "serial.jsonl", tmp_path / "parallel.jsonl"
    main(["report", str(EXAMPLE), "--format", "jsonl", "-o", str(serial), "--now", NOW])
    main(["report", str(EXAMPLE), "--format", "jsonl", "-o", str(parallel), "--jobs", "2",
          "--now", NOW])
    assert serial.read_text(encoding="utf-8") == parallel.read_text(encoding="utf-8")
    assert len(serial.read_text(encoding="utf-8").splitlines()) == 2 * 320


def test_report_reads_jsonl_tickets(tmp_path: Path) -> None:
    source = tmp_path / "tickets.jsonl"
    source.write_text("\n".join([
        json.dumps({"policy": "vircom", "id": "J1", "tier": "standard", "priority": "P2",
                    "opened_at": "2026-11-23T09:00:00-05:00",
                    "events": [{"kind": "awaiting_customer", "at": "2026-11-23T09:40:00-05:00"}]}),
        "{not json",
        json.dumps({"policy": "vircom", "id": "J3", "tier": "standard", "priority": "P2",
                    "opened_at": "2026-11-23T09:00:00"}),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["report", str(source), "--format", "csv", "-o", str(out), "--now", NOW]) == 1
    written = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    rows = {row["metric"]: row for row in written}
    # Vircom: reaching out to an unavailable customer is the response; resolution void.
    assert (rows["response"]["status"], rows["resolution"]["status"]) == ("met", "void")


def test_report_table_shows_rows_and_a_summary() -> None:
    result = run("report", str(EXAMPLE), "--now", "2026-12-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # The as-of instant heads the table (issue 13 item 1), then the column names.
    assert lines[0] == "SLA report as of 2026-12-01T00:00:00+00:00"
    assert lines[2].split()[:6] == ["ticket_id", "policy", "tier", "priority", "metric",
                                   "status"]
    assert ("Summary as of 2026-12-01T00:00:00+00:00: 320 tickets evaluated, 0 rows failed"
            in result.stdout)
    assert "Worst overruns (real time past the due instant):" in result.stdout
    assert "Traceback" not in result.stderr


def test_due_prints_both_offsets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "vircom", "--tier", "standard", "--priority", "high",
                 "--opened", "2026-11-20T22:30:00+00:00"]) == 0
    out = capsys.readouterr().out
    # Fri 17:30 Toronto (22:30 UTC) + 1 business hour -> Mon 08:00 EST = 13:00 UTC.
    assert "Mon 2026-11-23 13:00 +0000" in out
    assert "Mon 2026-11-23 08:00 EST" in out


def test_explain_and_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ticket = tmp_path / "ticket.json"
    ticket.write_text(json.dumps({
        "id": "T-1", "tier": "standard", "priority": "P2",
        "opened_at": "2026-11-20T17:30:00-05:00",
        "events": [{"kind": "responded", "at": "2026-11-23T07:55:00-05:00"}]}),
        encoding="utf-8")
    picture = tmp_path / "timeline.svg"
    assert main(["explain", "vircom", "--ticket", str(ticket), "--svg", str(picture)]) == 0
    out = capsys.readouterr().out
    assert "response: met" in out
    assert picture.read_text(encoding="utf-8").lstrip().startswith(("<svg", "<?xml"))


def test_validate_lint_schema_and_policies(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "policies")]) == 0
    invalid = ROOT / "tests" / "fixtures" / "invalid" / "several-errors.yaml"
    assert main(["validate", str(invalid)]) == 1
    err = capsys.readouterr().err
    assert err.count("several-errors.yaml:") == 4
    assert main(["lint", str(ROOT / "policies" / "cloudmark.yaml")]) == 0
    schema = tmp_path / "schema.json"
    assert main(["schema", "-o", str(schema)]) == 0
    assert json.loads(schema.read_text(encoding="utf-8"))["title"] == "slacalc policy"
    assert main(["policies"]) == 0
    listing = capsys.readouterr().out
    assert "vircom" in listing
    assert "Vircom" in listing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "missing.csv"], "slacalc report: no such file: missing.csv"),
        (["report", "examples/tickets.csv", "--now", "tomorrow"],
         "slacalc report: --now: malformed date 'tomorrow'"),
        (["report", "examples/tickets.csv", "--jobs", "0"],
         "slacalc report: --jobs: expected a positive number"),
        (["due", "vircom", "--tier", "gold", "--priority", "P1", "--opened",
          "2026-11-20T10:00:00Z"], "slacalc due: policy 'vircom' has no tier 'gold'"),
        (["due", "vircom", "--tier", "standard", "--priority", "P1", "--opened",
          "2026-11-20T10:00:00"], "slacalc due: --opened: '2026-11-20T10:00:00' has no UTC"),
        (["explain", "vircom", "--ticket", "nothing.json"],
         "slacalc explain: --ticket: cannot read nothing.json"),
        (["validate", "nowhere/"], "slacalc validate: no such file or directory: nowhere/"),
    ],
    ids=["missing-file", "bad-now", "bad-jobs", "unknown-tier", "naive-opened",
         "missing-ticket", "missing-policy-dir"],
)
def test_user_mistakes_are_one_line_without_traceback(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode in {1, 2}
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_everywhere_has_an_example() -> None:
    for command in ["", "report", "due", "explain", "validate", "lint", "schema", "policies",
                    "demo"]:
        result = run(*([command] if command else []), "--help")
        assert result.returncode == 0
        assert "example: slacalc" in result.stdout, command


def test_progress_bar_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from slacalc.batch._run import progress_bar  # noqa: PLC0415  (internal helper)

    # Half the characters read, 10 wide: five hashes.
    assert progress_bar(50, 100, 7, width=10) == "[#####.....]  50%  7 rows"
    assert progress_bar(120, 100, 9, width=4) == "[####] 100%  9 rows"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["report", str(EXAMPLE), "--format", "csv", "-o", str(tmp_path / "o.csv"),
                 "--now", NOW]) == 0
    err = capsys.readouterr().err
    assert "slacalc [##############################] 100%  320 rows" in err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_report_splits_quoted_multiline_records_like_one_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        jobs: str) -> None:
    # Blocks of 3 lines: quoted records (with line breaks, commas and doubled quotes) cross
    # block edges; the line numbers must be those of one csv.reader over the whole file.
    monkeypatch.setattr("slacalc.batch._run._CHUNK", 3)
    opened = "2026-11-20T10:00:00-05:00"
    subjects = ["plain", 'two\nlines, "quoted"', "plain", "three\nlines\nhere", "plain",
                "plain", "plain", 'a "b"', "plain", "x\ny", "plain", "plain"]
    records = [["ticket_id", "policy", "tier", "priority", "opened_at", "subject"]]
    for number, subject in enumerate(subjects):
        priority = "P9" if number % 4 == 2 else "P1"
        records.append([f"T{number}", "vircom", "standard", priority, opened, subject])
    source, out = tmp_path / "quoted.csv", tmp_path / "out.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records)
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        ends = {row[0]: reader.line_num for row in reader}  # the line each record ends on
    assert main(["report", str(source), "--format", "csv", "-o", str(out), "--jobs", jobs,
                 "--now", NOW]) == 1
    bad = [f"T{number}" for number in range(len(subjects)) if number % 4 == 2]
    stderr = capsys.readouterr().err
    assert [line.split(" ")[2] for line in stderr.splitlines() if "no priority" in line] == [
        f"{source}:{ends[ticket]}" for ticket in bad]
    written = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    done = [row["ticket_id"] for row in written]
    assert done == [f"T{number}" for number in range(len(subjects)) if number % 4 != 2
                    for _ in range(2)]


def test_report_reads_a_byte_order_mark_and_names_a_non_utf8_line(tmp_path: Path) -> None:
    header = "ticket_id,policy,tier,priority,opened_at\n"
    row = "T1,vircom,standard,P1,2026-11-20T10:00:00-05:00\n"
    marked = tmp_path / "excel.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + (header + row).encode())
    result = run("report", str(marked), "--format", "csv", "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("T1,vircom,standard,P1,response,")
    latin = tmp_path / "latin.csv"
    latin.write_bytes((header + row).encode() + "T\xe9,vircom\n".encode("latin-1"))
    result = run("report", str(latin))
    assert result.returncode == 1
    assert result.stderr == (f"slacalc report: {latin}:3: not UTF-8 text (byte 0xe9); "
                             f"save the export as UTF-8\n")
