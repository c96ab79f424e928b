"""DST facts derived from the zone itself (never typed in), for the golden tables.

Independent of slacalc: it scans zoneinfo's UTC offsets hour by hour and bisects to the
second, which is all a test needs to name "the local date clocks go forward in 2026".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def transitions(zone_name: str, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """``(instant in UTC, offset before, offset after)`` for each change in ``year``."""
    zone = ZoneInfo(zone_name)
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    stop = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    while moment < stop:
        before, after = _offset(zone, moment), _offset(zone, moment + step)
        if before != after:
            lo, hi = moment, moment + step
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if _offset(zone, mid) == before:
                    lo = mid
                else:
                    hi = mid
            found.append((hi, before, after))
        moment += step
    return found


def spring_forward(zone_name: str, year: int) -> tuple[date, datetime]:
    """The local date clocks go forward, and the instant (UTC) they do."""
    for instant, before, after in transitions(zone_name, year):
        if after > before:
            return instant.astimezone(ZoneInfo(zone_name)).date(), instant
    raise AssertionError(f"{zone_name} has no spring-forward in {year}")


def fall_back(zone_name: str, year: int) -> tuple[date, datetime]:
    """The local date clocks go back, and the instant (UTC) they do."""
    for instant, before, after in transitions(zone_name, year):
        if after < before:
            return instant.astimezone(ZoneInfo(zone_name)).date(), instant
    raise AssertionError(f"{zone_name} has no fall-back in {year}")
