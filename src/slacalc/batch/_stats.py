"""Percentiles, monthly compliance and the rows worth a look, gathered from result rows in
compact memory: what the summary and the HTML report show beyond counts.

Per group (policy, tier, priority, metric), for every row whose clock was stopped and
judged (``met``, or ``breached`` with a ``stopped_at``): the time to the stop on the
target's clock (``elapsed_seconds``: business time for a business target, real time
otherwise) and in real time (``stopped_at`` minus the ticket's opening), two float64 each
(16 bytes a row, written out to a temporary file past 4 MiB: `slacalc.batch._samples`,
so memory stays flat). Per group and month of opening (in the
tier calendar's zone): met and breached counts. Per group: how many rows have each target
length (a handful of lengths). And at most `KEPT` breached rows (the largest overruns) and
`KEPT` running rows (the least time left), for the HTML table.

Percentiles are numpy's default definition (``method="linear"``: the sorted values
interpolated at rank ``p / 100 * (n - 1)``).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cache, partial
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from ..engine._zone import instant_us
from ..engine.durations import Duration, parse_duration
from ..errors import SlacalcError
from ..sla.columns import STATUSES, runs
from ._instants import parse_instants, text_array
from ._measures import Group, Measures
from ._results import RESULT_COLUMNS, zone_offsets
from ._rows import PolicyBook
from ._samples import Samples

__all__ = ["KEPT", "PERCENTILES", "WATCH_COLUMNS", "Stats", "local_instants",
           "months_of", "opened_us", "openings", "percentiles_of", "tier_zone"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
PERCENTILES = (50, 90, 99)
"""The percentiles shown: the median, p90 and p99."""
KEPT = 500
"""Breached rows (largest overrun first) and running rows (least time left first) kept."""
_AT = {name: index for index, name in enumerate(RESULT_COLUMNS)}
_MET, _BREACHED, _RUNNING = (STATUSES.index(name) for name in ("met", "breached", "running"))
WATCH_COLUMNS = tuple(name for name in (
    "ticket_id", "policy", "tier", "priority", "metric", "status", "target", "due",
    "elapsed_seconds", "remaining_seconds", "overrun_seconds", "at_risk",
    "next_escalation_at") if name in _AT)
"""The result columns the HTML table of breached and running rows shows (``at_risk`` and
``next_escalation_at`` once the results have them)."""
_DECIDED = ("met", "breached")


def percentiles_of(values: Floats) -> tuple[float, ...] | None:
    """The `PERCENTILES` of ``values`` (NaN ignored), numpy's default definition.

    Boundary rule: linear interpolation between the sorted values at rank
    ``p / 100 * (n - 1)``; None when no value is a number. Example: ``[10, 20, 30, 40]``
    -> ``(25.0, 37.0, 39.7)``.
    """
    kept = values[~np.isnan(values)]
    if not len(kept):
        return None
    return tuple(float(value) for value in np.percentile(kept, PERCENTILES))


def months_of(local_us: Floats) -> list[str]:
    """Each local wall-time instant (µs, the UTC offset already added; NaN: unknown) as
    its month ("" when unknown).

    Boundary rule: the month starts at local midnight of its first day. Example:
    ``2026-10-31T23:30`` local -> ``"2026-10"``; ``2026-11-01T00:00`` -> ``"2026-11"``.
    """
    known = ~np.isnan(local_us)
    found = [""] * len(local_us)
    months = local_us[known].astype(np.int64).astype("datetime64[us]").astype("datetime64[M]")
    for index, month in zip(np.flatnonzero(known).tolist(),
                            np.datetime_as_string(months, unit="M").tolist(), strict=True):
        found[index] = month
    return found


def opened_us(texts: Sequence[str]) -> Floats:
    """Openings as written (ISO 8601 with an offset) as UTC µs, NaN where unreadable.

    Boundary rule: the column parser's forms, then any form ``datetime.fromisoformat``
    reads (as the checked path does). Example: ``["2026-11-20T17:30:00-05:00"]`` ->
    ``[1.7952138e15]`` (2026-11-20T22:30Z).
    """
    parsed = parse_instants(texts)
    found = np.where(parsed.present & ~parsed.bad, parsed.us.astype(np.float64), np.nan)
    for index in np.flatnonzero(np.isnan(found)).tolist():
        try:
            moment = datetime.fromisoformat(texts[index].strip())
        except ValueError:
            continue
        if moment.tzinfo is not None:
            found[index] = float(instant_us(moment))
    return found


def local_instants(zone_of: Callable[[str, str], tzinfo | None], policies: Sequence[str],
                   tiers: Sequence[str], opened: Floats) -> Floats:
    """Each row's opening on its tier calendar's wall clock: ``opened`` (UTC µs) plus the
    offset of ``zone_of(policy, tier)`` then (UTC when None).

    Example: vircom standard (America/Toronto) opened 2026-11-01T03:30Z -> 2026-10-31
    23:30 local (-04:00 then), so its month is October.
    """
    local = opened.copy()
    keys: dict[tuple[str, str], int] = {}
    code = np.fromiter(map(keys.setdefault, zip(policies, tiers, strict=True),
                           range(len(opened))), dtype=np.int64, count=len(opened))
    known = ~np.isnan(opened)
    for (policy, tier), first in keys.items():
        zone = zone_of(policy, tier)
        mine = np.flatnonzero(known & (code == first))
        if zone is not None and len(mine):
            local[mine] += zone_offsets(zone, opened[mine].astype(np.int64))
    return local


def tier_zone(book: PolicyBook, policy: str, tier: str) -> tzinfo | None:
    """The zone of a tier's calendar.

    Boundary rule: None when the policy or the tier cannot be had (its rows are errors
    of their own). Example: ``tier_zone(PolicyBook(), "vircom", "standard")`` ->
    ``ZoneInfo("America/Toronto")``.
    """
    try:
        return book.plan(policy, tier).zone
    except (SlacalcError, ValidationError, OSError):
        return None


def openings(book: PolicyBook, columns: Sequence[Sequence[str]],
             opened: Sequence[str] | None) -> tuple[Floats | None, Floats | None]:
    """Each result row's opening (``opened``: as written, a text per row) in UTC µs and
    on its tier calendar's wall clock (`local_instants`); (None, None) without them.

    Example: a vircom row opened ``2026-11-01T03:30:00Z`` -> ``(1.7935038e15,
    1.7934894e15)`` (23:30 the evening before in Toronto, -04:00).
    """
    if opened is None or not columns or len(opened) != len(columns[0]):
        return None, None
    moments = opened_us(opened)
    return moments, local_instants(partial(tier_zone, book), columns[_AT["policy"]],
                                   columns[_AT["tier"]], moments)


@dataclass
class Stats:
    """What `Summary` keeps beyond counts (see the module's docstring)."""

    times: Samples = field(default_factory=Samples)  # (clock, real) rows per group
    months: dict[tuple[Group, str], list[int]] = field(default_factory=dict)
    lengths: dict[Group, dict[float, int]] = field(default_factory=dict)
    targets: dict[Group, dict[str, int]] = field(default_factory=dict)  # as written
    breached: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)
    running: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)
    html: bool = True
    """Keep what only the HTML report shows (target lengths, kept rows); a report that
    writes none leaves them empty (`target` is then None, `watched` empty)."""

    def add(self, columns: Sequence[Sequence[str]], measures: Measures) -> None:
        """Take result rows (columns in `RESULT_COLUMNS` order) and their `Measures` (an
        unknown opening: no real time and no month)."""
        count = len(columns[0]) if columns else 0
        if not count:
            return
        status = measures.status
        code, named = measures.group, measures.groups
        elapsed, remaining = measures.elapsed, measures.remaining
        stopped = ~np.isnan(measures.stop)
        real = (measures.stop - measures.opened) / 1e6  # NaN: no stop, or opening unknown
        breached = status == _BREACHED
        decided = (status == _MET) | breached
        judged = decided & stopped & ~np.isnan(elapsed)
        dated = decided & ~np.isnan(measures.local)
        months = np.zeros(count, dtype=np.int64)  # months since 1970 (where dated), x2,
        months[dated] = 2 * measures.local[dated].astype(np.int64).astype(  # + 1 if late
            "datetime64[us]").astype("datetime64[M]").astype(np.int64) + breached[dated]
        rows = np.stack([elapsed[judged], real[judged]], axis=1)
        times = {first: rows[positions] for first, positions in runs(code[judged])}
        for first, key in named.items():  # (each group's rows in their order)
            if first in times:
                self.times.add(key, times[first])
        if dated.any():  # each (group, month, late) counted at once
            low = int(months[dated].min())
            span = int(months[dated].max()) - low + 1
            for value, number in zip(*_counted(code[dated] * span + months[dated] - low),
                                     strict=True):
                first, month = divmod(value, span)
                shown = _month_text((month + low) // 2)
                self.months.setdefault((named[first], shown), [0, 0])[(month + low) % 2] += (
                    number)
        if self.html:
            self._lengths(columns, measures, breached)
            self._watch(columns, status, remaining, measures.overrun)

    def _lengths(self, columns: Sequence[Sequence[str]], measures: Measures,
                 breached: Bools) -> None:
        """Count each group's target lengths (elapsed + remaining of its rows that did not
        breach), and the targets as written of its breached rows (`target`)."""
        code, named = measures.group, measures.groups
        length = measures.elapsed + measures.remaining
        timed = ~breached & ~np.isnan(measures.remaining)
        for first, key in named.items():
            mine = timed & (code == first)
            lengths = self.lengths.setdefault(key, {}) if mine.any() else {}
            for value, number in zip(*_counted(length[mine]), strict=True):
                lengths[value] = lengths.get(value, 0) + number
        late = np.flatnonzero(breached)  # a target as written is read only when every
        targets = text_array(columns[_AT["target"]])[late]  # row of a group breached
        for (first, text), number in Counter(zip(code[late].tolist(), targets.tolist(),
                                                 strict=True)).items():
            if text:
                texts = self.targets.setdefault(named[first], {})
                texts[text] = texts.get(text, 0) + number

    def _watch(self, columns: Sequence[Sequence[str]], status: Ints, remaining: Floats,
               overrun: Floats) -> None:
        """Keep the largest overruns and the running rows with the least time left (only
        the chunk's own best `KEPT` of each, and of those only the ones that beat the
        least kept so far, are made into rows)."""
        for heap, candidates, key in ((self.breached, np.flatnonzero(status == _BREACHED),
                                       np.nan_to_num(overrun)),
                                      (self.running, np.flatnonzero(status == _RUNNING),
                                       -np.nan_to_num(remaining))):
            found = candidates[key[candidates] >= heap[0][0]] if len(heap) >= KEPT \
                else candidates
            rows = (found[np.argpartition(-key[found], KEPT - 1)[:KEPT]]
                    if len(found) > KEPT else found)
            for value, cells in zip(key[rows].tolist(), _cells(columns, rows.tolist()),
                                    strict=True):
                _keep(heap, value, cells)

    def merge(self, other: Stats) -> None:
        """Fold another chunk's statistics into these."""
        self.times.merge(other.times)
        for month, (met, breached) in other.months.items():
            counts = self.months.setdefault(month, [0, 0])
            counts[0] += met
            counts[1] += breached
        for key, texts in other.targets.items():
            mine = self.targets.setdefault(key, {})
            for text, count in texts.items():
                mine[text] = mine.get(text, 0) + count
        for key, lengths in other.lengths.items():
            found = self.lengths.setdefault(key, {})
            for length, count in lengths.items():
                found[length] = found.get(length, 0) + count
        for entry in other.breached:
            _keep(self.breached, *entry)
        for entry in other.running:
            _keep(self.running, *entry)

    def seconds(self, key: Group) -> tuple[Floats, Floats]:
        """A group's times to the stop: on the target's clock, and in real time
        (NaN where the opening is unknown); empty arrays for a group without any."""
        rows = self.times.rows(key)
        return rows[:, 0], rows[:, 1]

    def target(self, key: Group) -> float | None:
        """A group's most common target length in seconds, as its met, running and
        paused rows measure it (elapsed + remaining); when every row breached, its most
        common target as written (among its breached rows) if that is a length in hours
        or minutes (``1 business hour``: 3600); else None."""
        lengths = self.lengths.get(key)
        if lengths:
            return max(lengths.items(), key=lambda item: (item[1], -item[0]))[0]
        texts = self.targets.get(key)
        if not texts:
            return None
        text = max(texts.items(), key=lambda item: (item[1], item[0]))[0]
        try:
            found = parse_duration(text)
            if isinstance(found, Duration) and not found.is_none:
                return found.length().total_seconds()
        except SlacalcError:  # business days (the calendar's), or not a length
            pass
        return None

    def watched(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """The kept breached rows (largest overrun first) and running rows (least time
        left first), each as the `WATCH_COLUMNS` cells."""
        return ([cells for _, cells in sorted(self.breached, key=_order, reverse=True)],
                [cells for _, cells in sorted(self.running, key=_order, reverse=True)])


@cache
def _month_text(month: int) -> str:
    """A month counted from 1970-01 as ``YYYY-MM``. Example: 682 -> ``"2026-11"``."""
    return str(np.datetime64(month, "M"))


def _counted(values: npt.NDArray[Any]) -> tuple[list[Any], list[int]]:
    """The distinct values and how many times each occurs."""
    found, counts = np.unique(values, return_counts=True)
    return found.tolist(), counts.tolist()


def _order(entry: tuple[float, tuple[str, ...]]) -> tuple[float, tuple[str, ...]]:
    return entry[0], tuple(reversed(entry[1]))


def _keep(heap: list[tuple[float, tuple[str, ...]]], key: float,
          cells: tuple[str, ...]) -> None:
    if len(heap) < KEPT:
        heapq.heappush(heap, (key, cells))
    elif (key, cells) > heap[0]:
        heapq.heapreplace(heap, (key, cells))


def _cells(columns: Sequence[Sequence[str]], rows: list[int]) -> list[tuple[str, ...]]:
    """The `WATCH_COLUMNS` cells of ``rows`` ("" for a column the rows do not have)."""
    if not rows:
        return []
    pick = itemgetter(*rows) if len(rows) > 1 else (lambda column: (column[rows[0]],))
    blank = ("",) * len(rows)
    return list(zip(*(pick(columns[_AT[name]]) if _AT[name] < len(columns) else blank
                      for name in WATCH_COLUMNS), strict=True))


