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
ANY_OFFSETS = st.one_of(OFFSETS, st.integers(-86_399, 86_399).map(
    lambda s: timezone(timedelta(seconds=s))))
TAKEN = ("iso", "written", "written", "written")
NEAR_MISSES = ("naive", "long fraction", "hour 24", "offset 24", "offset 60", "unpadded",
               "junk", "spaced", "leap day", "foreign", "other")
OTHERS = ("2026-10-01T05:21z", "2026-10-01T05Z", "2026-10-01T05:21:00.Z",
          "2026-10-01T05:21.5Z", "2026-10-01T05:21+5:30", "2026-10-01T05:21+0530:15",
          "2026-10-01T05:21+05:3015", "2026-10-01x05:21Z", "2026-10-01T05:21 Z",
          "2026-10-01T05:21+05:30:15.5", "20261001T0521Z", "2026-10-01T0521Z",
          "2026-10-01T05:21:00+05:3", "2026-10-01T05:21:00UTC", "2026-10-01T05:21:00+",
          "2026-10-01T05:21:00+05:30Z", "2026-10-01T05:21:00Z+05:00")


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


def in_range(expected: tuple[int, int] | None) -> bool:
    """Whether ``fromisoformat`` read the text, with an offset, at a UTC year in 2..9998."""
    return expected is not None and FIRST_US <= expected[0] < END_US


@st.composite
def zone_texts(draw: st.DrawFn, hours: tuple[int, int] = (0, 23),
               minutes: tuple[int, int] = (0, 59)) -> str:
    """An offset in one of the forms taken: Z, ±HH, ±HHMM, ±HH:MM, ±HHMMSS, ±HH:MM:SS."""
    form = draw(st.sampled_from(["Z", "HH", "HHMM", "HH:MM", "HHMMSS", "HH:MM:SS"]))
    if form == "Z":
        return "Z"
    hour, minute = draw(st.integers(*hours)), draw(st.integers(*minutes))
    second = draw(st.integers(0, 59) | st.just(0))
    fields = [f"{hour:02d}", f"{minute:02d}", f"{second:02d}"][:len(form.replace(":", "")) // 2]
    return draw(st.sampled_from("+-")) + (":" if ":" in form else "").join(fields)


@st.composite
def written(draw: st.DrawFn) -> tuple[str, bool]:
    """A text and whether it is in a form the parser takes (near misses are not).

    Taken: ``isoformat`` output, and every form the module docstring lists (T, t or
    space; minutes or seconds; fractions of 1 to 6 digits after "." or ","; any offset
    form). Near misses: naive, 7 to 9 fraction digits, hour 24, offset hour 24 or minute
    60, a field missing its zero, trailing junk, surrounding spaces, 29 February of a
    common year, a non-ASCII character, and forms only ``fromisoformat`` reads.
    """
    moment = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
    kind = draw(st.sampled_from(TAKEN + NEAR_MISSES))
    if kind == "iso":
        return moment.replace(tzinfo=draw(ANY_OFFSETS)).isoformat(), True
    day = moment.date().isoformat()
    if kind == "leap day":
        leap = moment.year % 4 == 0 and (moment.year % 100 != 0 or moment.year % 400 == 0)
        day = f"{moment.year:04d}-02-{30 if leap else 29}"
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if kind == "hour 24":
        clock = "24" + clock[2:]
    if draw(st.booleans()) or kind == "long fraction":
        clock += f":{moment.second:02d}"
        places = draw(st.integers(7, 9) if kind == "long fraction" else st.integers(0, 6))
        if places:
            clock += draw(st.sampled_from(".,")) + f"{moment.microsecond:06d}{321:03d}"[:places]
    head = day + draw(st.sampled_from("Tt ")) + clock
    zone = draw(zone_texts(hours=(24, 99) if kind == "offset 24" else (0, 23),
                           minutes=(60, 99) if kind == "offset 60" else (0, 59)))
    if kind == "offset 60" and len(zone) < 5:
        zone = "+05:60"
    if kind == "offset 24" and zone == "Z":
        zone = "-24:00"
    if kind == "naive":
        zone = ""
    if kind == "unpadded":
        position = draw(st.sampled_from([i for i, c in enumerate(head[:19]) if c.isdigit()]))
        head = head[:position] + head[position + 1:]
    text = head + zone
    if kind == "junk":
        text += draw(st.sampled_from(list(" Zz0:+-.x\x00\t\n")))
    elif kind == "spaced":
        text = draw(st.sampled_from([" " + text, text + " ", "\t" + text + "\n"]))
    elif kind == "foreign":
        position = draw(st.integers(0, len(text) - 1))
        text = text[:position] + draw(st.sampled_from("é\u0661\u00b2\uff10")) + text[position + 1:]
    elif kind == "other":
        text = draw(st.sampled_from(OTHERS))
    return text, kind in TAKEN


def mutated(text: str, position: int, character: str) -> str:
    position = min(position, max(len(text) - 1, 0))
    return text[:position] + character + text[position + 1:]


def check(text: str, us: int, offset: int) -> None:
    """A taken text: the same instant and offset as ``fromisoformat``, in the year range."""
    expected = reference(text)
    assert in_range(expected), text
    assert (us, offset) == expected, text


@settings(max_examples=1000)
@given(st.lists(written(), min_size=1, max_size=20))
def test_taken_texts_parse_as_fromisoformat_parses_them(cases: list[tuple[str, bool]]) -> None:
    parsed = parse_instants([text for text, _ in cases])
    for index, (text, taken) in enumerate(cases):
        assert parsed.present[index] == bool(text)
        accepted = bool(parsed.present[index] and not parsed.bad[index])
        if taken:  # a listed form: taken exactly when fromisoformat reads it in range
            assert accepted == in_range(reference(text)), text
        else:
            assert not accepted, f"{text!r} is no listed form"
        if accepted:
            check(text, int(parsed.us[index]), int(parsed.offset[index]))
            again = datetime.fromisoformat(text).isoformat()
            assert bool(parsed.canonical[index]) == (again == text), text
        else:
            assert (parsed.us[index], parsed.offset[index], parsed.canonical[index]) == (0, 0, 0)


@settings(max_examples=1000)
@given(written(), st.integers(0, 35),
       st.sampled_from(list("0123456789-:T Z.+xtz,\x00\u0661\u00b2")))
def test_a_changed_character_is_never_misread(case: tuple[str, bool], position: int,
                                              character: str) -> None:
    changed = mutated(case[0], position, character)
    parsed = parse_instants([changed, case[0]])
    if parsed.present[0] and not parsed.bad[0]:
        check(changed, int(parsed.us[0]), int(parsed.offset[0]))
        assert bool(parsed.canonical[0]) == (datetime.fromisoformat(changed).isoformat()
                                             == changed), changed


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


def test_every_listed_form_by_hand() -> None:
    # 2026-10-01 is day 20,727 after 1970-01-01 (56 years with 14 leap days, then 273 days).
    day = 20_727 * DAY
    hour, minute, second = 3600 * 1_000_000, 60 * 1_000_000, 1_000_000
    cases = {
        "2026-10-01T05:21-07:00": (day + 12 * hour + 21 * minute, -7 * hour, False),
        "2026-10-01 05:21:30.5Z": (day + 5 * hour + 21 * minute + 30 * second + 500_000, 0,
                                   False),
        "2026-10-01t05:21:30,25+0530": (day - 8 * minute - 30 * second + 250_000,
                                        5 * hour + 30 * minute, False),
        "2026-10-01T05:21:00+05": (day + 21 * minute, 5 * hour, False),
        "2026-10-01T05:21-0000": (day + 5 * hour + 21 * minute, 0, False),
        "2026-10-01T05:21:00+05:30:15": (day - 9 * minute - 15 * second,
                                         5 * hour + 30 * minute + 15 * second, True),
        "2026-10-01T05:21:00-053015": (day + 10 * hour + 51 * minute + 15 * second,
                                       -(5 * hour + 30 * minute + 15 * second), False),
        "2026-10-01T05:21:00+05:30:00": (day - 9 * minute, 5 * hour + 30 * minute, False),
        "2026-10-01T05:21:00.123456+05:30": (day - 9 * minute + 123_456,
                                             5 * hour + 30 * minute, True),
        "2026-10-01T05:21:00.000000+00:00": (day + 5 * hour + 21 * minute, 0, False),
        "2026-10-01T23:59:59.9-23:59": (day + DAY + 23 * hour + 58 * minute + 59 * second
                                        + 900_000, -(23 * hour + 59 * minute), False),
        "2024-02-29T00:00Z": (19_782 * DAY, 0, False),  # 2024 is a leap year
        "2000-02-29T00:00:00+00:00": (11_016 * DAY, 0, True),  # and so is 2000
    }
    parsed = parse_instants(list(cases))
    assert not parsed.bad.any()
    assert parsed.us.tolist() == [us for us, _, _ in cases.values()]
    assert parsed.offset.tolist() == [offset for _, offset, _ in cases.values()]
    assert parsed.canonical.tolist() == [canonical for _, _, canonical in cases.values()]
    for text, (us, offset, _) in cases.items():
        assert reference(text) == (us, offset), text


def test_near_misses_are_bad() -> None:
    texts = ["2026-10-01T05:21", "2026-10-01T05:21:00", "2026-10-01T05:21:00.5",  # naive
             "2026-10-01T05:21:00.1234567Z", "2026-10-01T24:00Z", "2026-10-01T05:21+24:00",
             "2026-02-29T05:21Z", "1900-02-29T05:21Z", "2026-04-31T05:21Z",
             "2026-10-01T5:21Z", "2026-1-01T05:21Z", "2026-10-01T05:21:0Z",
             " 2026-10-01T05:21Z", "2026-10-01T05:21Z ", "2026-10-01T05:21Zx",
             "2026-10-01T05:21+05:30\x00", "2026-10-01T05:21+05:30\x00\x00",
             "2026-10-01T05:21+05:60", "2026-10-01T05:21:61Z", "0000-12-31T23:00-05:00",
             "0001-12-31T23:00+05:00", "9998-12-31T23:00-05:00", "\u0662026-10-01T05:21Z",
             "2026-10-01T05:21:00.123456+05:30:15" + "0" * 20, *OTHERS]
    parsed = parse_instants(texts)
    assert parsed.present.all()
    assert [text for text, bad in zip(texts, parsed.bad.tolist(), strict=True) if not bad] == []
    # The edges of the year range are taken (UTC years 2 and 9998).
    edges = parse_instants(["0001-12-31T23:00-05:00", "9999-01-01T04:59:59.999999+05:00"])
    assert not edges.bad.any()
    assert edges.us.tolist() == [FIRST_US + 4 * 3600 * 1_000_000, END_US - 1]


def test_a_column_with_other_characters_reads_its_plain_cells() -> None:
    parsed = parse_instants(["2026-10-01T05:21-07:00", "n/a \u2013 pending", "",
                             "2026-10-01T05:21:00-07:00"])
    assert parsed.bad.tolist() == [False, True, False, False]
    assert parsed.us.tolist()[0] == parsed.us.tolist()[3] == (20_727 * 86_400 + 12 * 3600
                                                              + 21 * 60) * 1_000_000
    assert parsed.canonical.tolist() == [False, False, False, True]
    assert parse_instants([]).us.tolist() == []


def test_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instants, "_CACHE_LIMIT", 3)
    monkeypatch.setattr(instants, "_DAYS", {})
    monkeypatch.setattr(instants, "_SUFFIXES", {})
    texts = [instant_text(n * DAY, n * 60_000_000) for n in range(10)]
    assert texts[9] == "1970-01-10T00:09:00+00:09"
    assert len(instants._DAYS) <= 3
    assert len(instants._SUFFIXES) <= 3


def test_taken_rows_are_what_parsing_those_cells_alone_gives() -> None:
    # A column parsed once, then rows taken from it in any order (repeats included), is
    # field for field the column of those cells parsed on its own.
    cells = ["2026-11-20T17:30:00-05:00", "", "2026-10-01T05:21Z", "2026-10-01T05:21",
             "2026-11-01T01:30:00.250000-04:00"]
    rows = np.array([4, 0, 1, 3, 4, 2], dtype=np.int64)
    taken = parse_instants(cells).taken(rows)
    alone = parse_instants([cells[row] for row in rows.tolist()])
    for name in ("us", "offset", "present", "bad", "canonical"):
        np.testing.assert_array_equal(getattr(taken, name), getattr(alone, name), err_msg=name)
    assert taken.bad.tolist() == [False, False, False, True, False, False]  # no offset
