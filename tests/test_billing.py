"""Billing and coverage: classification tables for every bundled category, support packs,
applicability, and one test per error.

The tables are the vendor documents read by hand (the quotes are the documents' words):
PerfectMail's article lists what is and is not billable; Vircom's covers its products and
their direct dependencies and bills the rest as professional services; Valimail may close
tickets outside the scope of its Support Services.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from slacalc import (
    BillingError,
    Incident,
    NaiveDatetimeError,
    Policy,
    PolicyError,
    SlacalcError,
    SupportPack,
    UnknownCategoryError,
    bundled_policy,
    bundled_policy_names,
    loads_policy,
)


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture(scope="module")
def perfectmail() -> Policy:
    return bundled_policy("perfectmail")


@pytest.fixture(scope="module")
def vircom() -> Policy:
    return bundled_policy("vircom")


@pytest.fixture(scope="module")
def valimail() -> Policy:
    return bundled_policy("valimail")


def _custom(sections: str) -> Policy:
    return loads_policy(
        "schema_version: 1\nname: custom\nvendor: Example\npriorities: {P1: {name: Urgent}}\n"
        "tiers: {standard: {calendar: 24x7}}\n" + sections, "custom.yaml"
    )


# -- classification tables -----------------------------------------------------------------

PERFECTMAIL = [
    # "Non-billable Support Incidents include:"
    ("customer_feedback", False, "Customer feedback"),
    ("feature_request", False, "Feature requests"),
    ("bug_report", False, "Bug reports"),
    ("general_qa", False, "General Q&A, etc."),
    # "Billable Support incidents include ..."
    ("knowledge_base_answer", True, "Investigations into issues where the solution is "
                                    "readily available on the KnowledgeBase or on the Interface."),
    ("mail_treatment", True, 'Investigations into "why" e-mail is treated a certain way, or '
                             "followup with external e-mail senders."),
    ("customer_maintenance", True, "System maintenance that we would normally be provided by "
                                   "the customer."),
    ("unrelated_configuration", True, "Investigation of configuration and server issues that "
                                      "are not directly related to the PerfectMail product "
                                      "itself."),
    # "These tasks would be Billable Support Incidents where we would log into your server
    # and perform diagnostics or administration."
    ("remote_administration", True, "perform diagnostics or administration."),
]


@pytest.mark.parametrize(("category", "billable", "quote"), PERFECTMAIL)
def test_perfectmail_categories(perfectmail: Policy, category: str, billable: bool,
                                quote: str) -> None:
    found = perfectmail.classify(category)
    assert (found.billable, found.category, found.in_scope) == (billable, category, True)
    assert found.reason.startswith("billable: " if billable else "non-billable: ")
    assert found.reason.endswith(quote)


def test_the_perfectmail_table_is_complete(perfectmail: Policy) -> None:
    assert perfectmail.billing is not None
    declared = {*perfectmail.billing.billable, *perfectmail.billing.non_billable}
    assert declared == {category for category, _, _ in PERFECTMAIL}
    assert perfectmail.billing.support_packs


VIRCOM_AREAS = [
    # "Technical support is meant to cover operational problems or issues with modus only."
    ("operational", False, True),
    # "If you are having network issues, problems with DNS, firewalls, operating systems
    # or other ancilliary systems, our support coverage does not cover those items."
    ("network", True, False),
    ("dns", True, False),
    ("firewall", True, False),
    ("operating_system", True, False),
    ("ancillary_system", True, False),
    # "any activity that is schedulable in time (perform an upgrade of a server, a server
    # migration ...) these are considered professional services and are thus billable"
    ("scheduled_work", True, False),
    ("upgrade", True, False),
    ("server_migration", True, False),
]


@pytest.mark.parametrize(("category", "billable", "in_scope"), VIRCOM_AREAS)
def test_vircom_areas(vircom: Policy, category: str, billable: bool, in_scope: bool) -> None:
    found = vircom.classify(category)
    assert (found.billable, found.in_scope, found.may_close) == (billable, in_scope, False)
    if not in_scope:
        # "this becomes a professional service and is billable as a consultant fee"
        assert found.reason.startswith("out of scope (")
        assert found.reason.endswith("is billable as a consultant fee and is subject to "
                                     "technician availability")


def test_the_vircom_area_table_is_complete(vircom: Policy) -> None:
    assert vircom.coverage is not None
    declared = {*vircom.coverage.in_scope, *vircom.coverage.out_of_scope}
    assert declared == {category for category, _, _ in VIRCOM_AREAS}


VIRCOM_PRODUCTS = [
    # "Our technical support covers exclusively our products and it's direct dependencies."
    ("modusGate", False, "covered: modusGate is a covered product"),
    ("modusMail", False, "covered: modusMail is a covered product"),
    ("modusCloud", False, "covered: modusCloud is a covered product"),
    ("modusHosted", False, "covered: modusHosted is a covered product"),
    # names are matched ignoring case, spaces and hyphens
    ("MODUS-gate", False, "covered: modusGate is a covered product"),
    # "modusGate and modusMail require SQL Express or the full MS-SQL, we will support
    # these as well."
    ("SQL Express", False,
     "covered: SQL Express is covered as a direct dependency of modusGate and modusMail"),
    ("ms sql server", False,
     "covered: MS SQL Server is covered as a direct dependency of modusGate and modusMail"),
]


@pytest.mark.parametrize(("product", "billable", "reason"), VIRCOM_PRODUCTS)
def test_vircom_products(vircom: Policy, product: str, billable: bool, reason: str) -> None:
    found = vircom.classify(product=product)
    assert (found.billable, found.in_scope, found.reason) == (billable, True, reason)


def test_an_uncovered_product_is_billable_whatever_the_category(vircom: Policy) -> None:
    # Exchange is none of Vircom's products: "If you want us to fix a problem with a
    # subsystem that is not directly related to modus, this becomes a professional service"
    found = vircom.classify("operational", product="Microsoft Exchange")
    assert (found.billable, found.in_scope, found.category) == (True, False, "operational")
    assert found.reason.startswith("out of scope ('Microsoft Exchange' is not a covered "
                                   "product; covered: modusGate, modusMail")


def test_an_out_of_scope_area_on_a_covered_product_is_billable(vircom: Policy) -> None:
    # A DNS problem around modusGate is still a DNS problem: out of scope.
    assert vircom.classify("dns", product="modusGate").billable


def test_an_operational_problem_on_a_covered_product_is_covered(vircom: Policy) -> None:
    found = vircom.classify("Operational", product="modusMail")
    assert (found.billable, found.in_scope) == (False, True)
    assert found.reason == ("covered: Technical support is meant to cover operational "
                            "problems or issues with modus only.; modusMail is a covered "
                            "product")


def test_valimail_may_close_out_of_scope_tickets(valimail: Policy) -> None:
    # "Valimail may close support tickets if they are outside the scope of the Support
    # Services": not billed, closable.
    found = valimail.classify("outside_support_services")
    assert (found.billable, found.in_scope, found.may_close) == (False, False, True)
    assert found.reason.endswith(": Valimail may close support tickets if they are outside "
                                 "the scope of the Support Services")
    assert valimail.coverage is not None
    assert set(valimail.coverage.out_of_scope) == {"outside_support_services"}


def test_cloudmark_declares_no_categories() -> None:
    with pytest.raises(UnknownCategoryError, match="policy 'cloudmark' declares no incident "
                                                   "categories"):
        bundled_policy("cloudmark").classify("bug_report")


@pytest.mark.parametrize("written", ["Feature request", "feature-request", " FEATURE_request "])
def test_categories_ignore_case_spaces_and_hyphens(perfectmail: Policy, written: str) -> None:
    assert perfectmail.classify(written).category == "feature_request"


# -- applicability -------------------------------------------------------------------------


@pytest.mark.parametrize("name", bundled_policy_names())
def test_applies_to(name: str) -> None:
    # "SLA applies only to current subscribers." (Valimail); the others say nothing.
    expected = "current_subscribers" if name == "valimail" else "all"
    assert bundled_policy(name).applies_to == expected


@pytest.mark.parametrize("name", bundled_policy_names())
def test_the_bundled_terms_survive_a_yaml_round_trip(name: str) -> None:
    policy = bundled_policy(name)
    text = yaml.safe_dump(policy.model_dump(mode="json", exclude_none=True), sort_keys=False)
    assert loads_policy(text, f"{name}.yaml") == policy


# -- support packs -------------------------------------------------------------------------


def test_a_pack_is_drawn_in_time_order_and_overdrawn_visibly(perfectmail: Policy) -> None:
    # Given out of order; in time order: 03-01 bug report (free), 03-03 mail treatment
    # (unit 1), 03-05 remote administration (unit 2), 03-07 feature request (free), 03-09
    # knowledge-base answer (billable, pack empty: beyond the pack). Used 2, 0 left.
    incidents = [
        Incident(utc(2026, 3, 5), "remote_administration", ref="T-1"),
        Incident(utc(2026, 3, 1), "bug_report", ref="T-2"),
        Incident(utc(2026, 3, 3), "mail_treatment", ref="T-3"),
        Incident(utc(2026, 3, 9), "knowledge_base_answer", ref="T-4"),
        Incident(utc(2026, 3, 7), "feature_request", ref="T-5"),
    ]
    statement = SupportPack(incidents=2).apply(perfectmail, incidents)
    assert [(e.incident.ref, e.charge) for e in statement.entries] == [
        ("T-2", "not_billable"), ("T-3", "pack"), ("T-1", "pack"), ("T-5", "not_billable"),
        ("T-4", "beyond_pack")]
    assert (statement.size, statement.used, statement.remaining) == (2, 2, 0)
    assert [i.ref for i in statement.beyond_pack] == ["T-4"]
    assert statement.overdrawn


def test_a_pack_with_units_left_is_not_overdrawn(perfectmail: Policy) -> None:
    # One billable incident from a pack of 5: 1 used, 4 left.
    statement = SupportPack(incidents=5).apply(
        perfectmail, [{"at": utc(2026, 3, 1), "category": "customer_maintenance"}])
    assert (statement.used, statement.remaining, statement.overdrawn) == (1, 4, False)
    assert statement.beyond_pack == ()


def test_an_empty_pack_bills_every_billable_incident_beyond_it(perfectmail: Policy) -> None:
    statement = SupportPack(incidents=0).apply(
        perfectmail, [Incident(utc(2026, 3, 1), "mail_treatment"),
                      Incident(utc(2026, 3, 2), "general_qa")])
    assert (statement.used, statement.remaining, len(statement.beyond_pack)) == (0, 0, 1)


def test_simultaneous_incidents_keep_their_given_order(perfectmail: Policy) -> None:
    # Two billable incidents at the same instant, one unit: the first given uses it.
    at = utc(2026, 3, 1, 9)
    statement = SupportPack(incidents=1).apply(
        perfectmail, [Incident(at, "mail_treatment", ref="first"),
                      Incident(at, "mail_treatment", ref="second")])
    assert [i.ref for i in statement.beyond_pack] == ["second"]


# -- errors: one test per case -------------------------------------------------------------


def test_an_unknown_category_lists_the_known_ones(perfectmail: Policy) -> None:
    with pytest.raises(UnknownCategoryError) as caught:
        perfectmail.classify("feature requests")
    message = str(caught.value)
    assert "policy 'perfectmail' has no incident category 'feature requests'" in message
    assert "(did you mean 'feature_request'?)" in message
    assert message.endswith("categories: bug_report, customer_feedback, customer_maintenance, "
                            "feature_request, general_qa, knowledge_base_answer, "
                            "mail_treatment, remote_administration, unrelated_configuration")
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, SlacalcError)


def test_classify_needs_a_category_or_a_product(perfectmail: Policy) -> None:
    with pytest.raises(BillingError, match="give a category, a product=, or both"):
        perfectmail.classify()


def test_a_product_needs_a_product_list(valimail: Policy) -> None:
    with pytest.raises(BillingError, match="policy 'valimail' lists no covered products"):
        valimail.classify(product="Authentication Services")


def test_a_category_must_be_text(perfectmail: Policy) -> None:
    with pytest.raises(BillingError, match="category: expected text, got int 3"):
        perfectmail.classify(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [-1, 1.5, True, "5"])
def test_a_pack_size_must_be_a_whole_number(size: Any) -> None:
    with pytest.raises(BillingError, match=re.escape(f"got {size!r}")):
        SupportPack(incidents=size)


def test_a_pack_needs_a_policy_that_sells_them(vircom: Policy) -> None:
    with pytest.raises(BillingError, match="policy 'vircom' sells no support packs"):
        SupportPack(incidents=1).apply(vircom, [Incident(utc(2026, 3, 1), "dns")])


def test_an_unknown_category_in_a_pack_names_the_incident(perfectmail: Policy) -> None:
    with pytest.raises(UnknownCategoryError, match=r"^incidents\[1\]: policy 'perfectmail' "
                                                   r"has no incident category 'spam'"):
        SupportPack(incidents=1).apply(perfectmail, [Incident(utc(2026, 3, 2), "bug_report"),
                                                     Incident(utc(2026, 3, 1), "spam")])


def test_a_naive_incident_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"Incident\.at: naive datetime"):
        Incident(datetime(2026, 3, 1), "bug_report")


def test_an_incident_needs_a_category_or_a_product() -> None:
    with pytest.raises(BillingError, match="give a category, a product, or both"):
        Incident(utc(2026, 3, 1))


def test_an_incident_mapping_with_an_unknown_key_is_refused(perfectmail: Policy) -> None:
    with pytest.raises(BillingError, match=r"incidents\[0\]: .*'when'"):
        SupportPack(incidents=1).apply(perfectmail, [{"when": utc(2026, 3, 1)}])


def test_an_incident_of_the_wrong_type_is_refused(perfectmail: Policy) -> None:
    with pytest.raises(BillingError, match=r"incidents\[0\]: expected an Incident"):
        SupportPack(incidents=1).apply(perfectmail, ["bug_report"])  # type: ignore[list-item]


def test_a_category_both_billable_and_not_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("billing:\n  billable: {dns: a}\n  non_billable: {dns: b}\n")
    assert caught.value.key == "billing.non_billable.dns"
    assert "category 'dns' is also billable" in str(caught.value)


def test_a_malformed_category_key_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("billing:\n  billable: {Bug Report: a}\n")
    assert caught.value.key == "billing.billable.Bug Report"
    assert "e.g. 'bug_report'" in str(caught.value)


def test_a_category_in_billing_and_coverage_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("billing:\n  billable: {dns: a}\ncoverage:\n  out_of_scope: {dns: b}\n")
    assert caught.value.key == "coverage.out_of_scope.dns"
    assert "also declared under billing" in str(caught.value)


def test_an_area_both_in_and_out_of_scope_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("coverage:\n  in_scope: {dns: a}\n  out_of_scope: {dns: b}\n")
    assert caught.value.key == "coverage.out_of_scope.dns"


def test_a_dependency_of_an_uncovered_product_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("coverage:\n  products: [modusGate]\n  dependencies: {SQL: [modusMail]}\n")
    assert caught.value.key == "coverage.dependencies.SQL[0]"
    assert "'modusMail' is not a covered product; products: modusGate" in str(caught.value)


def test_a_product_listed_twice_is_located() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("coverage:\n  products: [modusGate, modus-gate]\n")
    assert caught.value.key == "coverage.products[1]"


def test_an_unknown_out_of_scope_handling_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("coverage:\n  out_of_scope: {dns: b}\n  out_of_scope_handling: ignore\n")
    assert caught.value.key == "coverage.out_of_scope_handling"


def test_an_unknown_applies_to_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        _custom("applies_to: subscribers\n")
    assert caught.value.key == "applies_to"
