"""The verdicts of a chunk's tickets gathered into result slots (two per ticket: response,
resolution) as numbers and table texts (`Found`), and written from there once per column:
the result columns, their codes for the CSV lines (`Coded`), their instants and the
summary's `Measures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from ..sla.columns import STATUSES, Outcome
from ..sla.escalation import percent_text
from ..sla.plan import METRICS, Plan
from ._chunk import Chunk, Shared
from ._instants import Bools, Ints, Texts, TextTable, instant_texts, text_array
from ._measures import InstantColumns, Measures
from ._results import seconds_text, zone_offsets
from ._writer import Coded

__all__ = ["Found"]

_BREACHED = STATUSES.index("breached")
_AT_RISK = (STATUSES.index("running"), STATUSES.index("paused"))
_STATUS_TEXTS = np.array(STATUSES, dtype=object)
_SECONDS = 1 << 17  # whole seconds (36 hours) whose texts are kept: about 8 MB at most
_SECOND_TEXTS = TextTable(_SECONDS, str)


class Found:
    """Each result slot's verdict (two slots per ticket), as numbers and table texts,
    gathered plan by plan; `columns` writes the texts once per column."""

    def __init__(self, slots: int) -> None:
        self.texts = {name: np.empty(slots, dtype=object)
                      for name in ("priority", "metric", "status", "target", "reason",
                                   "at_risk")}
        for texts in self.texts.values():
            texts.fill("")  # (five times quicker than ``np.full`` for objects)
        self.keys = {name: np.zeros(slots, dtype=np.int64)  # each text's number (`_keyed`)
                     for name in ("target", "reason", "at_risk")}
        self.keyed: dict[str, int] = {}  # each target, reason or at_risk text met: a number
        self.due, self.stop_at, self.length, self.elapsed = (
            np.zeros(slots, dtype=np.int64) for _ in range(4))
        self.stop_event = np.zeros(slots, dtype=np.int64)
        self.status = np.zeros(slots, dtype=np.int64)  # index in `STATUSES`
        self.priority = np.zeros(slots, dtype=np.int64)  # index in `priorities`
        self.priorities: dict[str, int] = {}  # each priority key met: a number
        self.due_offset = np.zeros(slots, dtype=np.int64)  # the calendar zone's, at due
        self.opened_offset = np.zeros(slots, dtype=np.int64)  # the same, at the opening
        self.next_at, self.next_offset = np.zeros(slots, dtype=np.int64), np.zeros(
            slots, dtype=np.int64)  # `Verdict.next_escalation`, and the zone's offset then
        self.has_next = np.zeros(slots, dtype=bool)
        self.has_due, self.stopped, self.timed, self.late = (
            np.zeros(slots, dtype=bool) for _ in range(4))
        self.zones: dict[tzinfo, int] = {}  # each calendar zone met: a number
        self.zone = np.zeros(slots, dtype=np.int64)  # the number of each slot's zone

    def take(self, chunk: Chunk, plans: Sequence[Plan], which: Ints, rows: Ints,
             outcome: Outcome, *, shared: Shared) -> None:
        """Keep the verdicts of ``rows`` (those the outcome did not fail), each a ticket
        of ``plans[which]`` (aligned with ``rows``)."""
        good = ~outcome.failed
        rows, which = rows[good], which[good]
        width = max(len(plan.priorities) for plan in plans)
        keys = np.full((len(plans), width), "", dtype=object)
        numbers = np.zeros((len(plans), width), dtype=np.int64)
        for number, plan in enumerate(plans):
            for index, key in enumerate(plan.priorities):
                keys[number, index] = key
                numbers[number, index] = self.priorities.setdefault(key, len(self.priorities))
        zones = np.array([self.zones.setdefault(plan.zone, len(self.zones)) for plan in plans],
                         dtype=np.int64)[which]
        targets = np.array([entry.text if entry is not None else ""
                            for entry in outcome.entries] or [""], dtype=object)
        timed = np.array([entry is not None and entry.timeline is not None
                          for entry in outcome.entries] or [False], dtype=bool)
        reasons = np.array(outcome.reasons, dtype=object)
        for metric in range(len(METRICS)):
            self.zone[2 * rows + metric] = zones
        opened_offset = self._offsets(2 * rows, chunk.opened.us[rows])
        for metric, verdicts in enumerate(outcome.metrics):
            assert verdicts.metric == METRICS[metric]  # slot 2r + m is metric m's row
            slots = 2 * rows + metric
            self.opened_offset[slots] = opened_offset
            status = verdicts.status[good]
            entry = verdicts.entry[good]
            priority = verdicts.priority[good]
            self.texts["priority"][slots] = keys[which, priority]
            self.priority[slots] = numbers[which, priority]
            self.texts["metric"][slots] = verdicts.metric
            self.texts["status"][slots] = _STATUS_TEXTS[status]
            self.status[slots] = status
            self.texts["target"][slots] = targets[entry]
            self.keys["target"][slots] = self._keyed(targets)[entry]
            self.texts["reason"][slots] = reasons[verdicts.reason[good]]
            self.keys["reason"][slots] = self._keyed(reasons)[verdicts.reason[good]]
            self.due[slots] = verdicts.due[good]
            self.has_due[slots] = verdicts.has_due[good]
            dated = slots[verdicts.has_due[good]]
            self.due_offset[dated] = self._offsets(dated, self.due[dated])
            self.timed[slots] = timed[entry]
            self.length[slots] = verdicts.length[good]
            self.elapsed[slots] = verdicts.elapsed[good]
            self.late[slots] = status == _BREACHED
            stopped = verdicts.stopped[good]
            self.stopped[slots] = stopped
            self.stop_at[slots] = np.where(stopped, verdicts.stop_at[good],
                                           shared.end[rows])
            self.stop_event[slots[stopped]] = shared.given[
                shared.first[rows[stopped]] + verdicts.stop_position[good][stopped]]
            self._escalation(plans[0].escalation, slots, verdicts.escalations[good],
                             verdicts.reached[good],
                             np.where(np.isin(status, _AT_RISK), verdicts.crossed[good], -1))

    def _offsets(self, slots: Ints, instants: Ints) -> Ints:
        """The UTC offset of each slot's calendar zone at ``instants`` (aligned)."""
        zone = self.zone[slots]
        zones = list(self.zones)
        found = np.zeros(len(slots), dtype=np.int64)
        for number in np.unique(zone).tolist():
            mine = zone == number
            found[mine] = zone_offsets(zones[number], instants[mine])
        return found

    def _escalation(self, shares: tuple[Fraction, ...], slots: Ints, at: Ints,
                    reached: Bools, crossed: Ints) -> None:
        """``at_risk`` and the next threshold (`Verdict.escalated`, `next_escalation`) of
        ``slots`` (thresholds ``shares``); ``crossed`` is -1 where the status is not
        running or paused."""
        texts = np.array(["", *map(percent_text, shares)], dtype=object)
        self.texts["at_risk"][slots] = texts[np.maximum(crossed, 0)]
        self.keys["at_risk"][slots] = self._keyed(texts)[np.maximum(crossed, 0)]
        left = np.flatnonzero((crossed >= 0) & (crossed < len(shares)))
        if len(left):
            column = crossed[left]
            known = left[reached[left, column]]
            dated = slots[known]
            self.next_at[dated] = at[known, crossed[known]]
            self.has_next[dated] = True
            self.next_offset[dated] = self._offsets(dated, self.next_at[dated])

    def _keyed(self, texts: Texts) -> Ints:
        """The number of each text (the same text, the same number, in every plan)."""
        return np.array([self.keyed.setdefault(text, len(self.keyed))
                         for text in texts.tolist()] or [0], dtype=np.int64)

    def columns(self, chunk: Chunk, slots: Ints, shared: Shared
                ) -> tuple[list[list[str]], Coded]:
        """The `RESULT_COLUMNS` texts of ``slots``, in that order, and the codes of their
        texts (`Coded`: what their CSV lines are joined from)."""
        count = len(slots)
        tickets = slots // 2

        def blank() -> Texts:
            found: Texts = np.empty(count, dtype=object)
            found.fill("")  # (five times quicker than ``np.full`` for objects)
            return found

        due, stopped_at, elapsed, remaining, overrun, upcoming = (blank() for _ in range(6))
        has_due = self.has_due[slots]
        due[has_due] = instant_texts(self.due[slots][has_due], self.due_offset[slots][has_due])
        has_next = self.has_next[slots]
        upcoming[has_next] = instant_texts(self.next_at[slots][has_next],
                                           self.next_offset[slots][has_next])
        stopped = self.stopped[slots]
        events = self.stop_event[slots][stopped]
        stopped_at[stopped] = instant_texts(chunk.at.us[events], chunk.at.offset[events])
        timed = self.timed[slots]
        used = self.elapsed[slots][timed]
        elapsed[timed] = _seconds_texts(used)
        remaining[timed] = _seconds_texts(np.maximum(self.length[slots][timed] - used, 0))
        late = self.late[slots]
        overrun[late] = _seconds_texts(self.stop_at[slots][late] - self.due[slots][late])
        ids, policies, tiers = (values[tickets] for values in shared.heads)
        columns = [ids, policies, tiers, self.texts["priority"][slots],
                   self.texts["metric"][slots], self.texts["status"][slots],
                   self.texts["target"][slots], due, stopped_at, elapsed, remaining, overrun,
                   self.texts["reason"][slots], self.texts["at_risk"][slots], upcoming]
        listed = [column.tolist() for column in columns]
        # a number for each row's policy and tier, priority, metric and status together
        named = ((shared.pairs[0][tickets] * len(self.priorities) + self.priority[slots])
                 * len(STATUSES) + self.status[slots]) * 2 + slots % 2
        keys = [named, *(self.keys[name][slots] for name in ("target", "reason", "at_risk"))]
        return listed, Coded(listed, keys, shared.heads[0].tolist())

    def instants(self, chunk: Chunk, slots: Ints) -> InstantColumns:
        """The instants `columns` writes for ``slots`` (``due``, ``stopped_at``,
        ``next_escalation_at``), in UTC µs, each with whether the row has one."""
        stopped = self.stopped[slots]
        stop = np.zeros(len(slots), dtype=np.int64)
        stop[stopped] = chunk.at.us[self.stop_event[slots][stopped]]
        return {"due": (np.where(self.has_due[slots], self.due[slots], 0), self.has_due[slots]),
                "stopped_at": (stop, stopped),
                "next_escalation_at": (np.where(self.has_next[slots], self.next_at[slots], 0),
                                       self.has_next[slots])}

    def measures(self, chunk: Chunk, slots: Ints, shared: Shared) -> Measures:
        """The numbers `columns` writes the rows of ``slots`` from (`Measures`), and each
        row's group, numbered from its (policy, tier), priority and metric."""
        count = len(slots)
        pair, pairs = shared.pairs
        keys = list(self.priorities)
        width = 2 * max(len(keys), 1)
        group = pair[slots // 2] * width + self.priority[slots] * 2 + slots % 2
        groups = {code: (*pairs[code // width], keys[code % width // 2], METRICS[code % 2])
                  for code in np.unique(group).tolist()}

        def unknown() -> npt.NDArray[np.float64]:
            return np.full(count, np.nan)

        elapsed, remaining, overrun, stop = (unknown() for _ in range(4))
        timed = self.timed[slots]
        used = self.elapsed[slots][timed]
        elapsed[timed] = used / 1e6
        remaining[timed] = np.maximum(self.length[slots][timed] - used, 0) / 1e6
        late = self.late[slots]
        overrun[late] = (self.stop_at[slots][late] - self.due[slots][late]) / 1e6
        stopped = self.stopped[slots]
        stop[stopped] = chunk.at.us[self.stop_event[slots][stopped]]
        opened = chunk.opened.us[slots // 2]
        return Measures(elapsed, remaining, overrun, stop, opened.astype(np.float64),
                        (opened + self.opened_offset[slots]).astype(np.float64),
                        self.status[slots], group, groups)


def _seconds_texts(us: Ints) -> Texts:
    """`seconds_text` of each value (each whole second written once: below `_SECONDS`
    kept from chunk to chunk, above it once per call)."""
    seconds = us // 1_000_000
    small = (seconds >= 0) & (seconds < _SECONDS)
    texts = _SECOND_TEXTS.of(np.where(small, seconds, 0))
    large = np.flatnonzero(~small)
    if len(large):
        values, where = np.unique(seconds[large], return_inverse=True)
        texts[large] = text_array(list(map(str, values.tolist())))[where.reshape(len(large))]
    for index in np.flatnonzero(us % 1_000_000).tolist():
        texts[index] = seconds_text(int(us[index]))
    return texts
