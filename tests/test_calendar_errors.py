"""Every bad calendar input gets a typed error whose one-line message names field and value."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacalc import BusinessCalendar, CalendarError, NaiveDatetimeError, SlacalcError

LA = ZoneInfo("America/Los_Angeles")
BASE: dict[str, Any] = {"timezone": "America/Los_Angeles", "hours": {"mon-fri": "06:00-18:00"}}


def with_(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


@pytest.mark.parametrize(
    ("mapping", "field", "fragment"),
    [
        pytest.param(with_(hours={"mon-sun": "closed"}), "hours", "never opens", id="never-open"),
        pytest.param(with_(hours={"mon": "09:00-09:00"}), "hours.mon", "'09:00-09:00' is empty",
                     id="end-equals-start"),
        pytest.param(with_(hours={"mon": ["09:00-12:00", "11:00-13:00"]}), "hours.mon[1]",
                     "overlaps '09:00-12:00'", id="overlap-same-day"),
        pytest.param(with_(hours={"mon": "22:00-06:00", "tue": "05:00-10:00"}), "hours.tue",
                     "overlaps '22:00-06:00'", id="overlap-across-midnight"),
        pytest.param(with_(timezone="America/Los_Angles"), "timezone",
                     "unknown IANA time zone 'America/Los_Angles' (did you mean "
                     "'America/Los_Angeles'?)", id="unknown-zone"),
        pytest.param(with_(timezone=None), "timezone", "expected an IANA time zone name",
                     id="zone-not-text"),
        pytest.param(with_(hours={"mon-fry": "06:00-18:00"}), "hours.mon-fry",
                     "unknown weekday 'fry'", id="unknown-weekday"),
        pytest.param(with_(hours={"daily": "06:00-18:00", "sat": "closed"}), "hours.sat",
                     "sat is already given by hours.daily", id="weekday-twice"),
        pytest.param(with_(holidays={"country": "XX"}), "holidays.country",
                     "unknown holidays country 'XX'", id="unknown-country"),
        pytest.param(with_(holidays={"country": "CA", "subdiv": "ZZ"}), "holidays.subdiv",
                     "unknown subdivision 'ZZ' of CA", id="unknown-subdivision"),
        pytest.param(with_(holidays={"subdiv": "QC"}), "holidays.subdiv", "without a country",
                     id="subdivision-without-country"),
        pytest.param(with_(holidays={"country": "US", "remove": ["2026-10-13"]}),
                     "holidays.remove[0]", "2026-10-13 is not a US holiday",
                     id="remove-non-holiday"),
        pytest.param(with_(holidays={"country": "US", "add": ["tomorrow"]}), "holidays.add[0]",
                     "expected a date", id="add-not-a-date"),
        pytest.param(with_(holidays={"country": "US", "extra": 1}), "holidays.extra",
                     "unknown key 'extra'", id="holidays-unknown-key"),
        pytest.param(with_(hours={"mon": "25:00-26:00"}), "hours.mon",
                     "time '25:00' is out of range", id="time-25"),
        pytest.param(with_(hours={"mon": "6am-6pm"}), "hours.mon", "malformed time '6am'",
                     id="time-6am"),
        pytest.param(with_(hours={"mon": "09:60-10:00"}), "hours.mon", "out of range",
                     id="minute-60"),
        pytest.param(with_(hours={"mon": "24:00-10:00"}), "hours.mon", "24:00 can only end",
                     id="start-24"),
        pytest.param(with_(hours={"mon": "0900-1000"}), "hours.mon", "malformed time '0900'",
                     id="no-colon"),
        pytest.param(with_(hours={"mon": "09:00"}), "hours.mon", "malformed interval '09:00'",
                     id="no-end"),
        pytest.param(with_(hours={"mon": 9}), "hours.mon", "expected an interval", id="not-text"),
        pytest.param(with_(hours={}), "hours", "expected '24x7' or a mapping", id="hours-empty"),
        pytest.param(with_(hours="9 to 5"), "hours", "expected '24x7' or a mapping",
                     id="hours-text"),
        pytest.param(with_(special_hours={"2026-12-31": "22:00-02:00"}),
                     "special_hours.2026-12-31", "cross midnight", id="special-crossing"),
        pytest.param(with_(special_hours={"31/12/2026": "09:00-12:00"}), "special_hours.31/12/2026",
                     "expected a date", id="special-bad-date"),
        pytest.param(with_(business_day="1 day"), "business_day", "malformed length '1 day'",
                     id="business-day-days"),
        pytest.param(with_(business_day="0 hours"), "business_day", "not a positive",
                     id="business-day-zero"),
        pytest.param(with_(timezon="UTC"), "timezon", "unknown key 'timezon' (did you mean "
                     "'timezone'?)", id="unknown-key"),
        pytest.param({"hours": "24x7"}, "timezone", "required", id="missing-timezone"),
        pytest.param({"timezone": "UTC"}, "hours", "required", id="missing-hours"),
    ],
)
def test_bad_calendar_mapping(mapping: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar.from_dict(mapping)
    error = caught.value
    assert isinstance(error, SlacalcError)
    assert isinstance(error, ValueError)
    assert error.field == field
    assert fragment in str(error)
    assert str(error).startswith(f"{field}: ")
    assert "\n" not in str(error)


def test_named_calendar_errors_name_the_calendar() -> None:
    with pytest.raises(CalendarError, match=r"^calendar 'business': hours.mon: malformed time"):
        BusinessCalendar.from_dict(with_(hours={"mon": "6am-6pm"}), name="business")


def test_business_days_need_a_business_day() -> None:
    # Mon-Fri 09:00-17:00 but Saturday 10:00-12:00: open weekdays differ in length.
    uneven = BusinessCalendar.from_dict(
        {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00", "sat": "10:00-12:00"}},
        name="support",
    )
    assert uneven.business_day is None
    with pytest.raises(CalendarError, match=r"^calendar 'support': business_day: open weekdays"):
        uneven.business_days(1)


@pytest.mark.parametrize(
    "call",
    [
        lambda cal, t: cal.add(t, timedelta(hours=1)),
        lambda cal, t: cal.elapsed(t, t),
        lambda cal, t: cal.is_open(t),
        lambda cal, t: cal.next_open(t),
        lambda cal, t: cal.next_close(t),
        lambda cal, t: cal.open_intervals(t, t),
    ],
    ids=["add", "elapsed", "is_open", "next_open", "next_close", "open_intervals"],
)
def test_naive_datetimes_are_refused_with_a_hint(call: Any) -> None:
    cal = BusinessCalendar.from_dict(BASE)
    with pytest.raises(NaiveDatetimeError, match="has no UTC offset; attach one"):
        call(cal, datetime(2026, 3, 2, 9, 0))


def test_a_duration_must_be_a_timedelta() -> None:
    cal = BusinessCalendar.from_dict(BASE)
    with pytest.raises(CalendarError, match=r"duration: expected a datetime\.timedelta, got int 3"):
        cal.add(datetime(2026, 3, 2, 9, 0, tzinfo=LA), 3)  # type: ignore[arg-type]


def test_a_search_gives_up_after_ten_empty_years() -> None:
    # Open for one hour on one special date only: asking for two hours cannot be answered.
    once = BusinessCalendar.from_dict(
        {"timezone": "UTC", "hours": {"mon": "closed"},
         "special_hours": {"2026-01-05": "09:00-10:00"}}
    )
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    assert once.add(start, timedelta(hours=1)) == datetime(2026, 1, 5, 10, tzinfo=ZoneInfo("UTC"))
    with pytest.raises(CalendarError, match="no open time within 10 years after 2026-01-05T10:00"):
        once.add(start, timedelta(hours=2))
    with pytest.raises(CalendarError, match="no open time within 10 years"):
        once.next_open(datetime(2026, 2, 1, tzinfo=ZoneInfo("UTC")))
    with pytest.raises(CalendarError, match="no open time within 10 years before"):
        once.add(start, -timedelta(hours=1))


def test_an_always_open_calendar_has_no_next_close() -> None:
    always = BusinessCalendar.always_open()
    with pytest.raises(CalendarError, match="no closing instant within 10 years"):
        always.next_close(datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))


def test_instants_beyond_the_supported_years_are_refused() -> None:
    cal = BusinessCalendar.from_dict(BASE)
    with pytest.raises(CalendarError, match="between years"):
        cal.add(datetime(9999, 12, 1, tzinfo=ZoneInfo("UTC")), timedelta(hours=1))
    # Instants whose UTC time lies outside what datetime holds (year 10000, year 0).
    late = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    early = datetime(1, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    for moment, year in ((late, 10000), (early, 0)):
        with pytest.raises(CalendarError, match=f"year {year} was needed"):
            cal.add(moment, timedelta(hours=1))
        with pytest.raises(CalendarError, match=f"year {year} was needed"):
            cal.elapsed(moment, moment)
        with pytest.raises(CalendarError, match=f"year {year} was needed"):
            cal.is_open(moment)


def test_business_time_is_measured_within_a_century() -> None:
    cal = BusinessCalendar.from_dict(BASE)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=LA)
    with pytest.raises(CalendarError, match=r"more than 100 years apart"):
        cal.elapsed(start, datetime(2127, 3, 2, 9, 0, tzinfo=LA))
    always = BusinessCalendar.always_open()
    with pytest.raises(CalendarError, match=r"more than 100 years apart"):
        always.add(start, timedelta(days=101 * 366))


def test_far_apart_instants_compile_only_their_own_years() -> None:
    # A ticket in year 9000 after one in 2026 must not compile the seven millennia between
    # them (it once did, year by year): each far instant gets an island of its own, and a
    # measurement across 14 years grows one island over them, giving the exact count.
    cal = BusinessCalendar.from_dict(BASE)
    assert cal.add(datetime(2026, 3, 2, 17, 30, tzinfo=LA), timedelta(hours=1)) == datetime(
        2026, 3, 3, 6, 30, tzinfo=LA)
    wednesday = next(datetime(9000, 6, day, 10, 0, tzinfo=LA) for day in range(1, 8)
                     if datetime(9000, 6, day).weekday() == 2)
    assert cal.add(wednesday, timedelta(hours=3)) == wednesday + timedelta(hours=3)
    assert cal.elapsed(wednesday, wednesday + timedelta(days=1)) == timedelta(hours=12)
    islands = [(snap.first_year, snap.last_year) for snap in cal._timeline._islands]
    assert islands == [(2026, 2026), (9000, 9000)]
    monday, later = datetime(2026, 3, 2, 6, 0, tzinfo=LA), datetime(2040, 3, 5, 6, 0, tzinfo=LA)
    days = (later.date() - monday.date()).days
    weekdays = sum((monday.date() + timedelta(days=n)).weekday() < 5 for n in range(days))
    assert cal.elapsed(monday, later) == timedelta(hours=12 * weekdays)
    islands = [(snap.first_year, snap.last_year) for snap in cal._timeline._islands]
    assert islands == [(2026, 2040), (9000, 9000)]
