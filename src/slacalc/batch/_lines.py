"""Numbered text lines: a block of plain CSV lines as it travels from the reader to the
worker that splits it.

A block of an event log's file is read in the parent process, cut where its tickets'
events end, and sent to a worker process. Held as a tuple ``(line, text)`` per line, it
costs the parent one tuple to build and to pickle per line; `Lines` holds the numbers
(a ``range`` when they follow each other, the usual case) and the texts apart, so a
block pickles as one list of texts and a range.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from ._eventlog import ColumnRows

__all__ = ["Lines", "joined"]


class Lines(Sequence[tuple[int, str]]):
    """Text lines, each with the number of the line it is in its file."""

    __slots__ = ("numbers", "texts")

    def __init__(self, numbers: range | list[int], texts: list[str]) -> None:
        self.numbers, self.texts = numbers, texts

    def __len__(self) -> int:
        return len(self.texts)

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
