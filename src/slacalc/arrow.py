"""Arrow tables in, SLA results as an Arrow table out (``slacalc[arrow]``).

For engines that hand over Arrow data: Spark ``mapInArrow``, dask, DuckDB
(``.arrow()``), polars (``.to_arrow()``). `evaluate_arrow` takes the flat layout, or the
event-log layout with an events table (docs/cli.md), and gives the rows ``slacalc report``
gives, with the columns and types of `slacalc.frame`: text, ``due`` and ``stopped_at``
as ``timestamp[us, UTC]``, the seconds as ``float64``, null where the CSV cell is empty.
A bad row is an ``error`` row (see `slacalc.frame`), never dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

try:
    import pyarrow as pa  # type: ignore[import-untyped]
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ImportError(f"slacalc.arrow needs pyarrow ({missing.name} is not installed): "
                      f"pip install 'slacalc[arrow]'") from missing

from .batch._parquet import arrow_cells, result_table
from .batch._results import RESULT_COLUMNS
from .batch._tables import evaluate_columns_of
from .engine._zone import require_aware
from .errors import TicketError

__all__ = ["evaluate_arrow", "result_schema"]


def result_schema() -> Any:
    """The schema of `evaluate_arrow`'s result (``pyarrow.Schema``).

    Example: ``result_schema().field("due").type`` is ``timestamp[us, tz=UTC]``.
    """
    return result_table([[] for _ in RESULT_COLUMNS]).schema


def evaluate_arrow(tickets: Any, events: Any = None, *, policy: str | None = None,
                   now: datetime | str | None = None) -> Any:
    """Evaluate every ticket of an Arrow table (or record batch); one result row per
    ticket and metric, as a ``pyarrow.Table`` with `result_schema`.

    ``events`` (an Arrow table in the event-log layout) makes ``tickets`` one row per
    ticket; ``policy`` is used for rows without a ``policy`` column; ``now`` (aware
    datetime or ISO 8601 text) evaluates as of that instant, else each ticket as of its
    last event. Rows are labelled by their position (0-based) in error reasons.

    Boundary rule: the rows of ``slacalc report --format csv`` on the same data. Example:
    vircom standard P2 opened 2026-11-20T22:30Z, responded 2026-11-23T12:55Z -> response
    met, ``due`` 2026-11-23 13:00 UTC.
    """
    if isinstance(now, str):
        try:
            now = datetime.fromisoformat(now)
        except ValueError:
            raise TicketError(f"now: malformed instant {now!r}") from None
    moment = None if now is None else require_aware(now, "now")
    header, cells = arrow_cells(tickets)
    listed = None
    if events is not None:
        event_header, event_cells = arrow_cells(events)
        listed = (event_header, event_cells, list(range(events.num_rows)))
    columns = evaluate_columns_of(header, cells, list(range(tickets.num_rows)), policy=policy,
                                  now=moment, events=listed)
    table = result_table(columns)
    assert isinstance(table, pa.Table)
    return table
