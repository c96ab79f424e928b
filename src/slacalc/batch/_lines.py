"""Numbered text lines: a block of plain CSV lines as it travels from the reader to the
worker that splits it.

A block of an event log's file is read in the parent process, cut where its tickets'
events end, and sent to a worker process. Held as a tuple ``(line, text)`` per line, it
costs the parent one tuple to build and to pickle per line; `Lines` holds the numbers
(a ``range`` when they follow each other, the usual case) and the lines apart, and
pickles them as one string of bytes (`data`, a copy at memory speed, where a list of
texts costs a step per text on each side); the worker decodes and splits it only if it
must (an events block is read from its bytes: `slacalc.batch._cells.Cut`).

A plain ``.csv`` file is read in bytes (`plain_lines`): each block is one read, taken on
to the end of its last line and kept as bytes (checked to be UTF-8: at once when it is ASCII), so
the parent makes no object per line and decodes nothing; blocks are cut and joined as
bytes (`Lines.parted`, ``+``).
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Iterator, Sequence
from itertools import compress, islice
from operator import methodcaller
from typing import BinaryIO, TypeVar, cast, overload

import numpy as np

from ._cells import ColumnRows
from ._rows import ExportError

__all__ = ["Lines", "joined", "plain_lines"]

_FED = methodcaller("endswith", "\n")
_T = TypeVar("_T")
_LINE = 64
"""About how many bytes a line of an export takes: a block of ``size`` lines is read as
``size * _LINE`` bytes, then cut at its last line feed (so it holds about ``size``)."""


class Lines(Sequence[tuple[int, str]]):
    """Text lines, each with the number of the line it is in its file."""

    __slots__ = ("_data", "_texts", "numbers")

    def __init__(self, numbers: range | list[int], texts: list[str]) -> None:
        self.numbers = numbers
        self._texts: list[str] | None = texts
        self._data: bytes | None = None  # the texts joined in UTF-8, once asked for

    @classmethod
    def of(cls, numbers: range | list[int], data: bytes) -> Lines:
        """The lines of ``data`` (UTF-8): each but the last ends in one line feed and
        holds no other (what `data` gives back)."""
        lines = cls(numbers, [])
        lines._texts, lines._data = None, data
        return lines

    @property
    def texts(self) -> list[str]:
        """The lines, each with its line feed (the file's last one perhaps without)."""
        if self._texts is None:
            assert self._data is not None
            parts = self._data.decode().split("\n")
            last = parts.pop()  # "" after a final line feed, else the last line
            self._texts = [part + "\n" for part in parts] + ([last] if last else [])
        return self._texts

    @property
    def data(self) -> bytes | None:
        """The lines in UTF-8 as one string of bytes, when splitting it at line feeds
        gives them back (each line but the last ends in one line feed and holds no other);
        else None."""
        if self._data is None:
            texts = self._texts or []
            blob = "".join(texts)
            feeds = len(texts) - (not texts[-1].endswith("\n")) if texts else 0
            if blob.count("\n") != feeds or not all(
                    map(_FED, islice(texts, max(len(texts) - 1, 0)))):
                return None
            self._data = blob.encode()
        return self._data

    def __getstate__(self) -> tuple[range | list[int], list[str] | None, bytes | None]:
        data = self.data
        return (self.numbers, None, data) if data is not None else (
            self.numbers, self.texts, None)

    def __setstate__(self, state: tuple[range | list[int], list[str] | None, bytes | None]
                     ) -> None:
        self.numbers, self._texts, self._data = state

    def commas(self) -> str:
        """The lines joined by commas, the last one ending in a line feed (what
        `slacalc.batch._cells.split_lines` splits), made from the texts or the bytes.

        Example: the lines ``a,b\\n`` and ``c,d`` -> ``"a,b\\n,c,d\\n"``.
        """
        if self._texts is not None:
            text = ",".join(self._texts)
            return text if text.endswith("\n") else text + "\n"
        assert self._data is not None
        text = self._data.decode().replace("\n", "\n,")
        return text[:-1] if self._data.endswith(b"\n") else text + "\n"

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> tuple[int, str]: ...
    @overload
    def __getitem__(self, index: slice) -> Lines: ...

    def __getitem__(self, index: int | slice) -> tuple[int, str] | Lines:
        if isinstance(index, slice):
            return Lines(self.numbers[index], self.texts[index])
        return self.numbers[index], self.texts[index]

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return zip(self.numbers, self.texts, strict=True)

    def parted(self, count: int, offset: int) -> tuple[Lines, Lines]:
        """The first ``count`` lines and the rest, where ``offset`` is where the rest
        starts in `data` (cut as bytes, no text per line). Example: ``Lines.of(range(2,
        4), b"a\\nb\\n").parted(1, 2)`` -> the lines ``a`` (2) and ``b`` (3)."""
        data = self.data
        if data is None:
            return self[:count], self[count:]
        return (Lines.of(self.numbers[:count], data[:offset]),
                Lines.of(self.numbers[count:], data[offset:]))

    @classmethod
    def concat(cls, blocks: list[Lines]) -> Lines:
        """The lines of ``blocks`` in order, their bytes joined once when each holds them
        (and all but the last end in a line feed); else their texts.

        Example: ``Lines.concat([Lines.of(range(2, 3), b"a\\n"), Lines.of(range(3, 4),
        b"b")])`` -> ``Lines.of(range(2, 4), b"a\\nb")``.
        """
        start: range | list[int] = range(0)
        numbers = functools.reduce(_following, [block.numbers for block in blocks], start)
        datas = [block._data for block in blocks]
        if blocks and None not in datas and all(
                data.endswith(b"\n") for data in cast("list[bytes]", datas[:-1])):
            return Lines.of(numbers, b"".join(cast("list[bytes]", datas)))
        return Lines(numbers, [text for block in blocks for text in block.texts])

    def __add__(self, other: Lines) -> Lines:
        """These lines, then ``other``'s (`concat`: the numbers stay a range when they
        follow on).

        Example: ``Lines(range(2, 4), ["a", "b"]) + Lines(range(4, 5), ["c"])`` ->
        ``Lines(range(2, 5), ["a", "b", "c"])``.
        """
        return Lines.concat([self, other])


def _following(mine: range | list[int], theirs: range | list[int]) -> range | list[int]:
    """Line numbers, then more: one range when they follow on, else a list."""
    if isinstance(mine, range) and isinstance(theirs, range) and (
            not mine or not theirs or (mine.step == theirs.step == 1
                                       and mine.stop == theirs.start)):
        return theirs if not mine else mine if not theirs else range(mine.start, theirs.stop)
    return [*mine, *theirs]


def joined(*blocks: Sequence[tuple[int, _T]]) -> Sequence[tuple[int, _T]]:
    """Blocks of numbered records as one: `Lines` stay `Lines` (their strings joined
    once), `ColumnRows` of one width stay `ColumnRows`, anything else (rows the csv
    module parsed) becomes a list. No block: an empty list.

    Example: ``joined([], Lines(range(2, 3), ["a"]))`` -> ``Lines(range(2, 3), ["a"])``.
    """
    kept = [block for block in blocks if block]
    if len(kept) <= 1:
        return kept[0] if kept else (blocks[0] if blocks else [])
    if all(isinstance(block, Lines) for block in kept):
        return cast("Sequence[tuple[int, _T]]", Lines.concat(cast("list[Lines]", kept)))
    if all(isinstance(block, ColumnRows) for block in kept) and len(
            {len(block.columns) for block in cast("list[ColumnRows]", kept)}) == 1:
        columns = cast("list[ColumnRows]", kept)
        return cast("Sequence[tuple[int, _T]]", ColumnRows(
            [line for block in columns for line in block.lines],
            [[cell for block in columns for cell in block.columns[index]]
             for index in range(len(columns[0].columns))]))
    return [row for block in kept for row in block]


def plain_lines(handle: BinaryIO, name: str, number: int, size: int, first: int | None = None
                ) -> Generator[Lines, None, tuple[int, int] | None]:
    """The lines of a plain comma-separated file from ``handle``'s position on (the
    header read; ``number`` its last line), in blocks of about ``size`` lines (the first
    of about ``first``, when given), each read as bytes (up to the end of a line) and
    checked to be UTF-8 at once; returns where (a byte offset and the line before it) the
    file stops being plain, or None at its end.

    Boundary rule: a block stays plain while it holds no quote and no carriage return
    but in a CRLF line end (CRLF becomes LF); from the first block that does, the csv
    module must read the file (a quoted cell may span lines, a lone CR ends a line).
    Blank lines are no lines, as for csv. Not UTF-8: `ExportError` naming the line.
    Example: the bytes ``T1,a\\r\\n\\r\\nT2,b`` after a header on line 1 -> one block,
    the lines 2 (``T1,a``) and 4 (``T2,b``), then None.
    """
    offset = handle.tell()
    count = size if first is None else first
    while True:
        chunk, count = handle.read(count * _LINE), size
        if not chunk:
            return None
        if not chunk.endswith(b"\n"):
            chunk += handle.readline()  # the rest of its last line (the file's, perhaps)
        found = _plain(chunk, name, number)
        if found is None:
            return offset, number
        lines, feeds = found
        yield lines
        offset += len(chunk)
        number += feeds + (not chunk.endswith(b"\n"))


def _plain(chunk: bytes, name: str, number: int) -> tuple[Lines, int] | None:
    """The lines of ``chunk`` (whole lines that follow line ``number``, at least one
    byte) and how many line feeds it holds, or None when the csv module must read them
    (see `plain_lines`). The bytes stay bytes (ASCII is UTF-8; anything else is decoded
    once, to check it). The line feeds are found by numpy: counting them and searching
    for a blank line with bytes methods cost fifteen times as much on a file of short
    lines (the search for ``\\n\\n`` stops at every line feed)."""
    if b'"' in chunk:
        return None
    if b"\r" in chunk:
        chunk = chunk.replace(b"\r\n", b"\n")  # (as many line feeds)
        if b"\r" in chunk:
            return None
    feed = np.frombuffer(chunk, dtype=np.uint8) == 10
    feeds = int(np.count_nonzero(feed))
    blank = bool(feed[0]) or bool((feed[1:] & feed[:-1]).any())
    try:
        text = None if chunk.isascii() else chunk.decode("utf-8")
    except UnicodeDecodeError as error:
        line = number + 1 + chunk.count(b"\n", 0, error.start)
        raise ExportError(f"{name}:{line}: cannot be read (not UTF-8: {error.reason} at "
                          f"byte {chunk[error.start:error.end]!r})") from None
    numbers = range(number + 1, number + 1 + feeds + (not chunk.endswith(b"\n")))
    if not blank:
        return Lines.of(numbers, chunk), feeds
    text = chunk.decode("utf-8") if text is None else text
    parts = text.split("\n")  # blank lines: no records, the others keep their numbers
    if not parts[-1]:
        parts.pop()
    texts = [part + "\n" for part in parts[:-1]] + [
        parts[-1] + "\n" if text.endswith("\n") else parts[-1]]
    return Lines(list(compress(numbers, parts)), list(compress(texts, parts))), feeds
