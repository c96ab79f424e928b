"""Availability reports: golden months derived by hand, properties, and one test per error.

Every expected value is worked out in the comment above it from the terms (Valimail:
99.9% per month, maintenance 21:00-03:00 America/Los_Angeles every night, notified
maintenance excluded, 10% credit below 99.9%) and the calendar; DST dates come from
`dst.py` (scanned from the zone), never typed in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slacalc import (
    AvailabilityError,
    NaiveDatetimeError,
    Policy,
    PolicyError,
    SlacalcError,
    bundled_policy,
    loads_policy,
)
from slacalc.terms.availability import Percent, parse_percent

from dst import fall_back, spring_forward

LA = ZoneInfo("America/Los_Angeles")
H = 3600  # seconds in an hour
FEE = Decimal("1200.00")
SPRING, _ = spring_forward("America/Los_Angeles", 2026)
FALL, _ = fall_back("America/Los_Angeles", 2026)


def la(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.fixture(scope="module")
def valimail() -> Policy:
    return bundled_policy("valimail")


def _custom(availability: str) -> Policy:
    return loads_policy(
        "schema_version: 1\nname: custom\nvendor: Example\npriorities: {P1: {name: Urgent}}\n"
        "tiers: {standard: {calendar: 24x7}}\n" + availability, "custom.yaml"
    )


def test_dst_changes_lie_outside_september_and_october() -> None:
    # The hand counts below assume September and October 2026 have no clock change in
    # Los Angeles; the zone says spring is in March and the fall back in November.
    assert (SPRING.month, FALL.month) == (3, 11)


# -- whole months, no outage ---------------------------------------------------------------


def test_october_committed_time(valimail: Policy) -> None:
    # October: 31 days x 24 h = 744 h. Each local date holds the tail of the previous
    # night's window [00:00, 03:00) and the head of its own [21:00, 24:00): 6 h x 31 = 186
    # h of maintenance (the 03:00 end on 1 November falls outside October). Committed:
    # 744 - 186 = 558 h. No outage: uptime 1, met, no credit.
    report = valimail.availability_report("2026-10", [], monthly_fee=FEE)
    assert (report.length, report.scheduled_maintenance, report.committed) == (
        hours(744), hours(186), hours(558))
    assert (report.start, report.end) == (la(2026, 10, 1), la(2026, 11, 1))
    assert report.uptime == 1
    assert report.met
    assert (report.credit_percent, report.credit) == (Decimal(0), Decimal("0.00"))
    assert report.services == ("Authentication Services",)
    assert report.sole_remedy


def test_november_holds_the_repeated_hour(valimail: Policy) -> None:
    # November: 30 x 24 h plus the hour shown twice when clocks fall back = 721 h. The
    # fall-back date's [00:00, 03:00) window holds that repeated hour: 4 real hours, so
    # maintenance = 30 x 6 + 1 = 181 h. Committed: 721 - 181 = 540 h.
    report = valimail.availability_report(f"{FALL:%Y-%m}", [])
    assert (report.length, report.scheduled_maintenance, report.committed) == (
        hours(721), hours(181), hours(540))


def test_march_loses_the_skipped_hour(valimail: Policy) -> None:
    # March: 31 x 24 h minus the skipped hour = 743 h. The spring date's [00:00, 03:00)
    # window skips 02:00-03:00: 2 real hours, so maintenance = 31 x 6 - 1 = 185 h.
    # Committed: 743 - 185 = 558 h.
    report = valimail.availability_report(f"{SPRING:%Y-%m}", [])
    assert (report.length, report.scheduled_maintenance, report.committed) == (
        hours(743), hours(185), hours(558))


# -- golden outages ------------------------------------------------------------------------


def test_an_outage_straddling_the_window_start(valimail: Policy) -> None:
    # Wed 2026-10-14 20:30-21:30: only 20:30-21:00 is committed time, 30 min = 1800 s.
    # 1800 s < 0.1% of 558 h (2008.8 s), so the target is met. The outage is given in UTC
    # (20:30 PDT = 03:30Z); the counted span comes back in the period's zone.
    start = la(2026, 10, 14, 20, 30).astimezone(UTC)
    report = valimail.availability_report("2026-10", [(start, start + hours(1))])
    assert report.downtime == timedelta(minutes=30)
    assert report.downtime_spans == ((la(2026, 10, 14, 20, 30), la(2026, 10, 14, 21, 0)),)
    assert report.uptime == Fraction(558 * H - 1800, 558 * H)
    assert report.met


def test_an_outage_across_midnight_into_the_window(valimail: Policy) -> None:
    # Tue 2026-10-20 18:00 to Wed 05:00: 18:00-21:00 counts (3 h), 21:00-03:00 is the
    # window, 03:00-05:00 counts (2 h): 5 h. Uptime 553/558 = 99.10...% < 99.9%: missed,
    # 10% of 1200.00 = 120.00.
    report = valimail.availability_report(
        "2026-10", [(la(2026, 10, 20, 18), la(2026, 10, 21, 5))], monthly_fee=FEE)
    assert report.downtime == hours(5)
    assert report.downtime_spans == ((la(2026, 10, 20, 18), la(2026, 10, 20, 21)),
                                     (la(2026, 10, 21, 3), la(2026, 10, 21, 5)))
    assert report.uptime == Fraction(553, 558)
    assert not report.met
    assert (report.credit_percent, report.credit) == (Decimal(10), Decimal("120.00"))


def test_an_outage_on_the_night_dst_ends(valimail: Policy) -> None:
    # The night before the fall-back date, 20:00 PDT, to the fall-back date 04:00 PST:
    # 9 real hours (4 before midnight, 5 after, the 01:00 hour being shown twice). Its
    # month: only 20:00-21:00 counts, 1 h, uptime 557/558. The fall-back month: the
    # window runs to 03:00 PST (4 real hours after midnight, the repeated hour inside
    # it), so only 03:00-04:00 PST counts, 1 h of 540 committed: uptime 539/540.
    night = FALL - timedelta(days=1)
    start = datetime.combine(night, time(20), LA)
    end = datetime.combine(FALL, time(4), LA)
    assert end.astimezone(UTC) - start.astimezone(UTC) == hours(9)
    before = valimail.availability_report(f"{night:%Y-%m}", [(start, end)])
    assert before.downtime == hours(1)
    assert before.uptime == Fraction(557, 558)
    after = valimail.availability_report(f"{FALL:%Y-%m}", [(start, end)])
    assert after.downtime_spans == ((datetime.combine(FALL, time(3), LA),
                                     datetime.combine(FALL, time(4), LA)),)
    assert after.uptime == Fraction(539, 540)


def test_overlapping_outages_count_once(valimail: Policy) -> None:
    # Mon 2026-10-05: 10:00-12:00, 11:00-13:30, 13:30-14:00 and 10:00-12:00 again merge
    # into 10:00-14:00: 4 h, not 2 + 2.5 + 0.5 + 2 = 7 h. Uptime 554/558.
    outages = [(la(2026, 10, 5, 10), la(2026, 10, 5, 12)),
               (la(2026, 10, 5, 11), la(2026, 10, 5, 13, 30)),
               (la(2026, 10, 5, 13, 30), la(2026, 10, 5, 14)),
               (la(2026, 10, 5, 10), la(2026, 10, 5, 12))]
    report = valimail.availability_report("2026-10", outages)
    assert report.downtime_spans == ((la(2026, 10, 5, 10), la(2026, 10, 5, 14)),)
    assert report.uptime == Fraction(554, 558)


def test_an_outage_crossing_the_month_boundary(valimail: Policy) -> None:
    # Wed 2026-09-30 20:00 to Thu 10-01 05:00. October: 00:00-03:00 is the window, 03:00-
    # 05:00 counts: 2 h, uptime 556/558. September (30 x 24 = 720 h, 30 x 6 = 180 h of
    # maintenance, 540 h committed): 20:00-21:00 counts, 1 h, uptime 539/540.
    outage = [(la(2026, 9, 30, 20), la(2026, 10, 1, 5))]
    october = valimail.availability_report("2026-10", outage)
    assert october.downtime == hours(2)
    assert october.uptime == Fraction(556, 558)
    september = valimail.availability_report("2026-09", outage)
    assert september.committed == hours(540)
    assert september.uptime == Fraction(539, 540)


def test_exactly_the_target_is_met(valimail: Policy) -> None:
    # 0.1% of 558 h committed is 0.558 h = 2008.8 s. An outage of exactly 2008.8 s from
    # Wed 2026-10-14 12:00 leaves uptime 999/1000 = 99.9%: met, no credit.
    start = la(2026, 10, 14, 12)
    report = valimail.availability_report(
        "2026-10", [(start, start + timedelta(seconds=2008, microseconds=800_000))],
        monthly_fee=FEE)
    assert report.uptime == Fraction(999, 1000)
    assert report.met
    assert report.uptime_percent == "99.9000%"
    assert report.credit == Decimal("0.00")


def test_one_microsecond_more_misses(valimail: Policy) -> None:
    # Committed 558 h = 2,008,800,000,000 µs; downtime 2,008,800,001 µs. Uptime =
    # 99.89999999995...%: a miss, though it rounds to 99.9%. Shown truncated, 99.8999%;
    # credit 10% of 1200.00 = 120.00.
    start = la(2026, 10, 14, 12)
    report = valimail.availability_report(
        "2026-10", [(start, start + timedelta(seconds=2008, microseconds=800_001))],
        monthly_fee=FEE)
    committed = 558 * H * 1_000_000
    assert report.uptime == Fraction(committed - 2_008_800_001, committed)
    assert not report.met
    assert report.uptime_percent == "99.8999%"
    assert report.credit == Decimal("120.00")


def test_notified_maintenance_is_excluded(valimail: Policy) -> None:
    # Sat 2026-10-10: notified maintenance 10:00-12:00 (2 h) and 20:00-22:00, whose
    # 21:00-22:00 is already the scheduled window (1 h more): 3 h excluded beyond the
    # schedule, committed 558 - 3 = 555 h. The outage 11:00-13:00 counts only 12:00-13:00:
    # 1 h, uptime 554/555.
    report = valimail.availability_report(
        "2026-10", [(la(2026, 10, 10, 11), la(2026, 10, 10, 13))],
        notified_maintenance=[(la(2026, 10, 10, 10), la(2026, 10, 10, 12)),
                              (la(2026, 10, 10, 20), la(2026, 10, 10, 22))])
    assert (report.notified_maintenance, report.committed) == (hours(3), hours(555))
    assert report.uptime == Fraction(554, 555)


def test_notified_maintenance_counts_when_the_terms_do_not_exclude_it() -> None:
    # Same windows, exclude_notified_maintenance false: committed stays 558 h and the whole
    # outage 11:00-13:00 counts, 2 h: uptime 556/558.
    policy = _custom("""availability:
  services: [Mail]
  target: 99.9%
  maintenance: {timezone: America/Los_Angeles, hours: {daily: "21:00-03:00"}}
""")
    report = policy.availability_report(
        "2026-10", [(la(2026, 10, 10, 11), la(2026, 10, 10, 13))],
        notified_maintenance=[(la(2026, 10, 10, 10), la(2026, 10, 10, 12))])
    assert (report.notified_maintenance, report.committed) == (timedelta(0), hours(558))
    assert report.uptime == Fraction(556, 558)


LADDER = """availability:
  services: [Mail]
  target: 99.9%
  timezone: UTC
  credits:
    - {below: 99.9%, credit: 10%}
    - {below: 99%, credit: 25%}
"""


@pytest.mark.parametrize(("down", "percent", "amount"), [
    # October in UTC, no maintenance: 744 h committed. 1 h down: 743/744 = 99.87% is
    # below 99.9% only: 10% of 1000 = 100.00.
    (1, Decimal(10), Decimal("100.00")),
    # 10 h down: 734/744 = 98.66% is below both steps: the larger, 25% = 250.00 (steps do
    # not add up to 35%).
    (10, Decimal(25), Decimal("250.00")),
])
def test_a_credit_ladder_owes_the_largest_step(down: int, percent: Decimal,
                                               amount: Decimal) -> None:
    start = datetime(2026, 10, 2, tzinfo=UTC)
    report = _custom(LADDER).availability_report(
        "2026-10", [(start, start + hours(down))], monthly_fee=Decimal(1000))
    assert (report.credit_percent, report.credit) == (percent, amount)


@pytest.mark.parametrize(("fee", "credit"), [
    ("1234.25", Decimal("123.42")),          # 123.425: the tie goes to the even cent
    (Decimal("1234.35"), Decimal("123.44")),  # 123.435: likewise, up to 4
    (1200, Decimal("120.00")),               # an int fee
    ("99.99", Decimal("10.00")),             # 9.999 rounds to 10.00
])
def test_the_credit_is_rounded_half_even_to_cents(valimail: Policy, fee: Any,
                                                  credit: Decimal) -> None:
    # A 5 h miss (as in the across-midnight case) owes 10% of the fee.
    report = valimail.availability_report(
        "2026-10", [(la(2026, 10, 20, 18), la(2026, 10, 21, 5))], monthly_fee=fee)
    assert report.credit == credit
    assert str(report.credit) == str(credit)


def test_zero_length_outages_and_no_committed_time() -> None:
    # A maintenance calendar open 24x7 leaves nothing committed: uptime is 1 by
    # definition and the target met; a zero-length outage counts nothing anywhere.
    policy = _custom("""availability:
  services: [Mail]
  target: 99.9%
  maintenance: {timezone: UTC, hours: 24x7}
""")
    moment = datetime(2026, 10, 2, tzinfo=UTC)
    report = policy.availability_report("2026-10", [(moment, moment)])
    assert (report.committed, report.downtime, report.uptime, report.met) == (
        timedelta(0), timedelta(0), Fraction(1), True)


def test_weekly_windows_and_special_dates_in_another_zone() -> None:
    # London, Sundays 02:00-04:00, plus Sat 2026-10-10 00:00-06:00 (written as an unquoted
    # YAML date). October 2026 has Sundays 4, 11, 18 and 25. Clocks fall back in October
    # (from the zone), repeating 01:00-02:00, which is outside the window: each Sunday
    # holds 2 h, so 4 x 2 + 6 = 14 h of maintenance; the month is 31 x 24 + 1 = 745 h.
    fall, _ = fall_back("Europe/London", 2026)
    assert (fall.month, fall.weekday()) == (10, 6)
    policy = _custom("""availability:
  services: [Mail]
  target: 99.5%
  maintenance:
    timezone: Europe/London
    hours: {sun: "02:00-04:00"}
    special_hours: {2026-10-10: "00:00-06:00"}
""")
    report = policy.availability_report("2026-10", [])
    assert (report.length, report.scheduled_maintenance) == (hours(745), hours(14))


def test_percent_strings_round_trip() -> None:
    # "99.9%" is exactly 999/1000 and prints back as written.
    assert parse_percent("99.9%").fraction == Fraction(999, 1000)
    assert str(parse_percent(" 99.90 % ")) == "99.90%"
    assert parse_percent(Percent(Decimal(10))) == Percent(Decimal(10))


# -- properties ----------------------------------------------------------------------------

_MONTHS = st.integers(1, 12)
_OUTAGE = st.tuples(st.integers(0, 33 * 24 * 60), st.integers(0, 3 * 24 * 60))


def _outages(month: int, drawn: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    """Outages from a day before the month's start, in whole minutes of real time."""
    base = datetime(2026, month, 1, tzinfo=LA).astimezone(UTC) - timedelta(days=1)
    return [(base + timedelta(minutes=a), base + timedelta(minutes=a + b)) for a, b in drawn]


@settings(max_examples=150, deadline=None)
@given(_MONTHS, st.lists(_OUTAGE, max_size=6))
def test_uptime_stays_between_0_and_1(
    valimail: Policy, month: int, drawn: list[tuple[int, int]]
) -> None:
    report = valimail.availability_report(f"2026-{month:02}", _outages(month, drawn))
    assert 0 <= report.uptime <= 1
    assert report.downtime <= report.committed
    assert report.committed + report.scheduled_maintenance == report.length


@settings(max_examples=150, deadline=None)
@given(_MONTHS, st.lists(_OUTAGE, max_size=5), _OUTAGE)
def test_adding_an_outage_never_raises_uptime(
    valimail: Policy, month: int, drawn: list[tuple[int, int]], extra: tuple[int, int]
) -> None:
    period = f"2026-{month:02}"
    before = valimail.availability_report(period, _outages(month, drawn))
    after = valimail.availability_report(period, _outages(month, [*drawn, extra]))
    assert after.uptime <= before.uptime


@settings(max_examples=150, deadline=None)
@given(_MONTHS, st.lists(_OUTAGE, max_size=5), st.integers(1, 27),
       st.tuples(st.fractions(0, 1), st.fractions(0, 1)))
def test_an_outage_inside_maintenance_changes_nothing(
    valimail: Policy, month: int, drawn: list[tuple[int, int]], day: int,
    shares: tuple[Fraction, Fraction],
) -> None:
    # The window of local date `day` runs from its 21:00 to the next date's 03:00 (both
    # inside the month, since day <= 27); any sub-span of it, in real time, is maintenance.
    opens = datetime(2026, month, day, 21, tzinfo=LA).astimezone(UTC)
    closes = datetime(2026, month, day + 1, 3, tzinfo=LA).astimezone(UTC)
    span = (closes - opens) // timedelta(microseconds=1)
    low, high = (timedelta(microseconds=int(span * f)) for f in sorted(shares))
    period, outages = f"2026-{month:02}", _outages(month, drawn)
    before = valimail.availability_report(period, outages)
    after = valimail.availability_report(period, [*outages, (opens + low, opens + high)])
    assert (after.uptime, after.downtime) == (before.uptime, before.downtime)


# -- errors: one test per case -------------------------------------------------------------


def test_a_naive_outage_is_refused(valimail: Policy) -> None:
    with pytest.raises(NaiveDatetimeError, match=r"outages\[0\] start: naive datetime"):
        valimail.availability_report("2026-10", [(datetime(2026, 10, 5, 10), la(2026, 10, 5, 11))])


def test_naive_notified_maintenance_is_refused(valimail: Policy) -> None:
    with pytest.raises(NaiveDatetimeError, match=r"notified_maintenance\[1\] end: naive"):
        valimail.availability_report("2026-10", notified_maintenance=[
            (la(2026, 10, 5, 10), la(2026, 10, 5, 11)),
            (la(2026, 10, 6, 10), datetime(2026, 10, 6, 11))])


def test_an_outage_ending_before_it_starts_is_refused(valimail: Policy) -> None:
    with pytest.raises(AvailabilityError, match=r"outages\[0\]: end 2026-10-05T09:00:00-07:00 "
                                                r"is before start 2026-10-05T10:00:00-07:00"):
        valimail.availability_report("2026-10", [(la(2026, 10, 5, 10), la(2026, 10, 5, 9))])


def test_an_outage_that_is_not_a_pair_is_refused(valimail: Policy) -> None:
    with pytest.raises(AvailabilityError, match=r"outages\[0\]: expected a \(start, end\) pair"):
        valimail.availability_report("2026-10", [(la(2026, 10, 5, 10),)])  # type: ignore[list-item]


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "2026-1", "October 2026", "2026-10-01",
                                    202610])
def test_a_period_that_is_not_yyyy_mm_is_refused(valimail: Policy, period: Any) -> None:
    with pytest.raises(AvailabilityError, match=r"^period: "):
        valimail.availability_report(period, [])


def test_a_negative_fee_is_refused(valimail: Policy) -> None:
    with pytest.raises(AvailabilityError, match=r"monthly_fee: Decimal\('-1.00'\) is negative"):
        valimail.availability_report("2026-10", [], monthly_fee=Decimal("-1.00"))


@pytest.mark.parametrize("fee", ["twelve", 1200.5, [1200], Decimal("NaN"), "Infinity", True])
def test_a_fee_that_is_not_a_decimal_amount_is_refused(valimail: Policy, fee: Any) -> None:
    with pytest.raises(AvailabilityError, match=r"^monthly_fee: "):
        valimail.availability_report("2026-10", [], monthly_fee=fee)


def test_a_policy_without_availability_terms_says_so() -> None:
    with pytest.raises(AvailabilityError, match="policy 'vircom' declares no availability"):
        bundled_policy("vircom").availability_report("2026-10", [])


def test_availability_errors_are_slacalc_value_errors() -> None:
    assert issubclass(AvailabilityError, SlacalcError)
    assert issubclass(AvailabilityError, ValueError)


def test_a_bare_number_percent_is_refused() -> None:
    with pytest.raises(AvailabilityError, match=re.escape(
            "expected a percent string such as '99.9%', got float 99.9")):
        parse_percent(99.9)


@pytest.mark.parametrize(("written", "message"), [
    ("99.9", "expected a percent string such as '99.9%', got float 99.9"),
    ("'99,9%'", "malformed percent '99,9%'"),
    ("0%", "percent '0%' must be above 0% and at most 100%"),
    ("101%", "percent '101%' must be above 0% and at most 100%"),
])
def test_a_malformed_target_is_located(written: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _custom(f"availability: {{services: [Mail], timezone: UTC, target: {written}}}\n")
    assert caught.value.key == "availability.target"
    assert message in str(caught.value)


def test_a_credit_step_above_the_target_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("availability:\n  services: [Mail]\n  target: 99.9%\n  timezone: UTC\n"
                "  credits:\n    - {below: 99.95%, credit: 10%}\n")
    assert caught.value.key == "availability.credits[0].below"
    assert "above the target 99.9%" in str(caught.value)


def test_a_repeated_credit_step_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("availability:\n  services: [Mail]\n  target: 99.9%\n  timezone: UTC\n"
                "  credits:\n    - {below: 99%, credit: 10%}\n    - {below: 99.0%, credit: 20%}\n")
    assert caught.value.key == "availability.credits[1].below"


def test_months_need_a_zone() -> None:
    with pytest.raises(PolicyError, match="timezone: required when there are no maintenance"):
        _custom("availability: {services: [Mail], target: 99.9%}\n")


def test_a_bad_maintenance_window_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom('availability:\n  services: [Mail]\n  target: 99.9%\n  maintenance: '
                '{timezone: UTC, hours: {daily: "21:00-27:00"}}\n')
    # Five header lines, then availability, services, target: maintenance is on line 9.
    assert (caught.value.key, caught.value.line) == ("availability.maintenance.hours.daily", 9)
    assert "'27:00' is out of range" in str(caught.value)


def test_the_bundled_terms_read_as_documented(valimail: Policy) -> None:
    terms = valimail.availability
    assert terms is not None
    assert (str(terms.target), terms.period, terms.exclude_notified_maintenance) == (
        "99.9%", "month", True)
    assert terms.maintenance is not None
    assert terms.maintenance.mapping() == {"timezone": "America/Los_Angeles",
                                           "hours": {"daily": "21:00-03:00"}}
    assert [(str(s.below), str(s.credit)) for s in terms.credits] == [("99.9%", "10%")]
    assert valimail.applies_to == "current_subscribers"
