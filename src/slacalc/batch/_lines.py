"""Numbered text lines: a block of plain CSV lines as it travels from the reader to the
worker that splits it.

A block of an event log's file is read in the parent process, cut where its tickets'
events end, and sent to a worker process. Held as a tuple ``(line, text)`` per line, it
costs the parent one tuple to build and to pickle per line; `Lines` holds the numbers
(a ``range`` when they follow each other, the usual case) and the texts apart, and
pickles its texts as one string (`blob`, a copy at memory speed, where a list of texts
costs a step per text on each side); the worker splits that string only if it must.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from operator import methodcaller
from typing import overload

from ._eventlog import ColumnRows

__all__ = ["Lines", "joined"]

_FED = methodcaller("endswith", "\n")


class Lines(Sequence[tuple[int, str]]):
    """Text lines, each with the number of the line it is in its file."""

    __slots__ = ("_blob", "_texts", "numbers")

    def __init__(self, numbers: range | list[int], texts: list[str]) -> None:
        self.numbers = numbers
        self._texts: list[str] | None = texts
        self._blob: str | None = None  # the texts joined, once asked for

    @property
    def texts(self) -> list[str]:
        """The lines, each with its line feed (the file's last one perhaps without)."""
        if self._texts is None:
            assert self._blob is not None
            parts = self._blob.split("\n")
            last = parts.pop()  # "" after a final line feed, else the last line
            self._texts = [part + "\n" for part in parts] + ([last] if last else [])
        return self._texts

    @property
    def blob(self) -> str | None:
        """The lines as one string, when splitting it at line feeds gives them back (each
        line but the last ends in one line feed and holds no other); else None."""
        if self._blob is None:
            texts = self._texts or []
            blob = "".join(texts)
            feeds = len(texts) - (not texts[-1].endswith("\n")) if texts else 0
            if blob.count("\n") != feeds or not all(
                    map(_FED, islice(texts, max(len(texts) - 1, 0)))):
                return None
            self._blob = blob
        return self._blob

    def __getstate__(self) -> tuple[range | list[int], list[str] | None, str | None]:
        blob = self.blob
        return (self.numbers, None, blob) if blob is not None else (
            self.numbers, self.texts, None)

    def __setstate__(self, state: tuple[range | list[int], list[str] | None, str | None]
                     ) -> None:
        self.numbers, self._texts, self._blob = state

    def commas(self) -> str:
        """The lines joined by commas, the last one ending in a line feed (what
        `slacalc.batch._logrun._split` splits), made from the texts or the string.

        Example: the lines ``a,b\\n`` and ``c,d`` -> ``"a,b\\n,c,d\\n"``.
        """
        if self._texts is not None:
            text = ",".join(self._texts)
            return text if text.endswith("\n") else text + "\n"
        assert self._blob is not None
        text = self._blob.replace("\n", "\n,")
        return text[:-1] if self._blob.endswith("\n") else text + "\n"

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

    def __add__(self, other: Lines) -> Lines:
        """These lines, then ``other``'s (the numbers stay a range when they follow on).

        Example: ``Lines(range(2, 4), ["a", "b"]) + Lines(range(4, 5), ["c"])`` ->
        ``Lines(range(2, 5), ["a", "b", "c"])``.
        """
        mine, theirs = self.numbers, other.numbers
        if isinstance(mine, range) and isinstance(theirs, range) and (
                not mine or not theirs or (mine.step == theirs.step == 1
                                           and mine.stop == theirs.start)):
            numbers: range | list[int] = (theirs if not mine else mine if not theirs
                                          else range(mine.start, theirs.stop))
        else:
            numbers = [*mine, *theirs]
        return Lines(numbers, self.texts + other.texts)


def joined(first: Sequence[tuple[int, object]], second: Sequence[tuple[int, object]]
           ) -> Sequence[tuple[int, object]]:
    """Two blocks of numbered records as one: `Lines` stay `Lines`, `ColumnRows` of one
    width stay `ColumnRows`, anything else (rows the csv module parsed) becomes a list.

    Example: ``joined([], Lines(range(2, 3), ["a"]))`` -> ``Lines(range(2, 3), ["a"])``.
    """
    if not first:
        return second
    if not second:
        return first
    if isinstance(first, Lines) and isinstance(second, Lines):
        return first + second
    if isinstance(first, ColumnRows) and isinstance(second, ColumnRows) and len(
            first.columns) == len(second.columns):
        return ColumnRows(first.lines + second.lines, [
            mine + theirs for mine, theirs in zip(first.columns, second.columns, strict=True)])
    return [*first, *second]
