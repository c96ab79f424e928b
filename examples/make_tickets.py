"""Generate examples/tickets.csv: a few hundred realistic tickets across the bundled policies.

Deterministic (fixed seed), so the shipped file can be regenerated and reviewed:
``python examples/make_tickets.py`` writes the 320 tickets of examples/tickets.csv;
``--rows N --out FILE`` writes N tickets elsewhere (a bigger export to try the report
on; the first rows differ from the shipped file's, as tickets are numbered in opening
order). It covers weekends, statutory holidays, the autumn DST week, after-hours P1s,
priority upgrades, late responses and open tickets. The outcomes are not decided here:
slacalc computes them from the policies.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROWS = 320
COLUMNS = ["ticket_id", "policy", "tier", "priority", "opened_at", "category", "channel",
           "responded_at", "resolved_at", "workaround_at", "priority_changed_at",
           "priority_changed_to"]
VENDORS = [
    # policy, zone, tiers, priorities (most urgent first), share of tickets
    ("vircom", "America/Toronto", ["standard"], ["P1", "P2", "P3"], 0.35),
    ("valimail", "America/Los_Angeles", ["basic", "enhanced", "valicare", "valicare_plus"],
     ["urgent", "high", "medium", "low"], 0.30),
    ("cloudmark", "America/Los_Angeles", ["premium"], ["P1", "P2", "P3", "P4"], 0.25),
    ("perfectmail", "UTC", ["standard"], ["standard"], 0.10),
]
CATEGORIES = ["usage", "usage", "configuration", "defect", "delivery"]
CHANNELS = ["email", "email", "portal", "phone"]
# Days that matter: the weekend the clocks go back, US Thanksgiving, Canadian Thanksgiving,
# a Quebec-only holiday week, and ordinary weeks.
FOCUS = [datetime(2026, 10, 30), datetime(2026, 11, 1), datetime(2026, 11, 25),
         datetime(2026, 10, 9), datetime(2026, 11, 20)]


def _opened(rng: random.Random, zone: ZoneInfo) -> datetime:
    if rng.random() < 0.4:
        day = rng.choice(FOCUS) + timedelta(days=rng.randint(-1, 2))
    else:
        day = datetime(2026, 10, 1) + timedelta(days=rng.randint(0, 58))
    if rng.random() < 0.25:  # after hours: evening or night
        minute = rng.choice([rng.randint(18 * 60, 24 * 60 - 1), rng.randint(0, 6 * 60)])
    else:
        minute = rng.randint(7 * 60, 18 * 60)
    return (day + timedelta(minutes=minute)).replace(tzinfo=zone)


def _later(moment: datetime, delta: timedelta) -> datetime:
    """``delta`` of real time after ``moment`` (aware + timedelta would be wall-clock time)."""
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="minutes")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make_tickets.py", description="Write a deterministic ticket export (one row "
        "per ticket) across the bundled vendor policies.",
        epilog="example: python examples/make_tickets.py --rows 100000 --out /tmp/big.csv")
    parser.add_argument("--rows", type=int, default=ROWS,
                        help=f"how many tickets (default {ROWS}, the shipped file)")
    parser.add_argument("--out", type=Path, default=HERE / "tickets.csv",
                        help="where to write them (default examples/tickets.csv)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error(f"--rows: expected a positive number, got {args.rows}")
    if not args.out.parent.is_dir():
        parser.error(f"--out: no folder {args.out.parent}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Write ``--rows`` tickets to ``--out`` (by default the shipped examples/tickets.csv)."""
    args = _arguments(argv)
    rng = random.Random(20261122)
    rows = []
    weights = [vendor[4] for vendor in VENDORS]
    for number in range(1, args.rows + 1):
        policy, zone_name, tiers, priorities, _ = rng.choices(VENDORS, weights)[0]
        zone = ZoneInfo(zone_name)
        opened = _opened(rng, zone)
        priority = rng.choices(priorities, [1, 3, 4, 2][: len(priorities)])[0]
        # Response delays in minutes: usually prompt, sometimes a day or more late.
        delay = rng.lognormvariate(4.2, 1.3)
        responded = _later(opened, timedelta(minutes=delay)) if rng.random() < 0.9 else None
        resolved = workaround = changed = None
        new_priority = ""
        if responded is not None and rng.random() < 0.7:
            resolved = _later(responded, timedelta(hours=rng.lognormvariate(3.0, 1.2)))
        if policy == "vircom" and priority in {"P1", "P2"} and rng.random() < 0.3:
            workaround = _later(opened, timedelta(hours=rng.uniform(1, 30)))
        if len(priorities) > 1 and priority != priorities[0] and rng.random() < 0.08:
            changed = _later(opened, timedelta(minutes=rng.randint(20, 600)))
            new_priority = priorities[0]  # an upgrade to the most urgent level
        rows.append({
            "ticket_id": f"T-{number:04d}", "policy": policy, "tier": rng.choice(tiers),
            "priority": priority, "opened_at": _stamp(opened),
            "category": rng.choice(CATEGORIES), "channel": rng.choice(CHANNELS),
            "responded_at": _stamp(responded), "resolved_at": _stamp(resolved),
            "workaround_at": _stamp(workaround), "priority_changed_at": _stamp(changed),
            "priority_changed_to": new_priority,
        })
    # An export lists tickets in the order they were opened, numbered in that order.
    rows.sort(key=lambda row: datetime.fromisoformat(row["opened_at"]))
    for number, row in enumerate(rows, start=1):
        row["ticket_id"] = f"T-{number:04d}"
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
