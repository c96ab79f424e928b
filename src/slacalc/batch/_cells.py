"""Cells of a block of rows of one width.

`ColumnRows` holds a block's rows as columns (no tuple per row). A block of plain lines
(no quote, no carriage return) is split into them as text in one pass (`split_lines`),
and may also be found in its bytes (`Cut`): each cell a start and an end offset, from
which a column is read as a byte matrix (`Cut.codes`) or as its distinct texts
(`Cut.values`) without a ``str`` per cell. The event-log report reads an events block
that way (`slacalc.batch._eventlog`), and splits it as text only when it must.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from typing import overload

import numpy as np
import numpy.typing as npt

__all__ = ["ColumnRows", "Cut", "split_lines", "word_keys"]

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint8]
_PAD = 64
_MIX = np.uint64(0x9E3779B97F4A7C15)  # (odd: multiplying by it loses no bit's information)
"""Bytes read past a cell's start at most (`Cut.codes`): a longer cell is not read."""


class ColumnRows(Sequence[tuple[int, Sequence[str]]]):
    """Rows of one width held as columns (``columns[j][i]`` is row ``i``'s cell ``j``),
    each row with the line it ends on: how a block of plain lines is split (no tuple per
    row), read column by column by `evaluate_log` and row by row by anything else.
    ``columns`` may be given as a function that splits them when first asked for, with
    the block's `Cut` (``cut``), read first."""

    def __init__(self, lines: list[int],
                 columns: list[list[str]] | Callable[[], list[list[str]]],
                 cut: Cut | None = None) -> None:
        self.lines, self.cut = lines, cut
        self._columns: list[list[str]] | None = None if callable(columns) else columns
        self._split: Callable[[], list[list[str]]] | None = columns if callable(
            columns) else None

    @property
    def columns(self) -> list[list[str]]:
        if self._columns is None:
            assert self._split is not None
            self._columns, self._split = self._split(), None
        return self._columns

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> tuple[int, Sequence[str]]: ...
    @overload
    def __getitem__(self, index: slice) -> ColumnRows: ...

    def __getitem__(self, index: int | slice) -> tuple[int, Sequence[str]] | ColumnRows:
        if isinstance(index, slice):
            return ColumnRows(self.lines[index], [column[index] for column in self.columns])
        return self.lines[index], tuple(column[index] for column in self.columns)

    def __iter__(self) -> Iterator[tuple[int, Sequence[str]]]:
        if not self.columns:  # rows of no cell
            return zip(self.lines, repeat(()))
        return zip(self.lines, zip(*self.columns, strict=True), strict=True)


def split_lines(text: str, count: int, width: int) -> list[list[str]] | None:
    """The columns of ``count`` lines joined by commas (none blank, each ending in a line
    feed; a final line feed added if the last line had none) when every line has
    ``width`` cells and no quote or carriage return; else None.

    The text is split at commas once. A line ends in the cell holding its line feed, so
    every line has ``width`` cells exactly when there are ``width`` cells per line in all
    and every line feed is in a last column's cell (a line with ``k`` commas more or less
    than ``width - 1`` would move the next line feed out of that column, or need another
    line to make up for it, which moves one too). Example: ``"a,b\\n,c,d\\n"``, 2 lines,
    width 2 -> ``[["a", "c"], ["b", "d"]]``.
    """
    if not text.endswith("\n"):
        text += "\n"
    if "\r" in text or '"' in text:  # (a quoted cell is the csv module's to read)
        return None
    flat = text.split(",")
    if len(flat) != count * width:
        return None
    ends = "".join(flat[width - 1::width])
    if ends.count("\n") != count:
        return None
    columns = [flat[column::width] for column in range(width - 1)]
    columns.append(ends.split("\n")[:-1])
    return columns


def word_keys(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """One 64-bit key per row of a matrix of 64-bit words: equal rows, equal keys (unequal
    rows seldom share one: callers compare the words of rows whose keys are equal).

    Example: ``[[1, 2], [1, 2], [2, 1]]`` -> the first two keys equal, the third not.
    """
    key = words[:, 0].copy() if words.shape[1] else np.zeros(len(words), dtype=np.uint64)
    for column in range(1, words.shape[1]):
        key *= _MIX
        key ^= words[:, column]
    return key


class Cut:
    """The cells of plain lines found in their bytes: row ``i``'s cell ``j`` is
    ``data[starts[i, j]:ends[i, j]]`` (`of`)."""

    __slots__ = ("_data", "_padded", "_texts", "ends", "starts")

    def __init__(self, data: bytes, starts: Ints, ends: Ints) -> None:
        self._data, self.starts, self.ends = data, starts, ends
        self._texts: dict[int, list[str]] = {}  # `texts` of each column asked for
        self._padded: Codes = np.frombuffer(data + bytes(_PAD), dtype=np.uint8)

    @classmethod
    def of(cls, data: bytes, count: int, width: int) -> Cut | None:
        """The cells of ``count`` lines of UTF-8 (none blank, each ending in a line feed
        but perhaps the last) when every line has ``width`` cells and none holds a quote,
        a carriage return or a NUL; else None (as `split_lines`, which splits the same
        lines into the same cells as text; a NUL is left to it).

        Boundary rule: commas and line feeds are found in one pass; a line has ``width``
        cells exactly when there are ``count * width`` of them, ``count`` line feeds, and
        each line feed is a ``width``-th one. Example: ``b"a,b\\nc,d"``, 2 lines, width 2
        -> cells ``a b`` / ``c d`` (``starts == [[0, 2], [4, 6]]``, ``ends == [[1, 3],
        [5, 7]]``).
        """
        if not data.endswith(b"\n"):
            data += b"\n"
        if b'"' in data or b"\r" in data or b"\x00" in data:
            return None
        raw = np.frombuffer(data, dtype=np.uint8)
        feed = raw == 10
        if np.count_nonzero(feed) != count:
            return None
        found = np.flatnonzero(feed | (raw == 44))  # a line feed or ","
        if len(found) != count * width:
            return None
        ends = found.reshape(count, width)
        if not (raw[ends[:, -1]] == 10).all():
            return None
        starts = np.empty_like(ends)
        starts[:, 1:] = ends[:, :-1] + 1
        starts[0, 0], starts[1:, 0] = 0, ends[:-1, -1] + 1
        return cls(data, starts, ends)

    def lengths(self, column: int) -> Ints:
        """The length in bytes of each row's cell ``column``."""
        found: Ints = self.ends[:, column] - self.starts[:, column]
        return found

    def codes(self, column: int, rows: Ints | None = None, width: int | None = None, *,
              rounded: bool = False) -> tuple[Codes, Ints] | None:
        """The cells ``column`` of ``rows`` (all rows: None) as a matrix of bytes, one row
        per cell, zero after its end, and their lengths; ``width`` bytes a row (a longer
        cell cut there, its length given as ``width``), else as many as the longest cell
        has (``rounded``: up to a multiple of 8, for `word_keys`). None when that is more than
        `_PAD` bytes.

        Example: cells ``b"T1"`` and ``b"T22"`` -> ``[[84, 49, 0], [84, 50, 50]]``,
        ``[2, 3]``.
        """
        start = self.starts[:, column] if rows is None else self.starts[rows, column]
        length = (self.ends[:, column] if rows is None else self.ends[rows, column]) - start
        size = width or max(int(length.max(initial=0)), 1)
        if rounded:
            size = -(-size // 8) * 8
        if size > _PAD:
            return None
        windows = np.lib.stride_tricks.sliding_window_view(self._padded, size)
        matrix: Codes = windows[start]  # (a copy: one row per cell)
        np.multiply(matrix, np.arange(size) < length[:, None], out=matrix)  # zero after
        return matrix, np.minimum(length, size)

    def values(self, column: int, rows: Ints | None = None) -> tuple[list[str], Ints] | None:
        """The distinct texts of the cells ``column`` of ``rows`` (all rows: None) and
        which of them each cell holds; None when a cell is longer than `_PAD` bytes.

        Example: cells ``b"no"``, ``b"yes"``, ``b"no"`` -> ``(["no", "yes"], [0, 1, 0])``
        (the distinct texts in some order, ``which`` pointing into it).
        """
        found = self.codes(column, rows, rounded=True)
        if found is None:
            return None
        matrix, length = found
        if not len(matrix):
            return [], np.zeros(0, dtype=np.int64)
        words = matrix.view(np.uint64)  # (each row 8 bytes a word)
        _, first, which = np.unique(word_keys(words), return_index=True, return_inverse=True)
        if not (words[first][which] == words).all():  # two texts of one key: by bytes
            exact = matrix.view(f"S{matrix.shape[1]}")[:, 0]  # (no NUL in a cell: `of`)
            _, first, which = np.unique(exact, return_index=True, return_inverse=True)
        texts = [bytes(matrix[row, :size]).decode()
                 for row, size in zip(first.tolist(), length[first].tolist(), strict=True)]
        return texts, which.astype(np.int64)

    def texts(self, column: int) -> list[str]:
        """Every row's cell ``column`` as text, decoded in one pass (the cells joined by
        line feeds, which no cell holds).

        Example: cells ``b"T1"`` and ``b"T22"`` -> ``["T1", "T22"]``.
        """
        found = self._texts.get(column)
        if found is None:
            found = self._texts[column] = self._decoded(column)
        return found

    def _decoded(self, column: int) -> list[str]:
        start = self.starts[:, column]
        length = self.ends[:, column] - start
        total = int(length.sum())
        raw = np.frombuffer(self._data, dtype=np.uint8)
        joined = np.full(total + len(start), 10, dtype=np.uint8)  # (a line feed after each)
        before = np.cumsum(length) - length  # where each cell starts among the cells' bytes
        within = np.arange(total) - np.repeat(before, length)
        joined[np.repeat(before + np.arange(len(start)), length) + within] = raw[
            np.repeat(start, length) + within]
        return joined.tobytes().decode().split("\n")[:-1]

    def text(self, row: int, column: int) -> str:
        """Row ``row``'s cell ``column`` as text. Example: ``b"a,b\\n"``, (0, 1) -> ``"b"``.
        """
        return self._data[int(self.starts[row, column]):int(self.ends[row, column])].decode()
