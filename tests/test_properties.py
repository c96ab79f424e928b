"""Property tests: slacalc against the brute-force reference in `reference.py`, and algebra.

Start instants are drawn four ways per calendar: uniformly over whole minutes of 2024-2028;
within three days of one of the calendar zone's DST transitions (found by scanning
``utcoffset`` with zoneinfo, never typed in); within two days of a country holiday (from the
``holidays`` package); within two days of a date the mapping itself lists (``add``,
``remove``, ``special_hours``). Each instant is then shown in the calendar's own zone or in
another one (UTC, Asia/Tokyo, ...), since results must carry the caller's tzinfo whatever it
is. Durations and distances are whole minutes, biased towards small values.

Every comparison is of instants (converted to UTC, so ``fold`` counts); the tzinfo of each
result is checked separately (``is`` the input's for a ZoneInfo input).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from dateutil import tz as dateutil_tz
from hypothesis import given, settings
from hypothesis import strategies as st

from slacalc import BusinessCalendar, NaiveDatetimeError

from reference import MINUTE, ReferenceCalendar

CALENDARS: dict[str, dict[str, Any]] = {
    "los_angeles": {
        "timezone": "America/Los_Angeles",
        "hours": {"mon-fri": "06:00-18:00"},
        "holidays": {
            "country": "US",
            "subdiv": None,
            "add": ["2026-12-24"],
            "remove": ["2026-10-12"],
        },
        "special_hours": {
            "2026-12-31": "06:00-12:00",
            "2026-12-26": "closed",
            "2027-01-09": "10:00-14:00",
        },
    },
    "toronto_qc": {
        "timezone": "America/Toronto",
        "hours": {"mon-fri": "07:30-18:00"},
        "holidays": {"country": "CA", "subdiv": "QC"},
    },
    "london_split": {
        "timezone": "Europe/London",
        "hours": {"mon-fri": ["09:00-12:30", "13:30-17:30"]},
        "holidays": {"country": "GB", "subdiv": "ENG"},
        "special_hours": {
            "2026-12-24": "09:00-12:00",
            "2026-12-27": "10:00-14:00",  # a Sunday, opened
            "2026-12-28": "10:00-11:00",  # Boxing Day (observed), opened anyway
            "2026-03-30": "closed",  # a Monday
            "2026-03-29": "00:30-02:00",  # spring forward: 01:00 GMT -> 02:00 BST
            "2026-10-25": "01:15-01:45",  # fall back: 01:00-02:00 shown twice
        },
    },
    "new_york_night": {
        "timezone": "America/New_York",
        "hours": {"mon-fri": "22:00-06:00"},
        "holidays": {"country": "US"},
    },
    "lord_howe": {
        # Lord Howe moves its clocks by 30 minutes at 02:00 on Sundays: 02:00 -> 02:30 in
        # October, 02:00 -> 01:30 in April. 01:45 sits in the repeated half hour and 02:10 in
        # the gap; Saturday's shift spills into Sunday up to 01:45.
        "timezone": "Australia/Lord_Howe",
        "hours": {"mon-fri": "01:00-03:00", "sat": "23:00-01:45", "sun": "02:10-06:00"},
    },
    "new_york_24x7": {"timezone": "America/New_York", "hours": "24x7"},
    "new_york_gap": {
        # 01:30-03:30 daily: the spring gap (02:00-03:00) and the repeated hour (01:00-02:00)
        # both fall inside the hours.
        "timezone": "America/New_York",
        "hours": {"daily": "01:30-03:30"},
    },
}

# Scale for drawn durations: about one business day, in minutes.
DAY_MINUTES = {
    "los_angeles": 12 * 60,
    "toronto_qc": 10 * 60 + 30,
    "london_split": 7 * 60 + 30,
    "new_york_night": 8 * 60,
    "lord_howe": 2 * 60,
    "new_york_24x7": 24 * 60,
    "new_york_gap": 2 * 60,
}

NAMES = list(CALENDARS)
ENGINE = {name: BusinessCalendar.from_dict(spec) for name, spec in CALENDARS.items()}
REFERENCE = {name: ReferenceCalendar(spec) for name, spec in CALENDARS.items()}

FIRST = datetime(2024, 1, 1, tzinfo=UTC)
LAST = datetime(2029, 1, 1, tzinfo=UTC)
DAY = 24 * 60  # minutes
ONE_US = timedelta(microseconds=1)
OTHER_ZONES: tuple[tzinfo, ...] = (
    UTC,
    ZoneInfo("UTC"),
    ZoneInfo("Asia/Tokyo"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Europe/Berlin"),
    timezone(timedelta(hours=-3, minutes=-30)),
    dateutil_tz.gettz("Europe/Paris"),
)

SETTINGS = settings(max_examples=60, deadline=None)
SLOW_SETTINGS = settings(max_examples=40, deadline=None)

by_calendar = pytest.mark.parametrize("name", NAMES)


# -- interesting instants --------------------------------------------------------------------


@functools.cache
def dst_transitions(key: str) -> tuple[datetime, ...]:
    """The zone's UTC-offset changes in 2024-2028, to the minute, found by scanning."""
    zone = ZoneInfo(key)

    def offset(moment: datetime) -> timedelta | None:
        return moment.astimezone(zone).utcoffset()

    found = []
    hour = timedelta(hours=1)
    moment = FIRST - timedelta(days=7)
    while moment < LAST + timedelta(days=7):
        if offset(moment) != offset(moment + hour):
            lo, hi = moment, moment + hour  # offset(lo) != offset(hi): bisect to the minute
            while hi - lo > MINUTE:
                mid = lo + (hi - lo) // 2
                mid = mid.replace(second=0, microsecond=0)
                if offset(mid) == offset(lo):
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        moment += hour
    return tuple(found)


def _midnights(zone: ZoneInfo, days: set[date]) -> tuple[datetime, ...]:
    """Local midnights of ``days``, as UTC instants."""
    return tuple(
        datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) for day in sorted(days)
    )


@functools.cache
def holiday_midnights(name: str) -> tuple[datetime, ...]:
    """Local midnights of the calendar's country holidays around 2024-2028."""
    spec = CALENDARS[name]
    hol = spec.get("holidays")
    if not hol:
        return ()
    days = holidays.country_holidays(
        hol["country"], subdiv=hol.get("subdiv"), years=range(2023, 2030)
    )
    return _midnights(ZoneInfo(spec["timezone"]), set(days))


@functools.cache
def listed_midnights(name: str) -> tuple[datetime, ...]:
    """Local midnights of the mapping's own dates: ``add``, ``remove``, ``special_hours``.

    Drawn as their own branch so that a handful of listed dates is not drowned out by the
    country's holidays.
    """
    spec = CALENDARS[name]
    hol = spec.get("holidays") or {}
    texts = [*hol.get("add", ()), *hol.get("remove", ()), *spec.get("special_hours", {})]
    return _midnights(ZoneInfo(spec["timezone"]), {date.fromisoformat(text) for text in texts})


def _near(anchors: tuple[datetime, ...], days: int) -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda anchor, minutes: anchor + minutes * MINUTE,
        st.sampled_from(anchors),
        st.integers(-days * DAY, days * DAY),
    )


@functools.cache
def utc_minutes(name: str) -> st.SearchStrategy[datetime]:
    """Whole UTC minutes: uniform in 2024-2028, or near DST transitions, holidays, listed dates."""
    span = (LAST - FIRST) // MINUTE
    choices = [st.integers(0, span - 1).map(lambda m: FIRST + m * MINUTE)]
    transitions = dst_transitions(CALENDARS[name]["timezone"])
    if transitions:
        choices.append(_near(transitions, 3))
    for midnights in (holiday_midnights(name), listed_midnights(name)):
        if midnights:
            choices.append(_near(midnights, 2))
    return st.one_of(choices)


def input_zones(name: str) -> list[tzinfo]:
    own = ZoneInfo(CALENDARS[name]["timezone"])
    return [own, own, own, *OTHER_ZONES]


@st.composite
def moments(draw: st.DrawFn, name: str, *, sub_minute: bool = False) -> datetime:
    """An aware instant (a whole minute unless ``sub_minute``) in a drawn tzinfo.

    Mostly a drawn instant shown in a drawn zone; sometimes a wall-clock reading typed in the
    calendar's zone close to a DST transition, with either ``fold``, which may fall in a gap
    or in a repeated hour (Python maps it to an instant through ``utcoffset``).
    """
    zone = ZoneInfo(CALENDARS[name]["timezone"])
    transitions = dst_transitions(zone.key)
    extra = timedelta(0)
    if sub_minute and draw(st.booleans()):
        extra = timedelta(microseconds=draw(st.integers(1, 60_000_000 - 1)))
    if transitions and draw(st.integers(0, 5)) == 0:
        anchor = draw(st.sampled_from(transitions)).astimezone(zone).replace(tzinfo=None)
        wall = anchor + draw(st.integers(-150, 150)) * MINUTE + extra
        return wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1)))
    moment = draw(utc_minutes(name)) + extra
    return moment.astimezone(draw(st.sampled_from(input_zones(name))))


def durations(name: str, *, negative: bool = True) -> st.SearchStrategy[timedelta]:
    """Whole minutes, up to about five business days, biased towards small values."""
    most = 5 * DAY_MINUTES[name]
    least = -most if negative else 0
    return st.one_of(
        st.integers(least, most),
        st.integers(max(least, -120), 120),
    ).map(lambda minutes: minutes * MINUTE)


def offsets(max_days: int, *, negative: bool = True) -> st.SearchStrategy[timedelta]:
    """A second instant's distance from the first: whole minutes within ``max_days``."""
    most = max_days * DAY
    least = -most if negative else 0
    return st.one_of(st.integers(least, most), st.integers(max(least, -180), 180)).map(
        lambda minutes: minutes * MINUTE
    )


# -- assertions ------------------------------------------------------------------------------


def assert_tz(result: datetime, given_moment: datetime) -> None:
    if isinstance(given_moment.tzinfo, ZoneInfo):
        assert result.tzinfo is given_moment.tzinfo
    else:
        assert result.tzinfo == given_moment.tzinfo


def assert_instant(result: datetime, expected: datetime, given_moment: datetime) -> None:
    """Same instant (compared in UTC, so fold counts) and the caller's tzinfo."""
    assert result.astimezone(UTC) == expected.astimezone(UTC)
    assert_tz(result, given_moment)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def shift(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta`` in real time, kept in ``moment``'s tzinfo."""
    return (utc(moment) + delta).astimezone(moment.tzinfo)


# -- against the reference -------------------------------------------------------------------


@by_calendar
@SETTINGS
@given(data=st.data())
def test_is_open_matches_reference(name: str, data: st.DataObject) -> None:
    moment = data.draw(moments(name, sub_minute=True))
    assert ENGINE[name].is_open(moment) == REFERENCE[name].is_open(moment)


@by_calendar
@SLOW_SETTINGS
@given(data=st.data())
def test_elapsed_matches_reference(name: str, data: st.DataObject) -> None:
    a = data.draw(moments(name))
    b = shift(a, data.draw(offsets(10))).astimezone(data.draw(st.sampled_from(input_zones(name))))
    expected = REFERENCE[name].elapsed(a, b)
    assert ENGINE[name].elapsed(a, b) == expected
    assert ENGINE[name].elapsed(b, a) == -expected


@by_calendar
@SLOW_SETTINGS
@given(data=st.data())
def test_add_matches_reference(name: str, data: st.DataObject) -> None:
    a = data.draw(moments(name))
    d = data.draw(durations(name))
    assert_instant(ENGINE[name].add(a, d), REFERENCE[name].add(a, d), a)


@by_calendar
@SETTINGS
@given(data=st.data())
def test_next_open_matches_reference(name: str, data: st.DataObject) -> None:
    moment = data.draw(moments(name, sub_minute=True))
    assert_instant(ENGINE[name].next_open(moment), REFERENCE[name].next_open(moment), moment)


@pytest.mark.parametrize("name", [name for name in NAMES if CALENDARS[name]["hours"] != "24x7"])
@SETTINGS
@given(data=st.data())
def test_next_close_matches_reference(name: str, data: st.DataObject) -> None:
    moment = data.draw(moments(name, sub_minute=True))
    assert_instant(ENGINE[name].next_close(moment), REFERENCE[name].next_close(moment), moment)


@by_calendar
@SLOW_SETTINGS
@given(data=st.data())
def test_open_intervals_match_reference(name: str, data: st.DataObject) -> None:
    a = data.draw(moments(name))
    b = shift(a, data.draw(offsets(4, negative=False)))
    got = ENGINE[name].open_intervals(a, b)
    expected = REFERENCE[name].open_intervals(a, b)
    assert [(utc(lo), utc(hi)) for lo, hi in got] == expected
    for lo, hi in got:
        assert_tz(lo, a)
        assert_tz(hi, a)


# -- algebraic laws --------------------------------------------------------------------------


@by_calendar
@SETTINGS
@given(data=st.data())
def test_elapsed_undoes_add(name: str, data: st.DataObject) -> None:
    cal = ENGINE[name]
    a = data.draw(moments(name, sub_minute=True))
    d = data.draw(durations(name, negative=False))
    t = cal.add(a, d)
    assert_tz(t, a)
    assert utc(t) >= utc(a)
    assert cal.elapsed(a, t) == d


@by_calendar
@SETTINGS
@given(data=st.data())
def test_add_is_monotone_in_start(name: str, data: st.DataObject) -> None:
    cal = ENGINE[name]
    a1 = data.draw(moments(name, sub_minute=True))
    a2 = shift(a1, data.draw(offsets(3, negative=False)))
    d = data.draw(durations(name))
    assert utc(cal.add(a1, d)) <= utc(cal.add(a2, d))


@by_calendar
@SETTINGS
@given(data=st.data())
def test_add_is_monotone_in_duration(name: str, data: st.DataObject) -> None:
    cal = ENGINE[name]
    a = data.draw(moments(name, sub_minute=True))
    d1, d2 = sorted([data.draw(durations(name)), data.draw(durations(name))])
    assert utc(cal.add(a, d1)) <= utc(cal.add(a, d2))


@by_calendar
@SETTINGS
@given(data=st.data())
def test_add_composes(name: str, data: st.DataObject) -> None:
    cal = ENGINE[name]
    a = data.draw(moments(name, sub_minute=True))
    x = data.draw(durations(name, negative=False))
    y = data.draw(durations(name, negative=False))
    assert_instant(cal.add(cal.add(a, x), y), cal.add(a, x + y), a)


@by_calendar
@SETTINGS
@given(data=st.data())
def test_backward_add_inverts_forward_add_on_open_instants(name: str, data: st.DataObject) -> None:
    cal = ENGINE[name]
    a = data.draw(moments(name, sub_minute=True))
    if not cal.is_open(a):
        # Move into the next open span, at a drawn fraction of its length.
        start = cal.next_open(a)
        length = utc(cal.next_close(start)) - utc(start)
        fraction = data.draw(st.integers(0, 999))
        a = shift(start, timedelta(microseconds=length // ONE_US * fraction // 1000))
    assert cal.is_open(a)
    assert REFERENCE[name].is_open(a)
    d = data.draw(durations(name, negative=False).filter(lambda value: value > timedelta(0)))
    there = cal.add(a, d)
    back = cal.add(there, -d)
    assert_instant(back, a, a)


@by_calendar
@SETTINGS
@given(data=st.data())
def test_elapsed_is_antisymmetric(name: str, data: st.DataObject) -> None:
    cal = ENGINE[name]
    a = data.draw(moments(name, sub_minute=True))
    b = data.draw(moments(name, sub_minute=True))
    assert cal.elapsed(b, a) == -cal.elapsed(a, b)
    assert cal.elapsed(a, a) == timedelta(0)


@by_calendar
@SETTINGS
@given(data=st.data())
def test_add_zero_is_identity(name: str, data: st.DataObject) -> None:
    a = data.draw(moments(name, sub_minute=True))
    assert_instant(ENGINE[name].add(a, timedelta(0)), a, a)


# -- naive datetimes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda cal, naive: cal.is_open(naive),
        lambda cal, naive: cal.next_open(naive),
        lambda cal, naive: cal.next_close(naive),
        lambda cal, naive: cal.add(naive, timedelta(hours=1)),
        lambda cal, naive: cal.add(naive, timedelta(0)),
        lambda cal, naive: cal.elapsed(naive, datetime(2026, 1, 5, tzinfo=UTC)),
        lambda cal, naive: cal.elapsed(datetime(2026, 1, 5, tzinfo=UTC), naive),
        lambda cal, naive: cal.open_intervals(naive, datetime(2026, 1, 9, tzinfo=UTC)),
        lambda cal, naive: cal.open_intervals(datetime(2026, 1, 1, tzinfo=UTC), naive),
    ],
    ids=[
        "is_open",
        "next_open",
        "next_close",
        "add",
        "add_zero",
        "elapsed_start",
        "elapsed_end",
        "open_intervals_start",
        "open_intervals_end",
    ],
)
def test_naive_datetimes_raise(call: Any) -> None:
    with pytest.raises(NaiveDatetimeError):
        call(ENGINE["los_angeles"], datetime(2026, 1, 6, 9, 0))
