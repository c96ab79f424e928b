"""Which open tickets breach soon: the question a service that pages someone asks.

`breaching_within` judges each ticket with `Policy.evaluate` as of ``now`` (the one
kernel) and keeps every metric whose clock is running and falls due within the horizon,
the soonest first. Instants are compared as UTC microseconds, never as wall times.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from ..engine._zone import instant_us, require_aware
from ..errors import TicketError
from ..policy import Policy
from ..policy._edges import ticket_from
from ..sla import Ticket

__all__ = ["Breach", "breaching_within"]

_US = timedelta(microseconds=1)


class Breach(NamedTuple):
    """A metric that breaches within the horizon: the ticket, the metric (``response``
    or ``resolution``) and its due instant (in the ticket's opening tzinfo)."""

    ticket: Ticket
    metric: str
    due: datetime


def breaching_within(policy: Policy, tickets: Iterable[Ticket | Mapping[str, Any]],
                     now: datetime, horizon: timedelta) -> list[Breach]:
    """The metrics of ``tickets`` that breach within ``horizon`` of ``now``, the soonest
    first: for a service that pages someone before a deadline passes.

    Each ticket is judged by ``policy.evaluate(ticket, now)`` (a mapping is read as a
    `Ticket`). A metric is kept when its status is ``running`` (its clock runs, and it
    has not breached yet) and its due instant lies in the closed window ``[now, now +
    horizon]``; a paused clock cannot breach while it waits, and a breached, met, void
    or target-less metric is not news to a pager.

    Boundary rule: both ends are included; a metric due exactly at ``now`` is still
    running (breached means past due) and is kept, and one due exactly at ``now +
    horizon`` is kept, one µs later is not. Order: by due instant, compared as instants
    (not wall times), then by the tickets' order, response before resolution. A naive
    ``now`` raises `NaiveDatetimeError`; a negative ``horizon``, a bad ticket field or a
    ticket opened after ``now`` raises `TicketError`.

    Example (vircom standard, P2 response: 1 business hour on 07:30-18:00 Toronto): a
    ticket opened Fri 2026-11-20 17:30 EST is due Mon 08:00; as of Mon 07:45 with a
    15-minute horizon it is listed, ``Breach(ticket, "response", Mon 08:00 EST)``;
    with a 14-minute horizon it is not.
    """
    require_aware(now, "now")
    if horizon < timedelta(0):
        raise TicketError(f"horizon: expected a length of time of zero or more, got "
                          f"{horizon!r}")
    start = instant_us(now)
    end = start + horizon // _US
    found: list[tuple[int, int, int, Breach]] = []
    for order, given in enumerate(tickets):
        ticket = given if isinstance(given, Ticket) else ticket_from(given)
        report = policy.evaluate(ticket, now)
        for number, (name, metric) in enumerate(report.items()):
            if metric.status != "running" or metric.due is None:
                continue
            due = instant_us(metric.due)
            if start <= due <= end:
                found.append((due, order, number, Breach(ticket, name, metric.due)))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found]
