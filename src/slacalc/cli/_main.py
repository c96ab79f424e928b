"""The ``slacalc`` command line (also ``python -m slacalc``).

Commands: ``report`` (a ticket export -> SLA results and a summary), ``due``, ``explain``,
``validate``, ``lint``, ``schema``, ``policies`` and ``demo``. User mistakes print one clear
line each on stderr, never a traceback; exit status 0 is success, 1 means some input was
bad (the rest was still processed), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..batch._logrun import run_log_report
from ..batch._run import demo, run_report
from ..errors import PolicyError, SlacalcError
from ..policy._lint import lint
from ..policy.loader import bundled_policy, bundled_policy_names, load_policy
from ..policy.model import Policy, policy_json_schema
from ..sla.ticket import Ticket

__all__ = ["main"]


class UsageError(Exception):
    """A command-line mistake: printed as one line, exit status 2."""


def _policy(name: str) -> Policy:
    is_path = name.endswith((".yaml", ".yml")) or "/" in name
    return load_policy(name) if is_path else bundled_policy(name)


def _instant(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: malformed date {text!r} (ISO 8601 expected)") from None
    if moment.tzinfo is None:
        raise UsageError(f"{option}: {text!r} has no UTC offset; write e.g. "
                     f"2026-11-20T17:30:00-05:00")
    return moment


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _due(args: argparse.Namespace) -> int:
    policy = _policy(args.policy)
    opened = _instant(args.opened, "--opened")
    attributes = {}
    for item in args.attr:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--attr: expected key=value, got {item!r}")
        attributes[key] = value
    due = policy.deadlines(args.tier, args.priority, opened, **attributes)
    zone = policy.calendar(policy.tier(args.tier).calendar).zone
    rows = [["metric", "target", "due (your offset)", f"due ({zone.key})"]]
    key = policy.priority_key(args.priority)
    for metric, moment in due.items():
        target = due.targets.get(metric, "none")
        if moment is None:
            rows.append([metric, target, "no deadline", ""])
        else:
            local = moment.astimezone(zone)
            rows.append([metric, target, moment.strftime("%a %Y-%m-%d %H:%M %z"),
                         local.strftime("%a %Y-%m-%d %H:%M %Z")])
    if len(rows) == 1:
        print(f"{policy.name}: no targets for {key} in tier {args.tier}")
        return 0
    print(_table(rows))
    return 0


def _explain(args: argparse.Namespace) -> int:
    policy = _policy(args.policy)
    try:
        text = Path(args.ticket).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--ticket: cannot read {args.ticket}: {error.strerror}") from None
    try:
        ticket = Ticket.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "ticket"
        raise SlacalcError(f"{args.ticket}: {where}: {first['msg']}") from None
    now = _instant(args.now, "--now") if args.now else None
    report = policy.evaluate(ticket, now)
    print(report.explain())
    if args.svg:
        Path(args.svg).write_text(report._repr_svg_(), encoding="utf-8")
        print(f"\ntimeline picture written to {args.svg}")
    return 0


def _policy_files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found += sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"no such file or directory: {item}")
    return found


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in _policy_files(args.paths):
        try:
            load_policy(file)
            print(f"{file}: ok")
        except PolicyError as error:
            failed += 1
            for problem in error.errors:
                print(problem, file=sys.stderr)
    return 1 if failed else 0


def _lint(args: argparse.Namespace) -> int:
    worst = 0
    for file in _policy_files(args.paths):
        try:
            findings = lint(load_policy(file))
        except PolicyError as error:
            for problem in error.errors:
                print(problem, file=sys.stderr)
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
        Path(args.output).write_text(text, encoding="utf-8")
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


def _report(args: argparse.Namespace) -> int:
    now = _instant(args.now, "--now") if args.now else None
    if args.jobs < 1:
        raise UsageError(f"--jobs: expected a positive number, got {args.jobs}")
    if args.format == "parquet" and not args.output:
        raise UsageError("--format parquet writes a file: give -o results.parquet")
    for name in (args.tickets, args.events):
        if name is not None and not Path(name).is_file():
            raise UsageError(f"no such file: {name}")
    if args.events is not None:
        return run_log_report(Path(args.tickets), Path(args.events), policy=args.policy,
                              now=now, output_format=args.format, output=args.output,
                              errors=args.errors, jobs=args.jobs)
    return run_report(Path(args.tickets), policy=args.policy, now=now, output_format=args.format,
                      output=args.output, errors=args.errors, jobs=args.jobs)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slacalc", description="Exact support-SLA deadlines from declarative vendor "
        "policies.", epilog="example: slacalc report examples/tickets.csv")
    parser.add_argument("--version", action="version", version=f"slacalc {version('slacalc')}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, text: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text,
                                   epilog=f"example: {example}")

    report = command("report", "evaluate every ticket of a CSV or JSONL export",
                     "slacalc report examples/tickets.csv --now 2026-11-30T12:00:00Z")
    report.add_argument("tickets", help="tickets.csv, tickets.jsonl or tickets.parquet")
    report.add_argument("--events", help="events.csv (.csv.gz, .parquet): the tickets' events, one "
                        "row each (ticket_id, at, kind, ...); tickets.csv then holds one row "
                        "per ticket")
    report.add_argument("--policy", help="policy for rows without a policy column (bundled "
                        "name or YAML path)")
    report.add_argument("--now", help="evaluate as of this instant (ISO 8601 with offset)")
    report.add_argument("--format", choices=("table", "csv", "jsonl", "parquet"),
                        default="table", help="parquet needs -o and pyarrow "
                        "(slacalc[arrow]): typed columns, instants in UTC")
    report.add_argument("-o", "--output", help="write results here instead of stdout")
    report.add_argument("--errors", help="also write bad rows (line, ticket_id, reason) here")
    report.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    due = command("due", "print the due instants of a ticket opened now",
                  "slacalc due vircom --tier standard --priority P2 "
                  "--opened 2026-11-20T17:30:00-05:00")
    due.add_argument("policy", help="bundled policy name or YAML path")
    due.add_argument("--tier", required=True)
    due.add_argument("--priority", required=True)
    due.add_argument("--opened", required=True, help="ISO 8601 instant with offset")
    due.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE",
                     help="ticket attribute for `when` conditions (repeatable)")
    explain = command("explain", "explain a ticket's SLA status from its JSON",
                      "slacalc explain vircom --ticket ticket.json --svg timeline.svg")
    explain.add_argument("policy", help="bundled policy name or YAML path")
    explain.add_argument("--ticket", required=True, help="a Ticket as JSON")
    explain.add_argument("--now", help="evaluate as of this instant")
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
    return parser


_COMMANDS: dict[str, Any] = {
    "report": _report, "due": _due, "explain": _explain, "validate": _validate,
    "lint": _lint, "schema": _schema, "policies": _policies, "demo": lambda args: demo(),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(_COMMANDS[args.command](args))
    except UsageError as error:
        print(f"slacalc {args.command}: {error}", file=sys.stderr)
        return 2
    except PolicyError as error:
        for problem in error.errors:
            print(problem, file=sys.stderr)
        return 1
    except SlacalcError as error:
        print(f"slacalc {args.command}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `slacalc report ... | head`
        return 0
