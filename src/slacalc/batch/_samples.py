"""The times to the stop kept for exact percentiles, in memory that does not grow with the
report: per group, rows of two float64 (on the target's clock, in real time), held in
memory up to `HELD` bytes, then appended to one temporary file and read back per group
when the percentiles are taken. (The same store keeps the ticket id hashes of
`slacalc.batch._repeats`, one uint64 a row.)

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

HELD = 1 << 22
"""Bytes of rows kept in memory before they are written out (4 MiB: 262,144 rows of two
float64)."""


class Samples:
    """Rows of ``width`` numbers of ``dtype`` per group (two float64 unless told), in the
    order they were added per group (held rows after written ones), at most ``held``
    bytes of them in memory (`HELD` unless told). Pickled, every row travels (as when a
    worker sends its chunk's). Where no temporary file can be made, every row is held.

    Example: ``add(key, [[600, 900]])``, ``add(key, [[1800, 1800]])`` -> ``rows(key) ==
    [[600, 900], [1800, 1800]]``, whether or not they were written out in between.
    """

    def __init__(self, dtype: type[np.generic] = np.float64, width: int = 2,
                 held: int | None = None) -> None:
        self._dtype, self._width = np.dtype(dtype), width
        self._most = HELD if held is None else held
        self._held: dict[Any, list[npt.NDArray[Any]]] = {}
        self._written: dict[Any, list[tuple[int, int]]] = {}  # (offset, rows) in _file
        self._size = 0
        self._file: IO[bytes] | None = None
        self._writable = True  # False once no temporary file could be made: all held

    def groups(self) -> list[Any]:
        """The groups with rows, sorted."""
        return sorted(self._held.keys() | self._written.keys())

    def add(self, key: Group | int, rows: npt.NDArray[Any]) -> None:
        """Keep ``rows`` (shape ``(n, width)``) for group ``key``; past ``held`` bytes
        held, every group's held rows are written out."""
        if not len(rows):
            return
        self._held.setdefault(key, []).append(rows)
        self._size += rows.nbytes
        if self._size > self._most and self._writable:
            self._write()

    def merge(self, other: Samples) -> None:
        """Keep ``other``'s rows too (after these, group by group)."""
        for key in other.groups():
            self.add(key, other.rows(key))

    def rows(self, key: Group | int) -> npt.NDArray[Any]:
        """Group ``key``'s rows (shape ``(n, width)``; none: ``(0, width)``)."""
        parts = []
        if self._file is not None:
            for offset, count in self._written.get(key, []):
                self._file.seek(offset)
                parts.append(np.frombuffer(
                    self._file.read(count * self._width * self._dtype.itemsize),
                    dtype=self._dtype).reshape(count, self._width))
        parts += self._held.get(key, [])
        if not parts:
            return np.zeros((0, self._width), dtype=self._dtype)
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
            data = np.ascontiguousarray(np.concatenate(parts), dtype=self._dtype)
            self._written.setdefault(key, []).append((self._file.tell(), len(data)))
            self._file.write(data.tobytes())
        self._held.clear()
        self._size = 0

    def __getstate__(self) -> tuple[str, int, int, dict[Any, npt.NDArray[Any]]]:
        return (self._dtype.str, self._width, self._most,
                {key: self.rows(key) for key in self.groups()})

    def __setstate__(self, state: tuple[str, int, int, dict[Any, npt.NDArray[Any]]]) -> None:
        dtype, width, held, groups = state
        self.__init__(np.dtype(dtype).type, width, held)  # type: ignore[misc]
        for key, rows in groups.items():
            self.add(key, rows)
