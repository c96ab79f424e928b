"""Help-desk exports in: Zendesk, Jira Service Management, ServiceNow and any status log,
converted into slacalc's event-log tables (tickets + events) and the desk's own SLA
verdicts (docs/sources.md).

Layer 7 (beside cli and frame): it imports batch and below; the command line imports it
(``slacalc report --from zendesk FOLDER``, ``slacalc convert``). Each desk has a module
with a pure ``convert`` over already-read records, ``stream_<desk>`` (blocks, streamed)
and ``read_<desk>`` (one `Converted`) over an export folder; `ADAPTERS` names the
readers and `STREAMS` the streams, by desk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ._report import run_desk_report, write_converted
from ._tables import (
    EVENT_COLUMNS,
    TICKET_COLUMNS,
    VERDICT_COLUMNS,
    Converted,
    SourceRowError,
    UnorderedError,
)
from .jira import read_jira, stream_jira
from .mapping import DeskMapping, MappingError, default_mapping, load_mapping, loads_mapping
from .servicenow import read_servicenow, stream_servicenow
from .statuslog import read_statuslog, stream_statuslog
from .zendesk import read_zendesk, stream_zendesk

__all__ = [
    "ADAPTERS",
    "EVENT_COLUMNS",
    "STREAMS",
    "TICKET_COLUMNS",
    "VERDICT_COLUMNS",
    "Converted",
    "DeskMapping",
    "MappingError",
    "SourceRowError",
    "UnorderedError",
    "default_mapping",
    "load_mapping",
    "loads_mapping",
    "run_desk_report",
    "write_converted",
]

ADAPTERS: dict[str, Callable[[Path, DeskMapping | None], Converted]] = {
    "zendesk": read_zendesk,
    "jira": read_jira,
    "servicenow": read_servicenow,
    "statuslog": read_statuslog,
}
"""Desk name -> its folder reader (``read_zendesk(folder, mapping=None)``)."""

STREAMS: dict[str, Callable[..., Iterator[Converted]]] = {
    "zendesk": stream_zendesk,
    "jira": stream_jira,
    "servicenow": stream_servicenow,
    "statuslog": stream_statuslog,
}
"""Desk name -> its streaming reader (``stream_zendesk(folder, mapping, ordered=True,
block=10_000)``, `Converted` blocks)."""
