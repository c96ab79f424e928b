"""A chunk of JSONL lines evaluated as columns gives, line by line, what the model path
gives: `Policy.evaluate` on the validated `Ticket` (random policies and histories of every
event kind, stamps in every form exports write, broken lines among them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import Policy, Ticket
from slacalc.batch import RESULT_COLUMNS, PolicyBook, RowError, _jsonl, rows_of_report
from slacalc.batch._jsonl import evaluate_lines
from slacalc.testing import policies
from slacalc.testing import tickets as random_tickets


def _stamp(moment: datetime, form: int) -> str:
    """``moment`` written as exports write it (each form reads back to the same instant)."""
    offset = moment.utcoffset()
    assert offset is not None
    whole = moment.microsecond == 0 and moment.second == 0 and offset.seconds % 60 == 0
    if form == 1:
        utc = moment.astimezone(UTC)
        return utc.isoformat().replace("+00:00", "Z")
    if form == 2 and offset.seconds % 60 == 0:
        text = moment.isoformat()
        return text[:-3] + text[-2:]  # +hh:mm -> +hhmm
    if form == 3 and whole:
        return moment.strftime("%Y-%m-%dT%H:%M") + moment.isoformat()[19:]
    if form == 4:
        return moment.isoformat(sep=" ")
    return moment.isoformat()


_BROKEN = ['{"tier": 1}', "not json", '["a list"]', "{}",
           '{"policy": "random", "tier": "x", "priority": "y", "opened_at": "2026-01-01"}']


@st.composite
def _exports(draw: st.DrawFn) -> tuple[Policy, list[str], list[Any]]:
    policy = draw(policies())
    lines: list[str] = []
    expected: list[Any] = []  # a Ticket per good line, None per broken one
    for number in range(draw(st.integers(1, 8))):
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(_BROKEN)))
            expected.append(None)
            continue
        ticket = draw(random_tickets(policy, max_events=8))
        form = st.integers(0, 4)
        data: dict[str, Any] = {
            "id": f"T{number}", "policy": "random", "tier": ticket.tier,
            "priority": ticket.priority,
            "opened_at": _stamp(ticket.opened_at, draw(form)),
            "attributes": dict(ticket.attributes), "events": []}
        for event in ticket.events:
            item: dict[str, Any] = {"kind": event.kind, "at": _stamp(event.at, draw(form))}
            if event.priority is not None:
                item["priority"] = event.priority
            if event.answered is not None:
                item["answered"] = event.answered
            if not event.confirmed:
                item["confirmed"] = False
            data["events"].append(item)
        if data["events"] and draw(st.integers(0, 9)) == 0:  # an unknown kind: that line fails
            data["events"][0]["kind"] = "respondd"
        lines.append(json.dumps(data))
        expected.append(Ticket.model_validate({key: value for key, value in data.items()
                                               if key != "policy"}) if
                        data["events"][:1] == [] or data["events"][0]["kind"] != "respondd"
                        else None)
    return policy, lines, expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_exports(), st.none() | st.datetimes(min_value=datetime(2026, 1, 1),
                                             max_value=datetime(2027, 12, 31),
                                             timezones=st.just(UTC)))
def test_lines_equal_the_model_path(export: tuple[Policy, list[str], list[Any]],
                                    now: datetime | None) -> None:
    policy, lines, expected = export
    columns, errors, count = evaluate_lines(PolicyBook({"random": policy}),
                                            list(enumerate(lines, start=1)), now=now)
    rows: list[tuple[str, ...]] = []
    failed = []
    for line, ticket in enumerate(expected, start=1):
        if ticket is None:
            failed.append(line)
            continue
        if now is not None and now < ticket.opened_at:
            failed.append(line)
            continue
        report = policy.evaluate(ticket, now)
        rows += [tuple(row[column] for column in RESULT_COLUMNS)
                 for row in rows_of_report(ticket.id or "", "random", report)]
    assert [error.line for error in errors] == failed
    assert all(isinstance(error, RowError) for error in errors)
    assert list(zip(*columns, strict=True)) == rows
    assert count == len(lines) - len(failed)


def test_a_line_by_hand() -> None:
    # vircom standard P2, 1 business hour response on 07:30-18:00 Toronto: opened
    # Fri 2026-11-20 17:30 EST, responded Mon 07:55 -> met, due Mon 08:00.
    line = json.dumps({"id": "T1", "policy": "vircom", "tier": "standard", "priority": "P2",
                       "opened_at": "2026-11-20T22:30Z",
                       "events": [{"kind": "responded", "at": "2026-11-23T07:55-0500"}]})
    columns, errors, count = evaluate_lines(PolicyBook(), [(1, line), (2, "  ")])
    response = dict(zip(RESULT_COLUMNS, [column[0] for column in columns], strict=True))
    assert (errors, count) == ([], 1)
    assert response["status"] == "met"
    # Shown in the tier calendar's zone (Toronto, EST then), not the opening's +00:00.
    assert response["due"] == "2026-11-23T08:00:00-05:00"
    assert response["stopped_at"] == "2026-11-23T07:55:00-05:00"
    # Fri 17:30-18:00 and Mon 07:30-07:55: 55 business minutes of 60.
    assert timedelta(seconds=int(response["elapsed_seconds"])) == timedelta(minutes=55)
    assert timedelta(seconds=int(response["remaining_seconds"])) == timedelta(minutes=5)


class _Refusing:
    """A typed decoder that refuses every run: each line then takes the general path."""

    def decode(self, text: str) -> object:
        raise msgspec.DecodeError("refused")


_VIRCOM = {"id": "T1", "policy": "vircom", "tier": "standard", "priority": "P2",
           "opened_at": "2026-11-20T22:30Z"}
_EVENT = {"kind": "responded", "at": "2026-11-23T07:55-0500"}
_SHAPES = [  # each is one line; the typed decoder must read it as json.loads does, or refuse
    {**_VIRCOM, "events": [_EVENT]},
    {**_VIRCOM, "events": [{**_EVENT, "priority": None, "answered": None, "note": None}]},
    {**_VIRCOM, "events": [{**_EVENT, "confirmed": None}]},
    {**_VIRCOM, "events": [{**_EVENT, "confirmed": False}]},
    {**_VIRCOM, "events": [{**_EVENT, "answered": 1}]},
    {**_VIRCOM, "events": [{**_EVENT, "extra": "x"}]},
    {**_VIRCOM, "events": [{"kind": "priority_changed", "at": "2026-11-20T22:40Z",
                            "priority": "P1"}]},
    {**_VIRCOM, "events": [{"kind": 3, "at": "2026-11-20T22:40Z"}]},
    {**_VIRCOM, "events": None},
    {**_VIRCOM, "events": ["responded"]},
    {**_VIRCOM, "id": 7},
    {**_VIRCOM, "attributes": {"plan": 1}},
    {**_VIRCOM, "attributes": {"plan": "gold"}},
    {**_VIRCOM, "attributes": None},
    {**_VIRCOM, "unknown": 1},
    {key: value for key, value in _VIRCOM.items() if key != "id"},
    {key: value for key, value in _VIRCOM.items() if key != "tier"},
    {**_VIRCOM, "priority": None},
]
_TEXTS = [json.dumps(shape) for shape in _SHAPES] + [
    # duplicate keys: the last wins in json.loads, and must in the typed decoder too
    '{"id": "T1", "policy": "vircom", "tier": "standard", "priority": "P1", '
    '"priority": "P2", "opened_at": "2026-11-20T22:30Z"}',
    '{"id": "T1", "policy": "vircom", "tier": "standard", "priority": "P2", '
    '"opened_at": NaN}',
    '{"id": "T1"} {"id": "T2"}', "[1, 2]", "null", '"text"',
]


@pytest.mark.parametrize("text", _TEXTS)
def test_the_typed_decoder_reads_a_line_as_the_general_path(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The typed decoder is only a faster way to the general path's tables: alone in its
    # run and in a run of ordinary lines, every line gives what the general path gives.
    ordinary = json.dumps({**_VIRCOM, "id": "T0", "events": [_EVENT]})
    for lines in ([(1, text)], [(1, ordinary), (2, text), (3, ordinary)]):
        typed = evaluate_lines(PolicyBook(), lines)
        monkeypatch.setattr(_jsonl, "_USUAL", _Refusing())
        general = evaluate_lines(PolicyBook(), lines)
        monkeypatch.undo()
        assert typed[0] == general[0]
        assert [(error.line, error.reason) for error in typed[1]] == \
            [(error.line, error.reason) for error in general[1]]
        assert typed[2] == general[2]


def test_ordinary_lines_take_the_typed_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    # The benchmark's shape (and the README's) is decoded typed: a decoder that refuses
    # is then never the one that answers.
    calls: list[int] = []
    usual = _jsonl._USUAL

    class Counting:
        def decode(self, text: str) -> object:
            calls.append(1)
            return usual.decode(text)

    monkeypatch.setattr(_jsonl, "_USUAL", Counting())
    monkeypatch.setattr(_jsonl, "json", None)  # the general decoder is not reached
    line = json.dumps({**_VIRCOM, "attributes": {"plan": "gold"}, "events": [
        _EVENT, {"kind": "priority_changed", "at": "2026-11-23T13:00Z", "priority": "P1"}]})
    columns, errors, count = evaluate_lines(PolicyBook(), [(1, line), (2, line)])
    assert (calls, errors, count) == ([1], [], 2)
    # Responded Mon 07:55 EST, before the 08:00 due (see test_a_line_by_hand); the
    # priority change comes after (13:00Z is 08:00 EST), so the response stays met.
    assert columns[4][0::2] == ["response", "response"]
    assert columns[5][0::2] == ["met", "met"]


def test_each_result_row_carries_its_tickets_opening() -> None:
    # Line 1 is clean (the columns take it); line 2 has 66 events, more than the columns
    # take (64), so it is evaluated singly; line 3 fails (an unknown kind); line 4 is
    # blank. Each evaluated ticket gives two rows (response, resolution), each row its
    # own ticket's opening as written.
    waits = [{"kind": kind, "at": f"2026-11-2{day}T1{hour}:00Z"}
             for day in range(1, 5) for hour in range(10)
             for kind in ("awaiting_customer", "customer_replied")][:66]
    lines = [(1, json.dumps({**_VIRCOM, "opened_at": "2026-11-20T17:30-05:00"})),
             (2, json.dumps({**_VIRCOM, "id": "T2", "opened_at": "2026-11-20T22:31Z",
                             "events": waits})),
             (3, json.dumps({**_VIRCOM, "id": "T3", "events": [{**_EVENT, "kind": "x"}]})),
             (4, " ")]
    opened: list[str] = []
    columns, errors, count = evaluate_lines(PolicyBook(), lines, opened=opened)
    assert (count, [error.line for error in errors]) == (2, [3])
    assert columns[0] == ["T1", "T1", "T2", "T2"]
    assert opened == ["2026-11-20T17:30-05:00"] * 2 + ["2026-11-20T22:31Z"] * 2
