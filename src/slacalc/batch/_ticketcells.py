"""A tickets block read from its bytes (`Cut`), as `slacalc.batch._eventcells` reads an
events block: the columns the report reads, without splitting the block as text.

`read_tickets` gives the ids (stripped), the policy, tier and priority cells, the
openings and the attribute columns (stripped) exactly as the text path of
`slacalc.batch._eventlog` gives them, or None when that path has something to say about a
row (a blank id, an id on two rows, here or in an earlier block): the block is then split
as text and each fault named there, the same whichever way the block came.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from ._cells import Cut
from ._instants import WIDTH, Instants, Ints, Texts, parse_bytes, parse_instants, text_array

__all__ = ["TicketFields", "fields_of_text", "read_tickets"]


class TicketFields(NamedTuple):
    """What the kernel reads of each ticket row besides its id: the policy, tier and
    priority cells as written, the openings, and each attribute column, stripped."""

    names: Sequence[str]
    tiers: Sequence[str]
    priorities: Sequence[str]
    opened: Instants
    attributes: Mapping[str, Texts]

    def taken(self, rows: list[int]) -> TicketFields:
        """The fields of ``rows`` (indices, in that order)."""
        index = np.array(rows, dtype=np.int64)
        return TicketFields([self.names[row] for row in rows],
                            [self.tiers[row] for row in rows],
                            [self.priorities[row] for row in rows], self.opened.taken(index),
                            {name: values[index] for name, values in self.attributes.items()})


def read_tickets(cut: Cut, where: Mapping[str, int], attributes: Sequence[tuple[str, int]],
                 policy: str | None, earlier: Mapping[str, int]
                 ) -> tuple[list[str], TicketFields] | None:
    """The ids and fields of the ticket rows of ``cut`` (its columns named by ``where``,
    ``attributes`` the other named columns), or None when an id is blank or on two rows
    (here or in ``earlier``): the text path names those.

    Boundary rule: the same ids and fields as splitting the block as text (ids and
    attributes stripped; the policy, tier and priority cells as written; ``policy``, when
    given, for every row). Example: the line ``T1 ,vircom,standard,P2,<opened>`` with the
    opening ``2026-11-20T17:30:00-05:00`` -> id ``"T1"``, policy ``"vircom"``, opened
    2026-11-20 22:30 UTC.
    """
    ids = [text.strip() for text in cut.texts(where["ticket_id"])]
    unique = set(ids)
    if len(unique) < len(ids) or "" in unique or not unique.isdisjoint(earlier):
        return None
    column = _policy_column(where, policy)
    names = [policy or ""] * len(ids) if column is None else _cells(cut, column)
    at = cut.codes(where["opened_at"], width=WIDTH)
    assert at is not None  # (`WIDTH` is under the cut's limit)
    return ids, TicketFields(names, _cells(cut, where["tier"]), _cells(cut, where["priority"]),
                             parse_bytes(*at),
                             {name: _stripped(cut, index) for name, index in attributes})


def fields_of_text(columns: Sequence[Sequence[str]], where: Mapping[str, int],
                   attributes: Sequence[tuple[str, int]], policy: str | None) -> TicketFields:
    """The fields of ticket rows split as text (columns named by ``where``, ``attributes``
    the other named columns): what `read_tickets` gives from the bytes.

    Example: the columns of one row ``T1,vircom,standard,P2,2026-11-20T17:30:00-05:00``
    -> names ``["vircom"]``, tiers ``["standard"]``, priorities ``["P2"]``.
    """
    column = _policy_column(where, policy)
    names = ([policy or ""] * len(columns[where["ticket_id"]]) if column is None
             else list(columns[column]))
    return TicketFields(names, list(columns[where["tier"]]), list(columns[where["priority"]]),
                        parse_instants(columns[where["opened_at"]]),
                        {name: text_array(list(map(str.strip, columns[index])))
                         for name, index in attributes})


def _policy_column(where: Mapping[str, int], policy: str | None) -> int | None:
    """The column the rows' policies are read from; None when ``policy`` names every
    row's (``--policy``), or there is no such column."""
    return None if policy or "policy" not in where else where["policy"]


def _cells(cut: Cut, column: int) -> list[str]:
    """Column ``column``'s cells as written: each distinct text decoded once."""
    texts, which = _values(cut, column)
    found: list[str] = text_array(texts)[which].tolist()
    return found


def _stripped(cut: Cut, column: int) -> Texts:
    """Column ``column``'s cells stripped, as an object array."""
    texts, which = _values(cut, column)
    found: Texts = text_array([text.strip() for text in texts])[which]
    return found


def _values(cut: Cut, column: int) -> tuple[list[str], Ints]:
    """The distinct texts of column ``column`` and which each cell holds (a column of
    long cells: every cell's text)."""
    found = cut.values(column)
    if found is None:  # (a cell over the cut's limit: each cell as itself)
        texts = cut.texts(column)
        return texts, np.arange(len(texts))
    return found
