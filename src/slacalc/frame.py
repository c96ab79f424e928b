"""Tickets as a pandas DataFrame in, SLA results as a DataFrame out (``slacalc[pandas]``).

`evaluate_frame(df)` is the batch report of ``slacalc report --format csv`` for a
DataFrame: the input has the export layout of `slacalc.batch` (``ticket_id, policy,
tier, priority, opened_at`` plus optional ``category, channel, responded_at,
resolved_at, workaround_at, priority_changed_at, priority_changed_to``; any other column
is a ticket attribute) and the rows go through `slacalc.batch.evaluate_rows`, so the
results are the CLI's, row for row. It is also the partition function for an existing
engine (dask ``map_partitions``, Spark ``mapInPandas``; see docs/scale.md), with
`result_meta()` as the empty, typed frame those engines ask for.
`percentiles(results, tickets)` and `monthly_compliance(results, tickets)` summarise a
result frame as the report's summary does (docs/notebook.md).

Input cells: text is used as is; None, NaN, NaT and pd.NA are missing; a datetime or
pandas Timestamp is taken as its ISO 8601 form, so a tz-naive one is refused like a
naive CSV cell; an integral float is written as an integer (an id column with gaps
reads as floats); anything else is ``str(value)``.

Result columns (`slacalc.batch.RESULT_COLUMNS`, one row per ticket and metric):

- ``ticket_id, policy, tier, priority, metric, status, target, reason, at_risk``:
  strings, "" where the CSV cell is empty;
- ``due, stopped_at, next_escalation_at``: tz-aware timestamps in UTC
  (``datetime64[us, UTC]``), NaT when none; the instant is exact, the ticket's own
  offset is not kept (use ``.dt.tz_convert(zone)`` for local time);
- ``elapsed_seconds, remaining_seconds, overrun_seconds``: float64, NaN when none.

A bad row does not stop the frame: it gives one result row with ``status == "error"``,
an empty ``metric``, and ``reason`` = ``row <index label>: <message>`` (the CLI's
message for the same row), so no input row is silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any, cast

try:
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"slacalc.frame needs pandas ({missing.name} is not installed): "
        f"pip install 'slacalc[pandas]'"
    ) from missing

from .batch import RESULT_COLUMNS, PolicyBook
from .batch._eventlog import BLOCK
from .batch._instants import parse_instants
from .batch._measures import Measured
from .batch._stats import (
    PERCENTILES,
    local_instants,
    months_of,
    opened_us,
    percentiles_of,
    tier_zone,
)
from .batch._tables import (
    INSTANT_COLUMNS,
    SECONDS_COLUMNS,
    evaluate_columns_of,
    has_errors,
    log_blocks,
)
from .batch._writer import Ints
from .engine._zone import require_aware
from .errors import TicketError

__all__ = ["INSTANT_COLUMNS", "SECONDS_COLUMNS", "evaluate_frame", "monthly_compliance",
           "percentiles", "result_meta"]



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


def _typed(texts: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Result columns (all text, in `RESULT_COLUMNS` order) typed, column by column
    (`_typed_parts` of one part)."""
    return _framed([_typed_parts(texts)])


def _typed_parts(texts: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Result columns (all text, in `RESULT_COLUMNS` order) as the arrays of their typed
    columns: instants (``datetime64[us]`` in UTC, NaT where none) through the batch's
    column parser, seconds as floats (or, from the columns' kernel, the numbers their
    texts were written from: `Measured.instants` and `Measured.measures`), text as an
    Arrow array when pandas' ``str`` is held by Arrow (`_text_array`), else the texts."""
    columns: dict[str, Any] = {}
    measured = texts if isinstance(texts, Measured) else None
    known = measured.instants if measured is not None and measured.instants else {}
    coded = measured.coded.text_codes(texts) if measured is not None and measured.coded \
        else {}
    for index, (name, values) in enumerate(zip(RESULT_COLUMNS, texts, strict=True)):
        if name in INSTANT_COLUMNS:
            if name in known:
                us, present = known[name]
            else:
                parsed = parse_instants(list(values))
                us, present = parsed.us, parsed.present
            stamps = us.astype("datetime64[us]")
            stamps[~present] = np.datetime64("NaT")
            columns[name] = stamps
        elif name in SECONDS_COLUMNS:
            if measured is not None:  # (its seconds texts are exact decimals of its µs)
                columns[name] = getattr(measured.measures, name.removesuffix("_seconds"))
            else:
                cells = np.array(values, dtype=object).reshape(len(values))
                columns[name] = np.where(cells == "", "nan", cells).astype(np.float64)
        else:
            columns[name] = _text_array(values, coded.get(index))
    return columns


def _framed(parts: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The result frame of parts' columns (`_typed_parts`), one after the other: each
    column made once, not a frame per part then joined."""
    columns: dict[str, Any] = {}
    for name in RESULT_COLUMNS:
        found = [part[name] for part in parts]
        if name in INSTANT_COLUMNS:
            stamps = np.concatenate(found) if found else np.zeros(0, "datetime64[us]")
            columns[name] = pd.Series(stamps, dtype="datetime64[us]").dt.tz_localize("UTC")
        elif name in SECONDS_COLUMNS:
            columns[name] = pd.Series(np.concatenate(found) if found else [],
                                      dtype="float64")
        elif _ARROW:
            columns[name] = pd.Series(pd.array(_pa.chunked_array(
                found, type=_pa.large_string()), dtype=_TEXT))
        else:
            columns[name] = pd.Series([text for part in found for text in part], dtype=str)
    return pd.DataFrame(columns, columns=list(RESULT_COLUMNS))


_TEXT = pd.Series([], dtype=str).dtype
"""pandas' ``str`` dtype: held by Arrow when pyarrow is installed."""
_ARROW = getattr(_TEXT, "storage", None) == "pyarrow"
if _ARROW:
    import pyarrow as _pa  # type: ignore[import-untyped]  # (held by pandas' ``str``)


def _text_array(values: Sequence[str], coded: tuple[Ints, list[str]] | None = None
                ) -> Any:
    """A text column for pandas' ``str``: when Arrow holds that, one Arrow array (twice
    as quick as pandas' own conversion, the same column), made from the column's codes
    and their texts (`Coded.text_codes`) when given, so no cell is looked at one by one
    (about ten times as quick again); else the texts."""
    if not _ARROW:
        return list(values)
    if coded is None:
        return _pa.array(values, type=_pa.large_string())
    return _pa.array(coded[1], type=_pa.large_string()).take(_pa.array(coded[0]))


def result_meta() -> pd.DataFrame:
    """The result frame with no rows: the columns and dtypes `evaluate_frame` returns.

    Boundary rule: equal to ``evaluate_frame`` of an empty input, column for column.
    Example: ``dd.from_pandas(df, npartitions=3).map_partitions(evaluate_frame,
    meta=result_meta())``; ``result_meta()["due"].dtype`` is ``datetime64[us, UTC]``.
    """
    return _typed([[] for _ in RESULT_COLUMNS])


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
    if isinstance(values.dtype, pd.StringDtype) and not values.hasnans:
        return cast(list[str], items)  # (text, none missing: every item a str)
    if set(map(type, items)) - {str}:
        return [_cell(value) or "" for value in items]
    return cast(list[str], items)


def _cells(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The header and the text cells of a frame, column by column."""
    header = [str(column) for column in frame.columns]
    return header, [_column(frame.iloc[:, index]) for index in range(len(header))]


def evaluate_frame(frame: pd.DataFrame, policy: str | None = None,
                   now: datetime | str | None = None, *,
                   events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evaluate every ticket row of ``frame``; one result row per ticket and metric.

    ``policy`` (a bundled name or a YAML path) is used for rows without a ``policy``
    column, as ``--policy`` is; ``now`` (an aware datetime, Timestamp or ISO 8601 text)
    evaluates every ticket as of that instant, else each as of its last event. Bundled
    policies are read once per process, a policy file once per call. Results keep the
    input's row order, metrics in policy order.
    With ``events`` (the event-log layout, docs/cli.md: ``ticket_id, at, kind`` and the
    extras), ``frame`` holds one row per ticket and the events come from there, as with
    ``slacalc report --events``; an event row's fault is an ``error`` row whose reason
    starts ``events row <index label>:``, after the tickets' rows. A large log is
    evaluated 10,000 tickets at a time with their events, as the command line does, so
    memory stays flat (the same rows as evaluating it whole).

    Boundary rule: the same rules and results as ``slacalc report --format csv``: a stop
    exactly at due is met; events after ``now`` are not applied; a naive timestamp in a
    cell is refused (that row's result is an ``error`` row), a naive ``now`` raises
    `NaiveDatetimeError`. Example: vircom, standard, P2, opened Fri 2026-11-20 17:30
    -05:00, responded Mon 07:55 -> ``response`` met, due Mon 13:00 UTC (08:00 -05:00:
    30 business minutes on Friday, 30 from Monday 07:30); ``resolution`` breached, due
    Sat 22:30 UTC (24 real hours), overrun 138300 s (to Mon 07:55).
    """
    moment = _now(now)
    book = PolicyBook()
    if events is not None:
        found = _in_blocks(frame, events, policy, moment, book)
        if found is not None:
            return found
    header, cells = _cells(frame)
    listed = None
    if events is not None:
        event_header, event_cells = _cells(events)
        listed = (event_header, event_cells, list(events.index))
    return _typed(evaluate_columns_of(header, cells, list(frame.index), policy=policy,
                                      now=moment, events=listed, book=book))


def _in_blocks(frame: pd.DataFrame, events: pd.DataFrame, policy: str | None,
               now: datetime | None, book: PolicyBook) -> pd.DataFrame | None:
    """`evaluate_frame` of an event log a block of tickets at a time (`log_blocks`), each
    block's cells read from the frames when its turn comes (memory stays flat); None
    when the log is to be evaluated whole."""
    key, event_key = (_position(table, "ticket_id") for table in (frame, events))
    if key is None or event_key is None:
        return None
    blocks = log_blocks(_column(frame.iloc[:, key]), _column(events.iloc[:, event_key]),
                        BLOCK)
    if blocks is None:
        return None
    if blocks.order is not None:
        events = events.take(blocks.order)
    parts = []
    for number in range(len(blocks.tickets) - 1):
        tickets = frame.iloc[blocks.tickets[number]:blocks.tickets[number + 1]]
        mine = events.iloc[blocks.events[number]:blocks.events[number + 1]]
        header, cells = _cells(tickets)
        event_header, event_cells = _cells(mine)
        found = evaluate_columns_of(header, cells, list(tickets.index), policy=policy,
                                    now=now, events=(event_header, event_cells,
                                                     list(mine.index)), book=book)
        if has_errors(found):
            return None
        parts.append(_typed_parts(found))
    return _framed(parts)


def _position(frame: pd.DataFrame, name: str) -> int | None:
    """The position of the one column called ``name`` (None: none, or more than one)."""
    header = [str(column) for column in frame.columns]
    return header.index(name) if header.count(name) == 1 else None


_GROUP = ["policy", "tier", "priority", "metric"]


def _opened(results: pd.DataFrame, tickets: pd.DataFrame | None) -> np.ndarray:
    """Each result row's ticket opening in UTC µs (float, NaN when unknown): from an
    ``opened_at`` column of ``results``, else from ``tickets`` by ``ticket_id``."""
    if "opened_at" in results.columns:
        return opened_us([_cell(value) or "" for value in results["opened_at"].tolist()])
    if tickets is None:
        return np.full(len(results), np.nan)
    for column in ("ticket_id", "opened_at"):
        if column not in tickets.columns:
            raise TicketError(f"tickets: no {column} column (the tickets frame given to "
                              f"evaluate_frame is expected)")
    ids = _column(tickets["ticket_id"])
    texts = _column(tickets["opened_at"])
    found: dict[str, str] = {}
    for ticket_id, text in zip(ids, texts, strict=True):
        if found.setdefault(ticket_id.strip(), text) != text:
            raise TicketError(f"tickets: ticket_id {ticket_id!r} is on two rows with "
                              f"different openings; give one row per ticket")
    return opened_us([found.get(ticket_id, "") for ticket_id in _column(results["ticket_id"])])


def _stop_us(results: pd.DataFrame) -> np.ndarray:
    stops = pd.to_datetime(results["stopped_at"], utc=True)
    values = stops.dt.tz_localize(None).to_numpy(dtype="datetime64[us]").astype(np.int64)
    return np.where(stops.isna().to_numpy(), np.nan, values.astype(np.float64))


def percentiles(results: pd.DataFrame, tickets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Median, p90 and p99 of the time to the stop per policy, tier, priority and metric,
    in seconds: on the target's clock (``clock_p50``, ``clock_p90``, ``clock_p99``:
    ``elapsed_seconds``, business time for a business target) and in real time
    (``real_p50``, ...: ``stopped_at`` minus the opening), with ``count`` stops.

    ``results`` is what `evaluate_frame` returns; the openings come from its
    ``opened_at`` column if it has one, else from ``tickets`` (the frame given to
    `evaluate_frame`, matched by ``ticket_id``); without either the real-time columns
    are NaN. Boundary rule: a stop counts when the row is ``met``, or ``breached`` with
    a ``stopped_at`` (a clock still open past its due instant has no time to the stop
    yet); numpy's default percentile (linear interpolation between the sorted values,
    rank ``p / 100 * (n - 1)``), the same numbers as the ``slacalc report`` summary.
    Example: two met responses of 600 s and 1800 s -> ``clock_p50 == 1200.0``,
    ``clock_p90 == 1680.0``.
    """
    opened = _opened(results, tickets)
    status = results["status"].to_numpy(dtype=object)
    clock = results["elapsed_seconds"].to_numpy(dtype=np.float64)
    real = (_stop_us(results) - opened) / 1e6
    judged = (((status == "met") | (status == "breached"))
              & results["stopped_at"].notna().to_numpy() & ~np.isnan(clock))
    rows = []
    chosen = results[judged]
    for key, group in chosen.groupby(_GROUP, sort=True).indices.items():
        entry: dict[str, Any] = dict(zip(_GROUP, key, strict=True)) | {"count": len(group)}
        where = np.flatnonzero(judged)[group]
        for name, values in (("clock", clock[where]), ("real", real[where])):
            found = percentiles_of(values) or (np.nan,) * len(PERCENTILES)
            entry |= {f"{name}_p{p}": value for p, value in zip(PERCENTILES, found,
                                                                 strict=True)}
        rows.append(entry)
    names = [*_GROUP, "count", *(f"{name}_p{p}" for name in ("clock", "real")
                                 for p in PERCENTILES)]
    return pd.DataFrame(rows, columns=names)


def monthly_compliance(results: pd.DataFrame,
                       tickets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compliance per policy, tier, priority, metric and month of opening: ``met``,
    ``breached``, ``decided`` (met + breached) and ``compliance`` (met / decided).

    The month is the ticket's opening on its tier calendar's wall clock (a vircom ticket
    opened 2026-11-01T03:30Z is 2026-10-31 23:30 in Toronto: October); openings come as
    for `percentiles` (rows whose opening is unknown are left out). Boundary rule: only
    ``met`` and ``breached`` rows count (running, paused, void and no target are not
    decided). Example: in 2026-10, three met and one breached -> ``compliance == 0.75``.
    """
    opened = _opened(results, tickets)
    status = results["status"].to_numpy(dtype=object)
    decided = ((status == "met") | (status == "breached")) & ~np.isnan(opened)
    chosen = results[decided]
    book = PolicyBook()
    local = local_instants(partial(tier_zone, book),
                           _column(chosen["policy"]), _column(chosen["tier"]),
                           opened[decided])
    frame = chosen[_GROUP].copy()
    frame["month"] = months_of(local)
    frame["met"] = (status[decided] == "met").astype(np.int64)
    frame["breached"] = (status[decided] == "breached").astype(np.int64)
    found = frame.groupby([*_GROUP, "month"], as_index=False, sort=True)[
        ["met", "breached"]].sum()
    found["decided"] = found["met"] + found["breached"]
    found["compliance"] = found["met"] / found["decided"]
    return found.reset_index(drop=True)
