"""Columns of ISO 8601 instants, parsed and written without a datetime per value.

A ticket export carries millions of instants such as ``2026-11-20T17:30:00-05:00``, and a
result row shows each instant in the offset it came with. `parse_instants` reads a whole
column at once (numpy over the characters) and `instant_texts` writes one back from
cached pieces (the day, the clock time, the offset). Both agree exactly with
``datetime.fromisoformat`` and ``datetime.isoformat``; property tests hold them together.

The parser takes the forms exports write, ``YYYY-MM-DD[T ]HH:MM:SS[.ffffff](±HH:MM|Z)``,
and marks anything else *bad*; a bad text is not an error here: its row goes to the
checked path, which reads every form ``fromisoformat`` reads and names what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np
import numpy.typing as npt

from ..engine._zone import DAY_US, MAX_YEAR, MIN_YEAR, SECOND_US

__all__ = ["END_US", "FIRST_US", "Instants", "instant_text", "instant_texts", "parse_instants"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Texts = npt.NDArray[np.object_]

_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()
FIRST_US = (datetime(MIN_YEAR, 1, 1) - _EPOCH) // timedelta(microseconds=1)
"""The first instant a timeline compiles (UTC year 2)."""
END_US = (datetime(MAX_YEAR + 1, 1, 1) - _EPOCH) // timedelta(microseconds=1)
"""The end of the last UTC year a timeline compiles (9998)."""
_CACHE_LIMIT = 50_000  # entries per cache, so memory stays flat on any input
_DAYS: dict[int, str] = {}
_CLOCKS: dict[int, str] = {}
_SUFFIXES: dict[int, str] = {}
_DATE_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Instants:
    """A parsed column: per row the instant and its offset (µs), and what the text was."""

    us: Ints  # µs since the epoch (0 where not present)
    offset: Ints  # the UTC offset written, in µs
    present: Bools  # the cell holds text
    bad: Bools  # text this parser does not take (the row goes to the checked path)
    canonical: Bools  # the text is exactly what ``isoformat`` writes for it
    texts: Texts  # the cells as given


def parse_instants(cells: Sequence[str]) -> Instants:
    """Parse a column of export cells (empty cells are absent instants).

    Boundary rule: a text is taken only in the forms above, with real calendar fields,
    an offset under 24 hours and a UTC year in 2..9998; every other non-empty text is
    ``bad``. Example: ``["2026-11-20T17:30:00-05:00", ""]`` -> ``us[0] ==
    1_795_213_800_000_000``, ``offset[0] == -18_000_000_000``, ``present == [True, False]``.
    """
    count = len(cells)
    raw = np.array(cells, dtype=np.str_) if count else np.zeros(0, dtype="<U1")
    length = np.strings.str_len(raw).astype(np.int64)
    width = raw.dtype.itemsize // 4
    chars = np.zeros((count, 32), dtype=np.int64)  # code points, zero-padded to 32
    used = min(width, 32)
    chars[:, :used] = raw.view(np.uint32).reshape(count, width)[:, :used]
    rows = np.arange(count)

    def at(position: Ints | int) -> Ints:
        return chars[rows, position] if isinstance(position, np.ndarray) else chars[:, position]

    def number(*positions: Ints | int) -> Ints:
        value = np.zeros(count, dtype=np.int64)
        for position in positions:
            value = value * 10 + at(position) - 48
        return value

    digits = np.ones(count, dtype=bool)
    for position in _DATE_DIGITS:
        digits &= (at(position) >= 48) & (at(position) <= 57)
    fraction = at(19) == 46  # "."
    for position in range(20, 26):
        digits &= ~fraction | ((at(position) >= 48) & (at(position) <= 57))
    zone_at = np.where(fraction, 26, 19)
    zulu = at(zone_at) == 90  # "Z"
    sign = at(zone_at)
    for step in (1, 2, 4, 5):
        digits &= zulu | ((at(zone_at + step) >= 48) & (at(zone_at + step) <= 57))
    shape = ((at(4) == 45) & (at(7) == 45) & (at(13) == 58) & (at(16) == 58)
             & ((at(10) == 84) | (at(10) == 32))
             & (zulu | (((sign == 43) | (sign == 45)) & (at(zone_at + 3) == 58)))
             & (length == zone_at + np.where(zulu, 1, 6)))
    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    micro = np.where(fraction, number(20, 21, 22, 23, 24, 25), 0)
    off_hours = np.where(zulu, 0, number(zone_at + 1, zone_at + 2))
    off_minutes = np.where(zulu, 0, number(zone_at + 4, zone_at + 5))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    fields = ((month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days) & (hour <= 23)
              & (minute <= 59) & (second <= 59) & (off_hours <= 23) & (off_minutes <= 59))
    offset = np.where(sign == 45, -1, 1) * (off_hours * 3600 + off_minutes * 60) * SECOND_US
    wall = (_days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60
            + second) * SECOND_US + micro
    us = wall - offset
    present = length > 0
    good = present & digits & shape & fields & (us >= FIRST_US) & (us < END_US)
    canonical = good & (at(10) == 84) & ~zulu & ~(fraction & (micro == 0)) \
        & ~((sign == 45) & (offset == 0))
    return Instants(np.where(good, us, 0), np.where(good, offset, 0), present,
                    present & ~good, canonical, np.array(cells, dtype=object))


def _days_from_civil(year: Ints, month: Ints, day: Ints) -> Ints:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days: Ints = era * 146_097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year
    return days - 719_468


def _day(days: int) -> str:
    if len(_DAYS) >= _CACHE_LIMIT:
        _DAYS.clear()
    text = _DAYS[days] = date.fromordinal(days + _EPOCH_ORDINAL).isoformat()
    return text


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    text = _CLOCKS[seconds] = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return text


def _suffix(offset: int) -> str:
    if len(_SUFFIXES) >= _CACHE_LIMIT:
        _SUFFIXES.clear()
    sample = datetime(2000, 1, 1, tzinfo=timezone(timedelta(microseconds=offset)))
    text = _SUFFIXES[offset] = sample.isoformat()[19:]
    return text


def instant_text(us: int, offset: int) -> str:
    """``datetime.isoformat()`` of the instant ``us`` seen at UTC offset ``offset`` (µs).

    Boundary rule: microseconds are shown only when not zero, as ``isoformat`` does.
    Example: ``instant_text(1_795_213_800_000_000, -18_000_000_000)`` ->
    ``"2026-11-20T17:30:00-05:00"``.
    """
    days, rest = divmod(us + offset, DAY_US)
    seconds, micro = divmod(rest, SECOND_US)
    text = (f"{_DAYS.get(days) or _day(days)}T{_CLOCKS.get(seconds) or _clock(seconds)}"
            f"{f'.{micro:06d}' if micro else ''}")
    return text + (_SUFFIXES.get(offset) or _suffix(offset))


def _pieces(values: Ints, cache: dict[int, str], make: Callable[[int], str]) -> Texts:
    """The cached text of each value, looked up once per distinct value."""
    distinct, where = np.unique(values, return_inverse=True)
    texts = [cache.get(value) or make(value) for value in distinct.tolist()]
    return np.array(texts, dtype=object)[where]


def instant_texts(us: Ints, offset: Ints) -> Texts:
    """`instant_text` of every (instant, offset) pair, as an object array of str.

    Boundary rule: the same text as `instant_text`, element by element. Example: the
    arrays ``[1_795_213_800_000_000]`` and ``[-18_000_000_000]`` ->
    ``["2026-11-20T17:30:00-05:00"]``.
    """
    if not len(us):
        return np.zeros(0, dtype=object)
    local = us + offset
    days = local // DAY_US
    seconds, micro = np.divmod(local - days * DAY_US, SECOND_US)
    text = _pieces(days, _DAYS, _day) + "T" + _pieces(seconds, _CLOCKS, _clock)
    if micro.any():
        fractions = np.full(len(us), "", dtype=object)
        for index in np.flatnonzero(micro).tolist():
            fractions[index] = f".{int(micro[index]):06d}"
        text = text + fractions
    texts: Texts = text + _pieces(offset, _SUFFIXES, _suffix)
    return texts
