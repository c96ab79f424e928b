"""A chunk of tickets (`slacalc.batch._chunk.Chunk`) evaluated as columns: the kernel's
replay over arrays.

Every *clean* ticket (a known plan, instants in the forms `parse_instants` takes, known
event kinds and priorities, none before the opening, at most `MOST_EVENTS` events) is
replayed here by `slacalc.sla.columns`, every plan of the chunk in one call (one per set
of escalation thresholds), and its verdicts gathered and written once per column
(`slacalc.batch._found.Found`); the others are left to the caller's checked path, which
evaluates them singly or names what is wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from ..sla.columns import Outcome, gather, grouped, replay_columns, runs, starts
from ..sla.plan import Plan
from ..sla.ticket import EVENT_KINDS
from ._chunk import MOST_EVENTS, Chunk, Kind, Shared
from ._found import Found
from ._instants import Bools, Ints, text_array
from ._measures import Measured

__all__ = ["evaluate_columns"]
_PRIORITY, _CONTACT = EVENT_KINDS.index("priority_changed"), EVENT_KINDS.index(
    "contact_attempt")
_NEAR_US = 20 * 365 * 86_400_000_000  # tickets this close share one compiled range


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
    contacts = np.flatnonzero(chunk.code == _CONTACT)
    answers = _answers(chunk, contacts)  # True, False or None (not given)
    unanswered = contacts[answers == None]  # noqa: E711 (each cell, not the array)
    code, new, bad = _events(chunk, kinds, group, unanswered=unanswered)
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
    flag = chunk.confirmed.copy()  # (per event: confirmed; for a contact, answered)
    flag[contacts] = answers.astype(bool)  # (None: not answered)
    shared = Shared((ids, policies, tiers), given, first, flag, end,
                     (pair, list(pairs)))
    found = Found(2 * count)
    _replay_all(found, chunk, kinds, group, clean, code=code, new=new, shared=shared)
    rows = np.flatnonzero(clean)
    slots = np.stack([2 * rows, 2 * rows + 1], axis=1).reshape(-1)
    columns, coded = found.columns(chunk, slots, shared)
    return Measured(columns, found.measures(chunk, slots, shared), coded,
                    found.instants(chunk, slots)), clean


def _replay_all(found: Found, chunk: Chunk, kinds: Sequence[Kind | None], group: Ints,
                clean: Bools, *, code: Ints, new: Ints, shared: Shared) -> None:
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


def _events(chunk: Chunk, kinds: Sequence[Kind | None], group: Ints, *,
            unanswered: Ints) -> tuple[Ints, Ints, Bools]:
    """Each event's kind code and new priority index, and whether it is unfit for the
    columns (unknown kind, bad instant, before the opening, unknown new priority, a
    contact attempt without ``answered``: ``unanswered``)."""
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
    bad[unanswered] = True
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
    return [rows[positions] for _, positions in runs(bucket)]


def _replayed(plans: Sequence[Plan], which: Ints, chunk: Chunk, rows: Ints, priority: Ints,
              *, code: Ints, new: Ints, shared: Shared) -> Outcome:
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


