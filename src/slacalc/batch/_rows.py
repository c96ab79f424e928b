"""Single export rows on the checked path, and what every batch shares.

A CSV row has the columns ``ticket_id, policy, tier, priority, opened_at`` and, when
known, ``responded_at, resolved_at, workaround_at`` (a resolution is taken as confirmed),
``priority_changed_at, priority_changed_to`` (one change); any other column is a ticket
attribute that ``when`` conditions may test. A JSONL line is one `Ticket` plus its
``policy``. Whole chunks are read as columns (`slacalc.batch._csv`,
`slacalc.batch._jsonl`); a row those cannot take comes here: `evaluate_row` and
`evaluate_json` validate it field by field and evaluate it with `Policy.evaluate`, or
name what is wrong as a `RowError`. `PolicyBook` resolves policy names once per run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from ..errors import SlacalcError, UnknownPriorityError
from ..policy import Policy, bundled_policy, load_policy
from ..sla import SLAReport
from ..sla.escalation import percent_text
from ..sla.plan import Plan
from ..sla.ticket import Event, Ticket
from ._chunk import Kind
from ._escape import printable
from ._results import RESULT_COLUMNS, Result, seconds_text

__all__ = ["COLUMNS", "KNOWN", "RESULT_COLUMNS", "STOPS", "ExportError", "PolicyBook",
           "RowError", "checked", "evaluate_json", "evaluate_row", "quick_plan",
           "report_of", "rows_of_report"]

COLUMNS = ("ticket_id", "policy", "tier", "priority", "opened_at")
STOPS = {"responded_at": "responded", "resolved_at": "resolved", "workaround_at": "workaround"}
"""The flat CSV layout's stop columns and the event each stands for, in event order."""
KNOWN = {*COLUMNS, *STOPS, "priority_changed_at", "priority_changed_to"}
"""The flat CSV layout's columns that are not ticket attributes."""
_ONE_US = timedelta(microseconds=1)


class RowError(SlacalcError, ValueError):
    """One input row that cannot be evaluated; ``line`` is its line in the input file."""

    def __init__(self, line: int, message: str, ticket_id: str = "") -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.reason = message
        self.ticket_id = ticket_id


class ExportError(SlacalcError, ValueError):
    """A ticket export that cannot be read at all (not UTF-8 text, malformed CSV); the
    message names the line, and the caller the file."""


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def without_lone_surrogates(first: int, texts: Sequence[str]
                            ) -> tuple[list[tuple[int, str]], list[RowError]]:
    """JSONL lines (``texts``, the first numbered ``first``), numbered, with each line
    whose text holds a lone surrogate (``"\\ud800"``, which no UTF-8 output can write)
    blanked, and a `RowError` for it (its id shown escaped).

    Boundary rule: a surrogate pair (``"\\ud83d\\ude00"``, an emoji) is fine; a line that is
    not JSON is left to the checked path, which names its fault. The lines are searched
    once as a whole (the usual chunk has no such escape).
    """
    lines = list(enumerate(texts, start=first))
    joined = "".join(texts)
    if "\\" not in joined or not _SURROGATE_ESCAPE.search(joined):  # no escape at all (one
        return lines, []  # character is searched at memchr speed, "\\u" is not)
    kept: list[tuple[int, str]] = []
    refused: list[RowError] = []
    for line, text in lines:
        if _SURROGATE_ESCAPE.search(text):
            try:
                value = json.loads(text)
                json.dumps(value, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                found = value.get("id") if isinstance(value, dict) else None
                refused.append(RowError(line, "text with a lone surrogate (a \\ud800-\\udfff "
                                        "escape not in a pair) cannot be written as UTF-8",
                                        printable(str(found or ""))))
                kept.append((line, ""))
                continue
            except (ValueError, RecursionError):
                pass
        kept.append((line, text))
    return kept, refused


@cache
def _bundled(name: str) -> Policy:
    """The bundled policy ``name``, read and compiled once per process: package data
    cannot change while it runs (a policy file can, so a book reads those itself)."""
    return bundled_policy(name)


class PolicyBook:
    """Policies by name (bundled, given, or a path), loaded once each, and their plans;
    bundled ones (and the plans compiled from them) are shared by every book.

    ``PolicyBook({"mine": policy})`` also answers ``"mine"`` with a `Policy` built in code.
    """

    def __init__(self, policies: Mapping[str, Policy] | None = None) -> None:
        self._loaded: dict[str, Policy] = dict(policies or {})
        self._plans: dict[tuple[str, str, int], Plan] = {}

    def plan(self, name: str, tier: str, version: int = 0) -> Plan:
        """The compiled plan of ``tier`` in policy ``name``, in the terms numbered
        ``version`` (`Policy.version_at`; 0: the base terms), cached; the policy's own
        errors for an unknown policy or tier."""
        found = self._plans.get((name, tier, version))
        if found is None:
            found = self._plans[(name, tier, version)] = self.get(name).plan_of(tier, version)
        return found

    def kind(self, name: str, tier: str, priority: str, version: int = 0) -> Kind:
        """The plan and priority key of a row (in the terms numbered ``version``);
        `UnknownPriorityError` naming the priorities for one the policy does not know."""
        plan = self.plan(name, tier, version)
        key = plan.priority_key(priority)
        if key is None:
            raise UnknownPriorityError(plan.unknown_priority(priority))
        return Kind(plan, key)

    def versions(self, name: str) -> tuple[int, ...]:
        """The instants (UTC µs) from which policy ``name``'s versions are in force (empty
        without versions; `Policy.version_starts`); () for a name that cannot be loaded
        (its rows then name the fault)."""
        try:
            return self.get(name).version_starts()
        except (SlacalcError, ValidationError):
            return ()

    def get(self, name: str) -> Policy:
        """The policy ``name`` names: a bundled policy, or a path ending in .yaml/.yml."""
        policy = self._loaded.get(name)
        if policy is None:
            is_path = name.endswith((".yaml", ".yml")) or "/" in name
            policy = load_policy(Path(name)) if is_path else _bundled(name)
            self._loaded[name] = policy
        return policy


def _instant(text: str | None, column: str, line: int, ticket_id: str) -> datetime | None:
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RowError(line, f"{column}: malformed date {text!r} (ISO 8601 expected)",
                       ticket_id) from None
    if moment.tzinfo is None:
        raise RowError(line, f"{column}: {text!r} has no UTC offset; write e.g. "
                             f"2026-11-20T17:30:00-05:00", ticket_id)
    return moment


def _text(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """An instant as result rows write it: as given, or in ``zone`` when one is given."""
    if moment is None:
        return ""
    return (moment if zone is None else moment.astimezone(zone)).isoformat()


def _seconds(value: timedelta | None) -> str:
    return "" if value is None else seconds_text(value // _ONE_US)


def _report_results(ticket_id: str, policy: str, report: SLAReport) -> list[Result]:
    """The result rows of an evaluated ticket; due instants in the tier calendar's zone
    (the offset in force there at that instant), stops as their events wrote them."""
    results: list[Result] = []
    owner = report.policy
    zone = report.zone if isinstance(owner, Policy) else None
    for name, metric in report.items():
        overrun = None
        if metric.status == "breached" and metric.due is not None:
            overrun = (metric.stopped_at or report.now) - metric.due
        results.append((ticket_id, policy, report.ticket.tier, metric.priority or "", name,
                        metric.status, metric.target or "", _text(metric.due, zone),
                        _text(metric.stopped_at),
                        _seconds(None if metric.length is None else metric.elapsed),
                        _seconds(metric.remaining), _seconds(overrun), metric.reason or "",
                        "" if metric.escalated is None else percent_text(metric.escalated),
                        _text(metric.next_escalation_at, zone)))
    return results


def rows_of_report(ticket_id: str, policy: str, report: SLAReport) -> list[dict[str, str]]:
    """Result rows (column -> text) of an evaluated ticket, as the batch report shows them.

    Example: a vircom P2 ticket -> two rows, ``metric`` ``response`` then ``resolution``.
    """
    return [dict(zip(RESULT_COLUMNS, result, strict=True))
            for result in _report_results(ticket_id, policy, report)]


def checked(book: PolicyBook, row: Mapping[str, str | None], line: int,
            policy: str | None, now: datetime | None, *,
            events: Iterable[Event] = ()) -> list[Result]:
    """Validate one CSV row (as a mapping) field by field, the first problem its
    `RowError`, then evaluate it as a `Ticket` with `Policy.evaluate`: the path of every
    row the columns do not take.

    ``events`` (an event log's, already checked) come after the row's own, and are read
    only once the row's own fields pass (`report_of`). Boundary rule: as `evaluate_row`,
    whose result rows these are as tuples. Example: a row with priority ``P9`` on vircom
    -> `RowError` naming the priorities.
    """
    name, report = report_of(book, row, line, policy, now, events=events)
    return _report_results((row.get("ticket_id") or "").strip(), name, report)


def report_of(book: PolicyBook, row: Mapping[str, str | None], line: int,
              policy: str | None, now: datetime | None, *,
              events: Iterable[Event] = ()) -> tuple[str, SLAReport]:
    """The policy name and `SLAReport` of one CSV row, checked as `checked` checks it
    (the same `RowError`s); the HTML report draws a ticket's picture from it. ``events``
    are read only when the row's own fields pass: a row that fails (an opening after
    ``now``, an unknown priority) costs no `Event`.

    Example: a vircom P2 row -> ``("vircom", report)`` with ``report["response"]``.
    """
    ticket_id = (row.get("ticket_id") or "").strip()
    name = policy or (row.get("policy") or "").strip()
    try:
        if not name:
            raise RowError(line, "no policy (give a policy column or --policy)", ticket_id)
        book.get(name)
        for column in ("tier", "priority", "opened_at"):
            if not (row.get(column) or "").strip():
                raise RowError(line, f"{column}: missing", ticket_id)
        tier, priority = str(row["tier"]).strip(), str(row["priority"]).strip()
        opened = _instant(row.get("opened_at"), "opened_at", line, ticket_id)
        assert opened is not None
        found: list[Event] = []
        for column, kind in STOPS.items():
            moment = _instant(row.get(column), column, line, ticket_id)
            if moment is not None:
                if moment < opened:
                    raise RowError(line, f"{column}: {moment.isoformat()} is before opened_at",
                                   ticket_id)
                found.append(Event(kind=kind, at=moment))
        if now is not None and now < opened:
            raise RowError(line, f"--now {now.isoformat()} is before opened_at", ticket_id)
        # an unknown tier or priority (in the terms in force at opening) is named here
        book.kind(name, tier, priority, book.get(name).version_at(opened))
        changed = _instant(row.get("priority_changed_at"), "priority_changed_at", line,
                           ticket_id)
        if changed is not None:
            found.append(Event(kind="priority_changed", at=changed,
                                priority=(row.get("priority_changed_to") or "").strip()))
        ticket = Ticket(id=ticket_id or None, tier=tier, priority=priority, opened_at=opened,
                        attributes=_attributes(row), events=(*found, *events))
        return name, book.get(name).evaluate(ticket, now)
    except RowError:
        raise
    except (SlacalcError, ValidationError) as error:
        message = str(error).splitlines()[0] if isinstance(error, SlacalcError) else (
            f"{error.errors()[0]['loc']}: {error.errors()[0]['msg']}")
        raise RowError(line, message, ticket_id) from None


def evaluate_row(book: PolicyBook, row: Mapping[str, str | None], line: int, *,
                 policy: str | None = None, now: datetime | None = None) -> list[dict[str, str]]:
    """Result rows for one CSV row (``line`` numbers errors); `RowError` if it is bad.

    Boundary rule: a stop exactly at the due instant is met; stops after ``now`` are not
    applied; without ``now`` the ticket is judged as of its last event. Example:
    ``ticket_id=T1, policy=vircom, tier=standard, priority=P2,
    opened_at=2026-11-20T17:30:00-05:00, responded_at=2026-11-23T07:55:00-05:00`` ->
    response met (due Mon 08:00), resolution breached (due Sat 17:30).
    """
    return [dict(zip(RESULT_COLUMNS, result, strict=True))
            for result in checked(book, row, line, policy, now)]


def _attributes(row: Mapping[str, str | None]) -> dict[str, str]:
    return {key: str(value).strip() for key, value in row.items()
            if key not in KNOWN and key and value is not None and str(value).strip()}


def quick_plan(book: PolicyBook, name: str, tier: str, priority: str,
               version: int = 0) -> Kind | None:
    """The plan and priority key of a ticket the columns may take (in the terms numbered
    ``version``); None when the names carry spaces or are unknown (the checked path then
    names the fault)."""
    if not all(part and part == part.strip() for part in (name, tier, priority)):
        return None
    try:
        return book.kind(name, tier, priority, version)
    except (SlacalcError, ValidationError):
        return None


def evaluate_json(book: PolicyBook, text: str, line: int, *, policy: str | None = None,
                  now: datetime | None = None) -> list[Result]:
    """Result rows for one JSONL line: a `Ticket` plus its ``policy``, validated by the
    model (whose first error is the row's) and evaluated by `Policy.evaluate`. The
    checked path of `evaluate_lines`, which reads whole chunks as columns.
    Boundary rule: the ticket's own ``policy`` key gives way to ``policy`` when one is
    given. Example: ``{"policy": "vircom", "tier": "standard", "priority": "P1",
    "opened_at": "2026-11-20T17:30:00-05:00", "events": []}`` -> two running metrics.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RowError(line, f"malformed JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise RowError(line, "malformed JSON: nested too deeply") from None
    except ValueError:  # Python reads at most 4,300 digits
        raise RowError(line, "malformed JSON: a number of more than 4,300 digits") from None
    if not isinstance(data, dict):
        raise RowError(line, "expected a JSON object (a ticket)")
    ticket_id = str(data.get("id") or "")
    name = policy or str(data.pop("policy", "") or "")
    if policy:
        data.pop("policy", None)
    try:
        if not name:
            raise RowError(line, "no policy (give a policy key or --policy)", ticket_id)
        ticket = Ticket.model_validate(data)
        return _report_results(ticket_id, name, book.get(name).evaluate(ticket, now))
    except RowError:
        raise
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RowError(line, f"{where}: {first['msg']}", ticket_id) from None
    except SlacalcError as error:
        raise RowError(line, str(error).splitlines()[0], ticket_id) from None
