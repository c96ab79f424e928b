"""``slacalc report --at-risk``: only the rows at risk, the soonest breach first.

A row is at risk when its ``at_risk`` cell is not empty: its clock is running or paused
(not yet breached) and has crossed an escalation threshold of its policy (docs/cli.md).
The report is evaluated as ever (the summary still counts every row); its results are
kept whole, then cut to the rows at risk and sorted by due instant, compared as
instants (UTC µs), never as text, before they are written in the format asked for.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ._escape import csv_text
from ._instants import parse_instants
from ._results import RESULT_COLUMNS

__all__ = ["at_risk_rows", "at_risk_text"]

_RISK = RESULT_COLUMNS.index("at_risk")
_DUE = RESULT_COLUMNS.index("due")


def _soonest(dues: Sequence[str]) -> list[int]:
    """The positions of ``dues`` (instants as written, "" when unknown) by instant."""
    parsed = parse_instants(list(dues))
    us, present = parsed.us.tolist(), parsed.present.tolist()
    return sorted(range(len(dues)), key=lambda index: (not present[index],
                                                       us[index] if present[index] else 0,
                                                       index))


def at_risk_rows(rows: Sequence[Sequence[str]]) -> list[Sequence[str]]:
    """The result rows (`RESULT_COLUMNS` order) at risk, the soonest due first.

    Boundary rule: due instants are compared as instants whatever their offsets; rows
    due at one instant keep their order; a row whose due is unknown (paused) comes
    after every dated one. Example: rows at risk due ``12:00-05:00`` and ``16:30Z``
    (11:30 EST) -> the second first.
    """
    kept = [row for row in rows if len(row) > _RISK and row[_RISK]]
    return [kept[index] for index in _soonest([row[_DUE] for row in kept])]


def at_risk_text(text: str, output_format: str) -> str:
    """Results as written (CSV rows without a header, or JSON lines for ``jsonl``), cut
    to the rows at risk and sorted as `at_risk_rows` sorts them, in the same form.

    Example: ``at_risk_text("A,...,75%,...\\nB,...,,\\n", "csv")`` -> the line of A.
    """
    if output_format == "jsonl":
        records: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()
                                         if line.strip()]
        kept = [record for record in records if record.get("at_risk")]
        order = _soonest([record.get("due") or "" for record in kept])
        return "".join(json.dumps(kept[index]) + "\n" for index in order)
    return csv_text(at_risk_rows(list(csv.reader(io.StringIO(text, newline="")))))
