"""Generate an event log: examples/eventlog/tickets.csv and examples/eventlog/events.csv.

The event-log layout (docs/cli.md, "Event logs"): one row per ticket, and one row per
event (waiting on the customer and their reply, priority changes, responses, workarounds,
resolutions, reopenings, contact attempts and closings) across the bundled policies.
Deterministic for a given ``--seed``; instants are written as help desks export them:
with seconds, minutes only, ``Z`` or fractions. The outcomes are not decided here:
slacalc computes them. Run ``python examples/make_event_log.py --help``.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
VENDORS = [
    # policy, zone, tiers, priorities (most urgent first)
    ("vircom", "America/Toronto", ["standard"], ["P1", "P2", "P3"]),
    ("valimail", "America/Los_Angeles", ["basic", "enhanced", "valicare", "valicare_plus"],
     ["urgent", "high", "medium", "low"]),
    ("cloudmark", "America/Los_Angeles", ["premium"], ["P1", "P2", "P3", "P4"]),
    ("perfectmail", "UTC", ["standard"], ["standard"]),
]
CATEGORIES = ["usage", "usage", "configuration", "defect", "delivery"]


def _stamp(moment: datetime, rng: random.Random) -> str:
    """An instant as exports write it: seconds, minutes only, ``Z`` (UTC) or a fraction."""
    form = rng.randrange(4)
    if form == 1:
        return moment.isoformat(timespec="minutes")
    if form == 2:
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if form == 3:
        return moment.isoformat(timespec="milliseconds")
    return moment.isoformat(timespec="seconds")


def _later(moment: datetime, minutes: int) -> datetime:
    """``minutes`` of real time after ``moment`` (aware + timedelta is wall-clock time)."""
    return (moment.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(moment.tzinfo)


def generate(count: int, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """``count`` tickets and their events (events grouped by ticket, in time order)."""
    rng = random.Random(seed)
    tickets: list[list[str]] = []
    events: list[list[str]] = []
    for number in range(1, count + 1):
        policy, zone, tiers, priorities = rng.choice(VENDORS)
        local = ZoneInfo(zone)
        opened = (datetime(2026, 10, 1, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(60 * 24 * 58))).astimezone(local)
        priority = rng.choice(priorities)
        ticket_id = f"L-{number:05d}"
        tickets.append([ticket_id, policy, rng.choice(tiers), priority,
                        _stamp(opened, rng), rng.choice(CATEGORIES)])
        clock = [opened]  # the instant of the ticket's latest event

        def event(kind: str, minutes: int, ticket_id: str = ticket_id,
                  clock: list[datetime] = clock, **extra: str) -> None:
            clock[0] = _later(clock[0], minutes)
            events.append([ticket_id, _stamp(clock[0], rng), kind, extra.get("priority", ""),
                           extra.get("answered", ""), extra.get("confirmed", ""),
                           extra.get("note", "")])

        if rng.random() < 0.1 and len(priorities) > 1:
            event("priority_changed", rng.randint(1, 120), priority=priorities[0],
                  note="escalated by the customer")
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                event("awaiting_customer", rng.randint(5, 600))
                event("customer_replied", rng.randint(5, 900))
        if rng.random() < 0.9:
            event("responded", rng.randint(1, 300))
        if rng.random() < 0.1:
            event("workaround", rng.randint(30, 600))
        if rng.random() < 0.05:
            for _ in range(rng.randint(1, 3)):
                event("contact_attempt", rng.randint(60, 1440), answered="false")
            event("closed", rng.randint(60, 1440), note="no answer from the customer")
            continue
        if rng.random() < 0.7:
            event("resolved", rng.randint(30, 3000),
                  confirmed="true" if rng.random() < 0.9 else "false")
            if rng.random() < 0.05:
                event("reopened", rng.randint(30, 3000))
                event("resolved", rng.randint(30, 3000))
    return tickets, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300, help="tickets (default 300)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--out", type=Path, default=HERE / "eventlog",
                        help="folder for tickets.csv and events.csv (default examples/eventlog)")
    args = parser.parse_args()
    if args.rows < 0:
        parser.error("--rows: expected zero or more")
    tickets, events = generate(args.rows, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (
            ("tickets.csv", ["ticket_id", "policy", "tier", "priority", "opened_at",
                             "category"], tickets),
            ("events.csv", ["ticket_id", "at", "kind", "priority", "answered", "confirmed",
                            "note"], events)):
        with (args.out / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    print(f"wrote {len(tickets)} tickets and {len(events)} events to {args.out}")


if __name__ == "__main__":
    main()
