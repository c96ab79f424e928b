"""The tables a replay over arrays points into: each verdict's entry (the target in
force, or why there is none) and reason are indices into one `Tables`, shared by every
part of one call, so parts replayed apart can be joined."""

from __future__ import annotations

import numpy as np

from ._arrays import Bools
from .plan import Entry

__all__ = ["Tables"]


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
            self._flags = None
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
