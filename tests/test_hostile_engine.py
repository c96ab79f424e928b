"""Hostile input to the loader and the engine: a located `SlacalcError`, never a raw
exception, a hang or a cache that grows without bound (issue 17, items 7, 8, 9 and 11).

Loader refusals have one fixture each under fixtures/hostile/, its first line ``# expect:
LINE:COL MESSAGE`` written by hand from the file. What could hang or fill memory without
the fix (a walk over a billion business days, two thousand far-apart years) runs in a
child Python with a timeout and a 2 GiB address-space cap, so this suite cannot hang.
Expected values are worked out by hand, never computed by the code under test.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from slacalc import BusinessCalendar, PolicyError, SlacalcError, load_policies, load_policy
from slacalc.engine import Duration, parse_duration
from slacalc.engine.durations import parse_length
from slacalc.engine.timeline import RealTime, Timeline
from slacalc.errors import CalendarError, NaiveDatetimeError
from slacalc.policy import loads_policy

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOSTILE = FIXTURES / "hostile"
MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
WEEKDAYS = {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # 2026-03-02 is a Monday
SPAN = ("are more than 100 years apart: business time is measured within 100 years")


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _child(code: str) -> str:
    """What ``code`` prints in a child Python (30 s, 2 GiB at most)."""
    done = subprocess.run(  # preexec_fn: the child execs at once, holding no lock
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
        preexec_fn=_cap_memory, check=False,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def _expected(fixture: Path) -> str:
    """The fixture's ``# expect: LINE:COL MESSAGE`` line as the full message."""
    first = fixture.read_text(encoding="utf-8").splitlines()[0]
    position, message = first.removeprefix("# expect: ").split(" ", 1)
    return f"{fixture}:{position}: {message}"


def _refusal(load: object, *args: object) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load(*args)  # type: ignore[operator]
    error = caught.value
    assert isinstance(error, SlacalcError)
    assert "\n" not in str(error)
    return error


# -- item 8: the loader turns what YAML would crash on into located errors ---------------


@pytest.mark.parametrize("name", [
    "deep-nesting.yaml",  # was a RecursionError
    "nul-byte.yaml",  # was yaml's ReaderError
    "big-integer.yaml",  # was a ValueError (more than 4,300 digits)
    "bad-date.yaml",  # was a ValueError (an unquoted 2026-02-30)
    "zone-name-long.yaml",  # was a RecursionError inside zoneinfo
    "lone-surrogate.yaml",  # loaded, then crashed whatever printed it
    "business-day-huge.yaml",  # was an OverflowError
    "target-tiny.yaml",  # item 11: loaded as a zero-length target
    "target-huge.yaml",  # loaded; an OverflowError per ticket
    "target-business-days-huge.yaml",  # loaded; could never be met
    "relative-huge.yaml",  # item 7: loaded; a 95 s walk per ticket
    "relative-beyond-calendar.yaml",  # loaded; more open dates than 100 years hold
])
def test_a_hostile_policy_is_refused_where_it_stands(name: str) -> None:
    fixture = HOSTILE / name
    error = _refusal(load_policy, fixture)
    assert str(error) == _expected(fixture)
    assert len(error.errors) == 1


def test_utf16_without_a_byte_order_mark_is_refused_at_its_first_nul(tmp_path: Path) -> None:
    wide = tmp_path / "wide.yaml"
    wide.write_bytes(MINIMAL.encode("utf-16-le"))  # "s\0c\0h\0...": the first NUL is 1:2
    assert str(_refusal(load_policy, wide)) == (
        f"{wide}:1:2: character U+0000 (a NUL) is not allowed: a policy is UTF-8 text (a "
        f"UTF-16 file without a byte-order mark or a binary file has NULs)")


def test_control_characters_and_raw_surrogates_are_refused_in_text() -> None:
    bell = MINIMAL.replace("vendor: Example", "vendor: Ex\x07ample")
    assert str(_refusal(loads_policy, bell)) == (
        "<string>:3:11: character U+0007 (a control character) is not allowed in YAML text")
    raw = MINIMAL.replace("vendor: Example", "vendor: Ex\ud800ample")
    assert str(_refusal(loads_policy, raw)) == (
        "<string>:3:11: character U+D800 (a lone surrogate) is no character: a policy is "
        "Unicode text")
    pair = MINIMAL.replace("vendor: Example", 'vendor: "\\ud83d\\ude00"')  # two escapes
    assert "lone surrogate (U+D83D)" in str(_refusal(loads_policy, pair))
    emoji = MINIMAL.replace("vendor: Example", 'vendor: "\\U0001F600"')
    assert loads_policy(emoji).vendor == "\U0001f600"


def test_a_surrogate_in_a_key_is_refused_at_the_key() -> None:
    text = MINIMAL.replace("  P2: {name: Normal}", '  "P\\udfff": {name: Normal}')
    assert str(_refusal(loads_policy, text)) == (
        "<string>:8:3: text holds a lone surrogate (U+DFFF), which is no character; write "
        "the character itself or a \\U escape")


def test_integers_of_a_hundred_characters_load_and_longer_are_refused() -> None:
    hundred = MINIMAL + "rules: {close_after_unanswered_contacts: 1" + "0" * 99 + "}\n"
    assert loads_policy(hundred).rules.close_after_unanswered_contacts == 10**99
    longer = MINIMAL + "rules: {close_after_unanswered_contacts: 1" + "0" * 100 + "}\n"
    assert str(_refusal(loads_policy, longer)) == (
        "<string>:15:42: an integer of 101 characters is too long (at most 100); quote it "
        "if it is text")
    base60 = MINIMAL + "notes: 1" + ":0" * 5000 + "\n"  # quadratic to compute, refused unread
    assert "an integer of 10,001 characters is too long" in str(_refusal(loads_policy, base60))


def test_dates_and_times_that_do_not_exist_are_refused() -> None:
    for written, reason in (("2026-13-01", "month must be in 1..12"),
                            ("2026-02-29", "day is out of range for month"),
                            ("2026-03-01 25:00:00", "hour must be in 0..23")):
        text = MINIMAL + f"notes: {written}\n"
        assert str(_refusal(loads_policy, text)) == (
            f"<string>:15:8: {written} is not a real date or time ({reason}); quote it if "
            f"it is text")
    assert "notes" in str(_refusal(loads_policy, MINIMAL + "notes: 2028-02-29\n"))  # exists


def test_nesting_is_limited_to_thirty_two_levels() -> None:
    # The top mapping is level 1, so notes' 31 brackets reach level 32: that loads as far
    # as the model, which wants text; one more bracket is refused while composing.
    within = MINIMAL + "notes: " + "[" * 31 + "]" * 31 + "\n"
    assert "nesting" not in str(_refusal(loads_policy, within))
    beyond = MINIMAL + "notes: " + "[" * 32 + "]" * 32 + "\n"
    assert str(_refusal(loads_policy, beyond)) == (
        "<string>:15:39: nesting deeper than 32 levels; policies are shallow (a key path has "
        "about 8 parts)")
    mapping = MINIMAL + "notes: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n"
    assert "nesting deeper than 32 levels" in str(_refusal(loads_policy, mapping))


def test_a_limit_met_through_extends_quotes_nothing(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("token: " + "[" * 40 + "s3cr3t" + "]" * 40 + "\n",
                                         encoding="utf-8")
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("schema_version: 1\nname: overlay\nextends: ./secret.txt\n",
                       encoding="utf-8")
    # The top mapping is level 1: the 32nd "[" (column 8 + 31) is level 33.
    error = _refusal(load_policy, overlay)
    assert str(error) == (f"{tmp_path}/secret.txt:1:39: nesting deeper than 32 levels; "
                          f"policies are shallow (a key path has about 8 parts)")
    assert "s3cr3t" not in str(error)


def _chain(folder: Path, files: int) -> Path:
    """p0.yaml (a policy) and p1..p<files-1>, each extending the one before; the last."""
    (folder / "p0.yaml").write_text(MINIMAL, encoding="utf-8")
    for number in range(1, files):
        (folder / f"p{number}.yaml").write_text(
            f"schema_version: 1\nname: p{number}\nextends: p{number - 1}.yaml\n",
            encoding="utf-8")
    return folder / f"p{files - 1}.yaml"


def test_an_extends_chain_holds_sixteen_files(tmp_path: Path) -> None:
    assert load_policy(_chain(tmp_path, 16)).name == "p15"
    # p16 -> p15 -> ... -> p1 would make p0 the 17th file: refused at p1's extends.
    assert str(_refusal(load_policy, _chain(tmp_path, 17))) == (
        f"{tmp_path}/p1.yaml:3:10: extends: an extends chain may hold at most 16 files")


def test_a_thousand_long_extends_chain_reads_sixteen_files(tmp_path: Path) -> None:
    # It was a RecursionError after reading every file; p999 .. p984 are 16 files.
    last = _chain(tmp_path, 1000)
    assert str(_refusal(load_policy, last)) == (
        f"{tmp_path}/p984.yaml:3:10: extends: an extends chain may hold at most 16 files")


def test_paths_that_cannot_be_read_are_policy_errors(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to("loop.yaml")
    assert str(_refusal(load_policy, loop)) == (
        f"{loop}: cannot read policy file: Too many levels of symbolic links")
    long_name = tmp_path / ("a" * 300 + ".yaml")
    assert str(_refusal(load_policy, long_name)) == (
        f"{long_name}: cannot read policy file: File name too long")
    long_folder = tmp_path / ("b" * 300)  # rglob raised a raw OSError
    assert str(_refusal(load_policies, long_folder)) == (
        f"{long_folder}: not a directory of policies: File name too long")
    missing = tmp_path / "missing"  # was silently no policies at all
    assert str(_refusal(load_policies, missing)) == (
        f"{missing}: not a directory of policies: No such file or directory")


# -- items 7 and 11: targets that cannot be met, or round to nothing ---------------------


def _length(written: str) -> timedelta:
    duration = parse_duration(written)
    assert isinstance(duration, Duration)
    return duration.length()


def test_lengths_are_limited_to_a_hundred_years_and_a_microsecond() -> None:
    # 36,500 days = 876,000 hours = 52,560,000 minutes.
    assert _length("876000 hours") == timedelta(days=36_500)
    assert _length("0.0000001 minutes") == timedelta(microseconds=6)
    assert _length("0.000001 minutes") == timedelta(microseconds=60)
    for written, problem in (
            ("876000.000001 hours", "is longer than 100 years (36,500 days)"),
            ("52560001 business minutes", "is longer than 100 years (36,500 days)"),
            ("1-900000 hours", "is longer than 100 years (36,500 days)"),
            ("0.00000001 minutes", "is shorter than one microsecond"),  # 0.6 µs
            ("0.00000001-1 minutes", "is shorter than one microsecond")):  # the lower bound
        with pytest.raises(PolicyError, match=re.escape(f"'{written}' {problem}")):
            parse_duration(written)


def test_a_duration_made_directly_is_measured_within_the_limits() -> None:
    vast = Duration(Decimal(10) ** 30, Decimal(10) ** 30, "hour")  # was an OverflowError
    with pytest.raises(PolicyError, match=r"is longer than 100 years"):
        vast.length()
    assert Duration(Decimal(36_500), Decimal(36_500), "business day").length(
        timedelta(hours=24)) == timedelta(days=36_500)
    days = Duration(Decimal(36_501), Decimal(36_501), "business day")
    with pytest.raises(PolicyError, match=r"^'36501 business days' of 1 day, 0:00:00 each"):
        days.length(timedelta(hours=24))


def test_relative_deadlines_count_at_most_36500_business_days() -> None:
    assert parse_duration("36500 business days by 10:00").days == 36_500  # type: ignore[union-attr]
    with pytest.raises(PolicyError, match=r"^'36501 business days by 10:00' counts more"):
        parse_duration("36501 business days by 10:00")
    digits = "9" * 5000 + " business days by 10:00"  # int() would refuse 5,000 digits
    with pytest.raises(PolicyError, match=r"counts more than 36,500 business days"):
        parse_duration(digits)


_WALK = """
from datetime import UTC, datetime
from slacalc.engine import BusinessCalendar
from slacalc.errors import CalendarError
calendar = BusinessCalendar.from_dict({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}})
try:
    calendar.relative_due(datetime(2026, 3, 2, tzinfo=UTC), 999_999_999, 36_000)
except CalendarError as error:
    print(error)
"""


def test_a_billion_business_days_is_refused_without_walking() -> None:
    # It walked about 95 s per ticket, with no bound, before.
    assert _child(_WALK) == ("999,999,999 business days do not fit within 100 years: "
                             "business time is measured within 100 years")


def test_the_walk_over_business_days_stops_after_a_hundred_years() -> None:
    weekdays = BusinessCalendar.from_dict(WEEKDAYS)
    # Mon-Fri opens about 26,100 dates in 100 years: 30,000 ran on into 2141 before.
    with pytest.raises(CalendarError) as caught:
        weekdays.relative_due(MONDAY, 30_000, 36_000)
    assert str(caught.value) == ("30,000 business days do not fit within 100 years after "
                                 "2026-03-02: business time is measured within 100 years")
    daily = BusinessCalendar.from_dict({"timezone": "UTC", "hours": {"daily": "09:00-17:00"}})
    # 2026-03-02 + 100 years is 2126-03-02, 36,524 days (24 leap days: 2028..2124 but
    # 2100); 36,500 open dates later is 24 days before it.
    assert daily.relative_due(MONDAY, 36_500, 36_000) == datetime(2126, 2, 6, 10, tzinfo=UTC)


def test_an_amount_beyond_a_century_is_refused_before_compiling_it() -> None:
    calendar = BusinessCalendar.from_dict(WEEKDAYS)
    with pytest.raises(CalendarError) as caught:
        calendar.add(MONDAY, timedelta(days=999_999_999))
    assert str(caught.value) == ("2026-03-02T00:00:00+00:00 and the instant 999,999,999 days "
                                 f"of business time after it {SPAN}")
    # It compiled a hundred years first, before.
    assert [(s.first_year, s.last_year) for s in calendar.timeline._islands] == [(2026, 2026)]
    with pytest.raises(CalendarError, match=r"999,999,999 days of business time before it"):
        calendar.add(MONDAY, -timedelta(days=999_999_999))


def test_huge_numbers_in_public_engine_calls_are_calendar_errors() -> None:
    weekdays = BusinessCalendar.from_dict(WEEKDAYS)  # a business day of 8 hours
    with pytest.raises(CalendarError) as caught:  # an OverflowError before
        weekdays.business_days(10**12)
    assert str(caught.value) == (
        "business_days: 1,000,000,000,000 business days of 8:00:00 are longer than 100 "
        "years (36,500 days), the most business time a calendar measures")
    always = BusinessCalendar.always_open()  # 24 hours: 36,500 business days is the limit
    assert always.business_days(36_500) == timedelta(days=36_500)
    assert always.business_days(-36_500) == timedelta(days=-36_500)
    with pytest.raises(CalendarError, match=r"^calendar '24x7': business_days: 36,501 "):
        always.business_days(36_501)
    with pytest.raises(CalendarError, match=r"business_days: over 10\^30 business days"):
        always.business_days(10**5000)
    with pytest.raises(CalendarError, match=r"^at: 1,000,000,000,000 is not a time of day"):
        weekdays.relative_due(MONDAY, 1, 10**12)
    instants = np.array([0], dtype=np.int64)
    beyond = "an instant or amount beyond 64-bit microseconds"
    calls: list[Callable[[], object]] = [
        lambda: weekdays.timeline.shift(instants, 10**30),
        lambda: weekdays.timeline.between(instants, 10**30),
        lambda: RealTime().shift(instants, 10**30),
        lambda: RealTime().between(10**30, instants)]
    for call in calls:
        with pytest.raises(CalendarError, match=beyond):
            call()
    with pytest.raises(CalendarError, match="more than 100 years apart"):
        weekdays.timeline.shift(10**15, 10**5000)


def test_a_business_day_is_at_most_twenty_four_hours() -> None:
    assert parse_length("24 hours", "business_day") == timedelta(hours=24)
    assert parse_length(timedelta(hours=24), "business_day") == timedelta(hours=24)
    with pytest.raises(CalendarError, match=r"^business_day: '1441 minutes' is longer than 24"):
        parse_length("1441 minutes", "business_day")
    with pytest.raises(CalendarError, match=r"^business_day: expected a positive whole"):
        parse_length(timedelta(days=10**6), "business_day")
    with pytest.raises(CalendarError, match=re.escape(f"'{'9' * 60}'... (5,006 characters)")):
        parse_length("9" * 5000 + " hours", "business_day")


def test_a_zone_name_longer_than_any_zone_is_refused_unlooked_up() -> None:
    for name in ("a" * 800, "/".join(["a"] * 400), "Europe/London/x/y/z"):
        with pytest.raises(CalendarError, match=r"^timezone: unknown IANA time zone"):
            BusinessCalendar.from_dict({"timezone": name, "hours": "24x7"})
    assert BusinessCalendar.from_dict({"timezone": "America/Argentina/Buenos_Aires",
                                       "hours": "24x7"}).zone.key == \
        "America/Argentina/Buenos_Aires"


def test_nat_is_refused_by_add_and_elapsed() -> None:
    pandas = pytest.importorskip("pandas")
    calendar = BusinessCalendar.from_dict(WEEKDAYS)
    missing = re.escape("a missing datetime (NaT) is not an instant; drop or fill it first")
    with pytest.raises(NaiveDatetimeError, match=rf"^start: {missing}"):
        calendar.add(pandas.NaT, timedelta(hours=1))  # a raw ValueError before
    with pytest.raises(NaiveDatetimeError, match=rf"^end: {missing}"):
        calendar.elapsed(MONDAY, pandas.NaT)
    with pytest.raises(NaiveDatetimeError, match=rf"^start: {missing}"):
        calendar.elapsed(pandas.NaT, pandas.Timestamp(MONDAY))
    with pytest.raises(NaiveDatetimeError, match=rf"^moment: {missing}"):
        calendar.next_open(pandas.NaT)
    with pytest.raises(CalendarError, match=r"^duration: expected a datetime.timedelta"):
        calendar.add(MONDAY, pandas.NaT)
    # An aware pandas Timestamp is an instant like any other.
    assert calendar.elapsed(pandas.Timestamp(MONDAY), pandas.Timestamp(
        "2026-03-03T00:00:00+00:00")) == timedelta(hours=8)


# -- item 9: the compiled-year cache is bounded ------------------------------------------


def _islands(timeline: Timeline) -> list[tuple[int, int]]:
    return [(snap.first_year, snap.last_year) for snap in timeline._islands]


def _june(year: int) -> datetime:
    return datetime(year, 6, 1, tzinfo=UTC)


def _us(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _always() -> Timeline:
    """An always-open timeline at a fixed offset: a year compiles in about a millisecond
    (a zone's offsets are sampled hourly, some 25 ms a year), so many years stay cheap."""
    return Timeline(UTC, lambda day: ((0, 86_400),))


def test_an_instant_two_years_away_does_not_compile_the_year_between() -> None:
    calendar = BusinessCalendar.from_dict(WEEKDAYS)  # (a zone: UTC, but sampled)
    calendar.is_open(_june(2026))
    calendar.is_open(_june(2028))
    assert _islands(calendar.timeline) == [(2026, 2026), (2028, 2028)]  # was 2026-2028
    calendar.is_open(_june(2027))  # beside both: they merge, 2027 compiled once
    assert _islands(calendar.timeline) == [(2026, 2028)]
    calendar.is_open(_june(2036))
    assert _islands(calendar.timeline) == [(2026, 2028), (2036, 2036)]
    # A measurement across the gap compiles it: 2029..2035.
    assert calendar.elapsed(datetime(2028, 12, 29, tzinfo=UTC),
                            datetime(2036, 1, 1, tzinfo=UTC)) > timedelta(0)
    assert _islands(calendar.timeline) == [(2026, 2036)]


def test_the_cache_keeps_sixteen_islands_dropping_the_least_recently_used() -> None:
    always = _always()
    for year in range(3000, 7501, 300):  # 16 islands: 3000, 3300, ..., 7500
        always.is_open(_us(_june(year)))
    always.is_open(_us(_june(3000)))  # used again: 3300 is now the least recently used
    held = always._islands[1]
    always.is_open(_us(_june(7800)))
    assert [first for first, _ in _islands(always)] == [
        3000, 3600, 3900, 4200, 4500, 4800, 5100, 5400, 5700, 6000, 6300, 6600, 6900,
        7200, 7500, 7800]
    assert held.first_year == 3300
    assert held.position(held.lo) == 0  # still whole for a reader holding it


def test_the_cache_keeps_404_compiled_years() -> None:
    always = _always()
    for first in (2000, 3000, 4000, 5000):  # four islands of 101 years: 404 years
        always.between(_us(datetime(first, 1, 1, tzinfo=UTC)), _us(_june(first + 100)))
    assert _islands(always) == [(2000, 2100), (3000, 3100), (4000, 4100), (5000, 5100)]
    always.between(_us(datetime(6000, 1, 1, tzinfo=UTC)), _us(_june(6100)))
    assert _islands(always) == [(3000, 3100), (4000, 4100), (5000, 5100), (6000, 6100)]


def test_an_island_never_grows_past_one_measurement() -> None:
    always = _always()
    always.between(_us(datetime(2000, 1, 1, tzinfo=UTC)), _us(_june(2100)))
    # 2090..2110 overlaps 2000-2100; merged it would hold 111 years: its own years instead.
    # 20 years of 365 days plus the leap days 2092, 2096, 2104, 2108 (2100 is none).
    assert always.between(_us(_june(2090)), _us(_june(2110))) == (20 * 365 + 4) * 86_400 * 10**6
    assert _islands(always) == [(2090, 2110)]
    always.is_open(_us(_june(2111)))  # beside it, and 22 years together: it grows
    assert _islands(always) == [(2090, 2111)]


def test_an_island_cut_from_a_larger_one_keeps_its_spans() -> None:
    calendar = BusinessCalendar.from_dict(WEEKDAYS)
    calendar.elapsed(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC))
    both = calendar.timeline._islands[0]
    cut = both.clipped(2027, 2027)
    # 2027 opens on 261 weekdays (Friday 1 January .. Friday 31 December), 8 hours each.
    assert len(cut) == 261
    assert cut[0] == (int(datetime(2027, 1, 1, 9, tzinfo=UTC).timestamp()) * 1_000_000,
                      int(datetime(2027, 1, 1, 17, tzinfo=UTC).timestamp()) * 1_000_000)
    always = _always()
    always.between(_us(datetime(2026, 1, 1, tzinfo=UTC)), _us(_june(2028)))
    (whole,) = always._islands[0].clipped(2027, 2027)  # one span, cut at the years
    assert whole == (int(datetime(2027, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000,
                     int(datetime(2028, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000)


def test_a_fixed_offset_timeline_needs_no_sampling_and_measures_alike() -> None:
    minus_five = Timeline(timezone(timedelta(hours=-5)), lambda day: (
        ((32_400, 61_200),) if day.weekday() < 5 else ()))
    # Monday 09:00-17:00 at UTC-5 is 14:00-22:00 UTC, all of it inside the UTC Monday.
    monday = int(MONDAY.timestamp()) * 1_000_000
    assert minus_five.between(monday, monday + 86_400_000_000) == 8 * 3_600_000_000


_RANDOM_YEARS = """
import random
from datetime import UTC, datetime, timedelta
from slacalc.engine.timeline import Timeline
# A fixed-offset zone: compiling a year costs about a millisecond, not the 25 ms of
# sampling a zone's offsets hourly, so two thousand years fit in a few seconds.
weekdays = Timeline(UTC, lambda day: ((32_400, 61_200),) if day.weekday() < 5 else ())
draw = random.Random(17)
most_islands = most_years = 0
for _ in range(2000):
    june = datetime(draw.randrange(2, 9999), 6, 1, tzinfo=UTC)
    weekdays.is_open((june - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1))
    islands = weekdays._islands
    most_islands = max(most_islands, len(islands))
    most_years = max(most_years, sum(s.last_year - s.first_year + 1 for s in islands))
print(most_islands, most_years)
"""


def test_two_thousand_random_far_years_keep_the_cache_bounded() -> None:
    # Before, islands within 12 years merged, compiling the gaps: one island of most of
    # the 9,997 years, rebuilt at each merge (900 years took 390 s and 845 MB).
    islands, years = map(int, _child(_RANDOM_YEARS).split())
    assert islands <= 16
    assert years <= 404
