"""Repeated ticket ids across the blocks of a streamed event log.

A ticket row whose ``ticket_id`` an earlier row has is a row error (`evaluate_log`); within
one block its evaluation sees that. Across blocks the reading process must remember every
id it has passed, and holding them as strings would make memory grow by tens of bytes a
ticket. Each block's worker instead sends its ids as 64-bit hashes (`id_hashes`, 8 bytes a
ticket) and the reading process keeps them in sorted runs (`Seen`). A hash seen before
means a repeated id, or (about once in 10^10 reports of a million tickets) two ids with the
same hash: either way the report starts again with the events read whole, where the check
is made on the ids themselves. So a hash never decides a result; it only says when to look
closer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["Hashes", "Repeats", "Seen", "id_hashes"]

Hashes = npt.NDArray[np.uint64]
_BASE = np.uint64(0x100000001B3)  # the 64-bit FNV prime: odd, so no bit is lost
_SLOTS = 1 << 24
"""The bits of `Seen`'s filter (2 MiB)."""


class Repeats(Exception):  # noqa: N818  (not an error: a signal to read the file whole)
    """A block of a streamed tickets file has a ticket id (by its hash) that an earlier
    block has: the report starts again with the events read whole, where each id is
    checked as text (`slacalc.batch._logrun`)."""


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


def _within(run: Hashes, hashes: Hashes) -> bool:
    """Whether any of ``hashes`` is in the sorted ``run``."""
    at = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
    return bool((run[at] == hashes).any())


class Seen:
    """Every hash added so far, held in sorted runs whose sizes at least double from the
    last to the first (a binary counter's), so that each hash is copied a few times in
    all, not once per block; and a filter of `_SLOTS` bits, one set for each hash's top
    bits, so that only the few hashes whose bit is set are looked up in the runs (at a
    million tickets about 6% of the bits are set).

    Example: ``seen.repeats(id_hashes(["T1", "T2"]))`` -> False, then
    ``seen.repeats(id_hashes(["T3", "T1"]))`` -> True.
    """

    def __init__(self) -> None:
        self._runs: list[Hashes] = []
        self._bits = np.zeros(_SLOTS // 8, dtype=np.uint8)

    def repeats(self, hashes: Hashes) -> bool:
        """Whether any of ``hashes`` (sorted) was added before; they are added.

        Boundary rule: a hash twice within ``hashes`` is not a repeat (a block checks its
        own rows). Example: after ``[1, 2]``, ``[2, 3]`` -> True and ``[4, 4]`` -> False.
        """
        slot = hashes >> np.uint64(64 - _SLOTS.bit_length() + 1)
        byte, bit = (slot >> np.uint64(3)).astype(np.intp), np.left_shift(
            1, slot & np.uint64(7)).astype(np.uint8)
        maybe = hashes[(self._bits[byte] & bit) != 0]
        found = bool(len(maybe)) and any(_within(run, maybe) for run in self._runs)
        np.bitwise_or.at(self._bits, byte, bit)
        run = hashes
        while self._runs and len(self._runs[-1]) <= len(run):
            run = np.concatenate([self._runs.pop(), run])
            run.sort(kind="stable")  # two sorted runs: merged in linear time
        if len(run):
            self._runs.append(run)
        return found

    def __len__(self) -> int:
        return sum(map(len, self._runs))
