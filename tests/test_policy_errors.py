"""One fixture file per invalid case; each says on its first lines what must be reported.

A fixture's ``# expect: LINE:COL MESSAGE`` lines were written by hand from the file: the
loader must report each one, located exactly (1-based, as editors count).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from slacalc import PolicyError, SlacalcError, load_policy, loads_policy

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _expectations(fixture: Path) -> list[tuple[Path, int, int, str]]:
    """``# expect: [FILE:]LINE:COL MESSAGE`` lines; FILE (beside the fixture) defaults to it."""
    found = []
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect: "):
            position, message = line.removeprefix("# expect: ").split(" ", 1)
            *name, row, column = position.split(":")
            where = fixture.with_name(name[0]) if name else fixture
            found.append((where, int(row), int(column), message))
    return found


@pytest.mark.parametrize("fixture", INVALID, ids=lambda path: path.stem)
def test_invalid_fixture_is_reported_where_it_is(fixture: Path) -> None:
    expectations = _expectations(fixture)
    assert expectations, f"{fixture.name} has no '# expect:' line"
    with pytest.raises(PolicyError) as caught:
        load_policy(fixture)
    error = caught.value
    assert isinstance(error, SlacalcError)
    assert isinstance(error, ValueError)
    reported = [str(problem) for problem in error.errors]
    for where, row, column, message in expectations:
        prefix = f"{where}:{row}:{column}: {message}"
        assert any(line.startswith(prefix) for line in reported), (prefix, reported)
    for problem in error.errors:
        assert "\n" not in str(problem)
        assert problem.path == str(expectations[0][0])
    _, first_row, first_column, first_message = expectations[0]
    first = error.errors[0]
    assert (first.line, first.column) == (first_row, first_column)
    assert (error.line, error.column, error.key) == (first.line, first.column, first.key)
    if ": " in first_message and not first_message.startswith(("YAML", "a policy", "extends c")):
        assert first.key == first_message.split(": ", 1)[0]


def test_several_errors_are_all_reported() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(FIXTURES / "invalid" / "several-errors.yaml")
    # The missing vendor, vendr, the unit and the rule, in file order.
    assert [(e.line, e.column) for e in caught.value.errors] == [(5, 1), (6, 1), (13, 57),
                                                                  (14, 26)]


def test_a_file_over_one_mebibyte_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("schema_version: 1\nnotes: |\n" + "  padding\n" * 120_000, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"big.yaml:1:1: the file is 1,200,027 bytes; policies"):
        load_policy(big)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"empty.yaml:1:1: the file is empty"):
        load_policy(empty)


def test_a_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "absent.yaml")


def test_text_with_extends_needs_a_file() -> None:
    with pytest.raises(PolicyError, match=r"<string>:1:10: extends: extends needs a policy file"):
        loads_policy("extends: vircom\n")


def test_several_yaml_documents_are_a_syntax_error() -> None:
    with pytest.raises(PolicyError, match=r"<string>:2:1: YAML syntax error"):
        loads_policy("name: a\n---\nname: b\n")


def test_a_half_written_policy_gets_one_line_per_problem() -> None:
    # issue 13 item 10: one error per missing key and one for the unknown key, each on
    # its own line (they share a position, the top of the file, but are not alternatives)
    with pytest.raises(PolicyError) as caught:
        loads_policy("foo: 1\n", "half.yaml")
    lines = str(caught.value).splitlines()
    assert lines[:5] == [f"half.yaml:1:1: {key}: required key {key!r} is missing"
                         for key in ("schema_version", "name", "vendor", "priorities", "tiers")]
    assert lines[5].startswith("half.yaml:1:1: foo: unknown key 'foo'; allowed: schema_version")
    assert len(lines) == 6
    assert " or " not in str(caught.value)
