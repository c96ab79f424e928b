"""What a report checks once, before any row: the delimiter and column names of a file's
header, the required columns, the ``--policy`` named, and the files it will write.

A mistake found here concerns the whole file, so it is said once (`ReportUsageError`,
exit status 2 on the command line) instead of once per row.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from difflib import get_close_matches
from pathlib import Path

from ..policy.loader import bundled_policy_names, load_policy
from ._rows import ExportError

__all__ = ["DELIMITERS", "ReportUsageError", "check_columns", "check_outputs", "check_policy",
           "column_names", "sniff"]

DELIMITERS = (",", ";", "\t")
"""The field separators a CSV export may use; `sniff` picks one from the header line."""


class ReportUsageError(ExportError):
    """A mistake in how a report was asked for, found before any row is read: a missing
    required column, an unknown ``--policy``, an output that cannot be written there.
    The command line prints it as one line and exits with status 2."""


def sniff(line: str) -> str:
    """The delimiter of a CSV file, from its header line: the one of `DELIMITERS` that
    occurs most often in it.

    Boundary rule: a tie (a header of one column has none) is ``,``. Example:
    ``"ticket_id;policy;tier"`` -> ``";"``; ``"Ticket ID,Policy"`` -> ``","``.
    """
    counts = [line.count(delimiter) for delimiter in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


def column_names(header: Sequence[str]) -> tuple[str, ...]:
    """Header names as a report reads them: case and spacing do not matter.

    Boundary rule: surrounding spaces go, inner runs of spaces become one ``_``, and the
    name is lower-cased; this holds for attribute columns too (a ``when`` key is matched
    against these names). Example: ``["Ticket ID", " Opened  At ", "Category"]`` ->
    ``("ticket_id", "opened_at", "category")``.
    """
    return tuple("_".join(name.split()).casefold() for name in header)


def check_columns(name: str, header: Sequence[str], required: Sequence[str],
                  refused: Sequence[str] = ()) -> None:
    """`ReportUsageError` when ``header`` (already `column_names`) lacks a ``required``
    column (with a did-you-mean for a near-miss name), has a name twice, or has a
    ``refused`` one.

    Example: a header ``policy, tier, priority, opend_at`` ->
    ``tickets.csv: no opened_at column (did you mean 'opend_at'?); the header is policy,
    tier, priority, opend_at``.
    """
    shown = ", ".join(header) or "empty"
    missing = [column for column in required if column not in header]
    if missing:
        spare = [column for column in header if column and column not in required]
        hints = [f"{column!r}" for wanted in missing
                 for column in get_close_matches(wanted, spare, n=1, cutoff=0.7)]
        hint = f" (did you mean {' or '.join(hints)}?)" if hints else ""
        noun = "column" if len(missing) == 1 else "columns"
        raise ReportUsageError(f"{name}: no {', '.join(missing)} {noun}{hint}; the header "
                               f"is {shown}")
    seen: dict[str, int] = {}
    for number, column in enumerate(header, start=1):
        if column and column in seen:
            raise ReportUsageError(f"{name}: columns {seen[column]} and {number} are both "
                                   f"{column!r} (header names ignore case and spacing)")
        seen[column] = number
    for column in refused:
        if column in seen:
            raise ReportUsageError(f"{name}: with an events table, events come from it; "
                                   f"remove the column {column}")


def check_policy(name: str | None) -> None:
    """Load the ``--policy`` once: `ReportUsageError` for a name that is neither a bundled
    policy (with a did-you-mean) nor an existing file; a policy file with mistakes raises
    its `PolicyError` (every problem located).

    Example: ``"vircon"`` -> ``--policy: no bundled policy 'vircon' (did you mean
    'vircom'?); bundled: cloudmark, perfectmail, valimail, vircom``.
    """
    if not name:
        return
    if name.endswith((".yaml", ".yml")) or "/" in name:
        if not Path(name).is_file():
            raise ReportUsageError(f"--policy: no policy file {name}")
        load_policy(Path(name))
        return
    names = bundled_policy_names()
    if name not in names:
        close = get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ReportUsageError(f"--policy: no bundled policy {name!r}{hint}; bundled: "
                               f"{', '.join(names)} (or a path to a policy YAML)")


def _same(one: Path, other: Path) -> bool:
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


def check_outputs(inputs: Sequence[Path], outputs: dict[str, str | None]) -> None:
    """`ReportUsageError` for an output (option -> path) that cannot be written: a folder,
    a file in a folder that does not exist, an input file (it would be emptied before it
    is read), or the same file as another output.

    Example: ``check_outputs([Path("x.csv")], {"-o": "x.csv"})`` -> ``-o x.csv is the
    input file x.csv; name another file``.
    """
    named = {option: Path(value) for option, value in outputs.items() if value}
    for option, path in named.items():
        if path.is_dir():
            raise ReportUsageError(f"{option} {path}: is a folder; name a file in it")
        folder = path.parent
        if not folder.is_dir():
            raise ReportUsageError(f"{option} {path}: no folder {folder}")
        for source in inputs:
            if _same(path, source):
                raise ReportUsageError(f"{option} {path} is the input file {source}; name "
                                       f"another file")
    options = list(named)
    for index, option in enumerate(options):
        for other in options[index + 1:]:
            if named[option] == named[other] or _same(named[option], named[other]):
                raise ReportUsageError(f"{option} and {other} name the same file "
                                       f"{named[option]}")
