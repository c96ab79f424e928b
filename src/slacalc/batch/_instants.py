"""Columns of ISO 8601 instants, parsed and written without a datetime per value.

A ticket export carries millions of instants such as ``2026-11-20T17:30:00-05:00``, and a
result row shows each instant in the offset it came with. `parse_instants` reads a whole
column at once (numpy over the characters) and `instant_texts` writes one back from
cached pieces (the day, the clock time, the offset). Both agree exactly with
``datetime.fromisoformat`` and ``datetime.isoformat``; property tests hold them together.

The parser takes the forms exports write: ``YYYY-MM-DD``, then ``T``, ``t`` or one space,
then ``HH:MM`` or ``HH:MM:SS`` (the seconds optionally with a fraction of 1 to 6 digits
after ``.`` or ``,``), then the offset ``Z``, ``±HH``, ``±HHMM``, ``±HH:MM``, ``±HHMMSS``
or ``±HH:MM:SS``. It marks anything else *bad*: naive texts, surrounding spaces, fractions
of 7 or more digits and the rarer forms ``fromisoformat`` also reads (basic dates and times,
hours alone, other separators). A bad text is not an error here: its row goes to the
checked path, which reads every form ``fromisoformat`` reads and names what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np
import numpy.typing as npt

from ..engine._zone import DAY_US, MAX_YEAR, MIN_YEAR, SECOND_US

__all__ = ["END_US", "FIRST_US", "WIDTH", "Instants", "TextTable", "instant_text",
           "instant_texts", "parse_bytes", "parse_instants", "text_array"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Texts = npt.NDArray[np.object_]


def text_array(values: Sequence[str]) -> Texts:
    """``values`` as a one-dimensional numpy object array (never a 2-D one, even when
    every text has the same length)."""
    found: Texts = np.empty(len(values), dtype=object)
    found[:] = list(values)
    return found

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
_DAY_SECONDS = 86_400
WIDTH = 36  # characters kept per cell: one more than the longest text taken (35)
_ZONE_LAST = 27  # the offset starts at or before this position (after six fraction digits)
_ZONE_LENGTHS = (3, 5, 6, 7, 9)  # ±HH, ±HHMM, ±HH:MM, ±HHMMSS, ±HH:MM:SS
_ZONE_LENGTH = np.isin(np.arange(WIDTH + 1), _ZONE_LENGTHS)  # whether an offset may be so long
_DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15]
_FRACTION_WEIGHTS = np.array([100_000, 10_000, 1_000, 100, 10, 1], dtype=np.int64)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Instants:
    """A parsed column: per row the instant and its offset (µs), and what the text was."""

    us: Ints  # µs since the epoch (0 where not present)
    offset: Ints  # the UTC offset written, in µs
    present: Bools  # the cell holds text
    bad: Bools  # text this parser does not take (the row goes to the checked path)
    canonical: Bools  # the text is exactly what ``isoformat`` writes for it

    def taken(self, rows: Ints) -> Instants:
        """The instants of ``rows`` (indices, in that order), as parsing their cells alone
        gives them.

        Example: the column ``["2026-11-20T17:30:00-05:00", ""]``, rows ``[1, 0]`` -> the
        column ``["", "2026-11-20T17:30:00-05:00"]``, parsed.
        """
        return Instants(self.us[rows], self.offset[rows], self.present[rows], self.bad[rows],
                        self.canonical[rows])


def parse_instants(cells: Sequence[str]) -> Instants:
    """Parse a column of export cells (empty cells are absent instants).

    Boundary rule: a text is taken only in the forms above (``YYYY-MM-DD[Tt ]HH:MM[:SS[(.|,)f]]``
    with 1 to 6 fraction digits, then ``Z``, ``±HH``, ``±HHMM``, ``±HH:MM``, ``±HHMMSS`` or
    ``±HH:MM:SS``), with real calendar fields, an offset under 24 hours and a UTC year in
    2..9998; every other non-empty text is ``bad``. A taken text has the instant and offset
    ``fromisoformat`` gives it, and ``canonical`` says it equals ``isoformat`` of that.
    Example: ``["2026-11-20T17:30:00-05:00", "", "2026-10-01T05:21-07:00",
    "2026-10-01T05:21"]`` -> ``us[0] == 1_795_213_800_000_000``, ``offset[0] ==
    -18_000_000_000``, ``us[2] == 1_790_857_260_000_000`` (12:21 UTC), ``present ==
    [True, False, True, True]``, ``bad == [False, False, False, True]`` (no offset),
    ``canonical == [True, False, False, False]``.
    """
    return _parsed(*_codes(cells))


def parse_bytes(cells: npt.NDArray[np.uint8], length: Ints) -> Instants:
    """`parse_instants` of cells given as bytes: one row of `WIDTH` bytes per cell (its
    UTF-8, zero after its end; a longer cell cut there) and each cell's length in bytes
    (`WIDTH` when longer).

    Boundary rule: the instants `parse_instants` gives the same cells as text; a cell
    with a byte outside ASCII is bad. Example: the row ``b"2026-11-20T17:30:00-05:00"``
    (zero-padded), length 25 -> ``us[0] == 1_795_213_800_000_000``.
    """
    codes = np.ascontiguousarray(cells.T)  # (a position's bytes side by side: fast to reduce)
    plain: Bools = codes.max(axis=0, initial=0) < 128
    return _parsed(codes, length, plain)


def _parsed(codes: npt.NDArray[np.uint8], length: Ints, plain: Bools) -> Instants:
    """`parse_instants` of the cells' codes (one row per position), lengths and which
    cells are plain ASCII text (`_codes`)."""
    count = len(length)
    digit = codes[:_ZONE_LAST] - np.uint8(48)  # a digit's value; 10 or more if no digit
    is_digit = digit < 10

    def number(*positions: int) -> Ints:
        value: Ints = digit[positions[0]].astype(np.int64)
        for position in positions[1:]:
            value = value * 10 + digit[position]
        return value

    seconds = codes[16] == 58  # ":"
    point = codes[19]
    fraction = seconds & ((point == 46) | (point == 44))  # "." or ","
    places = np.zeros(count, dtype=np.int64)  # fraction digits (0 to 6)
    micro = np.zeros(count, dtype=np.int64)
    some = np.flatnonzero(fraction)  # (read for those cells only: most have none)
    if len(some):
        run = np.logical_and.accumulate(is_digit[20:26, some], axis=0)
        places[some] = run.sum(axis=0, dtype=np.int64)
        micro[some] = _FRACTION_WEIGHTS @ np.where(run, digit[20:26, some], 0)
    zone_at = np.where(fraction, 20 + places, np.where(seconds, 19, 16))
    shape = (is_digit[_DATE_DIGITS, :].all(axis=0) & (codes[4] == 45) & (codes[7] == 45)
             & (codes[13] == 58) & ((codes[10] == 84) | (codes[10] == 116) | (codes[10] == 32))
             & (~seconds | (is_digit[17] & is_digit[18])) & (~fraction | (places > 0)) & plain)

    # The offset starts at ``zone_at``; its form follows from how many characters are left.
    flat = codes.reshape(-1)
    base = zone_at * count + np.arange(count)

    def zone(step: Ints | int) -> npt.NDArray[np.uint8]:
        code: npt.NDArray[np.uint8] = flat[base + step * count]
        return code

    rest = length - zone_at
    sign = zone(0)
    zulu = (rest == 1) & (sign == 90)  # "Z"
    colon = (rest == 6) | (rest == 9)
    minutes_at = 3 + colon.astype(np.int64)
    seconds_at = 5 + 2 * colon.astype(np.int64)
    zone_digits = [zone(1), zone(2), zone(minutes_at), zone(minutes_at + 1), zone(seconds_at),
                   zone(seconds_at + 1)]
    zone_values = [(code - np.uint8(48)).astype(np.int64) for code in zone_digits]
    with_minutes, with_seconds = rest >= 5, rest >= 7
    zone_ok = zulu | (((sign == 43) | (sign == 45)) & _ZONE_LENGTH[np.clip(rest, 0, WIDTH)]
                      & (zone_values[0] < 10) & (zone_values[1] < 10)
                      & (~with_minutes | ((zone_values[2] < 10) & (zone_values[3] < 10)))
                      & (~with_seconds | ((zone_values[4] < 10) & (zone_values[5] < 10)))
                      & (~colon | (zone(3) == 58)) & ((rest != 9) | (zone(6) == 58)))
    off_hours = np.where(zulu, 0, zone_values[0] * 10 + zone_values[1])
    off_minutes = np.where(with_minutes, zone_values[2] * 10 + zone_values[3], 0)
    off_seconds = np.where(with_seconds, zone_values[4] * 10 + zone_values[5], 0)

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute = number(11, 12), number(14, 15)
    second = np.where(seconds, number(17, 18), 0)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    fields = ((month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days) & (hour <= 23)
              & (minute <= 59) & (second <= 59) & (off_hours <= 23) & (off_minutes <= 59)
              & (off_seconds <= 59))
    offset = (np.where(sign == 45, -1, 1) * (off_hours * 3600 + off_minutes * 60 + off_seconds)
              * SECOND_US)
    wall = (_days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60
            + second) * SECOND_US + micro
    us = wall - offset
    present = length > 0
    good = present & shape & zone_ok & fields & (us >= FIRST_US) & (us < END_US)
    # ``isoformat`` writes "T", the seconds, six fraction digits after "." only when they
    # are not all zero, and the offset as ±HH:MM (±HH:MM:SS with seconds), never "-00:00".
    canonical = (good & (codes[10] == 84) & seconds & ~zulu
                 & (~fraction | ((places == 6) & (point == 46) & (micro != 0)))
                 & (rest == np.where(off_seconds == 0, 6, 9)) & ~((sign == 45) & (offset == 0)))
    return Instants(np.where(good, us, 0), np.where(good, offset, 0), present,
                    present & ~good, canonical)


def _codes(cells: Sequence[str]) -> tuple[npt.NDArray[np.uint8], Ints, Bools]:
    """The cells' first `WIDTH` characters as bytes, one row per position (zero-padded),
    the cells' lengths (`WIDTH` when longer) and which cells are plain ASCII text.

    Every text the parser takes is ASCII; a column with other characters is read as
    code points, its non-ASCII cells marked. numpy drops trailing NULs, so cells with a NUL
    are marked too (``fromisoformat`` reads one trailing NUL but not two), and their
    lengths are taken from the texts.
    """
    count = len(cells)
    plain = np.ones(count, dtype=bool)
    try:
        raw = np.array(cells, dtype=f"S{WIDTH}")
        codes = raw.view(np.uint8).reshape(count, WIDTH)
    except UnicodeEncodeError:
        raw = np.array(cells, dtype=f"<U{WIDTH}")
        wide = raw.view(np.uint32).reshape(count, WIDTH)
        plain = wide.max(axis=1) < 128
        codes = wide.astype(np.uint8)  # wrapped bytes, only in rows marked not plain
    length = np.strings.str_len(raw).astype(np.int64)
    if "\x00" in "".join(cells):  # (its trailing NULs are not in ``raw``'s lengths)
        plain &= np.array(["\x00" not in cell for cell in cells], dtype=bool)
        length = np.minimum(np.fromiter(map(len, cells), dtype=np.int64, count=count), WIDTH)
    return np.ascontiguousarray(codes.T), length, plain


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
    """The time of day with the ``T`` before it: ``T08:00:00``."""
    hours, rest = divmod(seconds, 3600)
    text = _CLOCKS[seconds] = f"T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return text


def _suffix(offset: int) -> str:
    if len(_SUFFIXES) >= _CACHE_LIMIT:
        _SUFFIXES.clear()
    sample = datetime(2000, 1, 1, tzinfo=timezone(timedelta(microseconds=offset)))
    text = _SUFFIXES[offset] = sample.isoformat()[19:]
    return text


class TextTable:
    """The texts of the integers ``0 .. size - 1``, each made once (``make``) when first
    met, then looked up for a whole array at once (memory: at most ``size`` texts).

    Example: ``TextTable(10, str).of(np.array([3, 3, 7]))`` -> ``["3", "3", "7"]``.
    """

    def __init__(self, size: int, make: Callable[[int], str]) -> None:
        self._texts: Texts = np.empty(size, dtype=object)
        self._known: Bools = np.zeros(size, dtype=bool)
        self._make = make

    def of(self, values: Ints) -> Texts:
        """The text of each value (every value in ``0 .. size - 1``)."""
        new = values[~self._known[values]]
        if len(new):
            fresh = np.unique(new)
            self._texts[fresh] = text_array([self._make(value) for value in fresh.tolist()])
            self._known[fresh] = True
        found: Texts = self._texts[values]
        return found


_CLOCK_TEXTS = TextTable(_DAY_SECONDS, _clock)
_SUFFIX_TEXTS = TextTable(2 * _DAY_SECONDS, lambda shifted: _suffix(
    (shifted - _DAY_SECONDS) * SECOND_US))  # whole-second offsets under a day, shifted


def instant_text(us: int, offset: int) -> str:
    """``datetime.isoformat()`` of the instant ``us`` seen at UTC offset ``offset`` (µs).

    Boundary rule: microseconds are shown only when not zero, as ``isoformat`` does.
    Example: ``instant_text(1_795_213_800_000_000, -18_000_000_000)`` ->
    ``"2026-11-20T17:30:00-05:00"``.
    """
    days, rest = divmod(us + offset, DAY_US)
    seconds, micro = divmod(rest, SECOND_US)
    text = (f"{_DAYS.get(days) or _day(days)}{_CLOCKS.get(seconds) or _clock(seconds)}"
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
    text = _pieces(days, _DAYS, _day) + _CLOCK_TEXTS.of(seconds)
    if micro.any():
        fractions = np.full(len(us), "", dtype=object)
        for index in np.flatnonzero(micro).tolist():
            fractions[index] = f".{int(micro[index]):06d}"
        text = text + fractions
    if np.any(offset % SECOND_US) or np.abs(offset).max() >= DAY_US:
        texts: Texts = text + _pieces(offset, _SUFFIXES, _suffix)
        return texts
    found: Texts = text + _SUFFIX_TEXTS.of(offset // SECOND_US + _DAY_SECONDS)
    return found
