"""Arrow and Parquet at the edges of a report (``slacalc[arrow]``: pyarrow).

Nothing here imports pyarrow until a function needs it (``import slacalc`` and the
command line stay light; a missing pyarrow is an `ExportError` saying how to install it).
An Arrow column becomes text cells the way an export writes them (timestamps with their
UTC offset, so the same instants are read back; a timestamp without a time zone is
naive and refused like a naive CSV cell); result rows become typed Arrow columns: text,
``timestamp[us, UTC]`` instants and ``float64`` seconds, null where a CSV cell is empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ._cells import ColumnRows
from ._instants import parse_instants
from ._results import RESULT_COLUMNS
from ._rows import ExportError
from ._tables import INSTANT_COLUMNS, SECONDS_COLUMNS

__all__ = ["ParquetOut", "arrow_cells", "is_parquet", "parquet_blocks", "parquet_rows",
           "result_table"]

_BATCH = 10_000


def _pyarrow() -> tuple[ModuleType, ModuleType, ModuleType]:
    try:
        import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415  (optional)
        import pyarrow.compute as pc  # type: ignore[import-untyped]  # noqa: PLC0415
        import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        raise ExportError("Parquet and Arrow need pyarrow: pip install 'slacalc[arrow]'"
                          ) from None
    return pa, pc, pq


def is_parquet(path: Path | str) -> bool:
    """Whether ``path`` names a Parquet file (by its extension)."""
    return str(path).lower().endswith((".parquet", ".pq"))


def arrow_cells(table: Any) -> tuple[list[str], list[list[str]]]:
    """The header and text cells of an Arrow table or record batch, column by column.

    Boundary rule: null is an empty cell; a timestamp with a time zone is written with
    its UTC offset (``2026-11-20T22:30:00.000000+0000``), one without as a naive text
    (then refused by the rows' checks); numbers and booleans as their text. Example: a
    ``timestamp[us, UTC]`` cell 2026-11-20 22:30 -> ``"2026-11-20T22:30:00.000000+0000"``.
    """
    pa, pc, _ = _pyarrow()
    columns = []
    for given in table.columns:
        kind = given.type
        text = given
        if pa.types.is_timestamp(kind):
            shape = "%Y-%m-%dT%H:%M:%S%z" if kind.tz is not None else "%Y-%m-%dT%H:%M:%S"
            text = pc.strftime(given, format=shape)
        elif pa.types.is_boolean(kind):
            text = pc.if_else(given, "true", "false")
        elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            text = pc.cast(given, pa.string())
        columns.append(["" if value is None else value for value in text.to_pylist()])
    return [str(name) for name in table.schema.names], columns


def parquet_rows(path: Path) -> tuple[tuple[str, ...], Iterator[tuple[int, list[str]]]]:
    """A Parquet file's header and its rows as text cells, numbered from 1, read in
    batches (memory stays flat)."""
    header, blocks = parquet_blocks(path, _BATCH)
    return header, ((line, list(row)) for block in blocks for line, row in block)


def parquet_blocks(path: Path, size: int) -> tuple[tuple[str, ...], Iterator[ColumnRows]]:
    """A Parquet file's header and its rows as text cells in blocks of ``size`` rows,
    column by column (`ColumnRows`), numbered from 1.

    Example: a file of 3 rows, ``size`` 2 -> blocks of rows 1-2 and 3.
    """
    _, _, pq = _pyarrow()
    try:
        handle = pq.ParquetFile(path)
    except (OSError, ValueError) as error:
        raise ExportError(f"{path}: not a readable Parquet file ({error})") from None
    header = tuple(handle.schema_arrow.names)

    def blocks() -> Iterator[ColumnRows]:
        number = 0
        for batch in handle.iter_batches(batch_size=size):
            yield ColumnRows(list(range(number + 1, number + 1 + batch.num_rows)),
                             arrow_cells(batch)[1])
            number += batch.num_rows

    return header, blocks()


def result_table(columns: Sequence[Sequence[str]]) -> Any:
    """Result columns (text, `RESULT_COLUMNS` order) as a typed Arrow table.

    Example: a ``due`` cell ``2026-11-23T08:00:00-05:00`` -> the timestamp 13:00 UTC;
    an empty ``overrun_seconds`` cell -> null.
    """
    pa, _, _ = _pyarrow()
    arrays = []
    for name, values in zip(RESULT_COLUMNS, columns, strict=True):
        if name in INSTANT_COLUMNS:
            parsed = parse_instants(list(values))
            arrays.append(pa.array(parsed.us, type=pa.timestamp("us", tz="UTC"),
                                   mask=~parsed.present))
        elif name in SECONDS_COLUMNS:
            present = np.array([bool(value) for value in values], dtype=bool)
            numbers = np.array([float(value) if value else 0.0 for value in values],
                               dtype=np.float64)
            arrays.append(pa.array(numbers, type=pa.float64(), mask=~present))
        else:
            arrays.append(pa.array(list(values), type=pa.string()))
    return pa.table(arrays, names=list(RESULT_COLUMNS))


class ParquetOut:
    """A results file in Parquet: takes the CSV text a report writes, chunk by chunk (no
    header), and writes each chunk as a row group of typed columns."""

    def __init__(self, path: str) -> None:
        pa, _, pq = _pyarrow()
        self._writer = pq.ParquetWriter(path, result_table([[] for _ in RESULT_COLUMNS]).schema)
        self._pa = pa

    def write(self, text: str) -> int:
        rows = list(csv.reader(text.splitlines()))
        if rows:
            self._writer.write_table(result_table(list(zip(*rows, strict=True))))
        return len(text)

    def close(self) -> None:
        self._writer.close()
