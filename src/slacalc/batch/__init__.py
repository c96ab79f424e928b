"""Batches: ticket exports read in chunks, evaluated by the kernel, summarised.

Layer 6 (above policies). `PolicyBook` resolves policy names once per run;
`evaluate_rows` (CSV rows) and `evaluate_lines` (JSONL lines) turn whole chunks of an
export into result rows; `evaluate_row` and `evaluate_json` take one row on the checked path.
`breaching_within` lists the open tickets whose deadlines fall within a horizon.
"""

from __future__ import annotations

from ._csv import evaluate_rows
from ._jsonl import evaluate_lines
from ._paging import Breach, breaching_within
from ._rows import (
    RESULT_COLUMNS,
    ExportError,
    PolicyBook,
    RowError,
    evaluate_json,
    evaluate_row,
    rows_of_report,
)
from .summary import Summary

__all__ = [
    "RESULT_COLUMNS",
    "Breach",
    "ExportError",
    "PolicyBook",
    "RowError",
    "Summary",
    "breaching_within",
    "evaluate_json",
    "evaluate_lines",
    "evaluate_row",
    "evaluate_rows",
    "rows_of_report",
]
