"""The fast decoder of desk JSON Lines (runs of lines decoded typed by msgspec) against
the reference (`json.loads`): the same positions, the same error texts, and every field
an adapter reads the same, on the edge cases where typed decoding must step aside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slacalc.sources._files import json_keyed, json_records
from slacalc.sources._zendesk_shapes import Audit, MetricEvent
from slacalc.sources.zendesk import convert, read_zendesk

EVENT = {"id": 1, "ticket_id": 7, "metric": "reply_time", "instance_id": 1,
         "type": "apply_sla", "time": "2026-11-02T09:00:00Z",
         "sla": {"target": 60, "business_hours": True}}

EDGES = [
    json.dumps(EVENT),
    # duplicate keys: JSON's last one wins in both readers
    '{"ticket_id": 7, "metric": "reply_time", "metric": "agent_work_time", "type": "breach",'
    ' "time": "2026-11-02T17:00:00Z"}',
    # nulls where values usually are
    '{"ticket_id": 7, "metric": null, "instance_id": null, "type": null, "time": null,'
    ' "sla": null, "status": null, "deleted": null}',
    # keys left out, and keys no adapter reads
    '{"ticket_id": "7", "type": "fulfill", "extra": [1, 2, {"x": null}]}',
    # wrong types: a float id, a number for a time, 0 for a bool, a list for sla
    '{"ticket_id": 7.5, "metric": "reply_time", "type": "breach", "time": 5, "deleted": 0,'
    ' "sla": [1]}',
    "",  # a blank line is skipped
    "not json at all",
    "[1, 2]",  # JSON, but not an object
    '{"ticket_id": 7, "type": "update_status", "status": {"calendar": 40, "business": 40}}',
]
FIELDS = ("ticket_id", "metric", "instance_id", "type", "time", "sla", "status", "deleted")


def _same(fast: list[tuple[int, Any]], slow: list[tuple[int, Any]],
          fields: tuple[str, ...]) -> None:
    assert [number for number, _ in fast] == [number for number, _ in slow]
    for (_, one), (_, other) in zip(fast, slow, strict=True):
        if isinstance(other, str):
            assert one == other
        else:
            assert isinstance(one, dict | MetricEvent | Audit)
            assert [one.get(name) for name in fields] == [other.get(name) for name in fields]


@pytest.mark.parametrize("lines", [EDGES, EDGES[:4] + EDGES[8:], [EDGES[0]] * 3])
def test_typed_and_plain_decoding_agree(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "ticket_metric_events.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    fast = list(json_records(path, "ticket_metric_events", MetricEvent))
    slow = list(json_records(path, "ticket_metric_events"))
    _same(fast, slow, FIELDS)
    assert all(type(item) is dict or isinstance(item, str) for _, item in slow)
    # keyed by ticket: "7" for each record with it, "" for a record that could not be read
    assert [key for key, _ in json_keyed(path, "ticket_metric_events", "ticket_id",
                                         MetricEvent)] == [
        key for key, _ in json_keyed(path, "ticket_metric_events", "ticket_id")]


def test_a_clean_run_is_typed_and_a_run_with_a_bad_line_is_not(tmp_path: Path) -> None:
    # Lines 1-4 hold the duplicate-key, null and missing-key cases, all of the usual
    # shape: decoded typed. The full set holds wrong types and a line that is not JSON:
    # that run is read as plain JSON, the bad lines named as before.
    path = tmp_path / "ticket_metric_events.jsonl"
    path.write_text("".join(line + "\n" for line in EDGES[:4]), encoding="utf-8")
    assert {type(item) for _, item in json_records(path, "x", MetricEvent)} == {MetricEvent}
    path.write_text("".join(line + "\n" for line in EDGES), encoding="utf-8")
    found = dict(json_records(path, "x", MetricEvent))
    assert {type(item) for item in found.values()} == {dict, str}
    assert found[8] == "not a JSON object"  # line 8: [1, 2]
    assert found[7].startswith("not JSON (")  # line 7, after the blank line 6


def test_the_zendesk_folder_reads_as_convert_does(tmp_path: Path) -> None:
    # The same records through the typed file reader and through `convert` (plain
    # dicts): the same tickets, events and verdicts (sources name the file either way).
    folder = tmp_path / "zd"
    folder.mkdir()
    ticket = {"id": 7, "created_at": "2026-11-02T09:00:00Z", "priority": "high",
              "status": "open", "requester_id": 9}
    audits = [{"ticket_id": 7, "created_at": "2026-11-02T10:00:00Z", "author_id": 5,
               "events": [{"type": "Change", "field_name": "status",
                           "previous_value": "open", "value": "pending"}]},
              {"ticket_id": 7, "created_at": "2026-11-02T11:00:00Z", "author_id": 5,
               "events": [{"type": "Comment", "public": True, "author_id": 5}]}]
    events = [EVENT, {**EVENT, "type": "breach", "time": "2026-11-02T10:00:00Z"},
              {**EVENT, "type": "fulfill", "time": "2026-11-02T09:30:00Z"}]
    for name, rows in (("tickets.jsonl", [ticket]), ("audits.jsonl", audits),
                       ("ticket_metric_events.jsonl", events)):
        (folder / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    read, converted = read_zendesk(folder), convert([ticket], audits, events)
    assert read.tickets == converted.tickets
    assert [{**row, "note": ""} for row in read.events] == [
        {**row, "note": ""} for row in converted.events]
    assert [{**row, "source": row["source"].split(":")[1]} for row in read.verdicts] == [
        {**row, "source": row["source"].split(":")[1]} for row in converted.verdicts]
    # met: fulfilled 09:30 before the 10:00 breach, which the export kept
    assert [row["breached"] for row in read.verdicts] == [False]

