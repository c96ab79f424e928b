"""The array layouts of the replay over columns: tickets in (`Histories`), verdicts out
(`Verdicts`), one row per ticket; `slacalc.sla._replays` fills them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..engine.timeline import Ints
from ._arrays import Bools

__all__ = ["STATUSES", "Column", "Histories", "Verdicts"]

Column = Sequence[str] | npt.NDArray[np.object_]
"""A column of text, one cell per ticket (a list, or a numpy object array)."""

STATUSES = ("no_target", "running", "paused", "met", "breached", "void")
"""The verdict statuses, indexed by `Verdicts.status`."""


@dataclass(frozen=True, slots=True)
class Histories:
    """Tickets of one plan as arrays, one row per ticket.

    Row ``i`` has ``count[i]`` events to apply (those at or before ``now[i]``), in
    columns ``0 .. count[i] - 1`` of the event matrices, sorted by instant. Priorities
    are indices into ``tuple(plan.priorities)``. ``attributes[name][i]`` (a column per
    attribute, "" where the ticket has none) is read only when a
    target entry has ``when`` conditions.
    """

    priority: Ints
    opened: Ints
    now: Ints
    count: Ints
    code: Ints  # (rows, width): RESPONDED .. CLOSED
    at: Ints  # (rows, width): UTC µs
    position: Ints  # (rows, width): the event's index in the ticket as given
    new: Ints  # (rows, width): PRIORITY: the new priority's index
    flag: Bools  # (rows, width): RESOLVED confirmed; CONTACT answered
    attributes: Mapping[str, Column]


@dataclass(frozen=True, slots=True)
class Verdicts:
    """`slacalc.sla.verdict.judge` of one metric, for every row.

    ``entry`` indexes `Outcome.entries`, ``reason`` `Outcome.reasons`, ``status``
    `STATUSES`. ``due`` holds where ``has_due``; ``length`` and ``elapsed`` where the
    entry has a deadline; the stop where ``stopped``. ``escalations`` (one column per
    threshold of the plan) holds where ``reached``; ``crossed`` is `Verdict.crossed`.
    """

    metric: str
    status: Ints
    priority: Ints
    entry: Ints
    reason: Ints
    due: Ints
    has_due: Bools
    length: Ints
    elapsed: Ints
    stopped: Bools
    stop_at: Ints
    stop_position: Ints
    escalations: Ints  # (rows, thresholds)
    reached: Bools  # (rows, thresholds)
    crossed: Ints
