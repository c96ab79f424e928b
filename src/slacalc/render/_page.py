"""The HTML report: one self-contained page (inline CSS, SVG and a little JavaScript; no
network, no font or script from elsewhere), readable on a phone and on a laptop.

It takes plain data (`Page`, built by the batch report from its summary): per policy,
tier and priority, each metric's counts, breach rate per month and times to the stop
against the target (`slacalc.render._charts`); the worst overruns with their timeline
pictures (SVG made by `timeline_svg`, which escapes its own text); and a table of
breached and running rows that sorts (click a heading) and filters (a search box and a
status choice). Every text from the input (ticket ids, policy, tier and priority names)
is escaped here.

Elements tools and tests read: ``#totals dd[data-total]``, ``section.group`` with
``data-policy``, ``data-tier``, ``data-priority``; ``article.metric[data-metric]`` with
``dd[data-count]`` (``met``, ``breached``, ``open``, ``void``, ``no_target``, ``rate``);
the charts ``svg#rate-G-M`` and ``svg#spread-G-M`` (group G, metric M, from 0);
``#worst figure``; ``table#tickets``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

import numpy as np
import numpy.typing as npt

from ._charts import histogram_svg, rate_svg

__all__ = ["GroupPanel", "MetricPanel", "Page", "Worst", "page_html"]

Floats = npt.NDArray[np.float64]
_COUNTS = (("met", "met"), ("breached", "breached"), ("open", "open"), ("void", "void"),
           ("no_target", "no target"))


@dataclass(frozen=True, slots=True)
class MetricPanel:
    """One metric of a group: counts by kind (`_COUNTS` keys), ``(month, met, breached)``,
    the times to the stop in seconds on the target's clock and in real time, the
    target's length (seconds) and each clock's (p50, p90, p99)."""

    metric: str
    counts: Mapping[str, int]
    months: Sequence[tuple[str, int, int]] = ()
    clock: Floats = field(default_factory=lambda: np.zeros(0))
    target: float | None = None
    percentiles: Mapping[str, tuple[float, ...] | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GroupPanel:
    """A policy, tier and priority, and its metrics."""

    policy: str
    tier: str
    priority: str
    metrics: Sequence[MetricPanel]


@dataclass(frozen=True, slots=True)
class Worst:
    """An overrun: its row (ticket, policy, metric, due, seconds late) and the ticket's
    timeline picture (SVG text from `timeline_svg`; "" when none could be drawn)."""

    ticket: str
    policy: str
    metric: str
    due: str
    seconds: float
    svg: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """Everything the page shows. ``columns`` name the cells of ``rows`` (a name ending
    in ``_seconds`` is shown as hours and sorts as a number)."""

    as_of: str
    tickets: int
    failed: int
    groups: Sequence[GroupPanel]
    worst: Sequence[Worst]
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    kept: int = 0  # at most this many breached and running rows each are listed


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def _rate(met: int, breached: int) -> str:
    return f"{breached / (met + breached):.1%}" if met + breached else "-"


def _totals(page: Page) -> str:
    met = sum(m.counts.get("met", 0) for g in page.groups for m in g.metrics)
    breached = sum(m.counts.get("breached", 0) for g in page.groups for m in g.metrics)
    items = (("tickets", "tickets", f"{page.tickets:,}"), ("failed", "rows failed",
             f"{page.failed:,}"), ("met", "met", f"{met:,}"),
             ("breached", "breached", f"{breached:,}"),
             ("rate", "breach rate", _rate(met, breached)))
    return '<dl id="totals">' + "".join(
        f'<div><dt>{label}</dt><dd data-total="{key}">{value}</dd></div>'
        for key, label, value in items) + "</dl>"


def _spread(panel: MetricPanel) -> str:
    lines = []
    for key, label in (("clock", "on the target's clock"), ("real", "real time")):
        found = panel.percentiles.get(key)
        if found:
            lines.append(f'<li data-clock="{key}">{label}: median {_hours(found[0])}, '
                         f"p90 {_hours(found[1])}, p99 {_hours(found[2])}</li>")
    if not lines:
        return ""
    return (f'<p class="note">time to the stop ({len(panel.clock):,} stops)</p>'
            f'<ul class="spread">{"".join(lines)}</ul>')


def _metric(group: int, index: int, panel: MetricPanel, title: str) -> str:
    counts = panel.counts
    met, breached = counts.get("met", 0), counts.get("breached", 0)
    cells = "".join(f'<div><dt>{label}</dt><dd data-count="{key}">{counts.get(key, 0):,}'
                    f"</dd></div>" for key, label in _COUNTS)
    cells += (f'<div><dt>breach rate</dt><dd data-count="rate">{_rate(met, breached)}'
              f"</dd></div>")
    charts = ""
    name = escape(panel.metric)
    if met + breached or len(panel.clock) or panel.target is not None:
        charts = ("<h5>breach rate by month of opening</h5>"
                  + rate_svg(panel.months, chart_id=f"rate-{group}-{index}",
                             label=f"{title} {panel.metric}: breach rate by month")
                  + "<h5>time to the stop on the target's clock</h5>"
                  + histogram_svg(panel.clock, panel.target,
                                  chart_id=f"spread-{group}-{index}",
                                  label=f"{title} {panel.metric}: time to the stop"))
    return (f'<article class="metric" data-metric="{name}"><h4>{name}</h4>'
            f'<dl class="counts">{cells}</dl>{_spread(panel)}{charts}</article>')


def _group(index: int, group: GroupPanel) -> str:
    title = f"{group.policy} · {group.tier} · {group.priority}"
    metrics = "".join(_metric(index, number, panel, title)
                      for number, panel in enumerate(group.metrics))
    return (f'<section class="group" id="group-{index}" data-policy="{escape(group.policy)}" '
            f'data-tier="{escape(group.tier)}" data-priority="{escape(group.priority)}">'
            f'<h3>{escape(title)}</h3><div class="grid">{metrics}</div></section>')


def _overview(groups: Sequence[GroupPanel]) -> str:
    """One line per metric with a target: counts, breach rate and the median and p90 of
    the time to the stop on the target's clock, linking to its group."""
    heads = ("policy", "tier", "priority", "metric", "met", "breached", "open",
             "breach rate", "median", "p90")
    rows = []
    for index, group in enumerate(groups):
        for panel in group.metrics:
            counts = panel.counts
            met, breached = counts.get("met", 0), counts.get("breached", 0)
            if not met + breached + counts.get("open", 0):
                continue
            spread = panel.percentiles.get("clock")
            cells = [f'<a href="#group-{index}">{escape(group.policy)}</a>',
                     escape(group.tier), escape(group.priority), escape(panel.metric),
                     f"{met:,}", f"{breached:,}", f"{counts.get('open', 0):,}",
                     _rate(met, breached), _hours(spread[0]) if spread else "-",
                     _hours(spread[1]) if spread else "-"]
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    head = "".join(f'<th scope="col">{name}</th>' for name in heads)
    return ('<section id="overview"><h2>At a glance</h2><p class="note">Median and p90: '
            "time to the stop on the target's clock.</p><div class=\"scroll\">"
            f'<table id="overview-table"><thead><tr>{head}</tr></thead><tbody>'
            f'{"".join(rows)}</tbody></table></div></section>')


def _worst(worst: Sequence[Worst]) -> str:
    if not worst:
        return '<section id="worst"><h2>Worst overruns</h2><p>None breached.</p></section>'
    figures = "".join(
        f'<figure><figcaption><strong>{escape(item.ticket) or "(no id)"}</strong> '
        f"{escape(item.policy)} {escape(item.metric)}: due {escape(item.due)}, "
        f"{_hours(item.seconds)} late</figcaption>"
        f'{item.svg or "<p>(no picture: the ticket could not be found again)</p>"}</figure>'
        for item in worst)
    return f'<section id="worst"><h2>Worst overruns</h2>{figures}</section>'


def _table(page: Page) -> str:
    heads = "".join(
        f'<th scope="col" data-type="{"number" if name.endswith("_seconds") else "text"}">'
        f'<button type="button">{escape(name.removesuffix("_seconds"))}</button></th>'
        for name in page.columns)
    body = []
    for row in page.rows:
        cells = []
        for name, value in zip(page.columns, row, strict=True):
            if name.endswith("_seconds"):
                shown = _hours(float(value)) if value else ""
                cells.append(f'<td data-value="{escape(value)}">{shown}</td>')
            else:
                cells.append(f"<td>{escape(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = (f" (at most {page.kept:,} of each: the largest overruns, and the running "
            f"rows with the least time left)") if page.kept else ""
    return ('<section id="watch"><h2>Breached and at-risk rows</h2>'
            f'<p class="note">Breached rows and rows still running{note}. Click a heading '
            'to sort.</p><div class="filters"><label>search <input id="filter" '
            'type="search" autocomplete="off"></label> <label>status <select id="status">'
            '<option value="">all</option><option>breached</option><option>running'
            f'</option></select></label> <span id="shown">{len(page.rows):,} rows</span>'
            f'</div><div class="scroll"><table id="tickets"><thead><tr>{heads}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div></section>')


_CSS = """
:root{color-scheme:light;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1f2328;background:#f6f8fa}
header,main{max-width:1200px;margin:0 auto;padding:0 12px}
h1{font-size:1.5rem;margin:16px 0 0}h2{font-size:1.2rem;margin:28px 0 8px}
h3{font-size:1.05rem;margin:0 0 8px}h4{margin:0 0 6px;font-size:1rem}
h5{margin:10px 0 2px;font-size:.8rem;font-weight:600;color:var(--muted)}
.note{color:var(--muted);font-size:.85rem;margin:4px 0}
#totals{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
#totals div,.counts div{background:#fff;border:1px solid var(--line);border-radius:6px;
padding:4px 10px}
dt{font-size:.75rem;color:var(--muted)}dd{margin:0;font-weight:600}
.group{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px;
margin:12px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,340px),1fr));
gap:16px}
.counts{display:flex;flex-wrap:wrap;gap:6px;margin:0}
.spread{margin:4px 0;padding-left:18px;font-size:.85rem}
svg{display:block;width:100%;height:auto;max-width:100%}
svg.chart{max-width:460px}
figure{margin:12px 0;background:#fff;border:1px solid var(--line);border-radius:8px;
padding:8px;overflow-x:auto}
figcaption{margin-bottom:6px}
.scroll{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{padding:4px 8px;border-bottom:1px solid #eaeef2;text-align:left;white-space:nowrap}
th button{all:unset;cursor:pointer;font-weight:600}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
td[data-value]{text-align:right;font-variant-numeric:tabular-nums}
#overview-table td:nth-child(n+5),#overview-table th:nth-child(n+5){text-align:right;
font-variant-numeric:tabular-nums}
a{color:#0969da}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0}
input,select{font:inherit;padding:2px 6px}
@media (max-width:600px){body{font-size:14px}.group{padding:8px}}
"""

_SCRIPT = """
(function () {
  var table = document.getElementById("tickets");
  if (!table) { return; }
  var body = table.tBodies[0], search = document.getElementById("filter");
  var status = document.getElementById("status"), shown = document.getElementById("shown");
  var at = -1;
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
    if (cell.textContent === "status") { at = index; }
  });
  function filter() {
    var words = search.value.toLowerCase(), wanted = status.value, count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var keep = row.textContent.toLowerCase().indexOf(words) >= 0 &&
        (!wanted || at < 0 || row.cells[at].textContent === wanted);
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = count + " of " + body.rows.length + " rows";
  }
  function key(row, index, number) {
    var cell = row.cells[index];
    if (!number) { return cell.textContent; }
    var value = parseFloat(cell.getAttribute("data-value"));
    return isNaN(value) ? -Infinity : value;
  }
  table.tHead.addEventListener("click", function (event) {
    var head = event.target.closest("th");
    if (!head) { return; }
    var up = head.getAttribute("aria-sort") !== "ascending";
    var number = head.getAttribute("data-type") === "number", index = head.cellIndex;
    Array.prototype.forEach.call(head.parentNode.cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    head.setAttribute("aria-sort", up ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, index, number), y = key(b, index, number);
      var order = x < y ? -1 : (x > y ? 1 : 0);
      return up ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
  search.addEventListener("input", filter);
  status.addEventListener("change", filter);
})();
"""


def page_html(page: Page) -> str:
    """The whole report as one HTML document.

    Boundary rule: every text from the input is escaped (``<``, ``>``, ``&`` and quotes);
    the page loads nothing from elsewhere (no link, no image or script source).
    Example: a `Page` of one group -> ``<!DOCTYPE html>...<section class="group"
    id="group-0" data-policy="vircom" ...>``.
    """
    as_of = escape(page.as_of)
    groups = "".join(_group(index, group) for index, group in enumerate(page.groups))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>SLA report as of {as_of}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>SLA report</h1><p class=\"note\">as of {as_of}; breach rate = "
            "breached / (met + breached)</p>"
            f"{_totals(page)}</header><main>{_overview(page.groups)}"
            f"<section id=\"groups\"><h2>By policy, tier and priority</h2>{groups}</section>"
            f"{_worst(page.worst)}{_table(page)}</main>"
            f"<script>{_SCRIPT}</script></body></html>\n")
