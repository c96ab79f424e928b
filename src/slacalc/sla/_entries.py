"""The tables a replay over arrays points into: each verdict's entry (the target in
force, or why there is none) and reason are indices into one `Tables`, shared by every
part of one call, so parts replayed apart can be joined."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..engine.timeline import Ints, RealTime, Timeline
from ._arrays import Bools
from .plan import Entry

__all__ = ["Tables", "Timing"]

_REAL_TIME = RealTime()  # real time is one clock, whichever entry's instance runs it


class Timing(NamedTuple):
    """What the clocks of the entries table run on, per entry item (`Tables.timing`)."""

    timelines: list[Timeline | RealTime]  # the distinct clocks, real time once
    number: Ints  # each item's clock in ``timelines`` (0 for an item without a deadline)
    length: Ints  # each item's business length in µs (0: relative, or no deadline)
    relative: Bools  # a relative target: `Entry.first_due` works its due out


class Tables:
    """The entries and reasons the verdicts' indices point into, shared by every part of
    one call (so parts replayed apart can be joined)."""

    def __init__(self) -> None:
        self.entries: list[Entry | None] = []
        self.missing: list[str] = []  # an entry-less item's reason for having no target
        self.reasons: list[str] = [""]
        self._entries: dict[tuple[int, str], int] = {}
        self._reasons: dict[str, int] = {"": 0}
        self._flags: tuple[Bools, Bools] | None = None  # `flags`, until an entry is added
        self._timing: Timing | None = None  # `timing`, until an entry is added

    def reason(self, text: str) -> int:
        """The index of ``text`` in the reasons table."""
        found = self._reasons.get(text)
        if found is None:
            found = self._reasons[text] = len(self.reasons)
            self.reasons.append(text)
        return found

    def item(self, entry: Entry | None, missing: str) -> int:
        """The index of ``entry`` (with the reason there is none) in the entries table."""
        key = (id(entry), "" if entry is not None else missing)
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = len(self.entries)
            self.entries.append(entry)
            self.missing.append(missing)
            self._flags = self._timing = None
        return found

    def flags(self) -> tuple[Bools, Bools]:
        """Per entry item: it has a deadline; a workaround stops it (made once per
        entries table)."""
        if self._flags is None:
            timed = [entry is not None and entry.timeline is not None
                     for entry in self.entries]
            workaround = [ok and entry is not None and entry.workaround
                          for ok, entry in zip(timed, self.entries, strict=True)]
            self._flags = np.array(timed, dtype=bool), np.array(workaround, dtype=bool)
        return self._flags

    def timing(self) -> Timing:
        """The clock each entry item runs on, its length and whether it is relative (made
        once per entries table), so that rows are grouped by clock, not by entry."""
        if self._timing is None:
            clocks: dict[int, int] = {}
            timelines: list[Timeline | RealTime] = []
            number, length, relative = [], [], []
            for entry in self.entries:
                timeline = entry.timeline if entry is not None else None
                if isinstance(timeline, RealTime):
                    timeline = _REAL_TIME
                if timeline is not None and id(timeline) not in clocks:
                    clocks[id(timeline)] = len(timelines)
                    timelines.append(timeline)
                number.append(clocks[id(timeline)] if timeline is not None else 0)
                length.append((entry.length or 0) if entry is not None else 0)
                relative.append(entry is not None and entry.relative is not None)
            self._timing = Timing(timelines, np.array(number, dtype=np.int64),
                                  np.array(length, dtype=np.int64),
                                  np.array(relative, dtype=bool))
        return self._timing
