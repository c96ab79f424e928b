"""The kernel's per-call costs, as ratios measured in one run (docs/performance.md).

* ``Policy.deadlines`` against one ``BusinessCalendar.add`` (target: <= 3x);
* ``Policy.evaluate`` of a 6-event ticket (pause, reply, priority change, response,
  resolution, reopen), in µs (target: <= 30 µs);
* ``slacalc report`` (`run_report`, CSV out, one process) on a realistic JSONL export
  (half the tickets paused 1-3 times, 10% priority changes, 5% reopens, stamps in mixed
  forms), in CPU seconds, against reading the same file line by line with ``json.loads``
  (target: <= 4x); both read the file from disk, neither counts interpreter start-up.

Run: ``python benchmarks/bench_kernel.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import platform
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import slacalc
from _sections import write_section  # benchmarks/_sections.py (run from here)
from slacalc.batch._run import run_report

TORONTO = ZoneInfo("America/Toronto")


def best(function: object, repeat: int = 5, number: int = 2000) -> float:
    """Best per-call seconds of ``function()`` over ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()  # type: ignore[operator]
        times.append((time.perf_counter() - start) / number)
    return min(times)


def stamp(moment: datetime, rng: random.Random) -> str:
    """An instant as exports write it: seconds, minutes only, Z, or a fraction."""
    form = rng.randrange(4)
    if form == 0:
        return moment.isoformat()
    if form == 1:
        return moment.strftime("%Y-%m-%dT%H:%M") + moment.strftime("%z")[:3] + ":" + \
            moment.strftime("%z")[3:]
    if form == 2:
        return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat(timespec="milliseconds")


def export(count: int, seed: int = 1) -> list[str]:
    """``count`` JSONL tickets on the bundled vircom policy (pause rule: void) and
    cloudmark (see policies/), with pauses, priority changes and reopens."""
    rng = random.Random(seed)
    lines = []
    for number in range(count):
        opened = datetime(2026, 10, 1, tzinfo=TORONTO) + timedelta(
            minutes=rng.randrange(60 * 24 * 60))
        events: list[dict[str, object]] = []
        at = opened
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                at += timedelta(minutes=rng.randint(5, 600))
                events.append({"kind": "awaiting_customer", "at": stamp(at, rng)})
                at += timedelta(minutes=rng.randint(5, 900))
                events.append({"kind": "customer_replied", "at": stamp(at, rng)})
        if rng.random() < 0.1:
            at += timedelta(minutes=rng.randint(1, 120))
            events.append({"kind": "priority_changed", "at": stamp(at, rng), "priority": "P1"})
        at += timedelta(minutes=rng.randint(1, 300))
        events.append({"kind": "responded", "at": stamp(at, rng)})
        at += timedelta(minutes=rng.randint(30, 3000))
        events.append({"kind": "resolved", "at": stamp(at, rng)})
        if rng.random() < 0.05:
            at += timedelta(minutes=rng.randint(30, 3000))
            events.append({"kind": "reopened", "at": stamp(at, rng)})
        policy = "cloudmark" if number % 2 else "vircom"
        tier = "premium" if policy == "cloudmark" else "standard"
        lines.append(json.dumps({"id": f"T{number}", "policy": policy, "tier": tier,
                                 "priority": rng.choice(["P2", "P3"]),
                                 "opened_at": stamp(opened, rng), "events": events}))
    return lines


def main() -> None:
    vircom = slacalc.bundled_policy("vircom")
    calendar = vircom.calendar("business")
    friday = datetime(2026, 11, 20, 17, 30, tzinfo=TORONTO)
    hour = timedelta(hours=1)
    add = best(lambda: calendar.add(friday, hour), number=20000)
    due = best(lambda: vircom.deadlines("standard", "P2", friday), number=20000)
    ticket = slacalc.Ticket.model_validate({
        "tier": "standard", "priority": "P3", "opened_at": "2026-11-20T09:00:00-05:00",
        "events": [
            {"kind": "priority_changed", "at": "2026-11-20T09:10:00-05:00", "priority": "P2"},
            {"kind": "responded", "at": "2026-11-20T09:40:00-05:00"},
            {"kind": "workaround", "at": "2026-11-20T12:00:00-05:00"},
            {"kind": "resolved", "at": "2026-11-20T15:00:00-05:00"},
            {"kind": "reopened", "at": "2026-11-23T10:00:00-05:00"},
            {"kind": "resolved", "at": "2026-11-23T11:00:00-05:00"}]})
    evaluate = best(lambda: vircom.evaluate(ticket), number=5000)
    folder = Path(tempfile.mkdtemp())
    path = folder / "export.jsonl"
    count = 100_000
    path.write_text("\n".join(export(count)) + "\n", encoding="utf-8")
    warm = folder / "warm.jsonl"
    warm.write_text("\n".join(export(200, seed=2)) + "\n", encoding="utf-8")
    report_options = {"policy": None, "now": None, "output_format": "csv",
                      "output": str(folder / "out.csv"), "errors": None, "jobs": 1}
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        run_report(warm, **report_options)  # type: ignore[arg-type]
    loads, report = [], []
    for _ in range(5):
        start = time.process_time()
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                json.loads(line)
        loads.append(time.process_time() - start)
        start = time.process_time()
        with contextlib.redirect_stderr(io.StringIO()), \
                contextlib.redirect_stdout(io.StringIO()):
            run_report(path, **report_options)  # type: ignore[arg-type]
        report.append(time.process_time() - start)
    ratio = min(report) / min(loads)
    rounds = sorted(spent / read for spent, read in zip(report, loads, strict=True))
    rows = [
        ("`BusinessCalendar.add` (Fri 17:30 + 1 business hour, vircom's calendar)",
         f"{add * 1e6:.2f} µs", "(the unit)", ""),
        ("`Policy.deadlines` (vircom standard P2)", f"{due * 1e6:.2f} µs",
         f"{due / add:.1f}x one `add`", "<= 3x"),
        ("`Policy.evaluate`, 6 events (priority change, response, workaround, resolve, "
         "reopen, resolve)", f"{evaluate * 1e6:.1f} µs", "", "<= 30 µs"),
        (f"`slacalc report` on a realistic JSONL export of {count:,} tickets (half paused "
         f"1-3 times, 10% priority changes, 5% reopens, stamps with seconds, minutes only, "
         f"`Z` or fractions), CSV to a file, one process",
         f"{min(report):.2f} s CPU, {count / min(report):,.0f} tickets/s",
         f"{ratio:.1f}x reading the file with `json.loads` ({min(loads):.2f} s); "
         f"{rounds[0]:.1f}x to {rounds[-1]:.1f}x round by round", "<= 4x"),
    ]
    lines = ["## The SLA kernel (`benchmarks/bench_kernel.py`)", "",
             f"Generated on {datetime.now():%Y-%m-%d} ({platform.machine()}, "
             f"{platform.python_implementation()} {platform.python_version()}, one core). "
             f"Each figure is a ratio to something measured in the same run; CPU times are "
             f"the best of five rounds (the report and `json.loads` alternate).", "",
             "| figure | measured | ratio | target |", "| --- | --- | --- | --- |",
             *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows], "",
             "Before the kernel (commit 05821c3, figures from issue 11): `Policy.deadlines` "
             "55 µs, `Policy.evaluate` of a 4-event ticket 205 µs, a realistic JSONL export "
             "about 7,500 tickets/s (36x `json.loads`)."]
    print("\n".join(lines))
    write_section("bench_kernel", lines)


if __name__ == "__main__":
    main()
