"""The pool a report's chunks are evaluated by: this process and ``jobs - 1`` workers,
results handed on in input order (`evaluate_all`, `in_order`).

A worker's result for a chunk (its CSV text, a few MiB) does not come back through the
pool's pipe: sent there, the worker waits at each pipe-full (64 KiB) for this process to
read on, and this process is busy evaluating chunks of its own, so the worker sits idle
for milliseconds a chunk. The worker writes it to a file in a folder of the pool's own
(`_to_file`), and only the file's name comes back; this process reads it back when it is
the result's turn and removes it (`_from_file`); the folder goes with the pool.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar, cast

__all__ = ["evaluate_all", "ignore_interrupts", "in_order"]

_Work = TypeVar("_Work")
_Done = TypeVar("_Done")  # what a worker sends back for a chunk: usually `Done`
_AHEAD = 12
"""Chunks this process may hold past the pool's window, evaluated while a worker's
earlier chunk is unfinished (`in_order`). With one worker on 2 cores, 1,000,000 tickets'
event log: 6.3-6.8 s wall with 8 held, 6.7-7.0 s with 6 (this process then waited); once
the chunks got quicker, 3.72-3.84 s with 14 held against 3.71-4.01 s with 8 (five
interleaved runs each, 2026-12-01), for a few MiB more held."""


def ignore_interrupts() -> None:
    """A worker process's start: Ctrl-C is the parent's to handle (it stops the report
    and says so once), not each worker's to print a traceback for."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def evaluate_all(function: Callable[[_Work], _Done], work: Iterator[_Work], jobs: int,
                 take: Callable[[Iterator[_Done]], None]) -> None:
    """Evaluate every chunk of ``work`` with ``function`` in ``jobs`` processes (this one
    and ``jobs - 1`` workers: `in_order`) and hand the results to ``take`` in input order
    (usually `collect`; the workers stop when it returns or raises)."""
    if jobs <= 1:
        take(map(function, work))
        return
    with tempfile.TemporaryDirectory(prefix="slacalc-") as folder:
        pool = ProcessPoolExecutor(max_workers=jobs - 1, initializer=ignore_interrupts)
        try:
            take(in_order(pool, function, work, 2 * (jobs - 1), folder))
        finally:
            pool.shutdown(cancel_futures=True)  # (before the folder goes)


def in_order(pool: ProcessPoolExecutor, function: Callable[[_Work], _Done],
             work: Iterator[_Work], window: int, folder: str | None = None
             ) -> Iterator[_Done]:
    """Results in input order. The first chunk is evaluated in this process, so that
    the workers, forked at the first submit, start with what it compiled (the policies,
    their calendars' years). Then a chunk goes to the pool while fewer than ``window`` of
    its chunks are unfinished there; otherwise this process evaluates it itself (it reads
    the input and writes the results, and would be idle the rest of the time), so the
    workers are always fed and no core waits. At most ``window + _AHEAD`` chunks are held
    (waiting for an earlier worker's result): the input is read only as fast as it is
    evaluated, so memory stays flat (``Executor.map`` would read it all first). With a
    ``folder``, the workers' results come through files there (see the module)."""
    pending: deque[tuple[Future[Any], bool]] = deque()  # and whether a file holds it

    def result(future: Future[Any], filed: bool) -> _Done:
        return cast("_Done", _from_file(future.result()) if filed else future.result())

    try:
        for number, item in enumerate(work):
            if number and sum(not future.done() for future, _ in pending) < window:
                pending.append((_submit(pool, function, item, folder), folder is not None))
            else:
                done: Future[Any] = Future()
                done.set_result(function(item))
                pending.append((done, False))
            while pending and (pending[0][0].done() or len(pending) >= window + _AHEAD):
                yield result(*pending.popleft())
        while pending:
            yield result(*pending.popleft())
    finally:  # the chunks still held: cancelled, or their files removed once written
        for future, filed in pending:
            if not future.cancel() and filed:
                future.add_done_callback(_removed)


def _removed(future: Future[Any]) -> None:
    """Remove the file of a worker's result that is no longer wanted (if it made one)."""
    if not future.cancelled() and future.exception() is None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(future.result())


def _to_file(function: Callable[[_Work], _Done], item: _Work, folder: str) -> str:
    """``function(item)`` pickled into a new file in ``folder``; its path."""
    done = function(item)
    handle, path = tempfile.mkstemp(suffix=".pickle", dir=folder)
    with os.fdopen(handle, "wb") as file:
        pickle.dump(done, file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _from_file(path: str) -> object:
    """What `_to_file` wrote at ``path``; the file removed."""
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    finally:
        os.unlink(path)


def _submit(pool: ProcessPoolExecutor, function: Callable[[_Work], _Done],
            item: _Work, folder: str | None) -> Future[Any]:
    """``pool.submit`` (through `_to_file` with a ``folder``) with Ctrl-C held back until
    it returns (where the platform can hold a signal): a submit may fork the workers, and
    a SIGINT that lands during a fork is lost (an at-fork hook swallows its
    KeyboardInterrupt) or leaves the pool half started. Held, it is raised once the
    workers are there, and the report stops."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if hasattr(
        signal, "pthread_sigmask") else None
    try:
        if folder is None:
            return pool.submit(function, item)
        return pool.submit(_to_file, function, item, folder)
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
