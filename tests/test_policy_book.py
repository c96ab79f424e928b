"""`slacalc.batch.PolicyBook`: bundled policies are read and compiled once per process
and shared by every book (a notebook calling `evaluate_frame` again does not read the
vircom YAML again); a policy given as a file path is read by each book itself, so an
edited file is seen by the next call."""

from __future__ import annotations

from pathlib import Path

from slacalc.batch import PolicyBook

FIXTURE = Path(__file__).parent / "fixtures" / "valid" / "escalating.yaml"


def test_books_share_a_bundled_policy_and_its_compiled_plans() -> None:
    first, second = PolicyBook(), PolicyBook()
    assert first.get("vircom") is second.get("vircom")
    assert first.plan("vircom", "standard") is second.plan("vircom", "standard")


def test_a_policy_file_is_read_again_by_the_next_book(tmp_path: Path) -> None:
    # The fixture's P1 response is 4 business hours; the edited copy says 2.
    path = tmp_path / "edited.yaml"
    path.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    before = PolicyBook().plan(str(path), "standard")
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace(
        "response: 4 business hours", "response: 2 business hours"), encoding="utf-8")
    after = PolicyBook().plan(str(path), "standard")
    texts = [[entry.text for entry in plan.priorities["P1"][0].entries or ()]
             for plan in (before, after)]
    assert texts == [["4 business hours"], ["2 business hours"]]
