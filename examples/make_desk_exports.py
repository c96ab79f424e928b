"""Generate help-desk exports in each desk's real shape: examples/desks/zendesk/,
jira/, servicenow/ and statuslog/ (docs/sources.md describes the shapes).

Every desk gets the same tickets (opened in November 2026, across Thanksgiving): agents'
first replies, waits on the customer (``pending``), waits on a vendor (``hold``),
priority changes, solutions, reopenings and closings. Each export also holds the desk's
own SLA verdicts, computed the way a typical desk is set up, which is not quite the
contract (cloudmark's premium tier, the default mappings' policy):

* the desk's calendar has no holidays (the contract's has the US ones: Thanksgiving);
* the desk pauses its resolution clock while the ticket waits on the customer *or* on a
  vendor (the contract pauses on neither: cloudmark's ``awaiting_customer: ignore``).

So the desk's verdicts agree with slacalc's for most tickets and disagree for those
that span the holiday or waited (what `slacalc audit` finds). With ``--calendar-verdicts``
the desk counts plain elapsed time instead (no calendar, no pause): cheap, but most of
its verdicts disagree. With ``--agreeing-verdicts SHARE`` the desk gives the contract's
own verdicts except for about SHARE of the tickets, each given one mistake the audit
names (a holiday, a pause, a priority change, a DST hour): a desk that mostly agrees,
for the benchmark's fair figure. The clocks are in ``_desk_clocks.py`` beside this file.
Deterministic for a given ``--seed``. Run ``python examples/make_desk_exports.py --help``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _desk_clocks import (  # the desks' clocks (examples/_desk_clocks.py)
    NOW,
    AgreeingDesk,
    ConfiguredDesk,
    PlainDesk,
    Story,
    status_changes,
)

HERE = Path(__file__).resolve().parent
DESKS = ("zendesk", "jira", "servicenow", "statuslog")
PRIORITIES = {  # slacalc priority -> each desk's stock name (the default mappings')
    "zendesk": ["urgent", "high", "normal", "low"],
    "jira": ["Highest", "High", "Medium", "Low"],
    "servicenow": ["1", "2", "3", "4"],
    "statuslog": ["P1", "P2", "P3", "P4"],
}
ORGANIZATIONS = ["acme", "globex", "initech", "umbrella"]
CHANNELS = ["email", "web", "api", "voice"]


def _story(number: int, rng: random.Random) -> Story:
    opened = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(minutes=rng.randrange(60 * 24 * 27))
    story = Story(number, opened, rng.choice([0, 1, 1, 2, 2, 2, 3]), rng.choice(ORGANIZATIONS),
                  rng.choice(CHANNELS), rng.sample(["vip", "billing", "outage", "sso"],
                                                   rng.randrange(3)))
    at = opened
    actions: list[tuple[datetime, str, Any]] = []

    def later(low: int, high: int) -> datetime:
        nonlocal at
        at += timedelta(minutes=rng.randrange(low, high))
        return at

    if rng.random() < 0.92:
        actions.append((later(5, 90) if story.priority == 0 else later(30, 60 * 40),
                        "reply", None))
    if rng.random() < 0.1:
        actions.append((later(30, 600), "priority", max(0, story.priority - 1)))
    for kind, chance in (("pending", 0.35), ("hold", 0.15)):
        if rng.random() < chance:
            actions.append((later(60, 60 * 20), "status", kind))
            actions.append((later(60, 60 * 48), "status", "open"))
    if rng.random() < 0.75:
        actions.append((later(60, 60 * 72), "status", "solved"))
        if rng.random() < 0.08:
            actions.append((later(60, 60 * 30), "status", "open"))
            actions.append((later(60, 60 * 24), "status", "solved"))
        if rng.random() < 0.6:
            actions.append((later(60 * 24 * 4, 60 * 24 * 4 + 1), "status", "closed"))
    story.actions = [action for action in actions if action[0] < NOW]
    return story


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jira_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _snow_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _zendesk(story: Story, out: dict[str, Any]) -> None:
    number, names = story.number, PRIORITIES["zendesk"]
    requester, agent = 9_000_000 + number, 500 + number % 7
    priority = story.final("priority", story.priority)
    status = ([to for _, _, to in status_changes(story)] or ["new"])[-1]
    out["tickets"].write(json.dumps({
        "id": number, "created_at": _z(story.opened), "priority": names[priority],
        "status": status, "via": {"channel": story.channel}, "tags": story.tags,
        "organization_id": 360_000 + ORGANIZATIONS.index(story.organization),
        "group_id": 20_000, "requester_id": requester,
        "subject": f"Ticket {number}"}) + "\n")
    audits = [(story.opened, requester, [
        {"type": "Create", "field_name": "status", "value": "new"},
        {"type": "Create", "field_name": "priority", "value": names[story.priority]},
        {"type": "Comment", "public": True, "author_id": requester, "body": "Help, please."}])]
    changes: dict[datetime, list[dict[str, Any]]] = {}
    for at, before, after in status_changes(story):
        changes.setdefault(at, []).append({"type": "Change", "field_name": "status",
                                           "previous_value": before, "value": after})
    current = story.priority
    for at, what, value in story.actions:
        if what == "reply":
            changes.setdefault(at, []).insert(0, {"type": "Comment", "public": True,
                                                  "author_id": agent, "body": "On it."})
        elif what == "priority":
            changes.setdefault(at, []).append({"type": "Change", "field_name": "priority",
                                               "previous_value": names[current],
                                               "value": names[value]})
            current = value
    audits += [(at, agent, events) for at, events in sorted(changes.items())]
    for index, (at, author, events) in enumerate(audits):
        out["audits"].write(json.dumps({
            "id": number * 100 + index, "ticket_id": number, "created_at": _z(at),
            "author_id": author, "events": [{"id": number * 1000 + index * 10 + place, **event}
                                            for place, event in enumerate(events)]}) + "\n")
    for metric, desk_metric in (("response", "reply_time"), ("resolution", "agent_work_time")):
        found = story.verdicts.get(metric)
        if found is None:
            continue
        rows: list[dict[str, Any]] = [
            {"type": "activate", "time": _z(story.opened)},
            {"type": "apply_sla", "time": _z(story.opened), "sla": {
                "target": int(found["length"] // 60), "business_hours": metric != "response"
                or story.priority > 0, "policy": {"id": 1, "title": "Premium"}}}]
        if found["due"] is not None:
            rows.append({"type": "breach", "time": _z(found["due"]),
                         "deleted": found["breached"] is False})
        if found["stopped"] is not None:
            rows.append({"type": "fulfill", "time": _z(found["stopped"])})
            rows.append({"type": "update_status", "time": _z(found["stopped"]), "status": {
                "calendar": int((found["stopped"] - story.opened).total_seconds() // 60),
                "business": int(found["elapsed"] // 60)}})
        for index, row in enumerate(sorted(rows, key=lambda item: item["time"])):
            out["ticket_metric_events"].write(json.dumps({
                "id": number * 100 + index + (50 if metric == "resolution" else 0),
                "ticket_id": number, "metric": desk_metric, "instance_id": 1, **row}) + "\n")


def _jira_moment(moment: datetime | None) -> dict[str, Any] | None:
    if moment is None:
        return None
    return {"iso8601": _jira_time(moment),
            "epochMillis": int(moment.timestamp() * 1000)}


def _jira(story: Story, out: dict[str, Any]) -> None:
    names = PRIORITIES["jira"]
    shown = {"new": "Waiting for support", "open": "In Progress", "pending":
             "Waiting for customer", "hold": "Pending", "solved": "Resolved", "closed": "Closed"}
    histories, current = [], story.priority
    for at, before, after in status_changes(story):
        histories.append((at, {"field": "status", "fieldtype": "jira",
                               "fromString": shown[before], "toString": shown[after]}))
    for at, what, value in story.actions:
        if what == "priority":
            histories.append((at, {"field": "priority", "fieldtype": "jira",
                                   "fromString": names[current], "toString": names[value]}))
            current = value
    statuses = [to for _, _, to in status_changes(story)] or ["new"]
    fields: dict[str, Any] = {
        "created": _jira_time(story.opened), "priority": {"name": names[current]},
        "status": {"name": shown[statuses[-1]]}, "labels": story.tags,
        "project": {"key": "SD"}, "reporter": {"accountId": f"cust-{story.number}"},
        "customfield_10002": [{"name": story.organization}],
        "comment": {"comments": [{"author": {"accountId": "agent-7"}, "created":
                                  _jira_time(at), "jsdPublic": True, "body": "On it."}
                                 for at, what, _ in story.actions if what == "reply"]}}
    for field_id, metric, name in (("customfield_10030", "response", "Time to first response"),
                                   ("customfield_10031", "resolution", "Time to resolution")):
        found = story.verdicts.get(metric)
        if found is None:
            continue
        cycle = {"startTime": _jira_moment(story.opened), "breached": bool(found["breached"]),
                 "breachTime": _jira_moment(found["due"]),
                 "goalDuration": {"millis": int(found["length"] * 1000)},
                 "elapsedTime": {"millis": int(found["elapsed"] * 1000)},
                 "remainingTime": {"millis": int((found["length"] - found["elapsed"]) * 1000)}}
        if found["stopped"] is not None:
            value = {"completedCycles": [{**cycle, "stopTime": _jira_moment(found["stopped"])}]}
        else:
            value = {"completedCycles": [], "ongoingCycle": {**cycle, "paused": False,
                                                             "withinCalendarHours": True}}
        fields[field_id] = {"id": field_id[-2:], "name": name, **value}
    out["issues"].write(json.dumps({
        "id": str(10_000 + story.number), "key": f"SD-{story.number}", "fields": fields,
        "changelog": {"histories": [{"id": str(index), "created": _jira_time(at),
                                     "items": [item]}
                                    for index, (at, item) in enumerate(sorted(
                                        histories, key=lambda pair: pair[0]))]}}) + "\n")


def _servicenow(story: Story, out: dict[str, Any]) -> None:
    sys_id = f"{story.number:032x}"
    number = f"INC{story.number:07d}"
    state = {"new": "1", "open": "2", "pending": "3", "hold": "3", "solved": "6", "closed": "7"}
    reason = {"pending": "1", "hold": "4"}
    rows: list[tuple[datetime, str, str, str, str]] = [
        (story.opened, "state", "", "1", "caller"),
        (story.opened, "priority", "", PRIORITIES["servicenow"][story.priority], "caller")]
    hold = ""
    for at, before, after in status_changes(story):
        rows.append((at, "state", state[before], state[after], "agent"))
        if reason.get(after, "") != hold:
            rows.append((at, "hold_reason", hold, reason.get(after, ""), "agent"))
            hold = reason.get(after, "")
    current = story.priority
    for at, what, value in story.actions:
        if what == "reply":
            rows.append((at, "comments", "", "We are looking into it.", "agent"))
        elif what == "priority":
            rows.append((at, "priority", PRIORITIES["servicenow"][current],
                         PRIORITIES["servicenow"][value], "agent"))
            current = value
    rows.sort(key=lambda row: row[0])
    statuses = [to for _, _, to in status_changes(story)] or ["new"]
    out["incident"].writerow([sys_id, number, _snow_time(story.opened),
                              PRIORITIES["servicenow"][current], state[statuses[-1]],
                              reason.get(statuses[-1], ""), story.organization,
                              "Service Desk", story.channel, "caller"])
    for index, (at, field_name, old, new, user) in enumerate(rows):
        out["sys_audit"].writerow([f"{story.number:024x}{index:08x}", sys_id, "incident",
                                   field_name, old, new, _snow_time(at), user])
    for metric in ("response", "resolution"):
        found = story.verdicts.get(metric)
        if found is None or (metric == "response" and story.priority > 1):
            continue
        name = {("response", 0): "Priority 1 response (15 minutes)",
                ("response", 1): "Priority 2 response (1 hour)",
                ("resolution", 0): "Priority 1 resolution (4 hour)",
                ("resolution", 1): "Priority 2 resolution (8 hour)",
                ("resolution", 2): "Priority 3 resolution (1 day)",
                ("resolution", 3): "Priority 4 resolution (2 day)"}[(metric, story.priority)]
        stage = "completed" if found["stopped"] is not None else "in_progress"
        duration = datetime(1970, 1, 1) + timedelta(seconds=int(found["elapsed"]))
        out["task_sla"].writerow([
            f"{story.number:030x}{metric[:2]}", sys_id, name, stage,
            "true" if found["breached"] else "false", _snow_time(story.opened),
            _snow_time(found["due"]) if found["due"] else "",
            duration.strftime("%Y-%m-%d %H:%M:%S")])


def _statuslog(story: Story, out: dict[str, Any]) -> None:
    shown = {"new": "new", "open": "open", "pending": "waiting on customer",
             "hold": "on hold", "solved": "resolved", "closed": "closed"}
    names = PRIORITIES["statuslog"]
    ticket_id = f"T-{story.number:05d}"
    out["tickets"].writerow([ticket_id, story.opened.isoformat(), names[story.priority], "new",
                             story.organization, ";".join(story.tags), "support",
                             story.channel])
    rows = [(at, "status", shown[before], shown[after]) for at, before, after
            in status_changes(story)]
    current = story.priority
    for at, what, value in story.actions:
        if what == "reply":
            rows.append((at, "reply", "", ""))
        elif what == "priority":
            rows.append((at, "priority", names[current], names[value]))
            current = value
    for at, field_name, before, after in sorted(rows, key=lambda row: row[0]):
        out["status_log"].writerow([ticket_id, at.isoformat(), field_name, before, after])
    for metric, found in story.verdicts.items():
        out["desk_verdicts"].writerow([
            ticket_id, metric, {True: "true", False: "false", None: ""}[found["breached"]],
            found["due"].isoformat() if found["due"] else "", f"{found['elapsed']:.0f}"])


FILES: dict[str, list[tuple[str, list[str] | None]]] = {
    "zendesk": [("tickets.jsonl", None), ("audits.jsonl", None),
                ("ticket_metric_events.jsonl", None)],
    "jira": [("issues.jsonl", None)],
    "servicenow": [
        ("incident.csv", ["sys_id", "number", "opened_at", "priority", "state", "hold_reason",
                          "company", "assignment_group", "contact_type", "caller_id"]),
        ("sys_audit.csv", ["sys_id", "documentkey", "tablename", "fieldname", "oldvalue",
                           "newvalue", "sys_created_on", "user"]),
        ("task_sla.csv", ["sys_id", "task", "sla", "stage", "has_breached", "start_time",
                          "planned_end_time", "business_duration"])],
    "statuslog": [
        ("tickets.csv", ["ticket_id", "opened_at", "priority", "status", "organization",
                         "tags", "group", "channel"]),
        ("status_log.csv", ["ticket_id", "at", "field", "from", "to"]),
        ("desk_verdicts.csv", ["ticket_id", "desk_metric", "breached", "due_at",
                               "elapsed_seconds"])],
}
WRITERS = {"zendesk": _zendesk, "jira": _jira, "servicenow": _servicenow,
           "statuslog": _statuslog}


def write(desks: list[str], count: int, seed: int, root: Path, *,
          calendar_verdicts: bool = False, agreeing: float | None = None,
          folder: Path | None = None) -> ConfiguredDesk | PlainDesk | AgreeingDesk:
    """Write ``count`` tickets for each of ``desks`` into ``root/<desk>/`` (or into
    ``folder`` when there is one desk), streamed: memory stays flat; the desk's clock
    (an `AgreeingDesk` knows which tickets it gave a mistake)."""
    desk_clock: ConfiguredDesk | PlainDesk | AgreeingDesk = (
        PlainDesk() if calendar_verdicts else ConfiguredDesk() if agreeing is None
        else AgreeingDesk(agreeing, seed))
    handles: dict[str, dict[str, Any]] = {}
    opened = []
    for desk in desks:
        target = folder or root / desk
        target.mkdir(parents=True, exist_ok=True)
        handles[desk] = {}
        for name, header in FILES[desk]:
            handle = (target / name).open("w", encoding="utf-8", newline="")
            opened.append(handle)
            stem = name.split(".")[0]
            if header is None:
                handles[desk][stem] = handle
            else:
                handles[desk][stem] = csv.writer(handle, lineterminator="\n")
                handles[desk][stem].writerow(header)
    rng = random.Random(seed)
    try:
        for number in range(1, count + 1):
            story = _story(number, rng)
            desk_clock.judge(story)
            for desk in desks:
                WRITERS[desk](story, handles[desk])
    finally:
        for handle in opened:
            handle.close()
    if isinstance(desk_clock, AgreeingDesk):
        made = ", ".join(f"{name} {number}" for name, number in desk_clock.made.items())
        print(f"tickets given a desk mistake: {made}", file=sys.stderr)
    return desk_clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python examples/make_desk_exports.py "
                                     "--desk zendesk --tickets 1000000 --calendar-verdicts "
                                     "--out /tmp/zd-1m")
    parser.add_argument("--tickets", type=int, default=40, help="tickets per desk (40)")
    parser.add_argument("--seed", type=int, default=14, help="random seed (14)")
    parser.add_argument("--desk", choices=DESKS, action="append",
                        help="only this desk (repeatable; default: all four)")
    parser.add_argument("--out", type=Path, help="write into this folder (one --desk), "
                        "else examples/desks/<desk>/")
    verdicts = parser.add_mutually_exclusive_group()
    verdicts.add_argument("--calendar-verdicts", action="store_true", help="the desk's "
                          "verdicts in plain elapsed time (no slacalc run: fast, for "
                          "benchmarks; most disagree with the contract)")
    verdicts.add_argument("--agreeing-verdicts", type=float, metavar="SHARE", help="the "
                          "contract's own verdicts, except about SHARE of the tickets "
                          "(0.05: 5%%), given one desk mistake each: a holiday, a pause, "
                          "the other priority_change rule or a DST hour")
    args = parser.parse_args()
    if args.agreeing_verdicts is not None and not 0 <= args.agreeing_verdicts <= 1:
        parser.error("--agreeing-verdicts: a share from 0 to 1")
    desks = args.desk or list(DESKS)
    if args.out and len(desks) != 1:
        parser.error("--out needs exactly one --desk")
    if args.tickets < 1:
        parser.error("--tickets: at least 1")
    write(desks, args.tickets, args.seed, HERE / "desks",
          calendar_verdicts=args.calendar_verdicts, agreeing=args.agreeing_verdicts,
          folder=args.out)


if __name__ == "__main__":
    main()
