"""Issue 17, item 4: formula and terminal injection.

A ticket id or a policy cell comes from anyone who can open a ticket. In the CSV a person
opens (the results with ``--format csv``, and ``--errors``), a cell that starts with
``= + - @``, a tab or a carriage return gets a ``'`` before it (OWASP), unless
``--raw-csv``; on the terminal (the table, the summary, row-error lines) control
characters are shown escaped, so an ANSI escape cannot recolour or clear the screen.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from slacalc.batch._escape import csv_text, formula_safe, formula_safe_columns, printable
from slacalc.cli import main

NOW = "2026-12-01T00:00:00Z"
OPENED = "2026-11-20T10:00:00-05:00"
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)",
           "-2+3", "T-7"]


def _export(tmp_path: Path, ids: list[str], priority: str = "P2") -> Path:
    path = tmp_path / "tickets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["ticket_id", "policy", "tier", "priority", "opened_at"])
        for ticket_id in ids:
            writer.writerow([ticket_id, "vircom", "standard", priority, OPENED])
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_formula_cells_get_a_quote_in_the_results_csv(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert main(["report", str(_export(tmp_path, HOSTILE)), "--now", NOW, "--format", "csv",
                 "-o", str(out)]) == 0
    rows = _rows(out)
    assert [row["ticket_id"] for row in rows[::2]] == [
        "'=HYPERLINK(\"http://evil.example\",\"x\")", "'+cmd|' /C calc'!A0", "'@SUM(1+1)",
        "'-2+3", "T-7"]
    # numeric columns keep their text: vircom standard P2 opened Fri 2026-11-20 10:00
    # Toronto, response due 1 business hour later, still open on Dec 1 00:00Z -> breached,
    # 0 remaining.
    assert {row["remaining_seconds"] for row in rows} == {"0"}
    assert {row["due"] for row in rows[::2]} == {"2026-11-20T11:00:00-05:00"}


def test_raw_csv_writes_cells_as_they_are(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert main(["report", str(_export(tmp_path, HOSTILE)), "--now", NOW, "--format", "csv",
                 "-o", str(out), "--raw-csv"]) == 0
    assert [row["ticket_id"] for row in _rows(out)[::2]] == HOSTILE


def test_the_errors_csv_is_escaped_too(tmp_path: Path) -> None:
    errors = tmp_path / "bad.csv"
    assert main(["report", str(_export(tmp_path, ["=1+1", "@x"], priority="P9")), "--now",
                 NOW, "--format", "jsonl", "-o", str(tmp_path / "out.jsonl"), "--errors",
                 str(errors)]) == 1
    assert [(row["line"], row["ticket_id"]) for row in _rows(errors)] == [
        ("2", "'=1+1"), ("3", "'@x")]
    raw = tmp_path / "raw.csv"
    main(["report", str(_export(tmp_path, ["=1+1"], priority="P9")), "--now", NOW,
          "--format", "jsonl", "-o", str(tmp_path / "out.jsonl"), "--errors", str(raw),
          "--raw-csv"])
    assert _rows(raw)[0]["ticket_id"] == "=1+1"


def test_a_jsonl_id_starting_with_a_tab_is_escaped_in_the_csv(tmp_path: Path) -> None:
    # a CSV cell is read stripped; a JSONL id keeps its leading tab or carriage return
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text("".join(
        json.dumps({"id": ticket_id, "policy": "vircom", "tier": "standard",
                    "priority": "P2", "opened_at": OPENED}) + "\n"
        for ticket_id in ("\t=1", "\r@2")), encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["report", str(tickets), "--now", NOW, "--format", "csv", "-o",
                 str(out)]) == 0
    assert [row["ticket_id"] for row in _rows(out)[::2]] == ["'\t=1", "'\r@2"]


def test_jsonl_is_not_escaped(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    main(["report", str(_export(tmp_path, ["=1+1"])), "--now", NOW, "--format", "jsonl",
          "-o", str(out)])
    assert out.read_text(encoding="utf-8").startswith('{"ticket_id": "=1+1"')


def test_control_characters_are_escaped_on_the_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = ["A\x1b[2J", "B\x1b]0;owned\x07"]
    assert main(["report", str(_export(tmp_path, ids)), "--now", NOW]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "A\\x1b[2J" in shown
    assert "B\\x1b]0;owned\\x07" in shown
    assert main(["report", str(_export(tmp_path, ["C\x1b[31m\rX"], priority="P9")),
                 "--now", NOW, "--format", "csv"]) == 1
    error = capsys.readouterr().err
    assert "\x1b" not in error
    assert "\r" not in error
    assert "tickets.csv:3 (C\\x1b[31m\\x0dX): policy 'vircom' has no priority 'P9'" in error


def test_escaping_rules() -> None:
    assert printable("ok\tand\nbreak\x9b\x7f\ud800") == "ok\\x09and\\x0abreak\\x9b\\x7f\\ud800"
    assert printable("one\ntwo\x1b", lines=True) == "one\ntwo\\x1b"
    assert formula_safe("=x") == "'=x"
    assert formula_safe("x=") == "x="
    assert formula_safe("") == ""
    assert formula_safe("\tx") == "'\tx"
    assert formula_safe("\rx") == "'\rx"
    # only the text columns named; a column with no formula start is the same list
    ids, numbers = ["-a\nb", "ok", "T-1"], ["-5", "1", "2"]
    found = formula_safe_columns([ids, numbers], {0})
    assert found == [["'-a\nb", "ok", "T-1"], ["-5", "1", "2"]]
    assert found[1] is numbers
    plain = ["T-1", "a-b"]
    assert formula_safe_columns([plain], {0})[0] is plain
    assert csv_text([["a\rb", "c,d", 'e"f', 7]]) == '"a\rb","c,d","e""f",7\n'
