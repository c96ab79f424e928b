"""Result lines joined from codes: a chunk's CSV written with a few pieces per row.

The column kernel (`slacalc.batch._columns`) knows most of a result row's text cells as
codes: its policy and tier, priority, metric and status as numbers, and its target,
reason and ``at_risk`` as numbers of the texts it met. `Coded` holds those codes beside
the result columns (`slacalc.batch._measures.Measured.coded`); it numbers each row's
combination of them (`combinations`), writes each combination's cells once, already
joined with their commas, and joins every line from 14 pieces (the id, that text, the
instants and seconds, ...; 12 when no row has a ``next_escalation_at``) instead of 30.
The lines are made only when asked (CSV, the table and Parquet ask; JSONL does not).

The lines are exactly what `slacalc.batch._output.format_columns` joins from the columns
(tests/test_result_writer.py holds them to ``csv.writer``). They are written only when no
cell needs quoting (`plain`: no comma, quote, carriage return, line feed or NUL in an id
or a text; instants and seconds never hold one), and ``--format csv`` takes them only
when no text cell starts like a formula (`Coded.safe_for`); anything else, and any
columns changed since (merged with the checked path's rows, policies renamed), takes
the text path.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._escape import LINE_STARTS
from ._results import RESULT_COLUMNS

__all__ = ["Coded", "combinations", "csv_lines", "plain"]

Ints = npt.NDArray[np.int64]

_AT = {name: index for index, name in enumerate(RESULT_COLUMNS)}
_HEADS = tuple(_AT[name] for name in ("policy", "tier", "priority", "metric", "status",
                                      "target"))
_NUMBERS = tuple(_AT[name] for name in ("due", "stopped_at", "elapsed_seconds",
                                        "remaining_seconds", "overrun_seconds"))
_TAILS = (_AT["reason"], _AT["at_risk"])
_LAST = _AT["next_escalation_at"]
_WIDTH = 14  # pieces per line: id, heads, 5 numbers with 4 commas, tails, last, line feed
assert (_AT["ticket_id"], *_HEADS, *_NUMBERS, *_TAILS, _LAST) == tuple(range(
    len(RESULT_COLUMNS))), "the pieces of a line follow RESULT_COLUMNS"
_UNSAFE = (",", '"', "\r", "\x00")  # (a line feed: counted)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # an odd multiplier that spreads each key's bits


def plain(texts: Sequence[str]) -> bool:
    """Whether no text holds a comma, quote, carriage return, line feed or NUL: cells
    written as they are, with nothing quoted.

    Example: ``["T1", "a b"]`` -> True; ``["a,b"]`` -> False; ``["a\\nb"]`` -> False.
    """
    return _looked(texts)[0]


def _looked(texts: Sequence[str]) -> tuple[bool, bool]:
    """Whether the texts are `plain`, and whether one starts like a formula (one of
    `FORMULA_STARTS`: `formula_safe` would change it)."""
    joined = "\n" + "\n".join(texts)
    return (joined.count("\n") == max(len(texts), 1)
            and not any(mark in joined for mark in _UNSAFE),
            LINE_STARTS.search(joined) is not None)


def combinations(keys: Sequence[Ints]) -> tuple[Ints, Ints]:
    """Each row's combination of ``keys`` as a code (0, 1, ...), and a row of each code.

    Boundary rule: two rows share a code exactly when every key is equal in both.
    Example: keys ``[1, 1, 2]`` and ``[5, 5, 5]`` -> codes ``[0, 0, 1]``, rows ``[0 or 1,
    2]``.
    """
    mixed = np.zeros(len(keys[0]), dtype=np.uint64)
    for key in keys:  # a 64-bit mix of the keys, then checked: a collision is split apart
        mixed = mixed * _MIX + key.astype(np.uint64)
    code, first = _grouped(mixed)
    if all(np.array_equal(key[first][code], key) for key in keys):
        return code, first
    _, first, code = np.unique(np.stack(keys, axis=1), axis=0, return_index=True,
                               return_inverse=True)
    return code.reshape(-1), first


def _grouped(values: npt.NDArray[np.uint64]) -> tuple[Ints, Ints]:
    """Each value's rank among the distinct values, and a row of each."""
    order = np.argsort(values)
    ordered = values[order]
    starts = np.empty(len(values), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    code = np.empty(len(values), dtype=np.int64)
    code[order] = np.cumsum(starts) - 1
    return code, order[starts]


def csv_lines(columns: Sequence[Sequence[str]], keys: Sequence[Ints], names: Sequence[str]
              ) -> tuple[str, bool] | None:
    """Result columns (`RESULT_COLUMNS` order, at least one row) as CSV lines, and
    whether a text cell starts like a formula; None when a cell would need quoting
    (`plain`).

    ``keys`` (integer codes, one array each, aligned with the rows) together determine
    each row's policy, tier, priority, metric, status, target, reason and ``at_risk``:
    two rows equal in every key are equal in those cells. ``names`` holds every ticket
    id of the rows (it may hold more), looked at for quoting and formulas in their place.

    Boundary rule: the lines ``csv.writer`` writes (``\\n`` ended) when nothing needs
    quoting. Example: the row ``("T1", "vircom", "standard", "P2", "response", "met",
    "1 business hour", "2026-11-23T08:00:00-05:00", "2026-11-23T07:55:00-05:00", "3300",
    "300", "", "responded", "", "")`` -> the line ``"T1,vircom,standard,P2,response,met,1
    business hour,2026-11-23T08:00:00-05:00,2026-11-23T07:55:00-05:00,3300,300,,responded,,
    \\n"`` (one line).
    """
    code, first = combinations(keys)
    picked = first.tolist()
    heads = [[columns[index][row] for index in _HEADS] for row in picked]
    tails = [[columns[index][row] for index in _TAILS] for row in picked]
    shown = [cell for row in (*heads, *tails) for cell in row]
    ids = columns[0]
    (ids_plain, ids_formula), (shown_plain, shown_formula) = _looked(names), _looked(shown)
    if not ids_plain or not shown_plain:
        return None
    count = len(ids)
    last = any(columns[_LAST])  # (without any, the line ends with the tails)
    width = _WIDTH if last else _WIDTH - 2
    pieces = [","] * (width * count)  # the commas between the numbers stay
    pieces[0::width] = ids
    for at, made, end in ((1, heads, ","), (11, tails, "," if last else ",\n")):
        joined = np.array(["," + ",".join(row) + end for row in made], dtype=object)
        pieces[at::width] = joined[code].tolist()
    for at, index in enumerate(_NUMBERS):
        pieces[2 + 2 * at::width] = columns[index]
    if last:
        pieces[12::width] = columns[_LAST]
        pieces[13::width] = ["\n"] * count
    return "".join(pieces), ids_formula or shown_formula


class Coded:
    """The codes result columns were written from (`csv_lines`' ``keys`` and ``names``),
    and the very lists they were written into: their CSV lines are joined from the codes
    the first time they are asked for, for those lists only."""

    def __init__(self, columns: Sequence[list[str]], keys: Sequence[Ints],
                 names: Sequence[str]) -> None:
        self._columns = tuple(columns)
        self._rows = len(columns[0]) if columns else 0
        self._keys, self._names = keys, names
        self._made: tuple[str, bool] | None = None
        self._joined = False  # whether `_made` holds the lines (None: they need quoting)

    def text_codes(self, columns: Sequence[Sequence[str]]) -> dict[int, tuple[Ints, list[str]]]:
        """Each text column the keys determine (all but ``ticket_id`` and the instants and
        seconds), by its index in ``columns``, as each row's code and the text of each
        code; empty when ``columns`` are not the ones this was made with.

        Boundary rule: ``texts[code[row]] == columns[index][row]`` for every row (two rows
        equal in every key are equal in those cells). Example: statuses ``met, breached,
        met`` with their rows' keys ``1, 2, 1`` -> codes ``[0, 1, 0]``, texts ``["met",
        "breached"]``.
        """
        if not self._same(columns):
            return {}
        code, first = combinations(self._keys)
        picked = first.tolist()
        return {index: (code, [columns[index][row] for row in picked])
                for index in (*_HEADS, *_TAILS)}

    def _same(self, columns: Sequence[Sequence[str]]) -> bool:
        """Whether ``columns`` are the very lists this was made with (none grown or cut)."""
        return (self._rows > 0 and len(columns) == len(self._columns)
                and all(given is made and len(made) == self._rows
                        for given, made in zip(columns, self._columns, strict=True)))

    def _lines(self) -> tuple[str, bool] | None:
        if not self._joined:  # (the lines are joined once)
            self._joined = True
            self._made = csv_lines(self._columns, self._keys, self._names)
        return self._made

    def lines_of(self, columns: Sequence[Sequence[str]]) -> str | None:
        """The columns' CSV lines (`csv_lines`), if ``columns`` are the ones this was made
        with and nothing needs quoting; else None.

        Example: the columns `slacalc.batch._columns` made, unchanged -> their lines.
        """
        made = self._lines() if self._same(columns) else None
        return made[0] if made is not None else None

    def safe_for(self, columns: Sequence[Sequence[str]]) -> bool:
        """Whether `lines_of` gives these columns' lines and no text cell starts like a
        formula (`formula_safe_columns` would leave them as they are)."""
        made = self._lines() if self._same(columns) else None
        return made is not None and not made[1]
