"""iCalendar feeds read from files: the policy layer's side of `BusinessCalendar.from_ics`.

The engine does no I/O, so it takes a feed's text; this module reads a feed's file under
the rules a policy file is read by (`slacalc.policy._reading.read_policy_bytes`): a
regular file only (no device, FIFO or directory), at most 1 MiB, UTF-8. Given ``within``,
the path is confined as ``extends`` is: relative to that folder, and in it or below once
symlinks are resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..engine import BusinessCalendar
from ..errors import PolicyError
from ._reading import read_policy_bytes

__all__ = ["inline_feeds", "load_ics_calendar", "read_ics"]

_WORDING = (("cannot read policy file", "cannot read iCalendar file"),
            ("a policy is read from", "a feed is read from"),
            ("policies are limited to", "feeds are limited to"))


def _confined(path: Path, within: str | Path) -> Path:
    rule = "an iCalendar file is named relative to its folder, and stays in it or below"
    if path.is_absolute():
        raise PolicyError(f"{path}: an absolute path; {rule}", path=str(path))
    try:
        folder = Path(within).resolve()
        target = (folder / path).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL, a name too long
        raise PolicyError(f"{path}: cannot be resolved (a symlink loop or an invalid path); "
                          f"{rule}", path=str(path)) from None
    if not target.is_relative_to(folder):
        raise PolicyError(f"{path}: leads outside {within}; {rule}", path=str(path))
    return target


def read_ics(path: str | Path, *, within: str | Path | None = None) -> str:
    """The text of the iCalendar file ``path``, read safely.

    Boundary rule: a regular file of at most 1 MiB (exactly 1 MiB reads, one byte more
    is refused), decoded as UTF-8; with ``within``, ``path`` is relative to that folder
    and must stay in it once symlinks are resolved (``../x.ics`` is refused). Every
    problem is a `PolicyError` naming the path. Example: ``read_ics("holidays.ics",
    within="policies")`` reads ``policies/holidays.ics``; ``read_ics("/dev/zero")`` raises.
    """
    file = Path(path)
    shown = str(file)
    if within is not None:
        file = _confined(file, within)
    try:
        raw = read_policy_bytes(file, shown)
    except PolicyError as error:
        message = str(error)
        for policy, feed in _WORDING:
            message = message.replace(policy, feed)
        raise PolicyError(message, path=shown) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PolicyError(f"{shown}: not UTF-8 text ({error.reason})", path=shown) from None


def load_ics_calendar(path: str | Path, calendar: Mapping[str, Any] | None = None, *,
                      within: str | Path | None = None,
                      name: str | None = None) -> BusinessCalendar:
    """`BusinessCalendar.from_ics` of the feed in file ``path`` (read by `read_ics`).

    Boundary rule: the file is read as `read_ics` reads it; ``calendar`` gives the zone
    and hours the feed's events close (default: open 24x7 in the feed's X-WR-TIMEZONE).
    Example: ``load_ics_calendar("tests/fixtures/ics/ca-holidays.ics", {"timezone":
    "America/Toronto", "hours": {"mon-fri": "09:00-17:00"}})``.
    """
    return BusinessCalendar.from_ics(read_ics(path, within=within), calendar, name=name)


def inline_feeds(data: Mapping[str, Any], folder: Path) -> list[tuple[str, int, str]]:
    """Read the feed files a policy's calendars name under ``ics`` (paths relative to
    ``folder``, confined to it), replacing each path by the feed's text in place; a feed
    already written as text (it starts ``BEGIN:VCALENDAR``) is kept. Returns ``(calendar,
    index, problem)`` for each path that cannot be read, for the loader to locate.

    Boundary rule: the files are read as `read_ics` reads them, ``within=folder``.
    Example: ``calendars: {office: {..., ics: [closures.ics]}}`` beside ``closures.ics``
    -> ``ics`` holds that file's text.
    """
    problems: list[tuple[str, int, str]] = []
    calendars = data.get("calendars")
    if not isinstance(calendars, dict):
        return problems
    for name, calendar in calendars.items():
        feeds = calendar.get("ics") if isinstance(calendar, dict) else None
        if not isinstance(feeds, list):
            continue
        for index, feed in enumerate(feeds):
            if not isinstance(feed, str) or feed.lstrip().startswith("BEGIN:VCALENDAR"):
                continue
            try:
                feeds[index] = read_ics(feed, within=folder)
            except PolicyError as error:
                problems.append((str(name), index, str(error)))
    return problems
