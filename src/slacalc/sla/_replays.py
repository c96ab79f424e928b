"""The replay over arrays: `slacalc.sla.replay.Replay` for every ticket of one or more
plans (rules read per row, `slacalc.sla._rules`; targets chosen per row,
`slacalc.sla._choices`).

`Replays` holds each ticket's clocks as rows of arrays (`slacalc.sla._arrays.Clocks`) and
applies event ``j`` of every ticket in one step, through the array forms of the scalar
replay's functions, method for method (`stop`, `make_void`, `resume_paused`, `apply`,
`_wait_on_customer`, `_change_priority`, `_close`, `due`, `breached_at`,
`within_response`, `escalations`, and `judge` for the verdict). The entry and reason
tables (`slacalc.sla._entries.Tables`) are what verdict indices point into; the layouts
in and out (`Histories`, `Verdicts`) live in `slacalc.sla._layouts`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..engine.timeline import Ints, RealTime, Timeline
from ..errors import TicketError
from ._arrays import Bools, Clocks, business_elapsed, reach, runs
from ._choices import Choices
from ._entries import Tables
from ._layouts import STATUSES, Column, Histories, Verdicts
from ._rules import rule_columns
from .escalation import threshold_columns
from .events import TIER
from .plan import AWAIT_PAUSE, AWAIT_VOID, METRICS, Plan
from .replay import CONTACT, PRIORITY, REOPENED, REPLIED, RESOLVED, RESPONDED, WAITING, WORKAROUND

__all__ = ["STATUSES", "Column", "Histories", "Replays", "Verdicts"]

_NO_TARGET, _RUNNING, _PAUSED, _MET, _BREACHED, _VOID = range(6)  # `STATUSES`' indices


class Replays:
    """`slacalc.sla.replay.Replay` over arrays: the state of every row, row ``i`` a ticket
    of ``plans[which[i]]`` (its priorities indices into that plan's), each plan's rules
    read per row (`RuleColumns`). The plans share their escalation thresholds."""

    def __init__(self, plans: Sequence[Plan], which: Ints, tickets: Histories,
                 tables: Tables) -> None:
        if (tickets.code == TIER).any():  # another plan: `replay_columns` routes them out
            raise TicketError("tier_changed: the arrays keep a ticket on its plan; replay it "
                              "singly")
        self.escalation = plans[0].escalation  # every plan's (`replay_columns` checks)
        self.rules = rule_columns(plans, which)
        self.tickets = tickets
        self.tables = tables
        self.choices = Choices(plans, which, tickets, tables)
        width = tickets.code.shape[1] + 2  # each event opens at most one span
        rows = np.arange(len(tickets.opened))
        self.clocks = tuple(Clocks(width, tickets.priority,
                                   self.choose(metric, tickets.priority, rows), tickets.opened)
                            for metric in range(len(METRICS)))
        self.unanswered = np.zeros(len(rows), dtype=np.int64)
        for clock in self.clocks:  # every row's first due in one call per timeline, not
            for timeline, mine in self.by_clock(clock, rows):  # one per step that asks
                self.first_due(clock, timeline, mine)

    def choose(self, metric: int, priority: Ints, rows: Ints) -> Ints:
        """The entry item each of ``rows`` takes for ``metric`` at ``priority`` (aligned
        with ``rows``): `Choices.choose`."""
        return self.choices.choose(metric, priority, rows)

    # -- clocks (`Replay.due`, `Replay.breached_at`) ---------------------------------------

    def by_clock(self, clock: Clocks, rows: Ints) -> list[tuple[Timeline | RealTime, Ints]]:
        """Positions in ``rows`` grouped by the clock their entry in force runs on (no
        deadline: left out). Rows of different entries on one timeline share a group."""
        timed, _ = self.tables.flags()
        timing = self.tables.timing()
        entry = clock.entry[rows]
        at = np.flatnonzero(timed[entry])
        if not len(at):
            return []
        return [(timing.timelines[key], at[positions])
                for key, positions in runs(timing.number[entry[at]])]

    def first_due(self, clock: Clocks, timeline: Timeline | RealTime, rows: Ints) -> Ints:
        """`Replay.first_due` of each of ``rows``, all on ``timeline``: `Entry.first_due`
        of its origin, worked out once per row until its entry or origin changes."""
        known = clock.first_known[rows]
        if not known.all():
            todo = rows[~known]
            timing = self.tables.timing()
            entry = clock.entry[todo]
            origin = clock.origin[todo]
            relative = timing.relative[entry]
            first = np.zeros(len(todo), dtype=np.int64)
            plain = np.flatnonzero(~relative)
            if len(plain):
                first[plain] = timeline.shift(origin[plain], timing.length[entry[plain]])
            for index in np.flatnonzero(relative).tolist():
                item = self.tables.entries[int(entry[index])]
                assert item is not None
                first[index] = item.first_due(int(origin[index]))
            clock.first[todo] = first
            clock.first_known[todo] = True
        found: Ints = clock.first[rows]
        return found

    def due(self, clock: Clocks, rows: Ints, resumed_at: Ints | None) -> tuple[Ints, Bools]:
        """`Replay.due` of each of ``rows`` (``resumed_at`` aligned with them, or None): the
        due instant, and whether there is one."""
        due = np.zeros(len(rows), dtype=np.int64)
        has = np.zeros(len(rows), dtype=bool)
        if not len(rows):
            return due, has
        for timeline, at in self.by_clock(clock, rows):
            mine = rows[at]
            spans = clock.running_spans(mine, None if resumed_at is None else resumed_at[at])
            due[at], has[at] = reach(timeline, self.first_due(clock, timeline, mine),
                                     clock.origin[mine], spans)
        return due, has

    def escalations(self, clock: Clocks, rows: Ints, lengths: Ints) -> tuple[Ints, Bools]:
        """`Replay.escalations` of each of ``rows``, ``lengths[i, k]`` being threshold
        ``k``'s length for ``rows[i]``: the instants (a column per threshold), and whether
        each is known (the scalar's None is ``False``)."""
        width = len(self.escalation)
        at = np.zeros((len(rows), width), dtype=np.int64)
        known = np.zeros((len(rows), width), dtype=bool)
        for timeline, where in self.by_clock(clock, rows):
            mine = rows[where]
            spans = clock.running_spans(mine, None)
            origin = clock.origin[mine]
            for k in range(width):
                at[where, k], known[where, k] = reach(
                    timeline, timeline.shift(origin, lengths[where, k]), origin, spans)
        return at, known

    def breached_at(self, clock: Clocks, rows: Ints, moment: Ints) -> Bools:
        """`Replay.breached_at` of each of ``rows`` at ``moment`` (aligned with them): a
        clock not running is taken to resume at ``moment``."""
        due, has = self.due(clock, rows, moment)
        late: Bools = has & (moment > due)
        return late

    def within_response(self, rows: Ints, moment: Ints) -> Bools:
        """`Replay.within_response` of each of ``rows`` at ``moment`` (aligned with them):
        at or before the response clock's due, a clock that ended taken to run on from its
        end.

        Boundary rule: exactly at due is within; a row without a response deadline is
        within. Example: vircom P2 rows opened Mon 17:30 (due Tue 08:00), moments Tue 08:00
        and Tue 08:01 -> ``[True, False]``.
        """
        response = self.clocks[0]
        end = np.where(response.stopped[rows], response.stop_at[rows],
                       np.where(response.void[rows], response.void_at[rows], moment))
        due, has = self.due(response, rows, end)
        inside: Bools = ~has | (moment <= due)
        return inside

    # -- what events do (`Replay.apply`) ---------------------------------------------------

    def stop(self, clock: Clocks, rows: Ints, step: int, why: str) -> None:
        rows = clock.active(rows)
        if not len(rows):
            return
        at = self.tickets.at[:, step]
        clock.halt(rows, at)
        clock.stopped[rows] = True
        clock.stop_at[rows] = at[rows]
        clock.stop_position[rows] = self.tickets.position[rows, step]
        clock.stop_why[rows] = self.tables.reason(why)

    def make_void(self, clock: Clocks, rows: Ints, step: int, reason: Ints) -> None:
        """Void the active ones of ``rows``, each for the reason ``reason[row]``."""
        rows = clock.active(rows)
        if not len(rows):
            return
        at = self.tickets.at[:, step]
        clock.halt(rows, at)
        clock.void[rows] = True
        clock.void_at[rows] = at[rows]
        clock.void_why[rows] = reason[rows]

    def resume_paused(self, rows: Ints, step: int) -> None:
        for clock in self.clocks:
            mine = clock.active(rows)
            mine = mine[clock.paused[mine]]
            clock.paused[mine] = False
            clock.resume(mine, self.tickets.at[:, step])

    def apply(self, code: int, rows: Ints, step: int) -> None:
        """Apply event ``step`` of ``rows``, all of kind ``code`` (`Replay.apply`)."""
        response, resolution = self.clocks
        at = self.tickets.at[:, step]
        if code == RESPONDED:
            self.stop(response, rows, step, "responded")
        elif code == WAITING:
            self._wait_on_customer(rows, step)
        elif code == REPLIED:
            self.resume_paused(rows, step)
        elif code == PRIORITY:
            self._change_priority(rows, step)
        elif code == WORKAROUND:
            _, stops = self.tables.flags()
            for clock in self.clocks:
                mine = clock.active(rows)
                self.stop(clock, mine[stops[clock.entry[mine]]], step, "workaround")
        elif code == RESOLVED:
            rows = rows[~self.rules.confirmation[rows] | self.tickets.flag[rows, step]]
            self.stop(response, rows, step, "resolved")
            self.stop(resolution, rows, step, "resolved")
        elif code == REOPENED:
            self.resume_paused(rows, step)
            mine = rows[resolution.stopped[rows] & ~resolution.void[rows]]
            resolution.stopped[mine] = False
            resolution.resume(mine, at)
        elif code == CONTACT:
            answered = self.tickets.flag[rows, step]
            self.unanswered[rows] = np.where(answered, 0, self.unanswered[rows] + 1)
        else:  # CLOSED
            self._close(rows, step)

    def _wait_on_customer(self, rows: Ints, step: int) -> None:
        awaiting = self.rules.awaiting[rows]
        at = self.tickets.at[:, step]
        pausing = rows[awaiting == AWAIT_PAUSE]
        if len(pausing):
            for metric, clock in enumerate(self.clocks):
                mine = clock.running(pausing[self.rules.paused[pausing, metric]])
                clock.halt(mine, at)
                clock.paused[mine] = True
        rows = rows[awaiting == AWAIT_VOID]
        if not len(rows):
            return
        inside = ~self.rules.void_within_response[rows]  # else: no void after the first
        check = np.flatnonzero(~inside)  # reaction time, so ask whether it is within it
        inside[check] = self.within_response(rows[check], at[rows[check]])
        self.stop(self.clocks[0], rows, step, "reached out; customer unavailable")
        why = np.full(len(at), self.tables.reason("customer not available"), dtype=np.int64)
        for clock in self.clocks:
            mine = clock.active(rows[inside])
            self.make_void(clock, mine[~self.breached_at(clock, mine, at[mine])], step, why)

    def _change_priority(self, rows: Ints, step: int) -> None:
        new = self.tickets.new[:, step]
        at = self.tickets.at[:, step]
        for metric, clock in enumerate(self.clocks):
            mine = clock.active(rows)
            paused = ~clock.open[mine]
            clock.priority[mine] = new[mine]
            clock.entry[mine] = self.choose(metric, new[mine], mine)
            clock.first_known[mine] = False
            restart = self.rules.restart[mine]
            paused, mine = paused[restart], mine[restart]
            clock.origin[mine] = at[mine]
            clock.spans[mine] = np.where(paused, 0, 1)
            clock.starts[mine, 0] = at[mine]
            clock.open[mine] = ~paused

    def _close(self, rows: Ints, step: int) -> None:
        at = self.tickets.at[:, step]
        limited = self.rules.limited[rows] & (self.unanswered[rows]
                                              >= self.rules.close_after[rows])
        if limited.any():
            given_up = rows[limited]
            why = np.zeros(len(at), dtype=np.int64)
            for count in np.unique(self.unanswered[given_up]).tolist():
                why[given_up[self.unanswered[given_up] == count]] = self.tables.reason(
                    f"closed after {count} unanswered contact attempts")
            for clock in self.clocks:
                self.make_void(clock, given_up, step, why)
            rows = rows[~limited]
        self.stop(self.clocks[1], rows, step, "closed")
        first = np.full(len(at), self.tables.reason("ticket closed first"), dtype=np.int64)
        for clock in self.clocks:
            mine = clock.active(rows)
            if not len(mine):
                continue
            late = self.breached_at(clock, mine, at[mine])
            self.stop(clock, mine[late], step, "closed")
            self.make_void(clock, mine[~late], step, first)

    # -- verdicts (`judge`) ----------------------------------------------------------------

    def judge(self, metric: int) -> Verdicts:
        """`slacalc.sla.verdict.judge` of ``metric`` for every row."""
        clock = self.clocks[metric]
        tickets = self.tickets
        count = len(tickets.opened)
        status = np.full(count, _NO_TARGET, dtype=np.int64)
        reasons = np.array([self.tables.reason(entry.reason if entry is not None else missing)
                            for entry, missing in zip(self.tables.entries, self.tables.missing,
                                                      strict=True)], dtype=np.int64)
        reason = reasons[clock.entry]
        length, elapsed = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
        until = np.where(clock.stopped, clock.stop_at, np.where(clock.void, clock.void_at,
                                                                tickets.now))
        timing = self.tables.timing()
        for timeline, rows in self.by_clock(clock, np.arange(count)):
            entry = clock.entry[rows]
            length[rows] = timing.length[entry]
            relative = rows[timing.relative[entry]]
            if len(relative):
                length[relative] = timeline.between(
                    clock.origin[relative], self.first_due(clock, timeline, relative))
            elapsed[rows] = business_elapsed(timeline, clock.spans_of(rows), until[rows])
        timed, _ = self.tables.flags()
        void = timed[clock.entry] & clock.void
        status[void] = _VOID
        reason[void] = clock.void_why[void]
        live = np.flatnonzero(timed[clock.entry] & ~clock.void)
        due, has_due = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=bool)
        due[live], has_due[live] = self.due(clock, live, None)
        stopped = np.zeros(count, dtype=bool)
        stopped[live] = clock.stopped[live]
        late = has_due & (np.where(stopped, clock.stop_at, tickets.now) > due)
        paused = np.zeros(count, dtype=bool)
        paused[live] = ~clock.stopped[live] & ~clock.open[live]
        running = np.zeros(count, dtype=bool)
        running[live] = ~clock.stopped[live] & clock.open[live]
        status[stopped] = np.where(late[stopped], _BREACHED, _MET)
        reason[stopped] = clock.stop_why[stopped]
        status[paused] = np.where(late[paused], _BREACHED, _PAUSED)
        reason[paused] = self.tables.reason("waiting on the customer")
        status[running] = np.where(late[running], _BREACHED, _RUNNING)
        reason[running] = 0
        shares = self.escalation
        lengths = np.zeros((count, len(shares)), dtype=np.int64)
        for k, column in enumerate(threshold_columns(shares, length)):
            lengths[:, k] = column
        escalations = np.zeros((count, len(shares)), dtype=np.int64)
        reached = np.zeros((count, len(shares)), dtype=bool)
        if shares and len(live):
            escalations[live], reached[live] = self.escalations(clock, live, lengths[live])
        at_risk = (status == _RUNNING) | (status == _PAUSED)
        crossed = np.where(at_risk, (elapsed[:, np.newaxis] >= lengths).sum(axis=1), 0)
        return Verdicts(METRICS[metric], status, clock.priority, clock.entry.copy(), reason,
                        due, has_due, length, elapsed, stopped, clock.stop_at.copy(),
                        clock.stop_position.copy(), escalations, reached,
                        crossed.astype(np.int64))
