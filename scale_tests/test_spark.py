"""docs/scale.md's event-log recipe on Spark in local mode (``local[2]``).

Tickets and events are read from CSV (every column a string), grouped by a partition key
computed from ``ticket_id``, cogrouped and evaluated with ``applyInPandas`` in Spark's
Python workers; the collected result must equal the single-process one.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from slacalc.frame import result_meta

PARTS = 8


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (SparkSession.builder.master("local[2]")
               .appName("slacalc-scale-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.default.parallelism", "2")
               .config("spark.driver.memory", "1g")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.pyspark.python", sys.executable)
               .config("spark.pyspark.driver.python", sys.executable)
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _as_result_frame(collected: pd.DataFrame) -> pd.DataFrame:
    """Spark's ``toPandas()`` in evaluate_frame's dtypes. The timestamps come back naive,
    as wall time in the session time zone (UTC here), so they are localized to UTC, which
    keeps the instant; the other columns are only cast (a null where evaluate_frame has
    "" or a number would still differ)."""
    frame = collected.copy()
    for name, dtype in result_meta().dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            assert frame[name].dt.tz is None
            frame[name] = frame[name].dt.tz_localize("UTC").astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


def test_the_spark_key_is_zlib_crc32(spark: SparkSession) -> None:
    # docs/scale.md: the Spark recipe's groups are the dask recipe's partitions.
    ids = ["L-00001", "L-01999", "T-é-42", ""]
    keys = (spark.createDataFrame([(ticket_id,) for ticket_id in ids], "ticket_id string")
            .select("ticket_id", (F.crc32(F.col("ticket_id")) % PARTS).alias("part"))
            .collect())
    assert {row.ticket_id: row.part for row in keys} == {
        ticket_id: zlib.crc32(ticket_id.encode("utf-8")) % PARTS for ticket_id in ids}


def test_cogrouped_apply_in_pandas_gives_the_single_process_result(
        spark: SparkSession, recipe: Callable[[str], dict[str, Any]], event_log: Any,
        assert_single_process_result: Callable[[pd.DataFrame], None]) -> None:
    recipes = recipe("scale_tests/test_spark.py")
    results = recipes["evaluate_with_spark"](spark, str(event_log.tickets),
                                             str(event_log.events), PARTS, event_log.now)
    assert results.schema == recipes["spark_schema"]()
    collected = results.toPandas()
    assert list(collected.columns) == list(result_meta().columns)
    assert_single_process_result(_as_result_frame(collected))
