"""Issue 16: the HTML report's SVG charts (geometry by hand) and its escaping of ticket
text (a hostile ticket id or policy name never becomes markup)."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from slacalc.cli import main
from slacalc.render._charts import bins, histogram_svg, rate_svg
from slacalc.render._page import GroupPanel, MetricPanel, Page, Worst, page_html

SVG = "{http://www.w3.org/2000/svg}"
# The plot of both charts (render/_charts.py): 360 x 170 px, margins left 40, right 12,
# top 22, bottom 34 -> a plot 308 px wide and 114 px high, from x 40 and y 22.
PLOT_W, PLOT_H, LEFT, TOP = 308, 114, 40, 22
HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "&lt;b&gt;",
           "</textarea><svg onload=alert(3)>"]


def _elements(svg: str, tag: str, kind: str) -> list[ET.Element]:
    root = ET.fromstring(svg)  # the charts are well-formed XML
    return [node for node in root.iter(f"{SVG}{tag}") if node.get("class") == kind]


def test_bins_span_the_target_and_count_the_overflow_in_the_last_bin() -> None:
    # p95 of [0, 600, 1200, 3600] (linear, rank 0.95 * 3 = 2.85) is 1200 + 0.85 * 2400 =
    # 3240, below 1.5 x 3600 = 5400: three bins of 1800 s; 0, 600, 1200 in the first,
    # 3600 starts the last ([from, to) bins)
    edges, counts = bins(np.array([0.0, 600.0, 1200.0, 3600.0]), 3600.0, 3)
    assert edges == [0.0, 1800.0, 3600.0, 5400.0]
    assert counts == [3, 0, 1]


def test_one_outlier_does_not_squash_the_histogram() -> None:
    # nine values of 100 s and one of 1,000,000 s, no target: p95 is at rank 8.55, so
    # 100 + 0.55 * 999,900 = 550,045; four bins of 137,511.25 s; the outlier is beyond
    # the last edge and counted in the last bin
    values = np.array([100.0] * 9 + [1_000_000.0])
    edges, counts = bins(values, None, 4)
    assert edges[-1] == pytest.approx(550_045.0)
    assert counts == [9, 0, 0, 1]


def test_no_value_and_no_target_span_one_hour() -> None:
    edges, counts = bins(np.zeros(0), None, 2)
    assert edges == [0.0, 1800.0, 3600.0]
    assert counts == [0, 0]


def test_the_rate_bars_are_as_high_as_the_breach_rate() -> None:
    svg = rate_svg([("2026-10", 3, 1), ("2026-11", 0, 0), ("2026-12", 0, 2)],
                   chart_id="rate-0-0", label="x")
    bars = _elements(svg, "rect", "bar")
    # 2026-11 decided nothing: no bar. 1 of 4 breached -> 25% of 114 px = 28.5 px;
    # 2 of 2 -> 114 px. Two slots of 154 px; bars 48 px wide (0.7 x 154 capped at 48),
    # centred: x = 40 + 53 = 93 and 40 + 154 + 53 = 247.
    assert [(bar.get("data-month"), bar.get("data-met"), bar.get("data-breached"))
            for bar in bars] == [("2026-10", "3", "1"), ("2026-12", "0", "2")]
    assert [float(bar.get("height", "")) for bar in bars] == [28.5, 114.0]
    assert [float(bar.get("y", "")) for bar in bars] == [TOP + PLOT_H - 28.5, TOP]
    assert [float(bar.get("x", "")) for bar in bars] == [93.0, 247.0]
    assert ET.fromstring(svg).get("id") == "rate-0-0"


def test_the_histogram_marks_the_target_where_it_falls() -> None:
    svg = histogram_svg(np.array([600.0, 1200.0]), 3600.0, chart_id="spread-1-0",
                        label="x")
    # span 0..5400 s (1.5 x the target): the target line at 40 + 308 x 3600 / 5400
    target = _elements(svg, "line", "target")
    assert len(target) == 1
    assert float(target[0].get("x1", "")) == pytest.approx(LEFT + PLOT_W * 2 / 3, abs=0.05)
    assert target[0].get("data-seconds") == "3600"
    found = _elements(svg, "rect", "bin")
    assert len(found) == 12
    # 12 bins of 450 s: 600 s in the second, 1200 s in the third; the fullest bin is the
    # plot's height
    assert [int(bin_.get("data-count", "")) for bin_ in found] == [0, 1, 1] + [0] * 9
    assert {float(bin_.get("height", "")) for bin_ in found[1:3]} == {PLOT_H}


def test_chart_labels_are_escaped() -> None:
    svg = rate_svg([("<b>", 1, 1)], chart_id='x"y', label="<script>alert(1)</script>")
    assert "<script>" not in svg
    assert "<b>" not in svg
    root = ET.fromstring(svg)
    assert root.get("id") == 'x"y'
    assert root.get("aria-label") == "<script>alert(1)</script>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_page_text_from_the_input_is_escaped() -> None:
    panel = MetricPanel(HOSTILE[3], {"met": 1, "breached": 1}, [("2026-10", 1, 1)],
                        np.array([60.0]), 3600.0, {"clock": (60.0, 60.0, 60.0)})
    page = Page(HOSTILE[2], 1, 0, [GroupPanel(HOSTILE[0], HOSTILE[1], HOSTILE[2], [panel])],
                [Worst(HOSTILE[0], HOSTILE[1], "response", HOSTILE[3], 60.0)],
                ("ticket_id", "policy", "overrun_seconds"),
                [(HOSTILE[0], HOSTILE[1], "60")])
    html = page_html(page)
    tags = _tags(html)
    # the only script is the page's own, no element has an event handler, no image
    assert [tag for tag, _ in tags if tag == "script"] == ["script"]
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert not any(tag == "img" for tag, _ in tags)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;lt;b&amp;gt;" in html  # already-escaped text is escaped again
    group = next(attrs for tag, attrs in tags if tag == "section"
                 and attrs.get("class") == "group")
    assert (group["data-policy"], group["data-tier"]) == (HOSTILE[0], HOSTILE[1])


def test_hostile_ticket_ids_and_policies_stay_text_in_the_report(tmp_path: Path) -> None:
    tickets = tmp_path / "tickets.csv"
    with tickets.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ticket_id", "policy", "tier", "priority", "opened_at"])
        for ticket_id in HOSTILE:  # vircom P2 opened Fri 10:00, nothing since: breached
            writer.writerow([ticket_id, "vircom", "standard", "P2",
                             "2026-11-20T10:00:00-05:00"])
        writer.writerow(["T-bad", "<b>nope</b>", "standard", "P2",
                         "2026-11-20T10:00:00-05:00"])
    page = tmp_path / "report.html"
    assert main(["report", str(tickets), "--now", "2026-12-01T00:00:00Z", "--format", "csv",
                 "-o", str(tmp_path / "out.csv"), "--html", str(page)]) == 1  # T-bad failed
    html = page.read_text(encoding="utf-8")
    tags = _tags(html)
    assert [tag for tag, _ in tags if tag == "script"] == ["script"]
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert not re.search(r"<(img|textarea|b)\b", html)
    cells = [attrs for tag, attrs in tags if tag == "td"]
    assert cells  # the breached rows are listed, their ids as text
    for ticket_id in HOSTILE:
        assert html.count(_escaped(ticket_id)) >= 2  # in the table, as text, each metric


def _escaped(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


def test_html_naming_a_folder_is_refused_before_anything_is_read(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("ticket_id,policy,tier,priority,opened_at\n", encoding="utf-8")
    assert main(["report", str(tickets), "--html", str(tmp_path)]) == 2
    assert f"--html {tmp_path}: is a folder" in capsys.readouterr().err
