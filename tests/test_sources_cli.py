"""``slacalc report --from DESK FOLDER`` and ``slacalc convert`` on the example exports
(examples/desks/, the same 40 tickets written in each desk's shape) and on small bad
folders."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from slacalc.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "desks"
NOW = "2026-12-01T00:00:00Z"
IDS = {"zendesk": "{}", "jira": "SD-{}", "servicenow": "INC{:07d}", "statuslog": "T-{:05d}"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("desk", sorted(IDS))
def test_each_example_folder_reports_cleanly(desk: str, capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    code, out, err = _run(capsys, "report", "--from", desk, str(EXAMPLES / desk), "--now", NOW,
                          "--format", "csv", "-o", str(tmp_path / "r.csv"))
    assert (code, err) == (0, "")
    assert "40 tickets evaluated, 0 rows failed" in out
    rows = _rows((tmp_path / "r.csv").read_text())
    assert len(rows) == 80  # a response and a resolution row per ticket


def test_the_four_desks_give_the_same_results(capsys: pytest.CaptureFixture[str]) -> None:
    # The generator writes the same stories in four shapes; four adapters read them
    # independently, so every result but the ticket id must be equal.
    results = {}
    for desk, form in IDS.items():
        code, out, _ = _run(capsys, "report", "--from", desk, str(EXAMPLES / desk),
                            "--now", NOW, "--format", "csv")
        assert code == 0
        rows = _rows(out)
        numbers = {form.format(number): number for number in range(1, 41)}
        results[desk] = [{**row, "ticket_id": numbers[row["ticket_id"]]} for row in rows]
    assert results["zendesk"] == results["jira"] == results["servicenow"] == \
        results["statuslog"]


def test_convert_writes_the_event_log_that_reports_the_same(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "convert", "--from", "zendesk", str(EXAMPLES / "zendesk"),
                        "-o", str(tmp_path / "out"))
    assert (code, err) == (0, "")
    out = tmp_path / "out"
    assert sorted(path.name for path in out.iterdir()) == [
        "desk_verdicts.csv", "events.csv", "tickets.csv"]
    assert next(csv.reader(io.StringIO((out / "desk_verdicts.csv").read_text()))) == [
        "ticket_id", "metric", "breached", "due_at", "elapsed_seconds", "desk_metric",
        "source"]
    _, from_files, _ = _run(capsys, "report", str(out / "tickets.csv"), "--events",
                            str(out / "events.csv"), "--now", NOW, "--format", "csv")
    _, from_desk, _ = _run(capsys, "report", "--from", "zendesk", str(EXAMPLES / "zendesk"),
                           "--now", NOW, "--format", "csv", "--jobs", "2")
    assert from_files == from_desk


def _zendesk(folder: Path, audits: list[dict[str, object]]) -> Path:
    folder.mkdir()
    tickets = [{"id": number, "created_at": "2026-11-02T09:00:00Z", "priority": "high",
                "status": "open", "requester_id": 1} for number in (1, 2)]
    (folder / "tickets.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tickets))
    (folder / "audits.jsonl").write_text("".join(json.dumps(a) + "\n" for a in audits))
    return folder


def _change(number: int, at: str, before: str, after: str) -> dict[str, object]:
    return {"ticket_id": number, "created_at": at, "author_id": 5, "events": [
        {"type": "Change", "field_name": "status", "previous_value": before, "value": after}]}


def test_a_record_the_mapping_lacks_is_a_row_error(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    folder = _zendesk(tmp_path / "zd", [
        _change(1, "2026-11-02T10:00:00Z", "open", "pending"),
        _change(1, "2026-11-02T11:00:00Z", "pending", "pending_vendor"),
        _change(2, "2026-11-02T10:00:00Z", "open", "solved")])
    code, out, err = _run(capsys, "report", "--from", "zendesk", str(folder), "--now", NOW,
                          "--format", "csv", "--errors", str(tmp_path / "bad.csv"))
    assert code == 1
    assert err.splitlines()[-1] == (
        "slacalc report: audits.jsonl:2 (1): status 'pending_vendor' is not in the mapping "
        "(did you mean 'pending'?)")
    assert "1 ticket evaluated, 1 row failed" in err  # the summary (stderr: CSV on stdout)
    assert [row["ticket_id"] for row in _rows(out)] == ["2", "2"]
    assert (tmp_path / "bad.csv").read_text().splitlines()[1] == (
        "2,1,audits.jsonl:2: status 'pending_vendor' is not in the mapping (did you mean "
        "'pending'?)")


def test_a_folder_out_of_order_is_read_whole(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    folder = _zendesk(tmp_path / "zd", [_change(2, "2026-11-02T10:00:00Z", "open", "solved"),
                                        _change(1, "2026-11-02T10:00:00Z", "open", "solved")])
    code, out, err = _run(capsys, "report", "--from", "zendesk", str(folder), "--now", NOW,
                          "--format", "csv")
    assert code == 0
    assert "not grouped by ticket in the tickets' order: reading them whole" in err
    assert [row["stopped_at"] for row in _rows(out) if row["metric"] == "resolution"] == [
        "2026-11-02T10:00:00+00:00"] * 2


def test_mapping_mistakes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = str(EXAMPLES / "zendesk")
    code, _, err = _run(capsys, "report", "--from", "jira", folder, "--mapping",
                        str(EXAMPLES.parent.parent / "src" / "slacalc" / "sources" /
                            "defaults" / "zendesk.yaml"))
    assert code == 2
    assert re.search(r"written for desk 'zendesk', not 'jira'", err)
    bad = Path(__file__).parent / "fixtures" / "mappings" / "bad_role.yaml"
    code, _, err = _run(capsys, "report", "--from", "zendesk", folder, "--mapping", str(bad))
    assert code == 1
    assert err.startswith(f"slacalc report: {bad}:4:12: statuses.pending: ")
    code, _, err = _run(capsys, "report", folder, "--mapping", str(bad))
    assert (code, err.strip()) == (2, "slacalc report: --mapping needs --from DESK")
    code, _, err = _run(capsys, "report", "--from", "zendesk", str(tmp_path / "none"))
    assert code == 2
    assert "not a folder" in err


def test_a_missing_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "servicenow", tmp_path / "sn")
    (tmp_path / "sn" / "sys_audit.csv").unlink()
    code, _, err = _run(capsys, "report", "--from", "servicenow", str(tmp_path / "sn"))
    assert code == 1
    assert err.strip() == f"slacalc report: {tmp_path / 'sn'}: no sys_audit.csv in this folder"


def test_outputs_never_overwrite_the_export(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "statuslog", tmp_path / "log")
    before = (tmp_path / "log" / "tickets.csv").read_text()
    code, _, err = _run(capsys, "convert", "--from", "statuslog", str(tmp_path / "log"),
                        "-o", str(tmp_path / "log"))
    assert code == 2
    assert "the export folder itself" in err
    code, _, err = _run(capsys, "report", "--from", "statuslog", str(tmp_path / "log"),
                        "-o", str(tmp_path / "log" / "tickets.csv"))
    assert code == 2
    assert (tmp_path / "log" / "tickets.csv").read_text() == before
