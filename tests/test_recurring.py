"""Recurring closures and special hours (``recurring:``, RFC 5545 RRULE): golden deadlines
reasoned by hand, DST days found from the zone itself, leap years, precedence, bounds, and
errors that name the entry and the rule text."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacalc import BusinessCalendar, CalendarError, PolicyError, loads_policy
from slacalc.engine._recurrence import Recurrence, parse_rule

TORONTO = ZoneInfo("America/Toronto")
HOUR = timedelta(hours=1)


def toronto(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def calendar(hours: Any = "24x7", **more: Any) -> BusinessCalendar:
    return BusinessCalendar.from_dict({"timezone": "America/Toronto", "hours": hours, **more})


def dst_changes(zone: ZoneInfo, year: int) -> list[date]:
    """The local dates on which ``zone``'s UTC offset changes, found from the zone."""
    found = []
    day = date(year, 1, 1)
    while day.year == year:
        before = datetime.combine(day, datetime.min.time(), zone).utcoffset()
        after = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).utcoffset()
        if before != after:
            found.append(day)
        day += timedelta(days=1)
    return found


# -- the DST days: derived from the zone, not typed in ------------------------------------


def test_the_toronto_dst_days_of_2026_are_the_rules_dates() -> None:
    spring, autumn = dst_changes(TORONTO, 2026)
    assert (spring, autumn) == (date(2026, 3, 8), date(2026, 11, 1))
    # the rules below name them: the 2nd Sunday of March and the 1st Sunday of November
    assert spring.weekday() == autumn.weekday() == 6
    assert (spring.day - 1) // 7 == 1
    assert (autumn.day - 1) // 7 == 0


SPRING = {"rule": "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "closed": "01:00-05:00"}
AUTUMN = {"rule": "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "closed": "00:00-04:00"}


def test_a_recurring_window_on_the_spring_forward_day_closes_real_time() -> None:
    # 01:00 EST is 06:00Z; 05:00 EDT is 09:00Z: the window closes 3 real hours (02:00-03:00
    # is never shown), and the 23-hour day keeps 20 open hours.
    cal = calendar(recurring=[SPRING])
    day = toronto(2026, 3, 8)
    assert cal.open_intervals(day, toronto(2026, 3, 9)) == [
        (day, utc(2026, 3, 8, 6).astimezone(TORONTO)),
        (utc(2026, 3, 8, 9).astimezone(TORONTO), toronto(2026, 3, 9))]
    assert cal.elapsed(day, toronto(2026, 3, 9)) == 20 * HOUR
    # golden deadline: 00:30 EST + 2 h = 30 min before the window, 90 min after 05:00 EDT
    assert cal.add(toronto(2026, 3, 8, 0, 30), 2 * HOUR) == utc(2026, 3, 8, 10, 30)
    # a year later the rule falls on 2027-03-14, again the spring-forward day
    assert dst_changes(TORONTO, 2027)[0] == date(2027, 3, 14)
    assert cal.elapsed(toronto(2027, 3, 14), toronto(2027, 3, 15)) == 20 * HOUR


def test_a_recurring_window_on_the_fall_back_day_closes_both_one_oclocks() -> None:
    # 00:00 EDT is 04:00Z; 04:00 EST is 09:00Z: 5 real hours closed, 01:00-02:00 twice.
    cal = calendar(recurring=[AUTUMN])
    assert cal.elapsed(toronto(2026, 11, 1), toronto(2026, 11, 2)) == 20 * HOUR
    assert cal.is_open(utc(2026, 11, 1, 3, 59, 59))
    assert not cal.is_open(utc(2026, 11, 1, 4))
    assert not cal.is_open(utc(2026, 11, 1, 8, 59))
    assert cal.is_open(utc(2026, 11, 1, 9))
    # golden deadline: Sat 23:00 EDT (03:00Z) + 2 h = 1 h to midnight, 1 h after 04:00 EST
    assert cal.add(toronto(2026, 10, 31, 23), 2 * HOUR) == utc(2026, 11, 1, 10)


# -- the examples of the issue ----------------------------------------------------------


def test_a_company_shutdown_every_24_december() -> None:
    cal = calendar({"mon-fri": "09:00-18:00"}, recurring=[
        {"rule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "hours": "closed"}])
    assert cal.hours_on(date(2026, 12, 24)) == ()  # a Thursday
    assert cal.hours_on(date(2027, 12, 24)) == ()  # a Friday
    assert cal.hours_on(date(2026, 12, 23)) == ((9 * 3600, 18 * 3600),)
    # Wed 17:00 + 2 h: 1 h on Wednesday, Thursday closed, 1 h from Friday 09:00
    assert cal.add(toronto(2026, 12, 23, 17), 2 * HOUR) == toronto(2026, 12, 25, 10)
    assert cal.hours_on(date(9998, 12, 24)) == ()  # any year, one lookup


def test_a_monthly_maintenance_window_on_the_first_saturday() -> None:
    cal = calendar(recurring=[{"rule": "FREQ=MONTHLY;BYDAY=1SA", "closed": "02:00-06:00"}])
    # March 2026 begins on a Sunday: its first Saturday is the 7th; April's is the 4th
    assert date(2026, 3, 1).weekday() == 6
    assert date(2026, 4, 1).weekday() == 2
    for first_saturday in (date(2026, 3, 7), date(2026, 4, 4)):
        assert cal.hours_on(first_saturday) == ((0, 2 * 3600), (6 * 3600, 86_400))
    assert cal.hours_on(date(2026, 3, 14)) == ((0, 86_400),)
    assert cal.elapsed(toronto(2026, 3, 7), toronto(2026, 3, 8)) == 20 * HOUR


def test_special_hours_every_31_december() -> None:
    cal = calendar({"mon-fri": "07:30-18:00"}, recurring=[
        {"rule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", "hours": "06:00-12:00"}])
    assert cal.hours_on(date(2026, 12, 31)) == ((6 * 3600, 12 * 3600),)  # a Thursday
    # the hours replace the date's hours, so a Sunday 31 December opens, as special_hours
    # would; a rule limited to weekdays keeps weekends closed
    assert date(2028, 12, 31).weekday() == 6
    assert cal.hours_on(date(2028, 12, 31)) == ((6 * 3600, 12 * 3600),)
    weekdays = calendar({"mon-fri": "07:30-18:00"}, recurring=[
        {"rule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31;BYDAY=MO,TU,WE,TH,FR",
         "hours": "06:00-12:00"}])
    assert weekdays.hours_on(date(2028, 12, 31)) == ()
    assert weekdays.hours_on(date(2026, 12, 31)) == ((6 * 3600, 12 * 3600),)


def test_closing_at_noon_on_the_last_friday_of_each_quarter() -> None:
    cal = calendar({"mon-fri": "07:30-18:00"}, holidays={"country": "CA", "subdiv": "ON"},
                   recurring=[{"rule": "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR",
                               "closed": "12:00-24:00"}])
    # the last Fridays of 2026's quarters: March 27, June 26, September 25, December 25
    for day in (date(2026, 3, 27), date(2026, 6, 26), date(2026, 9, 25)):
        assert day.weekday() == 4
        assert (day + timedelta(days=7)).month != day.month
        assert cal.hours_on(day) == ((27_000, 12 * 3600),)
    assert cal.hours_on(date(2026, 3, 20)) == ((27_000, 64_800),)
    # Fri 11:00 + 2 h: 1 h to noon, the next hour from Monday 07:30
    assert cal.add(toronto(2026, 3, 27, 11), 2 * HOUR) == toronto(2026, 3, 30, 8, 30)
    # 2024-03-29 was both the last Friday of March and Good Friday (Easter: March 31):
    # the holiday closes the date, and the rule's cut does not reopen any of it
    assert cal.hours_on(date(2024, 3, 29)) == ()


def test_february_29_only_in_leap_years() -> None:
    cal = calendar({"daily": "09:00-17:00"}, recurring=[
        {"rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "hours": "closed"}])
    assert cal.hours_on(date(2028, 2, 29)) == ()
    assert not cal.is_open(toronto(2028, 2, 29, 10))
    for open_day in (date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 28), date(2028, 3, 1)):
        assert cal.hours_on(open_day) == ((9 * 3600, 17 * 3600),)
    rule = Recurrence(parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "r"), None, "r")
    # 2100 is not a leap year (divisible by 100, not by 400); 2000 and 2400 are
    assert rule.dates(date(2096, 1, 1), date(2104, 12, 31)) == [date(2096, 2, 29),
                                                                 date(2104, 2, 29)]
    assert rule.dates(date(1999, 1, 1), date(2001, 12, 31)) == [date(2000, 2, 29)]
    assert cal.hours_on(date(2400, 2, 29)) == ()
    # Tue 2028-02-29 is closed: Mon 16:00 + 2 h ends Wed 10:00
    assert cal.add(toronto(2028, 2, 28, 16), 2 * HOUR) == toronto(2028, 3, 1, 10)


def test_interval_start_and_count() -> None:
    cal = calendar({"mon-fri": "09:00-17:00"}, recurring=[
        {"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;COUNT=3", "start": "2026-01-09",
         "hours": "closed"}])
    closed = [day for day in (date(2026, 1, 2) + timedelta(days=7 * n) for n in range(8))
              if cal.hours_on(day) == ()]
    assert closed == [date(2026, 1, 9), date(2026, 1, 23), date(2026, 2, 6)]
    rule = Recurrence(parse_rule("FREQ=YEARLY;UNTIL=20281231", "r"), date(2026, 12, 24), "r")
    assert rule.dates(date(2020, 1, 1), date(2035, 1, 1)) == [
        date(2026, 12, 24), date(2027, 12, 24), date(2028, 12, 24)]


# -- precedence ------------------------------------------------------------------------


def test_special_hours_win_then_holidays_then_the_first_hours_entry() -> None:
    cal = calendar({"mon-fri": "09:00-17:00"}, holidays={"add": ["2026-07-02"]},
                   special_hours={"2026-07-03": "10:00-11:00"}, recurring=[
                       {"rule": "FREQ=WEEKLY;BYDAY=TH,FR", "hours": "12:00-13:00"},
                       {"rule": "FREQ=WEEKLY;BYDAY=FR", "hours": "08:00-09:00"},
                       {"rule": "FREQ=DAILY", "closed": ["12:30-12:45"]},
                       {"rule": "FREQ=WEEKLY;BYDAY=TH", "closed": "12:50-13:00"}])
    assert cal.hours_on(date(2026, 7, 3)) == ((10 * 3600, 11 * 3600),)  # special hours
    assert cal.hours_on(date(2026, 7, 2)) == ()  # a holiday: the rules do not reopen it
    assert cal.hours_on(date(2026, 7, 9)) == ((12 * 3600, 12 * 3600 + 1800),
                                              (12 * 3600 + 2700, 12 * 3600 + 3000))
    assert cal.hours_on(date(2026, 7, 10)) == ((12 * 3600, 12 * 3600 + 1800),
                                               (12 * 3600 + 2700, 13 * 3600))
    assert cal.hours_on(date(2026, 7, 8)) == ((9 * 3600, 12 * 3600 + 1800),
                                              (12 * 3600 + 2700, 17 * 3600))


def test_recurring_hours_can_make_a_calendar_open() -> None:
    cal = calendar({"mon-sun": "closed"}, recurring=[
        {"rule": "FREQ=MONTHLY;BYDAY=1SA", "hours": "10:00-14:00"}])
    assert cal.next_open(toronto(2026, 3, 1)) == toronto(2026, 3, 7, 10)


# -- bounds and errors -------------------------------------------------------------------


def test_a_rule_that_never_occurs_is_refused_quickly() -> None:
    # dateutil alone searches day by day up to year 9999 for such a rule (seconds)
    began = time.perf_counter()
    with pytest.raises(CalendarError, match="never occurs"):
        calendar(recurring=[{"rule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "hours": "closed"}])
    assert time.perf_counter() - began < 5


@pytest.mark.parametrize(
    ("entry", "field", "fragment"),
    [
        pytest.param({"rule": "FREQ=HOURLY", "closed": "01:00-02:00"}, "recurring[0].rule",
                     "rule 'FREQ=HOURLY': FREQ=HOURLY is finer than a day", id="hourly"),
        pytest.param({"rule": "FREQ=DAILY;BYHOUR=3", "hours": "closed"}, "recurring[0].rule",
                     "rule 'FREQ=DAILY;BYHOUR=3': BYHOUR", id="byhour"),
        pytest.param({"rule": "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "hours": "closed"},
                     "recurring[0].rule", "'FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31': falls on no "
                     "date in a whole 400-year cycle", id="never"),
        pytest.param({"rule": "FREQ=YEARLY;BYMONTH=12", "hours": "closed"}, "recurring[0].rule",
                     "names no day", id="no-day"),
        pytest.param({"rule": "FREQ=DAILY;INTERVAL=4", "start": "2026-01-01",
                      "hours": "closed"}, "recurring[0].rule", "only every 1,600 years",
                     id="interval-too-long"),
        pytest.param({"rule": "FREQ=DAILY;COUNT=3", "hours": "closed"}, "recurring[0].rule",
                     "COUNT counts from a start date", id="count-without-start"),
        pytest.param({"rule": "FREQ=WEEKLY;BYDAY=1MO", "hours": "closed"}, "recurring[0].rule",
                     "a numbered BYDAY (1MO) needs FREQ=MONTHLY or YEARLY", id="nth-weekly"),
        pytest.param({"rule": "FREQ=MONTHLY;BYWEEKNO=3", "hours": "closed"},
                     "recurring[0].rule", "BYWEEKNO cannot be used with FREQ=MONTHLY",
                     id="byweekno-monthly"),
        pytest.param({"rule": "FREQ=MONTHLY;BYDAY=XX", "hours": "closed"}, "recurring[0].rule",
                     "not a valid RRULE", id="bad-byday"),
        pytest.param({"rule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;UNTIL=20250101",
                      "start": "2026-01-01", "hours": "closed"}, "recurring[0].rule",
                     "falls on no date from 2026-01-01 to 2025-01-01", id="until-before-start"),
        pytest.param({"rule": 5, "hours": "closed"}, "recurring[0].rule",
                     "expected an RFC 5545 RRULE", id="not-text"),
        pytest.param({"rul": "FREQ=DAILY", "hours": "closed"}, "recurring[0].rul",
                     "unknown key 'rul' (did you mean 'rule'?)", id="unknown-key"),
        pytest.param({"hours": "closed"}, "recurring[0].rule", "required", id="no-rule"),
        pytest.param({"rule": "FREQ=DAILY", "hours": "closed", "closed": "01:00-02:00"},
                     "recurring[0]", "exactly one", id="both"),
        pytest.param({"rule": "FREQ=DAILY", "closed": "closed"}, "recurring[0].closed",
                     "write hours: closed", id="closed-closed"),
        pytest.param({"rule": "FREQ=DAILY", "closed": "22:00-02:00"}, "recurring[0].closed",
                     "cross midnight", id="crossing"),
        pytest.param({"rule": "FREQ=DAILY", "hours": "closed", "start": "soon"},
                     "recurring[0].start", "expected a date", id="bad-start"),
    ],
)
def test_errors_name_the_entry_and_the_rule(entry: dict[str, Any], field: str,
                                            fragment: str) -> None:
    with pytest.raises(CalendarError) as caught:
        calendar(recurring=[entry])
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"{field}: ")


def test_recurring_must_be_a_list() -> None:
    with pytest.raises(CalendarError, match=r"^recurring: expected a list"):
        calendar(recurring={"rule": "FREQ=DAILY", "hours": "closed"})


# -- in a policy ----------------------------------------------------------------------------

POLICY = """\
schema_version: 1
name: support
vendor: Example
calendars:
  office:
    timezone: America/Toronto
    hours: {{mon-fri: "07:30-18:00"}}
    recurring:
      - {{rule: "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", hours: closed}}
      - {{rule: "{rule}", closed: "12:00-24:00"}}
priorities:
  P1: {{name: Critical}}
tiers:
  standard:
    calendar: office
    targets:
      P1:
        response: {{within: 2 business hours}}
"""


def test_a_policy_calendar_with_recurring_entries() -> None:
    policy = loads_policy(POLICY.format(rule="FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR"))
    due = policy.deadlines("standard", "P1", toronto(2026, 3, 27, 11))
    assert due == {"response": toronto(2026, 3, 30, 8, 30)}
    assert policy.calendar("office").hours_on(date(2026, 12, 24)) == ()


@pytest.mark.parametrize(
    ("rule", "message"),
    [("FREQ=MINUTELY", "p.yaml:10:16: calendars.office.recurring[1].rule: rule "
                       "'FREQ=MINUTELY': FREQ=MINUTELY is finer than a day"),
     ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "p.yaml:10:16: calendars.office.recurring[1]"
                                             ".rule: rule 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'"
                                             ": falls on no date")],
)
def test_a_bad_rule_in_a_policy_is_located(rule: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        loads_policy(POLICY.format(rule=rule), "p.yaml")
    assert str(caught.value).startswith(message)


def test_an_unknown_entry_key_in_a_policy_gets_a_hint() -> None:
    text = POLICY.format(rule="FREQ=DAILY").replace("closed: \"12:00", "clsoed: \"12:00")
    with pytest.raises(PolicyError, match=r"p\.yaml:10:9: calendars\.office\.recurring\[1\]: "
                                          r"unknown key 'clsoed' \(did you mean 'closed'\?\)"):
        loads_policy(text, "p.yaml")


# -- the cycle: one expansion answers for every year ----------------------------------------


@pytest.mark.parametrize(
    ("text", "start"),
    [("FREQ=MONTHLY;BYDAY=1SA", None), ("FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO", None),
     ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", None),
     ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", None),
     ("FREQ=WEEKLY;BYDAY=SA;WKST=SU", None), ("FREQ=DAILY;BYMONTH=2,3;BYMONTHDAY=-1", None),
     ("FREQ=WEEKLY;INTERVAL=4;BYDAY=SA,SU;BYSETPOS=1", date(2026, 1, 3)),
     ("FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31", date(2026, 1, 31)),
     ("FREQ=YEARLY;INTERVAL=3", date(2024, 2, 29)),
     ("FREQ=DAILY;INTERVAL=2", date(9000, 6, 15))],
)
def test_the_dates_agree_with_a_direct_expansion_far_from_the_anchor(
        text: str, start: date | None) -> None:
    """dateutil walked from the start to far-off years is the oracle (a rule without a
    start has no INTERVAL and names its days, so any earlier DTSTART gives its dates)."""
    from dateutil.rrule import rrulestr  # noqa: PLC0415 - the oracle, for this test only

    rule = Recurrence(parse_rule(text, "r"), start, "r")
    for first, last in ((date(1, 1, 1), date(3, 12, 31)), (date(2400, 11, 1),
                                                            date(2403, 2, 28)),
                        (date(9996, 1, 1), date(9998, 12, 31))):
        if start is not None and not start.year <= first.year <= start.year + 1200:
            continue
        origin = start or date.fromordinal(max(1, first.toordinal() - 60))
        expected = [moment.date() for moment in rrulestr(
            text, dtstart=datetime.combine(origin, datetime.min.time())).between(
            datetime.combine(first, datetime.min.time()),
            datetime.combine(last, datetime.min.time()), inc=True)]
        assert rule.dates(first, last) == expected, (text, first)
