"""SLA reports: where each metric of a ticket stands, and an account of why.

`SLAReport` maps metric names to `MetricReport`s. `explain()` is the account a support
lead pastes into a dispute: each target and the line of the policy it comes from, the
calendar, the open spans counted, each pause and the events that started and ended it,
priority changes and what they did to the due instant, and the outcome. `timeline()`
returns the same as data and `to_dict()` is JSON-ready.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

from ..engine import BusinessCalendar
from ..engine._zone import to_datetime
from ..render._display import metric_html, report_html
from ..render.picture import timeline_svg
from ._shown import counted_us, shown_in
from .escalation import percent_text
from .history import History, HistoryClock
from .plan import ALWAYS, METRICS
from .replay import Replay
from .verdict import Verdict, judge

__all__ = ["History", "MetricReport", "SLAReport", "Status", "build_report"]

Status = Literal["running", "paused", "met", "breached", "void", "no_target", "not_applicable"]
_SHOWN_SPANS = 8


def _as_fraction(value: float | str | Fraction | Decimal) -> Fraction:
    # A float is read as the decimal it prints as (0.8 is 4/5, not the nearest binary).
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


@dataclass(frozen=True, slots=True)
class MetricReport:
    """One metric of one ticket at ``now``: status, due instant, time used and left.

    ``elapsed`` and ``remaining`` are business time on the target's clock; ``length`` is
    the target's own business length (for a relative target, from the opening to its
    first due instant). ``due`` is None for ``no_target``, ``void``, ``not_applicable``,
    and for a paused clock that has not yet reached its target (due is unknown until it
    resumes).

    ``escalations`` pairs each escalation threshold of the policy (a share of the target,
    ascending) with the instant it falls due on the target's clock, pauses included
    (None where unknown: a paused clock's thresholds not yet reached; every one for
    ``no_target`` and ``void``); ``escalated`` is the highest one a running or paused
    clock has crossed as of ``now`` (None: none, or the clock is not running or paused).
    """

    metric: str
    status: Status
    due: datetime | None = None
    elapsed: timedelta = timedelta(0)
    remaining: timedelta | None = None
    target: str | None = None
    length: timedelta | None = None
    priority: str | None = None
    clock: str | None = None
    source: str | None = None
    breached_at: datetime | None = None
    stopped_at: datetime | None = None
    expected_by: datetime | None = None
    reason: str | None = None
    escalated: Fraction | None = None
    escalations: tuple[tuple[Fraction, datetime | None], ...] = ()

    @property
    def next_escalation_at(self) -> datetime | None:
        """When the lowest threshold not yet crossed falls due, for a running or paused
        clock; None when none is left, when it is unknown (paused), or for any other status.

        Boundary rule: a threshold reached exactly at ``now`` is crossed, so the next one
        is the one after it. Example: 50%/75%/90% of 4 business hours on 07:30-18:00,
        opened Fri 17:30, as of Mon 09:00 (50% just crossed) -> Mon 10:00 (75%).
        """
        if self.status not in {"running", "paused"}:
            return None
        crossed = sum(1 for share, _ in self.escalations
                      if self.escalated is not None and share <= self.escalated)
        return self.escalations[crossed][1] if crossed < len(self.escalations) else None

    def at_risk(self, fraction: float | str | Fraction | Decimal = Fraction(3, 4)) -> bool:
        """True when the clock is still open and the share of the target used reaches
        ``fraction``, compared exactly (a stopped, void or target-less metric is not at risk).

        Example: 45 of 60 business minutes used -> ``at_risk(0.75)`` is True,
        ``at_risk(0.8)`` is False (0.8 means exactly 4/5).
        """
        open_clock = self.status in {"running", "paused"} or (
            self.status == "breached" and self.stopped_at is None)
        if self.length is None or not open_clock:
            return False
        share = _as_fraction(fraction)
        used = self.elapsed // timedelta(microseconds=1)
        total = self.length // timedelta(microseconds=1)
        return used * share.denominator >= total * share.numerator

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: instants as ISO 8601, durations as seconds."""
        def seconds(value: timedelta | None) -> float | None:
            return None if value is None else value.total_seconds()

        def instant(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "metric": self.metric, "status": self.status, "due": instant(self.due),
            "elapsed_seconds": seconds(self.elapsed), "remaining_seconds": seconds(self.remaining),
            "target": self.target, "priority": self.priority, "clock": self.clock,
            "source": self.source, "breached_at": instant(self.breached_at),
            "stopped_at": instant(self.stopped_at), "expected_by": instant(self.expected_by),
            "reason": self.reason,
            "escalated": None if self.escalated is None else percent_text(self.escalated),
            "escalations": [{"share": percent_text(share), "at": instant(at)}
                            for share, at in self.escalations],
        }

    def _repr_html_(self) -> str:
        """Jupyter: a one-row table (metric, status, due, elapsed, remaining, target, reason)."""
        return metric_html(self)


class SLAReport(Mapping[str, MetricReport]):
    """A ticket's metrics at ``now``, by name, with the history that produced them.

    Made from ``metrics``, or from the kernel's ``verdicts`` (µs), whose `MetricReport`s
    (datetimes, timedeltas) are then made on first access: the report of a ticket no one
    reads the times of costs only its replay.
    """

    def __init__(self, state: History, metrics: dict[str, MetricReport] | None = None, *,
                 verdicts: Sequence[Verdict] = ()) -> None:
        self._state = state
        self._verdicts = verdicts
        if metrics is not None:
            self.metrics = metrics
        self.now = state.now
        self.ticket = state.ticket
        self.policy = state.policy

    @cached_property
    def metrics(self) -> dict[str, MetricReport]:
        """Each metric's `MetricReport` by name, in the plan's order (response first).

        Boundary rule: made from the verdicts once, on first access, as `build_report`
        states. Example: vircom P2 responded Mon 07:55 -> ``{"response": MetricReport(
        "response", "met", ...), "resolution": ...}``.
        """
        history = self._state
        return {verdict.metric: _metric(verdict, history) for verdict in self._verdicts}

    def __getitem__(self, metric: str) -> MetricReport:
        return self.metrics[metric]

    def __iter__(self) -> Iterator[str]:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    @property
    def zone(self) -> tzinfo:
        """The zone explanations show instants in: the calendar's of the tier at opening,
        in the policy version in force at opening.

        Example: vircom standard -> America/Toronto, whatever offset ``opened_at`` had.
        """
        return self._state.zone

    def calendar(self, metric: str) -> BusinessCalendar | None:
        """The calendar ``metric``'s target in force runs on (None: no deadline), as the
        replay used it: the version's or the new tier's own, never looked up by name.

        Example: vircom P2 -> response on ``business`` (07:30-18:00 Toronto), resolution
        on the always-open ``24x7``.
        """
        return self._state.calendar(metric)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={m.status}" for name, m in self.metrics.items())
        return f"SLAReport({self.policy.name}/{self.ticket.tier}: {shown})"

    def __str__(self) -> str:
        """The explanation (`explain`), so ``print(report)`` reads well in a terminal."""
        return self.explain()

    def _repr_html_(self) -> str:
        """Jupyter: a table of the metrics under a header line (ticket, policy, tier,
        priority, now), then the timeline picture inline; every text is escaped."""
        return report_html(self, timeline_svg(self))

    def _repr_svg_(self) -> str:
        """The timeline picture (`slacalc.picture.timeline_svg`); ``explain --svg`` writes it."""
        return timeline_svg(self)

    def timeline(self) -> dict[str, Any]:
        """The explanation as data: events with their effects, and per metric the target,
        its source, the calendar, the spans counted and the pauses."""
        state = self._state
        return {
            "events": [{"at": step.at.isoformat(), "index": step.index, "kind": step.kind,
                        "detail": step.detail, "effects": dict(step.effects)}
                       for step in state.steps],
            "metrics": {name: {**report.to_dict(),
                               "counted": [[a.isoformat(), b.isoformat()] for a, b in
                                           _counted(state, state.clocks[name], report)],
                               "pauses": _pauses(state.clocks[name])}
                        for name, report in self.metrics.items() if name in state.clocks},
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the ticket, the policy, ``now`` and each metric."""
        return {"ticket": self.ticket.id, "policy": self.policy.name, "tier": self.ticket.tier,
                "priority": self._state.priority, "now": self.now.isoformat(),
                "metrics": {name: report.to_dict() for name, report in self.metrics.items()}}

    def explain(self) -> str:
        """A short, plain account of each metric, for people (see the module docstring)."""
        state = self._state
        when = shown_in(state.zone)
        ticket = state.ticket
        lines = [
            f"Ticket {ticket.id or '(no id)'}: {state.policy.vendor} ({state.policy.name}), "
            f"tier {ticket.tier}, {_priority(state, state.priority)}; opened "
            f"{when(ticket.opened_at)}; as of {when(self.now)}."
            + (f" Terms in force at the opening: the version {state.version}."
               if state.version else ""),
        ]
        for name, report in self.metrics.items():
            lines += ["", *_explain_metric(state, name, report, when)]
        lines += ["", "History:"]
        for step in state.steps:
            effects = "; ".join(f"{metric} {effect}" for metric, effect in step.effects.items())
            label = "opened" if step.index is None else f"[{step.index}] {step.kind}"
            text = ", ".join(part for part in (step.detail, effects) if part)
            lines.append(f"  {when(step.at)}  {label}" + (f": {text}" if text else ""))
        return "\n".join(lines)


def _priority(state: History, key: str) -> str:
    return f"{key} ({state.names[key]})"


def _counted(state: History, clock: HistoryClock, report: MetricReport) -> list[tuple[datetime,
                                                                                    datetime]]:
    return [(to_datetime(a, tz), to_datetime(b, tz)) for a, b, tz in _spans(state, clock,
                                                                            report)]


def _spans(state: History, clock: HistoryClock, report: MetricReport
           ) -> list[tuple[int, int, tzinfo]]:
    """The calendar's open spans counted, in µs (`counted_us`): none without a target."""
    if report.status in {"no_target", "not_applicable"} or report.clock is None:
        return []
    return counted_us(state, clock, report.metric)


def _pauses(clock: HistoryClock) -> list[dict[str, Any]]:
    return [{"start": start.isoformat(), "started_by": started_by,
             "end": None if end is None else end.isoformat(), "ended_by": ended_by}
            for start, started_by, end, ended_by in clock.pauses]


def _explain_metric(state: History, name: str, report: MetricReport, when: Any) -> list[str]:
    head = f"{name}: {report.status.replace('_', ' ')}"
    if report.status in {"no_target", "not_applicable"}:
        return [f"{head} ({report.reason})"]
    clock = state.clocks[name]
    calendar_text = ("real time (24x7)" if report.clock == ALWAYS
                     else f"calendar {report.clock!r}")
    lines = [head, f"  target: {report.target} for {_priority(state, report.priority or '')}"
             f" ({report.source or 'source unknown'}), on {calendar_text}"]
    spans = _spans(state, clock, report)
    if spans:
        shown = [f"{when(a)} - {_until(a, b, when)}" for a, b in (
            (to_datetime(a, zone), to_datetime(b, zone)) for a, b, zone in spans[:_SHOWN_SPANS])]
        more = len(spans) - _SHOWN_SPANS  # the rest are counted, not written
        text = ", ".join(shown) + (f", and {more} more" if more > 0 else "")
        lines.append(f"  counted: {text}")
    for start, started_by, end, ended_by in clock.pauses:
        until = f"until {when(end)} (event {ended_by})" if end else "still paused"
        lines.append(f"  paused: from {when(start)} (event {started_by}), {until}")
    used = f"{_length(report.elapsed)} used"
    if report.length is not None:
        used += f" of {_length(report.length)}"
    lines.append(f"  time: {used}")
    lines.append("  " + _outcome(report, when))
    return lines


def _until(start: datetime, end: datetime, when: Any) -> str:
    """The end of a span: just the time when it ends on the day it starts."""
    full: str = when(end)
    return full[15:] if full[:14] == when(start)[:14] else full


def _length(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "0 minutes"
    hours, rest = divmod(seconds, 3600)
    parts = [f"{hours} h"] if hours else []
    if rest // 60 or not parts:
        parts.append(f"{rest // 60} min")
    return " ".join(parts)


def _outcome(report: MetricReport, when: Any) -> str:
    due = f"due {when(report.due)}" if report.due else "due unknown while paused"
    if report.status == "met":
        assert report.stopped_at is not None
        assert report.due is not None
        spare = report.due - report.stopped_at
        return f"{due}; stopped {when(report.stopped_at)}: met with {_length(spare)} to spare."
    if report.status == "breached":
        assert report.breached_at is not None
        if report.stopped_at is not None:
            late = report.stopped_at - report.breached_at
            return f"{due}; stopped {when(report.stopped_at)}: breached by {_length(late)}."
        return f"{due}: breached, still open."
    if report.status == "void":
        return f"void: {report.reason}."
    if report.status == "paused":
        return f"{due}."
    extra = f" (expected by {when(report.expected_by)})" if report.expected_by else ""
    return f"{due}{extra}: running, {_length(report.remaining or timedelta(0))} left."


def build_report(state: Replay, history: History, *, applicable: bool = True,
                 reason: str = "") -> SLAReport:
    """Turn a replayed ticket into its report (every metric ``not_applicable`` when the
    policy does not apply to the ticket, with ``reason``).

    Boundary rule: each metric is judged here (`judge`, in µs); its instants become
    datetimes when the report's metrics are first read, and only then: an event's
    instant is that event's own datetime, any other is shown in the opening's zone. The
    history (`History.steps`) is made when an explanation first asks. Example: a
    vircom P2 ticket responded Mon 07:55 -> ``report["response"].stopped_at`` is that
    event's ``at``.
    """
    if applicable:
        return SLAReport(history, verdicts=[judge(state, clock) for clock in state.clocks])
    return SLAReport(history, {
        METRICS[clock.metric]: MetricReport(METRICS[clock.metric], "not_applicable",
                                            priority=clock.priority, reason=reason)
        for clock in state.clocks})


def _metric(found: Verdict, history: History) -> MetricReport:
    entry = found.entry
    instant = history.instant
    escalations = tuple((share, None if at is None else instant(at))
                        for share, at in found.escalations)
    if found.status == "no_target":
        return MetricReport(found.metric, "no_target", priority=found.priority,
                            reason=found.reason, target=entry.text if entry else None,
                            escalations=escalations)
    assert entry is not None
    assert found.length is not None
    due = None if found.due is None else instant(found.due)
    expected = found.expected_by
    stopped = found.stopped
    return MetricReport(
        found.metric, found.status,  # type: ignore[arg-type]  # judge's statuses are Status
        due=due, elapsed=timedelta(microseconds=found.elapsed),
        remaining=timedelta(microseconds=found.remaining or 0), target=entry.text,
        length=timedelta(microseconds=found.length), priority=found.priority,
        clock=entry.clock, source=entry.source,
        breached_at=due if found.status == "breached" else None,
        stopped_at=None if stopped is None else instant(stopped[0], stopped[1]),
        expected_by=None if expected is None else instant(expected), reason=found.reason or None,
        escalated=found.escalated, escalations=escalations)
