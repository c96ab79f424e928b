"""Issue 17, item 8 (the rest): `Policy.evaluate` given a mapping with a bad field raises
`TicketError` (a `SlacalcError` and a `ValueError`) naming the field and its value, never
pydantic's ``ValidationError``."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from slacalc import TicketError, bundled_policy

OPENED = "2026-11-20T17:30:00-05:00"


@pytest.mark.parametrize(("ticket", "message"), [
    ({"tier": "standard", "priority": "P2", "opened_at": "soon"},
     "opened_at: Input should be a valid datetime or date, input is too short; got 'soon'"),
    ({"tier": "standard", "opened_at": OPENED}, "priority: Field required"),
    ({"tier": 5, "priority": "P2", "opened_at": OPENED},
     "tier: Input should be a valid string; got 5"),
    ({"tier": "standard", "priority": "P2", "opened_at": OPENED,
      "events": [{"kind": "responded", "at": "later"}]},
     "events[0].at: Input should be a valid datetime or date, input is too short; "
     "got 'later'"),
    ({"tier": "standard", "priority": "P2", "opened_at": "x" * 200, "events": 5},
     "opened_at: Input should be a valid datetime or date, invalid character in year; got "
     f"'{'x' * 59}... (202 characters) (and 1 more)"),
], ids=["bad date", "missing", "not text", "bad event", "long value"])
def test_a_bad_field_is_a_ticket_error_naming_it(ticket: dict[str, Any], message: str) -> None:
    with pytest.raises(TicketError) as caught:
        bundled_policy("vircom").evaluate(ticket)
    assert str(caught.value) == message
    assert not isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, ValueError)  # as before, for `except ValueError` code
