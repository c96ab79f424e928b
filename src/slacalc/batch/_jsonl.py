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
import operator
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import partial
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter
from typing import Any, cast

import msgspec
import numpy as np
import numpy.typing as npt

from ..engine._zone import instant_us
from ..sla.ticket import EventKind
from ._chunk import CODES, Chunk
from ._columns import evaluate_columns
from ._instants import parse_instants, text_array
from ._results import Result, merged
from ._rows import PolicyBook, RowError, evaluate_json, quick_plan

__all__ = ["evaluate_lines"]

_TICKET_KEYS = frozenset({"id", "policy", "tier", "priority", "opened_at", "attributes",
                          "events"})
_RUN = 64  # lines decoded in one call (few enough that the values stay small in memory)
_CODE = CODES.get
_EVENT_KEYS = frozenset({"kind", "at", "priority", "confirmed", "answered", "note"})
_PLAIN_KEYS = frozenset({"kind", "at"})  # an event with others has them checked in `chunk`
_PRIORITY, _CONTACT, _RESOLVED = (CODES[kind] for kind in ("priority_changed",
                                                            "contact_attempt", "resolved"))


def _field(event: object, name: str, default: object) -> Any:
    """A field of an event as decoded: a typed `_Event`'s attribute, or a dict's value
    (``default`` when the dict has none)."""
    return event.get(name, default) if type(event) is dict else getattr(event, name)


class _Event(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An event in the usual shape (`_EVENT_KEYS`, each of its usual type; a known kind,
    decoded as the one shared text, whose code is then found without hashing it)."""

    kind: EventKind
    at: str
    priority: str | None = None
    confirmed: bool = True
    answered: bool | None = None
    note: str | None = None


class _Ticket(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, gc=False):
    """A ticket line in the usual shape (`_TICKET_KEYS`, each of its usual type)."""

    id: str = ""
    policy: str = ""
    tier: str
    priority: str
    opened_at: str
    attributes: dict[str, str] = {}
    events: list[_Event] = []


_USUAL = msgspec.json.Decoder(list[_Ticket])
"""Decodes a run of lines that are all in the usual shape straight into typed values."""
_FIELDS = {name: attrgetter(name) for name in
           ("id", "policy", "tier", "priority", "opened_at", "attributes", "events", "kind",
            "at", "confirmed", "answered")}


class _Tables:
    """The two tables of a chunk, filled a run of decoded lines at a time: each field is
    taken out of a run's values with C-level maps (no Python code runs per usual ticket
    field or event), and the decoded objects are then let go."""

    def __init__(self, policy: str | None) -> None:
        self.policy = policy
        self.ids: list[object] = []
        self.policies: list[object] = []
        self.tiers: list[object] = []
        self.priorities: list[object] = []
        self.opened: list[object] = []
        self.attributes: list[object] = []
        self.sizes: list[int] = []  # how many events each ticket has
        self.kinds: list[object] = []
        self.at: list[object] = []
        self.events: list[object] = []  # each event as decoded (an `_Event` or a dict)
        self.extras: list[tuple[int, object]] = []  # dicts with keys besides kind and at
        self.typed = True  # every run so far was decoded typed (`take_usual`)

    def take_usual(self, tickets: list[_Ticket]) -> None:
        """Add tickets decoded in the usual shape (`_USUAL`): every field is already of
        its type, so each column is one C-level map."""
        fields = _FIELDS
        self.ids += map(fields["id"], tickets)
        self.policies += map(fields["policy"], tickets)
        self.tiers += map(fields["tier"], tickets)
        self.priorities += map(fields["priority"], tickets)
        self.opened += map(fields["opened_at"], tickets)
        self.attributes += map(fields["attributes"], tickets)
        events = list(map(fields["events"], tickets))
        self.sizes += map(len, events)
        flat = list(chain.from_iterable(events))
        self.kinds += map(fields["kind"], flat)
        self.at += map(fields["at"], flat)
        self.events += flat  # their rarer fields are read in `chunk`, where they count

    def take(self, values: list[object]) -> list[bool]:
        """Add the values (decoded lines) that are objects with the ticket's keys and a
        list of events; say which were added. Fields are checked in `chunk`."""
        self.typed = False
        taken = [type(value) is dict and value.keys() <= _TICKET_KEYS for value in values]
        tickets = cast(list[dict[str, object]], list(compress(values, taken)))
        events = list(map(dict.get, tickets, repeat("events"), repeat([])))
        if set(map(type, events)) - {list}:
            listed = [type(found) is list for found in events]
            tickets, events = list(compress(tickets, listed)), list(compress(events, listed))
            chosen = iter(listed)
            taken = [ok and next(chosen) for ok in taken]
        get = dict.get
        self.ids += map(get, tickets, repeat("id"), repeat(""))
        self.policies += map(get, tickets, repeat("policy"), repeat(""))
        self.tiers += map(get, tickets, repeat("tier"))
        self.priorities += map(get, tickets, repeat("priority"))
        self.opened += map(get, tickets, repeat("opened_at"))
        self.attributes += map(get, tickets, repeat("attributes"), repeat({}))
        self.sizes += map(len, cast(list[list[object]], events))
        flat = cast(list[dict[str, object]],
                    list(chain.from_iterable(cast(list[list[object]], events))))
        try:  # dict.get refuses anything but a dict: then the odd events are emptied
            kinds: list[object] = list(map(get, flat, repeat("kind")))
        except TypeError:
            flat = [event if type(event) is dict else {"kind": None}
                    for event in cast(list[object], flat)]
            kinds = list(map(get, flat, repeat("kind")))
        start = len(self.kinds)
        self.kinds += kinds
        self.at += map(get, flat, repeat("at"))
        self.events += flat
        longer = compress(range(len(flat)), map(operator.ne, map(dict.keys, flat),
                                                repeat(_PLAIN_KEYS)))
        self.extras += ((start + index, flat[index]) for index in longer)
        return taken

    def _texts(self, found: list[object]) -> list[str]:
        """A field of every ticket or event; "" where it is not text (the ticket is then
        not clean and takes the checked path, which names the fault)."""
        if not self.typed and set(map(type, found)) - {str}:
            return [value if type(value) is str else "" for value in found]
        return cast(list[str], found)

    def _shape(self) -> tuple[list[str], list[dict[str, str]], list[bool]]:
        """Each ticket's id ("" if none) and attributes ({} if none), and whether both have
        the usual shape (text id, text attribute values; ``[]`` when all have)."""
        ids, given = self.ids, self.attributes
        if self.typed:
            return cast(list[str], ids), cast(list[dict[str, str]], given), []
        if not (set(map(type, ids)) - {str} or set(map(type, given)) - {dict}):
            values = chain.from_iterable(map(dict.values, cast(list[dict[str, object]], given)))
            if not set(map(type, values)) - {str}:
                return cast(list[str], ids), cast(list[dict[str, str]], given), []
        shaped = [type(ticket_id) is str and type(attributes) is dict
                  and all(type(value) is str for value in attributes.values())
                  for ticket_id, attributes in zip(ids, given, strict=True)]
        return ([cast(str, ticket_id) if ok else "" for ticket_id, ok in
                 zip(ids, shaped, strict=True)],
                [cast(dict[str, str], attributes) if ok else {} for attributes, ok in
                 zip(given, shaped, strict=True)], shaped)

    def chunk(self) -> Chunk:
        """The chunk. An event not in the usual shape gets no kind (code -1), so its
        ticket is not clean and takes the checked path, which names the fault. The rarer
        fields are read only from the events they mean something for (the new priority
        of a priority change, the confirmation of a resolution, the answer of a contact
        attempt; the columns read no other)."""
        total = len(self.kinds)
        try:  # a kind that is not text has no code; one that cannot be a key fails here
            codes = list(map(_CODE, cast(list[str], self.kinds), repeat(-1)))
        except TypeError:
            codes = [_CODE(kind, -1) if type(kind) is str else -1 for kind in self.kinds]
        code = np.array(codes, dtype=np.int64).reshape(total)
        for index, given in self.extras:
            event = cast(dict[str, object], given)
            priority, confirmation = event.get("priority"), event.get("confirmed", True)
            answer, note = event.get("answered"), event.get("note")
            if not (event.keys() <= _EVENT_KEYS and isinstance(confirmation, bool)
                    and (priority is None or isinstance(priority, str))
                    and (answer is None or isinstance(answer, bool))
                    and (note is None or isinstance(note, str))):
                code[index] = -1
        new: list[str | None] = [None] * total
        answered: list[bool | None] = [None] * total
        confirmed = np.ones(total, dtype=bool)
        for values, kind, name, default in ((new, _PRIORITY, "priority", None),
                                            (answered, _CONTACT, "answered", None),
                                            (confirmed, _RESOLVED, "confirmed", True)):
            where = np.flatnonzero(code == kind).tolist()
            if self.typed and where:  # all `_Event`s: picked and read at C speed
                picked = itemgetter(*where)(self.events) if len(where) > 1 else (
                    self.events[where[0]],)
                found = list(map(_FIELDS[name], picked))
            else:
                found = [_field(self.events[index], name, default) for index in where]
            if isinstance(values, list):
                for index, value in zip(where, found, strict=True):
                    values[index] = value
            else:
                values[where] = found
        ticket = np.repeat(np.arange(len(self.sizes), dtype=np.int64), self.sizes)
        count = len(self.sizes)
        ids, given, shaped = self._shape()
        names = [self.policy] * count if self.policy else self._texts(self.policies)
        if shaped:  # an odd id or attributes: not clean, checked singly
            names = [name if ok else "" for name, ok in zip(names, shaped, strict=True)]
        keys = set().union(*given)  # the attributes any ticket has
        attributes = {name: text_array([values.get(name, "") for values in given])
                      for name in sorted(keys)}
        return Chunk(ids, names, self._texts(self.tiers), self._texts(self.priorities),
                     parse_instants(self._texts(self.opened)), attributes, ticket, code,
                     parse_instants(self._texts(self.at)), new, confirmed, answered)


class _Undecoded:
    """A line that is not one JSON value (`evaluate_json` names the fault)."""


def _decoded(lines: Sequence[tuple[int, str]]
             ) -> Iterator[tuple[list[int], list[object] | list[_Ticket]]]:
    """Runs of non-blank lines: their indices and values, as typed `_Ticket`s when every
    line of the run is a ticket in the usual shape, else as JSON values (an `_Undecoded`
    for a line that does not hold exactly one).

    Runs of `_RUN` lines are decoded as one JSON array (one call instead of one per
    line), which gives exactly their values when every line holds exactly one: a line
    that is not one value breaks the array or changes its length (a value is never
    empty), and that run's lines are then decoded one by one. The typed decoder accepts
    exactly the documents ``json.loads`` reads into the usual shape (duplicate keys: the
    last wins in both) and refuses the rest, which then take the general path.
    """
    texts = list(map(itemgetter(1), lines))
    if all(texts) and not any(map(str.isspace, texts)):  # no blank line (the usual case)
        filled: Sequence[int] = range(len(texts))
    else:
        filled = [index for index, text in enumerate(texts) if text.strip()]
        texts = [texts[index] for index in filled]
    for start in range(0, len(filled), _RUN):
        run = list(filled[start:start + _RUN])
        joined = "[" + ",".join(texts[start:start + _RUN]) + "]"
        try:
            usual = _USUAL.decode(joined)
            if len(usual) == len(run):
                yield run, usual
                continue
        except msgspec.DecodeError:
            pass
        try:
            values = json.loads(joined)
            if len(values) == len(run):
                yield run, values
                continue
        except (ValueError, RecursionError):
            pass
        one_by_one: list[object] = []
        for index in run:
            try:
                one_by_one.append(json.loads(lines[index][1]))
            except (ValueError, RecursionError):
                one_by_one.append(_Undecoded())
        yield run, one_by_one


def evaluate_lines(book: PolicyBook, lines: Sequence[tuple[int, str]], *,
                   policy: str | None = None, now: datetime | None = None,
                   opened: list[str] | None = None
                   ) -> tuple[list[list[str]], list[RowError], int]:
    """Result columns of numbered JSONL lines, the lines that failed, and the tickets
    evaluated (blank lines are skipped). When ``opened`` is given and the columns are not
    `Measured` (some ticket took the checked path), it is extended with each result row's
    ticket opening as written (the summary's real times and months).

    Boundary rule: every line gives exactly what `evaluate_json` gives it (its result rows
    or its `RowError`), in input order; ``policy`` overrides each line's own. Example:
    two lines, a vircom P2 ticket and ``{"tier": 1}`` -> two result rows and one
    `RowError` for the second line.
    """
    tables = _Tables(policy)
    taken: list[int] = []  # index in ``lines`` of each ticket row of the tables
    others: list[int] = []
    for run, values in _decoded(lines):
        if values and type(values[0]) is _Ticket:
            tables.take_usual(cast(list[_Ticket], values))
            taken += run
            continue
        for index, ok in zip(run, tables.take(cast(list[object], values)), strict=True):
            (taken if ok else others).append(index)
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
    if opened is not None and done:  # else the columns carry their `Measures`
        opened += _openings(lines, taken, tables.opened, clean, done)
    return merged(columns, fast, done), errors, len(done) + int(clean.sum())


def _openings(lines: Sequence[tuple[int, str]], taken: list[int], given: list[object],
              clean: npt.NDArray[np.bool_], done: dict[int, list[Result]]) -> list[str]:
    """Each result row's ``opened_at`` as written, in `merged`'s order: the tables' for
    the tickets they hold (``given``, aligned with ``taken``), the line's own for the
    others ("" when it is not text)."""
    texts = dict(zip(taken, given, strict=True))
    found: list[str] = []
    for index in sorted({*compress(taken, clean.tolist()), *done}):
        text = texts[index] if index in texts else _opened_of(lines[index][1])
        rows = len(done[index]) if index in done else 2  # the tables': two rows each
        found += [text if type(text) is str else ""] * rows
    return found


def _opened_of(text: str) -> object:
    """A line's ``opened_at`` (None when the line is not an object)."""
    value = json.loads(text)  # it was evaluated, so it is one JSON value
    return value.get("opened_at") if type(value) is dict else None

