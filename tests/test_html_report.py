"""Issue 16: ``slacalc report --html``, rendered in headless Chromium (Debian's
``chromium``), checked on the DOM the browser built.

The report is made over the shipped event log; every number the page shows is compared
with counts computed here, independently, from the results CSV of the same run (and the
tickets file for the month of opening). The browser also runs the page's script (sorting
and filtering are exercised by a test script appended to a copy of the page), reports
any console message (none is expected), and renders the page at laptop and phone widths.
Chromium is required: without it these tests fail, saying so.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import struct
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slacalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "examples" / "eventlog"
NOW = "2026-11-30T12:00:00Z"
# The tier calendars' zones, read off the bundled policies (policies/*.yaml, `calendars`):
# vircom business America/Toronto; cloudmark business America/Los_Angeles; valimail
# business and always America/Los_Angeles; perfectmail always UTC.
ZONES = {"vircom": "America/Toronto", "cloudmark": "America/Los_Angeles",
         "valimail": "America/Los_Angeles", "perfectmail": "UTC"}
TIMEOUT = 120


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("the HTML report test needs headless Chromium: no `chromium` or "
                    "`chromium-browser` on PATH (Debian: apt-get install chromium)")
    return found


def _browse(page: Path, profile: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """Chromium, headless, on ``page`` (no network: every host name fails to resolve),
    with its console messages on stderr."""
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--disable-extensions", "--hide-scrollbars",
               "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", *flags, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                          check=True)


def _console(stderr: str) -> list[str]:
    """The page's console messages (Chromium logs each as ``...:CONSOLE(n)] "text"``)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def all(self, tag: str, **wanted: str) -> list[Node]:
        found = []
        for child in self.children:
            classes = child.attrs.get("class", "").split()
            if child.tag == tag and all(
                    (value in classes) if key == "class_" else child.attrs.get(
                        key.replace("_", "-")) == value for key, value in wanted.items()):
                found.append(child)
            found += child.all(tag, **wanted)
        return found

    def one(self, tag: str, **wanted: str) -> Node:
        found = self.all(tag, **wanted)
        assert len(found) == 1, (tag, wanted, len(found))
        return found[0]

    def content(self) -> str:
        return "".join(self.text) + "".join(child.content() for child in self.children)


_VOID = {"meta", "input", "br", "img", "link", "hr"}


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text.append(data)


def _dom(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    return tree.root


@dataclass
class Rendered:
    folder: Path
    page: Path
    dom: Node
    console: list[str]
    results: list[dict[str, str]]
    opened: dict[str, str]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    folder = tmp_path_factory.mktemp("html")
    page, results = folder / "report.html", folder / "results.csv"
    assert main(["report", str(LOG / "tickets.csv"), "--events", str(LOG / "events.csv"),
                 "--now", NOW, "--html", str(page), "-o", str(results), "--format",
                 "csv"]) == 0
    shown = _browse(page, folder / "profile", "--dump-dom")
    with results.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with (LOG / "tickets.csv").open(encoding="utf-8", newline="") as handle:
        opened = {row["ticket_id"]: row["opened_at"] for row in csv.DictReader(handle)}
    return Rendered(folder, page, _dom(shown.stdout), _console(shown.stderr), rows, opened)


def _group_rows(rows: list[dict[str, str]]) -> dict[tuple[str, ...], Counter[str]]:
    counts: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for row in rows:
        key = (row["policy"], row["tier"], row["priority"], row["metric"])
        status = row["status"]
        kind = {"running": "open", "paused": "open", "not_applicable": "no_target"}.get(
            status, status)
        counts[key][kind] += 1
    return counts


def _month(rendered: Rendered, row: dict[str, str]) -> str:
    """The month of the ticket's opening on its tier calendar's wall clock."""
    opened = datetime.fromisoformat(rendered.opened[row["ticket_id"]])
    return opened.astimezone(ZoneInfo(ZONES[row["policy"]])).strftime("%Y-%m")


def _metrics(rendered: Rendered) -> dict[tuple[str, ...], tuple[int, int, Node]]:
    """Each metric panel by (policy, tier, priority, metric): group and metric numbers
    (those of its chart ids) and the panel."""
    found = {}
    for group in rendered.dom.all("section", class_="group"):
        number = int(group.attrs["id"].removeprefix("group-"))
        head = (group.attrs["data-policy"], group.attrs["data-tier"],
                group.attrs["data-priority"])
        for index, panel in enumerate(group.all("article", class_="metric")):
            found[(*head, panel.attrs["data-metric"])] = (number, index, panel)
    return found


def test_the_page_logs_nothing_to_the_console(rendered: Rendered) -> None:
    assert rendered.console == []


def test_the_counts_shown_are_the_csv_counts(rendered: Rendered) -> None:
    expected = _group_rows(rendered.results)
    panels = _metrics(rendered)
    assert set(panels) == set(expected)
    for key, counts in expected.items():
        panel = panels[key][2]
        shown = {cell.attrs["data-count"]: cell.content()
                 for cell in panel.all("dd") if "data-count" in cell.attrs}
        met, breached = counts["met"], counts["breached"]
        assert shown == {"met": str(met), "breached": str(breached),
                         "open": str(counts["open"]), "void": str(counts["void"]),
                         "no_target": str(counts["no_target"]),
                         "rate": f"{breached / (met + breached):.1%}" if met + breached
                         else "-"}, key
    totals = {cell.attrs["data-total"]: cell.content()
              for cell in rendered.dom.one("dl", id="totals").all("dd")}
    statuses = Counter(row["status"] for row in rendered.results)
    # 300 tickets, two rows each (examples/eventlog has no bad row)
    assert totals["tickets"] == str(len(rendered.results) // 2) == "300"
    assert totals["failed"] == "0"
    assert totals["met"] == str(statuses["met"])
    assert totals["breached"] == str(statuses["breached"])
    decided = statuses["met"] + statuses["breached"]
    assert totals["rate"] == f"{statuses['breached'] / decided:.1%}"


def test_each_metric_with_a_target_has_its_two_charts(rendered: Rendered) -> None:
    expected = _group_rows(rendered.results)
    charted = 0
    for key, (group, index, panel) in _metrics(rendered).items():
        counts = expected[key]
        svgs = {svg.attrs.get("id") for svg in panel.all("svg")}
        if counts["no_target"] == sum(counts.values()):  # nothing to draw
            assert svgs == set(), key
            continue
        charted += 1
        assert svgs == {f"rate-{group}-{index}", f"spread-{group}-{index}"}, key
    # the summary (README example) has 24 (policy, tier, priority, metric) lines whose
    # "no target" count is below their tickets: cloudmark 6, valimail 12, vircom 6
    assert charted == 24


def test_the_monthly_bars_are_the_csv_counts_by_month_of_opening(rendered: Rendered) -> None:
    expected: dict[tuple[str, ...], Counter[tuple[str, str]]] = defaultdict(Counter)
    for row in rendered.results:
        if row["status"] in {"met", "breached"}:
            key = (row["policy"], row["tier"], row["priority"], row["metric"])
            expected[key][(_month(rendered, row), row["status"])] += 1
    for key, (group, index, panel) in _metrics(rendered).items():
        if key not in expected:
            continue
        chart = panel.one("svg", id=f"rate-{group}-{index}")
        bars = {bar.attrs["data-month"]: (int(bar.attrs["data-met"]),
                                          int(bar.attrs["data-breached"]))
                for bar in chart.all("rect", class_="bar")}
        months = {month for month, _ in expected[key]}
        assert bars == {month: (expected[key][(month, "met")],
                                expected[key][(month, "breached")]) for month in months}, key


def test_the_histograms_hold_every_stop_and_mark_the_target(rendered: Rendered) -> None:
    stops: Counter[tuple[str, ...]] = Counter()
    for row in rendered.results:
        if row["status"] in {"met", "breached"} and row["stopped_at"] and row["elapsed_seconds"]:
            stops[(row["policy"], row["tier"], row["priority"], row["metric"])] += 1
    for key, (group, index, panel) in _metrics(rendered).items():
        if not panel.all("svg"):
            continue
        chart = panel.one("svg", id=f"spread-{group}-{index}")
        assert sum(int(bar.attrs["data-count"]) for bar in chart.all("rect", class_="bin")
                   ) == stops[key], key
    # vircom standard P1 response: "30 minutes" (policies/vircom.yaml) = 1800 s; every
    # such row breached, so the length comes from the target as written
    group, index, panel = _metrics(rendered)[("vircom", "standard", "P1", "response")]
    target = panel.one("svg", id=f"spread-{group}-{index}").one("line", class_="target")
    assert target.attrs["data-seconds"] == "1800"
    # vircom standard P2 response: "1 business hour" = 3600 s, measured by its met rows
    group, index, panel = _metrics(rendered)[("vircom", "standard", "P2", "response")]
    target = panel.one("svg", id=f"spread-{group}-{index}").one("line", class_="target")
    assert target.attrs["data-seconds"] == "3600"


def test_the_table_lists_every_breached_and_running_row(rendered: Rendered) -> None:
    table = rendered.dom.one("table", id="tickets")
    heads = [head.content().strip() for head in table.all("th")]
    rows = [[cell.content() for cell in row.all("td")] for row in table.all("tbody")[0].all("tr")]
    shown = Counter((row[heads.index("ticket_id")], row[heads.index("metric")],
                     row[heads.index("status")]) for row in rows)
    expected = Counter((row["ticket_id"], row["metric"], row["status"])
                       for row in rendered.results if row["status"] in {"breached", "running"})
    assert shown == expected
    assert len(rows) == 158  # 157 breached and 1 running (the summary's counts)


def test_the_worst_overruns_are_drawn(rendered: Rendered) -> None:
    figures = rendered.dom.one("section", id="worst").all("figure")
    breached = sorted((float(row["overrun_seconds"]), row["ticket_id"])
                      for row in rendered.results if row["overrun_seconds"])
    worst = []
    for _, ticket in reversed(breached):
        if ticket not in worst:
            worst.append(ticket)
    assert [figure.one("strong").content() for figure in figures] == worst[:5]
    for figure in figures:
        picture = figure.one("svg")
        assert len(picture.all("g", class_="lane")) == 2  # response and resolution


def test_sorting_and_filtering_work_in_the_browser(rendered: Rendered) -> None:
    probe = rendered.folder / "probe.html"
    script = """<script>
    (function () {
      var table = document.getElementById("tickets"), heads = table.tHead.rows[0].cells;
      var column = -1, id = -1;
      for (var i = 0; i < heads.length; i++) {
        if (heads[i].textContent === "overrun") { column = i; }
        if (heads[i].textContent === "ticket_id") { id = i; }
      }
      heads[column].querySelector("button").click();  // ascending
      var low = table.tBodies[0].rows[0].cells[id].textContent;
      heads[column].querySelector("button").click();  // descending
      var high = table.tBodies[0].rows[0].cells[id].textContent;
      var search = document.getElementById("filter");
      search.value = "L-00246";
      search.dispatchEvent(new Event("input"));
      var seen = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        if (!row.hidden) { seen += 1; }
      });
      search.value = "";
      search.dispatchEvent(new Event("input"));
      var status = document.getElementById("status");
      status.value = "running";
      status.dispatchEvent(new Event("change"));
      var running = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        if (!row.hidden) { running += 1; }
      });
      document.body.setAttribute("data-probe", JSON.stringify(
        {low: low, high: high, seen: seen, running: running,
         shown: document.getElementById("shown").textContent}));
    })();
    </script></body>"""
    probe.write_text(rendered.page.read_text(encoding="utf-8").replace("</body>", script),
                     encoding="utf-8")
    done = _browse(probe, rendered.folder / "probe-profile", "--dump-dom")
    assert _console(done.stderr) == []
    found = json.loads(_dom(done.stdout).one("body").attrs["data-probe"])
    breached = [row for row in rendered.results if row["overrun_seconds"]]
    largest = max(breached, key=lambda row: float(row["overrun_seconds"]))
    # the one running row has no overrun: it sorts first, ascending (an empty cell)
    assert found["high"] == largest["ticket_id"] == "L-00246"
    assert found["low"] == next(row["ticket_id"] for row in rendered.results
                                if row["status"] == "running")
    assert found["seen"] == sum(row["ticket_id"] == "L-00246" for row in breached +
                                [row for row in rendered.results if row["status"] == "running"])
    assert found["running"] == 1
    assert found["shown"] == "1 of 158 rows"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(("width", "name"), [(1280, "laptop"), (390, "phone")])
def test_the_page_fits_laptop_and_phone_widths(rendered: Rendered, width: int,
                                               name: str) -> None:
    # Headless Chromium's window is at least 500 px wide, so the page is laid out in an
    # iframe of the width wanted (srcdoc: the same origin, so the probe can measure it).
    probe = rendered.folder / f"fit-{name}.html"
    page = rendered.page.read_text(encoding="utf-8")
    probe.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="frame" '
        f'style="width:{width}px;height:900px;border:0" srcdoc="{escape(page)}"></iframe>'
        """<script>
        window.addEventListener("load", function () {
          var frame = document.getElementById("frame"), inner = frame.contentDocument;
          document.body.setAttribute("data-fit", JSON.stringify({
            page: inner.documentElement.scrollWidth, view: frame.contentWindow.innerWidth,
            charts: Array.prototype.map.call(inner.querySelectorAll("svg.chart"),
              function (svg) { return Math.round(svg.getBoundingClientRect().right); })}));
        });
        </script></body></html>""", encoding="utf-8")
    done = _browse(probe, rendered.folder / f"fit-{name}-profile", "--window-size=1400,1000",
                   "--dump-dom")
    assert _console(done.stderr) == []
    fit = json.loads(_dom(done.stdout).one("body").attrs["data-fit"])
    assert fit["view"] == width
    assert fit["page"] <= width  # nothing wider than the screen: no sideways scrolling
    assert len(fit["charts"]) == 48  # 24 metrics with a target, two charts each
    assert max(fit["charts"]) <= width
    shot = rendered.folder / f"{name}.png"
    _browse(rendered.page, rendered.folder / f"shot-{name}-profile",
            f"--window-size={width},1600", f"--screenshot={shot}")
    assert _png_size(shot) == (width, 1600)


def test_the_page_loads_nothing_from_elsewhere(rendered: Rendered) -> None:
    html = rendered.page.read_text(encoding="utf-8")
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"\bsrc=|@import|url\((?!#)", html)  # url(#id): in the page
    # the only URL is the SVG namespace (a name, never fetched)
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}


def test_the_committed_screenshot_is_a_laptop_width_png() -> None:
    assert _png_size(ROOT / "docs" / "report.png")[0] == 1280
    assert "docs/report.png" in (ROOT / "README.md").read_text(encoding="utf-8")
