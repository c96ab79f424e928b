"""Repeated ticket ids across the blocks of a streamed tickets file (an event log's, or a
desk export's: `slacalc.sources._convert.Builder`).

A ticket row whose ``ticket_id`` an earlier row has is a row error (`evaluate_log`); within
one block its evaluation sees that. Across blocks the reading process must know every id
it has passed, and holding them as strings would make memory grow by tens of bytes a
ticket. Each block's ids travel instead as 64-bit hashes (`id_hashes`), and the reading
process keeps them mostly in a temporary file (`Seen`); when the last block is in, it
reads them back a 64th at a time and looks for a hash in two blocks. That means a
repeated id, or two ids with the same hash (rare: none among the 300,000 ids of three
real shapes in the tests): either way the report starts again with the events read
whole, where the check is made on the ids themselves (`repeated`). So a hash never
decides a result; it only says when to look closer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._samples import Samples

__all__ = ["Hashes", "Repeats", "Seen", "id_hashes", "repeated"]

Hashes = npt.NDArray[np.uint64]
_BASE = np.uint64(0x100000001B3)  # the 64-bit FNV prime: odd, so no bit is lost
_PARTS = 64
_EDGES = np.arange(1, _PARTS, dtype=np.uint64) << np.uint64(65 - _PARTS.bit_length())
"""The least hash of each part but the first (the parts go by a hash's top six bits)."""
_HELD = 1 << 20
"""Bytes of hashes `Seen` keeps in memory (1 MiB: 131,072 tickets); the rest go to a file."""


class Repeats(Exception):  # noqa: N818  (not an error: a signal to read the file whole)
    """Two blocks of a streamed tickets file have a ticket id (by its hash) in common: the
    report starts again with the events read whole, where each id is checked as text
    (`slacalc.batch._logrun`)."""


def id_hashes(ids: Sequence[str]) -> Hashes:
    """A 64-bit hash of each id, sorted: the polynomial ``sum(c[j] * B ** (j + 1))``
    over its code points ``c`` (mod 2**64, ``B`` the FNV prime), worked out for the whole
    list in one matrix product.

    Boundary rule: an id hashes the same in any list (the zero code points that pad the
    shorter ids of a list add nothing); ids that differ only by trailing NUL characters
    hash alike (a false alarm, which `Seen`'s callers resolve by reading the ids). Example:
    ``id_hashes(["ab"])`` -> ``[97 * B + 98 * B ** 2]`` (mod 2**64).
    """
    if not ids:
        return np.zeros(0, dtype=np.uint64)
    texts = np.array(ids, dtype=str)
    width = texts.dtype.itemsize // 4
    if not width:  # every id empty
        return np.zeros(len(ids), dtype=np.uint64)
    points = texts.view(np.uint32).reshape(len(ids), width).astype(np.uint64)
    found = np.asarray(points @ np.cumprod(np.full(width, _BASE, dtype=np.uint64)),
                       dtype=np.uint64)
    found.sort()
    return found


class Seen:
    """The id hashes of every block, each block's once, kept by their top six bits in
    `_PARTS` parts of a `Samples` store (at most `_HELD` bytes in memory, the rest in a
    temporary file), so that memory does not grow with the tickets; `repeated` reads
    them back one part at a time (a part holds one 64th of them).

    Example: ``add(id_hashes(["T1", "T2"]))``, ``add(id_hashes(["T3", "T1"]))`` ->
    ``repeated()`` is True.
    """

    def __init__(self) -> None:
        self._parts = Samples(np.uint64, 1, held=_HELD)

    def add(self, hashes: Hashes) -> None:
        """Keep one block's ``hashes``, sorted (as `id_hashes` gives them); a hash twice
        among them is kept once (a block checks its own rows)."""
        found = hashes[1:][hashes[1:] != hashes[:-1]]
        found = np.concatenate([hashes[:1], found]).reshape(-1, 1)
        cuts = np.searchsorted(found[:, 0], _EDGES).tolist()
        for part, (start, end) in enumerate(zip([0, *cuts], [*cuts, len(found)],
                                                strict=True)):
            if end > start:
                self._parts.add(part, found[start:end])

    def repeated(self) -> bool:
        """Whether two blocks added the same hash.

        Example: blocks ``[1, 2]``, ``[2, 2]`` -> True; ``[1, 1]``, ``[2]`` -> False.
        """
        for part in self._parts.groups():
            found = np.sort(self._parts.rows(part).reshape(-1))
            if bool((found[1:] == found[:-1]).any()):
                return True
        return False


def repeated(first: dict[str, int], lines: Sequence[int],
             ids: Sequence[str]) -> dict[str, int]:
    """The ``ids`` (a block's rows in order, on ``lines``) that ``first`` has, each with
    its line there; then each id not in ``first`` is put there with its first line here.
    The exact check, on the ids themselves, of a report that reads its events whole
    (memory grows with the tickets, as it does with the events).

    Example: ``first == {"T1": 2}``, lines ``9, 10, 11`` and ids ``T2, T1, T2`` ->
    ``{"T1": 2}``, and ``first`` gains ``"T2": 9``.
    """
    earlier = {ticket_id: first[ticket_id] for ticket_id in ids if ticket_id in first}
    for line, ticket_id in zip(lines, ids, strict=True):
        first.setdefault(ticket_id, line)
    return earlier
