"""The pool a report's chunks are evaluated by: this process and ``jobs - 1`` workers,
results handed on in input order (`evaluate_all`, `in_order`).

Neither a chunk (its lines, a few MiB) nor a worker's result for it (its CSV text, as
much) goes through the pool's pipes: sent there, it crosses 64 KiB at a time, each time
waiting on a thread of this process that must win the interpreter's lock from the
evaluation this process is busy with, and the worker sits idle for milliseconds a chunk
(3-4 ms for a chunk of 10,000 tickets' events). Each is pickled to a file in a folder of
the pool's own (`_filed`), and only the file's name goes; the side that reads it removes
it (`_from_file`), and the folder goes with the pool.
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
    ``folder``, the chunks and the workers' results go through files there (see the
    module)."""
    # each held chunk's future, and the file its chunk went through (None: not filed)
    pending: deque[tuple[Future[Any], str | None]] = deque()

    def result(future: Future[Any], sent: str | None) -> _Done:
        return cast("_Done", future.result() if sent is None else _from_file(future.result()))

    try:
        for number, item in enumerate(work):
            if number and sum(not future.done() for future, _ in pending) < window:
                sent = None if folder is None else _filed(item, folder)
                pending.append((_submit(pool, function, item, sent, folder), sent))
            else:
                done: Future[Any] = Future()
                done.set_result(function(item))
                pending.append((done, None))
            while pending and (pending[0][0].done() or len(pending) >= window + _AHEAD):
                yield result(*pending.popleft())
        while pending:
            yield result(*pending.popleft())
    finally:  # the chunks still held: cancelled (and their files removed), or the files
        for future, sent in pending:  # of their results removed once written
            if sent is None:
                future.cancel()
            elif future.cancel():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(sent)
            else:
                future.add_done_callback(_removed)


def _removed(future: Future[Any]) -> None:
    """Remove the file of a worker's result that is no longer wanted (if it made one)."""
    if not future.cancelled() and future.exception() is None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(future.result())


def _through_files(function: Callable[[_Work], _Done], sent: str, folder: str) -> str:
    """In a worker: ``function`` of the chunk `_filed` at ``sent`` (that file removed),
    its result `_filed` in ``folder``; the result's file."""
    return _filed(function(cast("_Work", _from_file(sent))), folder)


def _filed(value: object, folder: str) -> str:
    """``value`` pickled into a new file in ``folder``; its path."""
    handle, path = tempfile.mkstemp(suffix=".pickle", dir=folder)
    with os.fdopen(handle, "wb") as file:
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _from_file(path: str) -> object:
    """What `_filed` wrote at ``path``; the file removed."""
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    finally:
        os.unlink(path)


def _submit(pool: ProcessPoolExecutor, function: Callable[[_Work], _Done],
            item: _Work, sent: str | None, folder: str | None) -> Future[Any]:
    """``pool.submit`` (of the chunk `_filed` at ``sent`` through `_through_files`, when
    there is one) with Ctrl-C held back until it returns (where the platform can hold a
    signal): a submit may fork the workers, and a SIGINT that lands during a fork is lost
    (an at-fork hook swallows its KeyboardInterrupt) or leaves the pool half started.
    Held, it is raised once the workers are there, and the report stops."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if hasattr(
        signal, "pthread_sigmask") else None
    try:
        if sent is None or folder is None:
            return pool.submit(function, item)
        return pool.submit(_through_files, function, sent, folder)
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
