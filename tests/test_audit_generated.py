"""The audit on a generated desk that mostly agrees (`examples/make_desk_exports.py
--agreeing-verdicts`): the desk's verdicts are the contract's own, computed from the
events the Zendesk adapter derives, except on the tickets the generator gave one mistake
(a holiday it does not know, a pause the contract does not allow, the other
priority_change rule, its calendar at a fixed offset across the DST change). So, by
construction: every verdict that disagrees belongs to a ticket given a mistake, and a
reason the audit names is that ticket's mistake (the detectors may fail to name one,
``unexplained``, but never name a wrong one)."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slacalc.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REASON = {"holiday": "holiday", "pause": "forbidden_pause",
          "priority_change": "priority_change", "dst": "dst"}


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import make_desk_exports  # noqa: PLC0415  (examples/, on the path for this test)

    yield make_desk_exports
    for name in ("make_desk_exports", "_desk_clocks"):
        sys.modules.pop(name, None)


def test_every_disagreement_is_a_given_mistake_and_named_as_it(
        tmp_path: Path, generator: Any, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "zd"
    desk = generator.write(["zendesk"], 160, 14, tmp_path, agreeing=0.6, folder=folder)
    given: dict[int, str] = desk.given
    assert set(given.values()) == set(REASON)  # each mistake was given at least once
    out = tmp_path / "audit.csv"
    code = main(["audit", "--from", "zendesk", str(folder), "-o", str(out),
                 "--now", "2026-12-31T00:00:00Z"])
    capsys.readouterr()
    assert code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    differing = [row for row in rows if row["finding"] in {"costly", "disagrees"}]
    assert differing
    assert len(differing) < len(rows)
    named: Counter[str] = Counter()
    for row in differing:
        mistake = given.get(int(row["ticket_id"]))
        assert mistake is not None, row["ticket_id"]
        assert row["reason"] in {REASON[mistake], "unexplained"}, (row["ticket_id"], mistake,
                                                                  row["detail"])
        named[row["reason"]] += 1
    # the detectors name each kind of mistake (a DST ticket disagrees on every metric)
    assert set(named) >= set(REASON.values())
    assert named["unexplained"] <= len(differing) // 10
