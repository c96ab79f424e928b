"""A CSV (optionally gzipped) or Parquet file read in blocks of records, each record with
the line it ends on: the reading shared by the event-log report's two files.

A plain comma-separated ``.csv`` file (no quote, no lone carriage return) is read in bytes
and its blocks travel as their bytes (`Lines`, `slacalc.batch._lines.plain_lines`), split into
columns only by the worker that evaluates them (`cells`, `split_lines`); anything else is
read by the csv module, row by row.
"""

from __future__ import annotations

import _csv
import codecs
import csv
import gzip
import io
from collections.abc import Generator, Iterator, Sequence
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, cast

from ._cells import ColumnRows, Cut, split_lines
from ._eventlog import Table
from ._header import column_names, sniff
from ._lines import Lines, plain_lines
from ._parquet import is_parquet, parquet_blocks
from ._rows import ExportError

__all__ = ["READ", "blocks", "cells", "first_line", "header_of", "open_text", "read_table",
           "records"]

READ = 10_000
"""Records per block when reading a file for its rows alone."""


def open_text(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def first_line(handle: IO[str]) -> tuple[str, int]:
    """The first line of a file that is not blank ("" if none), and how many blank
    lines come before it."""
    for skipped, line in enumerate(handle):
        if line.strip():
            return line, skipped
    return "", 0


def records(path: Path, size: int = READ
            ) -> tuple[tuple[str, ...], Iterator[tuple[int, Any]]]:
    """The header (names as `column_names` reads them) and rows of a CSV (``.gz``; its
    delimiter `sniff`-ed from the header) or Parquet file, each row with the line it ends
    on (`blocks` of ``size``, row by row; closing the rows closes the file)."""
    header, found = blocks(path, size=size)

    def rows() -> Iterator[tuple[int, Any]]:
        try:
            for block in found:
                yield from block
        finally:
            found.close()

    return header, rows()


def blocks(path: Path, *, raw: bool = False, size: int = READ, first: int | None = None
           ) -> tuple[tuple[str, ...], Generator[Sequence[tuple[int, Any]], None, None]]:
    """The header of a file (as `records`) and its rows in blocks of about ``size``
    (a block is cut only between records; the first block of about ``first``, when
    given, but in a Parquet file). ``raw``: a plain comma-separated ``.csv``
    file's lines are given as they are (text, split by the worker that evaluates them;
    the parent reads only a few tickets' ids, `_cut_fast`), read in bytes (`plain_lines`)
    until a block holds a quote, in `Lines`; from there on, rows are parsed. Blank lines
    are no rows."""
    if is_parquet(path):
        names, found = parquet_blocks(path, size)
        return column_names(names), (block for block in found)
    if raw and path.suffix.lower() == ".csv":
        plain = _plain(path, size, first)
        if plain is not None:
            return plain
    handle = open_text(path)
    try:
        line, skipped = first_line(handle)
        delimiter = sniff(line)
        reader = csv.reader(chain([line], handle), delimiter=delimiter)
        header = column_names(next(reader, ()))
    except (csv.Error, UnicodeDecodeError, EOFError, OSError) as error:
        handle.close()
        raise ExportError(f"{path}:1: cannot read the header ({error})") from None

    return header, _guarded(path, handle, _parsed(reader, skipped, size, first))


def _plain(path: Path, size: int, first: int | None
           ) -> tuple[tuple[str, ...], Generator[Sequence[tuple[int, Any]], None, None]] | None:
    """`blocks` of a plain ``.csv`` file read in bytes (`plain_lines`), when its header
    is one line with no quote or lone carriage return, separated by commas; else None
    (the file is read as text)."""
    handle = path.open("rb")
    try:
        text, skipped = handle.readline().removeprefix(codecs.BOM_UTF8).decode("utf-8"), 0
        while text and not text.strip() and "\r" not in text[:-2]:  # blank lines before it
            text, skipped = handle.readline().decode("utf-8"), skipped + 1
    except (UnicodeDecodeError, OSError):
        handle.close()
        return None  # the text reading names the fault
    body = text.removesuffix("\n").removesuffix("\r")
    if not body.strip() or '"' in body or "\r" in body or sniff(text) != ",":
        handle.close()
        return None
    header = column_names(body.split(","))

    def read() -> Iterator[Sequence[tuple[int, Any]]]:
        stopped = yield from plain_lines(handle, path.name, skipped + 1, size, first)
        if stopped is not None:
            offset, number = stopped  # from here on, the csv module reads the file
            handle.seek(offset)
            with io.TextIOWrapper(handle, encoding="utf-8", newline="") as rest:
                reader = csv.reader(rest)
                yield from _parsed(reader, number, size)

    return header, _guarded(path, handle, read())


def _guarded(path: Path, handle: IO[Any], found: Iterator[Sequence[tuple[int, Any]]]
             ) -> Generator[Sequence[tuple[int, Any]], None, None]:
    """The blocks ``found`` reads from ``handle``, a fault of the file as `ExportError`
    naming ``path``; ``handle`` is closed once they are read (or given up)."""
    try:
        yield from found
    except csv.Error as error:
        raise ExportError(f"{path}: malformed CSV ({error})") from None
    except (UnicodeDecodeError, EOFError, OSError) as error:
        raise ExportError(f"{path}: cannot be read ({error})") from None
    finally:
        handle.close()


def _parsed(reader: _csv.Reader, before: int, size: int, first: int | None = None
            ) -> Generator[list[tuple[int, Any]], None, None]:
    """The rows a csv ``reader`` reads (blank lines: none), each with the line it ends on
    (``before`` lines came before the reader's first), in lists of ``size`` (the first of
    ``first`` when given, the last one shorter, none empty)."""
    rows = ((before + reader.line_num, row) for row in reader if row)
    count = size if first is None else first
    while True:
        block, count = list(islice(rows, count)), size
        if not block:
            return
        yield block


def cells(records: Sequence[tuple[int, Any]], width: int, *, cut: bool = False
          ) -> Sequence[tuple[int, Sequence[str]]]:
    """Records with raw lines split into cells (a line without quotes splits at commas,
    exactly as ``csv.reader`` reads it).

    When every record is a raw line of ``width`` cells ending in one line feed (the
    usual block), the block is split in one pass into `ColumnRows` (`split_lines`, no tuple
    per row); otherwise line by line. ``cut``: `Lines` held as bytes are first
    found in their bytes (`Cut`), and split as text only when their columns are asked for.
    """
    if isinstance(records, ColumnRows):  # split already (a Parquet file's)
        return records
    if not records:
        return []
    if isinstance(records, Lines):  # (read from its bytes when it was pickled)
        data = records.data if cut else None
        found = None if data is None else Cut.of(data, len(records), width)
        if found is not None:
            lines = records
            return ColumnRows(list(records.numbers), lambda: cast(
                "list[list[str]]", split_lines(lines.commas(), len(lines), width)), found)
        columns = split_lines(records.commas(), len(records), width)
    else:
        raw = [cells for _, cells in records]
        if type(raw[0]) is not str or set(map(type, raw)) - {str}:
            if not any(type(cells) is str for cells in raw):
                return list(records)
            return [(line, cells.rstrip("\r\n").split(",") if type(cells) is str
                     else cells) for line, cells in records]
        columns = split_lines(",".join(raw), len(raw), width)
    if columns is None:
        return [(line, cells.rstrip("\r\n").split(",")) for line, cells in records]
    numbers = list(records.numbers) if isinstance(records, Lines) else list(
        map(itemgetter(0), records))
    return ColumnRows(numbers, columns)


def header_of(path: Path) -> tuple[str, ...]:
    """The header of a file (`records`), the file closed again."""
    if is_parquet(path):
        return records(path)[0]
    with open_text(path) as handle:
        first, _ = first_line(handle)
        try:
            return column_names(next(csv.reader([first], delimiter=sniff(first)), ()))
        except csv.Error as error:
            raise ExportError(f"{path}:1: cannot read the header ({error})") from None


def read_table(path: Path, name: str | None = None) -> Table:
    """Every row of a CSV file (``.csv.gz``: gzipped; ``.parquet``: numbered from 1), each
    with the line it ends on.

    Boundary rule: blank lines are skipped; a malformed file raises `ExportError` naming
    the path and line. Example: a file ``ticket_id,at,kind`` / ``T1,2026-11-23T07:55Z,
    responded`` -> ``Table("events.csv", ("ticket_id", "at", "kind"), [(2, [...])])``.
    """
    header, rows = records(path)
    return Table(name or path.name, header, list(rows))
