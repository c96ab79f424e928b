"""The compiled years of a timeline: immutable snapshots ("islands") and their limits.

An island is a run of consecutive UTC years compiled into sorted open spans, with the
business position at each span's start and end. It never changes once built: growing an
island builds a new one, so a reader holding the old one keeps a consistent view. The
timeline (`slacalc.engine.timeline`) keeps a few islands, at most `MAX_ISLANDS` of them
and `YEAR_BUDGET` years in all, dropping the least recently used first; one island holds
at most `ISLAND_YEARS` years, the most one measurement may span. The checks that keep
one question within `SPAN_LIMIT_YEARS` live here too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from ..errors import CalendarError
from ._zone import DAY_US, MAX_YEAR, MIN_YEAR

__all__ = ["ISLAND_YEARS", "LENGTH_LIMIT_US", "MAX_ISLANDS", "SPAN_LIMIT_YEARS", "YEAR_BUDGET",
           "Ints", "Snapshot", "as_ints", "check_reach", "check_span", "check_year", "extend",
           "show", "year_of", "year_start"]

Ints = npt.NDArray[np.int64]
"""A numpy array of instants or lengths in microseconds."""

SPAN_LIMIT_YEARS = 100  # how many UTC years one measurement (elapsed, add) may span
LENGTH_LIMIT_US = SPAN_LIMIT_YEARS * 365 * DAY_US
"""The longest business time asked of a calendar: 100 years of 365 days (36,500 days).

Business time never exceeds real time, and 36,500 days always fit in 100 UTC years, so a
length up to this may be met; a longer one never can be, and is refused up front."""
ISLAND_YEARS = SPAN_LIMIT_YEARS + 1  # the years one measurement may touch
MAX_ISLANDS = 16  # islands kept at once
YEAR_BUDGET = 4 * ISLAND_YEARS  # compiled years kept, all islands together
_UNREACHABLE_US = (SPAN_LIMIT_YEARS + 1) * 366 * DAY_US  # no answer lies this far away
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def year_of(instant: int) -> int:
    """The UTC year of ``instant``; 0 or 10000 beyond what ``datetime`` holds.

    Example: ``year_of(0) == 1970``; ``year_of(10**30) == 10000``."""
    try:
        return (_EPOCH + timedelta(microseconds=instant)).year
    except OverflowError:
        return 10_000 if instant > 0 else 0


def check_year(year: int) -> None:
    """`CalendarError` unless ``year`` is one a timeline compiles (2..9998, both included).

    Example: ``check_year(9998)`` passes; ``check_year(9999)`` raises."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(
            f"instants must lie between years {MIN_YEAR} and {MAX_YEAR}; year {year} was needed"
        )


def year_start(year: int) -> int:
    """The first instant of UTC year ``year``. Example: ``year_start(1970) == 0``."""
    return (datetime(year, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)


def show(instant: int) -> str:
    """``instant`` as ISO text, for messages. Example: ``show(0)`` ->
    ``"1970-01-01T00:00:00+00:00"``."""
    return (_EPOCH + timedelta(microseconds=instant)).isoformat()


def check_span(lo: int, hi: int) -> tuple[int, int]:
    """The UTC years of ``lo`` and ``hi``; `CalendarError` when either is out of range or
    they are more than `SPAN_LIMIT_YEARS` years apart.

    Boundary rule: the years' difference counts, so 2026-01-01 .. 2126-12-31 passes (100)
    and 2026-12-31 .. 2127-01-01 does not (101)."""
    first, last = year_of(lo), year_of(hi)
    check_year(first)
    check_year(last)
    if last - first > SPAN_LIMIT_YEARS:
        raise CalendarError(
            f"{show(lo)} and {show(hi)} are more than {SPAN_LIMIT_YEARS} years apart: "
            f"business time is measured within {SPAN_LIMIT_YEARS} years"
        )
    return first, last


def extend(spans: list[tuple[int, int]], more: list[tuple[int, int]]) -> None:
    """Append the later sorted spans ``more`` to ``spans``, merging a span that continues
    across the seam (a year boundary). Example: ``[(0, 5)]`` extended by ``[(5, 9), (10,
    12)]`` -> ``[(0, 9), (10, 12)]``."""
    if spans and more and spans[-1][1] == more[0][0]:
        spans[-1] = (spans[-1][0], more[0][1])
        more = more[1:]
    spans.extend(more)


class Snapshot:
    """Immutable state: spans over the loaded UTC range ``[lo, hi)`` with their positions."""

    __slots__ = (
        "_arrays",
        "cum_end",
        "cum_start",
        "ends",
        "first_year",
        "hi",
        "last_year",
        "lo",
        "pos_hi",
        "pos_lo",
        "starts",
    )

    def __init__(
        self,
        spans: list[tuple[int, int]],
        pos_lo: int,
        first_year: int,
        last_year: int,
    ) -> None:
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]
        self.cum_start: list[int] = []
        self.cum_end: list[int] = []
        position = pos_lo
        for start, end in spans:
            self.cum_start.append(position)
            position += end - start
            self.cum_end.append(position)
        self.pos_lo = pos_lo
        self.pos_hi = position
        self.first_year = first_year
        self.last_year = last_year
        self.lo = year_start(first_year)
        self.hi = year_start(last_year + 1)
        self._arrays: tuple[Ints, Ints, Ints, Ints] | None = None

    @property
    def years(self) -> int:
        """How many UTC years the island holds."""
        return self.last_year - self.first_year + 1

    def clipped(self, first: int, last: int) -> list[tuple[int, int]]:
        """The spans inside UTC years ``first..last``, cut at their edges.

        Example: an island of 2025-2027 clipped to 2026..2026 gives 2026's spans, a 24x7
        island's single span cut to ``[2026-01-01, 2027-01-01)``.
        """
        lo, hi = max(year_start(first), self.lo), min(year_start(last + 1), self.hi)
        if lo <= self.lo and self.hi <= hi:
            return list(zip(self.starts, self.ends, strict=True))
        begin, stop = bisect_right(self.ends, lo), bisect_left(self.starts, hi)
        return [(max(start, lo), min(end, hi))
                for start, end in zip(self.starts[begin:stop], self.ends[begin:stop],
                                      strict=True)]

    def arrays(self) -> tuple[Ints, Ints, Ints, Ints]:
        """``starts, ends, cum_start, cum_end`` as numpy arrays, made once per snapshot."""
        if self._arrays is None:
            self._arrays = tuple(np.array(values, dtype=np.int64) for values in (  # type: ignore[assignment]
                self.starts, self.ends, self.cum_start, self.cum_end))
        assert self._arrays is not None
        return self._arrays

    def positions(self, instants: Ints) -> Ints:
        """`position` of each instant (all inside ``[lo, hi)``)."""
        starts, ends, cum_start, _ = self.arrays()
        if not len(ends):
            return np.full(len(instants), self.pos_hi, dtype=np.int64)
        index = np.searchsorted(ends, instants, side="right")
        safe = np.minimum(index, len(ends) - 1)
        rising = cum_start[safe] + np.maximum(instants - starts[safe], 0)
        found: Ints = np.where(index < len(ends), rising, self.pos_hi)
        return found

    def position(self, instant: int) -> int:
        """Business position of ``instant`` (inside ``[lo, hi)``): business time since the
        timeline's origin; it rises inside spans and is flat between them."""
        index = bisect_right(self.ends, instant)  # the first span ending after the instant
        if index == len(self.ends):
            return self.pos_hi
        start = self.starts[index]
        return self.cum_start[index] + (instant - start if instant > start else 0)


def as_ints(values: Ints | int) -> Ints:
    """``values`` as int64 microseconds; `CalendarError` for an int beyond 64 bits.

    Example: ``as_ints(5)`` -> ``array(5)``; ``as_ints(10**30)`` raises."""
    try:
        return np.asarray(values, dtype=np.int64)
    except OverflowError:
        raise CalendarError("an instant or amount beyond 64-bit microseconds (about 292,000 "
                            "years) was given") from None


def check_reach(origin: int, amount: int) -> None:
    """`CalendarError` when ``amount`` of business time cannot be found within
    `SPAN_LIMIT_YEARS` years of ``origin``.

    Boundary rule: business time never exceeds real time, so an amount over 101 years of
    366 days is refused; a smaller one is left to the search, which stops at the span
    limit. Example: 999,999,999 days after 2026-03-02 raises at once."""
    if abs(amount) > _UNREACHABLE_US:
        way, days = "after" if amount > 0 else "before", abs(amount) // DAY_US
        shown = f"{days:,}" if days < 10**15 else "over 10^15"
        raise CalendarError(
            f"{show(origin)} and the instant {shown} days of business time "
            f"{way} it are more than {SPAN_LIMIT_YEARS} years apart: business time is "
            f"measured within {SPAN_LIMIT_YEARS} years")
