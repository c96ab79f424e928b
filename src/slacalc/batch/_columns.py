"""A chunk of tickets evaluated as columns: the kernel's replay over arrays, and its text.

A chunk is two tables, whatever the export looked like: one row per ticket (id, policy,
tier, priority, opening, attributes) and one per event (its ticket, kind, instant and
extras). Every *clean* ticket (a known plan, instants in the forms `parse_instants`
takes, known event kinds and priorities, none before the opening, at most
`MOST_EVENTS` events) is replayed here by `slacalc.sla.columns`, every plan of the chunk
in one call (one per set of escalation thresholds); the
others are left to the caller's checked path, which evaluates them singly or names
what is wrong. Result texts are made once per column.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ..sla.columns import STATUSES, Outcome, gather, grouped, replay_columns, starts
from ..sla.escalation import percent_text
from ..sla.plan import METRICS, Plan
from ..sla.ticket import EVENT_KINDS
from ._instants import Bools, Instants, Ints, Texts, TextTable, instant_texts, text_array
from ._measures import InstantColumns, Measured, Measures
from ._results import seconds_text, zone_offsets
from ._writer import Coded

__all__ = ["CODES", "MOST_EVENTS", "Chunk", "Kind", "evaluate_columns"]

MOST_EVENTS = 64
"""A ticket with more events than this takes the checked path (the arrays stay small)."""
CODES = {kind: code for code, kind in enumerate(EVENT_KINDS)}
"""Event kind -> code (`Chunk.code`)."""
_PRIORITY, _CONTACT = EVENT_KINDS.index("priority_changed"), EVENT_KINDS.index(
    "contact_attempt")
_NEAR_US = 20 * 365 * 86_400_000_000  # tickets this close share one compiled range
_BREACHED = STATUSES.index("breached")
_AT_RISK = (STATUSES.index("running"), STATUSES.index("paused"))
_STATUS_TEXTS = np.array(STATUSES, dtype=object)
_SECONDS = 1 << 17  # whole seconds (36 hours) whose texts are kept: about 8 MB at most
_SECOND_TEXTS = TextTable(_SECONDS, str)


class Kind(NamedTuple):
    """The plan of a ticket's tier and the key of its priority."""

    plan: Plan
    key: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """Tickets and their events as columns.

    Ticket columns are row-aligned; event ``i`` belongs to ticket row ``ticket[i]``, and a
    ticket's events keep their given order among themselves. ``answered`` is None where
    an event gave no ``answered``; ``confirmed`` is True where it gave no ``confirmed``.
    """

    ids: Sequence[str]
    policies: Sequence[str]
    tiers: Sequence[str]
    priorities: Sequence[str]
    opened: Instants
    attributes: Mapping[str, Texts]  # a column per attribute, "" where a ticket has none
    ticket: Ints
    code: Ints  # the event's kind: its index in EVENT_KINDS, or -1 for an unknown kind
    at: Instants
    new: Sequence[str | None]  # priority_changed: the new priority as written ("", None: none)
    confirmed: Bools
    answered: Sequence[bool | None]


def _none(name: str) -> tuple[int, ...]:
    """No versions (every ticket takes a policy's base terms)."""
    return ()


def evaluate_columns(chunk: Chunk, kind_of: Callable[[str, str, str, int], Kind | None],
                     now: int | None, versions_of: Callable[[str], Sequence[int]] = _none,
                     ) -> tuple[list[list[str]], Bools]:
    """Result columns (`RESULT_COLUMNS` order, one row per clean ticket and metric, in
    ticket order) and which tickets are clean and were evaluated here.

    ``kind_of(policy, tier, priority, version)`` resolves a ticket's plan (None: not
    clean), in the terms numbered ``version``: how many of ``versions_of(policy)`` (the
    instants its versions start, `Policy.version_starts`) are at or before the opening.
    Boundary rule: exactly the rows `Policy.evaluate` gives each clean ticket, as of
    ``now`` (µs) or, when None, its last event; a ticket whose arithmetic leaves the
    supported years is not clean; due instants are written in the tier calendar's zone.
    Example: vircom standard P2 opened Fri 2026-11-20 17:30 -05:00, responded Mon 07:55
    -> response ``met``, due ``2026-11-23T08:00:00-05:00``.
    """
    count = len(chunk.ids)
    opened = chunk.opened
    clean = opened.present & ~opened.bad
    names: dict[tuple[str, str, str], int] = {}  # each (policy, tier, priority)'s first row
    firsts = np.fromiter(map(names.setdefault, zip(chunk.policies, chunk.tiers,
                                                   chunk.priorities, strict=True),
                             itertools.count()), dtype=np.int64, count=count)
    group = np.unique(firsts, return_inverse=True)[1].reshape(count)  # in first-seen order
    numbers = [(*key, 0) for key in names]  # each group's names and terms (version)
    version = _versions(chunk, versions_of, list(names), group)
    if version.any():  # a group per (names, version)
        named = group
        _, row, group = np.unique(named * (int(version.max()) + 1) + version,
                                  return_index=True, return_inverse=True)
        numbers = [(*numbers[int(named[first])][:3], int(version[first]))
                   for first in row.tolist()]
        group = group.reshape(count)
    kinds = [kind_of(*key) for key in numbers]
    clean &= np.array([kind is not None for kind in kinds] or [False], dtype=bool)[group]
    code, new, bad = _events(chunk, kinds, group)
    events = chunk.ticket
    clean &= np.bincount(events[bad], minlength=count) == 0
    per_ticket = np.bincount(events, minlength=count)
    clean &= per_ticket <= MOST_EVENTS
    given = grouped(events)
    first = starts(per_ticket)
    if now is None:  # each ticket's last event, or its opening
        end = opened.us.copy()
        some = np.flatnonzero(first < np.append(first[1:], len(events)))
        if len(some):
            end[some] = np.maximum(end[some], np.maximum.reduceat(chunk.at.us[given],
                                                                  first[some]))
    else:
        end = np.full(count, now, dtype=np.int64)
        clean &= opened.us <= now
    ids, policies, tiers = (text_array(column) for column in
                            (chunk.ids, chunk.policies, chunk.tiers))
    pairs: dict[tuple[str, str], int] = {}  # each (policy, tier) as given: a number
    pair = np.array([pairs.setdefault(key[:2], len(pairs)) for key in numbers] or [0],
                    dtype=np.int64)[group]
    shared = _Shared((ids, policies, tiers), given, first, _flags(chunk, code), end,
                     (pair, list(pairs)))
    found = _Found(2 * count)
    _replay_all(found, chunk, kinds, group, clean, code=code, new=new, shared=shared)
    rows = np.flatnonzero(clean)
    slots = np.stack([2 * rows, 2 * rows + 1], axis=1).reshape(-1)
    columns, coded = found.columns(chunk, slots, shared)
    return Measured(columns, found.measures(chunk, slots, shared), coded,
                    found.instants(chunk, slots)), clean


def _replay_all(found: _Found, chunk: Chunk, kinds: Sequence[Kind | None], group: Ints,
                clean: Bools, *, code: Ints, new: Ints, shared: _Shared) -> None:
    """Replay the ``clean`` tickets (``group`` numbers each ticket's entry in ``kinds``)
    into ``found``, the plans that share their escalation thresholds replayed together,
    and mark those whose arithmetic failed not clean."""
    opened = chunk.opened
    plans = list({id(kind.plan): kind.plan for kind in kinds if kind is not None}.values())
    numbered = {id(plan): number for number, plan in enumerate(plans)}
    plan_of = np.array([numbered[id(kind.plan)] if kind is not None else 0 for kind in kinds]
                       or [0], dtype=np.int64)[group]
    priority = np.array([tuple(kind.plan.priorities).index(kind.key) if kind is not None
                         else 0 for kind in kinds] or [0], dtype=np.int64)[group]
    together: dict[tuple[Fraction, ...], list[int]] = {}  # plans replayed as one
    for number, plan in enumerate(plans):
        together.setdefault(plan.escalation, []).append(number)
    for numbers in together.values():
        members = [plans[number] for number in numbers]
        local = np.zeros(len(plans), dtype=np.int64)
        local[numbers] = np.arange(len(numbers))
        mine = np.flatnonzero(clean & np.isin(plan_of, numbers))
        for part in _near(opened.us, mine):
            which = local[plan_of[part]]
            outcome = _replayed(members, which, chunk, part, priority[part], code=code,
                                new=new, shared=shared)
            clean[part[outcome.failed]] = False
            found.take(chunk, members, which, part, outcome, shared=shared)


def _versions(chunk: Chunk, versions_of: Callable[[str], Sequence[int]],
              names: list[tuple[str, str, str]], group: Ints) -> Ints:
    """The number of the terms in force at each ticket's opening (0 without versions);
    ``group`` is each ticket's index in ``names`` (its policy, tier and priority)."""
    found = np.zeros(len(chunk.ids), dtype=np.int64)
    for name in dict.fromkeys(key[0] for key in names):
        starts = versions_of(name)
        if starts:
            rows = np.flatnonzero(np.isin(group, [number for number, key in enumerate(names)
                                                  if key[0] == name]))
            found[rows] = np.searchsorted(np.array(starts, dtype=np.int64),
                                          chunk.opened.us[rows], side="right")
    return found


def _events(chunk: Chunk, kinds: Sequence[Kind | None],
            group: Ints) -> tuple[Ints, Ints, Bools]:
    """Each event's kind code and new priority index, and whether it is unfit for the
    columns (unknown kind, bad instant, before the opening, unknown new priority, a
    contact attempt without ``answered``)."""
    total = len(chunk.code)
    code = chunk.code
    at = chunk.at
    bad = (code < 0) | ~at.present | at.bad | (at.us < chunk.opened.us[chunk.ticket])
    new = np.zeros(total, dtype=np.int64)
    changes = np.flatnonzero(code == _PRIORITY)
    if len(changes):  # each (plan, new priority as written) resolved once
        pairs = list(zip(group[chunk.ticket[changes]].tolist(),
                         [chunk.new[index] for index in changes.tolist()], strict=True))
        known = {pair: _priority_index(kinds[pair[0]], pair[1]) for pair in set(pairs)}
        found = np.fromiter(map(known.__getitem__, pairs), dtype=np.int64, count=len(pairs))
        bad[changes[found < 0]] = True
        new[changes] = np.maximum(found, 0)
    contacts = np.flatnonzero(code == _CONTACT)
    bad[contacts] |= _answers(chunk, contacts) == None  # noqa: E711 (each cell, not the array)
    return code, new, bad


def _priority_index(kind: Kind | None, text: str | None) -> int:
    """The index of the priority ``text`` names in ``kind``'s plan, -1 for none."""
    key = kind.plan.priority_key(text) if kind is not None and text else None
    return -1 if kind is None or key is None else tuple(kind.plan.priorities).index(key)


def _answers(chunk: Chunk, events: Ints) -> npt.NDArray[np.object_]:
    """The ``answered`` cells of ``events``: True, False or None (not given)."""
    return np.array([chunk.answered[index] for index in events.tolist()] or [], dtype=object)


def _near(instants: Ints, rows: Ints) -> list[Ints]:
    """``rows`` in groups whose ``instants`` lie within `_NEAR_US` of each other, so that
    each group is looked up in one compact compiled range of its timeline."""
    if not len(rows):
        return []
    bucket = (instants[rows] - instants[rows].min()) // _NEAR_US
    if not bucket.any():
        return [rows]
    order = np.argsort(bucket, kind="stable")
    ordered = rows[order]
    return np.split(ordered, np.flatnonzero(np.diff(bucket[order])) + 1)


class _Shared(NamedTuple):
    """What every plan's part of a chunk reads, worked out once."""

    heads: tuple[Texts, Texts, Texts]  # ticket id, policy, tier
    given: Ints  # event indices grouped by ticket, each ticket's in given order
    first: Ints  # per ticket, where its events start in ``given``
    flag: Bools  # per event: confirmed (resolved), answered (contact attempt)
    end: Ints  # per ticket: the instant it is judged at
    pairs: tuple[Ints, list[tuple[str, str]]]  # per ticket, its (policy, tier)'s number


def _flags(chunk: Chunk, code: Ints) -> Bools:
    flag = chunk.confirmed.copy()
    contacts = np.flatnonzero(code == _CONTACT)
    flag[contacts] = _answers(chunk, contacts).astype(bool)  # (None: not answered)
    return flag


def _replayed(plans: Sequence[Plan], which: Ints, chunk: Chunk, rows: Ints, priority: Ints,
              *, code: Ints, new: Ints, shared: _Shared) -> Outcome:
    """`replay_columns` of the tickets ``rows``, each of ``plans[which]`` at its
    ``priority`` (index into its plan's priorities), their events gathered from the
    chunk."""
    place = np.full(len(chunk.ids), -1, dtype=np.int64)
    place[rows] = np.arange(len(rows))
    events = np.flatnonzero(place[chunk.ticket] >= 0)
    histories = gather(priority, chunk.opened.us[rows], shared.end[rows],
                       {name: values[rows] for name, values in chunk.attributes.items()},
                       (place[chunk.ticket[events]], code[events], chunk.at.us[events],
                        new[events], shared.flag[events]))
    return replay_columns(plans, histories, which)


class _Found:
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
             outcome: Outcome, *, shared: _Shared) -> None:
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

    def columns(self, chunk: Chunk, slots: Ints, shared: _Shared
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

    def measures(self, chunk: Chunk, slots: Ints, shared: _Shared) -> Measures:
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
