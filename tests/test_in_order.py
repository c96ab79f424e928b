"""Chunks evaluated by a pool and by the reading process itself (`in_order`): results in
input order, both processes at work, and the input read only a bounded way ahead."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from slacalc.batch._output import _AHEAD, in_order


def _slow(item: int) -> tuple[int, int]:
    time.sleep(0.01)
    return item, os.getpid()


def test_the_reading_process_evaluates_what_the_pool_has_no_room_for() -> None:
    # One worker with room for one chunk: the first chunk goes to it, the second (the
    # worker still busy, as a fresh process must be) is evaluated here; results come in
    # input order whoever made them, and no more than window + _AHEAD chunks are read
    # ahead of the results handed out.
    read: list[int] = []

    def work() -> Iterator[int]:
        for item in range(30):
            read.append(item)
            yield item

    found: list[tuple[int, int]] = []
    with ProcessPoolExecutor(max_workers=1) as pool:
        for result in in_order(pool, _slow, work(), 1):
            assert len(read) - len(found) <= 1 + _AHEAD
            found.append(result)
    assert [item for item, _ in found] == list(range(30))
    here = [item for item, pid in found if pid == os.getpid()]
    assert 1 in here
    assert 0 not in here
    assert len(here) < 30
