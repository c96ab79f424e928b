"""A replayed ticket's history as datetimes: the steps, spans and pauses explanations show.

`Policy.evaluate` replays a ticket without keeping its history (the report's statuses and
instants do not need it). `History` keeps what it takes to replay it again, and does so,
with the history kept, the first time an explanation, a timeline or a picture asks for
the steps. The replay is deterministic, so the steps are those the first replay went
through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Protocol

from ..engine import BusinessCalendar
from ..engine._zone import instant_us, to_datetime
from .plan import METRICS
from .replay import Happening, Replay, replay
from .ticket import Ticket

__all__ = ["History", "HistoryClock", "HistoryStep", "PolicyView"]


class PolicyView(Protocol):
    """What a report reads of the policy it came from (`slacalc.Policy` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def vendor(self) -> str: ...
    def calendar(self, name: str) -> BusinessCalendar: ...


class HistoryClock:
    """A metric clock's spans and pauses as datetimes, for explanations."""

    __slots__ = ("pauses", "spans")

    def __init__(self, spans: list[list[datetime | None]],
                 pauses: list[tuple[datetime, int, datetime | None, int | None]]) -> None:
        self.spans = spans
        self.pauses = pauses


class HistoryStep:
    """One step of the history, at a datetime."""

    __slots__ = ("at", "detail", "effects", "index", "kind")

    def __init__(self, at: datetime, index: int | None, kind: str, detail: str,
                 effects: dict[str, str]) -> None:
        self.at = at
        self.index = index
        self.kind = kind
        self.detail = detail
        self.effects = effects


class History:
    """A replay seen at the edge: every instant a datetime (an event's own, as written;
    any other in the opening's zone), for explanations, timelines and pictures.

    ``state`` may have been replayed without its steps (``trace=False``): ``steps`` then
    replays ``events`` again from the opening ``priority``, with them, on first access.
    """

    def __init__(self, state: Replay, policy: PolicyView, ticket: Ticket, now: datetime,
                 moment: Callable[[int | None], datetime], *, priority: str,
                 events: list[Happening]) -> None:
        self.policy = policy
        self.ticket = ticket
        self.tier = ticket.tier
        self.priority = state.priority
        plan = state.opening  # a tier change keeps the opening tier's zone for display
        self.names: Mapping[str, str] = plan.names
        self.zone: tzinfo = plan.zone
        self.version = plan.version
        self.now = now
        self._state = state
        self._moment = moment  # an event's own datetime by index (None: the opening)
        self._opening_priority = priority
        self._events = events

    def instant(self, us: int, index: int | None = None) -> datetime:
        """``us`` as a datetime: event ``index``'s own when it is that event's instant.

        Boundary rule: only an exact match (same µs) shows the event's own datetime;
        anything else is shown in the opening's tzinfo. Example: opened 09:00-05:00, an
        event written 15:00Z at that instant -> the event's ``15:00Z``; one µs later ->
        ``10:00:00.000001-05:00``.
        """
        if index is not None or us == self._state.opened:
            own = self._moment(index)
            if instant_us(own) == us:
                return own
        tz = self.ticket.opened_at.tzinfo
        assert tz is not None
        return to_datetime(us, tz)

    @cached_property
    def steps(self) -> list[HistoryStep]:
        """The history: the opening, then each applied event and what it did to each clock.

        Boundary rule: the same events up to the same ``now`` as the report's replay (a
        second replay, with the history kept, when the first did not keep it). Example:
        P3 opened 09:00, priority_changed to P2 at 09:10 -> two steps, ``opened`` and
        ``priority_changed`` with detail ``P3 -> P2``.
        """
        state = self._state
        found = state.steps
        if found is None:
            found = replay(state.opening, self._opening_priority, state.opened, state.attributes,
                           self._events, now=state.now, trace=True).steps
            assert found is not None
        return [HistoryStep(self.instant(step.at, step.position), step.position, step.kind,
                            step.detail, step.effects) for step in found]

    def calendar(self, metric: str) -> BusinessCalendar | None:
        """The calendar ``metric``'s target in force runs on (None: no deadline).

        Boundary rule: the entry's own calendar, so a version's or a new tier's calendar
        of the same name as the policy's is the one shown. Example: vircom P2 response ->
        the ``business`` calendar (07:30-18:00 Toronto).
        """
        entry = self._state.clocks[METRICS.index(metric)].entry
        return None if entry is None else entry.calendar

    @cached_property
    def clocks(self) -> dict[str, HistoryClock]:
        """Each metric's spans and pauses, as datetimes, by metric name.

        Boundary rule: a span still running at ``now`` ends in None; a pause's ends are its
        events' own datetimes. Example: paused 10:00 by event 1, resumed 11:00 by event 2
        -> ``pauses == [(10:00, 1, 11:00, 2)]``.
        """
        found: dict[str, HistoryClock] = {}
        for clock in self._state.clocks:
            spans: list[list[datetime | None]] = [
                [self.instant(start) if start is not None else None,
                 None if end is None else self.instant(end)] for start, end in clock.spans]
            pauses = [(self.instant(start, started_by), started_by,
                       None if end is None else self.instant(end, ended_by), ended_by)
                      for start, started_by, end, ended_by in clock.pauses]
            found[METRICS[clock.metric]] = HistoryClock(spans, pauses)
        return found
