"""One disagreeing verdict as the audit's reasons see it (`Case`), what a detector guesses
the desk answered (`Guess`), and the audit's tolerance (`close`).

A `Case` reads what every detector asks of it once: the opening, due, end and elapsed
time in UTC µs, the metric's calendar, the closed dates in the window, the waits on the
customer and the rule that does not pause the metric. A `Guess` builds its detail text
only when asked, so the guesses that do not match the desk cost no text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from ..engine import BusinessCalendar
from ..engine._zone import instant_us, to_datetime
from ..policy import Policy
from ..sla import SLAReport, Ticket
from ..sla.plan import AWAIT_PAUSE, METRICS
from ._audit_calendar import closed_dates
from ._audit_tables import DeskVerdict

__all__ = ["Case", "Guess", "close", "length"]

_SECOND_US = 1_000_000
_ONE_US = timedelta(microseconds=1)
_AWAIT = ("ignore", "pause", "void")
_RESUME = {"customer_replied", "reopened"}
_UNSET: Any = object()
_AT = itemgetter(0)


def close(one: int, other: int) -> bool:
    """The audit's tolerance: two instants (or lengths), in µs, agree when they are less
    than one second apart. Example: 08:00:00 and 08:00:00.999 agree; 08:00:01 does not."""
    return abs(one - other) < _SECOND_US


def length(us: int) -> str:
    """A length as the details show it. Example: 90 minutes -> ``1h30``."""
    minutes = round(us / 60_000_000)
    return f"{minutes // 60}h{minutes % 60:02d}"


class Guess:
    """What the desk would answer with one named mistake (µs; None: no value); the
    detail text is made from ``say`` when first read."""

    __slots__ = ("_detail", "_say", "breached", "due", "elapsed", "reason")

    def __init__(self, reason: str, say: str | Callable[[], str], due: int | None,
                 elapsed: int | None, breached: bool) -> None:
        self.reason = reason
        self._say = say
        self._detail: str | None = say if isinstance(say, str) else None
        self.due = due
        self.elapsed = elapsed
        self.breached = breached

    @property
    def detail(self) -> str:
        """The reason's detail text (made once)."""
        if self._detail is None:
            assert callable(self._say)
            self._detail = self._say()
        return self._detail

    def matches(self, desk: DeskVerdict) -> bool:
        """Every value the desk gave agrees with this guess."""
        if desk.breached is not None and desk.breached != self.breached:
            return False
        if desk.due is not None and (self.due is None or not close(desk.due, self.due)):
            return False
        return desk.elapsed is None or (self.elapsed is not None
                                        and close(desk.elapsed, self.elapsed))


class Case:
    """One disagreeing ticket and metric: the policy, the ticket, its report as of
    ``now``, a cache of policies under the other priority_change rule, and the spans the
    ticket spent in a status the desk pauses on (`DeskMapping.desk_paused`)."""

    __slots__ = ("_closed", "_forbidden", "_waits", "calendar", "desk_paused", "due",
                 "elapsed", "end", "metric", "now", "opened", "others", "policy", "report",
                 "ticket")

    def __init__(self, policy: Policy, ticket: Ticket, report: SLAReport, metric: str, *,
                 now: datetime, others: dict[int, Policy | None],
                 desk_paused: tuple[tuple[int, int | None], ...] = ()) -> None:
        self.policy, self.ticket, self.report, self.metric = policy, ticket, report, metric
        self.now, self.others, self.desk_paused = now, others, desk_paused
        found = report[metric]
        self.opened = instant_us(ticket.opened_at)
        self.due = None if found.due is None else instant_us(found.due)
        self.elapsed: int = found.elapsed // _ONE_US
        stopped = found.stopped_at
        self.end = instant_us(stopped if stopped is not None else now)
        """Where the clock's count ends: its stop, else ``now``."""
        self.calendar: BusinessCalendar | None = report.calendar(metric)
        self._closed: tuple[list[date], str] | None = None
        self._waits: list[tuple[int, int]] | None = None
        self._forbidden: str | None = _UNSET

    def shown(self, us: int) -> str:
        """An instant as explanations show it, in the tier calendar's zone."""
        return to_datetime(us, self.report.zone).strftime("%a %Y-%m-%d %H:%M %Z")

    def closed(self) -> tuple[list[date], str]:
        """The closed dates (holidays) of the metric's calendar from the opening to the
        due or the clock's end, whichever is later, and their names."""
        if self._closed is None:
            calendar, due = self.calendar, self.due
            self._closed = ([], "") if calendar is None or due is None else closed_dates(
                calendar, self.opened, max(due, self.end))
        return self._closed

    def waits(self) -> list[tuple[int, int]]:
        """The spans waiting on the customer: ``awaiting_customer`` until the next
        ``customer_replied`` or ``reopened`` (else the clock's end)."""
        if self._waits is None:
            spans: list[tuple[int, int]] = []
            start: int | None = None
            for at, kind in sorted(((instant_us(event.at), event.kind)
                                    for event in self.ticket.events), key=_AT):
                if kind == "awaiting_customer" and start is None:
                    start = at
                elif kind in _RESUME and start is not None:
                    spans.append((start, at))
                    start = None
            if start is not None:
                spans.append((start, max(start, self.end)))
            self._waits = spans
        return self._waits

    def forbidden(self) -> str | None:
        """The rule that does not pause this metric on waiting (with its line), or None
        when the policy pauses it."""
        if self._forbidden is _UNSET:
            rules = self.policy.plan_at(self.ticket.tier, self.ticket.opened_at).rules
            if rules.awaiting == AWAIT_PAUSE and rules.paused[METRICS.index(self.metric)]:
                self._forbidden = None
            else:
                rule = f"awaiting_customer: {_AWAIT[rules.awaiting]}"
                if rules.awaiting == AWAIT_PAUSE:
                    paused = [name for name, on in zip(METRICS, rules.paused, strict=True)
                              if on]
                    rule += f", paused_metrics: {paused}"
                where = self.policy.location("rules", "awaiting_customer")
                self._forbidden = rule + (f" ({where[0]}:{where[1]})" if where else "")
        return self._forbidden
