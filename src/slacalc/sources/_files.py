"""Thin readers of a desk's export files, each record with its position: JSON Lines
(streamed, a line each), a JSON document holding a list (read whole; the position is the
item's number), CSV (streamed, the line a record ends on, header names lower-cased).

A record that cannot be read (a line that is not a JSON object) is given as its error
text instead of a dict, so the adapter reports it as a row error and goes on.

JSON Lines are decoded a run of lines at a time, in one call: into the typed `Typed`
``shape`` an adapter gives (`msgspec`, far faster than dicts) when every line of the run
is an object of that shape, else as plain JSON (`json.loads`, the reference), so a run
with any line the shape refuses (a wrong type, a line that is not JSON) reads exactly
as before. A typed record answers ``get`` as the dict would (tests hold them equal).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby, islice
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, cast

import msgspec

from ..batch._rows import ExportError

__all__ = [
    "Typed",
    "cell_rows",
    "csv_records",
    "find",
    "find_optional",
    "json_keyed",
    "json_records",
    "json_runs",
    "shown",
]


class Typed(msgspec.Struct, gc=False):
    """A typed record decoded by `msgspec` (an adapter subclasses it with the fields it
    reads, each ``None`` by default): ``get`` reads a field as ``dict.get`` reads a key
    (a field the line left out is None, as a missing key is)."""

    def get(self, name: str, default: Any = None) -> Any:
        """The field ``name`` (``default`` for a name that is no field)."""
        return getattr(self, name, default)


_DECODERS: dict[type[Typed], msgspec.json.Decoder[Any]] = {}


def _open(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def find(folder: Path, names: Sequence[str]) -> Path:
    """The first of ``names`` (each also with ``.gz``) that is a file in ``folder``.

    Boundary rule: none there raises `ExportError` naming the folder and the names looked
    for. Example: ``find(Path("zd"), ["tickets.jsonl", "tickets.json"])`` ->
    ``Path("zd/tickets.jsonl")``.
    """
    found = find_optional(folder, names)
    if found is None:
        raise ExportError(f"{folder}: no {' or '.join(names)} in this folder")
    return found


def find_optional(folder: Path, names: Sequence[str]) -> Path | None:
    """`find`, or None when none of ``names`` is there (an optional file)."""
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _shown(path: Path) -> str:
    return path.name.removesuffix(".gz")


def json_records(path: Path, key: str, shape: type[Typed] | None = None
                 ) -> Iterator[tuple[int, Any]]:
    """The objects of a ``.jsonl`` file (one per line, blank lines skipped; position: the
    line) or of a ``.json`` file (a list, or an object holding the list under ``key`` as
    the vendors' APIs return pages; position: the item's number from 1). With a
    ``shape``, a run of lines that are all objects of that shape comes as typed records.

    Boundary rule: a line or item that is not a JSON object is given as the text of its
    error; a ``.json`` file that is not JSON raises `ExportError`. Example: a
    ``tickets.json`` holding ``{"tickets": [{"id": 1}]}`` -> ``(1, {"id": 1})``.
    """
    for batch in _batches(path, key, shape):
        yield from batch


def json_keyed(path: Path, key: str, by: str, shape: type[Typed] | None = None
               ) -> Iterator[tuple[str, tuple[int, Any]]]:
    """`json_records` with each record's ``by`` field as text in front (``""`` for a
    record without it, or one that could not be read), as `joined` takes them.

    Boundary rule: as `json_records`. Example: an audit line ``{"ticket_id": 7, ...}``
    -> ``("7", (1, {"ticket_id": 7, ...}))``.
    """
    for numbers, records in _columns(path, key, shape):
        yield from zip(_keys(records, by, shape), zip(numbers, records, strict=True),
                       strict=True)


def json_runs(path: Path, key: str, by: str, shape: type[Typed] | None = None
              ) -> Iterator[tuple[str, list[tuple[int, Any]]]]:
    """The records of `json_keyed` in runs: each run of consecutive records with the same
    ``by`` text as ``(text, [(position, record), ...])`` (a run goes on across the
    decoded batches), as `slacalc.sources._tables.joined_runs` takes them.

    Boundary rule: two runs of one text apart (another between them) stay two runs.
    Example: audit lines of tickets ``7, 7, 8, 7`` -> ``("7", [a1, a2])``, ``("8",
    [a3])``, ``("7", [a4])``.
    """
    pending: list[tuple[int, Any]] | None = None
    last = ""
    for numbers, records in _columns(path, key, shape):
        pairs = list(zip(numbers, records, strict=True))
        start = 0
        for value, group in groupby(_values(records, by, shape)):
            end = start + len(list(group))  # the run's records counted at C speed
            text = value if type(value) is str else "" if value is None else str(value)
            if pending is not None and text == last:  # the run goes on (next batch, or
                pending += pairs[start:end]  # an id written another way: 7 and "7")
            else:
                if pending is not None:
                    yield last, pending
                last, pending = text, pairs[start:end]
            start = end
    if pending is not None:
        yield last, pending


def _values(records: list[Any], by: str, shape: type[Typed] | None) -> list[Any]:
    """Each record's ``by`` as read (typed records: at C speed; `json_runs` writes each
    run's as text), or its text by `_keys` when the batch is not typed."""
    if shape is not None and records and type(records[0]) is shape:  # a typed batch: all
        return list(map(attrgetter(by), records))
    return _keys(records, by, shape)


def _keys(records: list[Any], by: str, shape: type[Typed] | None) -> list[str]:
    """Each record's ``by`` as text ("" when it has none, or could not be read)."""
    if shape is not None and set(map(type, records)) == {shape}:
        values = list(map(attrgetter(by), records))  # typed: each key read at C speed
        kinds = set(map(type, values))
        if kinds == {str}:
            return cast(list[str], values)
        if kinds == {int}:  # Zendesk's numeric ids: written at C speed
            return list(map(str, values))
        return ["" if value is None else str(value) for value in values]
    return ["" if (value := (record.get(by) if type(record) is dict else getattr(
                record, by, None)) if type(record) is not str else None)
            is None else str(value) for record in records]


def _batches(path: Path, key: str, shape: type[Typed] | None = None
             ) -> Iterator[list[tuple[int, Any]]]:
    for numbers, records in _columns(path, key, shape):
        yield list(zip(numbers, records, strict=True))


def _columns(path: Path, key: str, shape: type[Typed] | None = None
             ) -> Iterator[tuple[Sequence[int], list[Any]]]:
    """Batches of records as two columns: their positions and the records (each an
    object, a typed record or its error text); never an empty batch."""
    name = _shown(path)
    if name.endswith(".json"):
        try:
            with _open(path) as handle:
                data = json.load(handle)
        except (ValueError, OSError) as error:
            raise ExportError(f"{name}: not a JSON document ({error})") from None
        items = data.get(key) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ExportError(f"{name}: expected a list, or an object with a {key!r} list")
        if items:
            yield range(1, len(items) + 1), [
                item if isinstance(item, dict) else "not a JSON object" for item in items]
        return
    with _open(path) as handle:
        first = 1
        try:
            while True:
                lines = list(islice(handle, _BATCH))
                if not lines:
                    return
                numbers: Sequence[int] = range(first, first + len(lines))
                first += len(lines)
                if any(map(str.isspace, lines)):  # blank lines are skipped
                    kept = [(number, line) for number, line in zip(numbers, lines,
                                                                   strict=True)
                            if not line.isspace()]
                    numbers = [number for number, _ in kept]
                    lines = [line for _, line in kept]
                if lines:
                    yield numbers, _decoded(numbers, lines, shape)
        except UnicodeDecodeError as error:
            raise ExportError(f"{name}: not UTF-8 text ({error.reason})") from None


_BATCH = 2_000
"""JSON lines decoded in one ``json.loads`` (as one array: far fewer calls)."""


def _decoded(numbers: Sequence[int], lines: list[str], shape: type[Typed] | None = None
             ) -> list[Any]:
    """Each line's object, or its error text; the lines are decoded as one JSON array
    first (typed as ``shape`` when given, else plain), line by line only if that fails
    (a bad line, or a line holding two values)."""
    text = "[" + ",".join(lines) + "]"
    if shape is not None:
        decoder = _DECODERS.get(shape)
        if decoder is None:
            decoder = _DECODERS[shape] = msgspec.json.Decoder(list[shape])  # type: ignore[valid-type]
        try:
            typed = decoder.decode(text)
        except (msgspec.DecodeError, msgspec.ValidationError):
            typed = None
        if typed is not None and len(typed) == len(lines):
            return cast(list[Any], typed)
    try:
        items = json.loads(text)
    except ValueError:
        items = None
    if items is not None and len(items) == len(lines):
        return [item if type(item) is dict else "not a JSON object" for item in items]
    found: list[Any] = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError as error:
            found.append(f"not JSON ({error})")
            continue
        found.append(item if type(item) is dict else "not a JSON object")
    return found


def csv_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV file as dicts keyed by the header's names (stripped, lower
    case), each with the line it ends on; blank lines skipped.

    Boundary rule: a row with more cells than the header keeps the first ones; one with
    fewer has "" for the rest (a missing field is then reported by the adapter). A
    malformed file raises `ExportError` naming it. Example: ``number,state`` /
    ``INC0010001,2`` -> ``(2, {"number": "INC0010001", "state": "2"})``.
    """
    name = _shown(path)
    with _open(path) as handle:
        reader = csv.reader(handle)
        try:
            header = [cell.strip().lower() for cell in next(reader, [])]
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                cells = row + [""] * (len(header) - len(row))
                yield reader.line_num, dict(zip(header, cells, strict=False))
        except (csv.Error, UnicodeDecodeError) as error:
            raise ExportError(f"{name}:{reader.line_num}: cannot be read ({error})") from None


def shown(path: Path) -> str:
    """A file's name in messages (without ``.gz``)."""
    return _shown(path)


def cell_rows(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows already read (dicts of raw values), numbered from 1, as text cells: keys
    stripped and lowercased, None as "", any other value as its ``str``.

    Example: ``[{"Number": "INC1", "priority": 2, "x": None}]`` -> ``(1, {"number":
    "INC1", "priority": "2", "x": ""})``.
    """
    for number, row in enumerate(rows, start=1):
        yield number, {str(k).strip().lower(): "" if v is None else str(v)
                       for k, v in row.items()}
