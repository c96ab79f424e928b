"""`slacalc.batch._instants` agrees with ``datetime.fromisoformat`` and ``datetime.isoformat``.

The standard library is the reference: every text the column parser takes must parse to
the same instant and offset with ``fromisoformat``, and every text it writes must equal
``isoformat`` of the same aware datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slacalc.batch import _instants as instants
from slacalc.batch._instants import END_US, FIRST_US, instant_text, instant_texts, parse_instants

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
DAY = 86_400 * 1_000_000
OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))


def reference(text: str) -> tuple[int, int] | None:
    """(µs, offset µs) by the standard library, or None when it refuses the text."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = moment.utcoffset()
    if offset is None:
        return None
    return (moment - EPOCH) // US, offset // US


@st.composite
def written(draw: st.DrawFn) -> tuple[str, bool]:
    """A text and whether it is in a form the parser takes (cut texts are not)."""
    zone = draw(OFFSETS)
    moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    text = moment.replace(tzinfo=zone).isoformat()
    form = draw(st.sampled_from(["iso", "space", "zulu", "zero", "minus", "cut"]))
    if form == "space":
        text = text.replace("T", " ", 1)
    elif form == "zulu":
        text = moment.isoformat() + "Z"
    elif form == "zero" and "." not in text:
        text = text[:19] + ".000000" + text[19:]
    elif form == "minus":
        text = moment.isoformat() + "-00:00"
    elif form == "cut":
        text = text[:draw(st.integers(0, len(text)))]
    return text, form != "cut"


def mutated(text: str, position: int, character: str) -> str:
    position = min(position, max(len(text) - 1, 0))
    return text[:position] + character + text[position + 1:]


@settings(max_examples=500)
@given(st.lists(written(), min_size=1, max_size=20))
def test_taken_texts_parse_as_fromisoformat_parses_them(cases: list[tuple[str, bool]]) -> None:
    parsed = parse_instants([text for text, _ in cases])
    for index, (text, taken) in enumerate(cases):
        expected = reference(text)
        assert parsed.present[index] == bool(text)
        if not parsed.present[index] or parsed.bad[index]:
            in_range = expected is not None and datetime(2, 1, 1, tzinfo=UTC) <= (
                EPOCH + timedelta(microseconds=expected[0])) < datetime(9999, 1, 1, tzinfo=UTC)
            assert not (taken and in_range), f"{text!r} was refused"
            continue
        assert expected is not None, text
        assert (int(parsed.us[index]), int(parsed.offset[index])) == expected
        again = datetime.fromisoformat(text).isoformat()
        assert bool(parsed.canonical[index]) == (again == text), text


@settings(max_examples=1000)
@given(written(), st.integers(0, 31), st.sampled_from(list("0123456789-:T Z.+x\u0661")))
def test_a_changed_character_is_never_misread(case: tuple[str, bool], position: int,
                                              character: str) -> None:
    changed = mutated(case[0], position, character)
    parsed = parse_instants([changed])
    if parsed.present[0] and not parsed.bad[0]:
        assert reference(changed) == (int(parsed.us[0]), int(parsed.offset[0])), changed


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(FIRST_US + DAY, END_US - DAY), OFFSETS,
                          st.booleans()), min_size=1, max_size=20))
def test_written_texts_are_isoformat(cases: list[tuple[int, timezone, bool]]) -> None:
    us = np.array([value if micro else value - value % 1_000_000
                   for value, _, micro in cases], dtype=np.int64)
    offsets = np.array([zone.utcoffset(None) // US for _, zone, _ in cases], dtype=np.int64)
    expected = [(EPOCH + timedelta(microseconds=int(value))).astimezone(zone).isoformat()
                for value, (_, zone, _) in zip(us.tolist(), cases, strict=True)]
    assert instant_texts(us, offsets).tolist() == expected
    assert [instant_text(int(a), int(b)) for a, b in zip(us, offsets, strict=True)] == expected


def test_known_values_by_hand() -> None:
    parsed = parse_instants(["2026-11-20T17:30:00-05:00", "", "2026-02-29T00:00:00+00:00",
                             "2026-11-20 22:30:00Z", "2026-11-20T17:30:00.000000-05:00"])
    # 2026-11-20 is day 20,777 after 1970-01-01; 22:30 UTC.
    assert parsed.us.tolist()[0] == (20_777 * 86_400 + 22 * 3600 + 30 * 60) * 1_000_000
    assert parsed.offset.tolist()[0] == -5 * 3600 * 1_000_000
    assert parsed.present.tolist() == [True, False, True, True, True]
    assert parsed.bad.tolist() == [False, False, True, False, False]  # 2026 is no leap year
    assert parsed.us.tolist()[3] == parsed.us.tolist()[0]
    assert parsed.canonical.tolist() == [True, False, False, False, False]


def test_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instants, "_CACHE_LIMIT", 3)
    monkeypatch.setattr(instants, "_DAYS", {})
    monkeypatch.setattr(instants, "_SUFFIXES", {})
    texts = [instant_text(n * DAY, n * 60_000_000) for n in range(10)]
    assert texts[9] == "1970-01-10T00:09:00+00:09"
    assert len(instants._DAYS) <= 3
    assert len(instants._SUFFIXES) <= 3
