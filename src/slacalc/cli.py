"""The ``slacalc`` command line.

For now one command, ``slacalc demo``: it prints business-time deadlines for a few telling
instants (a Friday evening, a weekend, a holiday, a DST week) on two real vendor calendars,
so a fresh install shows at once what the engine does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import __version__
from .calendar import BusinessCalendar
from .errors import SlacalcError

__all__ = ["main"]

_DEMO_CALENDARS: dict[str, dict[str, Any]] = {
    "Vircom, Mon-Fri 07:30-18:00 America/Toronto, Quebec holidays": {
        "timezone": "America/Toronto",
        "hours": {"mon-fri": "07:30-18:00"},
        "holidays": {"country": "CA", "subdiv": "QC"},
    },
    "Valimail Enhanced, Mon-Fri 06:00-18:00 America/Los_Angeles, US holidays": {
        "timezone": "America/Los_Angeles",
        "hours": {"mon-fri": "06:00-18:00"},
        "holidays": {"country": "US"},
    },
}
_DEMO_OPENED = (
    ("Fri 17:30, half an hour before closing", datetime(2026, 11, 20, 17, 30)),
    ("Sat 10:00, weekend", datetime(2026, 11, 21, 10, 0)),
    ("Wed 16:00, the day before a holiday", datetime(2026, 12, 23, 16, 0)),
    ("Fri 17:00 before the spring DST change", datetime(2026, 3, 6, 17, 0)),
)
_DEMO_TARGETS = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24))


def _demo() -> int:
    for title, mapping in _DEMO_CALENDARS.items():
        calendar = BusinessCalendar.from_dict(mapping)
        zone = ZoneInfo(mapping["timezone"])
        print(title)
        header = "  ".join(f"+{int(t.total_seconds() // 3600)} business h".ljust(25)
                           for t in _DEMO_TARGETS)
        print(f"  {'opened':<42}{header}")
        for label, wall in _DEMO_OPENED:
            opened = wall.replace(tzinfo=zone)
            cells = "  ".join(
                calendar.add(opened, target).strftime("%a %Y-%m-%d %H:%M %Z").ljust(25)
                for target in _DEMO_TARGETS
            )
            print(f"  {label:<42}{cells}")
        print()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slacalc",
        description="Exact support-SLA deadlines from declarative vendor policies.",
        epilog="example: slacalc demo",
    )
    parser.add_argument("--version", action="version", version=f"slacalc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "demo",
        help="print business-time deadlines on two vendor calendars",
        description="Print deadlines for a few telling instants (weekend, holiday, DST week).",
        epilog="example: slacalc demo",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 usage, 1 user error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return _demo()
    except SlacalcError as error:
        print(f"slacalc: {error}", file=sys.stderr)
        return 1
    parser.print_help()
    return 2
