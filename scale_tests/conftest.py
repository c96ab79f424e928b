"""Shared by the scale-out tests (dask distributed, Spark local mode).

Run them with ``pip install ".[scale]" && python -m pytest -q scale_tests``. They live
outside ``tests/`` so that the README's main test command (pytest's ``testpaths =
["tests"]``) neither collects them nor needs their engines; CI runs them in a step of
their own (.ci/run). They never skip: without the ``scale`` extra this file fails to
import and the run stops with that message.

The recipes they run are the code blocks of docs/scale.md marked ``<!-- run by
scale_tests/<file> -->``, executed from the document, so the documentation is the code
under test. The expected results come from one single-process ``evaluate_frame`` call
over the whole event log: partitioning must never change the answer.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pytest

try:
    import distributed  # noqa: F401  (fail here, loudly, rather than skip)
    import pyarrow  # noqa: F401
    import pyspark  # noqa: F401
except ImportError as missing:
    raise ImportError(f"the scale-out tests need the scale extra ({missing.name} is not "
                      f"installed): pip install '.[scale]'") from missing

from slacalc.frame import evaluate_frame

ROOT = Path(__file__).resolve().parent.parent
TICKETS = 2_000
SEED = 12
# After every generated opening (examples/make_event_log.py opens tickets from
# 2026-10-01 for 58 days): a ticket opened after `now` is an error row whose reason
# names its row label, and labels are local to a partition.
NOW = "2026-11-28T00:00:00Z"
KEY = ["ticket_id", "metric"]  # one result row per ticket and metric
_RECIPE = re.compile(r"^<!-- run by (scale_tests/\S+) -->\n```py\n(.*?)^```",
                     re.MULTILINE | re.DOTALL)


class EventLog(NamedTuple):
    tickets: Path
    events: Path
    now: str  # the one instant every partition is evaluated at


@pytest.fixture(scope="session")
def event_log(tmp_path_factory: pytest.TempPathFactory) -> EventLog:
    """tickets.csv and events.csv from the committed generator (its command line)."""
    folder = tmp_path_factory.mktemp("eventlog")
    subprocess.run([sys.executable, str(ROOT / "examples" / "make_event_log.py"),
                    "--rows", str(TICKETS), "--seed", str(SEED), "--out", str(folder)],
                   check=True, capture_output=True)
    return EventLog(folder / "tickets.csv", folder / "events.csv", NOW)


@pytest.fixture(scope="session")
def expected(event_log: EventLog) -> pd.DataFrame:
    """The single-process answer: one evaluate_frame call over the whole log."""
    tickets = pd.read_csv(event_log.tickets, dtype=str)
    events = pd.read_csv(event_log.events, dtype=str)
    result = evaluate_frame(tickets, events=events, now=event_log.now)
    # The comparison is only as strong as the data: every ticket is there, no row is an
    # error (error reasons name partition-local labels) and the statuses are varied.
    assert len(tickets) == TICKETS
    assert len(events) > TICKETS
    assert set(result["ticket_id"]) == set(tickets["ticket_id"])
    assert not (result["status"] == "error").any()
    assert {"met", "breached", "running", "void"} <= set(result["status"])
    assert not result.duplicated(KEY).any()  # so the order after sorting is defined
    return result


@pytest.fixture(scope="session")
def assert_single_process_result(expected: pd.DataFrame) -> Callable[[pd.DataFrame], None]:
    """Assert that a scaled-out result equals the single-process one, row for row and
    column for column (values and dtypes), once both are sorted by ticket and metric:
    engines return partitions in their own order."""

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(KEY, kind="stable").reset_index(drop=True)

    def check(actual: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(ordered(actual), ordered(expected))

    return check


@pytest.fixture(scope="session")
def recipe() -> Callable[[str], dict[str, Any]]:
    """The namespace of the docs/scale.md blocks marked for a test file, executed in order.

    The namespace is not an importable module, so the engines pickle its functions by
    value and the workers need only slacalc and the libraries installed.
    """
    text = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")

    def load(test_file: str) -> dict[str, Any]:
        blocks = [code for where, code in _RECIPE.findall(text) if where == test_file]
        assert blocks, f"docs/scale.md has no block marked <!-- run by {test_file} -->"
        namespace: dict[str, Any] = {"__name__": "scale_recipe"}
        for number, code in enumerate(blocks):
            exec(compile(code, f"docs/scale.md ({test_file}, block {number})", "exec"),
                 namespace)
        return namespace

    return load
