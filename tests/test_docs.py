"""Every code block in the README and docs runs: python blocks execute, calendar YAML loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from slacalc import BusinessCalendar

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


@pytest.mark.parametrize(("where", "code"), _blocks("python"), ids=lambda value: str(value)[:40])
def test_python_blocks_run(where: str, code: str) -> None:
    exec(compile(code, where, "exec"), {"__name__": "__docs__"})


def test_there_are_python_blocks() -> None:
    assert len(_blocks("python")) >= 3


def test_the_calendar_reference_example_is_a_valid_calendar() -> None:
    (where, text), *_ = [block for block in _blocks("yaml") if "calendars.md" in block[0]]
    calendar = BusinessCalendar.from_dict(yaml.safe_load(text), name=where)
    assert calendar.business_day is not None
    assert calendar.business_day.total_seconds() == 12 * 3600
