"""Property-testing kit for slacalc policies: Hypothesis strategies and `check_policy`.

Install the extra (``pip install "slacalc[testing]"``, which only adds hypothesis) and
import this module in your tests; ``import slacalc`` alone never imports hypothesis.

* Strategies: `aware_datetimes` (biased to DST transitions, closed dates and the
  calendar's openings and closings), `calendar_mappings` / `calendars`,
  `policy_mappings` / `policies`, and `tickets` (valid event histories for a policy).
* `check_policy(policy)` runs the standard invariants (`INVARIANTS`) on your own policy
  and raises `PolicyCheckFailure` naming the invariant, the minimal example ticket and the
  instants that disagree. docs/testing.md has a test to copy into your suite.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

try:
    import hypothesis
except ModuleNotFoundError as missing:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError("slacalc.testing needs hypothesis: pip install "
                              "'slacalc[testing]'", name="hypothesis") from missing
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from ..engine.durations import RelativeDue
from ..policy.model import Policy
from ..policy.targets import METRICS, Metric, Target
from ..sla.ticket import EVENT_KINDS, Event, Ticket
from ._policy_strategies import ONE_TIER_KINDS, policies, policy_mappings, tickets
from ._strategies import (
    CALENDAR_ZONES,
    DEFAULT_END,
    DEFAULT_START,
    _spread,
    aware_datetimes,
    calendar_mappings,
    calendars,
    later,
    utc,
)

__all__ = ["CALENDAR_ZONES", "DEFAULT_END", "DEFAULT_START", "INVARIANTS", "ONE_TIER_KINDS",
           "PolicyCheckFailure", "aware_datetimes", "calendar_mappings", "calendars",
           "check_policy", "policies", "policy_mappings", "tickets"]

INVARIANTS: dict[str, str] = {
    "priority_order": "a more urgent priority is never due later",
    "tier_order": "a higher tier is never due later",
    "open_due": "every business-unit due instant is open or a closing instant",
    "pause_never_earlier": "pausing never makes a due earlier",
    "evaluate_never_raises": "evaluate never raises on valid histories",
}
_ONE_US = timedelta(microseconds=1)
_PAUSE_KINDS = ("awaiting_customer", "customer_replied")


class PolicyCheckFailure(AssertionError):  # noqa: N818  (the name the issue gives)
    """An invariant `check_policy` found broken, with its minimal example.

    ``invariant`` is a key of `INVARIANTS`; ``ticket`` and ``now`` reproduce it with
    ``policy.evaluate(ticket, now)``; ``instants`` are the instants that disagree. The
    message says all of it in a few lines, e.g. (P1 written ``5 business hours``)::

        policy 'ours' breaks priority_order: a more urgent priority is never due later
          ticket: tier 'standard', priority P1, opened 2025-01-01T00:00:00+00:00 (Wed
          2025-01-01 00:00 GMT), attributes {}, no events
          P1 response (5 business hours) due 2025-01-02T14:00:00+00:00 (Thu ... 14:00 GMT)
          P2 response (4 business hours) due 2025-01-02T13:00:00+00:00 (Thu ... 13:00 GMT):
          earlier, though P2 is less urgent
    """

    def __init__(self, message: str, *, policy: str = "", invariant: str = "",
                 ticket: Ticket | None = None, now: datetime | None = None,
                 instants: tuple[datetime, ...] = ()) -> None:
        super().__init__(message)
        self.policy = policy
        self.invariant = invariant
        self.ticket = ticket
        self.now = now
        self.instants = instants

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (pytest-xdist, multiprocessing)
        return type(self), (str(self),), self.__dict__


@dataclass(frozen=True)
class _Example:
    ticket: Ticket
    now: datetime | None = None
    compare: tuple[Any, ...] = ()  # the sides compared, and the metric
    pause: tuple[datetime, datetime] | None = None


@st.composite
def _histories(draw: st.DrawFn, tickets: st.SearchStrategy[Ticket]) -> _Example:
    """A ticket and ``now``: the default (its last event), later, or between events."""
    ticket = draw(tickets)
    last = max([ticket.opened_at, *(event.at for event in ticket.events)], key=utc)
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return _Example(ticket)
    if choice == 1:
        return _Example(ticket, later(last, timedelta(minutes=_spread(draw, 0, 14 * 1440))))
    span = (utc(last) - utc(ticket.opened_at)) // timedelta(minutes=1)
    return _Example(ticket, later(ticket.opened_at, timedelta(minutes=_spread(draw, 0, span))))


@st.composite
def _paused(draw: st.DrawFn, tickets: st.SearchStrategy[Ticket]) -> _Example:
    """A ticket, an awaiting_customer/customer_replied pair to add, and ``now`` after both."""
    ticket = draw(tickets)
    last = max([ticket.opened_at, *(event.at for event in ticket.events)], key=utc)
    span = (utc(last) - utc(ticket.opened_at)) // timedelta(minutes=1)
    start = later(ticket.opened_at, timedelta(minutes=_spread(draw, 0, span + 1440)))
    end = later(start, timedelta(minutes=draw(st.integers(0, 3 * 1440))))
    now = later(max(last, end, key=utc), timedelta(minutes=draw(st.integers(0, 3 * 1440))))
    return _Example(ticket, now, pause=(start, end))


class _Check:
    """One invariant on one policy: how examples are drawn and what must hold."""

    def __init__(self, policy: Policy, invariant: str, start: date, end: date) -> None:
        self.policy, self.invariant, self.start, self.end = policy, invariant, start, end
        self.zone = policy.calendar(next(iter(policy.tiers.values())).calendar).zone

    def tickets(self, **options: Any) -> st.SearchStrategy[Ticket]:
        return tickets(self.policy, start=self.start, end=self.end, **options)

    # -- the message ---------------------------------------------------------------------

    def at(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        clock = "%H:%M" + (":%S" if local.second or local.microsecond else "") + (
            ".%f" if local.microsecond else "")
        return f"{moment.isoformat()} ({local.strftime(f'%a %Y-%m-%d {clock} %Z')})"

    def fail(self, example: _Example, lines: list[str], instants: tuple[datetime, ...] = (),
             invariant: str | None = None) -> PolicyCheckFailure:
        name = invariant or self.invariant
        ticket = example.ticket
        found = f" (found while checking {self.invariant})" if name != self.invariant else ""
        head = [f"policy {self.policy.name!r} breaks {name}: {INVARIANTS[name]}{found}",
                f"  ticket: tier {ticket.tier!r}, priority {ticket.priority}, opened "
                f"{self.at(ticket.opened_at)}, attributes {ticket.attributes}"
                + ("" if ticket.events else ", no events")]
        head += [f"    [{index}] {self.at(event.at)} {_event(event)}"
                 for index, event in enumerate(ticket.events)]
        if example.now is not None:
            head.append(f"  now: {self.at(example.now)}")
        return PolicyCheckFailure("\n".join(head + [f"  {line}" for line in lines]),
                                  policy=self.policy.name, invariant=name, ticket=ticket,
                                  now=example.now, instants=instants)

    def crash(self, example: _Example, error: Exception) -> PolicyCheckFailure:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
        return self.fail(example, [f"raised {type(error).__name__}: {error} ({where})"],
                         invariant="evaluate_never_raises")

    # -- running -------------------------------------------------------------------------

    def run(self, strategy: st.SearchStrategy[_Example], body: Callable[[_Example], None],
            max_examples: int, seed: int | None) -> None:
        @settings(max_examples=max_examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                  phases=(Phase.explicit, Phase.generate, Phase.shrink),
                  verbosity=Verbosity.quiet, print_blob=False)
        @given(strategy)
        def holds(example: _Example) -> None:
            tier = self.policy.tiers[example.ticket.tier]  # instants are shown in its zone
            self.zone = self.policy.calendar(tier.calendar).zone
            try:
                body(example)
            except (PolicyCheckFailure, HypothesisException):
                raise
            except Exception as error:  # the engine raised: report it like any failure
                raise self.crash(example, error) from error

        if seed is not None:
            holds = hypothesis.seed(seed)(holds)
        try:
            holds()
        except PolicyCheckFailure as failure:  # a fresh one: without hypothesis's notes
            raise PolicyCheckFailure(str(failure), policy=failure.policy,
                                     invariant=failure.invariant, ticket=failure.ticket,
                                     now=failure.now, instants=failure.instants) from None

    # -- helpers for the invariants ------------------------------------------------------

    def target(self, ticket: Ticket, tier: str, priority: str, metric: Metric
               ) -> Target | None:
        chosen = self.policy.target(tier, priority, metric, ticket.opened_at,
                                    ticket.attributes)
        return None if chosen is None else chosen[1]

    def due(self, ticket: Ticket, tier: str, priority: str, metric: Metric
            ) -> tuple[datetime | None, str]:
        due = self.policy.deadlines(tier, priority, ticket.opened_at,
                                    **ticket.attributes).get(metric)
        target = self.target(ticket, tier, priority, metric)
        return due, "no target" if target is None else str(target.within)


def _event(event: Event) -> str:
    extras = {"priority": event.priority, "answered": event.answered,
              "confirmed": None if event.kind != "resolved" else event.confirmed}
    shown = ", ".join(f"{key}={value!r}" for key, value in extras.items() if value is not None)
    return event.kind + (f" ({shown})" if shown else "")


def _having(policy: Policy, tier: str, metric: Metric) -> list[str]:
    targets = policy.tiers[tier].targets
    return [key for key in policy.priorities if metric in targets.get(key, {})]


# -- the invariants: each returns a note when it does not apply, else None ------------------


def _order(check: _Check, pairs: list[tuple[tuple[str, str], tuple[str, str], Metric]], *,
           name: Callable[[str, str], str], why: str, max_examples: int, seed: int | None
           ) -> None:
    """Each pair is ``(fast, slow, metric)`` with ``(tier, priority)`` sides: ``fast`` must
    never be due after ``slow`` for the same opening (biased to both tiers' calendars)."""
    def draw(pair: tuple[tuple[str, str], tuple[str, str], Metric]
             ) -> st.SearchStrategy[_Example]:
        (tier, priority), (other, _), _metric = pair
        return st.one_of([check.tickets(tier=side, priority=priority, max_events=0)
                          for side in dict.fromkeys((tier, other))]).map(
            lambda ticket: _Example(ticket.model_copy(update={"tier": tier}), compare=pair))

    def body(example: _Example) -> None:
        fast, slow, metric = example.compare
        (first, first_target), (second, second_target) = (
            check.due(example.ticket, tier, priority, metric) for tier, priority in (fast, slow))
        if first is not None and second is not None and first > second:
            raise check.fail(example, [
                f"{name(*fast)} {metric} ({first_target}) due {check.at(first)}",
                f"{name(*slow)} {metric} ({second_target}) due {check.at(second)}: earlier, "
                f"though {name(*slow)} {why}"], (first, second))

    check.run(st.one_of([draw(pair) for pair in pairs]), body, max_examples, seed)


def _priority_order(check: _Check, max_examples: int, seed: int | None) -> str | None:
    policy = check.policy
    pairs = [((tier, urgent), (tier, lower), metric) for tier in policy.tiers
             for metric in METRICS for index, urgent in enumerate(_having(policy, tier, metric))
             for lower in _having(policy, tier, metric)[index + 1:]]
    if not pairs:
        return "no tier has two priorities with a target for the same metric"
    _order(check, pairs, name=lambda _tier, priority: priority, why="is less urgent",
           max_examples=max_examples, seed=seed)
    return None


def _tier_order(check: _Check, max_examples: int, seed: int | None) -> str | None:
    policy = check.policy
    tiers = list(policy.tiers)
    pairs = [((higher, priority), (lower, priority), metric)
             for index, lower in enumerate(tiers) for higher in tiers[index + 1:]
             for metric in METRICS for priority in _having(policy, lower, metric)
             if priority in _having(policy, higher, metric)]
    if not pairs:
        return "no two tiers have a target for the same priority and metric"
    _order(check, pairs, name=lambda tier, _priority: f"tier {tier!r}",
           why="is the lower tier", max_examples=max_examples, seed=seed)
    return None


def _exempt(target: Target) -> bool:
    """Real-time targets run on no calendar; ``by HH:MM`` names a wall time, not a length."""
    within = target.within
    return not within.business or (isinstance(within, RelativeDue) and within.at is not None)


def _open_due(check: _Check, max_examples: int, seed: int | None) -> str | None:
    policy = check.policy
    if all(_exempt(entry) for tier in policy.tiers.values() for metrics in
           tier.targets.values() for entries in metrics.values() for entry in entries):
        return ("no business-unit target (relative targets with an explicit 'by HH:MM' are "
                "exempt: they name a wall time, which may be closed)")

    def body(example: _Example) -> None:
        ticket = example.ticket
        report = policy.evaluate(ticket, example.now)
        for metric, result in report.items():
            target = check.target(ticket, ticket.tier, result.priority or "",
                                  _metric(metric)) if result.due else None
            if result.due is None or target is None or _exempt(target):
                continue
            calendar = policy.calendar(result.clock or "")
            due = result.due
            if not calendar.is_open(due) and not calendar.is_open(due - _ONE_US):
                spans = calendar.open_intervals(due - timedelta(days=30), due)
                closed = check.at(spans[-1][1]) if spans else "more than 30 days before"
                raise check.fail(example, [
                    f"{metric} ({target.within} on calendar {result.clock!r}) due "
                    f"{check.at(due)}: closed,",
                    f"and not a closing instant: the calendar closed at {closed} and opens "
                    f"next at {check.at(calendar.next_open(due))}"], (due,))

    check.run(_histories(check.tickets()), body, max_examples, seed)
    return None


def _pause_never_earlier(check: _Check, max_examples: int, seed: int | None) -> str | None:
    policy = check.policy
    rule = policy.rules.awaiting_customer
    kinds = [kind for kind in EVENT_KINDS if kind not in _PAUSE_KINDS]

    def body(example: _Example) -> None:
        assert example.pause is not None
        start, end = example.pause
        paired = example.ticket.model_copy(update={"events": (
            *example.ticket.events, Event(kind="awaiting_customer", at=start),
            Event(kind="customer_replied", at=end))})
        before = policy.evaluate(example.ticket, example.now)
        after = policy.evaluate(paired, example.now)
        for metric, was in before.items():
            now = after[metric]
            earlier = (rule == "pause" and was.due is not None and now.due is not None
                       and now.due < was.due)
            same = (now.due, now.status) == (was.due, was.status)
            # what void does: end a clock at the awaiting instant (a voided clock whose
            # priority has no target reports no_target), so later events leave it alone
            ended = now.status in {"void", "no_target"} or now.stopped_at == start
            changed = not same and (rule == "ignore" or (rule == "void" and not ended))
            if earlier or changed:
                raise check.fail(example, [
                    f"awaiting_customer at {check.at(start)}, customer_replied at "
                    f"{check.at(end)} (rule awaiting_customer: {rule})",
                    f"{metric} without the pause: {was.status}, due {_shown(check, was.due)}",
                    f"{metric} with the pause: {now.status}, due {_shown(check, now.due)}"
                    + (": earlier" if earlier else ": changed")],
                    tuple(moment for moment in (was.due, now.due) if moment is not None))

    check.run(_paused(check.tickets(kinds=kinds)), body, max_examples, seed)
    return {"pause": None, "ignore": "rule ignore: checked that the pair changes nothing",
            "void": "rule void: checked that the pair voids a metric, stops it at the "
                    "awaiting_customer instant (the response), or changes nothing"}[rule]


def _shown(check: _Check, moment: datetime | None) -> str:
    return "none" if moment is None else check.at(moment)


def _evaluate_never_raises(check: _Check, max_examples: int, seed: int | None) -> str | None:
    def body(example: _Example) -> None:
        report = check.policy.evaluate(example.ticket, example.now)
        report.explain()

    check.run(_histories(check.tickets()), body, max_examples, seed)
    return None


def _metric(name: str) -> Metric:
    assert name in METRICS
    return name


_CHECKS = {"priority_order": _priority_order, "tier_order": _tier_order,
           "open_due": _open_due, "pause_never_earlier": _pause_never_earlier,
           "evaluate_never_raises": _evaluate_never_raises}


def check_policy(policy: Policy, *, max_examples: int = 200, as_of: date | None = None,
                 skip: Collection[str] = (), seed: int | None = 0) -> dict[str, str]:
    """Run the standard invariants (`INVARIANTS`) on ``policy``; raise on the first broken.

    Each is a Hypothesis property over ``max_examples`` tickets from `tickets`, opened in
    ``[as_of, as_of + 366 days]`` (default `DEFAULT_START` to `DEFAULT_END`): for the same
    opening and attributes, a more urgent priority (tier by tier) or a later tier in the
    file is never due later; every due of a business-unit target is open on its clock or
    a closing instant (real-time targets and ``... by HH:MM`` are exempt); adding an
    awaiting_customer/customer_replied pair never makes a due earlier under rule
    ``pause`` (changes nothing under ``ignore``; under ``void`` only ends clocks at its
    instant); evaluate and explain never raise. docs/testing.md states each in full.

    Boundary rule: comparisons where a side has no deadline are skipped; a failure raises
    `PolicyCheckFailure` with the shrunk example, and an exception from the engine counts
    as evaluate_never_raises. ``skip`` names invariants not to run; ``seed`` fixes the
    examples (None: fresh ones each run). Returns a note per invariant. Example:
    ``check_policy(bundled_policy("vircom"), max_examples=50)["priority_order"] ==
    "passed (50 examples)"``.
    """
    unknown = set(skip) - set(INVARIANTS)
    if unknown:
        raise ValueError(f"unknown invariants {sorted(unknown)}; known: {', '.join(INVARIANTS)}")
    if not policy.tiers or not policy.priorities:
        return dict.fromkeys(INVARIANTS, "not applicable: the policy has no tiers or priorities")
    start, end = (DEFAULT_START, DEFAULT_END) if as_of is None else (
        as_of, as_of + timedelta(days=366))
    notes: dict[str, str] = {}
    for name, run in _CHECKS.items():
        if name in skip:
            notes[name] = "skipped (asked to)"
            continue
        note = run(_Check(policy, name, start, end), max_examples, seed)
        passed = f"passed ({max_examples} examples)"
        notes[name] = passed if note is None else (
            f"{passed}; {note}" if note.startswith("rule") else f"not applicable: {note}")
    return notes
