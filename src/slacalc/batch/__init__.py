"""Batches: ticket exports read in chunks, evaluated by the kernel, summarised.

Layer 6 (above policies). `PolicyBook` resolves policy names once per run;
`evaluate_rows` and `evaluate_json` turn export rows into result rows.
"""

from __future__ import annotations

from ._rows import (
    RESULT_COLUMNS,
    ExportError,
    PolicyBook,
    RowError,
    evaluate_json,
    evaluate_row,
    evaluate_rows,
    rows_of_report,
)
from .summary import Summary

__all__ = [
    "RESULT_COLUMNS",
    "ExportError",
    "PolicyBook",
    "RowError",
    "Summary",
    "evaluate_json",
    "evaluate_row",
    "evaluate_rows",
    "rows_of_report",
]
