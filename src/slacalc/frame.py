"""Tickets as a pandas DataFrame in, SLA results as a DataFrame out (``slacalc[pandas]``).

`evaluate_frame(df)` is the batch report of ``slacalc report --format csv`` for a
DataFrame: the input has the export layout of `slacalc.batch` (``ticket_id, policy,
tier, priority, opened_at`` plus optional ``category, channel, responded_at,
resolved_at, workaround_at, priority_changed_at, priority_changed_to``; any other column
is a ticket attribute) and the rows go through `slacalc.batch.evaluate_rows`, so the
results are the CLI's, row for row. It is also the partition function for an existing
engine (dask ``map_partitions``, Spark ``mapInPandas``; see docs/scale.md), with
`result_meta()` as the empty, typed frame those engines ask for.

Input cells: text is used as is; None, NaN, NaT and pd.NA are missing; a datetime or
pandas Timestamp is taken as its ISO 8601 form, so a tz-naive one is refused like a
naive CSV cell; an integral float is written as an integer (an id column with gaps
reads as floats); anything else is ``str(value)``.

Result columns (`slacalc.batch.RESULT_COLUMNS`, one row per ticket and metric):

- ``ticket_id, policy, tier, priority, metric, status, target, reason``: strings, ""
  where the CSV cell is empty;
- ``due, stopped_at``: tz-aware timestamps in UTC (``datetime64[us, UTC]``), NaT when
  none; the instant is exact, the ticket's own offset is not kept (use
  ``.dt.tz_convert(zone)`` for local time);
- ``elapsed_seconds, remaining_seconds, overrun_seconds``: float64, NaN when none.

A bad row does not stop the frame: it gives one result row with ``status == "error"``,
an empty ``metric``, and ``reason`` = ``row <index label>: <message>`` (the CLI's
message for the same row), so no input row is silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

try:
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"slacalc.frame needs pandas ({missing.name} is not installed): "
        f"pip install 'slacalc[pandas]'"
    ) from missing

from .batch import RESULT_COLUMNS
from .batch._instants import parse_instants
from .batch._tables import INSTANT_COLUMNS, SECONDS_COLUMNS, evaluate_cells
from .engine._zone import require_aware
from .errors import TicketError

__all__ = ["INSTANT_COLUMNS", "SECONDS_COLUMNS", "evaluate_frame", "result_meta"]



def _cell(value: Any) -> str | None:
    """One input cell as the text `evaluate_row` reads (None when missing)."""
    if value is None or isinstance(value, str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):  # NaN, NaT, pd.NA
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime(warn=False)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _typed(rows: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Result rows (all text, in `RESULT_COLUMNS` order) as typed columns, column by
    column: instants through the batch's column parser, seconds as floats."""
    texts = list(zip(*rows, strict=True)) if rows else [() for _ in RESULT_COLUMNS]
    columns: dict[str, Any] = {}
    for name, values in zip(RESULT_COLUMNS, texts, strict=True):
        if name in INSTANT_COLUMNS:
            parsed = parse_instants(list(values))
            stamps = parsed.us.astype("datetime64[us]")
            stamps[~parsed.present] = np.datetime64("NaT")
            columns[name] = pd.Series(stamps, dtype="datetime64[us]").dt.tz_localize("UTC")
        elif name in SECONDS_COLUMNS:
            cells = np.array(values, dtype=object).reshape(len(values))
            columns[name] = pd.Series(np.where(cells == "", "nan", cells).astype(np.float64),
                                      dtype="float64")
        else:
            columns[name] = pd.Series(list(values), dtype=str)
    return pd.DataFrame(columns, columns=list(RESULT_COLUMNS))


def result_meta() -> pd.DataFrame:
    """The result frame with no rows: the columns and dtypes `evaluate_frame` returns.

    Boundary rule: equal to ``evaluate_frame`` of an empty input, column for column.
    Example: ``dd.from_pandas(df, npartitions=3).map_partitions(evaluate_frame,
    meta=result_meta())``; ``result_meta()["due"].dtype`` is ``datetime64[us, UTC]``.
    """
    return _typed([])


def _now(now: datetime | str | None) -> datetime | None:
    try:
        if isinstance(now, str):
            now = datetime.fromisoformat(now)
    except ValueError:
        raise TicketError(f"now: malformed instant {now!r} (ISO 8601 with a UTC offset "
                          f"expected)") from None
    if isinstance(now, pd.Timestamp):
        now = now.to_pydatetime(warn=False)
    return None if now is None else require_aware(now, "now")


def _column(values: pd.Series) -> list[str]:
    """One input column as the text cells the batch reads ("" where missing)."""
    items: list[Any] = values.tolist()
    if set(map(type, items)) - {str}:
        return [_cell(value) or "" for value in items]
    return cast(list[str], items)


def _cells(frame: pd.DataFrame) -> tuple[list[str], list[tuple[str, ...]]]:
    header = [str(column) for column in frame.columns]
    columns = [_column(frame.iloc[:, index]) for index in range(len(header))]
    rows: list[tuple[str, ...]] = (list(zip(*columns, strict=True)) if columns
                                   else [() for _ in range(len(frame))])
    return header, rows


def evaluate_frame(frame: pd.DataFrame, policy: str | None = None,
                   now: datetime | str | None = None, *,
                   events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evaluate every ticket row of ``frame``; one result row per ticket and metric.

    ``policy`` (a bundled name or a YAML path) is used for rows without a ``policy``
    column, as ``--policy`` is; ``now`` (an aware datetime, Timestamp or ISO 8601 text)
    evaluates every ticket as of that instant, else each as of its last event. Policies
    are loaded once per call. Results keep the input's row order, metrics in policy order.
    With ``events`` (the event-log layout, docs/cli.md: ``ticket_id, at, kind`` and the
    extras), ``frame`` holds one row per ticket and the events come from there, as with
    ``slacalc report --events``; an event row's fault is an ``error`` row whose reason
    starts ``events row <index label>:``, after the tickets' rows.

    Boundary rule: the same rules and results as ``slacalc report --format csv``: a stop
    exactly at due is met; events after ``now`` are not applied; a naive timestamp in a
    cell is refused (that row's result is an ``error`` row), a naive ``now`` raises
    `NaiveDatetimeError`. Example: vircom, standard, P2, opened Fri 2026-11-20 17:30
    -05:00, responded Mon 07:55 -> ``response`` met, due Mon 13:00 UTC (08:00 -05:00:
    30 business minutes on Friday, 30 from Monday 07:30); ``resolution`` breached, due
    Sat 22:30 UTC (24 real hours), overrun 138300 s (to Mon 07:55).
    """
    moment = _now(now)
    header, cells = _cells(frame)
    listed = None
    if events is not None:
        event_header, event_cells = _cells(events)
        listed = (event_header, event_cells, list(events.index))
    rows = evaluate_cells(header, cells, list(frame.index), policy=policy, now=moment,
                          events=listed)
    return _typed(rows)
