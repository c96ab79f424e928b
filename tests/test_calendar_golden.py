"""Golden cases for the calendar engine, each derived by hand in its comment.

DST dates come from the zone (tests/dst.py), never typed in; holiday dates are named with
the holiday they are, and the test asserts the `holidays` package agrees before relying
on it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from slacalc import BusinessCalendar

from dst import fall_back, spring_forward

TORONTO = ZoneInfo("America/Toronto")
LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
H = timedelta(hours=1)
M = timedelta(minutes=1)

VIRCOM = BusinessCalendar.from_dict(
    {
        "timezone": "America/Toronto",
        "hours": {"mon-fri": "07:30-18:00"},
        "holidays": {"country": "CA", "subdiv": "QC"},
    }
)
VALIMAIL = BusinessCalendar.from_dict(
    {"timezone": "America/Los_Angeles", "hours": {"mon-fri": "06:00-18:00"},
     "holidays": {"country": "US"}}
)
NIGHT = BusinessCalendar.from_dict(
    {"timezone": "America/New_York", "hours": {"mon-fri": "22:00-06:00"},
     "holidays": {"country": "US"}}
)
LUNCH = BusinessCalendar.from_dict(
    {
        "timezone": "Europe/London",
        "hours": {"mon-fri": ["09:00-12:30", "13:30-17:30"]},
        "holidays": {"country": "GB", "subdiv": "ENG"},
        "special_hours": {"2026-12-24": "09:00-12:00", "2026-12-25": "10:00-12:00"},
    }
)


def toronto(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)  # type: ignore[misc]


# -- Vircom: Mon-Fri 07:30-18:00 Toronto, Quebec holidays ------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # 30 min left on Friday, the other 30 from Monday's 07:30 opening.
        (toronto(2026, 11, 20, 17, 30), H, toronto(2026, 11, 23, 8, 0)),
        # Lands exactly on closing time: the closing instant, not Monday's opening.
        (toronto(2026, 11, 20, 17, 0), H, toronto(2026, 11, 20, 18, 0)),
        # A weekend start counts from the next opening, Monday 07:30.
        (toronto(2026, 11, 21, 10, 0), H, toronto(2026, 11, 23, 8, 30)),
        # Zero is the start itself, even when closed.
        (toronto(2026, 11, 21, 10, 0), timedelta(0), toronto(2026, 11, 21, 10, 0)),
        # 4 business hours from Monday 07:30 is 11:30 the same day.
        (toronto(2026, 11, 23, 7, 30), 4 * H, toronto(2026, 11, 23, 11, 30)),
        # A full 10.5 h day from opening ends at that day's closing.
        (toronto(2026, 11, 23, 7, 30), timedelta(hours=10, minutes=30),
         toronto(2026, 11, 23, 18, 0)),
        # Backward: Mon 08:00 - 1 h = 30 min of Monday, then Friday 18:00 - 30 min.
        (toronto(2026, 11, 23, 8, 0), -H, toronto(2026, 11, 20, 17, 30)),
        # Backward landing on an opening answers the opening (latest instant), not Fri 18:00.
        (toronto(2026, 11, 23, 7, 45), -15 * M, toronto(2026, 11, 23, 7, 30)),
        # Saint-Jean-Baptiste (Wed 2026-06-24) is closed: 1 h on Tue, 1 h from Thu 07:30.
        (toronto(2026, 6, 23, 17, 0), 2 * H, toronto(2026, 6, 25, 8, 30)),
        # Christmas (Fri 2026-12-25) closed: Thu 17:00 + 2 h -> Mon 28 08:30 (Boxing Day
        # is not a Quebec statutory holiday).
        (toronto(2026, 12, 24, 17, 0), 2 * H, toronto(2026, 12, 28, 8, 30)),
        # Sub-second precision survives: 1 µs before closing plus 1 µs is the closing instant.
        (toronto(2026, 11, 20, 17, 59, 59, 999999), timedelta(microseconds=1),
         toronto(2026, 11, 20, 18, 0)),
    ],
)
def test_vircom_add(start: datetime, duration: timedelta, expected: datetime) -> None:
    assert VIRCOM.add(start, duration) == expected


def test_quebec_holidays_used_above_are_holidays() -> None:
    table = holidays.country_holidays("CA", subdiv="QC", years=2026)
    assert date(2026, 6, 24) in table
    assert date(2026, 12, 25) in table
    assert date(2026, 12, 28) not in table


def test_vircom_elapsed_over_a_weekend_is_the_open_time_only() -> None:
    # Fri 17:00-18:00 and Mon 07:30-08:00.
    friday, monday = toronto(2026, 11, 20, 17, 0), toronto(2026, 11, 23, 8, 0)
    assert VIRCOM.elapsed(friday, monday) == timedelta(hours=1, minutes=30)
    assert VIRCOM.elapsed(monday, friday) == -timedelta(hours=1, minutes=30)


def test_vircom_across_the_spring_dst_weekend() -> None:
    # Clocks go forward on a Sunday (from the zone); business hours do not notice:
    # Fri 17:00 + 2 h = 1 h on Friday + Mon 07:30-08:30 (now EDT).
    sunday, _ = spring_forward("America/Toronto", 2026)
    assert sunday.weekday() == 6
    friday = toronto(sunday.year, sunday.month, sunday.day - 2, 17, 0)
    monday_0830 = toronto(sunday.year, sunday.month, sunday.day + 1, 8, 30)
    assert VIRCOM.add(friday, 2 * H) == monday_0830
    assert monday_0830.utcoffset() == timedelta(hours=-4)
    assert VIRCOM.elapsed(friday, monday_0830) == 2 * H


# -- A night shift and a holiday -------------------------------------------------------


def test_night_shift_before_a_holiday_loses_only_the_part_after_midnight() -> None:
    # Thanksgiving, Thu 2026-11-26. Wed 22:00-24:00 counts (Wednesday is not closed);
    # Thu 00:00-06:00 and Thu 22:00-24:00 are closed (the holiday closes its whole date);
    # Fri 00:00-06:00 counts (it is Friday's date). Total 2 h + 6 h.
    assert date(2026, 11, 26) in holidays.country_holidays("US", years=2026)
    start = datetime(2026, 11, 25, 22, 0, tzinfo=NY)
    end = datetime(2026, 11, 27, 6, 0, tzinfo=NY)
    assert NIGHT.elapsed(start, end) == 8 * H
    assert NIGHT.open_intervals(start, end) == [
        (start, datetime(2026, 11, 26, 0, 0, tzinfo=NY)),
        (datetime(2026, 11, 27, 0, 0, tzinfo=NY), end),
    ]


def test_night_shift_crosses_midnight_into_the_next_weekday_only() -> None:
    # mon-fri 22:00-06:00: Sunday night and Monday 00:00-06:00 are closed; Saturday
    # 00:00-06:00 is open (Friday's shift). Sun 23:00 + 1 h -> Mon 23:00.
    assert NIGHT.add(datetime(2026, 11, 22, 23, 0, tzinfo=NY), H) == datetime(
        2026, 11, 23, 23, 0, tzinfo=NY
    )
    assert NIGHT.is_open(datetime(2026, 11, 21, 5, 59, tzinfo=NY))
    assert not NIGHT.is_open(datetime(2026, 11, 21, 6, 0, tzinfo=NY))
    assert not NIGHT.is_open(datetime(2026, 11, 23, 3, 0, tzinfo=NY))
    # Weekday lengths differ (Mon 2 h, Tue-Fri 8 h, Sat 6 h), so no business day is implied.
    assert NIGHT.business_day is None


# -- DST: the rule needs no exception --------------------------------------------------


def _day_calendar(hours: str) -> BusinessCalendar:
    return BusinessCalendar.from_dict({"timezone": "America/New_York", "hours": {"daily": hours}})


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def test_whole_day_on_fall_back_holds_25_real_hours() -> None:
    day, _ = fall_back("America/New_York", 2026)
    whole = _day_calendar("00:00-24:00")
    start = _local_midnight(day, NY)
    assert whole.elapsed(start, start + timedelta(days=1)) == 25 * H


def test_whole_day_on_spring_forward_holds_23_real_hours() -> None:
    day, _ = spring_forward("America/New_York", 2026)
    whole = _day_calendar("00:00-24:00")
    start = _local_midnight(day, NY)
    assert whole.elapsed(start, start + timedelta(days=1)) == 23 * H


def test_hours_across_the_gap_are_counted_in_real_time() -> None:
    # 01:30-03:30 on the spring-forward day: the clock jumps 02:00 -> 03:00, so only
    # 01:30-02:00 and 03:00-03:30 are shown: 1 real hour.
    day, _ = spring_forward("America/New_York", 2026)
    gap = _day_calendar("01:30-03:30")
    start = _local_midnight(day, NY)
    assert gap.elapsed(start, start + timedelta(days=1)) == H


def test_a_repeated_hour_counts_as_often_as_it_is_shown() -> None:
    # 01:30-03:30 on the fall-back day: 01:30-02:00 EDT, then the clock shows 01:00 again;
    # 01:30-03:30 EST follows. 30 min + 2 h = 2 h 30 min, in two spans.
    day, instant = fall_back("America/New_York", 2026)
    repeat = _day_calendar("01:30-03:30")
    start = _local_midnight(day, NY)
    assert repeat.elapsed(start, start + timedelta(days=1)) == timedelta(hours=2, minutes=30)
    spans = repeat.open_intervals(start, start + timedelta(days=1))
    assert [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in spans] == [
        (instant - timedelta(minutes=30), instant),
        (instant + timedelta(minutes=30), instant + timedelta(hours=2, minutes=30)),
    ]


def test_a_boundary_in_the_gap_takes_effect_when_the_clock_reads_past_it() -> None:
    # Opening at 02:30 on the spring-forward day opens at the jump itself (the clock reads
    # 03:00 there); closing at 02:30 closes at the jump too.
    day, instant = spring_forward("America/New_York", 2026)
    start = _local_midnight(day, NY)
    opens_in_gap = _day_calendar("02:30-05:00")
    assert opens_in_gap.next_open(start).astimezone(UTC) == instant
    assert opens_in_gap.elapsed(start, start + timedelta(days=1)) == 2 * H  # 03:00-05:00 EDT
    closes_in_gap = _day_calendar("00:00-02:30")
    assert closes_in_gap.next_close(start).astimezone(UTC) == instant
    assert closes_in_gap.elapsed(start, start + timedelta(days=1)) == 2 * H  # 00:00-02:00 EST


def test_a_24x7_hour_across_fall_back_is_a_real_hour() -> None:
    # 01:30 EDT + 1 h of 24x7 time is 01:30 EST, the second showing (fold=1).
    day, _ = fall_back("America/New_York", 2026)
    always = BusinessCalendar.always_open("America/New_York")
    first = datetime(day.year, day.month, day.day, 1, 30, tzinfo=NY)
    later = always.add(first, H)
    assert later.astimezone(UTC) - first.astimezone(UTC) == H
    assert (later.hour, later.minute, later.fold) == (1, 30, 1)


def test_lord_howe_thirty_minute_changes() -> None:
    # Lord Howe moves its clocks by 30 minutes at 02:00. Daily 01:00-03:00 holds 1 h 30 min
    # of real time the day clocks go forward and 2 h 30 min the day they go back.
    cal = BusinessCalendar.from_dict({"timezone": "Australia/Lord_Howe",
                                      "hours": {"daily": "01:00-03:00"}})
    spring, _ = spring_forward("Australia/Lord_Howe", 2026)
    autumn, _ = fall_back("Australia/Lord_Howe", 2026)
    for day, expected in ((spring, timedelta(hours=1, minutes=30)),
                          (autumn, timedelta(hours=2, minutes=30))):
        start = _local_midnight(day, LORD_HOWE)
        assert cal.elapsed(start, start + timedelta(days=1)) == expected
        assert cal.business_day == 2 * H  # the wall-clock length, DST aside


# -- Several intervals a day, special hours --------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # 09:00 + 3.5 h lands on the lunch closing, 12:30, not the 13:30 reopening.
        (datetime(2026, 11, 23, 9, 0), timedelta(hours=3, minutes=30),
         datetime(2026, 11, 23, 12, 30)),
        # 12:00 + 1 h = 30 min before lunch + 30 min after it.
        (datetime(2026, 11, 23, 12, 0), H, datetime(2026, 11, 23, 14, 0)),
        # Christmas Eve is a short day (09:00-12:00): 11:00 + 2 h = 1 h on the 24th, then
        # Christmas Day opened specially 10:00-12:00, so 11:00 on the 25th.
        (datetime(2026, 12, 24, 11, 0), 2 * H, datetime(2026, 12, 25, 11, 0)),
        # 11:00 on the 24th + 4 h: 1 h on the 24th, 2 h on the 25th, Boxing Day (Sat) and
        # its observed Monday closed, then Tue 29 09:00 + 1 h.
        (datetime(2026, 12, 24, 11, 0), 4 * H, datetime(2026, 12, 29, 10, 0)),
    ],
)
def test_london_lunch_and_special_hours(
    start: datetime, duration: timedelta, expected: datetime
) -> None:
    assert LUNCH.add(start.replace(tzinfo=LONDON), duration) == expected.replace(tzinfo=LONDON)


def test_london_holidays_used_above_are_holidays() -> None:
    table = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    assert date(2026, 12, 25) in table
    assert date(2026, 12, 28) in table  # Boxing Day (observed)


def test_business_day_is_the_regular_open_length() -> None:
    assert VALIMAIL.business_day == 12 * H
    assert VIRCOM.business_day == timedelta(hours=10, minutes=30)
    assert LUNCH.business_day == timedelta(hours=7, minutes=30)
    assert BusinessCalendar.always_open().business_day == 24 * H
    # Stated explicitly, it wins; 2 business days are 2 x that of business time.
    stated = BusinessCalendar.from_dict({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"},
                                         "business_day": "7.5 hours"})
    assert stated.business_days(2) == timedelta(hours=15)


def test_valimail_24_business_hours_is_two_business_days() -> None:
    # 24 business hours from Fri 10:00 PT: Fri 8 h, Mon 12 h, Tue 4 h -> Tue 10:00.
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=LA)
    assert VALIMAIL.add(friday, VALIMAIL.business_days(2)) == datetime(2026, 11, 24, 10, 0,
                                                                       tzinfo=LA)


# -- Predicate edges and the caller's tzinfo ---------------------------------------------


def test_is_open_is_half_open() -> None:
    assert VIRCOM.is_open(toronto(2026, 11, 20, 7, 30))
    assert VIRCOM.is_open(toronto(2026, 11, 20, 17, 59, 59))
    assert not VIRCOM.is_open(toronto(2026, 11, 20, 18, 0))
    assert not VIRCOM.is_open(toronto(2026, 11, 20, 7, 29, 59))


def test_next_open_and_next_close() -> None:
    friday_evening = toronto(2026, 11, 20, 18, 0)
    assert VIRCOM.next_open(friday_evening) == toronto(2026, 11, 23, 7, 30)
    assert VIRCOM.next_close(friday_evening) == toronto(2026, 11, 23, 18, 0)
    assert VIRCOM.next_open(toronto(2026, 11, 23, 9, 0)) == toronto(2026, 11, 23, 9, 0)
    assert VIRCOM.next_close(toronto(2026, 11, 23, 9, 0)) == toronto(2026, 11, 23, 18, 0)


def test_results_carry_the_callers_tzinfo() -> None:
    # Fri 17:30 Toronto is 22:30 UTC; + 1 h -> Mon 08:00 Toronto = 13:00 UTC.
    start = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
    result = VIRCOM.add(start, H)
    assert result.tzinfo is UTC
    assert (result.day, result.hour) == (23, 13)
    tokyo = ZoneInfo("Asia/Tokyo")
    in_tokyo = VIRCOM.next_open((start + H).astimezone(tokyo))  # Fri 18:30 Toronto
    assert in_tokyo.tzinfo is tokyo
    assert in_tokyo == toronto(2026, 11, 23, 7, 30)
    spans = VIRCOM.open_intervals(start, start + timedelta(days=3))
    assert all(a.tzinfo is UTC and b.tzinfo is UTC for a, b in spans)


def test_long_targets_cross_years() -> None:
    # 10.5 h a day: 21 business days (220.5 h) after the New Year's Eve opening. Counted by
    # hand: Dec 31 (Thu) is day 1, Jan 1 is a holiday, then 20 working days of January 2027
    # (Jan 4-29) end on Fri Jan 29 at 18:00.
    start = toronto(2026, 12, 31, 7, 30)
    assert VIRCOM.add(start, VIRCOM.business_days(21)) == toronto(2027, 1, 29, 18, 0)
    assert VIRCOM.add(toronto(2027, 1, 29, 18, 0), -VIRCOM.business_days(21)) == start
