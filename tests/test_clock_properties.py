"""Properties of the SLA clocks over random tickets and event histories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import Event, Policy, Ticket, bundled_policy, loads_policy
from slacalc.sla import EVENT_KINDS

TORONTO = ZoneInfo("America/Toronto")
SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

PAUSING = loads_policy("""
schema_version: 1
name: pausing
vendor: Example
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "09:00-17:00"},
           holidays: {country: CA, subdiv: QC}}
priorities:
  P1: {name: Critical}
  P2: {name: High}
  P3: {name: Normal}
tiers:
  standard:
    calendar: office
    targets:
      P1: {response: 30 minutes, resolution: 1 business day}
      P2: {response: 4 business hours, resolution: 5 business days}
      P3: {response: next business day by 12:00, resolution: {within: 20-40 business hours}}
rules:
  awaiting_customer: pause
""", "pausing.yaml")
OFFICE = PAUSING.calendar("office")

# 2026, minute-aligned, with a bias to the DST weekends and Quebec holidays.
_BASE = datetime(2026, 1, 1, tzinfo=TORONTO)
_NEAR = [datetime(2026, 3, 6, 12, tzinfo=TORONTO), datetime(2026, 10, 30, 12, tzinfo=TORONTO),
         datetime(2026, 6, 23, 12, tzinfo=TORONTO), datetime(2026, 12, 24, 12, tzinfo=TORONTO)]
# Drawn in Toronto wall time, then held in UTC: the tests add timedeltas and compare
# instants, and aware datetimes sharing a ZoneInfo would add and compare in wall time
# (ignoring fold across the repeated hour of a fall-back night).
instants = st.one_of(
    st.integers(0, 360 * 24 * 60).map(lambda m: _BASE + timedelta(minutes=m)),
    st.tuples(st.sampled_from(_NEAR), st.integers(-4 * 1440, 4 * 1440)).map(
        lambda pair: pair[0] + timedelta(minutes=pair[1])),
).map(lambda moment: moment.astimezone(UTC))
minutes = st.integers(0, 12 * 24 * 60).map(lambda m: timedelta(minutes=m))


def _ticket(priority: str, opened: datetime, events: list[tuple[str, datetime, dict[str, Any]]],
            ) -> Ticket:
    return Ticket(tier="standard", priority=priority, opened_at=opened,
                  events=[Event(kind=kind, at=at, **extra) for kind, at, extra in events])


@SETTINGS
@given(st.sampled_from(["P1", "P2", "P3"]), instants, minutes, minutes)
def test_a_pause_moves_due_later_by_exactly_its_business_length(
    priority: str, opened: datetime, wait: timedelta, length: timedelta
) -> None:
    start, end = opened + wait, opened + wait + length
    plain = PAUSING.evaluate(_ticket(priority, opened, []), now=opened)
    paused = PAUSING.evaluate(_ticket(priority, opened, [("awaiting_customer", start, {}),
                                                         ("customer_replied", end, {})]),
                              now=end)
    for metric in ("response", "resolution"):
        before, after = plain[metric].due, paused[metric].due
        assert before is not None
        assert after is not None
        assert after >= before  # pausing never makes a due earlier
        calendar = PAUSING.calendar(plain[metric].clock or "")
        if start < before:
            assert calendar.elapsed(before, after) == calendar.elapsed(start, end)
        else:  # paused at or after the deadline: the deadline stands
            assert after == before
            # past due once now (the reply) is after it; exactly at due is not past
            assert paused[metric].status == ("breached" if end > before else "running")


@SETTINGS
@given(st.sampled_from(["P1", "P2", "P3"]), instants, minutes)
def test_met_or_breached_is_the_stop_instant_against_due(
    priority: str, opened: datetime, delay: timedelta
) -> None:
    answered = opened + delay
    due = PAUSING.evaluate(_ticket(priority, opened, []))["response"].due
    assert due is not None
    report = PAUSING.evaluate(_ticket(priority, opened, [("responded", answered, {})]))
    assert report["response"].status == ("met" if answered <= due else "breached")
    assert report["response"].due == due
    assert report["response"].breached_at == (None if answered <= due else due)


def _extra(kind: str, draw: Any, priorities: list[str], tiers: list[str]) -> dict[str, Any]:
    if kind == "priority_changed":
        return {"priority": draw(st.sampled_from(priorities))}
    if kind == "tier_changed":
        return {"tier": draw(st.sampled_from(tiers))}
    if kind == "contact_attempt":
        return {"answered": draw(st.booleans())}
    if kind == "resolved":
        return {"confirmed": draw(st.booleans())}
    return {}


@st.composite
def histories(draw: st.DrawFn, policy: Policy, distinct: bool = False) -> tuple[Ticket, datetime]:
    priorities = list(policy.priorities) + [
        alias for p in policy.priorities.values() for alias in p.aliases]
    tier = draw(st.sampled_from(list(policy.tiers)))
    opened = draw(instants)
    offsets = draw(st.lists(st.integers(0, 20 * 1440), max_size=12, unique=distinct))
    events = []
    for offset in sorted(offsets):
        kind = draw(st.sampled_from(EVENT_KINDS))
        events.append(Event(kind=kind, at=opened + timedelta(minutes=offset),
                            **_extra(kind, draw, priorities, list(policy.tiers))))
    ticket = Ticket(tier=tier, priority=draw(st.sampled_from(priorities)), opened_at=opened,
                    events=events, attributes=draw(st.sampled_from(
                        [{}, {"category": "defect"}, {"channel": "phone"}])))
    now = opened + timedelta(minutes=draw(st.integers(0, 25 * 1440)))
    return ticket, now


POLICIES = [bundled_policy("valimail"), bundled_policy("cloudmark"), bundled_policy("vircom"),
            PAUSING]


def _utc(moment: datetime) -> datetime:
    """Instants compare in UTC: two datetimes sharing a ZoneInfo compare by wall time."""
    return moment.astimezone(UTC)


def _check_invariants(report: Any, now: datetime) -> None:
    for metric in report.values():
        if metric.status in {"no_target", "void", "not_applicable"}:
            assert metric.due is None
        if metric.status == "met":
            assert metric.stopped_at is not None
            assert metric.due is not None
            assert _utc(metric.stopped_at) <= _utc(metric.due)
        if metric.status == "breached":
            assert metric.breached_at == metric.due
            assert metric.due is not None
            assert _utc(metric.stopped_at or now) > _utc(metric.due)
        if metric.status == "running":
            assert metric.due is not None
            assert _utc(now) <= _utc(metric.due)
        assert metric.elapsed >= timedelta(0)


@SETTINGS
@given(st.data())
def test_evaluate_never_raises_on_valid_histories(data: st.DataObject) -> None:
    policy = data.draw(st.sampled_from(POLICIES))
    ticket, now = data.draw(histories(policy))
    report = policy.evaluate(ticket, now=now)
    _check_invariants(report, now)
    assert report.explain()
    assert report.timeline()["events"][0]["kind"] == "opened"


@SETTINGS
@given(st.data())
def test_statuses_do_not_depend_on_the_order_events_are_given(data: st.DataObject) -> None:
    policy = data.draw(st.sampled_from(POLICIES))
    ticket, now = data.draw(histories(policy, distinct=True))
    shuffled = list(ticket.events)
    random.Random(data.draw(st.integers())).shuffle(shuffled)
    again = ticket.model_copy(update={"events": tuple(shuffled)})
    assert policy.evaluate(again, now=now).to_dict() == policy.evaluate(ticket, now=now).to_dict()


@SETTINGS
@given(st.data())
def test_rules_variants_never_raise(data: st.DataObject) -> None:
    rules = {"awaiting_customer": data.draw(st.sampled_from(["ignore", "pause", "void"])),
             "priority_change": data.draw(st.sampled_from(["keep_elapsed", "restart"])),
             "resolution_requires_confirmation": data.draw(st.booleans()),
             "close_after_unanswered_contacts": data.draw(st.none() | st.integers(1, 3))}
    policy = Policy.model_validate({**PAUSING.model_dump(mode="json", exclude_none=True),
                                    "rules": rules})
    ticket, now = data.draw(histories(policy))
    _check_invariants(policy.evaluate(ticket, now=now), now)
