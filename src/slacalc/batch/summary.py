"""The summary of a batch report: counts per group and the worst overruns, in flat memory;
percentiles, monthly compliance and the rows the HTML report lists in compact memory
(`slacalc.batch._stats`: 16 bytes per judged row)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ._measures import Measures, measures_of_text
from ._results import RESULT_COLUMNS
from ._stats import PERCENTILES, Stats, percentiles_of

__all__ = ["Summary"]

Floats = npt.NDArray[np.float64]
_AT = {name: index for index, name in enumerate(RESULT_COLUMNS)}


@dataclass
class Summary:
    """Counts per (policy, tier, priority, metric) and the worst overruns, in flat memory."""

    worst: int = 10
    groups: dict[tuple[str, str, str, str], dict[str, int]] = field(default_factory=dict)
    tickets: int = 0
    failed: int = 0
    _overruns: list[tuple[float, str, str, str, str]] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)

    def add(self, columns: Sequence[Sequence[str]], tickets: int = 1, *,
            measures: Measures | None = None) -> None:
        """Count result rows (given as columns, in `RESULT_COLUMNS` order) of ``tickets``
        tickets; ``measures`` are the numbers the rows were written from, with each row's
        status and group, for the counts, percentiles and months (`Stats.add`; without
        them, they are read from the text, with no real times and no months).

        Boundary rule: a row counts towards the worst overruns only when it has an overrun
        (breached); equal overruns are ordered by ticket id. Example: two tickets with rows
        (response met, resolution breached 20 s late) -> 2 tickets, ``met: 2`` in the
        response group, ``breached: 2`` in the resolution group, two overruns of 20 s.
        """
        self.tickets += tickets
        if not columns or not columns[0]:
            return
        measures = measures or measures_of_text(columns, None, None)
        code, named = measures.group, measures.groups
        self.stats.add(columns, measures)
        statuses = measures.statuses
        pairs, counted = np.unique(code * len(statuses) + measures.status, return_counts=True)
        for pair, count in zip(pairs.tolist(), counted.tolist(), strict=True):
            first, status = divmod(pair, len(statuses))
            counts = self.groups.setdefault(named[first], {})
            counts[statuses[status]] = counts.get(statuses[status], 0) + count
        overruns = columns[_AT["overrun_seconds"]]
        ids, policies = columns[_AT["ticket_id"]], columns[_AT["policy"]]
        metrics, dues = columns[_AT["metric"]], columns[_AT["due"]]
        for row in _largest(measures.overrun, self.worst):
            entry = (float(overruns[row]), ids[row], policies[row], metrics[row], dues[row])
            if len(self._overruns) < self.worst:
                heapq.heappush(self._overruns, entry)
            else:
                heapq.heappushpop(self._overruns, entry)

    def merge(self, other: Summary) -> None:
        """Fold another summary (from a worker process) into this one."""
        self.tickets += other.tickets
        self.failed += other.failed
        self.stats.merge(other.stats)
        for group, counts in other.groups.items():
            mine = self.groups.setdefault(group, {})
            for status, count in counts.items():
                mine[status] = mine.get(status, 0) + count
        for entry in other._overruns:
            heapq.heappush(self._overruns, entry)
            if len(self._overruns) > self.worst:
                heapq.heappop(self._overruns)

    def worst_overruns(self) -> list[tuple[float, str, str, str, str]]:
        """``(seconds, ticket, policy, metric, due)``, largest first."""
        return sorted(self._overruns, reverse=True)

    def percentiles(self) -> list[dict[str, Any]]:
        """Per group with a judged stop: how many (``count``), and the median, p90 and p99
        (`PERCENTILES`, numpy's default linear definition) of the time to the stop in
        seconds, on the target's clock (``clock_p50``, ...) and in real time
        (``real_p50``, ...: ``stopped_at`` minus the opening).

        Boundary rule: a judged stop is a ``met`` row, or a ``breached`` one with a
        ``stopped_at`` (a clock still open past its due instant has no time to the stop
        yet). Example: response times 600 s and 1800 s -> ``clock_p50 == 1200.0``.
        """
        found = []
        for key in self.stats.times.groups():
            clock, real = self.stats.seconds(key)
            entry: dict[str, Any] = dict(zip(("policy", "tier", "priority", "metric"), key,
                                             strict=True)) | {"count": len(clock)}
            for name, values in (("clock", clock), ("real", real)):
                shown = percentiles_of(values) or (None,) * len(PERCENTILES)
                entry |= {f"{name}_p{p}": value for p, value in zip(PERCENTILES, shown,
                                                                     strict=True)}
            found.append(entry)
        return found

    def monthly(self) -> list[dict[str, Any]]:
        """Compliance per group and month of opening (in the tier calendar's zone):
        ``met``, ``breached`` and ``compliance`` = met / (met + breached).

        Example: in 2026-10, 3 met and 1 breached -> ``compliance == 0.75``.
        """
        return [dict(zip(("policy", "tier", "priority", "metric"), key, strict=True))
                | {"month": month, "met": met, "breached": breached,
                   "compliance": met / (met + breached)}
                for (key, month), (met, breached) in sorted(self.stats.months.items())]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"tickets": self.tickets, "failed": self.failed,
                "groups": [{"policy": p, "tier": t, "priority": pr, "metric": m, **counts}
                           for (p, t, pr, m), counts in sorted(self.groups.items())],
                "worst_overruns": [{"overrun_seconds": s, "ticket_id": i, "policy": p,
                                    "metric": m, "due": d}
                                   for s, i, p, m, d in self.worst_overruns()],
                "percentiles": self.percentiles(), "monthly": self.monthly()}


def _largest(values: Floats, most: int) -> list[int]:
    """The rows that can be among the ``most`` largest values (NaN: no value): every row
    at least as large as the ``most``-th largest, ties included (the caller orders them).

    Example: ``[5.0, nan, 7.0, 5.0]``, 1 -> ``[2]``; 2 -> ``[0, 2, 3]``.
    """
    rows = np.flatnonzero(~np.isnan(values))
    if len(rows) > most > 0:
        least = np.partition(values[rows], len(rows) - most)[len(rows) - most]
        rows = rows[values[rows] >= least]
    return list(rows.tolist()) if most > 0 else []
