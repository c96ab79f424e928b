"""Text from an export made safe to show: in a spreadsheet (formula injection) and on a
terminal (control characters).

A ticket id, a policy name or an error's reason comes from the input, which may come from
anyone. A CSV cell starting with ``= + - @``, a tab or a carriage return is a formula to
a spreadsheet (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``); following OWASP's advice on
CSV injection, such a cell is written with a single quote before it, unless the report is
asked for raw CSV (``--raw-csv``, for programs). A control character (an ANSI escape
``\\x1b[...``, a carriage return, a line break) in text shown on a terminal is written as
its escape (``\\x1b``), and so is a lone surrogate (``\\ud800``), so that text can neither
move the cursor, recolour, clear the screen nor break a line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from typing import IO, Any

__all__ = ["FORMULA_STARTS", "LINE_STARTS", "CsvRows", "csv_text", "formula_safe",
           "formula_safe_columns", "printable"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP)."""
LINE_STARTS = re.compile("\n[" + re.escape("".join(FORMULA_STARTS)) + "]")
"""A line feed, then one of `FORMULA_STARTS` (a cell of joined cells that starts so)."""
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_KEEP_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character (C0, DEL, C1) and lone surrogate written as
    its escape; line breaks kept when ``lines``.

    Example: ``printable("T1\\x1b[2J")`` -> ``"T1\\\\x1b[2J"``; ``printable("a\\tb")`` ->
    ``"a\\\\x09b"``; ``printable("T\\ud800")`` -> ``"T\\\\ud800"``.
    """
    pattern = _CONTROL_KEEP_LINES if lines else _CONTROL
    return pattern.sub(_escape, text) if pattern.search(text) else text


def formula_safe(cell: str) -> str:
    """A CSV cell a spreadsheet reads as text: a single quote before a cell that starts
    with one of `FORMULA_STARTS`.

    Example: ``"=HYPERLINK(1)"`` -> ``"'=HYPERLINK(1)"``; ``"T-1"`` -> ``"T-1"``.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _write_row(writer: Any, buffer: io.StringIO, row: Sequence[object]) -> None:
    writer.writerow(row)
    buffer.seek(buffer.tell() - 2)  # the "\r\n" the writer ended the row with
    buffer.write("\n")
    buffer.truncate()


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV lines ended by ``\n``, quoted as ``csv.writer`` quotes them, and a cell
    holding a carriage return quoted too (``csv.writer`` with ``\n`` line ends leaves it
    bare, and a reader then splits the row there).

    Example: ``[["a\rb", "c"]]`` -> ``'"a\rb",c\n'``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        _write_row(writer, buffer, row)
    return buffer.getvalue()


def formula_safe_columns(columns: list[list[str]], text_at: Collection[int]
                         ) -> list[list[str]]:
    """Result columns with every cell of the columns at ``text_at`` `formula_safe` (the
    others, numbers and instants, as they are).

    Boundary rule: a column none of whose cells starts like a formula is kept as it is,
    found by searching its cells joined (at C speed, for a line break then a start:
    `LINE_STARTS`). Example: ``[["=1", "T1"], ["vircom", "vircom"]]``, ``{0, 1}`` ->
    ``[["'=1", "T1"], ["vircom", "vircom"]]``.
    """
    found = list(columns)
    for index in text_at:
        if LINE_STARTS.search("\n" + "\n".join(columns[index])):
            found[index] = [formula_safe(cell) for cell in columns[index]]
    return found


class CsvRows:
    """Rows written to ``handle`` as `csv_text` writes them, text cells `formula_safe`
    when ``escape`` (numbers as they are)."""

    def __init__(self, handle: IO[str], *, escape: bool) -> None:
        self._handle, self._escape = handle, escape

    def writerow(self, row: Sequence[object]) -> None:
        if self._escape:
            row = [formula_safe(cell) if isinstance(cell, str) else cell for cell in row]
        self._handle.write(csv_text([row]))
