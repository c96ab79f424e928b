"""Issue 17, item 6: one bad row never kills the report.

Each case is one hostile row between two good ones, run through the real command line
(`slacalc.cli.main`): the report goes on (exit status 1: some input was bad), both good
tickets are in the results, and the bad row's error names its line and what is wrong. A
row naming a broken policy file gets that file's located `PolicyError` as its reason.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from slacalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
NOW = "2026-12-01T00:00:00Z"
OPENED = "2026-11-20T10:00:00-05:00"
HEADER = ["ticket_id", "policy", "tier", "priority", "opened_at"]


def _csv(tmp_path: Path, bad: list[str]) -> Path:
    path = tmp_path / "tickets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerow(["OK1", "vircom", "standard", "P2", OPENED])
        writer.writerow(bad)
        writer.writerow(["OK2", "vircom", "standard", "P2", OPENED])
    return path


def _policy_row(tmp_path: Path, write: Callable[[Path], Path]) -> Path:
    return _csv(tmp_path, ["BAD", str(write(tmp_path)), "standard", "P2", OPENED])


def _report(tmp_path: Path, tickets: Path) -> tuple[int, set[str], list[dict[str, str]]]:
    out, errors = tmp_path / "out.csv", tmp_path / "bad.csv"
    status = main(["report", str(tickets), "--now", NOW, "--format", "csv", "-o", str(out),
                   "--errors", str(errors)])
    with out.open(encoding="utf-8", newline="") as handle:
        ids = {row["ticket_id"] for row in csv.DictReader(handle)}
    with errors.open(encoding="utf-8", newline="") as handle:
        return status, ids, list(csv.DictReader(handle))


def _nul(folder: Path) -> Path:
    path = folder / "nul.yaml"
    path.write_bytes(MINIMAL.encode() + b"notes: a\x00b\n")  # the NUL: line 15, column 9
    return path


def _deep(folder: Path) -> Path:
    path = folder / "deep.yaml"
    path.write_text(MINIMAL + "notes: " + "[" * 100_000 + "]" * 100_000 + "\n",
                    encoding="utf-8")
    return path


def _big_int(folder: Path) -> Path:
    path = folder / "bigint.yaml"
    path.write_text(MINIMAL.replace("schema_version: 1", "schema_version: " + "9" * 5000),
                    encoding="utf-8")
    return path


def _bad_date(folder: Path) -> Path:
    path = folder / "date.yaml"
    path.write_text(MINIMAL + "notes: 2026-02-30\n", encoding="utf-8")
    return path


def _chain(folder: Path) -> Path:
    # 1,000 policies, each extending the next: more than the 16 files a chain may hold
    for index in range(1000):
        text = MINIMAL.replace("name: minimal", f"name: chain{index}")
        if index < 999:
            text = f"extends: chain{index + 1}.yaml\n" + text
        (folder / f"chain{index}.yaml").write_text(text, encoding="utf-8")
    return folder / "chain0.yaml"


def _huge_target(folder: Path) -> Path:
    path = folder / "target.yaml"
    path.write_text(MINIMAL.replace("1 business day", "9" * 60 + " hours"), encoding="utf-8")
    return path


@pytest.mark.parametrize(("write", "reason"), [
    (_nul, "nul.yaml:15:9: character U+0000 (a NUL) is not allowed"),
    (_deep, "deep.yaml:15:39: nesting deeper than 32 levels"),
    (_big_int, "bigint.yaml:1:17: an integer of 5,000 characters is too long (at most 100)"),
    (_bad_date, "date.yaml:15:8: 2026-02-30 is not a real date or time"),
    (_chain, "extends"),
    (_huge_target, "target.yaml:14:22: tiers.standard.targets.P2.response: "),
], ids=["NUL byte", "deep nesting", "5000-digit integer", "2026-02-30", "extends chain",
        "huge target"])
def test_a_row_whose_policy_file_is_broken_is_that_rows_error(
        tmp_path: Path, write: Callable[[Path], Path], reason: str) -> None:
    status, ids, errors = _report(tmp_path, _policy_row(tmp_path, write))
    assert status == 1
    assert ids == {"OK1", "OK2"}
    assert [(row["line"], row["ticket_id"]) for row in errors] == [("3", "BAD")]
    assert reason in errors[0]["error"]


def test_a_huge_target_says_so(tmp_path: Path) -> None:
    _, _, errors = _report(tmp_path, _policy_row(tmp_path, _huge_target))
    assert "is longer than 100 years" in errors[0]["error"]


def test_an_extends_chain_too_long_names_the_limit(tmp_path: Path) -> None:
    _, _, errors = _report(tmp_path, _policy_row(tmp_path, _chain))
    assert "16" in errors[0]["error"]


def test_a_field_over_128_kib_is_its_rows_error(tmp_path: Path) -> None:
    for name, quoted in (("plain", False), ("quoted", True)):
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "tickets.csv"
        field = "x" * 140_000
        path.write_text(",".join(HEADER) + "\n" + f"OK1,vircom,standard,P2,{OPENED}\n"
                        + f"BAD,vircom,standard,P2,{json.dumps(field) if quoted else field}\n"
                        + f"OK2,vircom,standard,P2,{OPENED}\n", encoding="utf-8")
        status, ids, errors = _report(folder, path)
        assert status == 1
        assert ids == {"OK1", "OK2"}
        assert [(row["line"], row["error"]) for row in errors] == [
            ("3", "malformed CSV (field larger than field limit (131072))")]


def _jsonl(tmp_path: Path, bad: str) -> Path:
    good = {"policy": "vircom", "tier": "standard", "priority": "P2", "opened_at": OPENED}
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join([json.dumps({**good, "id": "OK1"}), bad,
                               json.dumps({**good, "id": "OK2"})]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("bad", "ticket_id", "reason"), [
    ('{"id": "BAD", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "",
     "malformed JSON: nested too deeply"),
    ('{"id": "BAD", "x": ' + "9" * 5000 + "}", "",
     "malformed JSON: a number of more than 4,300 digits"),
    ('{"id": "\\ud800", "policy": "vircom", "tier": "standard", "priority": "P2", '
     f'"opened_at": "{OPENED}"}}', "\\ud800",
     "text with a lone surrogate (a \\ud800-\\udfff escape not in a pair) cannot be "
     "written as UTF-8"),
], ids=["nested 10^5 deep", "5000-digit number", "lone surrogate id"])
def test_a_hostile_jsonl_line_is_its_rows_error(tmp_path: Path, bad: str, ticket_id: str,
                                                 reason: str) -> None:
    status, ids, errors = _report(tmp_path, _jsonl(tmp_path, bad))
    assert status == 1
    assert ids == {"OK1", "OK2"}
    assert [(row["line"], row["ticket_id"], row["error"]) for row in errors] == [
        ("2", ticket_id, reason)]


def test_an_emoji_pair_is_not_a_lone_surrogate(tmp_path: Path) -> None:
    good = {"policy": "vircom", "tier": "standard", "priority": "P2", "opened_at": OPENED}
    status, ids, errors = _report(tmp_path, _jsonl(tmp_path, json.dumps({**good,
                                                                        "id": "\U0001f600"})))
    assert status == 0
    assert ids == {"OK1", "\U0001f600", "OK2"}
    assert errors == []
