"""Every code block in the README and docs runs: python blocks execute, calendar YAML loads."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

from slacalc import BusinessCalendar, loads_policy, policy_json_schema
from slacalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        for number, match in enumerate(_BLOCK.finditer(document.read_text(encoding="utf-8"))):
            if match[1] == language:
                found.append((f"{document.relative_to(ROOT)}#{number}", match[2]))
    return found


def _documents_with_python() -> list[Path]:
    return [doc for doc in DOCUMENTS if "```python" in doc.read_text(encoding="utf-8")]


@pytest.mark.parametrize("document", _documents_with_python(), ids=lambda path: path.name)
def test_python_blocks_run(document: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A document's blocks run in order in one namespace, as a reader (or a notebook) would.
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    name = str(document.relative_to(ROOT))
    for where, code in _blocks("python"):
        if where.startswith(f"{name}#"):
            exec(compile(code, where, "exec"), namespace)


def _commands() -> list[tuple[str, str]]:
    """``slacalc ...`` lines of the bash blocks (``pip install`` lines set up, not run)."""
    found = []
    for where, block in _blocks("bash"):
        for line in block.splitlines():
            command = line.split(" && ")[-1].strip()
            if command.startswith("slacalc "):
                found.append((where, command))
    return found


@pytest.mark.parametrize(("where", "command"), _commands(), ids=lambda value: str(value)[:50])
def test_shell_examples_run(where: str, command: str, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(shlex.split(command)[1:]) == 0, (where, capsys.readouterr().err)


def test_there_are_python_blocks() -> None:
    assert len(_blocks("python")) >= 3


def test_the_calendar_reference_example_is_a_valid_calendar() -> None:
    (where, text), *_ = [block for block in _blocks("yaml") if "calendars.md" in block[0]]
    calendar = BusinessCalendar.from_dict(yaml.safe_load(text), name=where)
    assert calendar.business_day is not None
    assert calendar.business_day.total_seconds() == 12 * 3600


def render_field_reference() -> str:
    """Markdown tables of every model's fields, from the policy JSON Schema."""
    schema = policy_json_schema()
    sections = [("Policy", schema), *sorted(schema["$defs"].items())]
    lines: list[str] = []
    for name, model in sections:
        if "properties" not in model:
            continue
        lines += ["", f"### {name}", "", model.get("description", "").strip(), "",
                  "| key | required | description |", "| --- | --- | --- |"]
        required = set(model.get("required", []))
        for key, body in model["properties"].items():
            text = " ".join(str(body.get("description", "")).split()).replace("|", "\\|")
            lines.append(f"| `{key}` | {'yes' if key in required else 'no'} | {text} |")
    return "\n".join(lines) + "\n"


def test_the_policy_field_reference_is_current() -> None:
    document = ROOT / "docs" / "policies.md"
    text = document.read_text(encoding="utf-8")
    start, end = "<!-- generated:fields -->\n", "<!-- /generated:fields -->"
    head, rest = text.split(start)
    _, tail = rest.split(end)
    current = head + start + render_field_reference().lstrip("\n") + end + tail
    if os.environ.get("SLACALC_UPDATE_DOCS"):
        document.write_text(current, encoding="utf-8")
    assert text == current, "docs/policies.md is stale: rerun with SLACALC_UPDATE_DOCS=1"


def test_the_policy_reference_examples_load() -> None:
    examples = [text for where, text in _blocks("yaml") if "policies.md" in where]
    complete = [text for text in examples if "schema_version" in text and "extends" not in text]
    assert complete
    for text in complete:
        policy = loads_policy(text, "docs/policies.md")
        assert policy.tiers
