"""Chunks evaluated by a pool and by the reading process itself (`in_order`): results in
input order, both processes at work, and the input read only a bounded way ahead."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import pytest

from slacalc.batch._pool import _AHEAD, evaluate_all, in_order


def _slow(item: int) -> tuple[int, int]:
    time.sleep(0.01)
    return item, os.getpid()


def test_the_reading_process_evaluates_what_the_pool_has_no_room_for() -> None:
    # One worker with room for one chunk: the first chunk is evaluated here (a worker
    # forked after it starts with what it compiled), the second goes to the worker, the
    # third (the worker still busy, as a fresh process must be) is evaluated here; results
    # come in input order whoever made them, and no more than window + _AHEAD chunks are
    # read ahead of the results handed out.
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
    assert 0 in here
    assert 1 not in here
    assert 2 in here
    assert len(here) < 30


_SEEN: dict[str, bool] = {}


def _warmed(item: int) -> tuple[int, bool]:
    """The item, and whether this process had evaluated a chunk (or was forked from one
    that had) before this one."""
    before = _SEEN.get("warm", False)
    _SEEN["warm"] = True
    time.sleep(0.01)
    return item, before


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="workers inherit this process's memory only when forked")
def test_a_worker_starts_with_what_the_first_chunk_compiled() -> None:
    # The first chunk is evaluated here before any worker exists; the worker, forked at
    # the first submit, inherits the warm state: even its first chunk finds it.
    _SEEN.clear()
    with ProcessPoolExecutor(max_workers=1) as pool:
        found = list(in_order(pool, _warmed, iter(range(6)), 1))
    assert [item for item, _ in found] == list(range(6))
    assert found[0] == (0, False)  # (evaluated here, the first of all)
    assert all(before for _, before in found[1:])


def test_a_workers_results_come_through_files_that_are_removed(tmp_path: Path) -> None:
    # With a folder, each chunk sent to a worker is a file there until the worker reads
    # it, and each worker's result until it is handed out: the results are the same, in
    # order, and no file is left, also when the reader stops early (the chunks still
    # held are cancelled or their files removed).
    with ProcessPoolExecutor(max_workers=1) as pool:
        found = list(in_order(pool, _slow, iter(range(12)), 2, str(tmp_path)))
        assert [item for item, _ in found] == list(range(12))
        assert {pid for _, pid in found} - {os.getpid()}  # (the worker made some)
        assert list(tmp_path.iterdir()) == []
        results = in_order(pool, _slow, iter(range(12)), 2, str(tmp_path))
        assert [next(results)[0] for _ in range(3)] == [0, 1, 2]
        results.close()
    assert list(tmp_path.iterdir()) == []


def test_evaluate_all_leaves_no_folder_behind(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool's folder for the workers' results is made in the temporary directory and
    # removed with the pool: after a whole run, and after a reader that stops with an
    # error half way.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    found: list[tuple[int, int]] = []
    evaluate_all(_slow, iter(range(8)), 2, found.extend)
    assert [item for item, _ in found] == list(range(8))
    assert list(tmp_path.iterdir()) == []

    def stop(results: Iterator[tuple[int, int]]) -> None:
        for item, _ in results:
            if item == 3:
                raise RuntimeError("the reader stops")

    with pytest.raises(RuntimeError, match="the reader stops"):
        evaluate_all(_slow, iter(range(20)), 2, stop)
    assert list(tmp_path.iterdir()) == []


class _Stalled:
    """A pool whose chunks never finish: each submit gives a pending future."""

    def __init__(self) -> None:
        self.futures: list[Future[object]] = []
        self.arguments: list[tuple[object, ...]] = []

    def submit(self, *arguments: object) -> Future[object]:
        future: Future[object] = Future()
        self.futures.append(future)
        self.arguments.append(arguments)
        return future


@pytest.mark.parametrize("filed", [False, True])
def test_the_chunks_still_held_when_reading_fails_are_cancelled(filed: bool,
                                                               tmp_path: Path) -> None:
    # The first chunk is evaluated here and handed out; the next two go to the pool
    # (window 2), which never finishes them; then reading the input fails. Both pool
    # chunks are cancelled, whether or not they went through files, and their files are
    # removed.
    def work() -> Iterator[int]:
        yield from (-1, -2, -3)
        raise RuntimeError("the input cannot be read")

    pool = _Stalled()
    folder = str(tmp_path) if filed else None
    results = in_order(pool, abs, work(), 2, folder)  # type: ignore[arg-type]
    assert next(results) == 1
    with pytest.raises(RuntimeError, match="cannot be read"):
        next(results)
    assert len(pool.futures) == 2
    assert all(future.cancelled() for future in pool.futures)
    if filed:  # (`_through_files`, the function, the chunk's file, the folder)
        assert [Path(str(arguments[2])).parent for arguments in pool.arguments] == [
            tmp_path, tmp_path]
    else:
        assert [arguments[1:] for arguments in pool.arguments] == [(-2,), (-3,)]
    assert list(tmp_path.iterdir()) == []
