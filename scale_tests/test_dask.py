"""docs/scale.md's event-log recipe on a dask ``distributed`` cluster of worker processes.

Tickets and events are written as Parquet datasets co-partitioned by ``ticket_id``; each
partition pair is evaluated in a worker process (``LocalCluster(processes=True)``, not
the in-process scheduler), and the gathered result must equal the single-process one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster, get_task_stream

PARTS = 4


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=None) as cluster,
          Client(cluster) as client):
        yield client


@pytest.fixture
def dataset(recipe: Callable[[str], dict[str, Any]], event_log: Any,
            tmp_path: Path) -> Path:
    """The generated event log as the recipe writes it: Parquet, co-partitioned."""
    root = tmp_path / "eventlog"
    recipe("scale_tests/test_dask.py")["write_dataset"](
        str(event_log.tickets), str(event_log.events), str(root), PARTS)
    return root


def _ids(folder: Path) -> set[str]:
    return set(pq.read_table(folder, columns=["ticket_id"])["ticket_id"].to_pylist())


def test_the_dataset_is_co_partitioned_by_ticket(dataset: Path, event_log: Any) -> None:
    tickets = [_ids(dataset / "tickets" / f"part={part}") for part in range(PARTS)]
    events = [_ids(dataset / "events" / f"part={part}") for part in range(PARTS)]
    everyone = set(pd.read_csv(event_log.tickets, dtype=str)["ticket_id"])
    assert all(tickets)  # every partition has work
    assert all(events)
    assert sum(map(len, tickets)) == len(everyone) == len(set().union(*tickets))
    for part in range(PARTS):
        assert events[part] <= tickets[part]  # a ticket's events are in its partition


def test_worker_processes_give_the_single_process_result(
        client: Client, recipe: Callable[[str], dict[str, Any]], dataset: Path,
        event_log: Any, assert_single_process_result: Callable[[pd.DataFrame], None],
) -> None:
    evaluate_dataset = recipe("scale_tests/test_dask.py")["evaluate_dataset"]
    with get_task_stream(client) as stream:
        results = evaluate_dataset(client, str(dataset), PARTS, event_log.now)

    # The partitions ran on the cluster's workers, which are other processes.
    pids = client.run(os.getpid)
    assert len(pids) == 2
    assert os.getpid() not in pids.values()
    tasks = [task for task in stream.data if str(task["key"]).startswith("evaluate_part")]
    assert len(tasks) == PARTS
    assert {task["worker"] for task in tasks} <= set(pids)

    assert_single_process_result(results)
