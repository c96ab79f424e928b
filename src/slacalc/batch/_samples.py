"""The times to the stop kept for exact percentiles, in memory that does not grow with the
report: per group, rows of two float64 (on the target's clock, in real time), held in
memory up to `HELD` bytes, then appended to one temporary file and read back per group
when the percentiles are taken.

A million tickets leave about 1.5 million such rows (24 MB); held in memory they were
the one part of a streamed report that grew with its tickets. Written out, the report's
peak memory holds at most `HELD` bytes of them, plus one group's rows when they are read.
"""

from __future__ import annotations

import tempfile
import weakref
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from ._measures import Group

__all__ = ["HELD", "Samples"]

Floats = npt.NDArray[np.float64]
HELD = 1 << 22
"""Bytes of rows kept in memory before they are written out (4 MiB: 262,144 rows)."""
_ROW = 2 * np.dtype(np.float64).itemsize


class Samples:
    """Rows of two float64 per group, in the order they were added per group (held rows
    after written ones). Pickled, every row travels (as when a worker sends its chunk's).
    Where no temporary file can be made, every row is held.

    Example: ``add(key, [[600, 900]])``, ``add(key, [[1800, 1800]])`` -> ``rows(key) ==
    [[600, 900], [1800, 1800]]``, whether or not they were written out in between.
    """

    def __init__(self) -> None:
        self._held: dict[Group, list[Floats]] = {}
        self._written: dict[Group, list[tuple[int, int]]] = {}  # (offset, rows) in _file
        self._size = 0
        self._file: IO[bytes] | None = None
        self._writable = True  # False once no temporary file could be made: all held

    def groups(self) -> list[Group]:
        """The groups with rows, sorted."""
        return sorted(self._held.keys() | self._written.keys())

    def add(self, key: Group, rows: Floats) -> None:
        """Keep ``rows`` (shape ``(n, 2)``) for group ``key``; past `HELD` bytes held,
        every group's held rows are written out."""
        if not len(rows):
            return
        self._held.setdefault(key, []).append(rows)
        self._size += rows.nbytes
        if self._size > HELD and self._writable:
            self._write()

    def merge(self, other: Samples) -> None:
        """Keep ``other``'s rows too (after these, group by group)."""
        for key in other.groups():
            self.add(key, other.rows(key))

    def rows(self, key: Group) -> Floats:
        """Group ``key``'s rows (shape ``(n, 2)``; none: ``(0, 2)``)."""
        parts = []
        if self._file is not None:
            for offset, count in self._written.get(key, []):
                self._file.seek(offset)
                parts.append(np.frombuffer(self._file.read(count * _ROW),
                                           dtype=np.float64).reshape(count, 2))
        parts += self._held.get(key, [])
        if not parts:
            return np.zeros((0, 2))
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _write(self) -> None:
        if self._file is None:
            try:
                self._file = tempfile.TemporaryFile()  # noqa: SIM115  (open while kept)
            except OSError:  # no writable temporary directory: hold them all, as before
                self._writable = False
                return
            weakref.finalize(self, self._file.close)  # closed (and gone) with the samples
        self._file.seek(0, 2)
        for key, parts in self._held.items():
            data = np.ascontiguousarray(np.concatenate(parts), dtype=np.float64)
            self._written.setdefault(key, []).append((self._file.tell(), len(data)))
            self._file.write(data.tobytes())
        self._held.clear()
        self._size = 0

    def __getstate__(self) -> dict[Group, Floats]:
        return {key: self.rows(key) for key in self.groups()}

    def __setstate__(self, state: dict[Group, Any]) -> None:
        self.__init__()  # type: ignore[misc]
        for key, rows in state.items():
            self.add(key, rows)
