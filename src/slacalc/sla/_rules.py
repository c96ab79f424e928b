"""Each row's event rules as columns: `Plan.rules` of the row's plan, so that the replay
over arrays (`slacalc.sla._replays.Replays`) takes the tickets of several plans at once
and reads, row by row, the rule the scalar replay reads from its plan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ..engine.timeline import Ints
from ._arrays import Bools
from .plan import Plan

__all__ = ["RuleColumns", "rule_columns"]


class RuleColumns(NamedTuple):
    """`slacalc.sla.plan.Rules`, one row per ticket."""

    awaiting: Ints  # AWAIT_IGNORE, AWAIT_PAUSE or AWAIT_VOID
    paused: Bools  # (rows, 2): with pause, whether each metric's clock stops
    restart: Bools  # a priority change restarts the clocks
    confirmation: Bools  # a resolution counts only when confirmed
    limited: Bools  # a close after too many unanswered contact attempts voids...
    close_after: Ints  # ... after this many (read where ``limited``)
    void_within_response: Bools  # with void: only a reach-out by the response due voids


def rule_columns(plans: Sequence[Plan], which: Ints) -> RuleColumns:
    """The rules of ``plans[which[i]]`` in row ``i``.

    Example: plans vircom (void) and cloudmark (ignore), ``which = [1, 0]`` ->
    ``awaiting = [AWAIT_IGNORE, AWAIT_VOID]``.
    """
    rules = [plan.rules for plan in plans]

    def flag(values: list[bool]) -> Bools:
        found: Bools = np.array(values, dtype=bool)[which]
        return found

    def number(values: list[int]) -> Ints:
        found: Ints = np.array(values, dtype=np.int64)[which]
        return found

    return RuleColumns(
        number([rule.awaiting for rule in rules]),
        np.array([rule.paused for rule in rules], dtype=bool).reshape(len(rules), 2)[which],
        flag([rule.restart for rule in rules]),
        flag([rule.confirmation for rule in rules]),
        flag([rule.close_after is not None for rule in rules]),
        number([rule.close_after or 0 for rule in rules]),
        flag([rule.void_within_response for rule in rules]))
