"""The policy models, deadlines, overlays, lint, schema, and the YAML round trip."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slacalc import (
    Policy,
    UnknownPriorityError,
    UnknownTierError,
    load_policy,
    loads_policy,
    policy_json_schema,
)
from slacalc.policy import lint

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
LONDON = ZoneInfo("Europe/London")

SUPPORT = """
schema_version: 1
name: support
vendor: Example
calendars:
  office:
    {timezone: Europe/London, hours: {mon-fri: "09:00-17:00"}, holidays: {country: GB, subdiv: ENG}}
  phones: {timezone: Europe/London, hours: {daily: "08:00-20:00"}}
priorities:
  P1: {name: Critical, aliases: [critical, Urgent]}
  P2: {name: Normal, aliases: [normal]}
tiers:
  standard:
    calendar: office
    targets:
      P1:
        response:
          - {when: {opened: after_hours, channel: [phone, chat]}, within: 30 minutes}
          - {within: 1 business hour}
        resolution: {within: 4-8 business hours, stops_on: [workaround]}
      P2:
        response: {within: 2 business hours, clock: phones}
        resolution:
          - {when: {category: defect}, within: none, reason: next release}
          - {within: 2 business days}
"""


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


@pytest.fixture(scope="module")
def support() -> Policy:
    return loads_policy(SUPPORT, "support.yaml")


def test_deadlines_on_the_tier_calendar(support: Policy) -> None:
    # Fri 2026-11-20 16:30, opened by email in hours: P1 response 1 business hour = 30 min
    # on Friday + Mon 09:00-09:30; resolution due at the range's upper bound, 8 business
    # hours = 30 min Fri + 7.5 h Mon -> Mon 16:30.
    due = support.deadlines("standard", "P1", london(2026, 11, 20, 16, 30), channel="email")
    assert due == {"response": london(2026, 11, 23, 9, 30),
                   "resolution": london(2026, 11, 23, 16, 30)}


def test_after_hours_phone_p1_is_real_time(support: Policy) -> None:
    # Sat 10:00 by phone: the first entry matches (after hours, phone): 30 real minutes.
    due = support.deadlines("standard", "critical", london(2026, 11, 21, 10, 0), channel="Phone")
    assert due["response"] == london(2026, 11, 21, 10, 30)
    # The same ticket by email falls to the second entry: Monday 10:00.
    due = support.deadlines("standard", "critical", london(2026, 11, 21, 10, 0), channel="email")
    assert due["response"] == london(2026, 11, 23, 10, 0)


def test_a_target_clock_overrides_the_tier_calendar(support: Policy) -> None:
    # P2 response runs on the phones calendar (daily 08:00-20:00): Sat 19:00 + 2 h ->
    # 1 h Saturday + Sun 08:00-09:00. Resolution: 2 business days of 8 h on the office
    # calendar, closed at weekends: Mon 09:00 + 16 h -> Tue 17:00.
    due = support.deadlines("standard", "P2", london(2026, 11, 21, 19, 0))
    assert due == {"response": london(2026, 11, 22, 9, 0),
                   "resolution": london(2026, 11, 24, 17, 0)}


def test_none_targets_have_no_deadline(support: Policy) -> None:
    due = support.deadlines("standard", "normal", london(2026, 11, 23, 9, 0), category="Defect")
    assert due["resolution"] is None


def test_unknown_tier_and_priority_list_the_valid_names(support: Policy) -> None:
    with pytest.raises(UnknownTierError, match="no tier 'gold'; tiers: standard"):
        support.deadlines("gold", "P1", london(2026, 11, 23, 9, 0))
    with pytest.raises(UnknownPriorityError, match=r"priorities: P1 \(critical, Urgent\), P2"):
        support.deadlines("standard", "P7", london(2026, 11, 23, 9, 0))
    with pytest.raises(LookupError):
        support.priority_key("high")
    assert support.priority_key("URGENT") == "P1"


def test_locations_are_remembered(support: Policy) -> None:
    assert support.location("tiers", "standard", "targets", "P2", "response") == (
        "support.yaml", 22, 9)


def test_extends_a_bundled_or_local_policy() -> None:
    local = load_policy(FIXTURES / "valid" / "local-overlay.yaml")
    assert local.name == "minimal-plus"
    assert list(local.tiers) == ["standard", "premium"]  # the base's tier is kept
    assert local.vendor == "Example"
    # Mon 09:00 + 30 business minutes on the base's office calendar.
    due = local.deadlines("premium", "P1", london(2026, 11, 23, 9, 0))
    assert due["response"] == london(2026, 11, 23, 9, 30)
    assert local.location("tiers", "premium")[0].endswith("local-overlay.yaml")  # type: ignore[index]
    assert local.location("vendor")[0].endswith("minimal.yaml")  # type: ignore[index]


def test_a_target_replaces_a_target_whole() -> None:
    base = yaml.safe_load(SUPPORT)
    overlay = "\n".join([
        "schema_version: 1", "name: support-negotiated", "extends: support.yaml",
        "tiers:", "  standard:", "    targets:", "      P1:",
        "        response: 15 business minutes",
    ])
    directory = FIXTURES.parent / ".tmp-overlay"
    directory.mkdir(exist_ok=True)
    try:
        (directory / "support.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
        (directory / "negotiated.yaml").write_text(overlay, encoding="utf-8")
        merged = load_policy(directory / "negotiated.yaml")
    finally:
        for file in directory.iterdir():
            file.unlink()
        directory.rmdir()
    p1 = merged.tiers["standard"].targets["P1"]
    assert [str(entry.within) for entry in p1["response"]] == ["15 business minutes"]
    assert [str(entry.within) for entry in p1["resolution"]] == ["4-8 business hours"]


# -- lint ------------------------------------------------------------------------------


def _lint(text: str) -> list[str]:
    return [f"{f.severity} {f.key}: {f.message}" for f in
            lint(loads_policy(text, "p.yaml"), as_of=date(2026, 11, 22))]


def test_lint_compares_due_instants_not_numbers(support: Policy) -> None:
    # P1 (1 business hour, office 09:00-17:00) against P2 (2 business hours on the phones
    # calendar, daily 08:00-20:00): opened Mon 17:00, P1 is due Tue 10:00 but P2 Mon 19:00.
    # The first such probe of the fortnight from Mon 2026-11-23 is that Monday's 17:00.
    (finding,) = lint(support, as_of=date(2026, 11, 22))
    assert finding.key == "tiers.standard.targets.P1.response"
    assert finding.message == ("P1 is due later than the less urgent P2 for a ticket opened "
                               "Mon 2026-11-23 17:00 GMT")
    assert (finding.severity, finding.path, finding.line) == ("warning", "support.yaml", 17)


def test_lint_finds_inverted_priorities_tiers_and_metrics() -> None:
    text = """
schema_version: 1
name: odd
vendor: Example
calendars:
  office: {timezone: UTC, hours: {mon-fri: "09:00-17:00"}}
priorities:
  P1: {name: Critical}
  P2: {name: Normal}
tiers:
  basic:
    calendar: office
    targets:
      P1: {response: 4 business hours, resolution: 2 business hours}
      P2: {response: 1 business hour}
  premium:
    calendar: office
    targets:
      P1: {response: 8 business hours}
      P2:
        response:
          - {within: 1 business hour}
          - {when: {channel: phone}, within: 30 minutes}
"""
    found = _lint(text)
    assert any(f.startswith("warning tiers.basic.targets.P1.response: P1 is due later than the "
                            "less urgent P2") for f in found), found
    assert any(f.startswith("warning tiers.premium.targets.P1.response: tier 'premium' is "
                            "slower than the lower tier 'basic'") for f in found), found
    assert any(f.startswith("warning tiers.basic.targets.P1.resolution: resolution is due "
                            "before the response") for f in found), found
    assert any(f.startswith("warning tiers.premium.targets.P2.response.1: entry 1 can never "
                            "apply") for f in found), found
    assert len(found) == 5  # premium P1 is also slower than premium P2


def test_lint_finds_a_calendar_that_never_opens_in_the_year() -> None:
    text = """
schema_version: 1
name: closed
vendor: Example
calendars:
  office: {timezone: UTC, hours: {mon: closed}, special_hours: {"2020-01-06": "09:00-10:00"}}
priorities:
  P1: {name: Critical}
tiers:
  basic: {calendar: office}
"""
    assert _lint(text) == ["error calendars.office: calendar 'office' has no open time in the "
                           "year from 2026-11-22"]


def test_findings_carry_their_line() -> None:
    policy = loads_policy(SUPPORT.replace("within: 4-8 business hours", "within: 30 minutes"),
                          "s.yaml")
    (finding,) = [f for f in lint(policy, as_of=date(2026, 11, 22)) if "resolution" in f.key]
    assert (finding.path, finding.line) == ("s.yaml", 20)
    assert str(finding).startswith("s.yaml:20: warning: tiers.standard.targets.P1.resolution:")


# -- schema and round trip -------------------------------------------------------------


def test_the_shipped_schema_is_current() -> None:
    shipped = ROOT / "policies" / "policy.schema.json"
    current = json.dumps(policy_json_schema(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("SLACALC_UPDATE_SCHEMA"):
        shipped.write_text(current, encoding="utf-8")
    assert shipped.read_text(encoding="utf-8") == current, (
        "policies/policy.schema.json is stale: rerun with SLACALC_UPDATE_SCHEMA=1"
    )


def test_every_field_is_described() -> None:
    schema = policy_json_schema()
    for name, definition in schema["$defs"].items():
        for field, body in definition.get("properties", {}).items():
            assert body.get("description"), f"{name}.{field} has no description"


_CALENDARS = [
    {"timezone": "America/Toronto", "hours": {"mon-fri": "07:30-18:00"},
     "holidays": {"country": "CA", "subdiv": "QC"}},
    {"timezone": "America/Los_Angeles", "hours": "24x7"},
    {"timezone": "Europe/London", "hours": {"mon-fri": ["09:00-12:30", "13:30-17:30"]},
     "special_hours": {"2026-12-24": "09:00-12:00"}, "business_day": "7.5 hours"},
]
_NAMES = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_AMOUNTS = st.integers(min_value=1, max_value=90)


@st.composite
def durations(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["minutes", "hours", "business minutes", "business hours",
                                 "business days"]))
    low = draw(_AMOUNTS)
    if draw(st.booleans()):
        return f"{low}-{low + draw(_AMOUNTS)} {unit}"
    return "none" if draw(st.integers(0, 9)) == 0 else f"{low} {unit}"


@st.composite
def entries(draw: st.DrawFn, calendars: list[str]) -> Any:
    def entry() -> dict[str, Any]:
        body: dict[str, Any] = {"within": draw(durations())}
        if draw(st.booleans()):
            body["when"] = {draw(_NAMES): draw(_NAMES)}
        if draw(st.booleans()):
            body["stops_on"] = ["workaround"]
        if body["within"].split(" ", 1)[-1].startswith("business") and draw(st.booleans()):
            body["clock"] = draw(st.sampled_from([*calendars, "24x7"]))
        if draw(st.booleans()):
            body["reason"] = draw(st.text(max_size=20))
        return body
    form = draw(st.integers(0, 2))
    if form == 0:
        return draw(durations())
    if form == 1:
        return entry()
    return [entry() for _ in range(draw(st.integers(1, 3)))]


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
    calendars = {name: _CALENDARS[i % len(_CALENDARS)] for i, name in enumerate(names)}
    keys = draw(st.lists(st.sampled_from(["P1", "P2", "P3", "P4"]), min_size=1, unique=True))
    priorities = {key: {"name": key.lower(), "aliases": [f"{key.lower()}-{n}" for n in
                                                         range(draw(st.integers(0, 2)))]}
                  for key in keys}
    tiers = {}
    for tier in draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True)):
        targets = {}
        for key in draw(st.lists(st.sampled_from(keys), unique=True)):
            metrics = draw(st.lists(st.sampled_from(["response", "resolution"]), min_size=1,
                                    unique=True))
            targets[key] = {metric: draw(entries(names)) for metric in metrics}
        tiers[tier] = {"calendar": draw(st.sampled_from(names)), "targets": targets}
    rules = {"awaiting_customer": draw(st.sampled_from(["ignore", "pause", "void"])),
             "priority_change": draw(st.sampled_from(["keep_elapsed", "restart"])),
             "resolution_requires_confirmation": draw(st.booleans())}
    return {"schema_version": 1, "name": draw(_NAMES), "vendor": draw(st.text(min_size=1)),
            "notes": draw(st.none() | st.text()), "calendars": calendars,
            "priorities": priorities, "tiers": tiers, "rules": rules}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies())
def test_dump_to_yaml_and_load_back_is_equal(data: dict[str, Any]) -> None:
    policy = Policy.model_validate(data)
    text = yaml.safe_dump(policy.model_dump(mode="json", exclude_none=True), sort_keys=False,
                          allow_unicode=False)
    assert loads_policy(text, "roundtrip.yaml") == policy


def test_lint_warns_when_the_holidays_package_has_no_data_for_the_year() -> None:
    # The holidays package starts German public holidays in 1990 (none for 1950), so a
    # calendar relying on them closes no date that year.
    text = """
schema_version: 1
name: berlin
vendor: Example
calendars:
  office: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-17:00"}, holidays: {country: DE}}
priorities:
  P1: {name: Critical}
tiers:
  basic: {calendar: office}
"""
    findings = lint(loads_policy(text, "p.yaml"), as_of=date(1950, 6, 1))
    assert [f"{f.severity} {f.key}: {f.message}" for f in findings] == [
        "warning calendars.office.holidays.country: the holidays package has no DE holidays "
        "for 1950: no date will be closed"
    ]
    assert lint(loads_policy(text, "p.yaml"), as_of=AS_OF_2026) == []


AS_OF_2026 = date(2026, 11, 22)
