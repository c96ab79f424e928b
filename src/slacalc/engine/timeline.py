"""A calendar compiled into a monotone business clock.

The timeline holds the calendar's open spans as sorted, disjoint, maximal ``[start, end)``
pairs of UTC microseconds, and beside them the *business position* at each span's start
and end: the business time elapsed since an arbitrary origin. Position is a monotone
function of the instant (it rises inside spans and is flat between them), so

* ``elapsed(a, b) = position(b) - position(a)``: two bisects and a subtraction;
* ``add(a, d)`` is the earliest instant whose position is ``position(a) + d``, and
  ``add(a, -d)`` the latest instant whose position is ``position(a) - d``: one bisect each.

Neither cost grows with ``d``. ``shift``, ``between`` and ``is_open`` take single integers
or numpy arrays alike: an array is answered with ``searchsorted`` over the same snapshot,
so the batch path runs the very same arithmetic as a single ticket.

Spans are compiled lazily by UTC year into *islands*: runs
of consecutive years, each an immutable snapshot with positions of its own
(`slacalc.engine._islands`). An instant in an island's year or the one beside it grows it
(merging islands that meet); a farther one starts a new island, so a ticket in year 9998
never compiles the years between it and 2026, and only a measurement spanning a gap
compiles it. One measurement or search stays inside one island and within
`SPAN_LIMIT_YEARS`; a business length that cannot be met within them is refused at once.
The cache is bounded: at most 16 islands and 404 compiled years, the least recently used
dropped first. Every extension swaps in a new snapshot, so readers on other threads never
see a half-built state, and positions are only ever compared inside one snapshot.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import overload

import numpy as np
import numpy.typing as npt

from ..errors import CalendarError
from ._hours import DayHours
from ._islands import (
    ISLAND_YEARS,
    LENGTH_LIMIT_US,
    MAX_ISLANDS,
    SPAN_LIMIT_YEARS,
    YEAR_BUDGET,
    Ints,
    Snapshot,
    as_ints,
    check_reach,
    check_span,
    check_year,
    extend,
    show,
    year_of,
    year_start,
)
from ._spans import Span, subtract
from ._zone import DAY_US, MAX_YEAR, MIN_YEAR, WallMap, offset_segments, wall_us

__all__ = ["FIRST_US", "LAST_US", "LENGTH_LIMIT_US", "SEARCH_LIMIT_US", "SPAN_LIMIT_YEARS",
           "Ints", "RealTime", "Timeline"]

SEARCH_LIMIT_US = 3653 * DAY_US  # ten years: how far a search for open time may look
_REACH_YEARS = 1  # an instant in the year beside an island grows it; a farther one starts anew
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_US = (datetime(MIN_YEAR, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
"""The first instant a timeline compiles (UTC year 2)."""
LAST_US = (datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
"""The end of the last UTC year a timeline compiles (9998)."""


class Timeline:
    """The open spans of one calendar, with business positions, compiled on demand.

    ``day_hours(date)`` gives a local date's open intervals (seconds after local midnight);
    ``zone`` turns them into instants; ``closed(lo, hi)``, when given, names spans of
    instants closed whatever the hours say (an iCalendar feed's timed events). All
    arguments and results are UTC microseconds.
    """

    __slots__ = ("_closed", "_day_hours", "_islands", "_lock", "_snap", "_used", "_uses",
                 "_zone")

    def __init__(self, zone: tzinfo, day_hours: Callable[[date], DayHours],
                 closed: Callable[[int, int], list[Span]] | None = None) -> None:
        self._zone = zone
        self._day_hours = day_hours
        self._closed = closed
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None  # the island used last
        self._islands: list[Snapshot] = []  # disjoint, by first year
        self._used: dict[Snapshot, int] = {}  # island -> when it was last covered
        self._uses = 0

    # -- compilation ---------------------------------------------------------------------

    def _compile_year(self, year: int) -> list[tuple[int, int]]:
        """The open spans inside UTC year ``year``, clipped to it, sorted and merged."""
        check_year(year)
        lo, hi = year_start(year), year_start(year + 1)
        wall_map = WallMap(offset_segments(self._zone, lo - 2 * DAY_US, hi + 2 * DAY_US))
        day = (_EPOCH + timedelta(microseconds=lo)).date() - timedelta(days=2)
        last = (_EPOCH + timedelta(microseconds=hi)).date() + timedelta(days=2)
        pieces: list[tuple[int, int]] = []
        while day <= last:
            for start, end in self._day_hours(day):
                for lo_span, hi_span in wall_map.preimage(wall_us(day, start), wall_us(day, end)):
                    clipped = (max(lo_span, lo), min(hi_span, hi))
                    if clipped[0] < clipped[1]:
                        pieces.append(clipped)
            day += timedelta(days=1)
        pieces.sort()
        merged: list[tuple[int, int]] = []
        for a, b in pieces:
            if merged and merged[-1][1] >= a:  # touching (or, defensively, overlapping)
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged if self._closed is None else subtract(merged, self._closed(lo, hi))

    def _load(self, instant: int) -> Snapshot:
        """A snapshot with ``lo <= instant < hi``."""
        snap = self._snap
        if snap is not None and snap.lo <= instant < snap.hi:
            return snap
        for island in self._islands:  # another island holds it: only its use is recorded
            if island.lo <= instant < island.hi:
                with self._lock:
                    self._uses += 1
                    self._used[island] = self._uses
                self._snap = island
                return island
        return self._cover(instant, instant)

    def _cover(self, lo: int, hi: int) -> Snapshot:
        """One snapshot holding every instant of ``[lo, hi]``: an island that already does,
        or the islands it meets or touches merged around it (while the merge holds at most
        `ISLAND_YEARS` years), or a new island of just its years.

        Boundary rule: years between an island and a farther instant are never compiled
        for that instant alone; only a measurement spanning them compiles them. The cache
        keeps at most `MAX_ISLANDS` islands and `YEAR_BUDGET` years, dropping the least
        recently covered first (never the one returned). Example: loads in 2026, 2040 and
        2027 leave islands 2026-2027 and 2040; ``_cover(2026, 2040)`` merges them.
        """
        first, last = check_span(lo, hi)
        with self._lock:
            snap = next((island for island in self._islands
                         if island.first_year <= first and last <= island.last_year), None)
            if snap is None:
                near = [island for island in self._islands
                        if island.first_year - _REACH_YEARS <= last
                        and island.last_year + _REACH_YEARS >= first]
                start = min([first, *(island.first_year for island in near)])
                stop = max([last, *(island.last_year for island in near)])
                if stop - start + 1 > ISLAND_YEARS:  # too long to merge: its own years only
                    start, stop = first, last
                snap = self._build(start, stop, near)
                self._islands = sorted(
                    [island for island in self._islands
                     if island.last_year < start or island.first_year > stop] + [snap],
                    key=lambda island: island.first_year)
                self._forget(snap)
            self._uses += 1
            self._used[snap] = self._uses
            self._snap = snap
        return snap

    def _forget(self, keep: Snapshot) -> None:
        """Drop the least recently covered islands (not ``keep``) beyond the cache's bounds.

        A dropped snapshot stays valid for a reader holding it: snapshots never change."""
        self._used = {island: self._used.get(island, self._uses) for island in self._islands}
        while len(self._islands) > MAX_ISLANDS or \
                sum(island.years for island in self._islands) > YEAR_BUDGET:
            oldest = min((island for island in self._islands if island is not keep),
                         key=self._used.__getitem__)
            self._islands.remove(oldest)
            del self._used[oldest]

    def _build(self, first: int, last: int, islands: list[Snapshot]) -> Snapshot:
        """The snapshot of UTC years ``first..last``, reusing the spans ``islands`` (sorted,
        disjoint) hold inside that range and compiling the other years."""
        spans: list[tuple[int, int]] = []
        year = first
        for island in islands:
            begin, end = max(island.first_year, first), min(island.last_year, last)
            if begin > end:
                continue
            for missing in range(year, begin):
                extend(spans, self._compile_year(missing))
            extend(spans, island.clipped(begin, end))
            year = end + 1
        for missing in range(year, last + 1):
            extend(spans, self._compile_year(missing))
        return Snapshot(spans, 0, first, last)

    def _extend_later(self, snap: Snapshot, origin: int) -> Snapshot:
        """One more year after ``snap``; an error once ten years after ``origin`` are empty."""
        last_open = max(snap.ends[-1] if snap.ends else origin, origin)
        if snap.hi - last_open > SEARCH_LIMIT_US:
            raise CalendarError(
                f"no open time within 10 years after {show(last_open)}: the calendar is closed"
            )
        return self._cover(origin, snap.hi)

    def _extend_earlier(self, snap: Snapshot, origin: int) -> Snapshot:
        """One more year before ``snap``; an error once ten years before ``origin`` are empty."""
        first_open = min(snap.starts[0] if snap.starts else origin, origin)
        if first_open - snap.lo > SEARCH_LIMIT_US:
            raise CalendarError(
                f"no open time within 10 years before {show(first_open)}: the calendar is closed"
            )
        return self._cover(snap.lo - 1, origin)

    # -- queries -------------------------------------------------------------------------

    @overload
    def between(self, lo: int, hi: int) -> int: ...
    @overload
    def between(self, lo: Ints, hi: Ints | int) -> Ints: ...
    @overload
    def between(self, lo: int, hi: Ints) -> Ints: ...

    def between(self, lo: Ints | int, hi: Ints | int) -> Ints | int:
        """Business time in ``[lo, hi)``, negative when ``hi < lo``: two positions, one snapshot.

        Boundary rule: ``between(a, b) == -between(b, a)``; either argument may be an array
        (element-wise). Example, hours 07:30-18:00: Fri 17:00 .. Mon 08:00 -> 1 h 30 min.
        """
        if not isinstance(lo, int) or not isinstance(hi, int):
            lows, highs = np.broadcast_arrays(as_ints(lo), as_ints(hi))
            if not lows.size:
                return np.zeros(lows.shape, dtype=np.int64)
            both = self._cover(int(min(lows.min(), highs.min())),
                               int(max(lows.max(), highs.max())))
            found: Ints = both.positions(highs) - both.positions(lows)
            return found
        snap = self._snap
        if snap is None or not (snap.lo <= lo < snap.hi and snap.lo <= hi < snap.hi):
            snap = self._cover(min(lo, hi), max(lo, hi))
        return snap.position(hi) - snap.position(lo)

    @overload
    def shift(self, origin: int, amount: int) -> int: ...
    @overload
    def shift(self, origin: Ints, amount: Ints | int) -> Ints: ...
    @overload
    def shift(self, origin: int, amount: Ints) -> Ints: ...

    def shift(self, origin: Ints | int, amount: Ints | int) -> Ints | int:
        """The instant ``amount`` of business time after ``origin`` (before it, if negative).

        Boundary rule: forward, the earliest instant whose position is ``position(origin) +
        amount`` (a deadline reached at a close is that close); backward, the latest one (an
        opening); ``shift(t, 0) == t``. Either argument may be an array (element-wise).
        Example, hours 07:30-18:00: Fri 17:30 + 1 h -> Mon 08:00. The hot path of
        `BusinessCalendar.add`: one snapshot read and two bisects when both ends lie in
        compiled years; otherwise the mirrored searches below extend the timeline.
        """
        if not isinstance(origin, int) or not isinstance(amount, int):
            return self._shift_many(*np.broadcast_arrays(as_ints(origin), as_ints(amount)))
        snap = self._snap
        if snap is None or not snap.lo <= origin < snap.hi:
            snap = self._load(origin)
        target = snap.position(origin) + amount
        if amount > 0:
            while target > snap.pos_hi:  # grows the island; positions are re-read in it
                check_reach(origin, amount)
                snap = self._extend_later(snap, origin)
                target = snap.position(origin) + amount
            index = bisect_left(snap.cum_end, target)  # reached at a close: that close
            return snap.ends[index] - (snap.cum_end[index] - target)
        if amount < 0:
            while target < snap.pos_lo:
                check_reach(origin, amount)
                snap = self._extend_earlier(snap, origin)
                target = snap.position(origin) + amount
            index = bisect_right(snap.cum_start, target) - 1  # at an opening: that opening
            return snap.starts[index] + (target - snap.cum_start[index])
        return origin

    def _shift_many(self, origins: Ints, amounts: Ints) -> Ints:
        """`shift` element-wise: the extreme answers are found first (shift is monotone in
        both arguments), so one snapshot covers every answer."""
        if not origins.size:
            return origins.copy()
        lo, hi = int(origins.min()), int(origins.max())
        if amounts.max() > 0:
            hi = max(hi, self.shift(hi, int(amounts.max())))
        if amounts.min() < 0:
            lo = min(lo, self.shift(lo, int(amounts.min())))
        snap = self._cover(lo, hi)
        starts, ends, cum_start, cum_end = snap.arrays()
        target = snap.positions(origins) + amounts
        ahead = np.searchsorted(cum_end, target, side="left")  # reached at a close: that close
        forward = ends[np.minimum(ahead, len(ends) - 1)] - (
            cum_end[np.minimum(ahead, len(ends) - 1)] - target)
        behind = np.searchsorted(cum_start, target, side="right") - 1  # at an opening: it
        backward = starts[np.maximum(behind, 0)] + (target - cum_start[np.maximum(behind, 0)])
        found: Ints = np.where(amounts > 0, forward, np.where(amounts < 0, backward, origins))
        return found

    @overload
    def is_open(self, instant: int) -> bool: ...
    @overload
    def is_open(self, instant: Ints) -> npt.NDArray[np.bool_]: ...

    def is_open(self, instant: Ints | int) -> bool | npt.NDArray[np.bool_]:
        """True when ``instant`` lies inside an open span (spans are half-open); element-wise
        for an array. Example, hours 07:30-18:00: Fri 17:59:59 -> True; Fri 18:00 -> False."""
        if not isinstance(instant, int):
            if not instant.size:
                return np.zeros(instant.shape, dtype=bool)
            many = self._cover(int(instant.min()), int(instant.max()))
            starts, ends, _, _ = many.arrays()
            if not len(ends):
                return np.zeros(instant.shape, dtype=bool)
            inside = np.searchsorted(starts, instant, side="right") - 1
            opened: npt.NDArray[np.bool_] = (inside >= 0) & (
                instant < ends[np.maximum(inside, 0)])
            return opened
        snap = self._load(instant)
        index = bisect_right(snap.starts, instant) - 1
        return index >= 0 and instant < snap.ends[index]

    def next_open(self, instant: int) -> int:
        """Earliest open instant at or after ``instant``."""
        snap = self._load(instant)
        index = bisect_right(snap.ends, instant)
        while index == len(snap.ends):
            snap = self._extend_later(snap, instant)
            index = bisect_right(snap.ends, instant)
        return max(instant, snap.starts[index])

    def next_close(self, instant: int) -> int:
        """Earliest closing instant after ``instant`` (the end of the span open at or after it)."""
        snap = self._load(instant)
        index = bisect_right(snap.ends, instant)
        # A span ending at the loaded edge may continue into the next year: load it first.
        while index == len(snap.ends) or snap.ends[index] == snap.hi:
            if snap.hi - instant > SEARCH_LIMIT_US:
                raise CalendarError(
                    f"no closing instant within 10 years after {show(instant)}: "
                    f"the calendar never closes"
                )
            snap = self._cover(instant, snap.hi)
            index = bisect_right(snap.ends, instant)
        return snap.ends[index]

    def spans(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The open spans inside ``[lo, hi)``, clipped to it, maximal and in order."""
        if hi <= lo:
            return []
        snap = self._cover(lo, hi - 1)
        index = bisect_right(snap.ends, lo)
        found: list[tuple[int, int]] = []
        while index < len(snap.starts) and snap.starts[index] < hi:
            found.append((max(snap.starts[index], lo), min(snap.ends[index], hi)))
            index += 1
        return found


class RealTime:
    """The 24x7 clock: business time is real time, so ``shift`` adds and ``between``
    subtracts (single values or arrays), with the timeline's year range checked.

    Example: ``RealTime().shift(t, 3_600_000_000) == t + 3_600_000_000``.
    """

    __slots__ = ()

    @overload
    def shift(self, origin: int, amount: int) -> int: ...
    @overload
    def shift(self, origin: Ints, amount: Ints | int) -> Ints: ...
    @overload
    def shift(self, origin: int, amount: Ints) -> Ints: ...

    def shift(self, origin: Ints | int, amount: Ints | int) -> Ints | int:
        """``origin + amount``. Boundary rule: `CalendarError` outside years 2..9998."""
        if not isinstance(origin, int) or not isinstance(amount, int):
            origin, amount = as_ints(origin), as_ints(amount)
        found = origin + amount
        if isinstance(found, int):
            if not FIRST_US <= found < LAST_US:
                check_year(year_of(found))
            return found
        if found.size and (found.min() < FIRST_US or found.max() >= LAST_US):
            check_year(year_of(int(found.min() if found.min() < FIRST_US else found.max())))
        return found

    @overload
    def between(self, lo: int, hi: int) -> int: ...
    @overload
    def between(self, lo: Ints, hi: Ints | int) -> Ints: ...
    @overload
    def between(self, lo: int, hi: Ints) -> Ints: ...

    def between(self, lo: Ints | int, hi: Ints | int) -> Ints | int:
        """``hi - lo``: real time is business time. Boundary rule: as `Timeline.between`,
        `CalendarError` for instants more than `SPAN_LIMIT_YEARS` UTC years apart."""
        if not isinstance(lo, int) or not isinstance(hi, int):
            lo, hi = as_ints(lo), as_ints(hi)
        found = hi - lo
        if isinstance(found, int):
            if abs(found) > LENGTH_LIMIT_US:
                check_span(min(int(lo), int(hi)), max(int(lo), int(hi)))
            return found
        if found.size and int(np.abs(found).max()) > LENGTH_LIMIT_US:
            lows, highs = np.broadcast_arrays(np.asarray(lo), np.asarray(hi))
            worst = int(np.argmax(np.abs(found)))
            check_span(int(min(lows.flat[worst], highs.flat[worst])),
                        int(max(lows.flat[worst], highs.flat[worst])))
        return found

