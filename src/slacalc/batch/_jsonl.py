"""A chunk of JSONL lines evaluated as columns.

Each line is one `Ticket` plus its ``policy``. A line in the usual shape (the known keys,
text where text is due, booleans where booleans are) is read into the chunk's two tables
as it is decoded, with no model and no datetime; its instants are parsed once per
chunk, as a column. Every other line, and every ticket the columns do not take (see
`slacalc.batch._columns`), goes through `evaluate_json`, which evaluates it singly or
names what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import partial
from itertools import chain, repeat
from typing import cast

import numpy as np

from ..engine._zone import instant_us
from ._columns import CODES, Chunk, evaluate_columns
from ._instants import parse_instants
from ._results import Result, merged
from ._rows import PolicyBook, RowError, evaluate_json, quick_plan

__all__ = ["evaluate_lines"]

_TICKET_KEYS = frozenset({"id", "policy", "tier", "priority", "opened_at", "attributes",
                          "events"})
_RUN = 64  # lines decoded in one call (few enough that the values stay small in memory)
_CODE = CODES.get
_EVENT_KEYS = frozenset({"kind", "at", "priority", "confirmed", "answered", "note"})


class _Tables:
    """The two tables of a chunk as they are read: each line's ticket, its events in
    bulk; fields are taken out when the chunk is made (no Python code runs per usual
    ticket or event field)."""

    def __init__(self, policy: str | None) -> None:
        self.policy = policy
        self.tickets: list[dict[str, object]] = []
        self.events: list[object] = []  # every ticket's events, one after the other
        self.sizes: list[int] = []  # how many events each ticket has

    def take(self, data: object) -> bool:
        """Add a decoded line if it is an object with the ticket's keys and a list of
        events; False (nothing added) if not. Its fields are looked at in `chunk`."""
        if type(data) is not dict or not data.keys() <= _TICKET_KEYS:
            return False
        events = data.get("events", [])
        if type(events) is not list:
            return False
        self.events += events
        self.sizes.append(len(events))
        self.tickets.append(data)
        return True

    def _texts(self, key: str, default: object = None) -> list[str]:
        """Field ``key`` of every ticket; "" where it is not text (the ticket is then not
        clean and takes the checked path, which names the fault)."""
        found = list(map(dict.get, self.tickets, repeat(key), repeat(default)))
        if set(map(type, found)) - {str}:
            return [value if type(value) is str else "" for value in found]
        return found  # type: ignore[return-value]

    def _shape(self) -> tuple[list[str], list[dict[str, str]], list[bool]]:
        """Each ticket's id ("" if none) and attributes ({} if none), and whether both have
        the usual shape (text id, text attribute values)."""
        ids = list(map(dict.get, self.tickets, repeat("id"), repeat("")))
        given = list(map(dict.get, self.tickets, repeat("attributes"), repeat({})))
        if not (set(map(type, ids)) - {str} or set(map(type, given)) - {dict}):
            values = chain.from_iterable(map(dict.values, cast(list[dict[str, object]], given)))
            if not set(map(type, values)) - {str}:
                return cast(list[str], ids), cast(list[dict[str, str]], given), [True] * len(ids)
        shaped = [type(ticket_id) is str and type(attributes) is dict
                  and all(type(value) is str for value in attributes.values())
                  for ticket_id, attributes in zip(ids, given, strict=True)]
        return ([cast(str, ticket_id) if ok else "" for ticket_id, ok in
                 zip(ids, shaped, strict=True)],
                [cast(dict[str, str], attributes) if ok else {} for attributes, ok in
                 zip(given, shaped, strict=True)], shaped)

    def chunk(self) -> Chunk:
        """The chunk. An event not in the usual shape gets no kind (code -1), so its
        ticket is not clean and takes the checked path, which names the fault."""
        events: list[dict[str, object]] = self.events  # type: ignore[assignment]
        total = len(events)
        try:  # dict.get refuses anything but a dict: then the odd events are emptied
            found = list(map(dict.get, events, repeat("kind")))
        except TypeError:
            events = [event if type(event) is dict else {} for event in events]
            found = list(map(dict.get, events, repeat("kind")))
        stamps = list(map(dict.get, events, repeat("at")))
        kinds: list[str] = found  # type: ignore[assignment]
        at: list[str] = stamps  # type: ignore[assignment]
        if set(map(type, stamps)) - {str}:
            at = [text if type(text) is str else "" for text in stamps]
        try:  # a kind that is not text has no code; one that cannot be a key fails here
            codes = list(map(_CODE, kinds, repeat(-1)))
        except TypeError:
            codes = [_CODE(kind, -1) if type(kind) is str else -1 for kind in found]
        code = np.array(codes, dtype=np.int64).reshape(total)
        new: list[str | None] = [None] * total
        confirmed = np.ones(total, dtype=bool)
        answered: list[bool | None] = [None] * total
        sizes = np.fromiter(map(len, events), dtype=np.int64, count=total)
        for index in np.flatnonzero(sizes != 2).tolist():  # more than a kind and an instant
            event = events[index]
            priority, confirmation = event.get("priority"), event.get("confirmed", True)
            answer, note = event.get("answered"), event.get("note")
            if not (event.keys() <= _EVENT_KEYS and isinstance(confirmation, bool)
                    and (priority is None or isinstance(priority, str))
                    and (answer is None or isinstance(answer, bool))
                    and (note is None or isinstance(note, str))):
                code[index] = -1
                continue
            new[index], confirmed[index], answered[index] = priority, confirmation, answer
        ticket = np.repeat(np.arange(len(self.sizes), dtype=np.int64), self.sizes)
        count = len(self.tickets)
        ids, given, shaped = self._shape()
        names = [self.policy] * count if self.policy else self._texts("policy")
        if not all(shaped):  # an odd id or attributes: not clean, checked singly
            names = [name if ok else "" for name, ok in zip(names, shaped, strict=True)]
        keys = set().union(*given)  # the attributes any ticket has
        attributes = {name: np.array([values.get(name, "") for values in given],
                                     dtype=object).reshape(count) for name in sorted(keys)}
        return Chunk(ids, names, self._texts("tier"), self._texts("priority"),
                     parse_instants(self._texts("opened_at")), attributes, ticket, code,
                     parse_instants(at), new, confirmed, answered)


class _Undecoded:
    """A line that is not one JSON value (`evaluate_json` names the fault)."""


def _decoded(lines: Sequence[tuple[int, str]]) -> Iterator[tuple[int, object]]:
    """Each non-blank line's index and JSON value, an `_Undecoded` for a line that does
    not hold exactly one.

    Runs of `_RUN` lines are decoded as one JSON array (one call instead of one per
    line), which gives exactly their values when every line holds exactly one: a line
    that is not one value breaks the array or changes its length (a value is never
    empty), and that run's lines are then decoded one by one.
    """
    filled = [index for index, (_, text) in enumerate(lines) if text.strip()]
    for start in range(0, len(filled), _RUN):
        run = filled[start:start + _RUN]
        try:
            values = json.loads("[" + ",".join([lines[index][1] for index in run]) + "]")
            if len(values) == len(run):
                yield from zip(run, values, strict=True)
                continue
        except (ValueError, RecursionError):
            pass
        for index in run:
            try:
                yield index, json.loads(lines[index][1])
            except (ValueError, RecursionError):
                yield index, _Undecoded()


def evaluate_lines(book: PolicyBook, lines: Sequence[tuple[int, str]], *,
                   policy: str | None = None, now: datetime | None = None
                   ) -> tuple[list[list[str]], list[RowError], int]:
    """Result columns of numbered JSONL lines, the lines that failed, and the tickets
    evaluated (blank lines are skipped).

    Boundary rule: every line gives exactly what `evaluate_json` gives it (its result rows
    or its `RowError`), in input order; ``policy`` overrides each line's own. Example:
    two lines, a vircom P2 ticket and ``{"tier": 1}`` -> two result rows and one
    `RowError` for the second line.
    """
    tables = _Tables(policy)
    taken: list[int] = []  # index in ``lines`` of each ticket row of the tables
    others: list[int] = []
    for index, data in _decoded(lines):
        if tables.take(data):
            taken.append(index)
        else:
            others.append(index)
    columns, clean = evaluate_columns(tables.chunk(), partial(quick_plan, book),
                                      None if now is None else instant_us(now),
                                      book.versions)
    fast = np.zeros(len(lines), dtype=bool)
    fast[np.array(taken, dtype=np.int64)[clean]] = True
    others += np.array(taken, dtype=np.int64)[~clean].tolist()
    errors: list[RowError] = []
    done: dict[int, list[Result]] = {}
    for index in sorted(others):
        line, text = lines[index]
        try:
            done[index] = evaluate_json(book, text, line, policy=policy, now=now)
        except RowError as error:
            errors.append(error)
    return merged(columns, fast, done), errors, len(done) + int(clean.sum())
