"""Deadlines of a ticket at its opening, as `Policy.deadlines` returns them.

`Deadlines` is a plain ``dict`` (metric name -> due instant, None for "no deadline") that
also knows where it comes from (policy, tier, priority, opening, the targets as written),
so it prints as a small table in a terminal and renders as an HTML table in Jupyter. It
compares equal to a plain dict with the same items, whatever its context.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..render._display import html_table, shown, text_table

__all__ = ["Deadlines"]

_NO_DEADLINE = "no deadline"


class Deadlines(dict[str, datetime | None]):
    """Due instants by metric (None: the target is ``none``), with their context.

    Boundary rule: equality, hashing (none) and ``repr`` are the ``dict``'s: the context
    (policy, tier, priority, opening, targets) never takes part in a comparison. Example:
    ``Deadlines({"response": due}, policy="vircom", tier="standard", priority="P2",
    opened_at=opened) == {"response": due}`` is True, and ``str()`` of it is the table::

        vircom, tier standard, priority P2, opened Fri 2026-11-20 17:30 EST
        metric    target           due
        --------  ---------------  -------------------------
        response  1 business hour  Mon 2026-11-23 08:00 EST
    """

    def __init__(
        self,
        due: Mapping[str, datetime | None] | None = None,
        /,
        *,
        policy: str = "",
        tier: str = "",
        priority: str = "",
        opened_at: datetime | None = None,
        targets: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(due or {})
        self.policy = policy
        self.tier = tier
        self.priority = priority
        self.opened_at = opened_at
        self.targets: dict[str, str] = dict(targets or {})

    @classmethod
    def _made(cls, due: dict[str, datetime | None], *, policy: str, tier: str, priority: str,
              opened_at: datetime, targets: dict[str, str]) -> Deadlines:
        """`Policy.deadlines`'s own constructor: the same object as ``Deadlines(due,
        policy=..., ...)``, without ``__init__``'s defaults and copies (``targets`` is
        kept, not copied: the caller hands over a dict of its own)."""
        made = cls.__new__(cls)
        made.update(due)
        made.policy = policy
        made.tier = tier
        made.priority = priority
        made.opened_at = opened_at
        made.targets = targets
        return made

    def caption(self) -> str:
        """The context line: ``vircom, tier standard, priority P2, opened <instant>``
        (parts not known are left out)."""
        parts = [self.policy] if self.policy else []
        parts += [f"tier {self.tier}"] if self.tier else []
        parts += [f"priority {self.priority}"] if self.priority else []
        parts += [f"opened {shown(self.opened_at)}"] if self.opened_at else []
        return ", ".join(parts) or "Deadlines"

    def _rows(self) -> list[list[str]]:
        return [[metric, self.targets.get(metric, ""),
                 shown(due) if due is not None else _NO_DEADLINE]
                for metric, due in self.items()]

    def __str__(self) -> str:
        """The caption, then one line per metric (target as written, due instant in the
        opening's offset); ``(no targets)`` when empty."""
        rows = self._rows()
        if not rows:
            return f"{self.caption()}\n(no targets)"
        return f"{self.caption()}\n" + text_table([["metric", "target", "due"], *rows])

    def _repr_html_(self) -> str:
        """The same table as HTML, every text escaped (Jupyter calls this)."""
        return html_table(self.caption(), ["metric", "target", "due"], self._rows())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's terminal display: the text table."""
        printer.text("Deadlines(...)" if cycle else str(self))
