"""Mapping files: the shipped defaults load and say what docs/sources.md says; each bad
file in tests/fixtures/mappings/ gives its located message (line and column counted by
hand from the file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slacalc.errors import PolicyError
from slacalc.sources import MappingError, default_mapping, load_mapping, loads_mapping

FIXTURES = Path(__file__).parent / "fixtures" / "mappings"


@pytest.mark.parametrize(("desk", "status", "role"), [
    ("zendesk", "pending", "awaiting_customer"), ("zendesk", "hold", "open"),
    ("zendesk", "Solved", "resolved"), ("jira", "waiting for customer", "awaiting_customer"),
    ("jira", "Canceled", "closed"), ("servicenow", "3:1", "awaiting_customer"),
    ("servicenow", "3", "open"), ("servicenow", "8", "closed"),
    ("statuslog", "waiting on customer", "awaiting_customer")])
def test_default_mappings_stock_statuses(desk: str, status: str, role: str) -> None:
    assert default_mapping(desk).role(status) == role


def test_default_mappings_priorities_and_metrics() -> None:
    assert [default_mapping("zendesk").priority(name) for name in
            ("urgent", "high", "normal", "low", "")] == ["P1", "P2", "P3", "P4", "P3"]
    assert default_mapping("servicenow").priority("5") == "P4"
    assert default_mapping("jira").metric("time to first response") == "response"
    assert default_mapping("zendesk").metric("periodic_update_time") == "ignore"
    assert default_mapping("servicenow").responds("2")
    assert default_mapping("servicenow").naive_instants == "utc"
    with pytest.raises(MappingError, match="no default mapping for desk 'zendek' "
                                           r"\(did you mean 'zendesk'\?\)"):
        default_mapping("zendek")


@pytest.mark.parametrize(("name", "messages"), [
    ("unknown_key.yaml", [
        "1:1: statuses: required key 'statuses' is missing",
        "2:1: statuss: unknown key 'statuss' (did you mean 'statuses'?); allowed: desk, "
        "statuses, priorities, default_priority, responded_on, desk_paused, metrics, policies, "
        "naive_instants, organization_field"]),
    ("bad_role.yaml", [  # line 4 "  pending: waiting": the value starts at column 12
        "4:12: statuses.pending: Input should be 'open', 'awaiting_customer', 'resolved' "
        "or 'closed', got 'waiting'"]),
    ("missing_policies.yaml", ["1:1: policies: required key 'policies' is missing"]),
    ("unreachable_rule.yaml", [  # line 5 "  - {policy: ...}": the rule starts at column 5
        "5:5: policies.0: a rule without organization, tag or group matches every ticket, "
        "so the rules after it are never used; put it last"]),
    ("responded_on_unknown.yaml", [  # line 4 "responded_on: [solvd]": column 16
        "4:16: responded_on.0: 'solvd' is neither public_comment nor a status of the "
        "mapping (did you mean 'solved'?)"]),
    ("unknown_rule_key.yaml", [  # line 7 "    organisation: acme": the key at column 5
        "7:5: policies.0.organisation: unknown key 'organisation' (did you mean "
        "'organization'?); allowed: policy, tier, organization, tag, group"]),
    ("bad_desk.yaml", ["1:7: desk: Input should be 'zendesk', 'jira', 'servicenow' or "
                       "'statuslog', got 'freshdesk'"]),
    ("not_yaml.yaml", ["3:11: not valid YAML: expected ',' or '}', but got ':'"]),
    ("not_a_mapping.yaml", ["1:1: a mapping file is a YAML mapping (desk, statuses, "
                            "priorities, policies, ...)"]),
    ("two_mistakes.yaml", [
        "2:11: statuses: Dictionary should have at least 1 item after validation, not 0",
        "4:17: naive_instants: Input should be 'utc' or 'refuse', got 'local'"]),
])
def test_bad_mappings_are_located(name: str, messages: list[str]) -> None:
    path = FIXTURES / name
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert isinstance(caught.value, PolicyError)
    assert [str(error) for error in caught.value.errors] == [
        f"{path}:{message}" for message in messages]


def test_a_mapping_in_text_and_its_lookups_ignore_case() -> None:
    mapping = loads_mapping("desk: statuslog\nstatuses: {Waiting: awaiting_customer}\n"
                            "priorities: {1: P1}\npolicies: [{policy: vircom, tier: standard}]\n")
    assert mapping.role(" waiting ") == "awaiting_customer"
    assert mapping.priority("1") == "P1"  # a YAML integer key is read as text
    assert mapping.role("open") is None


def test_the_documented_example_mapping_loads() -> None:
    text = (Path(__file__).parents[1] / "docs" / "sources.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    mapping = loads_mapping(block, "docs/sources.md")
    # organization 360000 -> vircom; tag vip in group 20000 -> cloudmark; else the last.
    assert mapping.rule("360000", frozenset(), "").policy == "vircom"  # type: ignore[union-attr]
    assert mapping.rule("1", frozenset({"vip"}), "20000").tier == "premium"  # type: ignore[union-attr]
    assert mapping.rule("1", frozenset({"vip"}), "1") == mapping.policies[-1]
