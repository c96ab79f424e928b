"""Result rows: one line per ticket and metric, as text, from the kernel's verdicts.

`RESULT_COLUMNS` is the layout every output (CSV, JSONL, table, `slacalc.frame`) shares.
A verdict (`slacalc.sla.verdict`) in integer µs becomes its row here without a datetime:
due instants are written in the tier calendar's zone (the UTC offset in force there at
that instant, `zone_offsets`), a stop as its event wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo

import numpy as np
import numpy.typing as npt

from ..engine._zone import offset_segments
from ..sla.escalation import percent_text
from ..sla.verdict import Verdict
from ._instants import instant_text

__all__ = ["RESULT_COLUMNS", "Result", "merged", "result_rows", "seconds_text",
           "zone_offsets"]

RESULT_COLUMNS = ("ticket_id", "policy", "tier", "priority", "metric", "status", "target",
                  "due", "stopped_at", "elapsed_seconds", "remaining_seconds",
                  "overrun_seconds", "reason", "at_risk", "next_escalation_at")
Result = tuple[str, str, str, str, str, str, str, str, str, str, str, str, str, str, str]
"""One result row, in the order of `RESULT_COLUMNS`."""


def seconds_text(us: int) -> str:
    """A span of ``us`` microseconds as seconds, the way result rows show it.

    Boundary rule: whole seconds print as an integer, anything else with six decimals.
    Example: ``seconds_text(90_000_000)`` -> ``"90"``; ``seconds_text(1_500_000)`` ->
    ``"1.500000"``.
    """
    if us % 1_000_000:
        return f"{us / 1_000_000:.6f}"
    return str(us // 1_000_000)


def zone_offsets(zone: tzinfo, us: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The UTC offset (µs) ``zone`` is at each instant of ``us`` (µs since the epoch).

    Boundary rule: at a change, the new offset (an instant at the change is after it),
    as ``datetime.fromtimestamp(t, zone)`` says. Example: America/Los_Angeles at
    2026-11-01 09:00Z (02:00 PDT, the clocks go back to 01:00 PST) -> ``-28_800_000_000``
    (-08:00); a second before -> ``-25_200_000_000`` (-07:00).
    """
    if not len(us):
        return np.zeros(0, dtype=np.int64)
    segments = offset_segments(zone, int(us.min()), int(us.max()) + 1)
    starts = np.array([start for start, _, _ in segments], dtype=np.int64)
    offsets = np.array([offset for _, _, offset in segments], dtype=np.int64)
    found: npt.NDArray[np.int64] = offsets[np.searchsorted(starts, us, side="right") - 1]
    return found


def result_rows(ticket_id: str, policy: str, tier: str, verdicts: Sequence[Verdict], *,
                now: int, zone: tzinfo, stop_text: Callable[[int | None], str]) -> list[Result]:
    """The result rows of one ticket's verdicts.

    Boundary rule: ``elapsed`` and ``remaining`` are blank without a target, ``overrun``
    is blank unless breached (then the stop, or ``now``, minus due); ``at_risk`` is the
    highest escalation threshold a running or paused clock has crossed (``75%``), blank
    when none; due instants and ``next_escalation_at`` are written in ``zone`` (the tier
    calendar's), at the offset in force then; ``stop_text(i)`` is event ``i``'s instant
    as written. Example: a met vircom P2 response due Mon 08:00
    EST -> ``(..., "met", "1 business hour", "2026-11-23T08:00:00-05:00", ...)``.
    """
    def shown(moment: int | None) -> str:
        return "" if moment is None else instant_text(
            moment, int(zone_offsets(zone, np.array([moment], dtype=np.int64))[0]))

    rows: list[Result] = []
    for found in verdicts:
        entry = found.entry
        due = shown(found.due)
        escalated = found.escalated
        timed = found.length is not None
        overrun = found.overrun(now)
        rows.append((ticket_id, policy, tier, found.priority, found.metric, found.status,
                     entry.text if entry is not None else "", due,
                     "" if found.stopped is None else stop_text(found.stopped[1]),
                     seconds_text(found.elapsed) if timed else "",
                     "" if found.remaining is None else seconds_text(found.remaining),
                     "" if overrun is None else seconds_text(overrun), found.reason,
                     "" if escalated is None else percent_text(escalated),
                     shown(found.next_escalation)))
    return rows


def merged(columns: list[list[str]], fast: npt.NDArray[np.bool_],
           done: Mapping[int, list[Result]]) -> list[list[str]]:
    """The result columns of a chunk in input order: ``columns`` holds the rows of the
    tickets where ``fast`` (one per metric each, in order), ``done[i]`` those of ticket
    ``i`` evaluated singly (a ticket in neither failed).

    Example: fast ``[True, False]``, ``done == {1: rows}`` -> the fast ticket's two rows,
    then ``rows``.
    """
    if not done:
        return columns
    rows: list[Result] = []
    quick = list(zip(*columns, strict=True))
    taken = 0
    width = 2  # result rows per ticket: response, resolution
    for index, is_fast in enumerate(fast.tolist()):
        if is_fast:
            rows += quick[taken:taken + width]
            taken += width
        else:
            rows += done.get(index, [])
    if not rows:
        return [[] for _ in RESULT_COLUMNS]
    return [list(column) for column in zip(*rows, strict=True)]
