"""Which target entry each row takes: `slacalc.sla.replay.Replay.choose` over arrays, for
the rows of one or more plans replayed together (`slacalc.sla._replays.Replays`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..engine.timeline import Ints
from ._arrays import Bools
from ._entries import Tables
from ._layouts import Histories
from .plan import Plan

__all__ = ["Choices"]


class Choices:
    """The entry item (an index into ``tables``) each row takes, per metric and priority;
    row ``i`` is a ticket of ``plans[which[i]]``, its priorities indices into that plan's.
    """

    def __init__(self, plans: Sequence[Plan], which: Ints, tickets: Histories,
                 tables: Tables) -> None:
        self.plans = plans
        self.which = which
        self.tickets = tickets
        self.tables = tables
        self.keys = [tuple(plan.priorities) for plan in plans]
        self._width = max(len(keys) for keys in self.keys)
        self._found: dict[tuple[int, int, int], Ints] = {}
        self._tables: dict[int, tuple[Ints, Bools]] = {}
        self._combos: dict[tuple[tuple[str, ...], int | None],
                           tuple[list[tuple[object, ...]], Ints]] = {}
        self._values: dict[tuple[str, ...], Ints] = {}
        self._in_hours: dict[int, Bools] = {}

    def choose(self, metric: int, priority: Ints, rows: Ints) -> Ints:
        """The entry item each of ``rows`` takes for ``metric`` at ``priority`` (aligned
        with ``rows``), each in its own plan.

        Boundary rule: as `MetricPlan.choose`, the first entry whose conditions hold.
        Example: vircom P1 and P2 rows -> the items of their own ``1 business hour`` and
        ``2 business hours`` entries.
        """
        pair = self.which[rows] * self._width + priority
        fixed, varies = self._table(metric)
        found: Ints = fixed[pair]
        if varies.any():
            decided = varies[pair]
            for value in np.unique(pair[decided]).tolist():
                number, key = divmod(value, self._width)
                mine = pair == value
                found[mine] = self._choice(number, key, metric)[rows[mine]]
        return found

    def _table(self, metric: int) -> tuple[Ints, Bools]:
        """Per (plan, priority) pair (``plan * width + priority``): the entry item every
        ticket takes, and whether conditions decide it instead (per row: `_choice`)."""
        found = self._tables.get(metric)
        if found is None:
            fixed = np.zeros(len(self.plans) * self._width, dtype=np.int64)
            varies = np.zeros(len(fixed), dtype=bool)
            for number, keys in enumerate(self.keys):
                for index, key in enumerate(keys):
                    plan = self.plans[number].priorities[key][metric]
                    if plan.fixed is not None or not plan.entries:
                        fixed[number * self._width + index] = self.tables.item(plan.fixed,
                                                                               plan.missing)
                    else:
                        varies[number * self._width + index] = True
            found = self._tables[metric] = (fixed, varies)
        return found

    def _choice(self, number: int, key: int, metric: int) -> Ints:
        """The entry item every row would take for ``metric`` at priority ``key`` of plan
        ``number``, whose entries have conditions (worked out once; only that plan's rows
        read it)."""
        found = self._found.get((number, key, metric))
        if found is not None:
            return found
        plan = self.plans[number].priorities[self.keys[number][key]][metric]
        assert plan.entries  # else `_table` holds the item
        names = tuple(sorted({name for entry in plan.entries
                              for name, _ in entry.conditions} - {"opened"}))
        tested = any(name == "opened" for entry in plan.entries
                     for name, _ in entry.conditions)
        combos, which = self._combinations(names, number if tested else None)
        items = [self.tables.item(plan.choose(
            {name: str(value) for name, value in zip(names, values[:-1], strict=True)
             if value}, bool(values[-1]).__bool__), plan.missing) for values in combos]
        found = np.array(items, dtype=np.int64)[which]
        self._found[(number, key, metric)] = found
        return found

    def _combinations(self, names: tuple[str, ...], hours_of: int | None
                      ) -> tuple[list[tuple[object, ...]], Ints]:
        """The distinct combinations of the attributes ``names`` (and, with ``hours_of``,
        whether the ticket opened in the hours of that plan's tier calendar) over all
        rows, and each row's combination: what a choice reads, found once for every
        (priority, metric) that reads it, with each value numbered by its first row (no
        Python code per row)."""
        found = self._combos.get((names, hours_of))
        if found is None:
            count = len(self.tickets.opened)
            given = self.tickets.attributes
            hours = (self._opened_in_hours(hours_of) if hours_of is not None
                     else np.zeros(count, dtype=bool))
            _, rows, which = np.unique(self._valued(names) * 2 + hours, return_index=True,
                                       return_inverse=True)
            combos = [(*(given[name][row] if name in given else "" for name in names),
                       bool(hours[row])) for row in rows.tolist()]
            found = self._combos[(names, hours_of)] = (combos, which.reshape(count))
        return found

    def _valued(self, names: tuple[str, ...]) -> Ints:
        """Each row's combination of the values of the attributes ``names``, numbered
        (each value numbered by its first row), worked out once per ``names``."""
        found = self._values.get(names)
        if found is None:
            count = len(self.tickets.opened)
            given = self.tickets.attributes
            found = np.zeros(count, dtype=np.int64)
            for name in names:
                if name in given:
                    firsts: dict[str, int] = {}
                    codes = np.fromiter(map(firsts.setdefault, given[name], range(count)),
                                        dtype=np.int64, count=count)
                    found = np.unique(found * count + codes, return_inverse=True)[1].reshape(
                        count)
            self._values[names] = found
        return found

    def _opened_in_hours(self, number: int) -> Bools:
        """Whether plan ``number``'s tier calendar is open at the opening of each of its
        rows (`Replay.opened_in_hours`; False on other plans' rows), asked of the
        calendar once, when a condition first tests ``opened``."""
        found = self._in_hours.get(number)
        if found is None:
            found = np.zeros(len(self.tickets.opened), dtype=bool)
            mine = np.flatnonzero(self.which == number)
            found[mine] = self.plans[number].hours.is_open(self.tickets.opened[mine])
            self._in_hours[number] = found
        return found
