"""Hostile policy files: no hang, no memory blow-up, no file read outside the policy's folder.

One fixture per refusal under fixtures/hostile/, its first line ``# expect: POSITION
MESSAGE`` written by hand from the file (POSITION is ``[FILE:]LINE:COL``, or ``FILE`` for an
error about a whole file). Loads that could hang or fill memory without the fix (an alias
bomb, /dev/zero, a FIFO, an endless or huge file) run in a child Python with a timeout
and a 2 GiB address-space cap, so this suite cannot hang.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slacalc import PolicyError, SlacalcError, bundled_policy, load_policy, loads_policy

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOSTILE = FIXTURES / "hostile"
MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
RULE = "extends names a bundled policy or a file in this file's folder or below"
NOT_QUOTED = "(reached through extends: its text is not quoted; load it on its own)"

_CHILD = """
import sys
from slacalc import PolicyError, load_policies, load_policy
load = load_policies if sys.argv[1] == "folder" else load_policy
try:
    load(sys.argv[2])
except PolicyError as error:
    print(error)
else:
    print("loaded")
"""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _isolated(path: Path | str, kind: str = "file") -> str:
    """What loading ``path`` prints in a child Python: the error, or ``loaded``."""
    child = subprocess.run(  # preexec_fn: the child execs at once, holding no lock
        [sys.executable, "-c", _CHILD, kind, str(path)], capture_output=True, text=True,
        timeout=20, preexec_fn=_cap_memory, check=False,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    assert child.returncode == 0, child.stderr[-2000:]
    return child.stdout.strip()


def _expected(fixture: Path, folder: Path | None = None) -> str:
    """The fixture's ``# expect:`` line as the message, its FILE beside ``folder`` or it."""
    first = fixture.read_text(encoding="utf-8").splitlines()[0]
    position, message = first.removeprefix("# expect: ").split(" ", 1)
    folder = folder or fixture.parent
    parts = position.split(":")
    if not parts[-1].isdigit():
        return f"{folder / position}: {message}"
    *name, row, column = parts
    where = folder / name[0] if name else folder / fixture.name
    return f"{where}:{row}:{column}: {message}"


def _refusal(path: Path) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    error = caught.value
    assert isinstance(error, SlacalcError)
    assert "\n" not in str(error)
    return error


def _copy(fixture: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(HOSTILE / fixture, folder / fixture))


# -- 1. aliases ------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_at_the_alias_that_crosses_the_budget() -> None:
    # Repeated nodes: b's aliases 9 x 10, c's 9 x 91, d's 9 x 820 make 8,289; e's first *d
    # adds 7,381, past 10,000.
    fixture = HOSTILE / "alias-bomb.yaml"
    assert _isolated(fixture) == _expected(fixture)
    assert _expected(fixture) == (f"{fixture}:9:8: alias *d makes aliases repeat more than "
                                  f"10,000 nodes; policies repeat small blocks only")


def test_an_alias_inside_the_block_it_names_is_refused() -> None:
    fixture = HOSTILE / "alias-recursive.yaml"
    error = _refusal(fixture)
    assert str(error) == _expected(fixture)
    assert (error.path, error.line, error.column) == (str(fixture), 5, 15)


def _repeats(aliases: int) -> str:
    # minimal.yaml is 14 lines, so x is on line 15 and y on line 16.
    block = ", ".join(["1"] * 99)  # a list of 99 items: 100 nodes
    return MINIMAL + f"x: &block [{block}]\ny: [{', '.join(['*block'] * aliases)}]\n"


def test_aliases_may_repeat_ten_thousand_nodes_and_no_more() -> None:
    with pytest.raises(PolicyError) as within:
        loads_policy(_repeats(100))  # 100 x 100 = 10,000 nodes: only x and y are unknown
    assert [(e.line, e.key) for e in within.value.errors] == [(15, "x"), (16, "y")]
    assert "alias" not in str(within.value)
    with pytest.raises(PolicyError) as beyond:
        loads_policy(_repeats(101))  # "y: [" then "*block, " per alias: the 101st at 805
    assert str(beyond.value) == ("<string>:16:805: alias *block makes aliases repeat more than "
                                 "10,000 nodes; policies repeat small blocks only")


def test_small_aliases_and_merge_keys_still_load() -> None:
    text = MINIMAL.replace(
        '  office: {timezone: Europe/London, hours: {mon-fri: "09:00-17:00"}}',
        '  office: &office {timezone: Europe/London, hours: {mon-fri: "09:00-17:00"}}\n'
        "  phones: *office",
    ).replace("  standard:\n", "  standard: &standard\n") + (
        "  premium:\n    <<: *standard\n    description: Same targets, another name\n"
    )
    policy = loads_policy(text, "aliases.yaml")
    assert list(policy.calendars) == ["office", "phones"]
    assert policy.calendars["phones"] == policy.calendars["office"]
    premium = policy.tiers["premium"]
    assert (premium.calendar, premium.description) == ("office", "Same targets, another name")
    assert [str(t.within) for t in premium.targets["P2"]["response"]] == ["1 business day"]


# -- 2. bounded reads ------------------------------------------------------------------


def test_dev_zero_is_refused_unread() -> None:
    assert _isolated("/dev/zero") == ("/dev/zero: not a regular file (a character device); "
                                      "a policy is read from a regular file only")


def test_extends_dev_zero_is_refused_unread() -> None:
    fixture = HOSTILE / "extends-dev-zero.yaml"
    assert _isolated(fixture) == _expected(fixture)


def test_a_fifo_named_by_extends_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = tmp_path.resolve()
    policy = _copy("extends-fifo.yaml", folder)
    os.mkfifo(folder / "pipe.yaml")
    assert _isolated(policy) == _expected(HOSTILE / "extends-fifo.yaml", folder)
    assert _expected(HOSTILE / "extends-fifo.yaml", folder) == (
        f"{folder}/pipe.yaml: not a regular file (a FIFO); a policy is read from a regular "
        f"file only")


def test_a_fifo_in_a_policy_folder_is_reported_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    os.mkfifo(tmp_path / "stuck.yaml")
    assert _isolated(tmp_path, "folder") == (
        f"{tmp_path}/stuck.yaml: not a regular file (a FIFO); a policy is read from a "
        f"regular file only")


def test_a_huge_sparse_file_is_refused_from_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as out:
        out.truncate(4 << 30)  # 4 GiB of holes: nothing on disk, too much to read
    assert _isolated(huge) == (f"{huge}:1:1: the file is 4,294,967,296 bytes; policies are "
                               f"limited to 1,048,576 bytes (1 MiB)")


@pytest.mark.skipif(not os.access("/proc/self/pagemap", os.R_OK), reason="no pagemap")
def test_an_endless_regular_file_is_cut_at_the_limit() -> None:
    # A regular file whose size says 0 but whose reading never ends in practice.
    assert _isolated("/proc/self/pagemap") == (
        "/proc/self/pagemap:1:1: the file is over 1,048,576 bytes; policies are limited to "
        "1,048,576 bytes (1 MiB)")


def test_one_mebibyte_loads_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    padding = 1_048_576 - len(MINIMAL.encode()) - 2  # "#" ... "\n"
    exact = tmp_path / "exact.yaml"
    exact.write_text(MINIMAL + "#" + "x" * padding + "\n", encoding="utf-8")
    assert exact.stat().st_size == 1_048_576
    assert load_policy(exact).name == "minimal"
    over = tmp_path / "over.yaml"
    over.write_text(MINIMAL + "#" + "x" * (padding + 1) + "\n", encoding="utf-8")
    assert str(_refusal(over)) == (f"{over}:1:1: the file is 1,048,577 bytes; policies are "
                                   f"limited to 1,048,576 bytes (1 MiB)")


# -- 3. extends stays in the folder ----------------------------------------------------


def test_extends_an_absolute_path_is_refused_unread() -> None:
    fixture = HOSTILE / "extends-absolute.yaml"
    error = _refusal(fixture)
    assert str(error) == _expected(fixture)
    assert (error.line, error.column, error.key) == (5, 10, "extends")
    assert "root" not in str(error)


def test_extends_climbing_out_of_the_folder_is_refused() -> None:
    fixture = HOSTILE / "extends-parent.yaml"  # ../valid/minimal.yaml is a valid policy
    assert str(_refusal(fixture)) == _expected(fixture)


def test_extends_through_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path.resolve() / "inner"
    policy = _copy("extends-symlink.yaml", folder)
    (tmp_path / "outside.yaml").write_text(MINIMAL, encoding="utf-8")
    (folder / "linked.yaml").symlink_to("../outside.yaml")
    assert str(_refusal(policy)) == (f"{policy}:5:10: extends: 'linked.yaml' leads outside "
                                     f"this file's folder; {RULE}")


def test_extends_a_symlink_loop_is_refused(tmp_path: Path) -> None:
    policy = _copy("extends-symlink-loop.yaml", tmp_path)
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    assert str(_refusal(policy)) == _expected(HOSTILE / "extends-symlink-loop.yaml", tmp_path)


def test_extends_a_file_that_is_no_policy_quotes_none_of_it() -> None:
    fixture = HOSTILE / "extends-not-a-policy.yaml"
    error = _refusal(fixture)
    assert str(error) == f"{HOSTILE}/secret-data.txt:2:1: not a policy mapping " \
                         f"(schema_version and name at the top) {NOT_QUOTED}"
    assert str(error) == _expected(fixture)
    for secret in ("root", "hunter2", "api_token", "s3cr3t"):
        assert secret not in str(error)


def test_extends_a_file_that_is_no_yaml_quotes_none_of_it() -> None:
    fixture = HOSTILE / "extends-broken-yaml.yaml"
    error = _refusal(fixture)
    assert str(error) == _expected(fixture)
    assert "hunter2" not in str(error)


def test_extends_inside_the_folder_tree_still_works(tmp_path: Path) -> None:
    (tmp_path / "bases").mkdir()
    (tmp_path / "bases" / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "alias.yaml").symlink_to("bases/minimal.yaml")  # a symlink that stays inside
    for number, parent in enumerate(["bases/minimal.yaml", "bases/../alias.yaml",
                                     "./alias.yaml"]):
        overlay = tmp_path / f"overlay{number}.yaml"
        overlay.write_text(f"schema_version: 1\nname: overlay{number}\nextends: {parent}\n",
                           encoding="utf-8")
        policy = load_policy(overlay)
        assert (policy.name, policy.vendor) == (f"overlay{number}", "Example")


def test_bundled_policy_takes_a_name_not_a_path() -> None:
    with pytest.raises(PolicyError, match=r"^no bundled policy '\.\./tests/fixtures/valid/"
                                          r"minimal'; bundled: "):
        bundled_policy("../tests/fixtures/valid/minimal")
