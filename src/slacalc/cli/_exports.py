"""The commands that read exports: ``report`` (a ticket export, an event log, or a help
desk's folder with ``--from``), ``convert`` and ``audit`` (a help desk's folder)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from ..batch._header import check_outputs
from ..batch._logrun import run_log_report
from ..batch._run import run_report
from ..sources import ADAPTERS, STREAMS
from ..sources._audit_run import audit_folder
from ..sources._report import desk_mapping, run_desk_report, write_converted
from ._clock import given_or_now
from ._names import UsageError

__all__ = ["MAX_JOBS", "audit", "convert", "report"]

MAX_JOBS = 64
"""The most worker processes ``report --jobs`` starts (each holds its own policies)."""


def _suffix(start: bytes) -> str:
    """The kind of a stream from its first bytes: Parquet, gzip (a gzipped CSV), JSONL
    (a line starting with ``{``) or CSV."""
    if start.startswith(b"PAR1"):
        return ".parquet"
    if start.startswith(b"\x1f\x8b"):
        return ".csv.gz"
    return ".jsonl" if start.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{" else ".csv"


def _readable(name: str, stack: ExitStack) -> tuple[Path, str]:
    """The file to read for the input ``name`` and its name in messages: the file itself,
    or, for ``-`` (standard input) and a stream (``/dev/stdin``, a pipe), a temporary copy
    removed when ``stack`` closes (a report reads its input by name; the copy's kind is
    told from its first bytes)."""
    path = Path(name)
    if name != "-":
        if not path.exists():
            raise UsageError(f"no such file: {name}")
        if path.is_dir():
            raise UsageError(f"{name} is a folder; name a file")
        if path.is_file():
            return path, str(path)
    source = sys.stdin.buffer if name == "-" else stack.enter_context(path.open("rb"))
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="slacalc-")))
    start = source.read(65_536)
    copy = folder / f"stdin{_suffix(start)}"
    with copy.open("wb") as handle:
        handle.write(start)
        shutil.copyfileobj(source, handle)
    return copy, "stdin" if name == "-" else name


def report(args: argparse.Namespace) -> int:
    now = given_or_now(args.now, "--now")
    if args.jobs < 1:
        raise UsageError(f"--jobs: expected a positive number, got {args.jobs}")
    if args.jobs > MAX_JOBS:
        raise UsageError(f"--jobs: at most {MAX_JOBS} worker processes, got {args.jobs}")
    if args.format == "parquet" and not args.output:
        raise UsageError("--format parquet writes a file: give -o results.parquet")
    if args.source or args.mapping:
        return _desk_report(args, now)
    if args.tickets == "-" and args.events == "-":
        raise UsageError("only one of the tickets and the events can be read from standard "
                         "input")
    given = [Path(name) for name in (args.tickets, args.events)
             if name is not None and name != "-"]
    check_outputs([path for path in given if path.exists()],
                  {"-o": args.output, "--errors": args.errors, "--html": args.html})
    options = {"policy": args.policy, "now": now, "output_format": args.format,
               "output": args.output, "errors": args.errors, "jobs": args.jobs,
               "raw_csv": args.raw_csv, "html": args.html, "at_risk": args.at_risk}
    with ExitStack() as stack:
        tickets, tickets_name = _readable(args.tickets, stack)
        if args.events is not None:
            events, events_name = _readable(args.events, stack)
            return run_log_report(tickets, events, labels=(tickets_name, events_name),
                                  **options)
        return run_report(tickets, label=tickets_name, **options)


def _desk_report(args: argparse.Namespace, now: datetime) -> int:
    """``report --from DESK FOLDER``: the desk's export converted (slacalc.sources)."""
    if not args.source:
        raise UsageError("--mapping needs --from DESK")
    if args.events is not None or args.html:
        raise UsageError(f"--from reads the desk's folder whole: no "
                         f"{'--events' if args.events is not None else '--html'} with it")
    return run_desk_report(STREAMS[args.source], Path(args.tickets),
                           desk_mapping(args.source, args.mapping), policy=args.policy,
                           now=now, output_format=args.format, output=args.output,
                           errors=args.errors, jobs=args.jobs, raw_csv=args.raw_csv,
                           at_risk=args.at_risk)


def convert(args: argparse.Namespace) -> int:
    now = given_or_now(args.now, "--now")
    return write_converted(STREAMS[args.source], Path(args.folder),
                           desk_mapping(args.source, args.mapping), Path(args.output), now)


def audit(args: argparse.Namespace) -> int:
    now = given_or_now(args.now, "--now")
    return audit_folder(ADAPTERS[args.source], args.folder, mapping=args.mapping, now=now,
                        output=args.output, policy=args.policy, raw_csv=args.raw_csv)
