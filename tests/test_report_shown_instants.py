"""The instants an explanation writes (`slacalc.sla._shown.shown_in`) are remembered per
instant, never per wall time: the two 01:30 of the night Toronto leaves daylight time
are two instants and read as two texts, however often and in whatever order asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from slacalc.sla import _shown as report

TORONTO = ZoneInfo("America/Toronto")


def test_the_two_readings_of_a_fold_hour_are_two_texts_in_any_order() -> None:
    # 2026-11-01 is a Sunday (2026-11-29 is one, four weeks later); Toronto leaves EDT
    # (-04:00) at 02:00 that night, so 05:30 UTC is 01:30 EDT and 06:30 UTC is 01:30 EST.
    # As datetimes in one ZoneInfo, fold 0 and fold 1 of 01:30 compare equal: a cache
    # keyed by them would give the first text twice.
    first = datetime(2026, 11, 1, 1, 30, tzinfo=TORONTO)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=TORONTO)
    assert first == second  # the trap: equal as wall times sharing a ZoneInfo
    for order in ((first, second), (second, first)):
        report._SHOWN.clear()
        show = report.shown_in(TORONTO)
        texts = {moment.fold: show(moment) for moment in order}
        assert texts == {0: "Sun 2026-11-01 01:30 EDT", 1: "Sun 2026-11-01 01:30 EST"}
        assert show(first) == "Sun 2026-11-01 01:30 EDT"  # asked again: remembered
        assert show(second) == "Sun 2026-11-01 01:30 EST"


def test_an_instant_given_in_another_zone_reads_in_the_explanation_zone() -> None:
    # 06:30 UTC == 01:30 EST == 12:00 at +05:30: one instant, one text in Toronto,
    # whichever zone it came in first.
    report._SHOWN.clear()
    show = report.shown_in(TORONTO)
    india = timezone(timedelta(hours=5, minutes=30))
    assert show(datetime(2026, 11, 1, 12, 0, tzinfo=india)) == "Sun 2026-11-01 01:30 EST"
    assert show(datetime(2026, 11, 1, 6, 30, tzinfo=UTC)) == "Sun 2026-11-01 01:30 EST"
    # the same instant in UTC's own explanation reads as UTC
    assert report.shown_in(UTC)(datetime(2026, 11, 1, 6, 30, tzinfo=UTC)) \
        == "Sun 2026-11-01 06:30 UTC"


def test_the_remembered_texts_are_bounded() -> None:
    # 100,000 distinct minutes fill the store; the next one finds it full, empties it
    # and is kept alone; nine more make ten.
    report._SHOWN.clear()
    show = report.shown_in(UTC)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for minute in range(report._SHOWN_LIMIT + 10):
        show(start + timedelta(minutes=minute))
    assert len(report._SHOWN[UTC]) == 10
    # minute 100,009 is 69 days (99,360 min) and 10 h 49 min after Thu 2026-01-01 00:00;
    # January 31 days, February 28: day 69 after Jan 1 is Mar 11; 69 days = 9 weeks and
    # 6 days, and Thursday + 6 is Wednesday.
    assert show(start + timedelta(minutes=report._SHOWN_LIMIT + 9)) \
        == "Wed 2026-03-11 10:49 UTC"
