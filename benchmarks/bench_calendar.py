"""Speed benchmark: slacalc `add`/`elapsed` against pandas and businesstimedelta.

A script, never a timed test. It builds one calendar (Mon-Fri 06:00-18:00
America/Los_Angeles, US public holidays), draws seeded random start instants in
2025-2027, times each library on the same inputs, checks that the peers agree with
slacalc, prints a table and writes ``docs/performance.md``.

Run from the repository root (the ``bench`` extra provides the peers)::

    python benchmarks/bench_calendar.py

Exit status: 0 when slacalc is self-consistent and agrees with businesstimedelta on every
compared input (up to an explained convention difference), 1 otherwise. Missed speed
targets are reported as FAIL lines but do not change the exit status: timings depend on
the machine, agreement does not.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

import businesstimedelta
import holidays
import pandas as pd
import pytz

import slacalc

# -- the calendar under test ------------------------------------------------------------

ZONE_NAME = "America/Los_Angeles"
ZONE = ZoneInfo(ZONE_NAME)
PYTZ_ZONE = pytz.timezone(ZONE_NAME)
OPEN_AT = dt_time(6)
CLOSE_AT = dt_time(18)
WORKING_DAYS = (0, 1, 2, 3, 4)
SPEC: dict[str, Any] = {
    "timezone": ZONE_NAME,
    "hours": {"mon-fri": "06:00-18:00"},
    "holidays": {"country": "US"},
}
HOLIDAY_YEARS = range(2025, 2029)  # starts lie in 2025-2027; 120 h deadlines reach 2028
START_YEARS = range(2025, 2028)

TARGET_HOURS = (1, 120, 1000)  # slacalc
PEER_HOURS = (1, 120)  # pandas and businesstimedelta

# -- targets (from the issue) -----------------------------------------------------------

MAX_US_PER_CALL = 2.0
MIN_SPEEDUP_PANDAS_1H = 25.0
MIN_SPEEDUP_BTD_1H = 40.0
MIN_SPEEDUP_BTD_120H = 300.0
MAX_COST_RATIO = 1.3  # cost(1000 h) / cost(1 h)

# -- input mix ---------------------------------------------------------------------------

BOUNDARY_WALLS = tuple(
    dt_time(hour, minute)
    for hour, minute in (
        (0, 0), (5, 59), (6, 0), (6, 1), (12, 0), (17, 0), (17, 59), (18, 0), (18, 1), (23, 59),
    )
)
MIX_SHARES = {"boundary": 0.10, "holiday": 0.10, "dst-day": 0.10}  # the rest is "uniform"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
MINUTE_US = 60_000_000
REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "docs" / "performance.md"
EXAMPLES_KEPT = 5


def instant(moment: datetime) -> int:
    """Microseconds since the epoch: how results are compared (never ``==`` across zones)."""
    return (moment - EPOCH) // ONE_US


def from_instant(us: int) -> datetime:
    """The instant ``us`` as an aware datetime in the calendar's zone (fold set right)."""
    return (EPOCH + timedelta(microseconds=us)).astimezone(ZONE)


def local(day: date, wall: dt_time) -> datetime:
    """Wall time ``wall`` on ``day`` in the zone, normalized through UTC."""
    return datetime.combine(day, wall, tzinfo=ZONE).astimezone(UTC).astimezone(ZONE)


def show(moment: datetime) -> str:
    return f"{moment.strftime('%a')} {moment.isoformat()}"


# -- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """The shared inputs: holiday dates, DST dates and the seeded start instants."""

    holiday_dates: tuple[date, ...]
    dst_days: frozenset[date]
    starts: tuple[datetime, ...]
    mix: dict[str, int]


def us_holidays() -> tuple[date, ...]:
    """US public holidays (observed rules of the `holidays` package), years 2025-2028."""
    return tuple(sorted(holidays.country_holidays("US", years=list(HOLIDAY_YEARS))))


def dst_transition_days(years: range) -> frozenset[date]:
    """Local dates on which the zone's UTC offset changes."""
    found: set[date] = set()
    day = date(years.start, 1, 1)
    while day.year < years.stop:
        following = day + timedelta(days=1)
        if local(day, dt_time(0)).utcoffset() != local(following, dt_time(0)).utcoffset():
            found.add(day)
        day = following
    return frozenset(found)


def random_minute_between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A uniformly drawn minute-aligned instant in ``[lo, hi)``."""
    first, last = instant(lo) // MINUTE_US, instant(hi) // MINUTE_US
    return from_instant(rng.randrange(first, last) * MINUTE_US)


def random_in_day(rng: random.Random, day: date) -> datetime:
    """A minute-aligned instant of the local ``day`` (23 or 25 hours long on DST dates)."""
    return random_minute_between(rng, local(day, dt_time(0)), local(day + timedelta(1), dt_time(0)))


def make_inputs(count: int, seed: int) -> Inputs:
    """Seeded starts: uniform instants plus boundary, holiday and DST-date instants."""
    rng = random.Random(seed)
    holiday_dates = us_holidays()
    dst_days = dst_transition_days(START_YEARS)
    lo = datetime(START_YEARS.start, 1, 1, tzinfo=ZONE)
    hi = datetime(START_YEARS.stop, 1, 1, tzinfo=ZONE)
    first_day, days = lo.date(), (hi.date() - lo.date()).days
    start_holidays = [day for day in holiday_dates if day.year in START_YEARS]
    start_dst = sorted(dst_days)
    mix = {kind: int(count * share) for kind, share in MIX_SHARES.items()}
    mix["uniform"] = count - sum(mix.values())
    starts: list[datetime] = []
    for _ in range(mix["uniform"]):
        starts.append(random_minute_between(rng, lo, hi))
    for _ in range(mix["boundary"]):
        day = first_day + timedelta(days=rng.randrange(days))
        starts.append(local(day, rng.choice(BOUNDARY_WALLS)))
    for _ in range(mix["holiday"]):
        starts.append(random_in_day(rng, rng.choice(start_holidays)))
    for _ in range(mix["dst-day"]):
        starts.append(random_in_day(rng, rng.choice(start_dst)))
    rng.shuffle(starts)
    return Inputs(holiday_dates, dst_days, tuple(starts), mix)


# -- timing ------------------------------------------------------------------------------


def best_us_per_call(run: Callable[[], object], calls: int, repeats: int) -> float:
    """Best-of-``repeats`` wall time of ``run()`` divided by ``calls``, in µs (GC off)."""
    return interleaved_best({"run": (run, calls)}, repeats)["run"]


def interleaved_best(runs: dict[str, tuple[Callable[[], object], int]], repeats: int
                     ) -> dict[str, float]:
    """Best-of-``repeats`` µs per call of each ``(run, calls)``, the runs taken in turn.

    Round-robin repeats spread every run over the whole measuring period, so a burst of
    load from other processes inflates one repeat of each run rather than every repeat
    of one run (which would distort the ratios between runs). GC is off while timing.
    """
    best = dict.fromkeys(runs, float("inf"))
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for key, (run, _calls) in runs.items():
                began = perf_counter()
                run()
                best[key] = min(best[key], perf_counter() - began)
    finally:
        if enabled:
            gc.enable()
    return {key: best[key] / runs[key][1] * 1e6 for key in runs}


def add_loop(add: Callable[[datetime, timedelta], object], starts: Sequence[datetime],
             duration: timedelta) -> Callable[[], None]:
    def run() -> None:
        for start in starts:
            add(start, duration)

    return run


def pair_loop(call: Callable[[Any, Any], object], pairs: Sequence[tuple[Any, Any]]
              ) -> Callable[[], None]:
    def run() -> None:
        for first, second in pairs:
            call(first, second)

    return run


def plus_loop(offset: Any, values: Sequence[Any]) -> Callable[[], None]:
    """``value + offset`` for each value (pandas: Timestamp + CustomBusinessHour)."""

    def run() -> None:
        for value in values:
            value + offset  # the expression is what is timed

    return run


def offset_first_loop(offset: Any, values: Sequence[Any]) -> Callable[[], None]:
    """``offset + value`` for each value (businesstimedelta: BusinessTimeDelta + datetime)."""

    def run() -> None:
        for value in values:
            offset + value  # the expression is what is timed

    return run


def calibration(starts: Sequence[datetime], repeats: int) -> dict[str, float]:
    """Per-call cost of plain stdlib operations on this machine, same loop shape."""
    hour = timedelta(hours=1)
    utc_starts = [start.astimezone(UTC) for start in starts]

    def empty() -> None:
        for _start in starts:
            pass

    def plus() -> None:
        for start in starts:
            start + hour  # the expression is what is timed

    def to_utc() -> None:
        for start in starts:
            start.astimezone(UTC)

    def to_zone() -> None:
        for moment in utc_starts:
            moment.astimezone(ZONE)

    calls = len(starts)
    return {
        "empty loop iteration": best_us_per_call(empty, calls, repeats),
        "aware datetime + timedelta": best_us_per_call(plus, calls, repeats),
        "zoneinfo datetime .astimezone(UTC)": best_us_per_call(to_utc, calls, repeats),
        "UTC datetime .astimezone(ZoneInfo)": best_us_per_call(to_zone, calls, repeats),
    }


# -- agreement ---------------------------------------------------------------------------


@dataclass
class Agreement:
    """How often a peer's answers match slacalc's, with disagreements classified."""

    peer: str
    op: str
    hours: int
    compared: int = 0
    agreed: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def record(self, kind: str, example: str = "") -> None:
        self.compared += 1
        if kind == "agree":
            self.agreed += 1
            return
        self.classes[kind] += 1
        kept = self.examples.setdefault(kind, [])
        if len(kept) < EXAMPLES_KEPT:
            kept.append(example)

    @property
    def label(self) -> str:
        return f"{self.peer} {self.op} {self.hours} h"

    def summary(self) -> str:
        kinds = ("closing-time", "dst", "other")
        return f"{self.agreed}/{self.compared} agree; disagree: " + ", ".join(
            f"{self.classes[kind]} {kind}" for kind in kinds
        )


def closes_at(cal: slacalc.BusinessCalendar, moment: datetime) -> bool:
    """True when ``moment`` is a closing instant (open just before, closed at it)."""
    return not cal.is_open(moment) and cal.is_open(moment - ONE_US)


def touches_dst(inputs: Inputs, *moments: datetime) -> bool:
    """True when a moment lies on a DST date, or is a wall time that DST makes ambiguous."""
    for moment in moments:
        if moment.date() in inputs.dst_days:
            return True
        if moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset():
            return True
    return False


def classify_btd_add(cal: slacalc.BusinessCalendar, inputs: Inputs, expected: datetime,
                     got: datetime) -> str:
    if instant(got) == instant(expected):
        return "agree"
    if closes_at(cal, expected) and instant(got) == instant(cal.next_open(expected)):
        return "closing-time"
    if touches_dst(inputs, expected, got.astimezone(ZONE)):
        return "dst"
    return "other"


def classify_pandas_add(cal: slacalc.BusinessCalendar, inputs: Inputs, start: datetime,
                        expected: datetime, got: datetime) -> str:
    """Compare in wall time: pandas works on naive local Timestamps."""
    wall = expected.replace(tzinfo=None)
    if got == wall:
        return "agree"
    if closes_at(cal, expected) and got == cal.next_open(expected).replace(tzinfo=None):
        return "closing-time"
    if touches_dst(inputs, start, expected) or got.date() in inputs.dst_days:
        return "dst"
    return "other"


# -- the benchmark -----------------------------------------------------------------------


@dataclass
class Row:
    op: str
    hours: int
    slacalc_us: float
    pandas_us: float | None = None
    btd_us: float | None = None

    def speedup(self, peer_us: float | None) -> float | None:
        return None if peer_us is None else peer_us / self.slacalc_us


@dataclass
class Report:
    inputs: Inputs
    args: argparse.Namespace
    rows: list[Row] = field(default_factory=list)
    calibration: dict[str, float] = field(default_factory=dict)
    agreements: list[Agreement] = field(default_factory=list)
    self_check: dict[str, int] = field(default_factory=dict)
    holiday_mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def row(self, op: str, hours: int) -> Row:
        return next(row for row in self.rows if row.op == op and row.hours == hours)


def check_holidays(cal: slacalc.BusinessCalendar, holiday_dates: Sequence[date]) -> list[str]:
    """Weekdays on which slacalc's closures and the peers' holiday list disagree."""
    listed = set(holiday_dates)
    mismatches: list[str] = []
    day = date(HOLIDAY_YEARS.start, 1, 1)
    while day.year < HOLIDAY_YEARS.stop:
        if day.weekday() in WORKING_DAYS and (cal.hours_on(day) == ()) != (day in listed):
            mismatches.append(day.isoformat())
        day += timedelta(days=1)
    return mismatches


def bench_slacalc(cal: slacalc.BusinessCalendar, report: Report
                  ) -> dict[int, list[datetime]]:
    """Time add and elapsed at every target; return the add results (the deadlines)."""
    starts = report.inputs.starts
    deadlines: dict[int, list[datetime]] = {}
    runs: dict[str, tuple[Callable[[], object], int]] = {}
    for hours in TARGET_HOURS:
        duration = timedelta(hours=hours)
        ends = [cal.add(start, duration) for start in starts]  # warm: compiles every year
        pairs = list(zip(starts, ends, strict=True))
        spans = [cal.elapsed(start, end) for start, end in pairs]
        report.self_check[f"elapsed(s, add(s, {hours} h)) != {hours} h"] = sum(
            span != duration for span in spans
        )
        report.self_check[f"add(s, {hours} h) < s"] = sum(
            instant(end) < instant(start) for start, end in pairs
        )
        deadlines[hours] = ends
        runs[f"add {hours}"] = (add_loop(cal.add, starts, duration), len(starts))
        runs[f"elapsed {hours}"] = (pair_loop(cal.elapsed, pairs), len(pairs))
    timings = interleaved_best(runs, report.args.repeats)
    for hours in TARGET_HOURS:
        add_us, elapsed_us = timings[f"add {hours}"], timings[f"elapsed {hours}"]
        report.rows.append(Row("add", hours, add_us))
        report.rows.append(Row("elapsed", hours, elapsed_us))
        print(f"  slacalc {hours:>4} h: add {add_us:7.2f} µs, elapsed {elapsed_us:7.2f} µs")
    return deadlines


def bench_btd(cal: slacalc.BusinessCalendar, report: Report,
              deadlines: dict[int, list[datetime]]) -> None:
    """businesstimedelta on the subsample: pytz-localized inputs, outputs compared as instants."""
    inputs, size = report.inputs, report.args.peer_sample
    rule = btd_rule(inputs.holiday_dates)
    starts = inputs.starts[:size]
    localized = [start.astimezone(PYTZ_ZONE) for start in starts]
    repeats = report.args.peer_repeats
    for hours in PEER_HOURS:
        delta = businesstimedelta.BusinessTimeDelta(rule, hours=hours)
        got = [delta + start for start in localized]  # warm-up and results
        agreement = Agreement("businesstimedelta", "add", hours)
        for start, expected, answer in zip(starts, deadlines[hours][:size], got, strict=True):
            kind = classify_btd_add(cal, inputs, expected, answer)
            agreement.record(kind, f"start {show(start)} + {hours} h: slacalc {show(expected)}, "
                                   f"businesstimedelta {show(answer.astimezone(ZONE))}")
        report.agreements.append(agreement)
        ends = [end.astimezone(PYTZ_ZONE) for end in deadlines[hours][:size]]
        pairs = list(zip(localized, ends, strict=True))
        spans = [rule.difference(first, second).timedelta for first, second in pairs]
        agreement = Agreement("businesstimedelta", "elapsed", hours)
        for start, end, span in zip(starts, deadlines[hours][:size], spans, strict=True):
            expected_span = cal.elapsed(start, end)
            kind = "agree" if span == expected_span else "other"
            agreement.record(kind, f"[{show(start)}, {show(end)}): slacalc {expected_span}, "
                                   f"businesstimedelta {span}")
        report.agreements.append(agreement)
        add_us = best_us_per_call(offset_first_loop(delta, localized), size, repeats)
        elapsed_us = best_us_per_call(pair_loop(rule.difference, pairs), size, repeats)
        report.row("add", hours).btd_us = add_us
        report.row("elapsed", hours).btd_us = elapsed_us
        print(f"  businesstimedelta {hours:>4} h: add {add_us:9.1f} µs, "
              f"elapsed {elapsed_us:9.1f} µs")


def btd_rule(holiday_dates: Sequence[date]) -> Any:
    """WorkDayRule Mon-Fri 06:00-18:00 plus HolidayRule, both in the pytz zone."""
    workday = businesstimedelta.WorkDayRule(
        start_time=OPEN_AT, end_time=CLOSE_AT, working_days=list(WORKING_DAYS), tz=PYTZ_ZONE
    )
    # A frozenset: HolidayRule tests `date in holidays` day by day, so this is its fastest
    # container (a list or a `holidays` object would make the peer slower, not faster).
    closed = businesstimedelta.HolidayRule(frozenset(holiday_dates), tz=PYTZ_ZONE)
    return businesstimedelta.Rules([workday, closed])


def bench_pandas(cal: slacalc.BusinessCalendar, report: Report,
                 deadlines: dict[int, list[datetime]]) -> None:
    """pandas CustomBusinessHour on naive local Timestamps; compared in wall time."""
    inputs, size = report.inputs, report.args.peer_sample
    starts = inputs.starts[:size]
    stamps = [pd.Timestamp(start.replace(tzinfo=None)) for start in starts]
    holiday_list = list(inputs.holiday_dates)
    for hours in PEER_HOURS:
        offset = pd.offsets.CustomBusinessHour(
            n=hours, start="06:00", end="18:00", holidays=holiday_list,
            weekmask="Mon Tue Wed Thu Fri",
        )
        got = [stamp + offset for stamp in stamps]  # warm-up and results
        agreement = Agreement("pandas", "add", hours)
        for start, expected, answer in zip(starts, deadlines[hours][:size], got, strict=True):
            wall = answer.to_pydatetime()
            kind = classify_pandas_add(cal, inputs, start, expected, wall)
            agreement.record(kind, f"start {show(start)} + {hours} h: slacalc {show(expected)}, "
                                   f"pandas {wall.strftime('%a')} {wall.isoformat()} (wall)")
        report.agreements.append(agreement)
        add_us = best_us_per_call(plus_loop(offset, stamps), size, report.args.peer_repeats)
        report.row("add", hours).pandas_us = add_us
        print(f"  pandas {hours:>4} h: add {add_us:9.1f} µs")


# -- reporting ---------------------------------------------------------------------------


def fmt_us(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def fmt_x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"


def results_table(report: Report) -> list[str]:
    lines = [
        "| operation | business time | slacalc µs/call | pandas µs/call | "
        "businesstimedelta µs/call | speedup vs pandas | speedup vs businesstimedelta |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report.rows:
        lines.append(
            f"| {row.op} | {row.hours} h | {fmt_us(row.slacalc_us)} | {fmt_us(row.pandas_us)} | "
            f"{fmt_us(row.btd_us)} | {fmt_x(row.speedup(row.pandas_us))} | "
            f"{fmt_x(row.speedup(row.btd_us))} |"
        )
    return lines


def verdicts(report: Report) -> list[str]:
    """The PASS/FAIL lines of the issue's targets."""
    lines: list[str] = []

    def verdict(ok: bool, text: str) -> None:
        lines.append(f"{'PASS' if ok else 'FAIL'}: {text}")

    for op in ("add", "elapsed"):
        worst = max(row.slacalc_us for row in report.rows if row.op == op)
        shown = ", ".join(
            f"{row.slacalc_us:.2f} µs at {row.hours} h" for row in report.rows if row.op == op
        )
        verdict(worst <= MAX_US_PER_CALL,
                f"slacalc {op} <= {MAX_US_PER_CALL:g} µs/call at every target ({shown})")
    speedup = report.row("add", 1).speedup(report.row("add", 1).pandas_us) or 0.0
    verdict(speedup >= MIN_SPEEDUP_PANDAS_1H,
            f"slacalc add >= {MIN_SPEEDUP_PANDAS_1H:g}x faster than pandas CustomBusinessHour "
            f"at 1 h ({speedup:.1f}x)")
    for hours, needed in ((1, MIN_SPEEDUP_BTD_1H), (120, MIN_SPEEDUP_BTD_120H)):
        for op in ("add", "elapsed"):
            row = report.row(op, hours)
            speedup = row.speedup(row.btd_us) or 0.0
            verdict(speedup >= needed,
                    f"slacalc {op} >= {needed:g}x faster than businesstimedelta at {hours} h "
                    f"({speedup:.1f}x)")
    for op in ("add", "elapsed"):
        ratio = report.row(op, 1000).slacalc_us / report.row(op, 1).slacalc_us
        verdict(ratio <= MAX_COST_RATIO,
                f"slacalc {op} cost(1000 h)/cost(1 h) <= {MAX_COST_RATIO:g} ({ratio:.2f})")
    return lines


def unexplained(report: Report) -> list[str]:
    """Problems that make the exit status non-zero."""
    problems = [f"{name}: {count} inputs" for name, count in report.self_check.items() if count]
    if report.holiday_mismatches:
        problems.append(f"holiday lists differ on {', '.join(report.holiday_mismatches)}")
    for agreement in report.agreements:
        if agreement.peer == "businesstimedelta":
            for kind in ("dst", "other"):
                if agreement.classes[kind]:
                    problems.append(f"{agreement.label}: {agreement.classes[kind]} {kind}")
    return problems


def agreement_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for agreement in report.agreements:
        lines.append(f"- **{agreement.label}**: {agreement.summary()}")
        for kind, examples in sorted(agreement.examples.items()):
            lines.append(f"  - {kind}, e.g.:")
            lines += [f"    - {example}" for example in examples]
    checks = ", ".join(f"{name}: {count}" for name, count in report.self_check.items())
    lines.append(f"- **slacalc self-consistency** over all {len(report.inputs.starts):,} starts "
                 f"(failures): {checks}")
    mismatch = ", ".join(report.holiday_mismatches) or "none"
    lines.append(f"- **holiday dates**: slacalc's `country: US` closures vs the peers' list, "
                 f"weekdays 2025-2028 that differ: {mismatch}")
    return lines


def cpu_model() -> str:
    """``model name`` (and ``cpu MHz``) of the first CPU in /proc/cpuinfo."""
    fields: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    model = fields.get("model name") or platform.processor() or "unknown"
    return f"{model} @ {float(fields['cpu MHz']):.0f} MHz" if "cpu MHz" in fields else model


def package_version(name: str) -> str:
    try:
        return dist_version(name)
    except PackageNotFoundError:
        return "not installed"


def git_revision() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "src"],
                               capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head or 'unknown'}{' (src/ modified)' if dirty else ''}"


def environment_lines(seconds: float) -> list[str]:
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        f"- OS: {platform.platform()}",
        f"- slacalc {slacalc.__version__} (git {git_revision()}), pandas "
        f"{package_version('pandas')}, businesstimedelta {package_version('businesstimedelta')}, "
        f"holidays {package_version('holidays')}, pytz {package_version('pytz')}",
        f"- Run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, "
        f"took {seconds:.0f} s",
    ]


def method_lines(report: Report) -> list[str]:
    args, inputs = report.args, report.inputs
    mix = ", ".join(f"{count:,} {kind}" for kind, count in inputs.mix.items())
    return [
        f"- Calendar: Mon-Fri 06:00-18:00 {ZONE_NAME}, US public holidays from the "
        f"`holidays` package (default observed rules), years 2025-2028: "
        f"{len(inputs.holiday_dates)} dates, the same list for every library.",
        f"- Inputs: {len(inputs.starts):,} minute-aligned start instants in 2025-2027, seed "
        f"{args.seed}: {mix}. *uniform* = any instant (nights, weekends, holidays "
        f"included); *boundary* = a random date at one of "
        f"{', '.join(w.strftime('%H:%M') for w in BOUNDARY_WALLS)}; *holiday* and *dst-day* "
        f"= any instant of a holiday or of a DST-change date.",
        "- slacalc: `add(start, timedelta(hours=h))` on zoneinfo-aware starts, and "
        "`elapsed(start, add(start, h))` (so every elapsed span holds exactly h business "
        "hours). Each target is called once over all starts before timing, so the lazily "
        "compiled years are cached (a warm calendar).",
        f"- Peers on the first {args.peer_sample:,} starts (the same shuffled inputs): "
        "businesstimedelta `BusinessTimeDelta(rule, hours=h) + start` and "
        "`rule.difference(start, end)`, where `rule = Rules([WorkDayRule(06:00, 18:00, "
        "Mon-Fri, tz=pytz LA), HolidayRule(frozenset(dates), tz=pytz LA)])`, fed the same "
        "instants as pytz-localized datetimes and its results compared as instants; pandas "
        "`Timestamp + CustomBusinessHour(n=h, start='06:00', end='18:00', holidays=dates, "
        "weekmask='Mon Tue Wed Thu Fri')` on naive local Timestamps (pandas business-hour "
        "offsets are not time-zone aware), its results compared with slacalc's in local wall "
        "time. With 06:00-18:00 hours no open span contains a DST change, so wall-time "
        "arithmetic is exact here; that is not true of calendars open across 02:00.",
        f"- Timing: `time.perf_counter` around a loop over all inputs, best of "
        f"{args.repeats} repeats for slacalc (taken round-robin over the six operation x "
        f"target loops, so load bursts cannot skew the 1000 h / 1 h ratio) and "
        f"{args.peer_repeats} for the peers, garbage "
        "collector off, divided by the number of calls; µs/call includes the loop iteration "
        "(see the calibration). Speedups are ratios of per-call costs.",
    ]


def relative_lines(report: Report) -> list[str]:
    """slacalc's 1 h costs in units of one zone conversion, a machine-independent figure."""
    unit = report.calibration["UTC datetime .astimezone(ZoneInfo)"]
    costs = ", ".join(
        f"`{op}` = {report.row(op, 1).slacalc_us / unit:.1f}x" for op in ("add", "elapsed")
    )
    return [
        f"In units of one `UTC datetime .astimezone(ZoneInfo)` call, slacalc at 1 h costs "
        f"{costs}. (`add` itself does one such conversion, to return its result in the "
        f"caller's zone.)"
    ]


def render(report: Report, verdict_lines: list[str]) -> str:
    environment = environment_lines(report.seconds)
    calib = [f"| {name} | {value:.3f} |" for name, value in report.calibration.items()]
    lines = [
        "# Performance",
        "",
        "Generated by `benchmarks/bench_calendar.py` (see `benchmarks/README.md`); do not edit "
        "by hand.",
        "",
        "## Targets",
        "",
        *[f"- {line}" for line in verdict_lines],
        "",
        "## Results",
        "",
        *results_table(report),
        "",
        "The 1000 h target is measured for slacalc only. pandas has no business-time "
        "difference, so its elapsed column is n/a.",
        "",
        "## Calibration",
        "",
        "Plain standard-library operations timed the same way on this machine, to scale the "
        "figures above to other machines:",
        "",
        "| operation | µs/call |",
        "|---|---:|",
        *calib,
        "",
        *relative_lines(report),
        "",
        "## Agreement",
        "",
        "Every result of the timed peer sample is compared with slacalc's. *closing-time*: "
        "slacalc's deadline is a closing instant (e.g. Friday 18:00) and the peer returns the "
        "next opening instead (pandas rolls a result landing exactly on closing time to the "
        "next opening; the two instants are the same amount of business time after the start). "
        "*dst*: a disagreement on a DST-change date or at an ambiguous wall time. *other*: "
        "anything else.",
        "",
        *agreement_lines(report),
        "",
        "## Machine",
        "",
        *environment,
        "",
        "## Method",
        "",
        *method_lines(report),
        "",
    ]
    return "\n".join(lines)


def print_summary(report: Report, verdict_lines: list[str], problems: list[str]) -> None:
    print()
    print("\n".join(results_table(report)))
    print()
    for name, value in report.calibration.items():
        print(f"calibration: {name}: {value:.3f} µs")
    print("\n".join(relative_lines(report)))
    print()
    print("\n".join(verdict_lines))
    print()
    for agreement in report.agreements:
        print(f"agreement: {agreement.label}: {agreement.summary()}")
        for kind, examples in sorted(agreement.examples.items()):
            print(f"  {kind}, e.g. {examples[0]}")
    for name, count in report.self_check.items():
        print(f"self-check: {name}: {count}")
    if problems:
        print("\nUNEXPLAINED DISAGREEMENTS:\n  " + "\n  ".join(problems))
    print(f"\ntook {report.seconds:.0f} s")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--starts", type=int, default=20_000, help="start instants (20000)")
    parser.add_argument("--peer-sample", type=int, default=2_000,
                        help="starts timed and checked for the peers (2000)")
    parser.add_argument("--repeats", type=int, default=11,
                        help="best-of repeats, slacalc, round-robin over targets (11)")
    parser.add_argument("--peer-repeats", type=int, default=3,
                        help="best-of repeats, peers (3)")
    parser.add_argument("--seed", type=int, default=20250101, help="RNG seed (20250101)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="Markdown report to write (docs/performance.md)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    began = perf_counter()
    args = parse_args(argv)
    args.peer_sample = min(args.peer_sample, args.starts)
    inputs = make_inputs(args.starts, args.seed)
    report = Report(inputs, args)
    cal = slacalc.BusinessCalendar.from_dict(SPEC)
    report.holiday_mismatches = check_holidays(cal, inputs.holiday_dates)
    print(f"{len(inputs.starts):,} starts, peers on {args.peer_sample:,}")
    report.calibration = calibration(inputs.starts, args.repeats)
    deadlines = bench_slacalc(cal, report)
    bench_pandas(cal, report, deadlines)
    bench_btd(cal, report, deadlines)
    report.seconds = perf_counter() - began
    verdict_lines = verdicts(report)
    problems = unexplained(report)
    print_summary(report, verdict_lines, problems)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # Keep the batch-report section that benchmarks/bench_report.py maintains.
    kept = ""
    if args.output.exists():
        previous = args.output.read_text(encoding="utf-8")
        marker = "<!-- bench_report -->"
        if marker in previous:
            kept = "\n" + previous[previous.index(marker):]
    args.output.write_text(render(report, verdict_lines) + kept, encoding="utf-8")
    print(f"wrote {args.output}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
