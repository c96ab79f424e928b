"""The numbers behind result rows: what the summary's percentiles, months and kept rows
are computed from.

The column kernel (`slacalc.batch._columns`) writes each result row's text from µs; it
hands the same numbers on beside the text (`Measured`), so the summary never reads back
what was just written. Rows that come another way (the checked single-ticket path, a
caller's own columns) are measured from their text (`measures_of_text`), which gives the
same numbers: a seconds cell is an exact decimal of whole µs, and an instant cell reads
back to its µs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from ..sla.columns import STATUSES
from ._instants import parse_instants, text_array
from ._results import RESULT_COLUMNS
from ._writer import Coded

__all__ = ["Group", "InstantColumns", "Measured", "Measures", "groups_of_text", "measures_of_text"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
_AT = {name: index for index, name in enumerate(RESULT_COLUMNS)}
_STATUS = {name: index for index, name in enumerate(STATUSES)}
Group = tuple[str, str, str, str]
"""A summary group: (policy, tier, priority, metric)."""


@dataclass(frozen=True, slots=True)
class Measures:
    """Per result row (NaN where the row's cell is blank or the value unknown): elapsed,
    remaining and overrun seconds as the row shows them, the stop and the ticket's
    opening in UTC µs, and that opening on the tier calendar's wall clock (µs); and the
    row's status as its index in ``statuses`` (`STATUSES`, then any other status text
    the rows hold, in the order met), and its group as a code (``groups`` gives each
    code's group; several codes may share one)."""

    elapsed: Floats
    remaining: Floats
    overrun: Floats
    stop: Floats
    opened: Floats
    local: Floats
    status: Ints
    group: Ints
    groups: Mapping[int, Group]
    statuses: tuple[str, ...] = STATUSES

    def named(self, names: Mapping[str, str]) -> Measures:
        """These measures with each group's policy shown as ``names`` maps it (a policy
        not in ``names`` as it is).

        Example: groups ``{0: ("policies/ours.yaml", "standard", "P2", "response")}`` and
        ``{"policies/ours.yaml": "ours"}`` -> ``{0: ("ours", "standard", "P2", "response")}``.
        """
        return replace(self, groups={code: (names.get(group[0], group[0]), *group[1:])
                                     for code, group in self.groups.items()})


InstantColumns = Mapping[str, tuple[Ints, npt.NDArray[np.bool_]]]
"""Instant columns by name: each row's instant (UTC µs) and whether it has one."""


class Measured(list[list[str]]):
    """Result columns (`RESULT_COLUMNS` order) with the `Measures` they were written from,
    and, when known, the codes of their texts (`Coded`) and their instants as numbers
    (``instants``: the ``due``, ``stopped_at`` and ``next_escalation_at`` the texts show)."""

    def __init__(self, columns: list[list[str]], measures: Measures,
                 coded: Coded | None = None, instants: InstantColumns | None = None) -> None:
        super().__init__(columns)
        self.measures = measures
        self.coded = coded
        self.instants = instants


def _floats(texts: Sequence[str]) -> Floats:
    cells = text_array(texts)
    return np.where(cells == "", "nan", cells).astype(np.float64)


def measures_of_text(columns: Sequence[Sequence[str]], opened: Floats | None,
                     local: Floats | None) -> Measures:
    """The `Measures` of result rows read from their text, with each row's opening (UTC
    µs) and its wall-clock form given (all NaN when None).

    Boundary rule: a blank or unreadable cell is NaN. Example: a row with
    ``elapsed_seconds`` ``"90"`` and ``stopped_at`` ``"2026-11-23T07:55:00-05:00"`` ->
    elapsed 90.0, stop 1795352100000000.0 (12:55Z); its status ``"met"`` -> 3.
    """
    count = len(columns[0]) if columns else 0
    stops = parse_instants(columns[_AT["stopped_at"]]) if count else None
    stop = np.full(count, np.nan)
    if stops is not None:
        known = stops.present & ~stops.bad
        stop[known] = stops.us[known]
    unknown = np.full(count, np.nan)
    elapsed, remaining, overrun = (_floats(columns[_AT[name]]) if count else np.zeros(0)
                                   for name in ("elapsed_seconds", "remaining_seconds",
                                                "overrun_seconds"))
    texts = columns[_AT["status"]] if count else ()
    numbered = _STATUS
    if not set(texts) <= numbered.keys():  # a status of no `STATUSES` entry: after them
        numbered = dict(_STATUS)
        for text in texts:
            numbered.setdefault(text, len(numbered))
    status = np.fromiter(map(numbered.__getitem__, texts), dtype=np.int64, count=count)
    return Measures(elapsed, remaining, overrun, stop,
                    unknown if opened is None else opened, unknown if local is None else local,
                    status, *groups_of_text(columns), statuses=tuple(numbered))


def groups_of_text(columns: Sequence[Sequence[str]]) -> tuple[Ints, dict[int, Group]]:
    """Each result row's group (policy, tier, priority, metric) as a code, and the group
    of each code; codes are the first row of each group.

    Example: rows of groups A, B, A -> codes ``[0, 1, 0]``, ``{0: A, 1: B}``.
    """
    keys: dict[Group, int] = {}
    rows = len(columns[0]) if columns else 0
    code = np.fromiter(map(keys.setdefault, zip(*(columns[_AT[name]] for name in (
        "policy", "tier", "priority", "metric")), strict=True) if rows else (), range(rows)),
        dtype=np.int64, count=rows)
    return code, {first: key for key, first in keys.items()}
