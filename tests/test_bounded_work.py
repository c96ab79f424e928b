"""Issue 17, item 7 (the rest): work bounded by the input's size, never more.

A ticket's events are replayed in linear time, the explanation included (each stop asks
for a due instant: walking every earlier gap again made 16,000 events take seconds and
32,000 half a minute); ``--jobs`` is capped; a policy with 30,000 unknown keys lists the
first 50 problems and counts the rest. What could take long without the fix runs in a
child Python with a timeout and a memory cap, so the suite cannot hang. Expected values
are worked out by hand in the comments.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from slacalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml").read_text(encoding="utf-8")


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _child(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # preexec_fn: the child execs at once, holding no lock
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout,
        preexec_fn=_cap_memory, check=False, cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


_ALTERNATING = """
from datetime import UTC, datetime, timedelta
from slacalc import bundled_policy
opened = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
events = []
for k in range(16_000):
    events.append({"kind": "resolved", "at": (opened + timedelta(seconds=10 * k + 1)).isoformat()})
    events.append({"kind": "reopened", "at": (opened + timedelta(seconds=10 * k + 10)).isoformat()})
ticket = {"id": "T", "tier": "standard", "priority": "P2", "opened_at": opened.isoformat(),
          "events": events}
report = bundled_policy("vircom").evaluate(ticket, opened + timedelta(days=5))
text = report.explain()
resolution = report.to_dict()["metrics"]["resolution"]
print(resolution["due"], resolution["status"])
print(text.count("resumed: time already used still counts"))
"""


def test_alternating_resolutions_and_reopenings_replay_in_linear_time() -> None:
    # vircom standard P2: resolution 24 hours (real time). Opened Mon 2026-01-05 09:00Z;
    # 16,000 times: resolved 1 s after (re)opening, reopened 9 s later. The clock runs
    # 16,000 x 1 s and waits 16,000 x 9 s = 144,000 s until the last reopening at
    # +160,000 s, so it is due 86,400 + 144,000 = 230,400 s (2 d 16 h) after the opening:
    # 2026-01-08 01:00Z; five days after the opening it is breached.
    done = _child(["-c", _ALTERNATING], timeout=15)  # about 1 s; 30 s before the fix
    assert done.returncode == 0, done.stderr[-2000:]
    due, resumed = done.stdout.split("\n")[:2]
    assert due == "2026-01-08T01:00:00+00:00 breached"
    assert resumed == "16000"


def test_jobs_is_capped(capsys: pytest.CaptureFixture[str]) -> None:
    tickets = str(ROOT / "examples" / "tickets.csv")
    assert main(["report", tickets, "--jobs", "65", "--now", "2026-12-01T00:00:00Z"]) == 2
    error = capsys.readouterr().err
    assert error == "slacalc report: --jobs: at most 64 worker processes, got 65\n"
    assert main(["report", tickets, "--jobs", "4000"]) == 2
    assert "at most 64" in capsys.readouterr().err


def test_thirty_thousand_unknown_keys_list_fifty(tmp_path: Path) -> None:
    policy = tmp_path / "many.yaml"
    policy.write_text(MINIMAL + "".join(f"extra_{n}: 1\n" for n in range(30_000)),
                      encoding="utf-8")
    done = _child(["-m", "slacalc", "validate", str(policy)], timeout=20)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 51
    assert all("unknown key 'extra_" in line for line in lines[:50])
    assert lines[-1] == (f"slacalc validate: {policy}: and 29,950 more problems (only the "
                         f"first 50 are listed)")
