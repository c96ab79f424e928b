"""Tickets and their events, as a support desk exports them.

`Ticket` and `Event` validate from plain dicts and JSON (ISO 8601 instants with an offset;
naive ones are refused), so an export can be fed in directly::

    Ticket.model_validate_json('{"tier": "standard", "priority": "P2",
        "opened_at": "2026-11-20T17:30:00-05:00",
        "events": [{"kind": "responded", "at": "2026-11-23T07:55:00-05:00"}]}')

The models check shape only. What an event means for a policy (an unknown kind, a
priority or tier the policy does not know, an event before the opening) is checked when
the ticket is evaluated, where the error can name the event's index. `EVENT_KINDS` only
ever grows at its end: an event's code is its index there.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["EVENT_KINDS", "Event", "EventKind", "Ticket"]

EventKind = Literal[
    "responded",
    "awaiting_customer",
    "customer_replied",
    "priority_changed",
    "workaround",
    "resolved",
    "reopened",
    "contact_attempt",
    "closed",
    "tier_changed",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


class Event(BaseModel):
    """Something that happened to a ticket at an instant."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(
        description="What happened: " + ", ".join(EVENT_KINDS) + ".",
        json_schema_extra={"enum": list(EVENT_KINDS)},
    )
    at: AwareDatetime = Field(description="When, with a UTC offset (naive times are refused).")
    priority: str | None = Field(
        None, description="priority_changed: the new priority (a key or an alias)."
    )
    tier: str | None = Field(
        None, description="tier_changed: the new tier (the ticket's priority stays)."
    )
    confirmed: bool = Field(
        True, description="resolved: whether the customer confirmed the resolution."
    )
    answered: bool | None = Field(
        None, description="contact_attempt: whether the customer answered."
    )
    note: str | None = Field(None, description="Free text, quoted in explanations.")


class Ticket(BaseModel):
    """A support ticket: where it stands in the policy, when it was opened, what happened."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = Field(None, description="The ticket's id in the support desk.")
    tier: str = Field(
        description="The policy tier at opening (a tier_changed event moves the ticket)."
    )
    priority: str = Field(description="The priority at opening (a key or an alias).")
    opened_at: AwareDatetime = Field(description="When the ticket was opened, with an offset.")
    attributes: dict[str, str] = Field(
        default_factory=dict,
        description="Attributes the policy's `when` conditions test (category, channel, ...).",
    )
    events: tuple[Event, ...] = Field(
        (), description="Events in any order; same-instant events keep their given order."
    )
