"""Zendesk's records in their usual shapes, decoded typed by msgspec (a run of export
lines that all fit comes as these structs, any other run as dicts; see
`slacalc.sources._files`): a ticket, an audit with its events, a metric event. Each
field is the JSON value as `json.loads` reads it (``Any``) unless the adapter needs its
type; `Typed.get` reads a field as ``dict.get`` reads a key.
"""

from __future__ import annotations

from typing import Any

from ._files import Typed

__all__ = ["Audit", "AuditEvent", "MetricEvent", "Ticket", "metric_state"]


def metric_state(kept: bool, breach: int | None, fulfil: int | None, applied: int | None
                 ) -> tuple[bool | None, int | None]:
    """What a metric instance's events say, and the position of the event that says it:
    ``kept`` (a breach event not deleted, and no fulfil before its time) -> breached, at
    the breach; else a fulfil -> met (False), at the fulfil; else running (None), at the
    ``apply_sla`` event. ``breach``, ``fulfil``: those events' positions, None if none.

    Example: ``metric_state(False, 7, 9, 3)`` -> ``(False, 9)``.
    """
    if kept and breach is not None:
        return True, breach
    if fulfil is not None:
        return False, fulfil
    return None, applied


class Ticket(Typed, gc=False):
    """A ticket line (every field an adapter reads, as the JSON holds it)."""

    id: Any = None
    created_at: Any = None
    priority: Any = None
    status: Any = None
    via: Any = None
    tags: Any = None
    organization_id: Any = None
    group_id: Any = None
    requester_id: Any = None


class AuditEvent(Typed, gc=False):
    """One event of an audit (``Create``, ``Change``, ``Comment``, ...)."""

    type: Any = None
    field_name: Any = None
    value: Any = None
    previous_value: Any = None
    public: Any = None
    author_id: Any = None


class Audit(Typed, gc=False):
    """An audit line in its usual shape (events typed too)."""

    ticket_id: int | str | None = None
    created_at: Any = None
    author_id: Any = None
    events: list[AuditEvent] | None = None


class MetricEvent(Typed, gc=False):
    """A metric event line in its usual shape (decoded typed; any other as a dict)."""

    ticket_id: int | str | None = None
    metric: str | None = None
    instance_id: int | str | None = None
    type: str | None = None
    time: str | None = None
    sla: dict[str, Any] | None = None
    status: dict[str, Any] | None = None
    deleted: bool | None = None
