"""Issue 13: a report a support manager can trust at first sight, run as the real command.

Each test names the issue's item it holds. Expected figures are worked out by hand in the
comments (business hours of the bundled calendars, real-time arithmetic), never read
back from slacalc.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from slacalc.batch import RESULT_COLUMNS
from slacalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tickets.csv"
LOG = ROOT / "examples" / "eventlog"
NOW = "2026-11-30T12:00:00Z"
T0117 = ("T-0117,cloudmark,premium,P3,2026-10-29T10:23-07:00,delivery,email,"
         "2026-10-29T11:29-07:00,2026-10-30T10:59-07:00,,,")
HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]


def run(*args: str, stdin: str | None = None,
        stdin_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own; ``stdin`` (text) or ``stdin_file`` is
    its standard input."""
    command = [sys.executable, "-m", "slacalc", *args]
    if stdin_file is not None:
        with stdin_file.open("rb") as handle:
            return subprocess.run(command, stdin=handle, capture_output=True, text=True,
                                  check=False, cwd=ROOT)
    return subprocess.run(command, input=stdin, capture_output=True, text=True, check=False,
                          cwd=ROOT)


def _one_line(stderr: str, start: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith(start), stderr


def _csv_rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {(row["ticket_id"], row["metric"]): row for row in csv.DictReader(handle)}


def _cells(table: str) -> list[list[str]]:
    """The table's rows cut at the columns its dashes line marks (so a row out of line
    would be cut wrongly), header first."""
    lines = table.splitlines()
    dashes = next(index for index, line in enumerate(lines) if line.startswith("---"))
    spans, start = [], 0
    for run_ in lines[dashes].split("  "):
        spans.append((start, start + len(run_)))
        start += len(run_) + 2
    rows = []
    for line in [lines[dashes - 1], *lines[dashes + 1:]]:
        if not line.strip():
            break
        rows.append([line[a:b].strip() for a, b in spans])
    return rows


# -- item 1: as of now -------------------------------------------------------------------


def test_without_now_the_report_is_judged_as_of_the_clock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("slacalc.cli._clock.clock",
                        lambda: datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    out = tmp_path / "out.csv"
    assert main(["report", str(EXAMPLE), "--format", "csv", "-o", str(out)]) == 0
    row = _csv_rows(out)[("T-0004", "resolution")]
    # T-0004 (vircom P2) opened 2026-10-01 20:24 EDT = 10-02 00:24Z, never resolved: 24
    # real hours -> due 10-03 00:24Z (20:24 EDT). As of 11-30 12:00Z it is 58 days
    # (Oct 3 -> Nov 30) and 11 h 36 min late; judged as of its last event it read running.
    assert (row["status"], row["due"]) == ("breached", "2026-10-02T20:24:00-04:00")
    assert row["overrun_seconds"] == str(58 * 86_400 + 11 * 3600 + 36 * 60)
    assert "Summary as of 2026-11-30T12:00:00+00:00: 320 tickets evaluated" in \
        capsys.readouterr().out


def test_the_table_and_the_summary_say_as_of_when() -> None:
    before = datetime.now(UTC)
    result = run("report", str(EXAMPLE))
    after = datetime.now(UTC)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("SLA report as of ")
    shown = datetime.fromisoformat(first.removeprefix("SLA report as of "))
    assert before - timedelta(seconds=1) <= shown <= after  # the clock, to the second
    assert f"Summary as of {shown.isoformat()}: 320 tickets evaluated" in result.stdout


# -- item 2: due instants in the calendar's zone -----------------------------------------


@pytest.mark.parametrize("output_format", ["csv", "jsonl", "table"])
def test_due_instants_are_shown_in_the_calendar_zone(tmp_path: Path,
                                                     output_format: str) -> None:
    # T-0117 (cloudmark P3) opened Thu 2026-10-29 10:23 PDT; 2 business days of 24 hours
    # on Mon-Fri LA: Thu 13h37 + Fri 24h + Mon 10h23 -> Mon 2026-11-02 10:23, after the
    # clocks went back on Nov 1: PST, -08:00 (the opening's -07:00 would read 11:23).
    # Resolution, 10 business days, skips Wed Nov 11 (Veterans Day): Fri 11-13 10:23 PST.
    # The second row writes its opening in the basic form, which the column parser leaves
    # to the checked path: both paths must write the same text.
    basic = T0117.replace("T-0117", "T-0117b").replace("2026-10-29T10:23-07:00",
                                                       "20261029T102300-0700", 1)
    source = tmp_path / "tickets.csv"
    source.write_text(f"{HEADER}\n{T0117}\n{basic}\n", encoding="utf-8")
    out = tmp_path / f"out.{output_format}"
    assert main(["report", str(source), "--format", output_format, "-o", str(out),
                 "--now", NOW]) == 0
    text = out.read_text(encoding="utf-8")
    if output_format == "csv":
        rows = _csv_rows(out)
        dues = [rows[(ticket, metric)]["due"] for ticket in ("T-0117", "T-0117b")
                for metric in ("response", "resolution")]
    elif output_format == "jsonl":
        dues = [json.loads(line)["due"] for line in text.splitlines()]
    else:
        dues = [cells[6] for cells in _cells(text)[1:]]
    assert dues == ["2026-11-02T10:23:00-08:00", "2026-11-13T10:23:00-08:00"] * 2


# -- items 3 and 4: the table, the summary, JSONL ----------------------------------------


def _acme(tmp_path: Path) -> Path:
    """Vircom's terms saved under another file name (the policy's name stays vircom)."""
    path = tmp_path / "acme-terms.yaml"
    shutil.copy(ROOT / "policies" / "vircom.yaml", path)
    return path


def _two_rows(tmp_path: Path, policy: str) -> Path:
    source = tmp_path / "tickets.csv"
    source.write_text(
        "ticket_id,policy,tier,priority,opened_at,responded_at\n"
        f"TICKET-00001,{policy},standard,P2,2026-11-20T17:30:00-05:00,"
        "2026-11-23T09:00:00-05:00\n"
        f"T2,{policy},standard,P9,2026-11-20T17:30:00-05:00,\n", encoding="utf-8")
    return source


def test_the_table_shows_overruns_clocks_and_names_and_fits_its_content(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _two_rows(tmp_path, str(_acme(tmp_path)))
    assert main(["report", str(source), "--now", "2026-11-23T12:00:00-05:00"]) == 1
    out = capsys.readouterr().out
    # Vircom P2, opened Fri 17:30 EST. Response, 1 business hour (07:30-18:00): 30 min
    # Friday + 30 min Monday -> due Mon 08:00; answered 09:00: 2h00 of business time
    # used (Fri 17:30-18:00, Mon 07:30-09:00), 1h00 late in real time. Resolution, 24
    # real hours -> due Sat 17:30, still open at Mon 12:00: 66h30 used, 42h30 late.
    rows = _cells(out)
    assert rows[0] == ["ticket_id", "policy", "tier", "priority", "metric", "status", "due",
                       "clock", "elapsed", "remaining", "overrun", "at_risk"]
    assert rows[1:] == [
        ["TICKET-00001", "vircom", "standard", "P2", "response", "breached",
         "2026-11-23T08:00:00-05:00", "business", "2h00", "", "1h00", ""],
        ["TICKET-00001", "vircom", "standard", "P2", "resolution", "breached",
         "2026-11-21T17:30:00-05:00", "real", "66h30", "", "42h30", ""]]
    assert "acme-terms" not in out  # the policy's name, not its file
    assert ("Summary as of 2026-11-23T12:00:00-05:00: 1 ticket evaluated, 1 row failed"
            in out)
    lines = out.splitlines()
    head = next(line for line in lines if line.startswith("policy "))
    assert [part.strip() for part in head.split("  ") if part.strip()] == [
        "policy", "tier", "priority", "metric", "tickets", "met", "breached", "open", "void",
        "no target", "breach rate"]
    assert next(line for line in lines if line.startswith("vircom") and "response" in line
                ).split() == ["vircom", "standard", "P2", "response", "1", "0", "1", "0",
                              "0", "0", "100.0%"]
    worst = lines[lines.index("Worst overruns (real time past the due instant):") + 1]
    assert worst.split() == ["TICKET-00001", "vircom", "resolution", "due",
                             "2026-11-21T17:30:00-05:00,", "42h30", "late"]


def test_plurals_in_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text("ticket_id,policy,tier,priority,opened_at\n"
                      "A,vircom,standard,P1,2026-11-20T10:00:00-05:00\n"
                      "B,vircom,standard,P1,2026-11-20T10:00:00-05:00\n"
                      "C,vircom,standard,P9,2026-11-20T10:00:00-05:00\n"
                      "D,vircom,standard,P9,2026-11-20T10:00:00-05:00\n", encoding="utf-8")
    assert main(["report", str(source), "--now", NOW]) == 1
    assert "Summary as of 2026-11-30T12:00:00+00:00: 2 tickets evaluated, 2 rows failed" \
        in capsys.readouterr().out


def test_jsonl_writes_numbers_as_numbers_and_missing_as_null(tmp_path: Path) -> None:
    source = _two_rows(tmp_path, "vircom")
    with source.open("a", encoding="utf-8") as handle:  # answered half a second later
        handle.write("T3,vircom,standard,P2,2026-11-20T17:30:00-05:00,"
                     "2026-11-23T07:55:00.500000-05:00\n")
    out = tmp_path / "out.jsonl"
    assert main(["report", str(source), "--format", "jsonl", "-o", str(out),
                 "--now", "2026-11-23T12:00:00-05:00", "--errors",
                 str(tmp_path / "bad.csv")]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(list(row) == list(RESULT_COLUMNS) for row in rows)
    assert all(value != "" for row in rows for value in row.values())
    response, resolution, late = rows[0], rows[1], rows[2]
    # See the table test: 2h00 used, 0 left, 1h00 late; resolution 66h30 used, 42h30 late.
    assert (response["elapsed_seconds"], response["remaining_seconds"],
            response["overrun_seconds"]) == (7200, 0, 3600)
    assert type(response["elapsed_seconds"]) is int
    assert (resolution["stopped_at"], resolution["reason"], resolution["overrun_seconds"],
            resolution["elapsed_seconds"]) == (None, None, 42 * 3600 + 1800,
                                               66 * 3600 + 1800)
    # T3: Fri 30 min + Mon 07:30-07:55:00.5 = 3300.5 s of 3600: 299.5 left, met.
    assert (late["status"], late["elapsed_seconds"], late["remaining_seconds"],
            late["overrun_seconds"]) == ("met", 3300.5, 299.5, None)


# -- item 6: file-level mistakes, said once ----------------------------------------------


def _without(column: str, rows: int = 50) -> str:
    records = list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"))))[:rows + 1]
    index = records[0].index(column)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [cell for number, cell in enumerate(record) if number != index] for record in records)
    return buffer.getvalue()


def test_a_missing_column_is_one_line_and_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text(_without("opened_at"), encoding="utf-8")
    result = run("report", str(source), "--now", NOW)
    assert result.returncode == 2
    _one_line(result.stderr, f"slacalc report: {source}: no opened_at column; the header is "
                             "ticket_id, policy, tier, priority, category")
    assert result.stdout == ""
    near = tmp_path / "near.csv"
    near.write_text(EXAMPLE.read_text(encoding="utf-8").replace("opened_at", "opend_at", 1),
                    encoding="utf-8")
    result = run("report", str(near), "--now", NOW)
    assert result.returncode == 2
    _one_line(result.stderr, f"slacalc report: {near}: no opened_at column (did you mean "
                             "'opend_at'?)")


@pytest.mark.parametrize("form", ["semicolons", "tabs", "spoken headers"])
def test_separators_and_header_spelling_are_read(tmp_path: Path, form: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")  # no quotes, commas only as separators
    if form == "semicolons":
        text = text.replace(",", ";")
    elif form == "tabs":
        text = text.replace(",", "\t")
    else:
        text = text.replace(HEADER, "Ticket ID,Policy,TIER, Priority ,Opened At,Category,"
                                    "Channel,Responded At,Resolved At,Workaround At,"
                                    "Priority Changed At,Priority Changed To", 1)
    source, out, reference = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "ref.csv"
    source.write_text(text, encoding="utf-8")
    assert main(["report", str(EXAMPLE), "--format", "csv", "-o", str(reference),
                 "--now", NOW]) == 0
    assert main(["report", str(source), "--format", "csv", "-o", str(out), "--now", NOW]) == 0
    assert out.read_text(encoding="utf-8") == reference.read_text(encoding="utf-8")


def test_an_unknown_policy_option_is_one_line_and_exit_2() -> None:
    result = run("report", str(EXAMPLE), "--policy", "vircon", "--now", NOW)
    assert result.returncode == 2
    _one_line(result.stderr, "slacalc report: --policy: no bundled policy 'vircon' (did you "
                             "mean 'vircom'?)")


def test_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text("ticket_id,policy,tier,priority,opened_at,Ticket ID\n"
                      "A,vircom,standard,P1,2026-11-20T10:00:00-05:00,B\n", encoding="utf-8")
    result = run("report", str(source), "--now", NOW)
    assert result.returncode == 2
    _one_line(result.stderr, f"slacalc report: {source}: columns 1 and 6 are both "
                             "'ticket_id'")


def test_an_events_file_without_a_kind_column_is_one_line(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("ticket_id,at\nL-00001,2026-10-30T08:00:00-04:00\n", encoding="utf-8")
    result = run("report", str(LOG / "tickets.csv"), "--events", str(events), "--now", NOW)
    assert result.returncode == 2
    _one_line(result.stderr, "slacalc report: events.csv: no kind column; the header is "
                             "ticket_id, at")


# -- item 7: never a traceback, never half a file ----------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["report", str(EXAMPLE), "-o", "{tmp}"], "slacalc report: -o {tmp}: is a folder"),
    (["report", str(EXAMPLE), "-o", "{tmp}/nowhere/x.csv"],
     "slacalc report: -o {tmp}/nowhere/x.csv: no folder {tmp}/nowhere"),
    (["report", str(EXAMPLE), "--errors", "{tmp}/nowhere/e.csv"],
     "slacalc report: --errors {tmp}/nowhere/e.csv: no folder {tmp}/nowhere"),
    (["schema", "-o", "{tmp}"], "slacalc schema: -o {tmp}: is a folder"),
    (["schema", "-o", "{tmp}/nowhere/s.json"], "slacalc schema: -o {tmp}/nowhere/s.json: no "
                                               "folder"),
    (["explain", "vircom", "--ticket", "examples/ticket.json", "--now", NOW, "--svg",
      "{tmp}/nowhere/t.svg"], "slacalc explain: --svg {tmp}/nowhere/t.svg: no folder"),
], ids=["o-folder", "o-missing-folder", "errors-missing-folder", "schema-folder",
        "schema-missing-folder", "svg-missing-folder"])
def test_outputs_that_cannot_be_written_are_one_line(tmp_path: Path, args: list[str],
                                                     message: str) -> None:
    result = run(*[arg.replace("{tmp}", str(tmp_path)) for arg in args], "--now", NOW) \
        if args[0] == "report" else run(*[arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.returncode == 2
    _one_line(result.stderr, message.replace("{tmp}", str(tmp_path)))
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("option", ["-o", "--errors"])
def test_an_output_that_is_the_input_is_refused(tmp_path: Path, option: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "x.csv"
    shutil.copy(EXAMPLE, source)
    before = source.read_bytes()
    spelled = str(tmp_path / "." / "x.csv")  # the same file, named otherwise
    assert main(["report", str(source), "--format", "csv", option, spelled, "--now",
                 NOW]) == 2
    _one_line(capsys.readouterr().err, f"slacalc report: {option} {spelled} is the input "
                                       f"file")
    assert source.read_bytes() == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    result = run("report", str(EXAMPLE), "--format", "csv", "-o", "/dev/full", "--errors",
                 str(tmp_path / "bad.csv"), "--now", NOW)
    assert result.returncode == 1
    _one_line(result.stderr, "slacalc report: No space left on device")
    assert list(tmp_path.iterdir()) == []  # the errors file is not left half written


def test_an_interrupted_report_leaves_no_half_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import slacalc.batch._run as running  # noqa: PLC0415  (the chunk evaluator, patched)

    evaluate, calls = running._evaluate_chunk, []

    def interrupted(work: object) -> object:
        calls.append(1)
        if len(calls) == 3:  # two chunks written, then Ctrl-C
            raise KeyboardInterrupt
        return evaluate(work)  # type: ignore[arg-type]

    monkeypatch.setattr(running, "_CHUNK", 50)
    monkeypatch.setattr(running, "_evaluate_chunk", interrupted)
    out, bad = tmp_path / "out.csv", tmp_path / "bad.csv"
    out.write_text("yesterday's results\n", encoding="utf-8")
    assert main(["report", str(EXAMPLE), "--format", "csv", "-o", str(out), "--errors",
                 str(bad), "--now", NOW]) == 130
    assert capsys.readouterr().err == "slacalc report: interrupted\n"
    assert out.read_text(encoding="utf-8") == "yesterday's results\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.csv"]


def _reading_stdin(pid: int) -> None:
    """Wait (at most 10 s) until process ``pid`` is blocked reading its standard input."""
    deadline = time.monotonic() + 10
    wchan = Path(f"/proc/{pid}/wchan")
    while time.monotonic() < deadline:
        try:
            if "pipe" in wchan.read_text():
                return
        except OSError:
            break
        time.sleep(0.05)
    time.sleep(2)  # no /proc: give the interpreter time to start


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "slacalc", "report", "-", "-o", str(out), "--now", NOW],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        assert process.stdin is not None
        process.stdin.write(f"{HEADER}\n".encode())
        process.stdin.flush()
        _reading_stdin(process.pid)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.decode() == "slacalc report: interrupted\n"
    assert not out.exists()


# -- item 8: standard input and empty input ----------------------------------------------


def test_standard_input_is_read(tmp_path: Path) -> None:
    expected = run("report", str(EXAMPLE), "--format", "csv", "--now", NOW)
    piped = run("report", "-", "--format", "csv", "--now", NOW,
                stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == expected.stdout
    device = run("report", "/dev/stdin", "--format", "csv", "--now", NOW, stdin_file=EXAMPLE)
    assert device.returncode == 0, device.stderr
    assert device.stdout == expected.stdout
    line = json.dumps({"policy": "vircom", "id": "J1", "tier": "standard", "priority": "P2",
                       "opened_at": "2026-11-20T17:30:00-05:00", "events": []})
    jsonl = run("report", "-", "--format", "csv", "--now", NOW, stdin=f"{line}\n")
    assert jsonl.returncode == 0, jsonl.stderr
    assert [row[:5] for row in csv.reader(io.StringIO(jsonl.stdout))][1:] == [
        ["J1", "vircom", "standard", "P2", "response"],
        ["J1", "vircom", "standard", "P2", "resolution"]]


@pytest.mark.parametrize("content", ["", "\n\n", f"{HEADER}\n"], ids=["empty", "blank",
                                                                      "header-only"])
def test_no_tickets_says_so(tmp_path: Path, content: str) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text(content, encoding="utf-8")
    result = run("report", str(source), "--now", NOW)
    assert result.returncode == 1
    _one_line(result.stderr, f"slacalc report: {source}: no tickets")
    assert result.stdout == ""
    stdin = run("report", "-", "--now", NOW, stdin=content)
    assert stdin.returncode == 1
    _one_line(stdin.stderr, "slacalc report: stdin: no tickets")


def test_an_event_log_without_tickets_says_so(tmp_path: Path) -> None:
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("ticket_id,policy,tier,priority,opened_at\n", encoding="utf-8")
    result = run("report", str(tickets), "--events", str(LOG / "events.csv"), "--now", NOW)
    assert result.returncode == 1
    _one_line(result.stderr, "slacalc report: tickets.csv: no tickets")


def test_validate_a_folder_without_policies(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no policy here", encoding="utf-8")
    result = run("validate", str(tmp_path))
    assert result.returncode == 1
    _one_line(result.stderr, f"slacalc validate: {tmp_path}: no policy files")


# -- item 9: consistent messages and exit codes ------------------------------------------


def test_every_error_line_names_the_command(tmp_path: Path) -> None:
    source = _two_rows(tmp_path, "vircom")
    result = run("report", str(source), "--now", NOW)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"slacalc report: {source}:3 (T2): policy 'vircom' has no priority 'P9'; priorities: "
        "P1 (critical, urgent), P2 (high), P3 (normal)"]
    invalid = ROOT / "tests" / "fixtures" / "invalid" / "several-errors.yaml"
    result = run("validate", str(invalid))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 4
    assert all(line.startswith(f"slacalc validate: {invalid}:") for line in lines), lines


@pytest.mark.parametrize(("args", "message"), [
    (["--tier", "standrd", "--priority", "P1"],
     "slacalc due: policy 'vircom' has no tier 'standrd' (did you mean 'standard'?); "
     "tiers: standard"),
    (["--tier", "standard", "--priority", "hihg"],
     "slacalc due: policy 'vircom' has no priority 'hihg' (did you mean 'high'?)"),
], ids=["tier", "priority"])
def test_unknown_names_are_exit_2_with_a_did_you_mean(args: list[str], message: str) -> None:
    result = run("due", "vircom", *args, "--opened", "2026-11-20T17:30:00-05:00")
    assert result.returncode == 2
    _one_line(result.stderr, message)
    result = run("due", "vircm", *args, "--opened", "2026-11-20T17:30:00-05:00")
    assert result.returncode == 2
    _one_line(result.stderr, "slacalc due: no bundled policy 'vircm' (did you mean "
                             "'vircom'?)")


def test_tiers_are_matched_in_any_case(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # No --opened: a ticket opened now (Fri 2026-11-20 22:30Z = 17:30 EST). P2's 1
    # business hour on 07:30-18:00 Toronto: 30 min Friday, 30 min Monday -> Mon 08:00.
    monkeypatch.setattr("slacalc.cli._clock.clock",
                        lambda: datetime(2026, 11, 20, 22, 30, tzinfo=UTC))
    assert main(["due", "vircom", "--tier", "STANDARD", "--priority", "High"]) == 0
    assert "Mon 2026-11-23 08:00 EST" in capsys.readouterr().out


def test_due_help_says_what_due_requires() -> None:
    result = run("due", "--help")
    assert result.returncode == 0
    assert "[--opened OPENED]" in result.stdout  # optional: a ticket opened now
    assert "--tier TIER --priority PRIORITY" in " ".join(result.stdout.split())


def test_explain_unknown_priority_and_any_case_tier(tmp_path: Path) -> None:
    ticket = json.loads((ROOT / "examples" / "ticket.json").read_text(encoding="utf-8"))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({**ticket, "priority": "critcal"}), encoding="utf-8")
    result = run("explain", "vircom", "--ticket", str(wrong), "--now", NOW)
    assert result.returncode == 2
    _one_line(result.stderr, "slacalc explain: policy 'vircom' has no priority 'critcal' "
                             "(did you mean 'critical'?)")
    shouted = tmp_path / "shouted.json"
    shouted.write_text(json.dumps({**ticket, "tier": "Standard"}), encoding="utf-8")
    result = run("explain", "vircom", "--ticket", str(shouted), "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "tier standard" in result.stdout
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps(ticket).replace("usage", "us\u00e9").encode("latin-1"))
    result = run("explain", "vircom", "--ticket", str(latin), "--now", NOW)
    assert result.returncode == 1
    _one_line(result.stderr, f"slacalc explain: {latin}: not UTF-8 text (byte 0xe9)")


def test_every_command_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("report", "due", "explain", "validate", "lint", "schema", "policies",
                    "demo"):
        assert f"\nslacalc {command}" in text, command
        assert f"`{command}`" in text, command


# -- item 12: the example generator ------------------------------------------------------


def test_make_tickets_takes_rows_and_out(tmp_path: Path) -> None:
    script = ROOT / "examples" / "make_tickets.py"
    out = tmp_path / "seven.csv"
    done = subprocess.run([sys.executable, str(script), "--rows", "7", "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 8
    assert [line.split(",")[0] for line in lines[1:]] == [f"T-{n:04d}" for n in range(1, 8)]
    helped = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                            text=True, check=False)
    assert helped.returncode == 0
    assert "--rows" in helped.stdout
    assert "--out" in helped.stdout
    assert not (ROOT / "examples" / "--help").exists()


# -- the README shows the report as printed ----------------------------------------------


def test_the_readme_shows_the_report_as_it_is_printed(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(line for line in text.splitlines()
                   if line.startswith("pip install . && slacalc report"))
    shown = text.split("The report starts like this", 1)[1].split("```\n", 2)[1]
    monkeypatch.chdir(ROOT)
    args = command.split(" && ")[1].split()[1:]
    assert "--now" in args  # reproducible
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(shown), (shown, printed[:len(shown)])


def test_report_rows_match_tiers_in_any_case_and_suggest_names(tmp_path: Path) -> None:
    # issue 13 item 9: a row's tier in another case is the same tier; a near miss of a
    # tier or priority is that row's error with a did-you-mean.
    source = tmp_path / "t.csv"
    source.write_text(
        "ticket_id,policy,tier,priority,opened_at,responded_at\n"
        "T1,vircom,Standard,P2,2026-11-20T17:30:00-05:00,2026-11-23T07:55:00-05:00\n"
        "T2,vircom,standrd,P2,2026-11-20T17:30:00-05:00,\n"
        "T3,vircom,standard,P22,2026-11-20T17:30:00-05:00,\n", encoding="utf-8")
    out, bad = tmp_path / "out.csv", tmp_path / "bad.csv"
    assert main(["report", str(source), "--format", "csv", "-o", str(out), "--errors",
                 str(bad), "--now", "2026-11-30T12:00:00Z"]) == 1
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [(row["ticket_id"], row["metric"], row["status"]) for row in rows] == [
        ("T1", "response", "met"), ("T1", "resolution", "breached")]
    errors = [row[2] for row in list(csv.reader(bad.read_text().splitlines()))[1:]]
    assert "no tier 'standrd' (did you mean 'standard'?)" in errors[0]
    assert "no priority 'P22' (did you mean 'P2'?)" in errors[1]
