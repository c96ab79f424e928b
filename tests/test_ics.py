"""iCalendar feeds in (`BusinessCalendar.from_ics`) and out (`to_ics`): fixture feeds shaped
like real ones (a public-holiday feed of all-day events; an Outlook feed with a weekly
closure, an EXDATE and a moved occurrence), DST, a round trip, bounds, and the file reader
of the policy layer with the safety rules of ``extends``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacalc import BusinessCalendar, CalendarError, PolicyError
from slacalc.policy.ics import load_ics_calendar, read_ics

icalendar = pytest.importorskip("icalendar")

FEEDS = Path(__file__).parent / "fixtures" / "ics"
HOLIDAYS = (FEEDS / "ca-holidays-2026.ics").read_text(encoding="utf-8")
TRAINING = (FEEDS / "support-training.ics").read_text(encoding="utf-8")
TORONTO = ZoneInfo("America/Toronto")
OFFICE: dict[str, Any] = {"timezone": "America/Toronto", "hours": {"mon-fri": "09:00-17:00"}}
HOUR = timedelta(hours=1)


def toronto(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local_hours(cal: BusinessCalendar, day: date) -> list[tuple[str, str]]:
    start = datetime.combine(day, datetime.min.time(), TORONTO)
    return [(a.astimezone(TORONTO).strftime("%H:%M"), b.astimezone(TORONTO).strftime("%H:%M"))
            for a, b in cal.open_intervals(start, start + timedelta(days=1))]


def feed(*events: str, head: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{head}{body}END:VCALENDAR\r\n"


# -- a public-holiday feed: all-day events close whole local dates --------------------------


def test_a_holiday_feed_closes_its_dates() -> None:
    cal = BusinessCalendar.from_ics(HOLIDAYS, OFFICE)
    # the 2026 dates, by hand: Easter is April 5, so Good Friday is April 3; Victoria Day
    # is the Monday before May 25 (itself a Monday); Labour Day the first Monday of
    # September (the 1st is a Tuesday); Thanksgiving the second Monday of October
    closed = [date(2026, 1, 1), date(2026, 4, 3), date(2026, 5, 18), date(2026, 7, 1),
              date(2026, 9, 7), date(2026, 10, 12), date(2026, 12, 25)]
    for day in closed:
        assert day.weekday() < 5, day
        assert cal.hours_on(day) == (), day
    assert cal.hours_on(date(2026, 12, 26)) == ()  # a two-date event (a Saturday anyway)
    # Halloween (Saturday 2026-10-31) is there with STATUS:CANCELLED: it closes nothing
    assert BusinessCalendar.from_ics(HOLIDAYS).hours_on(date(2026, 10, 31)) == ((0, 86_400),)
    assert cal.feeds is not None
    assert cal.feeds.closes(date(2026, 7, 1)) is not None
    assert "Canada Day" in (cal.feeds.closes(date(2026, 7, 1)) or "")
    # the week of Canada Day (a Wednesday) has four open days of 8 hours
    assert cal.elapsed(toronto(2026, 6, 29), toronto(2026, 7, 4)) == 32 * HOUR
    # golden deadline: Tue 16:00 + 2 h -> 1 h on Tuesday, Wednesday closed, Thu 10:00
    assert cal.add(toronto(2026, 6, 30, 16), 2 * HOUR) == toronto(2026, 7, 2, 10)


def test_a_feed_alone_gives_a_24x7_calendar_in_its_zone() -> None:
    cal = BusinessCalendar.from_ics(HOLIDAYS)
    assert cal.zone.key == "America/Toronto"
    assert cal.elapsed(toronto(2026, 6, 30), toronto(2026, 7, 3)) == 48 * HOUR
    with pytest.raises(CalendarError, match="names no zone"):
        BusinessCalendar.from_ics(TRAINING)


def test_feeds_add_up_and_to_dict_round_trips() -> None:
    cal = BusinessCalendar.from_ics(TRAINING, BusinessCalendar.from_ics(HOLIDAYS,
                                                                        OFFICE).to_dict())
    assert cal.hours_on(date(2026, 7, 1)) == ()
    assert local_hours(cal, date(2026, 1, 7)) == [("09:00", "14:00"), ("16:00", "17:00")]
    again = BusinessCalendar.from_dict(cal.to_dict())
    week = (toronto(2026, 1, 5), toronto(2026, 7, 10))
    assert again.open_intervals(*week) == cal.open_intervals(*week)


# -- a weekly recurring closure with an exception, across DST -------------------------------


def test_a_weekly_closure_with_an_exdate_and_a_moved_occurrence() -> None:
    cal = load_ics_calendar(FEEDS / "support-training.ics", OFFICE)
    training = [("09:00", "14:00"), ("16:00", "17:00")]
    assert local_hours(cal, date(2026, 1, 7)) == training  # Wednesday 14:00-16:00
    assert local_hours(cal, date(2026, 1, 14)) == training
    assert local_hours(cal, date(2026, 2, 18)) == [("09:00", "17:00")]  # EXDATE
    assert local_hours(cal, date(2026, 3, 4)) == [("09:00", "17:00")]  # moved ...
    assert local_hours(cal, date(2026, 3, 5)) == [("09:00", "15:00")]  # ... to Thursday 15:00
    assert local_hours(cal, date(2026, 3, 25)) == training  # the last before UNTIL
    assert local_hours(cal, date(2026, 4, 1)) == [("09:00", "17:00")]  # past UNTIL
    # 14:00 stays 14:00 on the wall across the spring change (2026-03-08): in UTC the
    # closure starts at 19:00 in January (EST, -5) and at 18:00 from March 11 (EDT, -4)
    assert TORONTO.utcoffset(datetime(2026, 1, 7, 14)) == timedelta(hours=-5)
    assert TORONTO.utcoffset(datetime(2026, 3, 11, 14)) == timedelta(hours=-4)
    assert not cal.is_open(utc(2026, 1, 7, 19))
    assert cal.is_open(utc(2026, 1, 7, 18, 59))
    assert not cal.is_open(utc(2026, 3, 11, 18))
    assert cal.is_open(utc(2026, 3, 11, 17, 59))
    # golden deadline: Wed 13:00 + 2 h -> 1 h to 14:00, then 16:00 + 1 h -> 17:00 closing
    assert cal.add(toronto(2026, 1, 7, 13), 2 * HOUR) == toronto(2026, 1, 7, 17)


def test_timed_events_close_instants_in_any_calendar_zone() -> None:
    cal = BusinessCalendar.from_ics(TRAINING, {"timezone": "UTC", "hours": "24x7"})
    day = utc(2026, 1, 7)
    assert cal.open_intervals(day, day + timedelta(days=1)) == [
        (day, utc(2026, 1, 7, 19)), (utc(2026, 1, 7, 21), utc(2026, 1, 8))]


def test_a_timed_closure_in_the_repeated_hour_closes_only_that_hour() -> None:
    # 05:00Z-06:00Z on 2026-11-01 is 01:00-02:00 EDT, the first of the two 01:00s
    text = feed("UID:a\r\nDTSTART:20261101T050000Z\r\nDTEND:20261101T060000Z")
    cal = BusinessCalendar.from_ics(text, {"timezone": "America/Toronto", "hours": "24x7"})
    assert cal.elapsed(toronto(2026, 11, 1), toronto(2026, 11, 2)) == 24 * HOUR  # 25 - 1
    assert not cal.is_open(utc(2026, 11, 1, 5, 30))
    assert cal.is_open(utc(2026, 11, 1, 6, 30))


def test_rdate_duration_floating_times_and_all_day_rules() -> None:
    text = feed(
        # a floating time is read in the calendar's zone; DURATION's day is nominal
        "UID:f\r\nDTSTART:20260302T100000\r\nDURATION:PT1H\r\n"
        "RDATE:20260303T100000,20260304T100000",
        # every Monday from 2026-03-09, two dates each time, the 16th excepted
        "UID:d\r\nSUMMARY:Off\r\nDTSTART;VALUE=DATE:20260309\r\nDTEND;VALUE=DATE:20260311\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3\r\nEXDATE;VALUE=DATE:20260316",
        "UID:c\r\nSTATUS:CANCELLED\r\nDTSTART;VALUE=DATE:20260305")
    cal = BusinessCalendar.from_ics(text, OFFICE)
    for day in (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)):
        assert local_hours(cal, day) == [("09:00", "10:00"), ("11:00", "17:00")]
    assert local_hours(cal, date(2026, 3, 5)) == [("09:00", "17:00")]
    closed = [day for day in (date(2026, 3, 9) + timedelta(days=n) for n in range(21))
              if day.weekday() < 5 and cal.hours_on(day) == ()]
    assert closed == [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 23), date(2026, 3, 24)]


# -- out and back in ---------------------------------------------------------------------


def test_to_ics_exports_the_open_spans() -> None:
    cal = BusinessCalendar.from_dict(OFFICE, name="support")
    text = cal.to_ics(toronto(2026, 3, 2), toronto(2026, 3, 9))
    parsed = icalendar.Calendar.from_ical(text)
    events = parsed.walk("VEVENT")
    assert [event["DTSTART"].dt for event in events] == [
        utc(2026, 3, day, 14) for day in range(2, 7)]  # 09:00 EST is 14:00Z
    assert {event["DTEND"].dt - event["DTSTART"].dt for event in events} == {8 * HOUR}
    assert str(parsed["X-WR-TIMEZONE"]) == "America/Toronto"
    assert text == cal.to_ics(toronto(2026, 3, 2), toronto(2026, 3, 9))  # no clock read
    assert len({str(event["UID"]) for event in events}) == 5


def test_closed_spans_exported_then_read_back_give_the_same_calendar() -> None:
    cal = BusinessCalendar.from_dict({
        "timezone": "America/Toronto", "hours": {"mon-fri": "07:30-18:00"},
        "holidays": {"country": "CA", "subdiv": "QC"},
        "recurring": [{"rule": "FREQ=MONTHLY;BYDAY=1SA", "hours": "02:00-06:00"},
                      {"rule": "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR",
                       "closed": "12:00-24:00"}]}, name="support")
    start, end = toronto(2026, 1, 1), toronto(2027, 1, 1)  # both DST changes inside
    back = BusinessCalendar.from_ics(cal.to_ics(start, end, closed=True),
                                     {"timezone": "America/Toronto", "hours": "24x7"})
    assert back.open_intervals(start, end) == cal.open_intervals(start, end)
    opened = BusinessCalendar.from_ics(cal.to_ics(start, end),
                                       {"timezone": "America/Toronto", "hours": "24x7"})
    assert opened.elapsed(start, end) == (end - start) - cal.elapsed(start, end)


def test_to_ics_refuses_fractions_of_seconds() -> None:
    cal = BusinessCalendar.from_dict(OFFICE)
    with pytest.raises(CalendarError, match="whole seconds"):
        cal.to_ics(toronto(2026, 3, 2, 0, 0, 0, 5), toronto(2026, 3, 9))


# -- errors and bounds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("holidays.ics", "not an iCalendar feed (no BEGIN:VCALENDAR)", id="path"),
        pytest.param(feed("UID:h\r\nSUMMARY:Backup\r\nDTSTART:20260101T000000Z\r\n"
                          "DTEND:20260101T010000Z\r\nRRULE:FREQ=HOURLY;INTERVAL=6"),
                     "event 'Backup' (UID h): rule 'FREQ=HOURLY;INTERVAL=6': FREQ=HOURLY is "
                     "finer than a day", id="hourly"),
        pytest.param(feed("UID:n\r\nSUMMARY:Nothing"), "event 'Nothing' (UID n): DTSTART is "
                                                       "missing", id="no-dtstart"),
        pytest.param(feed("UID:l\r\nDTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20280101"),
                     "lasts over 366 days", id="too-long"),
        pytest.param(feed("UID:b\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T090000Z"),
                     "ends before it starts", id="backwards"),
        pytest.param(feed("UID:m\r\nDTSTART:20260101T100000Z\r\nDTEND;VALUE=DATE:20260102"),
                     "is a date but DTSTART a date-time", id="mixed"),
        pytest.param("BEGIN:VCALENDAR\r\n" + "X" * (1 << 20), "a feed is limited to 1,048,576",
                     id="huge"),
    ],
)
def test_feed_errors_are_typed_and_name_the_event(text: str, fragment: str) -> None:
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar.from_ics(text, OFFICE)
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("ics")


def test_the_engine_reads_no_files() -> None:
    with pytest.raises(CalendarError, match=r"the engine reads no files: slacalc\.policy\.ics"):
        BusinessCalendar.from_ics(FEEDS / "ca-holidays-2026.ics", OFFICE)  # type: ignore[arg-type]


def test_too_many_events_are_refused() -> None:
    events = [f"UID:{n}\r\nDTSTART;VALUE=DATE:20260101" for n in range(10_001)]
    with pytest.raises(CalendarError, match="more than 10,000 events"):
        BusinessCalendar.from_ics(feed(*events), OFFICE)


def test_a_missing_icalendar_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "icalendar", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'slacalc\[ics\]'"):
        BusinessCalendar.from_ics(HOLIDAYS, OFFICE)


def test_importing_slacalc_does_not_import_icalendar() -> None:
    code = "import sys, slacalc, slacalc.policy.ics; print('icalendar' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


# -- reading files: the policy layer, under the rules of extends --------------------------


def test_read_ics_confines_a_path_to_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "feeds").mkdir()
    (folder / "feeds" / "h.ics").write_text(HOLIDAYS, encoding="utf-8")
    (tmp_path / "outside.ics").write_text(HOLIDAYS, encoding="utf-8")
    assert read_ics("feeds/h.ics", within=folder) == HOLIDAYS
    with pytest.raises(PolicyError, match="leads outside"):
        read_ics("../outside.ics", within=folder)
    with pytest.raises(PolicyError, match="an absolute path"):
        read_ics(tmp_path / "outside.ics", within=folder)
    (folder / "link.ics").symlink_to(tmp_path / "outside.ics")
    with pytest.raises(PolicyError, match="leads outside"):
        read_ics("link.ics", within=folder)


def test_read_ics_reads_regular_bounded_utf8_files_only(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"not a regular file \(a character device\); a "
                                          r"feed is read from a regular file only"):
        read_ics("/dev/zero")
    with pytest.raises(PolicyError, match="not a regular file"):
        read_ics(tmp_path)
    big = tmp_path / "big.ics"
    big.write_bytes(b"x" * ((1 << 20) + 1))
    with pytest.raises(PolicyError, match="feeds are limited to 1,048,576 bytes"):
        read_ics(big)
    latin = tmp_path / "latin.ics"
    latin.write_bytes("SUMMARY:Fête\r\n".encode("latin-1"))
    with pytest.raises(PolicyError, match="not UTF-8"):
        read_ics(latin)
    with pytest.raises(PolicyError, match="cannot read iCalendar file"):
        read_ics(tmp_path / "missing.ics")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.ics"
        os.mkfifo(fifo)
        with pytest.raises(PolicyError, match="a FIFO"):
            read_ics(fifo)
