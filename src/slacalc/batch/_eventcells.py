"""An events block read from its bytes (`Cut`): the columns the report reads, without a
``str`` per cell, when every event in it is good.

`read_cut` gives each event's ticket row, kind code, instant, new priority and yes/no
flags exactly as the text path of `slacalc.batch._eventlog` gives them, or None as soon
as one cell would need that path (an unknown or bad cell, a cell with spaces around it, an
id with no ticket row here, a cell over 64 bytes): the block is then split as text and
checked there, so each error reads the same whichever way the block came.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._cells import Cut, word_keys
from ._chunk import CODES
from ._instants import WIDTH, Instants, Ints, parse_bytes

__all__ = ["FLAGS", "Read", "read_cut"]

FLAGS = {"true": 1, "yes": 1, "1": 1, "false": 0, "no": 0, "0": 0, "": 2}
"""A yes/no cell (casefolded) -> 1 yes, 0 no, 2 empty; anything else is not one."""
_PRIORITY, _CONTACT = CODES["priority_changed"], CODES["contact_attempt"]
_TIER = CODES["tier_changed"]


@dataclass(frozen=True, slots=True)
class Read:
    """The events of a block, every one good: per event its ticket's row, its kind's
    code, its instant, its new priority (stripped; "" for other kinds) and its
    ``answered`` and ``confirmed`` cells as `FLAGS` codes."""

    ticket: Ints
    code: Ints
    parsed: Instants
    new: list[str]
    answered: Ints
    confirmed: Ints


def read_cut(cut: Cut, where: Mapping[str, int], rows: Mapping[str, int]) -> Read | None:
    """The events of ``cut`` (its columns named by ``where``) tied to the ticket rows
    ``rows`` (id -> row), or None when one of them is not good as written.

    Boundary rule: an event is read here only when its id is exactly a ticket's, its kind
    exactly a kind's name, its instant in a form `parse_instants` takes, the new priority
    of a ``priority_changed`` (the tier of a ``tier_changed``) has text, and its yes/no
    cells are empty or yes/no (a ``contact_attempt`` one of them); the text path takes
    such an event the same way. Example: the line ``T1,2026-11-23T07:55:00-05:00,
    responded`` with ``rows == {"T1": 0}`` -> ``ticket == [0]``, ``code ==
    [CODES["responded"]]``.
    """
    ticket = _tickets(cut, where["ticket_id"], rows)
    found = cut.values(where["kind"])
    if ticket is None or found is None:
        return None
    names, which = found
    code = np.array([CODES.get(name, -1) for name in names], dtype=np.int64)[which]
    at = cut.codes(where["at"], width=WIDTH)
    assert at is not None  # (`WIDTH` is under the cut's limit)
    parsed = parse_bytes(*at)
    if (code < 0).any() or parsed.bad.any() or not parsed.present.all():
        return None
    changes = np.flatnonzero(code == _PRIORITY)
    new = _filled(cut, where.get("priority"), changes)
    tiers = _filled(cut, where.get("tier"), np.flatnonzero(code == _TIER))
    answered, confirmed = (_flags(cut, where.get(name)) for name in ("answered", "confirmed"))
    if new is None or tiers is None or answered is None or confirmed is None or (
            answered[code == _CONTACT] > 1).any():
        return None
    texts = np.full(len(code), "", dtype=object)
    texts[changes] = new
    return Read(ticket, code, parsed, texts.tolist(), answered, confirmed)


def _tickets(cut: Cut, column: int, rows: Mapping[str, int]) -> Ints | None:
    """Each event's ticket row: its id's bytes are a ticket id's (None: one is not)."""
    found = cut.codes(column, rounded=True)
    if found is None or not rows:
        return None
    names = list(rows)
    try:
        known = np.array(names, dtype="S")  # (ASCII)
        known_length = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    except UnicodeEncodeError:
        encoded = [name.encode() for name in names]
        known = np.array(encoded, dtype="S")
        known_length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(names))
    matrix, length = found
    size = max(matrix.shape[1], -(-known.itemsize // 8) * 8)
    ids, tickets = (np.zeros((len(codes), size), dtype=np.uint8) for codes in (matrix, known))
    ids[:, :matrix.shape[1]] = matrix
    tickets[:, :known.itemsize] = known.view(np.uint8).reshape(len(known), known.itemsize)
    words, known_words = ids.view(np.uint64), tickets.view(np.uint64)
    keys, known_keys = word_keys(words), word_keys(known_words)
    order = np.argsort(known_keys)
    at = order[np.minimum(np.searchsorted(known_keys[order], keys), len(order) - 1)]
    # (a ticket id with a NUL at its end has more bytes than its words show)
    if not ((known_words[at] == words).all() and (known_length[at] == length).all()):
        return None
    row = np.fromiter(rows.values(), dtype=np.int64, count=len(names))
    ticket: Ints = row[at]
    return ticket


def _filled(cut: Cut, column: int | None, events: Ints) -> list[str] | None:
    """The cells ``column`` of ``events``, stripped (None: one is empty, or no column)."""
    if not len(events):
        return []
    found = None if column is None else cut.values(column, events)
    if found is None:
        return None
    texts = [text.strip() for text in found[0]]
    if "" in texts:
        return None
    picked: list[str] = np.array(texts, dtype=object)[found[1]].tolist()
    return picked


def _flags(cut: Cut, column: int | None) -> Ints | None:
    """A yes/no column as `FLAGS` codes; all empty (2) without it; None when a cell is
    not one."""
    count = len(cut.starts)
    found = np.full(count, 2, dtype=np.int64)
    if column is None:
        return found
    filled = np.flatnonzero(cut.lengths(column))
    if len(filled):
        distinct = cut.values(column, filled)
        if distinct is None:
            return None
        texts, which = distinct
        codes = np.array([FLAGS.get(text.strip().casefold(), -1) for text in texts],
                         dtype=np.int64)
        if (codes < 0).any():
            return None
        found[filled] = codes[which]
    return found
