"""Issue 17, items 10 and 11: the command line fails in one line, and nothing is a silent
surprise.

Item 10: an output that cannot be written (a folder, a missing folder, a full disk), a
``--jobs`` beyond any machine, Ctrl-C in the middle of a long report and a ticket file
that is not UTF-8 each print one line on stderr (never a traceback), exit with the status
docs/cli.md lists (1: a file could not be read or written; 2: a usage error; 130: Ctrl-C)
and leave no partial file behind. Item 11: a row with more cells than its header is a row
error (the one-file export and both tables of an event log), a header name twice is
refused (every table), a target under one microsecond is refused and longer ones are
rounded down to a whole microsecond (never to zero), and a FIFO in a policy folder is
reported, not waited on.

Whatever could hang (Ctrl-C, a FIFO) runs the real command in a child process with a
timeout and a 2 GiB address-space cap, so this suite cannot hang. Expected messages and
verdicts are worked out by hand from docs/cli.md and policies/vircom.yaml.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from slacalc import PolicyError
from slacalc.cli import main
from slacalc.policy import loads_policy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tickets.csv"
LOG = ROOT / "examples" / "eventlog"
TICKET = ROOT / "examples" / "ticket.json"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
MINIMAL = (ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
NOW = "2026-11-30T12:00:00Z"
OPENED = "2026-11-20T10:00:00-05:00"  # a Friday, 10:00 in Toronto
FULL = Path("/dev/full")
needs_full = pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
posix = pytest.mark.skipif(sys.platform == "win32", reason="signals and FIFOs")


_SLACALC = [sys.executable, "-c", (
    "import resource, runpy; "
    "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
    "runpy.run_module('slacalc', run_name='__main__', alter_sys=True)")]
"""``python -m slacalc`` with a 2 GiB address-space cap (its workers inherit it)."""
_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command in a child process (a timeout and a memory cap: it cannot hang
    the suite or fill the machine)."""
    return subprocess.run([*_SLACALC, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=ROOT, env=_ENV)


def _one_line(stderr: str, expected: str) -> None:
    """``stderr`` is exactly the one line ``expected``: no traceback, nothing else."""
    assert "Traceback" not in stderr, stderr
    assert stderr == expected + "\n", stderr


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# -- item 10: outputs that cannot be written ---------------------------------------------
#
# Each case: the arguments ({tmp}: a fresh folder holding only `old.csv`), the exit status
# and the one stderr line. A folder, a missing folder or a folder that is a file is a
# usage error found before anything is read (2); a full disk shows when the bytes are
# written (1). In every case the folder holds afterwards exactly what it held before.

_SVG = ["explain", "vircom", "--ticket", str(TICKET), "--now", NOW, "--svg"]
_REPORT = ["report", str(EXAMPLE), "--now", NOW]
_CASES: list[tuple[list[str], int, str]] = [
    ([*_REPORT, "-o", "{tmp}"], 2, "slacalc report: -o {tmp}: is a folder; name a file in it"),
    ([*_REPORT, "-o", "{tmp}/nowhere/x.csv"], 2,
     "slacalc report: -o {tmp}/nowhere/x.csv: no folder {tmp}/nowhere"),
    ([*_REPORT, "--errors", "{tmp}"], 2,
     "slacalc report: --errors {tmp}: is a folder; name a file in it"),
    ([*_SVG, "{tmp}"], 2, "slacalc explain: --svg {tmp}: is a folder; name a file in it"),
    ([*_SVG, "{tmp}/nowhere/t.svg"], 2,
     "slacalc explain: --svg {tmp}/nowhere/t.svg: no folder {tmp}/nowhere"),
    ([*_SVG, "{tmp}/old.csv/t.svg"], 2,  # a file is no folder
     "slacalc explain: --svg {tmp}/old.csv/t.svg: no folder {tmp}/old.csv"),
    (["schema", "-o", "{tmp}"], 2, "slacalc schema: -o {tmp}: is a folder; name a file in it"),
    (["schema", "-o", "{tmp}/nowhere/s.json"], 2,
     "slacalc schema: -o {tmp}/nowhere/s.json: no folder {tmp}/nowhere"),
    ([*_REPORT, "--jobs", "99999999999999999999"], 2,  # read whole, then over the cap
     "slacalc report: --jobs: at most 64 worker processes, got 99999999999999999999"),
    ([*_REPORT, "--jobs", "-99999999999999999999"], 2,
     "slacalc report: --jobs: expected a positive number, got -99999999999999999999"),
]
_IDS = ["o-folder", "o-missing-folder", "errors-folder", "svg-folder", "svg-missing-folder",
        "svg-under-a-file", "schema-folder", "schema-missing-folder", "jobs-huge",
        "jobs-hugely-negative"]


@pytest.mark.parametrize(("args", "status", "message"), _CASES, ids=_IDS)
def test_an_output_that_cannot_be_written_is_one_line_and_touches_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], status: int,
        message: str) -> None:
    (tmp_path / "old.csv").write_text("yesterday\n", encoding="utf-8")
    assert main([arg.replace("{tmp}", str(tmp_path)) for arg in args]) == status
    captured = capsys.readouterr()
    _one_line(captured.err, message.replace("{tmp}", str(tmp_path)))
    assert _files(tmp_path) == ["old.csv"]
    assert (tmp_path / "old.csv").read_text(encoding="utf-8") == "yesterday\n"


@needs_full
@pytest.mark.parametrize("args", [
    ["report", str(EXAMPLE), "--now", NOW, "--format", "csv", "-o", str(FULL), "--errors",
     "{tmp}/bad.csv"],
    ["report", str(EXAMPLE), "--now", NOW, "--format", "jsonl", "-o", "{tmp}/out.jsonl",
     "--errors", str(FULL)],
    ["report", str(EXAMPLE), "--now", NOW, "--errors", str(FULL)],  # the table on stdout
    ["explain", "vircom", "--ticket", str(TICKET), "--now", NOW, "--svg", str(FULL)],
    ["schema", "-o", str(FULL)],
], ids=["o", "errors-beside-o", "errors-alone", "svg", "schema"])
def test_a_full_disk_is_one_line_exit_1_and_leaves_no_other_file(
        tmp_path: Path, args: list[str]) -> None:
    # examples/tickets.csv has no bad row, but an errors file always gets its header
    # line; the other output, written to a temporary file beside it, is not renamed into
    # place, and the temporary file is removed.
    result = _run(*[arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.returncode == 1
    _one_line(result.stderr, f"slacalc {args[0]}: No space left on device")
    assert _files(tmp_path) == []


# -- item 10: Ctrl-C in the middle of a long report --------------------------------------


def _big_export(path: Path, copies: int) -> None:
    """examples/tickets.csv's rows ``copies`` times (ids made unique): 320 x ``copies``."""
    header, *rows = EXAMPLE.read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        for copy in range(copies):
            handle.writelines(f"C{copy}-{row}\n" for row in rows)


def _big_log(tickets: Path, events: Path, copies: int) -> None:
    """examples/eventlog's two tables ``copies`` times, ids made unique, grouped as it is."""
    for source, target in ((LOG / "tickets.csv", tickets), (LOG / "events.csv", events)):
        header, *rows = source.read_text(encoding="utf-8").splitlines()
        with target.open("w", encoding="utf-8") as handle:
            handle.write(header + "\n")
            for copy in range(copies):
                handle.writelines(f"C{copy}-{row}\n" for row in rows)


def _interrupted(args: list[str], ready: Callable[[], bool],
                 folder: Path) -> tuple[int, str, str]:
    """Run ``slacalc args`` in a child process and send it Ctrl-C once ``ready()`` holds:
    to its whole process group, as a terminal does (its workers included). Its exit
    status, stdout and stderr (kept in files in ``folder``, so that no full pipe can
    stall it); fails if it ends before ``ready()`` or is not ready within 120 s."""
    with (folder / "stdout.txt").open("w+b") as out, (folder / "stderr.txt").open("w+b") as err:
        process = subprocess.Popen([*_SLACALC, *args], stdout=out, stderr=err, cwd=ROOT,
                                   env=_ENV, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while not ready():
                assert process.poll() is None, "the report ended before it was interrupted"
                assert time.monotonic() < deadline, "the report never started writing"
                time.sleep(0.01)
            os.killpg(process.pid, signal.SIGINT)
            returncode = process.wait(timeout=120)
        finally:
            process.kill()
            process.wait()
        out.seek(0)
        err.seek(0)
        return returncode, out.read().decode(), err.read().decode()


def _part_files(folder: Path, name: str, *, written: bool) -> bool:
    """Whether the temporary file of output ``name`` is there (``written``: holding
    results already, so the report is in the middle of its work)."""
    return any(path.name.startswith(f".{name}.") and path.name.endswith(".part")
               and (not written or path.stat().st_size > 0)
               for path in list(folder.iterdir()))


@posix
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_mid_report_is_one_line_exit_130_and_no_partial_file(tmp_path: Path,
                                                                     jobs: str) -> None:
    source = tmp_path / "big.csv"
    _big_export(source, 1000)  # 320,000 tickets: many seconds of work, cut short
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "results.csv"
    out.write_text("yesterday's results\n", encoding="utf-8")
    returncode, stdout, stderr = _interrupted(
        ["report", str(source), "--format", "csv", "-o", str(out), "--errors",
         str(folder / "bad.csv"), "--jobs", jobs, "--now", NOW],
        lambda: _part_files(folder, out.name, written=True), tmp_path)
    assert returncode == 130
    assert stderr == "slacalc report: interrupted\n"
    assert stdout == ""  # the summary comes only with a finished report
    assert out.read_text(encoding="utf-8") == "yesterday's results\n"
    assert _files(folder) == ["results.csv"]  # no bad.csv, no temporary file


_FORK_INTERRUPTED = """
import os, signal, sys
from concurrent.futures import ProcessPoolExecutor
from slacalc.batch._pool import in_order
os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))
pool = ProcessPoolExecutor(2)
try:
    print(list(in_order(pool, abs, iter([-1, -2, -3]), 4)))
except KeyboardInterrupt:
    print("interrupted")
pool.shutdown(cancel_futures=True)
"""


@posix
def test_ctrl_c_while_the_workers_fork_stops_the_report() -> None:
    # A SIGINT that lands while the pool forks its workers (sent here by an at-fork hook
    # of the parent, deterministically) is raised once they are there; unheld it would be
    # swallowed by the hook ("Exception ignored") and the report would run to its end
    # (seen: Ctrl-C just after the first results, exit status 0).
    found = subprocess.run([sys.executable, "-c", _FORK_INTERRUPTED], capture_output=True,
                           text=True, cwd=ROOT, env=_ENV, timeout=120, check=True)
    assert found.stdout == "interrupted\n"


@posix
def test_ctrl_c_mid_event_log_report_is_one_line_exit_130(tmp_path: Path) -> None:
    tickets, events = tmp_path / "tickets.csv", tmp_path / "events.csv"
    _big_log(tickets, events, 400)  # 120,000 tickets and 469,200 events
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "results.csv"
    returncode, stdout, stderr = _interrupted(
        ["report", str(tickets), "--events", str(events), "--format", "csv", "-o", str(out),
         "--now", NOW], lambda: _part_files(folder, out.name, written=False), tmp_path)
    assert returncode == 130
    assert stderr == "slacalc report: interrupted\n"
    assert stdout == ""
    assert _files(folder) == []


# -- item 10: a ticket file that is not UTF-8 --------------------------------------------


def test_explain_a_ticket_file_not_utf8_is_one_line_and_draws_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ticket = json.loads(TICKET.read_text(encoding="utf-8"))
    latin = tmp_path / "latin.json"
    # "Montr\xe9al" in Latin-1: the byte 0xe9 starts no UTF-8 character.
    latin.write_bytes(json.dumps({**ticket, "id": "Montréal"}, ensure_ascii=False)
                      .encode("latin-1"))
    picture = tmp_path / "t.svg"
    assert main(["explain", "vircom", "--ticket", str(latin), "--now", NOW, "--svg",
                 str(picture)]) == 1
    captured = capsys.readouterr()
    _one_line(captured.err, f"slacalc explain: {latin}: not UTF-8 text (byte 0xe9); save it "
                            f"as UTF-8")
    assert captured.out == ""
    assert _files(tmp_path) == ["latin.json"]


# -- item 11: extra cells are a row error ------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_row_longer_than_its_header_is_a_row_error(tmp_path: Path, jobs: str,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text("ticket_id,policy,tier,priority,opened_at\n"
                      f"A,vircom,standard,P1,{OPENED},spilled\n"  # 6 cells: an error
                      f"B,vircom,standard,P1,{OPENED}\n"
                      f"C,vircom,standard,P1,{OPENED},\n"  # an empty 6th cell: one too
                      f"D,vircom,standard,P1\n",  # 4 cells: opened_at is missing
                      encoding="utf-8")
    out, bad = tmp_path / "out.csv", tmp_path / "bad.csv"
    assert main(["report", str(source), "--format", "csv", "-o", str(out), "--errors",
                 str(bad), "--jobs", jobs, "--now", NOW]) == 1
    assert [row["ticket_id"] for row in _read(out)] == ["B", "B"]  # response, resolution
    assert [(row["line"], row["ticket_id"], row["error"]) for row in _read(bad)] == [
        ("2", "A", "6 cells, the header has 5"), ("4", "C", "6 cells, the header has 5"),
        ("5", "D", "opened_at: missing")]
    err = capsys.readouterr().err
    assert f"slacalc report: {source}:2 (A): 6 cells, the header has 5\n" in err
    assert f"slacalc report: {source}:4 (C): 6 cells, the header has 5\n" in err


def test_a_row_of_the_wrong_width_in_an_event_log_fails_its_ticket(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tickets, events = tmp_path / "tickets.csv", tmp_path / "events.csv"
    tickets.write_text("ticket_id,policy,tier,priority,opened_at\n"
                       f"A,vircom,standard,P1,{OPENED},spilled\n"
                       f"B,vircom,standard,P1,{OPENED}\n"
                       f"C,vircom,standard,P1,{OPENED}\n"
                       f"D,vircom,standard,P1,{OPENED}\n", encoding="utf-8")
    events.write_text("ticket_id,at,kind\n"
                      "B,2026-11-20T10:10:00-05:00,responded,spilled\n"  # one cell too many
                      "C,2026-11-20T10:10:00-05:00,responded\n"
                      "D,2026-11-20T10:10:00-05:00\n", encoding="utf-8")  # one too few
    out, bad = tmp_path / "out.csv", tmp_path / "bad.csv"
    assert main(["report", str(tickets), "--events", str(events), "--format", "csv", "-o",
                 str(out), "--errors", str(bad), "--now", NOW]) == 1
    # Only C is evaluated: vircom P1 answers within 30 real minutes (due 10:30), C
    # answered at 10:10 (met); resolution is 4 real hours (due 14:00), never resolved by
    # the as-of instant ten days later (breached). B and D would have lost an event.
    assert {(row["ticket_id"], row["metric"]): row["status"] for row in _read(out)} == {
        ("C", "response"): "met", ("C", "resolution"): "breached"}
    assert [(row["line"], row["ticket_id"], row["error"]) for row in _read(bad)] == [
        ("2", "A", "6 cells, the header has 5"),
        ("3", "B", "not evaluated: its event at events.csv:2 is bad"),
        ("5", "D", "not evaluated: its event at events.csv:4 is bad"),
        ("2", "B", "events.csv:2: 4 cells, the header has 3"),
        ("4", "D", "events.csv:4: 2 cells, the header has 3")]
    assert "slacalc report: events.csv:2 (B): 4 cells, the header has 3\n" in \
        capsys.readouterr().err


# -- item 11: a header name twice --------------------------------------------------------


@pytest.mark.parametrize(("table", "header", "message"), [
    ("tickets", "ticket_id,policy,tier,priority,opened_at,Ticket ID",
     "columns 1 and 6 are both 'ticket_id'"),
    ("tickets", "ticket_id,policy,tier,priority,opened_at,category,CATEGORY",
     "columns 6 and 7 are both 'category'"),
    ("events", "ticket_id,at,kind,At", "columns 2 and 4 are both 'at'"),
])
def test_a_header_name_twice_in_an_event_log_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, header: str,
        message: str) -> None:
    files = {"tickets": tmp_path / "tickets.csv", "events": tmp_path / "events.csv"}
    headers = {"tickets": "ticket_id,policy,tier,priority,opened_at",
               "events": "ticket_id,at,kind", table: header}
    rows = {"tickets": f"A,vircom,standard,P1,{OPENED}", "events":
            "A,2026-11-20T10:10:00-05:00,responded"}
    for name, path in files.items():
        extra = "," * (len(headers[name].split(",")) - len(rows[name].split(",")))
        path.write_text(f"{headers[name]}\n{rows[name]}{extra}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["report", str(files["tickets"]), "--events", str(files["events"]),
                 "--format", "csv", "-o", str(out), "--now", NOW]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert err.startswith("slacalc report: ")
    assert f"{table}.csv: {message} (header names ignore case and spacing)\n" in err
    assert not out.exists()


def test_a_parquet_column_twice_is_refused(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    names = ["ticket_id", "policy", "tier", "priority", "opened_at", "Priority"]
    values = ["A", "vircom", "standard", "P1", OPENED, "P2"]
    source = tmp_path / "tickets.parquet"
    parquet.write_table(pa.table([pa.array([value]) for value in values], names=names),
                        source)
    assert main(["report", str(source), "--now", NOW]) == 2
    _one_line(capsys.readouterr().err, f"slacalc report: {source}: columns 4 and 6 are both "
                                       f"'priority' (header names ignore case and spacing)")


def test_a_jsonl_key_twice_keeps_the_last_as_json_does(tmp_path: Path) -> None:
    # The documented rule for JSONL (docs/cli.md, "Security"): a key written twice in one
    # object counts with its last value, as every JSON reader takes it. Here the ticket
    # is P2, whose response is 1 business hour and resolution 24 real hours on vircom.
    source = tmp_path / "tickets.jsonl"
    source.write_text(json.dumps({"policy": "vircom", "id": "A", "tier": "standard",
                                  "priority": "P1", "opened_at": OPENED})
                      .replace('"opened_at"', '"priority": "P2", "opened_at"') + "\n",
                      encoding="utf-8")
    assert source.read_text(encoding="utf-8").count('"priority"') == 2
    out = tmp_path / "out.csv"
    assert main(["report", str(source), "--format", "csv", "-o", str(out), "--now",
                 NOW]) == 0
    assert [(row["priority"], row["target"]) for row in _read(out)] == [
        ("P2", "1 business hour"), ("P2", "24 hours")]


# -- item 11: a target under one microsecond ---------------------------------------------


def test_validate_refuses_a_target_under_a_microsecond(
        capsys: pytest.CaptureFixture[str]) -> None:
    fixture = HOSTILE / "target-tiny.yaml"  # 0.0000000001 minutes = 0.000006 µs
    assert main(["validate", str(fixture)]) == 1
    _one_line(capsys.readouterr().err, f"slacalc validate: {fixture}:13:22: "
              "tiers.standard.targets.P1.response: '0.0000000001 minutes' is shorter than "
              "one microsecond, the smallest length slacalc measures")


def test_a_target_is_rounded_down_to_a_whole_microsecond_never_to_zero() -> None:
    # 0.000000025 minutes = 1.5 µs: due 1 µs after the opening (rounded down);
    # 0.000000016 minutes = 0.96 µs would round down to nothing, so it is refused.
    policy = loads_policy(MINIMAL.replace("1 business hour", "0.000000025 minutes"))
    opened = datetime.fromisoformat("2026-11-20T10:00:00+00:00")
    assert policy.deadlines("standard", "P1", opened)["response"] == \
        opened + timedelta(microseconds=1)
    with pytest.raises(PolicyError, match=r"'0.000000016 minutes' is shorter than one "
                                         r"microsecond"):
        loads_policy(MINIMAL.replace("1 business hour", "0.000000016 minutes"))


# -- item 11: a FIFO in a policy folder --------------------------------------------------


@posix
@pytest.mark.parametrize("command", ["validate", "lint"])
def test_a_fifo_in_a_policy_folder_is_one_line_not_a_hang(tmp_path: Path,
                                                          command: str) -> None:
    (tmp_path / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    os.mkfifo(tmp_path / "stuck.yaml")  # nobody ever writes to it: reading it would block
    (tmp_path / "deeper").mkdir()
    os.mkfifo(tmp_path / "deeper" / "stuck.yml")
    result = _run(command, tmp_path, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    refused = "not a regular file (a FIFO); a policy is read from a regular file only"
    assert result.stderr.splitlines() == [
        f"slacalc {command}: {tmp_path}/deeper/stuck.yml: {refused}",
        f"slacalc {command}: {tmp_path}/stuck.yaml: {refused}"]
    said = "ok" if command == "validate" else "clean"
    assert f"{tmp_path}/minimal.yaml: {said}" in result.stdout.splitlines()
