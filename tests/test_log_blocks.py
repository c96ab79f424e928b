"""`slacalc.batch._tables.log_blocks`: how an event log held in memory is cut into blocks
of tickets with their events (as `slacalc.frame` evaluates a large one), and when it must
be evaluated whole instead."""

from __future__ import annotations

import pytest

from slacalc.batch._tables import log_blocks


def test_events_in_no_order_are_put_in_block_order_each_keeping_its_own() -> None:
    # T1 and T2 make block 0, T3 block 1. The events name T3, T1, T3: T1's event goes
    # first (position 1), then T3's two in their given order (positions 0 and 2).
    blocks = log_blocks(["T1", "T2", "T3"], ["T3", "T1", "T3"], size=2)
    assert blocks is not None
    assert blocks.order is not None
    assert blocks.order.tolist() == [1, 0, 2]
    assert blocks.tickets == [0, 2, 3]
    assert blocks.events == [0, 1, 3]


def test_events_already_in_block_order_are_not_moved() -> None:
    # Blocks [T1, T2] and [T3]; T2 has no event.
    blocks = log_blocks(["T1", "T2", "T3"], ["T1", "T1", "T3"], size=2)
    assert blocks is not None
    assert blocks.order is None
    assert blocks.events == [0, 2, 3]


@pytest.mark.parametrize(("ids", "events"), [
    (["T1", "T2"], ["T1"]),  # one block at most
    (["T1", "T2", "T1"], ["T1"]),  # a ticket on two rows
    (["T1", " T2", "T3"], ["T1"]),  # a padded id (the whole log strips it)
    (["T1", "", "T3"], ["T1"]),  # a blank id
    (["T1", "T2", "T3"], ["T1", "T9"]),  # an event of no ticket
])
def test_logs_with_faults_are_evaluated_whole(ids: list[str], events: list[str]) -> None:
    assert log_blocks(ids, events, size=2) is None
