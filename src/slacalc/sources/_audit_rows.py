"""The audit's rows: their columns (`AUDIT_COLUMNS`), and the agreeing rows of a batch
held as columns (`Agreeing`), which a streamed audit writes as CSV and counts without a
dict per row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ..batch._escape import FORMULA_STARTS, csv_text, formula_safe

__all__ = ["AUDIT_COLUMNS", "FINDINGS", "Agreeing", "cell"]

AUDIT_COLUMNS = ("finding", "ticket_id", "metric", "desk_metric", "policy", "tier",
                 "priority", "difference", "reason", "detail", "desk_breached",
                 "contract_breached", "contract_status", "desk_due", "contract_due",
                 "due_difference_seconds", "desk_elapsed_seconds",
                 "contract_elapsed_seconds", "policy_line", "explain", "source")
"""An audit row's columns (docs/sources.md, "Audit", defines each)."""
FINDINGS = ("costly", "disagrees", "error", "agrees")
"""An audit row's ``finding``, in the order rows come in."""
_QUOTED = (",", '"', "\n", "\r")  # a cell holding one is quoted by csv.writer
_QUOTING = re.compile("[" + re.escape("".join(_QUOTED)) + "]")  # any of them: one scan
_FORMULA_LINE = re.compile("\n[" + re.escape("".join(FORMULA_STARTS)) + "]")
"""A line feed then a formula's first character: one scan for them all."""
_NUMBERS = frozenset({"due_difference_seconds", "desk_elapsed_seconds",
                      "contract_elapsed_seconds"})


def cell(value: Any) -> str:
    """A value that is not text as its CSV cell: None empty, a bool ``true``/``false``,
    a float whole as an integer, else with six decimals.

    Example: ``cell(3300.0)`` -> ``"3300"``; ``cell(-0.5)`` -> ``"-0.500000"``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.6f}"
    return str(value)


def _formulas(column: list[str]) -> bool:
    """Some cell of the text ``column`` starts like a formula (searched at C speed, in
    one scan of the cells joined, each after a line feed)."""
    return _FORMULA_LINE.search("\n" + "\n".join(column)) is not None


class Agreeing:
    """The ``agrees`` rows of a batch as columns (`AUDIT_COLUMNS` -> the values the rows'
    dicts hold: text, bools or None, floats or None)."""

    def __init__(self, columns: Mapping[str, list[Any]], count: int) -> None:
        self.columns = columns
        self.count = count

    def __len__(self) -> int:
        return self.count

    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by `AUDIT_COLUMNS`."""
        return [dict(zip(AUDIT_COLUMNS, values, strict=True)) for values in zip(
            *(self.columns[name] for name in AUDIT_COLUMNS), strict=True)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    def tally(self, counts: dict[tuple[str, str], list[int]]) -> None:
        """Add the rows to ``counts`` as `slacalc.sources.audit.count` adds each."""
        for (metric, priority), number in Counter(zip(
                self.columns["metric"], self.columns["priority"], strict=True)).items():
            for key in ((metric, priority), (metric, "*")):
                found = counts.setdefault(key, [0, 0, 0])
                found[0] += number
                found[1] += number

    def csv(self, raw_csv: bool) -> str:
        """The rows as `csv_text` writes them, each cell as the audit's CSV writes it
        (text `formula_safe` unless ``raw_csv``; other values by `cell`).

        Boundary rule: the same text as writing the rows one by one. Example: one row
        agreeing on ``T1``'s response -> ``agrees,T1,response,...``.
        """
        texts: list[list[str]] = []
        for name in AUDIT_COLUMNS:
            values = self.columns[name]
            if name in _NUMBERS or name.endswith("_breached"):
                texts.append(_cells(values))
            elif not raw_csv and _formulas(values):
                texts.append([formula_safe(value) for value in values])
            else:
                texts.append(values)
        rows = zip(*texts, strict=True)
        joined = ["".join(column) for column in texts]
        if not any(map(_QUOTING.search, joined)):
            lines = list(map(",".join, rows))  # nothing to quote
            return "\n".join(lines) + "\n" if lines else ""
        if any("\r" in text for text in joined):
            return csv_text(rows)  # a carriage return is quoted by csv_text alone
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()


def _cells(values: list[Any]) -> list[str]:
    """`cell` of each value, each distinct value written once (values equal as keys, as
    ``60`` and ``60.0``, take the text of the first met), looked up at C speed."""
    written = {value: cell(value) for value in dict.fromkeys(values)}
    return list(map(written.__getitem__, values))
