"""How reports look: the timeline SVG, the HTML tables and the terminal text.

The SVG is checked for structure, never pixels: it must parse as XML, and its classed
elements (lanes, open-hour shading, pauses, due lines, event markers) must match what the
ticket's history implies, derived by hand in each comment.
"""

from __future__ import annotations

import copy
import pickle
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slacalc import Deadlines, SLAReport, Ticket, bundled_policy, loads_policy
from slacalc.cli import main
from slacalc.render import timeline_svg
from slacalc.render._display import availability_html, availability_text, exact_length, percent

SVG = "{http://www.w3.org/2000/svg}"
TORONTO = ZoneInfo("America/Toronto")
LA = ZoneInfo("America/Los_Angeles")

# The docs/clocks.md ticket: vircom P2 opened Fri 17:30, responded Mon 07:55, workaround
# Mon 10:00. Response (1 business hour) due Mon 08:00: met. Resolution (24 real hours) due
# Sat 17:30, stopped by the workaround Mon 10:00: breached.
FRIDAY = {
    "id": "T-1", "tier": "standard", "priority": "high",
    "opened_at": "2026-11-20T17:30:00-05:00",
    "events": [{"kind": "responded", "at": "2026-11-23T07:55:00-05:00"},
               {"kind": "workaround", "at": "2026-11-23T10:00:00-05:00"}]}

PAUSING = """
schema_version: 1
name: pausing
vendor: Example
calendars:
  office: {timezone: America/Toronto, hours: {mon-fri: "09:00-17:00"}}
priorities:
  P2: {name: High}
tiers:
  standard:
    calendar: office
    targets:
      P2: {response: 4 business hours, resolution: 5 business days}
rules:
  awaiting_customer: pause
  paused_metrics: [resolution]
"""


def friday_report(**changes: Any) -> SLAReport:
    return bundled_policy("vircom").evaluate(Ticket.model_validate({**FRIDAY, **changes}))


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def classed(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def lane(root: ET.Element, metric: str) -> ET.Element:
    (found,) = [e for e in classed(root, "lane") if e.get("data-metric") == metric]
    return found


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


# -- the timeline picture ----------------------------------------------------------------


def test_one_lane_per_metric_with_due_lines_coloured_by_outcome() -> None:
    root = parse(timeline_svg(friday_report()))
    assert root.get("width") == "900"
    assert [e.get("data-metric") for e in classed(root, "lane")] == ["response", "resolution"]
    # Both metrics have a due instant: one due line each, met (response) and breached.
    assert [e.get("class") for e in classed(lane(root, "response"), "due")] == ["due met"]
    assert [e.get("class") for e in classed(lane(root, "resolution"), "due")] == [
        "due breached"]
    assert classed(lane(root, "resolution"), "due")[0].get("stroke") == "#cf222e"  # red
    # Sat 17:30 (resolution due) < Mon 08:00 (response due) < Mon 10:00 (now) on the axis.
    x_resolution = float(classed(lane(root, "resolution"), "due")[0].get("x1") or 0)
    x_response = float(classed(lane(root, "response"), "due")[0].get("x1") or 0)
    (now,) = classed(root, "now")
    assert x_resolution < x_response < float(now.get("x1") or 0)
    assert now.get("stroke-dasharray")  # dashed
    assert len(classed(root, "legend")) == 1
    assert "Ticket T-1" in "".join(root.itertext())


def test_open_hours_shaded_per_clock_and_real_time_open_all_along() -> None:
    root = parse(timeline_svg(friday_report()))
    # The axis runs Fri 17:30 -> Mon 10:00 (64.5 h) plus 64.5/25 h = 2 h 34.8 min each
    # side: Fri 14:55 to Mon 12:35. Business hours Mon-Fri 07:30-18:00 give two open
    # spans: Fri 14:55-18:00 and Mon 07:30-12:35.
    assert len(classed(lane(root, "response"), "open")) == 2
    # The resolution clock is 24x7: one open span, the whole lane, labelled real time.
    (whole,) = classed(lane(root, "resolution"), "open")
    (background,) = classed(lane(root, "resolution"), "lane-bg")
    assert (whole.get("x"), whole.get("width")) == (background.get("x"), background.get("width"))
    assert any("real time (24x7)" in text for text in texts(lane(root, "resolution")))
    # Resolution breached at Sat 17:30 and stopped Mon 10:00: one overrun span.
    assert len(classed(lane(root, "resolution"), "overrun")) == 1
    assert classed(lane(root, "response"), "overrun") == []


def test_event_markers_are_the_events_applied_by_now() -> None:
    root = parse(timeline_svg(friday_report()))
    assert [(e.get("data-kind"), e.get("data-index")) for e in classed(root, "event")] == [
        ("responded", "0"), ("workaround", "1")]
    assert len(classed(root, "opened")) == 1
    # As of Mon 08:30 the workaround (10:00) has not happened: one marker.
    report = bundled_policy("vircom").evaluate(
        Ticket.model_validate(FRIDAY), now=datetime(2026, 11, 23, 8, 30, tzinfo=TORONTO))
    root = parse(timeline_svg(report))
    assert [e.get("data-kind") for e in classed(root, "event")] == ["responded"]


def test_a_pause_is_a_hatched_span_in_the_paused_metric_lane_only() -> None:
    # Opened Mon 09:00; waiting on the customer Tue 11:00 to Thu 15:00, and again from
    # Tue 12-01 10:00 (still paused at now). The policy pauses resolution only.
    ticket = Ticket.model_validate({
        "id": "P-1", "tier": "standard", "priority": "P2",
        "opened_at": "2026-11-23T09:00:00-05:00",
        "events": [{"kind": "responded", "at": "2026-11-23T10:00:00-05:00"},
                   {"kind": "awaiting_customer", "at": "2026-11-24T11:00:00-05:00"},
                   {"kind": "customer_replied", "at": "2026-11-26T15:00:00-05:00"},
                   {"kind": "awaiting_customer", "at": "2026-12-01T10:00:00-05:00"}]})
    report = loads_policy(PAUSING, "pausing.yaml").evaluate(
        ticket, now=datetime(2026, 12, 3, 12, 0, tzinfo=TORONTO))
    assert report["resolution"].status == "paused"
    root = parse(timeline_svg(report))
    pauses = classed(lane(root, "resolution"), "pause")
    assert len(pauses) == 2
    assert classed(lane(root, "response"), "pause") == []
    # The hatch is an SVG pattern defined in the document, referenced by id.
    (pattern,) = root.iter(f"{SVG}pattern")
    assert {p.get("fill") for p in pauses} == {f"url(#{pattern.get('id')})"}
    # The second pause is still open: it runs to now, where the now line is.
    last = pauses[1]
    end = float(last.get("x") or 0) + float(last.get("width") or 0)
    assert end == pytest.approx(float(classed(root, "now")[0].get("x1") or 0), abs=0.2)
    # Paused past nothing: due unknown, so no due line in the resolution lane.
    assert classed(lane(root, "resolution"), "due") == []
    assert len(classed(root, "event")) == 4


def test_a_metric_without_target_gets_an_empty_lane_with_its_reason() -> None:
    # vircom P3 with category=defect: resolution has no deadline ("fixed in next release").
    report = bundled_policy("vircom").evaluate(Ticket.model_validate({
        "tier": "standard", "priority": "P3", "attributes": {"category": "defect"},
        "opened_at": "2026-11-02T09:00:00-05:00"}),
        now=datetime(2026, 11, 2, 9, 20, tzinfo=TORONTO))
    root = parse(timeline_svg(report))
    empty = lane(root, "resolution")
    assert empty.get("data-status") == "no_target"
    assert classed(empty, "due") == []
    assert classed(empty, "open") == []
    assert any(text.startswith("no target:") for text in texts(empty))
    # Response: 4 business hours from Mon 09:00 -> due 13:00; the axis runs 09:00-13:00
    # plus 4/25 h (9.6 min) each side. 4.32 h is more than eight 30-minute ticks, so the
    # ticks are whole hours: 09:00 .. 13:00.
    hours = [texts(tick)[0] for tick in classed(root, "tick")]
    assert hours == ["09:00", "10:00", "11:00", "12:00", "13:00"]


def test_ticks_of_a_ticket_open_for_weeks_are_days_apart() -> None:
    # Opened Mon 2026-11-02, seen on Wed 2027-01-20: about 79 days, 85 with margins; weekly
    # ticks would be 12 (> 8), so ticks fall every other Monday, labelled by date.
    report = bundled_policy("vircom").evaluate(Ticket.model_validate({
        "tier": "standard", "priority": "P3", "attributes": {"category": "defect"},
        "opened_at": "2026-11-02T09:00:00-05:00",
        "events": [{"kind": "responded", "at": "2026-11-02T15:00:00-05:00"}]}),
        now=datetime(2027, 1, 20, 12, 0, tzinfo=TORONTO))
    labels = [texts(tick)[0] for tick in classed(parse(timeline_svg(report)), "tick")]
    assert 4 <= len(labels) <= 8
    assert all(label.startswith("Mon ") and ":" not in label for label in labels)
    days = [datetime.strptime(f"{label} {2027 if label.endswith('Jan') else 2026}",
                              "%a %d %b %Y") for label in labels]
    assert {(b - a).days for a, b in pairwise(days)} == {14}


def test_text_is_escaped_and_the_picture_is_deterministic() -> None:
    report = friday_report(id="<T&1>")
    svg = timeline_svg(report)
    root = parse(svg)  # would fail on a raw '<' or '&'
    assert "Ticket <T&1>" in "".join(root.itertext())
    assert timeline_svg(report) == svg
    assert report._repr_svg_() == svg
    other = parse(timeline_svg(friday_report(id="T-2")))
    # Pattern ids differ per ticket, so several pictures can share one notebook page.
    assert next(root.iter(f"{SVG}pattern")).get("id") != next(
        other.iter(f"{SVG}pattern")).get("id")


def test_explain_writes_the_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ticket = tmp_path / "ticket.json"
    ticket.write_text(Ticket.model_validate(FRIDAY).model_dump_json(), encoding="utf-8")
    out = tmp_path / "timeline.svg"
    assert main(["explain", "vircom", "--ticket", str(ticket), "--svg", str(out)]) == 0
    assert "response: met" in capsys.readouterr().out
    root = parse(out.read_text(encoding="utf-8"))
    assert len(classed(root, "lane")) == 2


# -- HTML and text -----------------------------------------------------------------------


def html_rows(html: str) -> list[list[str]]:
    root = ET.fromstring(html)  # well-formed XML: every tag closed, every text escaped
    return [["".join(td.itertext()) for td in tr.iter("td")] for tr in root.iter("tr")][1:]


def test_report_html_is_a_table_with_a_header_line_and_the_picture() -> None:
    report = friday_report()
    html = report._repr_html_()
    root = ET.fromstring(html)
    caption = "".join(next(root.iter("caption")).itertext())
    # The header line: ticket, policy, tier, priority, now (in the tier calendar's zone).
    assert caption == ("Ticket T-1 · vircom (Vircom) · tier standard · priority P2 (High) · "
                       "as of Mon 2026-11-23 10:00 EST")
    # Response: 30 min Fri + 25 min Mon = 55 min used of 60, 5 left, due Mon 08:00.
    # Resolution: 24 real hours, Fri 17:30 -> Mon 10:00 = 64 h 30 min used, none left.
    assert html_rows(html) == [
        ["response", "met", "Mon 2026-11-23 08:00 EST", "55 min", "5 min", "1 business hour",
         "responded"],
        ["resolution", "breached", "Sat 2026-11-21 17:30 EST", "64 h 30 min", "0 min",
         "24 hours", "workaround"]]
    badges = [e.get("class") for e in root.iter("span")]
    assert badges == ["slacalc-status met", "slacalc-status breached"]
    assert len(list(root.iter(f"{SVG}svg"))) == 1  # the timeline, inline


def test_html_escapes_every_text() -> None:
    html = friday_report(id="<script>x</script>")._repr_html_()
    assert "<script>" not in html
    assert "Ticket <script>x</script>" in "".join(ET.fromstring(html).itertext())


def test_metric_html_and_str() -> None:
    report = friday_report()
    assert str(report) == report.explain()
    rows = html_rows(report["response"]._repr_html_())
    # Times in the ticket's own offset, named as parsed (-05:00): due Mon 08:00.
    assert rows == [["response", "met", "Mon 2026-11-23 08:00 -05:00", "55 min", "5 min",
                     "1 business hour", "responded"]]


# -- Deadlines ---------------------------------------------------------------------------


def friday_deadlines() -> Deadlines:
    opened = datetime(2026, 11, 20, 17, 30, tzinfo=TORONTO)
    # vircom P2: response 1 business hour -> Mon 08:00; resolution 24 hours -> Sat 17:30.
    return Deadlines({"response": datetime(2026, 11, 23, 8, 0, tzinfo=TORONTO),
                      "resolution": datetime(2026, 11, 21, 17, 30, tzinfo=TORONTO),
                      "workaround": None},
                     policy="vircom", tier="standard", priority="P2", opened_at=opened,
                     targets={"response": "1 business hour", "resolution": "24 hours"})


def test_deadlines_compare_as_plain_dicts() -> None:
    due = friday_deadlines()
    plain = {"response": datetime(2026, 11, 23, 8, 0, tzinfo=TORONTO),
             "resolution": datetime(2026, 11, 21, 17, 30, tzinfo=TORONTO), "workaround": None}
    assert due == plain
    assert plain == due
    assert isinstance(due, dict)
    assert repr(due) == repr(plain)
    assert Deadlines(plain) == due  # context never takes part
    assert Deadlines() == {}
    for clone in (pickle.loads(pickle.dumps(due)), copy.copy(due), copy.deepcopy(due)):
        assert clone == plain
        assert clone.policy == "vircom"


def test_deadlines_print_as_a_table() -> None:
    assert str(friday_deadlines()) == "\n".join([
        "vircom, tier standard, priority P2, opened Fri 2026-11-20 17:30 EST",
        "metric      target           due",
        "----------  ---------------  ------------------------",
        "response    1 business hour  Mon 2026-11-23 08:00 EST",
        "resolution  24 hours         Sat 2026-11-21 17:30 EST",
        "workaround                   no deadline"])
    assert str(Deadlines()) == "Deadlines\n(no targets)"
    assert html_rows(friday_deadlines()._repr_html_())[2] == ["workaround", "", "no deadline"]


# -- availability (helpers for AvailabilityReport's __str__ and _repr_html_) --------------


def test_availability_text_and_html() -> None:
    # valimail, October 2026: 744 h, 186 h maintenance, 558 h committed; 2008.8 s down is
    # exactly 0.1% of 558 h: uptime 99.9%, met, no credit.
    start = datetime(2026, 10, 14, 12, 0, tzinfo=LA)
    report = bundled_policy("valimail").availability_report(
        "2026-10", [(start, start + timedelta(seconds=2008, microseconds=800_000))],
        monthly_fee=Decimal("1200.00"))
    text = availability_text(report)
    for line in ("committed              558 h", "downtime               33 min 28.8 s",
                 "target                 99.9%", "status                 met"):
        assert line in text.splitlines()
    rows = dict(html_rows(availability_html(report)))
    assert rows["scheduled maintenance"] == "186 h"
    assert rows["status"] == "met"


@pytest.mark.parametrize(("value", "shown"), [
    (timedelta(seconds=2008, microseconds=800_000), "33 min 28.8 s"),
    (timedelta(hours=558), "558 h"), (timedelta(0), "0 s"),
    (timedelta(microseconds=-1), "-0.000001 s")])
def test_exact_length(value: timedelta, shown: str) -> None:
    assert exact_length(value) == shown


def test_percent_truncates() -> None:
    assert percent(Fraction(999, 1000)) == "99.9%"
    assert percent(Fraction(2, 3)) == "66.6666%"  # 66.66666... truncated, not 66.6667
    assert percent(Fraction(1)) == "100%"
