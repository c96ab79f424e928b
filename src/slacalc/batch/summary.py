"""The summary of a batch report: counts per group and the worst overruns, in flat memory."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import Any

__all__ = ["Summary"]


@dataclass
class Summary:
    """Counts per (policy, tier, priority, metric) and the worst overruns, in flat memory."""

    worst: int = 10
    groups: dict[tuple[str, str, str, str], dict[str, int]] = field(default_factory=dict)
    tickets: int = 0
    failed: int = 0
    _overruns: list[tuple[float, str, str, str, str]] = field(default_factory=list)

    def add(self, columns: Sequence[Sequence[str]], tickets: int = 1) -> None:
        """Count result rows (given as columns, in `RESULT_COLUMNS` order) of ``tickets``
        tickets.

        Boundary rule: a row counts towards the worst overruns only when it has an overrun
        (breached); equal overruns are ordered by ticket id. Example: two tickets with rows
        (response met, resolution breached 20 s late) -> 2 tickets, ``met: 2`` in the
        response group, ``breached: 2`` in the resolution group, two overruns of 20 s.
        """
        self.tickets += tickets
        if not columns or not columns[0]:
            return
        for (policy, tier, priority, metric, status), count in Counter(
                zip(*columns[1:6], strict=True)).items():
            counts = self.groups.setdefault((policy, tier, priority, metric), {})
            counts[status] = counts.get(status, 0) + count
        overruns = columns[11]
        for row in compress(range(len(overruns)), overruns):
            entry = (float(overruns[row]), columns[0][row], columns[1][row], columns[4][row],
                     columns[7][row])
            if len(self._overruns) < self.worst:
                heapq.heappush(self._overruns, entry)
            else:
                heapq.heappushpop(self._overruns, entry)

    def merge(self, other: Summary) -> None:
        """Fold another summary (from a worker process) into this one."""
        self.tickets += other.tickets
        self.failed += other.failed
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

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"tickets": self.tickets, "failed": self.failed,
                "groups": [{"policy": p, "tier": t, "priority": pr, "metric": m, **counts}
                           for (p, t, pr, m), counts in sorted(self.groups.items())],
                "worst_overruns": [{"overrun_seconds": s, "ticket_id": i, "policy": p,
                                    "metric": m, "due": d}
                                   for s, i, p, m, d in self.worst_overruns()]}

