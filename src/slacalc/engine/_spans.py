"""Exact arithmetic on sets of instants: sorted, disjoint, half-open microsecond spans.

Used where real time is counted rather than business time (outages, maintenance):
merging overlaps, intersecting and subtracting, all on integers, so nothing is rounded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from itertools import pairwise

__all__ = ["Span", "intersect", "merge", "subtract", "total"]

Span = tuple[int, int]
"""``(start, end)`` in microseconds since the epoch, half-open."""


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort, drop empty spans, and merge overlapping or touching ones.

    Example: [(5, 8), (0, 5), (9, 9)] -> [(0, 8)].
    """
    merged: list[Span] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        elif lo < hi:
            merged.append((lo, hi))
    return merged


def _combine(a: list[Span], b: list[Span], keep: Callable[[bool, bool], bool]) -> list[Span]:
    """The instants where ``keep(in a, in b)`` holds (``a``, ``b``: merged spans)."""
    points = sorted({point for span in (*a, *b) for point in span})
    return merge((lo, hi) for lo, hi in pairwise(points) if keep(_in(a, lo), _in(b, lo)))


def _in(spans: list[Span], point: int) -> bool:
    index = bisect_right(spans, point, key=lambda span: span[0]) - 1
    return index >= 0 and point < spans[index][1]


def intersect(a: list[Span], b: list[Span]) -> list[Span]:
    """Instants in both. Example: [(0, 10)] and [(5, 20)] -> [(5, 10)]."""
    return _combine(a, b, lambda in_a, in_b: in_a and in_b)


def subtract(a: list[Span], b: list[Span]) -> list[Span]:
    """Instants in ``a`` but not ``b``. Example: [(0, 10)] minus [(5, 20)] -> [(0, 5)]."""
    return _combine(a, b, lambda in_a, in_b: in_a and not in_b)


def total(spans: list[Span]) -> int:
    """Their summed length. Example: [(0, 5), (10, 12)] -> 7."""
    return sum(hi - lo for lo, hi in spans)
