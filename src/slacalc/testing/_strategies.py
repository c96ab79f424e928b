"""Hypothesis strategies for instants and calendars behind `slacalc.testing` (import them
from there).

Only `slacalc.testing` imports this module, so ``import slacalc`` never imports hypothesis.
Every strategy builds valid values by construction (nothing is filtered), and the
landmarks the instants are biased to (DST transitions, closed dates) are derived from the
zone and the calendar themselves, never typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from ..engine.calendar import BusinessCalendar
from ..errors import CalendarError

__all__ = ["CALENDAR_ZONES", "DEFAULT_END", "DEFAULT_START", "aware_datetimes",
           "calendar_mappings", "calendars", "later", "utc"]

CALENDAR_ZONES = ("America/Los_Angeles", "America/Toronto", "Europe/London",
                  "Australia/Lord_Howe", "America/New_York", "Asia/Kolkata", "UTC")
DEFAULT_START = date(2025, 1, 1)
DEFAULT_END = date(2027, 12, 31)
_HOLIDAYS = {"America/Los_Angeles": ("US", "CA"), "America/Toronto": ("CA", "QC"),
             "Europe/London": ("GB", "ENG"), "Australia/Lord_Howe": ("AU", "NSW"),
             "America/New_York": ("US", "NY"), "Asia/Kolkata": ("IN", None)}
_SLOT = 15 * 60  # hours are drawn on a quarter-hour grid: 96 slots a day
_ONE_US = timedelta(microseconds=1)
_HAIRS = st.sampled_from([timedelta(0), _ONE_US, -_ONE_US, timedelta(seconds=1),
                          timedelta(seconds=-1), timedelta(minutes=1), timedelta(minutes=-1)])


def _spread(draw: st.DrawFn, lo: int, hi: int) -> int:
    """An integer in ``[lo, hi]``, near uniform however wide the range (Hypothesis favours
    small values in wide ranges, and would bunch instants at the window's start); built
    from base-256 digits, so it still shrinks towards ``lo``."""
    size, value, scale = hi - lo + 1, 0, 1
    while scale < size:
        value, scale = value * 256 + draw(st.integers(0, 255)), scale * 256
    return lo + value % size


def _near(draw: st.DrawFn) -> timedelta:
    """An offset from a landmark: on it, a hair either side, up to 3 hours, up to 3 days."""
    scale = draw(st.integers(0, 3))
    if scale == 0:
        return draw(_HAIRS)
    reach = 180 if scale == 1 else 3 * 1440
    return timedelta(minutes=_spread(draw, -reach, reach))


# -- instants ----------------------------------------------------------------------------


def _as_instant(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"start and end must be aware datetimes or dates, got {value!r}")
        return value.astimezone(UTC)
    return datetime.combine(value, time(0), zone).astimezone(UTC)


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC: the key to order and compare instants by (two datetimes sharing a
    ZoneInfo compare, and subtract, by wall time and ignore ``fold``)."""
    return moment.astimezone(UTC)


def later(moment: datetime, delta: timedelta) -> datetime:
    """``delta`` of real time after ``moment``, in ``moment``'s tzinfo (``moment + delta``
    adds wall time: 00:50 PDT + 1 h on a fall-back night would be 01:50 PDT, 2 h later).

    Example: Los Angeles 2025-11-02 00:50 PDT + 80 min -> 01:10 PST (fold=1).
    """
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


@lru_cache(maxsize=64)
def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[datetime, ...]:
    """The instants (UTC) in ``[start, end)`` where ``zone``'s UTC offset changes, to the
    second: the offsets are sampled every 6 hours and each change is bisected."""
    def offset(moment: datetime) -> timedelta | None:
        return moment.astimezone(zone).utcoffset()

    found: list[datetime] = []
    step = timedelta(hours=6)
    moment = start
    while moment < end:
        if offset(moment) != offset(moment + step):
            lo, hi = moment, moment + step
            while hi - lo > timedelta(seconds=1):
                mid = (lo + (hi - lo) / 2).replace(microsecond=0)
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            found.append(hi)
        moment += step
    return tuple(found)


@lru_cache(maxsize=64)
def _closed_edges(calendar: BusinessCalendar, start: datetime, end: datetime
                  ) -> tuple[datetime, ...]:
    """Local midnights (UTC) opening and ending each closed or special date in the window."""
    zone = calendar.zone
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    edges: list[datetime] = []
    while day <= last:
        if calendar.closures.name(day) is not None or day in calendar.special:
            for edge in (day, day + timedelta(days=1)):
                edges.append(datetime.combine(edge, time(0), zone).astimezone(UTC))
        day += timedelta(days=1)
    return tuple(edges)


def _edge(calendar: BusinessCalendar, moment: datetime, opening: bool) -> datetime:
    try:
        return calendar.next_open(moment) if opening else calendar.next_close(moment)
    except CalendarError:  # a calendar with no open time left: stay where we are
        return moment


def aware_datetimes(calendar: BusinessCalendar | None = None, *,
                    start: date | datetime = DEFAULT_START, end: date | datetime = DEFAULT_END,
                    tz: tzinfo | None = None) -> st.SearchStrategy[datetime]:
    """Aware datetimes in ``[start, end]``, biased to where calendar arithmetic is hard.

    A mix of uniform instants (the most common kind, and what examples shrink to) and
    instants on, a microsecond or second either side of, or hours to three days around:
    the zone's DST transitions (found by scanning ``zoneinfo`` offsets, never typed in;
    about a third of all draws), the local midnights that open and end the calendar's
    closed and special-hours dates, and its openings and closings (`next_open`,
    `next_close`). Boundary rule: the window is inclusive, a date means local midnight,
    and a value drawn past an end is clamped to it; ``end`` before ``start`` raises
    ``ValueError``. Results carry ``tz`` when given, else mostly the calendar's zone,
    sometimes UTC, a fixed offset or another zone. Without a calendar the zone is ``tz``
    (a ``ZoneInfo``) or one of `CALENDAR_ZONES`, and DST transitions are the landmarks.
    Example: on America/Toronto, Sun 2026-03-08 03:00 EDT (clocks jumped forward) and
    01:59:59 EST (a second before) are drawn often, and with Quebec holidays so is Wed
    2026-06-24 00:00 (Saint-Jean-Baptiste).
    """
    zones = ([calendar.zone] if calendar is not None else [tz] if isinstance(tz, ZoneInfo)
             else [ZoneInfo(name) for name in CALENDAR_ZONES])
    if any(_as_instant(end, zone) < _as_instant(start, zone) for zone in zones):
        raise ValueError(f"end {end!r} is before start {start!r}")
    return st.one_of([_lazy(calendar, zone, start, end, tz) for zone in zones])


def _lazy(calendar: BusinessCalendar | None, zone: ZoneInfo, start: date | datetime,
          end: date | datetime, tz: tzinfo | None) -> st.SearchStrategy[datetime]:
    """`_instants`, computed on first draw (scanning the zone and the calendar is work)."""
    return st.deferred(lambda: _instants(calendar, zone, start, end, tz))


@lru_cache(maxsize=128)
def _instants(calendar: BusinessCalendar | None, zone: ZoneInfo, start: date | datetime,
              end: date | datetime, tz: tzinfo | None) -> st.SearchStrategy[datetime]:
    lo, hi = _as_instant(start, zone), _as_instant(end, zone)
    margin = timedelta(days=3)
    dst = transitions(zone, lo - margin, hi + margin)
    closed = _closed_edges(calendar, lo - margin, hi + margin) if calendar else ()
    # What to draw near: None is uniform, "edge" an opening or closing. Uniform comes
    # first (examples shrink to it) and Hypothesis draws the first choice most often, so
    # DST transitions get two shares of the rest.
    plan: list[st.SearchStrategy[datetime] | str | None] = [None]
    plan += [st.sampled_from(dst)] * 2 if dst else []
    plan += [st.sampled_from(closed)] if closed else []
    plan += ["edge"] if calendar is not None else []
    shown = [tz] if tz is not None else [
        zone, zone, zone, zone, UTC, timezone(timedelta(hours=-3, minutes=-30)),
        ZoneInfo("Europe/London" if zone.key != "Europe/London" else "Asia/Kolkata")]
    return _instant(calendar=calendar, lo=lo, hi=hi, shown=st.sampled_from(shown),
                    plan=tuple(plan))


@st.composite
def _instant(draw: st.DrawFn, *, calendar: BusinessCalendar | None, lo: datetime, hi: datetime,
             plan: tuple[st.SearchStrategy[datetime] | str | None, ...],
             shown: st.SearchStrategy[tzinfo]) -> datetime:
    near = plan[draw(st.integers(0, len(plan) - 1))]
    if isinstance(near, st.SearchStrategy):
        moment = draw(near) + _near(draw)
    else:
        seconds = _spread(draw, 0, int((hi - lo).total_seconds()))
        moment = lo + timedelta(seconds=seconds - (seconds % 60 if draw(st.booleans()) else 0))
        if near == "edge" and calendar is not None:
            moment = _edge(calendar, moment, draw(st.booleans())) + _near(draw)
    return min(max(moment, lo), hi).astimezone(draw(shown))


# -- calendars ---------------------------------------------------------------------------

_Day = tuple[list[tuple[int, int]], tuple[int, int] | None]  # intervals, night shift


def _clock(slot: int) -> str:
    return f"{slot * _SLOT // 3600:02d}:{slot * _SLOT % 3600 // 60:02d}"


@st.composite
def _day(draw: st.DrawFn, lo: int = 0, cap: int = 96) -> _Day:
    """One weekday: intervals starting at or after slot ``lo`` (the night before spills
    into ``[0, lo)``), and maybe a night shift whose morning part ends by slot ``cap``."""
    kind = draw(st.integers(0, 7))
    intervals: list[tuple[int, int]] = []
    if kind == 1 and lo == 0:
        intervals = [(0, 96)]  # 00:00-24:00
    elif kind == 2 and lo <= 36:
        intervals = [(36, 68)]  # 09:00-17:00
    elif kind > 0 and lo < 95:
        points = sorted(draw(st.lists(st.integers(lo, 96), min_size=2, max_size=6,
                                      unique=True)))
        intervals = list(zip(points[0:len(points) - 1:2], points[1::2], strict=True))
    return intervals, _night(draw, intervals[-1][1] if intervals else lo, cap)


def _night(draw: st.DrawFn, last: int, cap: int) -> tuple[int, int] | None:
    """Maybe a night shift starting at or after slot ``last``, its morning part ending by
    slot ``cap`` (an end before the start is what makes an interval cross midnight)."""
    if cap < 1 or last > 94 or draw(st.integers(0, 3)):
        return None
    begin = draw(st.integers(max(last, 2), 95))
    return begin, draw(st.integers(1, min(cap, begin - 1)))


def _first(day: _Day) -> int:
    intervals, night = day
    return intervals[0][0] if intervals else night[0] if night else 96


def _text(day: _Day) -> str | list[str]:
    intervals, night = day
    texts = [f"{_clock(a)}-{_clock(b)}" for a, b in intervals]
    if night is not None:
        texts.append(f"{_clock(night[0])}-{_clock(night[1])}")
    return texts[0] if len(texts) == 1 else texts or "closed"


@st.composite
def _repeating(draw: st.DrawFn) -> _Day:
    """A day that can follow itself (``daily``, ``mon-fri``): its night shift ends by its
    own first opening."""
    intervals, _ = draw(_day(cap=0))
    intervals = intervals or [(36, 68)]
    return intervals, _night(draw, intervals[-1][1], intervals[0][0])


@st.composite
def _weekly(draw: st.DrawFn) -> str | dict[str, str | list[str]]:
    style = draw(st.sampled_from(["mon-fri", "daily", "each", "24x7"]))
    if style == "24x7":
        return "24x7"
    if style == "daily":
        return {"daily": _text(draw(_repeating()))}
    if style == "mon-fri":
        week = draw(_repeating())
        sat = draw(_day(lo=week[1][1] if week[1] else 0))
        sun = draw(_day(lo=sat[1][1] if sat[1] else 0, cap=_first(week)))
        return {"mon-fri": _text(week), "sat": _text(sat), "sun": _text(sun)}
    days: list[_Day] = []
    for index in range(7):
        spill = days[-1][1][1] if days and days[-1][1] else 0
        days.append(draw(_day(lo=spill, cap=_first(days[0]) if index == 6 else 96)))
    if not any(intervals or night for intervals, night in days):
        days[2] = ([(36, 68)], None)
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {name: _text(day) for name, day in zip(names, days, strict=True)}


def _dates(zone: ZoneInfo) -> st.SearchStrategy[date]:
    lo, hi = _as_instant(DEFAULT_START, zone), _as_instant(DEFAULT_END, zone)
    changes = [moment.astimezone(zone).date() for moment in transitions(zone, lo, hi)]
    plain = st.dates(DEFAULT_START, DEFAULT_END)
    return st.one_of(plain, st.sampled_from(changes)) if changes else plain


@st.composite
def calendar_mappings(draw: st.DrawFn, zones: Sequence[str] = CALENDAR_ZONES) -> dict[str, Any]:
    """Valid calendar mappings, as a policy's ``calendars:`` holds them.

    Hours on a quarter-hour grid: ``24x7``, ``daily``, ``mon-fri`` with its own Saturday
    and Sunday, or each weekday; days with one to three intervals, ``00:00-24:00``, closed
    days, and night shifts crossing midnight (never overlapping the next day). Optional
    ``holidays`` (the zone's country, sometimes a subdivision, sometimes added dates),
    ``special_hours`` (often on the zone's DST dates) and ``business_day``. Boundary rule:
    `BusinessCalendar.from_dict` accepts every mapping drawn. Example: ``{"timezone":
    "America/Toronto", "hours": {"mon-fri": "09:00-17:00", "sat": "closed", "sun":
    "22:00-06:00"}, "holidays": {"country": "CA", "subdiv": "QC"}}``.
    """
    zone = draw(st.sampled_from(list(zones)))
    mapping: dict[str, Any] = {"timezone": zone, "hours": draw(_weekly())}
    country = _HOLIDAYS.get(zone)
    if country is not None and draw(st.booleans()):
        holidays: dict[str, Any] = {"country": country[0]}
        if country[1] and draw(st.booleans()):
            holidays["subdiv"] = country[1]
        if draw(st.integers(0, 3)) == 0:
            holidays["add"] = [day.isoformat() for day in draw(
                st.lists(_dates(ZoneInfo(zone)), min_size=1, max_size=2, unique=True))]
        mapping["holidays"] = holidays
    if draw(st.integers(0, 2)) == 0:
        special: dict[str, str | list[str]] = {}
        for day in draw(st.lists(_dates(ZoneInfo(zone)), min_size=1, max_size=3, unique=True)):
            intervals, _ = draw(_day(cap=0))
            special[day.isoformat()] = _text((intervals, None))
        mapping["special_hours"] = special
    lengths = [length for length in BusinessCalendar.from_dict(mapping).weekly.lengths()
               if length]
    if (len(set(lengths)) > 1 and draw(st.booleans())) or draw(st.integers(0, 5)) == 0:
        mapping["business_day"] = f"{draw(st.sampled_from(lengths)) // 60} minutes"
    return mapping


def calendars(zones: Sequence[str] = CALENDAR_ZONES) -> st.SearchStrategy[BusinessCalendar]:
    """`BusinessCalendar` objects built from `calendar_mappings` (see there)."""
    return calendar_mappings(zones).map(BusinessCalendar.from_dict)


# -- policies ----------------------------------------------------------------------------
