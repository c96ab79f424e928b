"""The ``slacalc`` command line (also ``python -m slacalc``).

Commands: ``report`` (a ticket export -> SLA results and a summary), ``due``, ``explain``,
``validate``, ``lint``, ``schema``, ``policies``, ``demo`` and ``audit`` (a help desk's
own SLA verdicts checked against the contract). User mistakes print one clear
line each on stderr, starting ``slacalc <command>:``, never a traceback. Exit status: 0
success, 1 some input was bad (the rest was still processed) or could not be read or
written, 2 a usage error (a bad option, an unknown policy, tier or priority name, a
missing column, an output that cannot be written there), 130 interrupted (Ctrl-C).

The command line is the only place that reads the clock: ``--now`` (``report``,
``explain``) and ``--opened`` (``due``) default to the current instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..batch._escape import printable
from ..batch._header import ReportUsageError, check_outputs
from ..batch._run import demo
from ..batch._whole import write_whole
from ..errors import PolicyError, SlacalcError, UnknownPriorityError, UnknownTierError
from ..policy._lint import lint
from ..policy.loader import bundled_policy, bundled_policy_names, load_policy
from ..policy.model import policy_json_schema
from ..sla.ticket import Ticket
from ..sources import ADAPTERS, STREAMS
from ._clock import given_or_now
from ._exports import audit, convert, report
from ._names import UsageError, policy_named, priority_named, tier_named

__all__ = ["main"]

INTERRUPTED = 130
"""The exit status after Ctrl-C (128 + SIGINT, as shells report it)."""



def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _due(args: argparse.Namespace) -> int:
    policy = policy_named(args.policy)
    tier = tier_named(policy, args.tier)
    key = priority_named(policy, args.priority)
    opened = given_or_now(args.opened, "--opened")
    attributes = {}
    for item in args.attr:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--attr: expected key=value, got {item!r}")
        attributes[name] = value
    due = policy.deadlines(tier, key, opened, **attributes)
    zone = policy.calendar(policy.tier(tier).calendar).zone
    rows = [["metric", "target", "due (your offset)", f"due ({zone.key})"]]
    for metric, moment in due.items():
        target = due.targets.get(metric, "none")
        if moment is None:
            rows.append([metric, target, "no deadline", ""])
        else:
            local = moment.astimezone(zone)
            rows.append([metric, target, moment.strftime("%a %Y-%m-%d %H:%M %z"),
                         local.strftime("%a %Y-%m-%d %H:%M %Z")])
    if len(rows) == 1:
        print(f"{policy.name}: no targets for {key} in tier {tier}")
        return 0
    print(f"opened {opened.isoformat()}")
    print(_table(rows))
    return 0


def _explain(args: argparse.Namespace) -> int:
    policy = policy_named(args.policy)
    now = given_or_now(args.now, "--now")
    if args.svg:
        check_outputs([Path(args.ticket)], {"--svg": args.svg})
    try:
        text = Path(args.ticket).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--ticket: cannot read {args.ticket}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise SlacalcError(f"{args.ticket}: not UTF-8 text (byte 0x"
                           f"{error.object[error.start]:02x}); save it as UTF-8") from None
    try:
        ticket = Ticket.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "ticket"
        raise SlacalcError(f"{args.ticket}: {where}: {first['msg']}") from None
    tier = tier_named(policy, ticket.tier)
    priority_named(policy, ticket.priority)
    if tier != ticket.tier:
        ticket = ticket.model_copy(update={"tier": tier})
    report = policy.evaluate(ticket, now)
    print(report.explain())
    if args.svg:
        write_whole(args.svg, report._repr_svg_(), "--svg")
        print(f"\ntimeline picture written to {args.svg}")
    return 0


def _policy_files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files = sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
            if not files:
                raise SlacalcError(f"{item}: no policy files (*.yaml, *.yml) in this folder")
            found += files
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"no such file or directory: {item}")
    return found


def _say(line: str) -> None:
    """An error line on stderr, control characters escaped (it may quote the input)."""
    print(printable(line, lines=True), file=sys.stderr)


def _problems(command: str, error: PolicyError) -> None:
    for problem in error.errors:
        _say(f"slacalc {command}: {problem}")


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in _policy_files(args.paths):
        try:
            load_policy(file)
            print(f"{file}: ok")
        except PolicyError as error:
            failed += 1
            _problems("validate", error)
    return 1 if failed else 0


def _lint(args: argparse.Namespace) -> int:
    worst = 0
    for file in _policy_files(args.paths):
        try:
            findings = lint(load_policy(file))
        except PolicyError as error:
            _problems("lint", error)
            worst = 1
            continue
        for finding in findings:
            print(finding)
            worst = max(worst, 1 if finding.severity == "error" else 0)
        if not findings:
            print(f"{file}: clean")
    return worst


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(policy_json_schema(), indent=2, sort_keys=True) + "\n"
    if args.output:
        write_whole(args.output, text, "-o")
    else:
        sys.stdout.write(text)
    return 0


def _policies(args: argparse.Namespace) -> int:
    rows = [["name", "vendor", "tiers", "priorities"]]
    for name in bundled_policy_names():
        policy = bundled_policy(name)
        rows.append([name, policy.vendor, ", ".join(policy.tiers), ", ".join(policy.priorities)])
    print(_table(rows))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slacalc", description="Exact support-SLA deadlines from declarative vendor "
        "policies.", epilog="example: slacalc report examples/tickets.csv")
    parser.add_argument("--version", action="version", version=f"slacalc {version('slacalc')}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, text: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text,
                                   epilog=f"example: {example}")

    report = command("report", "evaluate every ticket of an export, as of now",
                     "slacalc report examples/tickets.csv --now 2026-11-30T12:00:00Z")
    report.add_argument("tickets", help="tickets.csv, tickets.jsonl or tickets.parquet "
                        "(- reads standard input); a CSV may use , ; or tab")
    report.add_argument("--events", help="events.csv (.csv.gz, .parquet): the tickets' events, one "
                        "row each (ticket_id, at, kind, ...); tickets.csv then holds one row "
                        "per ticket")
    report.add_argument("--from", dest="source", choices=sorted(STREAMS), help="TICKETS is "
                        "this desk's export folder (docs/sources.md), converted first")
    report.add_argument("--mapping", help="with --from: the mapping YAML (default: the "
                        "desk's stock one)")
    report.add_argument("--policy", help="policy for rows without a policy column (bundled "
                        "name or YAML path)")
    report.add_argument("--now", help="evaluate as of this instant (ISO 8601 with offset; "
                        "default: the current instant)")
    report.add_argument("--format", choices=("table", "csv", "jsonl", "parquet"),
                        default="table", help="parquet needs -o and pyarrow "
                        "(slacalc[arrow]): typed columns, instants in UTC")
    report.add_argument("-o", "--output", help="write results here instead of stdout")
    report.add_argument("--errors", help="also write bad rows (line, ticket_id, reason) here")
    report.add_argument("--html", help="also write an HTML report here (one file: charts per "
                        "policy, tier and priority, the worst overruns' timelines, a table "
                        "of breached and running rows)")
    report.add_argument("--jobs", type=int, default=1,
                        help="processes evaluating chunks: this one and N-1 workers "
                        "(default 1, at most 64)")
    report.add_argument("--at-risk", action="store_true", help="list only the running or "
                        "paused rows past an escalation threshold of their policy, the "
                        "soonest breach first")
    report.add_argument("--raw-csv", action="store_true", help="write CSV cells as they "
                        "are, for programs: no ' before a cell that starts with = + - @, "
                        "a tab or a carriage return (a formula to a spreadsheet)")
    due = command("due", "print the due instants of a ticket opened at --opened (default: "
                  "now)", "slacalc due vircom --tier standard --priority P2 "
                  "--opened 2026-11-20T17:30:00-05:00")
    due.add_argument("policy", help="bundled policy name or YAML path")
    due.add_argument("--tier", required=True, help="the ticket's tier (any case)")
    due.add_argument("--priority", required=True, help="a priority key or alias (any case)")
    due.add_argument("--opened", help="ISO 8601 instant with offset (default: the current "
                     "instant)")
    due.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE",
                     help="ticket attribute for `when` conditions (repeatable)")
    explain = command("explain", "explain a ticket's SLA status from its JSON",
                      "slacalc explain vircom --ticket ticket.json --svg timeline.svg")
    explain.add_argument("policy", help="bundled policy name or YAML path")
    explain.add_argument("--ticket", required=True, help="a Ticket as JSON")
    explain.add_argument("--now", help="evaluate as of this instant (default: the current "
                         "instant)")
    explain.add_argument("--svg", help="also draw the timeline into this SVG file")
    for name, text, example in (
        ("validate", "check policy files; every error with file:line:col",
         "slacalc validate policies/"),
        ("lint", "find inconsistent targets in policy files", "slacalc lint ours.yaml"),
    ):
        sub = command(name, text, example)
        sub.add_argument("paths", nargs="+", help="policy files or directories")
    schema = command("schema", "print the policy JSON Schema", "slacalc schema -o schema.json")
    schema.add_argument("-o", "--output", help="write the schema here")
    command("policies", "list the bundled policies", "slacalc policies")
    command("demo", "print deadlines on two vendor calendars", "slacalc demo")
    convert = command("convert", "convert a help desk's export folder into tickets.csv, "
                      "events.csv and desk_verdicts.csv", "slacalc convert --from zendesk "
                      "examples/desks/zendesk -o /tmp/zendesk")
    convert.add_argument("folder", help="the desk's export folder")
    convert.add_argument("--from", dest="source", required=True, choices=sorted(STREAMS),
                         help="the desk the export comes from")
    convert.add_argument("--mapping", help="mapping YAML (default: the desk's stock one)")
    convert.add_argument("-o", "--output", required=True, help="the folder to write into")
    convert.add_argument("--now", help="the export's instant (ISO 8601 with offset; "
                         "default: the current instant): a desk breach dated after it "
                         "has not happened")
    audit = command("audit", "check a help desk's own SLA verdicts against the contract",
                    "slacalc audit --from zendesk examples/desks/zendesk -o audit.csv")
    audit.add_argument("folder", help="the desk's export folder")
    audit.add_argument("--from", dest="source", required=True, choices=sorted(ADAPTERS),
                       help="the desk the export comes from")
    audit.add_argument("--mapping", help="mapping YAML (default: the desk's stock one)")
    audit.add_argument("--policy", help="policy for every ticket (bundled name or YAML "
                       "path; default: the mapping's)")
    audit.add_argument("--now", help="audit as of this instant (ISO 8601 with offset; "
                       "default: the current instant)")
    audit.add_argument("-o", "--output", help="write every audit row here (CSV)")
    audit.add_argument("--raw-csv", action="store_true", help="write CSV cells as they are "
                       "(no ' before a cell that starts like a formula)")
    return parser


_COMMANDS: dict[str, Any] = {
    "report": report, "due": _due, "explain": _explain, "validate": _validate,
    "lint": _lint, "schema": _schema, "policies": _policies, "demo": lambda args: demo(),
    "audit": audit, "convert": convert,
}


def _quiet_stdout() -> None:
    """After a closed pipe (``slacalc report ... | head``): send what is left to
    /dev/null, so that the interpreter's last flush does not complain."""
    with suppress(OSError, ValueError, AttributeError):  # not a real file (a capture)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    said = f"slacalc {args.command}:"
    try:
        return int(_COMMANDS[args.command](args))
    except (UsageError, ReportUsageError, UnknownTierError, UnknownPriorityError) as error:
        _say(f"{said} {error}")
        return 2
    except PolicyError as error:
        _problems(args.command, error)
        return 1
    except SlacalcError as error:
        _say(f"{said} {error}")
        return 1
    except BrokenPipeError:  # e.g. `slacalc report ... | head`
        _quiet_stdout()
        return 0
    except OSError as error:  # a full disk, a file that cannot be written or read
        where = f": {error.filename}" if error.filename else ""
        print(f"{said} {error.strerror or error}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{said} interrupted", file=sys.stderr)
        return INTERRUPTED
