"""Issue 16, item 2: percentiles of the time to the stop and monthly compliance, in the
report's summary and in `slacalc.frame` (`percentiles`, `monthly_compliance`): by hand on
three tickets, and against numpy (``np.percentile``, its default linear definition) and
a month computed here with zoneinfo on the shipped event log."""

from __future__ import annotations

import contextlib
import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from slacalc import TicketError
from slacalc.batch import RESULT_COLUMNS
from slacalc.batch._blocks import read_table
from slacalc.batch._eventlog import evaluate_log
from slacalc.batch._measures import Measured, measures_of_text
from slacalc.batch._rows import PolicyBook
from slacalc.batch._stats import openings, percentiles_of
from slacalc.batch.summary import Summary
from slacalc.cli import main
from slacalc.frame import evaluate_frame, monthly_compliance, percentiles
from slacalc.sla.columns import STATUSES

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "examples" / "eventlog"
NOW = "2026-11-30T12:00:00Z"
ZONES = {"vircom": "America/Toronto", "cloudmark": "America/Los_Angeles",
         "valimail": "America/Los_Angeles", "perfectmail": "UTC"}  # policies/*.yaml

# Three vircom standard P2 tickets (response: 1 business hour, Mon-Fri 07:30-18:00
# Toronto; resolution: 24 real hours), as of 2026-12-01:
# T1 opened Fri 2026-11-20 17:30 EST, responded Mon 07:55: 30 + 25 business minutes =
#    3300 s; real 62h25 = 224,700 s; met (due Mon 08:00).
# T2 opened Mon 2026-11-23 09:00 EST, responded 09:20: 1200 s on both clocks; met.
# T3 opened 2026-11-01T03:30Z = Sat 2026-10-31 23:30 EDT (October in Toronto, November
#    in UTC), responded 2026-11-02T13:00Z = Mon 08:00 EST (the clocks went back on Sun
#    Nov 1): 07:30-08:00 = 1800 business s; real 33h30 = 120,600 s; met (due 08:30).
# Every resolution is still open past its 24 hours: breached, no stop.
FLAT = """\
ticket_id,policy,tier,priority,opened_at,responded_at
T1,vircom,standard,P2,2026-11-20T17:30:00-05:00,2026-11-23T07:55:00-05:00
T2,vircom,standard,P2,2026-11-23T09:00:00-05:00,2026-11-23T09:20:00-05:00
T3,vircom,standard,P2,2026-11-01T03:30:00Z,2026-11-02T13:00:00Z
"""


def test_the_percentile_is_numpys_linear_one_not_the_nearest_rank() -> None:
    # [10, 20, 30, 40]: rank 0.5 x 3 = 1.5 -> 25 (the nearest rank would say 20);
    # 0.9 x 3 = 2.7 -> 37; 0.99 x 3 = 2.97 -> 39.7
    assert percentiles_of(np.array([10.0, 20.0, 30.0, 40.0])) == pytest.approx(
        (25.0, 37.0, 39.7))
    assert percentiles_of(np.array([np.nan, 5.0])) == (5.0, 5.0, 5.0)
    assert percentiles_of(np.array([np.nan])) is None


def test_three_tickets_by_hand_in_the_frame() -> None:
    tickets = pd.read_csv(pd.io.common.StringIO(FLAT), dtype=str)
    results = evaluate_frame(tickets, now="2026-12-01T00:00:00Z")
    found = percentiles(results, tickets)
    assert len(found) == 1  # only the responses stopped
    row = found.iloc[0]
    assert tuple(row[["policy", "tier", "priority", "metric", "count"]]) == (
        "vircom", "standard", "P2", "response", 3)
    # clock [1200, 1800, 3300]: p50 1800; p90 rank 1.8 -> 1800 + 0.8 x 1500 = 3000;
    # p99 rank 1.98 -> 1800 + 0.98 x 1500 = 3270
    assert (row["clock_p50"], row["clock_p90"], row["clock_p99"]) == pytest.approx(
        (1800.0, 3000.0, 3270.0))
    # real [1200, 120600, 224700]: p50 120600; p90 120600 + 0.8 x 104100 = 203880;
    # p99 120600 + 0.98 x 104100 = 222618
    assert (row["real_p50"], row["real_p90"], row["real_p99"]) == pytest.approx(
        (120600.0, 203880.0, 222618.0))
    monthly = monthly_compliance(results, tickets)
    assert monthly[["metric", "month", "met", "breached", "decided"]].values.tolist() == [
        ["resolution", "2026-10", 0, 1, 1], ["resolution", "2026-11", 0, 2, 2],
        ["response", "2026-10", 1, 0, 1], ["response", "2026-11", 2, 0, 2]]
    assert monthly["compliance"].tolist() == [0.0, 0.0, 1.0, 1.0]


def test_without_openings_there_is_no_real_time() -> None:
    tickets = pd.read_csv(pd.io.common.StringIO(FLAT), dtype=str)
    results = evaluate_frame(tickets, now="2026-12-01T00:00:00Z")
    found = percentiles(results)
    assert found["clock_p50"].tolist() == [1800.0]
    assert found["real_p50"].isna().all()
    twice = pd.concat([tickets, tickets.assign(opened_at="2026-11-24T09:00:00-05:00")])
    with pytest.raises(TicketError, match="ticket_id 'T1' is on two rows"):
        percentiles(results, twice)


def test_three_tickets_by_hand_in_the_report_summary(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(FLAT, encoding="utf-8")
    assert main(["report", str(path), "--now", "2026-12-01T00:00:00Z", "--format", "csv",
                 "-o", str(tmp_path / "out.csv")]) == 0
    text = capsys.readouterr().out
    # hours and minutes, rounded to the minute: 1800 s 0h30, 3000 s 0h50, 3270 s = 54.5
    # min -> 0h54 (round half to even); 120600 s 33h30, 203880 s = 3398 min 56h38,
    # 222618 s = 3710.3 min 61h50
    lines = [line.split() for line in text.splitlines()]
    assert ["vircom", "standard", "P2", "response", "3", "0h30", "0h50", "0h54", "33h30",
            "56h38", "61h50"] in lines
    # T3 counts in October (Toronto), T1 and T2 in November
    assert ["vircom", "standard", "P2", "response", "2026-10", "1", "0", "100.0%"] in lines
    assert ["vircom", "standard", "P2", "response", "2026-11", "2", "0", "100.0%"] in lines
    assert ["vircom", "standard", "P2", "resolution", "2026-10", "0", "1", "0.0%"] in lines
    assert ["vircom", "standard", "P2", "resolution", "2026-11", "0", "2", "0.0%"] in lines


def test_summary_keeps_times_and_months_across_merges() -> None:
    def columns(*rows: tuple[str, str, str, str]) -> list[list[str]]:
        named = [{"ticket_id": ticket, "policy": "p", "tier": "t", "priority": "P1",
                  "metric": "response", "status": status, "target": "1 hour",
                  "stopped_at": stopped, "elapsed_seconds": elapsed}
                 for ticket, status, stopped, elapsed in rows]
        return [[row.get(name, "") for row in named] for name in RESULT_COLUMNS]

    start = 1_790_000_000_000_000.0  # 2026-09-21T14:13:20Z, in µs
    stop = "2026-09-21T15:13:20+00:00"  # an hour later
    one, two = Summary(), Summary()
    first = columns(("A", "met", stop, "600"))
    one.add(first, measures=measures_of_text(first, np.array([start]), np.array([start])))
    second = columns(("B", "breached", stop, "7200"), ("C", "running", "", "60"))
    two.add(second, measures=measures_of_text(second, np.array([start, start]),
                                              np.array([start, start])))
    one.merge(two)
    (entry,) = one.percentiles()
    # clock [600, 7200]: p50 3900, p90 600 + 0.9 x 6600 = 6540; real 3600 s both
    assert (entry["count"], entry["clock_p50"], entry["clock_p90"]) == (2, 3900.0,
                                                                        pytest.approx(6540.0))
    assert (entry["real_p50"], entry["real_p99"]) == (3600.0, 3600.0)
    assert one.monthly() == [{"policy": "p", "tier": "t", "priority": "P1",
                              "metric": "response", "month": "2026-09", "met": 1,
                              "breached": 1, "compliance": 0.5}]
    assert one.as_dict()["monthly"] == one.monthly()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame,
                                                               pd.DataFrame, str]:
    tickets = pd.read_csv(LOG / "tickets.csv", dtype=str, keep_default_na=False)
    events = pd.read_csv(LOG / "events.csv", dtype=str, keep_default_na=False)
    out = tmp_path_factory.mktemp("stats") / "results.csv"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["report", str(LOG / "tickets.csv"), "--events", str(LOG / "events.csv"),
                     "--now", NOW, "--format", "csv", "-o", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = pd.DataFrame(list(csv.DictReader(handle)))
    return tickets, events, rows, buffer.getvalue()


def _reference(tickets: pd.DataFrame, rows: pd.DataFrame
               ) -> dict[tuple[str, ...], tuple[list[float], list[float]]]:
    """Times to the stop per group, worked out here from the results CSV and the tickets
    file with datetime arithmetic."""
    opened = dict(zip(tickets["ticket_id"], tickets["opened_at"], strict=True))
    found: dict[tuple[str, ...], tuple[list[float], list[float]]] = defaultdict(
        lambda: ([], []))
    for row in rows.to_dict("records"):
        if row["status"] in {"met", "breached"} and row["stopped_at"] and \
                row["elapsed_seconds"]:
            key = (row["policy"], row["tier"], row["priority"], row["metric"])
            found[key][0].append(float(row["elapsed_seconds"]))
            found[key][1].append((datetime.fromisoformat(row["stopped_at"])
                                  - datetime.fromisoformat(opened[row["ticket_id"]])
                                  ).total_seconds())
    return found


def test_frame_percentiles_equal_numpy_on_the_example(
        example: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]) -> None:
    tickets, events, rows, _ = example
    results = evaluate_frame(tickets, now=NOW, events=events)
    found = percentiles(results, tickets)
    expected = _reference(tickets, rows)
    assert len(found) == len(expected) == 24
    for entry in found.to_dict("records"):
        clock, real = expected[(entry["policy"], entry["tier"], entry["priority"],
                                entry["metric"])]
        assert entry["count"] == len(clock)
        assert [entry[f"clock_p{p}"] for p in (50, 90, 99)] == pytest.approx(
            np.percentile(clock, [50, 90, 99]).tolist(), abs=1e-6)
        assert [entry[f"real_p{p}"] for p in (50, 90, 99)] == pytest.approx(
            np.percentile(real, [50, 90, 99]).tolist(), abs=1e-6)


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def test_the_report_summary_shows_numpys_percentiles(
        example: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]) -> None:
    tickets, _, rows, text = example
    lines = text.split("Time to the stop")[1].split("Monthly compliance")[0].splitlines()[2:]
    shown = {tuple(line.split()[:4]): line.split()[4:] for line in lines if line.strip()}
    expected = _reference(tickets, rows)
    assert set(shown) == set(expected)
    for key, (clock, real) in expected.items():
        assert shown[key] == [str(len(clock)), *map(_hours, np.percentile(clock, [50, 90, 99])),
                              *map(_hours, np.percentile(real, [50, 90, 99]))], key


def test_monthly_compliance_by_month_of_opening_in_the_tier_zone(
        example: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]) -> None:
    tickets, events, rows, text = example
    opened = dict(zip(tickets["ticket_id"], tickets["opened_at"], strict=True))
    counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows.to_dict("records"):
        if row["status"] in {"met", "breached"}:
            month = datetime.fromisoformat(opened[row["ticket_id"]]).astimezone(
                ZoneInfo(ZONES[row["policy"]])).strftime("%Y-%m")
            key = (row["policy"], row["tier"], row["priority"], row["metric"], month)
            counts[key][row["status"] == "breached"] += 1
    found = monthly_compliance(evaluate_frame(tickets, now=NOW, events=events), tickets)
    assert {tuple(values[:5]): [values[5], values[6]] for values in found.values.tolist()
            } == counts
    assert (found["compliance"] == found["met"] / (found["met"] + found["breached"])).all()
    section = text.split("Monthly compliance")[1].split("Worst overruns")[0].splitlines()[2:]
    shown = {tuple(line.split()[:5]): line.split()[5:] for line in section if line.strip()}
    assert shown == {key: [str(met), str(breached), f"{met / (met + breached):.1%}"]
                     for key, (met, breached) in counts.items()}


def test_the_numbers_beside_the_columns_are_the_numbers_their_text_reads_back() -> None:
    # The column kernel hands the summary the µs it wrote each row from (`Measured`); read
    # back from the written text (with each row's opening as the tickets file writes it)
    # they are the same numbers, cell by cell, on the whole shipped example.
    folder = Path(__file__).resolve().parents[1] / "examples" / "eventlog"
    tickets, events = (read_table(folder / name) for name in ("tickets.csv", "events.csv"))
    book = PolicyBook()
    columns, _, count = evaluate_log(book, tickets, events,
                                     now=datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert isinstance(columns, Measured)
    assert count > 250
    at = tickets.header.index("opened_at")
    opened = {cells[0]: cells[at] for _, cells in tickets.rows}
    texts = [opened[ticket] for ticket in columns[RESULT_COLUMNS.index("ticket_id")]]
    expected = measures_of_text(columns, *openings(book, columns, texts))
    for name in ("elapsed", "remaining", "overrun", "stop", "opened", "local"):
        np.testing.assert_array_equal(getattr(columns.measures, name),
                                      getattr(expected, name), err_msg=name)
    assert not np.isnan(columns.measures.stop).all()
    # The status and the summary group of each row too (the kernel numbers groups its own
    # way; each row's group is the same).
    np.testing.assert_array_equal(columns.measures.status, expected.status)
    assert {"met", "breached"} <= {STATUSES[code] for code in columns.measures.status.tolist()}
    kernel, text = columns.measures, expected
    assert [kernel.groups[code] for code in kernel.group.tolist()] == \
        [text.groups[code] for code in text.group.tolist()] == \
        list(zip(*(columns[RESULT_COLUMNS.index(name)] for name in
                   ("policy", "tier", "priority", "metric")), strict=True))
    assert len(set(kernel.groups.values())) > 4
