"""The one place where wall time meets real time (the DST choke point).

Everything else in slacalc works on integers: instants are microseconds since the Unix
epoch (UTC), and local wall time is "wall microseconds", the same count read off a clock
that shows local time as if it were UTC. This module converts between them:

* `instant_us` / `to_datetime` convert aware datetimes to and from instants;
* `wall_preimage` answers the only DST question the engine ever asks: *which real
  instants does the wall clock show inside [w1, w2)?* The answer is exact for any gap or
  overlap size, because it is computed from the zone's own UTC-offset segments rather
  than from rules about DST: inside a segment of constant offset ``o`` the wall clock reads
  ``t + o``, so the instants reading inside ``[w1, w2)`` are ``[w1 - o, w2 - o)`` clipped to
  the segment. A wall time inside a spring-forward gap therefore maps to the first instant
  the clock reads past it, and a repeated fall-back hour is counted as often as it is shown.

The offsets come from `zoneinfo` (backed by the `tzdata` package): they are sampled hourly
and every change is located to the second by bisection, once per zone and UTC year.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from difflib import get_close_matches
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..errors import CalendarError, NaiveDatetimeError

__all__ = [
    "DAY_US",
    "SECOND_US",
    "OffsetSegment",
    "WallMap",
    "instant_us",
    "load_zone",
    "local_instant",
    "offset_segments",
    "require_aware",
    "to_datetime",
    "wall_preimage",
    "wall_us",
]

SECOND_US = 1_000_000
DAY_US = 86_400 * SECOND_US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)
_SAMPLE_S = 3600  # offsets are sampled hourly; tzdata has no two changes within an hour
MIN_YEAR = 2
MAX_YEAR = 9998  # one year of margin on each side of datetime's range
_LONGEST_ZONE = 64  # characters in a zone name; tzdata's longest has 32
_DEEPEST_ZONE = 3  # "/" in a zone name: tzdata has two, a system "posix/..." zone three

OffsetSegment = tuple[int, int, int]
"""``(start_us, end_us, offset_us)``: over ``[start, end)`` the zone's UTC offset is constant."""


def load_zone(name: object, field: str = "timezone") -> ZoneInfo:
    """Return the IANA zone called ``name``; a `CalendarError` naming ``field`` if there is none.

    Example: ``load_zone("America/Toronto")`` -> ``ZoneInfo('America/Toronto')``;
    ``load_zone("Mars/Olympus")`` raises ``CalendarError("timezone: unknown IANA time zone
    'Mars/Olympus'")``.
    """
    if not isinstance(name, str) or not name.strip():
        raise CalendarError(
            f"{field}: expected an IANA time zone name such as 'America/New_York', got {name!r}",
            field=field,
            value=name,
        )
    if len(name) > _LONGEST_ZONE or name.count("/") > _DEEPEST_ZONE:  # never a zone, and
        shown = repr(name) if len(name) <= 40 else f"{name[:40]!r}..."
        raise CalendarError(  # zoneinfo would import one package per "/" (a RecursionError)
            f"{field}: unknown IANA time zone {shown} ({len(name):,} characters); a zone "
            f"name has at most {_LONGEST_ZONE} characters and {_DEEPEST_ZONE} '/'",
            field=field, value=name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        hint = _zone_hint(name)
        raise CalendarError(
            f"{field}: unknown IANA time zone {name!r}{hint}", field=field, value=name
        ) from None


def _zone_hint(name: str) -> str:
    close = get_close_matches(name, sorted(available_timezones()), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def require_aware(value: object, what: str) -> datetime:
    """Return ``value`` if it is an aware datetime; otherwise raise a typed error naming ``what``.

    Boundary rule: a missing value (pandas ``NaT``, which is a datetime unequal to itself)
    is no instant and is refused like a naive one. Example: ``require_aware(datetime(2026,
    3, 2, 9, 0), "start")`` raises `NaiveDatetimeError` with a hint to attach a zone.
    """
    if not isinstance(value, datetime):
        raise NaiveDatetimeError(
            f"{what}: expected an aware datetime, got {type(value).__name__} {value!r}"
        )
    if value != value:  # noqa: PLR0124 - NaT, the one datetime unequal to itself
        raise NaiveDatetimeError(
            f"{what}: a missing datetime (NaT) is not an instant; drop or fill it first"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{what}: naive datetime {value.isoformat()} has no UTC offset; attach one, e.g. "
            f"value.replace(tzinfo=ZoneInfo('America/New_York')) (slacalc never assumes "
            f"UTC or the local zone)"
        )
    return value


def instant_us(value: datetime) -> int:
    """Microseconds since the epoch of the aware ``value`` (exact, no float on the way)."""
    return (value - _EPOCH) // _ONE_US


def to_datetime(us: int, tz: tzinfo) -> datetime:
    """The instant ``us`` as an aware datetime in ``tz`` (the caller's own tzinfo)."""
    seconds, micro = divmod(us, SECOND_US)
    if micro:
        return (_EPOCH + timedelta(microseconds=us)).astimezone(tz)
    # Whole seconds (the usual case): an int timestamp is exact and twice as fast.
    return datetime.fromtimestamp(seconds, tz)


def wall_us(day: date, second: int) -> int:
    """Wall microseconds of ``second`` seconds after local midnight starting ``day``."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY_US + second * SECOND_US


def _offset_us(zone: tzinfo, second: int) -> int:
    offset = datetime.fromtimestamp(second, zone).utcoffset()
    if offset is None:  # pragma: no cover - zoneinfo always answers
        raise CalendarError(f"timezone: {zone} has no UTC offset at {second} s from the epoch")
    return offset // _ONE_US


@lru_cache(maxsize=4096)
def _year_segments(zone: tzinfo, year: int) -> tuple[OffsetSegment, ...]:
    """Offset segments of ``zone`` over UTC year ``year``, changes located to the second:
    the offset is sampled hourly, and each change found is bisected between its samples."""
    start = int((datetime(year, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
    stop = int((datetime(year + 1, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
    if isinstance(zone, timezone):  # a fixed offset by definition: nothing to sample
        return ((start * SECOND_US, stop * SECOND_US, _offset_us(zone, start)),)
    probes = range(start, stop, _SAMPLE_S)
    at = datetime.fromtimestamp
    sampled = [at(probe, zone).utcoffset() for probe in probes]
    segments: list[OffsetSegment] = []
    seg_start, current = start, _offset_us(zone, start)
    for index in range(1, len(sampled)):
        if sampled[index] == sampled[index - 1]:
            continue
        lo, hi = probes[index - 1], probes[index]  # offset(lo) != offset(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _offset_us(zone, mid) == current:
                lo = mid
            else:
                hi = mid
        segments.append((seg_start * SECOND_US, hi * SECOND_US, current))
        seg_start, current = hi, _offset_us(zone, hi)
    segments.append((seg_start * SECOND_US, stop * SECOND_US, current))
    return tuple(segments)


def offset_segments(zone: tzinfo, lo_us: int, hi_us: int) -> list[OffsetSegment]:
    """The zone's constant-offset segments covering ``[lo_us, hi_us)``, adjacent equal merged."""
    first = _EPOCH + timedelta(microseconds=lo_us)
    last = _EPOCH + timedelta(microseconds=hi_us)
    if first.year < MIN_YEAR or last.year > MAX_YEAR:
        raise CalendarError(
            f"instants must lie between years {MIN_YEAR} and {MAX_YEAR}, "
            f"got {first.isoformat()} .. {last.isoformat()}"
        )
    merged: list[OffsetSegment] = []
    for year in range(first.year, last.year + 1):
        for seg in _year_segments(zone, year):
            if merged and merged[-1][2] == seg[2] and merged[-1][1] == seg[0]:
                merged[-1] = (merged[-1][0], seg[1], seg[2])
            else:
                merged.append(seg)
    return merged


class WallMap:
    """Wall-to-real conversion over a window of a zone's offset segments."""

    __slots__ = ("_segments", "_starts")

    def __init__(self, segments: list[OffsetSegment]) -> None:
        self._segments = segments
        self._starts = [start for start, _end, _off in segments]

    def preimage(self, w1: int, w2: int) -> list[tuple[int, int]]:
        """Instants whose wall reading lies in ``[w1, w2)``, as sorted disjoint spans."""
        spans: list[tuple[int, int]] = []
        segments = self._segments
        # UTC offsets are less than a day either way, so the instants sought lie within
        # [w1 - 1 day, w2 + 1 day): only segments meeting that window can contribute.
        first = max(bisect_right(self._starts, w1 - DAY_US) - 1, 0)
        for index in range(first, len(segments)):
            start, end, off = segments[index]
            if start >= w2 + DAY_US:
                break
            lo = max(start, w1 - off)
            hi = min(end, w2 - off)
            if lo < hi:
                if spans and spans[-1][1] == lo:
                    spans[-1] = (spans[-1][0], hi)
                else:
                    spans.append((lo, hi))
        return spans


def local_instant(zone: tzinfo, day: date, second: int) -> int:
    """The first instant at which ``zone``'s clock reads ``second`` past midnight of ``day``
    or later that day (so a time inside a spring-forward gap means the jump itself).

    Example: America/New_York, 2026-03-08, 02:30 (in the gap) -> 07:00Z, when the clock
    jumps to 03:00.
    """
    spans = wall_preimage(zone, wall_us(day, second), wall_us(day, 86_400))
    if not spans:
        raise CalendarError(f"{zone}: the wall clock never reads {day} after second {second}")
    return spans[0][0]


def wall_preimage(zone: tzinfo, w1: int, w2: int) -> list[tuple[int, int]]:
    """Instants at which ``zone``'s wall clock reads inside ``[w1, w2)`` (both wall µs).

    Boundary rule: a boundary inside a spring-forward gap takes effect at the first instant
    the clock reads past it; a repeated hour contributes once per showing.
    Example: America/New_York, wall 2026-11-01 01:30 .. 03:30 (fall back at 02:00 EDT) ->
    [05:30Z, 06:00Z) and [06:30Z, 08:30Z): 2 h 30 min of real time.
    """
    window = offset_segments(zone, w1 - 2 * DAY_US, w2 + 2 * DAY_US)
    return WallMap(window).preimage(w1, w2)
