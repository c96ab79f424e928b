"""`slacalc.frame.evaluate_frame`: the CLI's batch results as a typed DataFrame, by hand,
against the CLI's own CSV output, and as a dask partition function."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from slacalc import NaiveDatetimeError
from slacalc import frame as frame_module
from slacalc.batch import RESULT_COLUMNS
from slacalc.cli import main
from slacalc.frame import evaluate_frame, result_meta

dd = pytest.importorskip("dask.dataframe")

ROOT = Path(__file__).resolve().parent.parent
TORONTO = ZoneInfo("America/Toronto")

# vircom P2 opened Fri 2026-11-20 17:30 -05:00, responded Mon 07:55 (the docs/clocks.md
# ticket, without the workaround).
FRIDAY = {"ticket_id": "T1", "policy": "vircom", "tier": "standard", "priority": "P2",
          "opened_at": "2026-11-20T17:30:00-05:00",
          "responded_at": "2026-11-23T07:55:00-05:00"}

# A mixed batch: every path of the batch code (fast path, priority change, workaround,
# attribute conditions, bad rows) and all four bundled policies.
ROWS = """\
ticket_id,policy,tier,priority,opened_at,category,channel,responded_at,resolved_at,workaround_at,priority_changed_at,priority_changed_to
T1,vircom,standard,P2,2026-11-20T17:30:00-05:00,,,2026-11-23T07:55:00-05:00,,,,
T2,vircom,standard,P1,2026-11-23T09:00:00-05:00,,phone,2026-11-23T09:20:00-05:00,,2026-11-23T12:00:00-05:00,,
T3,vircom,standard,P3,2026-11-24T10:00:00-05:00,defect,email,2026-11-24T16:00:00-05:00,,,,
T4,vircom,standard,P3,2026-11-24T10:00:00-05:00,usage,email,,2026-11-27T09:00:00-05:00,,,
T5,valimail,enhanced,low,2026-11-23T09:00:00-08:00,,,2026-11-23T11:10:00-08:00,,,2026-11-23T11:00:00-08:00,urgent
T6,cloudmark,premium,P2,2026-11-30T10:00:00-08:00,,,2026-11-30T12:00:00-08:00,2026-12-03T10:00:00-08:00,,,
T7,perfectmail,standard,standard,2026-11-10T17:31:00+00:00,defect,portal,2026-11-10T22:17:00+00:00,2026-11-11T17:31:00+00:00,,,
"""
BAD_ROWS = """\
B1,nosuchpolicy,standard,P2,2026-11-20T17:30:00-05:00,,,,,,,
B2,vircom,standard,P2,2026-11-20T17:30:00,,,,,,,
B3,vircom,,P2,2026-11-20T17:30:00-05:00,,,,,,,
"""


def to(*args: int) -> pd.Timestamp:
    return pd.Timestamp(datetime(*args, tzinfo=TORONTO))  # type: ignore[misc]


def by_metric(results: pd.DataFrame) -> dict[str, pd.Series]:
    return {row["metric"]: row for _, row in results.iterrows()}


def test_the_friday_ticket_by_hand() -> None:
    results = evaluate_frame(pd.DataFrame([FRIDAY]))
    assert list(results.columns) == list(RESULT_COLUMNS)
    rows = by_metric(results)
    response, resolution = rows["response"], rows["resolution"]
    # Response, 1 business hour on Mon-Fri 07:30-18:00: 30 min Fri + 30 min Mon from
    # 07:30 -> due Mon 08:00; answered 07:55: met, 55 min used, 5 min left.
    assert (response["status"], response["due"], response["stopped_at"]) == (
        "met", to(2026, 11, 23, 8, 0), to(2026, 11, 23, 7, 55))
    assert (response["elapsed_seconds"], response["remaining_seconds"]) == (3300, 300)
    assert math.isnan(response["overrun_seconds"])
    assert response["reason"] == "responded"
    # Resolution, 24 real hours -> due Sat 17:30; nothing stops it and now defaults to the
    # last event (Mon 07:55): breached, 62 h 25 min used, overrun Sat 17:30 -> Mon 07:55 =
    # 38 h 25 min = 138300 s.
    assert (resolution["status"], resolution["due"], resolution["target"]) == (
        "breached", to(2026, 11, 21, 17, 30), "24 hours")
    assert pd.isna(resolution["stopped_at"])
    assert (resolution["elapsed_seconds"], resolution["remaining_seconds"],
            resolution["overrun_seconds"]) == (224700, 0, 138300)
    assert str(results["due"].dtype) == "datetime64[us, UTC]"
    assert results["due"].iloc[0].tz is not None


def test_now_is_applied_to_every_row() -> None:
    # As of Fri 17:45: response 15 min of 60 used, resolution 15 min of 24 h; both running.
    for now in (datetime(2026, 11, 20, 17, 45, tzinfo=TORONTO), "2026-11-20T22:45:00Z",
                pd.Timestamp("2026-11-20 22:45", tz="UTC")):
        rows = by_metric(evaluate_frame(pd.DataFrame([FRIDAY]), now=now))
        assert rows["response"]["status"] == rows["resolution"]["status"] == "running"
        assert (rows["response"]["elapsed_seconds"], rows["response"]["remaining_seconds"]) \
            == (900, 2700)
        assert rows["resolution"]["remaining_seconds"] == 24 * 3600 - 900
    with pytest.raises(NaiveDatetimeError):
        evaluate_frame(pd.DataFrame([FRIDAY]), now=datetime(2026, 11, 20, 17, 45))


def test_timestamps_and_missing_values_read_like_text() -> None:
    text = evaluate_frame(pd.DataFrame([FRIDAY]))
    # Aware Timestamps (in any zone) are the same instants as the ISO text.
    stamps = {**FRIDAY, "opened_at": pd.Timestamp("2026-11-20T22:30:00Z"),
              "responded_at": pd.Timestamp("2026-11-23T07:55:00", tz=TORONTO)}
    pd.testing.assert_frame_equal(evaluate_frame(pd.DataFrame([stamps])), text)
    # A datetime64 column (NaT for the missing cell) works as well.
    column = pd.DataFrame([FRIDAY, {**FRIDAY, "responded_at": None}])
    column["responded_at"] = pd.to_datetime(column["responded_at"], utc=True)
    assert column["responded_at"].isna().iloc[1]
    pd.testing.assert_frame_equal(evaluate_frame(column).iloc[:2], text)
    # None, NaN, NaT, pd.NA and "" are all "not responded": response still running at
    # Fri 17:30 (now = the opening), nothing used yet.
    for missing in (None, math.nan, pd.NaT, pd.NA, ""):
        rows = by_metric(evaluate_frame(pd.DataFrame([{**FRIDAY, "responded_at": missing}])))
        assert (rows["response"]["status"], rows["response"]["elapsed_seconds"]) == (
            "running", 0)


def test_a_naive_timestamp_is_refused_like_in_the_cli() -> None:
    naive = {**FRIDAY, "opened_at": pd.Timestamp("2026-11-20T17:30:00")}
    results = evaluate_frame(pd.DataFrame([FRIDAY, naive], index=["a", "b"]))
    assert list(results["status"]) == ["met", "breached", "error"]
    error = results.iloc[2]
    assert (error["ticket_id"], error["policy"], error["metric"]) == ("T1", "vircom", "")
    assert error["reason"] == ("row b: opened_at: '2026-11-20T17:30:00' has no UTC offset; "
                               "write e.g. 2026-11-20T17:30:00-05:00")
    assert pd.isna(error["due"])
    assert math.isnan(error["elapsed_seconds"])


def test_bad_rows_give_one_error_row_each_and_nothing_is_dropped(tmp_path: Path) -> None:
    frame = pd.read_csv(_csv(tmp_path, ROWS + BAD_ROWS), dtype=str)
    results = evaluate_frame(frame)
    # 7 good tickets x 2 metrics, then one error row per bad input row, in input order.
    assert len(results) == 7 * 2 + 3
    errors = results[results["status"] == "error"]
    assert list(errors["ticket_id"]) == ["B1", "B2", "B3"]
    assert errors["reason"].iloc[0].startswith("row 7: no bundled policy 'nosuchpolicy'")
    assert "has no UTC offset" in errors["reason"].iloc[1]
    assert errors["reason"].iloc[2] == "row 9: tier: missing"
    # A policy given for the whole frame fills rows without a policy column.
    alone = evaluate_frame(pd.DataFrame([{k: v for k, v in FRIDAY.items() if k != "policy"}]),
                           policy="vircom")
    assert list(alone["status"]) == ["met", "breached"]


def test_integral_float_ids_read_as_integers() -> None:
    # An id column with a gap reads as float64 (1001.0, NaN); the ids stay "1001" and "".
    frame = pd.DataFrame([{**FRIDAY, "ticket_id": 1001}, {**FRIDAY, "ticket_id": None}])
    assert frame["ticket_id"].dtype == "float64"
    assert list(evaluate_frame(frame)["ticket_id"]) == ["1001", "1001", "", ""]


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _cli_frame(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
               *now: str) -> pd.DataFrame:
    """The CLI's CSV report, read back and typed independently of slacalc.frame."""
    out = tmp_path / "out.csv"
    assert main(["report", str(path), "--format", "csv", "-o", str(out), *now]) == 0
    capsys.readouterr()
    cli = pd.read_csv(out, dtype=str, keep_default_na=False)
    for column in ("due", "stopped_at", "next_escalation_at"):
        cli[column] = pd.to_datetime(cli[column].replace("", None), utc=True,
                                     format="ISO8601")
    for column in ("elapsed_seconds", "remaining_seconds", "overrun_seconds"):
        cli[column] = pd.to_numeric(cli[column].replace("", None)).astype("float64")
    return cli


@pytest.mark.parametrize("now", [(), ("--now", "2026-12-02T12:00:00-05:00")])
def test_same_results_as_the_cli_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch,
                                     now: tuple[str, ...]) -> None:
    # Without --now the command line judges as of the clock (read there only): held here.
    clock = datetime(2026, 12, 3, 9, 15, tzinfo=UTC)
    monkeypatch.setattr("slacalc.cli._clock.clock", lambda: clock)
    path = _csv(tmp_path, ROWS)
    cli = _cli_frame(path, tmp_path, capsys, *now)
    ours = evaluate_frame(pd.read_csv(path, dtype=str), now=now[1] if now else clock)
    pd.testing.assert_frame_equal(ours, cli, check_dtype=False)
    assert len(ours) == 14


def test_same_results_as_the_cli_on_the_shipped_examples(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "tickets.csv"
    if not path.exists():
        pytest.skip("examples/tickets.csv is not shipped")
    now = "2026-11-30T12:00:00Z"
    ours = evaluate_frame(pd.read_csv(path, dtype=str), now=now)
    pd.testing.assert_frame_equal(ours, _cli_frame(path, tmp_path, capsys, "--now", now),
                                  check_dtype=False)


def test_result_meta_is_the_typed_empty_result() -> None:
    meta = result_meta()
    assert meta.empty
    assert list(meta.columns) == list(RESULT_COLUMNS)
    assert meta.dtypes.to_dict() == evaluate_frame(pd.DataFrame([FRIDAY])).dtypes.to_dict()
    assert evaluate_frame(pd.DataFrame(columns=list(FRIDAY))).dtypes.to_dict() == \
        meta.dtypes.to_dict()
    assert str(meta["elapsed_seconds"].dtype) == "float64"


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_dask_partitions_give_the_pandas_result(tmp_path: Path, scheduler: str) -> None:
    frame = pd.read_csv(_csv(tmp_path, ROWS + BAD_ROWS), dtype=str)
    expected = evaluate_frame(frame, now="2026-12-02T12:00:00-05:00")
    parts = dd.from_pandas(frame, npartitions=3)
    assert parts.npartitions == 3
    results = parts.map_partitions(evaluate_frame, now="2026-12-02T12:00:00-05:00",
                                   meta=result_meta()).compute(scheduler=scheduler)
    # Each partition numbers its results from 0; the rows and their order are the same,
    # and error reasons name the original row labels, which dask keeps.
    pd.testing.assert_frame_equal(results.reset_index(drop=True), expected,
                                  check_dtype=False)
    assert {str(t) for t in results.dtypes} == {str(t) for t in expected.dtypes}


EVENT_LOG = ROOT / "examples" / "eventlog"


@pytest.mark.parametrize(("block", "shuffled", "calls", "arrow"), [
    (10_000, False, 1, True),  # the shipped example in one piece
    (7, False, 43, True),  # 300 tickets 7 at a time, as a big log is evaluated
    (7, True, 43, True),  # the same with the events in no order: each block still its own
    (7, False, 43, False),  # text columns made as pandas makes them, without Arrow
])
def test_an_event_log_frame_gives_the_cli_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               *, block: int, shuffled: bool, calls: int,
                                               arrow: bool) -> None:
    out = tmp_path / "cli.csv"
    main(["report", str(EVENT_LOG / "tickets.csv"), "--events", str(EVENT_LOG / "events.csv"),
          "--format", "csv", "-o", str(out), "--now", "2026-11-30T12:00:00Z"])
    cli = pd.read_csv(out, dtype=str, keep_default_na=False)
    tickets = pd.read_csv(EVENT_LOG / "tickets.csv", dtype=str, keep_default_na=False)
    events = pd.read_csv(EVENT_LOG / "events.csv", dtype=str, keep_default_na=False)
    if shuffled:
        events = events.sample(frac=1.0, random_state=5)
    monkeypatch.setattr(frame_module, "BLOCK", block)
    monkeypatch.setattr(frame_module, "_ARROW", arrow and frame_module._ARROW)
    made = []
    evaluate = frame_module.evaluate_columns_of
    monkeypatch.setattr(frame_module, "evaluate_columns_of",
                        lambda *args, **kwargs: made.append(1) or evaluate(*args, **kwargs))
    found = evaluate_frame(tickets, now="2026-11-30T12:00:00Z", events=events)
    assert len(made) == calls  # (300 tickets: 42 blocks of 7 and one of 6)
    assert len(found) == len(cli) == 2 * len(tickets)
    assert list(found.index) == list(range(len(found)))
    for column in ("ticket_id", "policy", "tier", "priority", "metric", "status", "target",
                   "reason", "at_risk"):  # (from the kernel's codes, with Arrow)
        assert found[column].dtype == result_meta()[column].dtype, column
        assert list(found[column]) == list(cli[column]), column
    for column in ("due", "stopped_at", "next_escalation_at"):  # as the CLI wrote them
        shown = [pd.Timestamp(text).tz_convert("UTC") if text else pd.NaT
                 for text in cli[column]]
        assert list(found[column]) == shown, column
    for column in ("elapsed_seconds", "remaining_seconds", "overrun_seconds"):
        assert [math.isnan(value) if not text else value == float(text)
                for value, text in zip(found[column], cli[column], strict=True)] == [
            True] * len(cli), column


@pytest.mark.parametrize("kind", ["reponded", "responded"])
def test_a_log_in_blocks_with_a_bad_event_gives_the_rows_of_the_whole(
        monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    # Tickets T1..T3 (the Friday ticket) one per block; T3's event has a misspelt kind,
    # or an event names T9, which has no row. Either way the log is evaluated whole: the
    # error rows are where the whole log puts them, with its line numbers (T3's event is
    # events row "c", line 4 of the events table).
    monkeypatch.setattr(frame_module, "BLOCK", 1)
    tickets = pd.DataFrame([{**{key: FRIDAY[key] for key in
                                ("policy", "tier", "priority", "opened_at")},
                             "ticket_id": name} for name in ("T1", "T2", "T3")])
    events = pd.DataFrame([{"ticket_id": name, "at": "2026-11-23T07:55:00-05:00",
                            "kind": "responded"} for name in ("T1", "T2", "T3")],
                          index=["a", "b", "c"])
    events.loc["c", "kind"] = kind
    if kind == "responded":
        events.loc["c", "ticket_id"] = "T9"
    found = evaluate_frame(tickets, events=events)
    if kind == "responded":  # T3 without events: judged at its opening, response running
        assert list(found["status"]) == ["met", "breached", "met", "breached", "running",
                                         "running", "error"]
        assert found["reason"].iloc[6] == "events row c: ticket_id 'T9' has no ticket row"
    else:
        assert list(found["status"]) == ["met", "breached", "met", "breached", "error",
                                         "error"]
        assert found["reason"].iloc[4] == ("row 2: not evaluated: its event at events:4 is "
                                           "bad")
        assert found["reason"].iloc[5].startswith("events row c: kind: unknown event kind")


def test_a_bad_event_in_a_frame_is_an_error_row() -> None:
    tickets = pd.DataFrame([{key: FRIDAY[key] for key in
                             ("ticket_id", "policy", "tier", "priority", "opened_at")}])
    events = pd.DataFrame([{"ticket_id": "T1", "at": "2026-11-23T07:55:00-05:00",
                            "kind": "responded"},
                           {"ticket_id": "T7", "at": "2026-11-23T07:55:00-05:00",
                            "kind": "responded"}], index=["a", "b"])
    found = evaluate_frame(tickets, events=events)
    assert list(found["status"]) == ["met", "breached", "error"]
    assert found["reason"].iloc[2] == "events row b: ticket_id 'T7' has no ticket row"
    assert found["ticket_id"].iloc[2] == "T7"


def test_an_event_log_frame_gives_each_rows_instants() -> None:
    # As of Mon 2026-11-23 11:00 EST (16:00Z), 4 business hours on 07:30-18:00, thresholds
    # 50% and 75%: P opened 07:30, paused at 10:00 (due unknown); Q opened 09:00 (2 h used:
    # 50%; 75% = 3 h falls at 12:00, due 13:00); R opened 08:00 (3 h: 75%, none left, due
    # 12:00); S opened 10:30 (50% = 2 h falls at 12:30, due 14:30); T opened 08:00 and
    # responded at 09:00 (stopped then, due 12:00, escalates no more).
    policy = ROOT / "tests" / "fixtures" / "valid" / "escalating.yaml"
    opened = {"P": "07:30", "Q": "09:00", "R": "08:00", "S": "10:30", "T": "08:00"}
    tickets = pd.DataFrame({"ticket_id": list(opened), "policy": str(policy),
                            "tier": "standard", "priority": "P1",
                            "opened_at": [f"2026-11-23T{at}:00-05:00" for at in opened.values()]})
    events = pd.DataFrame({"ticket_id": ["P", "T"], "kind": ["awaiting_customer", "responded"],
                           "at": ["2026-11-23T10:00:00-05:00", "2026-11-23T09:00:00-05:00"]})
    found = evaluate_frame(tickets, now="2026-11-23T11:00:00-05:00", events=events)
    response = found[found["metric"] == "response"].set_index("ticket_id")

    def utc(hour: int, minute: int = 0) -> pd.Timestamp:
        return pd.Timestamp(2026, 11, 23, hour, minute, tz="UTC")

    nat = pd.NaT
    assert list(response["due"]) == [nat, utc(18), utc(17), utc(19, 30), utc(17)]
    assert list(response["stopped_at"]) == [nat, nat, nat, nat, utc(14)]
    assert list(response["next_escalation_at"]) == [nat, utc(17), nat, utc(17, 30), nat]
    assert list(response["status"]) == ["paused", "running", "running", "running", "met"]
