"""Golden SLA scenarios across DST changes, on both evaluation paths.

Every ticket is judged three ways against ONE expectation worked out by hand (the comment
above each case shows the arithmetic, in UTC):

* the per-ticket path, ``policy.evaluate(ticket_dict, now)``, with the instants given
  twice: as ISO texts with explicit UTC offsets (``offsets``), and as aware datetimes in
  the zone itself, the repeated hour told apart by ``fold`` (``zone``), which is what a
  Python caller holding ``ZoneInfo`` datetimes passes;
* the batch path, ``slacalc report`` on a JSONL export (every case, pauses included);
* the batch path, ``slacalc report`` on a flat CSV export (the stop-only cases).

Instants are compared as UTC, never by wall time. The DST facts the cases rely on are
derived from zoneinfo at import time and asserted, never typed in blindly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import slacalc
from slacalc.cli import main

LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
STATUSES = {"running", "paused", "met", "breached", "void", "no_target", "not_applicable"}


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- DST facts, derived from zoneinfo (independent of slacalc) ---------------------------


def transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """``(instant in UTC, offset before, offset after)`` of each change in ``year``: scan
    hourly UTC instants, then bisect each change to the second."""

    def offset(moment: datetime) -> timedelta:
        value = moment.astimezone(zone).utcoffset()
        assert value is not None
        return value

    found = []
    moment, stop = utc(year, 1, 1, 0), utc(year + 1, 1, 1, 0)
    while moment < stop:
        before, after = offset(moment), offset(moment + HOUR)
        if before != after:
            lo, hi = moment, moment + HOUR
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) // 2
                lo, hi = (mid, hi) if offset(mid) == before else (lo, mid)
            found.append((hi, before, after))
        moment += HOUR
    return found


def _check_zone_facts() -> None:
    # Los Angeles, 2025-11-02: at 09:00Z (02:00 PDT) clocks go back to 01:00 PST.
    la_2025 = transitions(LA, 2025)
    assert la_2025[-1] == (utc(2025, 11, 2, 9), -7 * HOUR, -8 * HOUR)
    assert la_2025[-1][0].astimezone(LA).date() == date(2025, 11, 2)
    # ... so 01:10 is shown twice: 08:10Z (PDT, fold 0) and 09:10Z (PST, fold 1).
    assert datetime(2025, 11, 2, 1, 10, tzinfo=LA).astimezone(UTC) == utc(2025, 11, 2, 8, 10)
    assert datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=LA).astimezone(UTC) == utc(
        2025, 11, 2, 9, 10)
    # Los Angeles, 2026-03-08: at 10:00Z (02:00 PST) clocks jump to 03:00 PDT.
    la_2026 = transitions(LA, 2026)
    assert la_2026[0] == (utc(2026, 3, 8, 10), -8 * HOUR, -7 * HOUR)
    assert la_2026[0][0].astimezone(LA).date() == date(2026, 3, 8)
    # ... so 01:59:59 PST is followed by 03:00:00 PDT, and 02:30 is never shown.
    assert (utc(2026, 3, 8, 10) - timedelta(seconds=1)).astimezone(LA).replace(
        tzinfo=None) == datetime(2026, 3, 8, 1, 59, 59)
    assert utc(2026, 3, 8, 10).astimezone(LA).replace(tzinfo=None) == datetime(2026, 3, 8, 3)
    # Berlin, 2026: forward at 01:00Z on 03-29 (02:00 CET -> 03:00 CEST), back at 01:00Z on
    # 10-25 (03:00 CEST -> 02:00 CET, so 02:00-02:59 is shown twice).
    assert transitions(BERLIN, 2026) == [(utc(2026, 3, 29, 1), HOUR, 2 * HOUR),
                                         (utc(2026, 10, 25, 1), 2 * HOUR, HOUR)]


_check_zone_facts()


def local(zone: ZoneInfo, text: str) -> str:
    """``text`` after checking that its offset is the one ``zone`` really shows then."""
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == moment.astimezone(zone).utcoffset(), (text, zone)
    return text


def la(text: str) -> str:
    return local(LA, text)


def ber(text: str) -> str:
    return local(BERLIN, text)


# -- policies ----------------------------------------------------------------------------

POLICIES = {
    # Plain units: real time, whatever the zone.
    "realtime": """
schema_version: 1
name: dst_realtime
vendor: Example
priorities:
  P1: {name: Critical}
  P2: {name: High}
tiers:
  standard:
    calendar: 24x7
    targets:
      P1: {response: 30 minutes, resolution: 4 hours}
      P2: {response: 1 hour, resolution: 8 hours}
rules:
  awaiting_customer: pause
""",
    # Business units on wall-time windows that contain the transitions.
    "business": """
schema_version: 1
name: dst_business
vendor: Example
calendars:
  night: {timezone: America/Los_Angeles, hours: {daily: "00:30-04:00"}}
  allday: {timezone: America/Los_Angeles, hours: {daily: "00:00-24:00"}}
  berlin: {timezone: Europe/Berlin, hours: {daily: "02:00-04:00"}}
priorities:
  P1: {name: Critical}
tiers:
  night:
    calendar: night
    targets:
      P1: {response: 2 business hours, resolution: 4 business hours}
  allday:
    calendar: allday
    targets:
      P1: {response: 1 business hour, resolution: 8 business hours}
  berlin:
    calendar: berlin
    targets:
      P1: {response: 2 business hours, resolution: 4 business hours}
rules:
  awaiting_customer: pause
""",
}


CALENDAR_ZONES = {("realtime", "standard"): UTC,  # the built-in 24x7 calendar is in UTC
                  ("business", "night"): LA, ("business", "allday"): LA,
                  ("business", "berlin"): BERLIN}
"""The zone of each tier's calendar, read off the policies above."""


@cache
def policy(name: str) -> Any:
    return slacalc.loads_policy(POLICIES[name], f"{name}.yaml")


# -- cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """One metric, by hand: instants in UTC, durations in minutes."""

    status: str
    due: datetime | None
    elapsed: int
    remaining: int
    stopped_at: datetime | None = None
    overrun: int | None = None  # breached only: (stop, or now) - due


@dataclass(frozen=True)
class Case:
    id: str
    policy: str
    tier: str
    priority: str
    zone: ZoneInfo
    opened: str
    events: tuple[tuple[str, str], ...]
    now: str | None
    response: Expect
    resolution: Expect

    @property
    def stop_only(self) -> bool:
        kinds = [kind for kind, _ in self.events]
        return set(kinds) <= {"responded", "resolved", "workaround"} and len(set(kinds)) == len(
            kinds)


CASES = [
    # 1. Fall-back, real time. Opened 00:50 PDT = 07:50Z; responded 01:10 PST = 09:10Z:
    # 80 real minutes (the wall clock shows only 20). Response 30 min -> due 08:20Z
    # (01:20 PDT); 09:10Z > 08:20Z -> breached by 50 min, 0 left. Resolution 4 h -> due
    # 11:50Z, running at 09:10Z (last event): 80 used, 160 left.
    Case("la-fall-realtime-breached", "realtime", "standard", "P1", LA,
         la("2025-11-02T00:50:00-07:00"),
         (("responded", la("2025-11-02T01:10:00-08:00")),), None,
         Expect("breached", utc(2025, 11, 2, 8, 20), 80, 0, utc(2025, 11, 2, 9, 10), 50),
         Expect("running", utc(2025, 11, 2, 11, 50), 80, 160)),
    # 1b. The opposite: opened 01:50 PDT = 08:50Z; responded 01:05 PST = 09:05Z (wall time
    # goes backwards): 15 real minutes. Response due 09:20Z (01:20 PST) -> met, 15 used,
    # 15 left. Resolution due 12:50Z, running: 15 used, 225 left.
    Case("la-fall-realtime-met", "realtime", "standard", "P1", LA,
         la("2025-11-02T01:50:00-07:00"),
         (("responded", la("2025-11-02T01:05:00-08:00")),), None,
         Expect("met", utc(2025, 11, 2, 9, 20), 15, 15, utc(2025, 11, 2, 9, 5)),
         Expect("running", utc(2025, 11, 2, 12, 50), 15, 225)),
    # 2. Event order in the repeated hour. Opened 01:00 PDT = 08:00Z (P2: 1 h / 8 h).
    # Listed: responded 01:20 PST = 09:20Z, awaiting_customer 01:40 PDT = 08:40Z,
    # customer_replied 01:05 PST = 09:05Z. By instant: pause 08:40Z, reply 09:05Z
    # (25 min pause), response 09:20Z. Response: ran 40 + 15 = 55 min; due 09:00Z + 25 =
    # 09:25Z (01:25 PST) -> met, 5 left. Resolution: due 16:00Z + 25 = 16:25Z; at 09:20Z
    # (last event) running, 55 used, 480 - 55 = 425 left.
    Case("la-fall-event-order", "realtime", "standard", "P2", LA,
         la("2025-11-02T01:00:00-07:00"),
         (("responded", la("2025-11-02T01:20:00-08:00")),
          ("awaiting_customer", la("2025-11-02T01:40:00-07:00")),
          ("customer_replied", la("2025-11-02T01:05:00-08:00"))), None,
         Expect("met", utc(2025, 11, 2, 9, 25), 55, 5, utc(2025, 11, 2, 9, 20)),
         Expect("running", utc(2025, 11, 2, 16, 25), 55, 425)),
    # 2b. Equal instants keep their list order. Opened 01:40 PDT = 08:40Z (P2). Listed:
    # customer_replied 01:15 PST = 09:15Z, then awaiting_customer 09:15Z (written in UTC):
    # the reply finds nothing paused, then the wait pauses both clocks at 09:15Z. At now
    # 02:00 PST = 10:00Z both are paused: 35 min used; response 60 - 35 = 25 left,
    # resolution 480 - 35 = 445 left; due unknown (None) as neither reached its target.
    Case("la-fall-equal-instants-stable", "realtime", "standard", "P2", LA,
         la("2025-11-02T01:40:00-07:00"),
         (("customer_replied", la("2025-11-02T01:15:00-08:00")),
          ("awaiting_customer", "2025-11-02T09:15:00+00:00")),
         la("2025-11-02T02:00:00-08:00"),
         Expect("paused", None, 35, 25),
         Expect("paused", None, 35, 445)),
    # 3. Pause across the repeated hour, 24x7. Opened 00:50 PDT = 07:50Z (P2). Paused at
    # 01:30 PDT = 08:30Z, customer replied 01:15 PST = 09:15Z: 45 real minutes of pause.
    # Response: first due 08:50Z + 45 = 09:35Z (01:35 PST); responded 01:30 PST = 09:30Z ->
    # met, 40 + 15 = 55 used, 5 left. Resolution: 15:50Z + 45 = 16:35Z; at now 02:00 PST =
    # 10:00Z running, 40 + 45 = 85 used, 480 - 85 = 395 left.
    Case("la-fall-pause-realtime", "realtime", "standard", "P2", LA,
         la("2025-11-02T00:50:00-07:00"),
         (("awaiting_customer", la("2025-11-02T01:30:00-07:00")),
          ("customer_replied", la("2025-11-02T01:15:00-08:00")),
          ("responded", la("2025-11-02T01:30:00-08:00"))),
         la("2025-11-02T02:00:00-08:00"),
         Expect("met", utc(2025, 11, 2, 9, 35), 55, 5, utc(2025, 11, 2, 9, 30)),
         Expect("running", utc(2025, 11, 2, 16, 35), 85, 395)),
    # 3b. The same ticket on a business calendar open 00:00-24:00 (1 / 8 business hours):
    # that wall day holds 25 real hours, all open (07:00Z Nov 2 - 08:00Z Nov 3), so
    # every figure is the 24x7 one: due 09:35Z and 16:35Z, 55 / 85 used.
    Case("la-fall-pause-allday-calendar", "business", "allday", "P1", LA,
         la("2025-11-02T00:50:00-07:00"),
         (("awaiting_customer", la("2025-11-02T01:30:00-07:00")),
          ("customer_replied", la("2025-11-02T01:15:00-08:00")),
          ("responded", la("2025-11-02T01:30:00-08:00"))),
         la("2025-11-02T02:00:00-08:00"),
         Expect("met", utc(2025, 11, 2, 9, 35), 55, 5, utc(2025, 11, 2, 9, 30)),
         Expect("running", utc(2025, 11, 2, 16, 35), 85, 395)),
    # 3c. Pause on the night calendar (daily 00:30-04:00 LA; on 2025-11-02 that is 00:30
    # PDT = 07:30Z to 04:00 PST = 12:00Z, 4.5 real hours; Mon 11-03 00:30 PST = 08:30Z).
    # Opened 00:30 PDT = 07:30Z (2 / 4 business hours). Paused 08:30Z - 09:15Z: 45 open
    # minutes. Response: 09:30Z + 45 = 10:15Z (02:15 PST); responded 02:00 PST = 10:00Z ->
    # met, 60 + 45 = 105 used, 15 left. Resolution: 11:30Z + 45 business min = 30 min to
    # the 12:00Z close + 15 min from Monday's 08:30Z opening = 08:45Z Nov 3 (00:45 PST);
    # at now 10:00Z running, 105 used, 240 - 105 = 135 left.
    Case("la-fall-pause-night-calendar", "business", "night", "P1", LA,
         la("2025-11-02T00:30:00-07:00"),
         (("awaiting_customer", la("2025-11-02T01:30:00-07:00")),
          ("customer_replied", la("2025-11-02T01:15:00-08:00")),
          ("responded", la("2025-11-02T02:00:00-08:00"))),
         la("2025-11-02T02:00:00-08:00"),
         Expect("met", utc(2025, 11, 2, 10, 15), 105, 15, utc(2025, 11, 2, 10, 0)),
         Expect("running", utc(2025, 11, 3, 8, 45), 105, 135)),
    # 4. Night calendar, fall-back day (window 07:30Z-12:00Z as above). Opened 00:30 PDT =
    # 07:30Z. Response 2 business hours -> 09:30Z = 01:30 PST (a wall-clock sum would say
    # 02:30); responded 01:50 PDT = 08:50Z -> met, 80 used, 40 left. Resolution 4 business
    # hours -> 11:30Z = 03:30 PST (wall sum: 04:30, past closing); resolved 03:45 PST =
    # 11:45Z -> breached by 15 min, 255 used (07:30Z-11:45Z, all open), 0 left.
    Case("la-fall-night-calendar", "business", "night", "P1", LA,
         la("2025-11-02T00:30:00-07:00"),
         (("responded", la("2025-11-02T01:50:00-07:00")),
          ("resolved", la("2025-11-02T03:45:00-08:00"))), None,
         Expect("met", utc(2025, 11, 2, 9, 30), 80, 40, utc(2025, 11, 2, 8, 50)),
         Expect("breached", utc(2025, 11, 2, 11, 30), 255, 0, utc(2025, 11, 2, 11, 45), 15)),
    # 4b. Night calendar, spring-forward day: 00:30 PST = 08:30Z to 04:00 PDT = 11:00Z,
    # 2.5 real hours; Mon 03-09 00:30 PDT = 07:30Z to 11:00Z. Opened 00:30 PST = 08:30Z.
    # Response 2 business hours -> 10:30Z = 03:30 PDT; responded 03:45 PDT = 10:45Z ->
    # breached by 15, 135 used, 0 left. Resolution 4 business hours: 2.5 h Sunday, 1.5 h
    # from Monday 07:30Z -> 09:00Z Mar 9 (02:00 PDT). Now Mon 01:00 PDT = 08:00Z: the
    # resolution at 01:30 PDT is not applied yet: running, 150 + 30 = 180 used, 60 left.
    Case("la-spring-night-calendar-now", "business", "night", "P1", LA,
         la("2026-03-08T00:30:00-08:00"),
         (("responded", la("2026-03-08T03:45:00-07:00")),
          ("resolved", la("2026-03-09T01:30:00-07:00"))),
         la("2026-03-09T01:00:00-07:00"),
         Expect("breached", utc(2026, 3, 8, 10, 30), 135, 0, utc(2026, 3, 8, 10, 45), 15),
         Expect("running", utc(2026, 3, 9, 9, 0), 180, 60)),
    # 4c. The same ticket as of its last event (08:30Z Mar 9): resolved before the 09:00Z
    # due -> met, 150 + 60 = 210 used, 30 left.
    Case("la-spring-night-calendar-final", "business", "night", "P1", LA,
         la("2026-03-08T00:30:00-08:00"),
         (("responded", la("2026-03-08T03:45:00-07:00")),
          ("resolved", la("2026-03-09T01:30:00-07:00"))), None,
         Expect("breached", utc(2026, 3, 8, 10, 30), 135, 0, utc(2026, 3, 8, 10, 45), 15),
         Expect("met", utc(2026, 3, 9, 9, 0), 210, 30, utc(2026, 3, 9, 8, 30))),
    # 5. Spring-forward, real time. Opened 01:30 PST = 09:30Z (P2: 1 h / 8 h). Response due
    # 10:30Z = 03:30 PDT (02:30 never exists); resolution due 17:30Z = 10:30 PDT. Now 03:10
    # PDT = 10:10Z: 40 real minutes (the wall clock says 1 h 40), running, 20 left;
    # resolution 440 left. The response at 03:50 PDT is after now: not applied.
    Case("la-spring-realtime-running", "realtime", "standard", "P2", LA,
         la("2026-03-08T01:30:00-08:00"),
         (("responded", la("2026-03-08T03:50:00-07:00")),),
         la("2026-03-08T03:10:00-07:00"),
         Expect("running", utc(2026, 3, 8, 10, 30), 40, 20),
         Expect("running", utc(2026, 3, 8, 17, 30), 40, 440)),
    # 5b. Same ticket, now 03:45 PDT = 10:45Z (the response at 10:50Z still not applied):
    # response breached while open, overrun now - due = 15 min, 75 used, 0 left;
    # resolution running, 405 left.
    Case("la-spring-realtime-overdue", "realtime", "standard", "P2", LA,
         la("2026-03-08T01:30:00-08:00"),
         (("responded", la("2026-03-08T03:50:00-07:00")),),
         la("2026-03-08T03:45:00-07:00"),
         Expect("breached", utc(2026, 3, 8, 10, 30), 75, 0, None, 15),
         Expect("running", utc(2026, 3, 8, 17, 30), 75, 405)),
    # 5c. Responded exactly at due, written in the pre-change offset: 02:30-08:00 is the
    # instant 10:30Z (LA's clock shows 03:30 PDT then). Exactly at due is met: 60 used,
    # 0 left. Resolution running at 10:30Z: 60 used, 420 left.
    Case("la-spring-realtime-at-due", "realtime", "standard", "P2", LA,
         la("2026-03-08T01:30:00-08:00"),
         (("responded", "2026-03-08T02:30:00-08:00"),), None,
         Expect("met", utc(2026, 3, 8, 10, 30), 60, 0, utc(2026, 3, 8, 10, 30)),
         Expect("running", utc(2026, 3, 8, 17, 30), 60, 420)),
    # Closing in the repeated hour. Opened 01:50 PDT = 08:50Z (P1: 30 min / 4 h); closed
    # 01:10 PST = 09:10Z. The close counts as the resolution: due 12:50Z -> met, 20 used,
    # 220 left. Response (due 09:20Z) is not past due at 09:10Z -> void, 20 used, 10 left.
    Case("la-fall-closed-void", "realtime", "standard", "P1", LA,
         la("2025-11-02T01:50:00-07:00"),
         (("closed", la("2025-11-02T01:10:00-08:00")),), None,
         Expect("void", None, 20, 10),
         Expect("met", utc(2025, 11, 2, 12, 50), 20, 220, utc(2025, 11, 2, 9, 10))),
    # Closed at 01:30 PST = 09:30Z instead: the response is past its 09:20Z due -> stopped
    # there, breached by 10, 40 used; resolution met, 40 used, 200 left.
    Case("la-fall-closed-late", "realtime", "standard", "P1", LA,
         la("2025-11-02T01:50:00-07:00"),
         (("closed", la("2025-11-02T01:30:00-08:00")),), None,
         Expect("breached", utc(2025, 11, 2, 9, 20), 40, 0, utc(2025, 11, 2, 9, 30), 10),
         Expect("met", utc(2025, 11, 2, 12, 50), 40, 200, utc(2025, 11, 2, 9, 30))),
    # Berlin fall-back, real time. Opened 02:40 CEST = 00:40Z; responded 02:20 CET = 01:20Z:
    # 40 real minutes. Response due 01:10Z (02:10 CET) -> breached by 10; resolution due
    # 04:40Z, running, 40 used, 200 left.
    Case("berlin-fall-realtime", "realtime", "standard", "P1", BERLIN,
         ber("2026-10-25T02:40:00+02:00"),
         (("responded", ber("2026-10-25T02:20:00+01:00")),), None,
         Expect("breached", utc(2026, 10, 25, 1, 10), 40, 0, utc(2026, 10, 25, 1, 20), 10),
         Expect("running", utc(2026, 10, 25, 4, 40), 40, 200)),
    # Berlin spring-forward, real time. Opened 01:45 CET = 00:45Z; responded 03:10 CEST =
    # 01:10Z: 25 real minutes (wall: 85). Response due 01:15Z (03:15 CEST) -> met, 5 left;
    # resolution due 04:45Z, running, 25 used, 215 left.
    Case("berlin-spring-realtime", "realtime", "standard", "P1", BERLIN,
         ber("2026-03-29T01:45:00+01:00"),
         (("responded", ber("2026-03-29T03:10:00+02:00")),), None,
         Expect("met", utc(2026, 3, 29, 1, 15), 25, 5, utc(2026, 3, 29, 1, 10)),
         Expect("running", utc(2026, 3, 29, 4, 45), 25, 215)),
    # Berlin calendar daily 02:00-04:00, fall-back day: 02:00 CEST = 00:00Z to 04:00 CET =
    # 03:00Z, 3 real hours; Mon 10-26 02:00 CET = 01:00Z to 03:00Z. Opened 00:00Z (2 / 4
    # business hours). Response due 02:00Z = 03:00 CET (wall sum: 04:00); responded 02:30
    # CET = 01:30Z -> met, 90 used, 30 left. Resolution: 3 h Sunday + 1 h from Monday
    # 01:00Z -> 02:00Z Oct 26; running at 01:30Z, 150 left.
    Case("berlin-fall-calendar", "business", "berlin", "P1", BERLIN,
         ber("2026-10-25T02:00:00+02:00"),
         (("responded", ber("2026-10-25T02:30:00+01:00")),), None,
         Expect("met", utc(2026, 10, 25, 2, 0), 90, 30, utc(2026, 10, 25, 1, 30)),
         Expect("running", utc(2026, 10, 26, 2, 0), 90, 150)),
    # Berlin calendar, spring-forward day: 02:00-02:59 is never shown, so the window is
    # 03:00 CEST = 01:00Z to 04:00 CEST = 02:00Z, 1 real hour; Mon/Tue 02:00 CEST = 00:00Z
    # to 02:00Z. Opened 01:30 CET = 00:30Z, before opening. Now 03:45 CEST = 01:45Z: 45
    # used. Response: 1 h Sunday + 1 h Monday -> 01:00Z Mar 30, 75 left. Resolution: 1 h
    # Sunday + 2 h Monday + 1 h Tuesday -> 01:00Z Mar 31, 195 left.
    Case("berlin-spring-calendar", "business", "berlin", "P1", BERLIN,
         ber("2026-03-29T01:30:00+01:00"), (), ber("2026-03-29T03:45:00+02:00"),
         Expect("running", utc(2026, 3, 30, 1, 0), 45, 75),
         Expect("running", utc(2026, 3, 31, 1, 0), 45, 195)),
]
STOP_ONLY = [case for case in CASES if case.stop_only]
METRICS = ("response", "resolution")


def test_the_cases_cover_the_status_vocabulary() -> None:
    seen = {getattr(case, metric).status for case in CASES for metric in METRICS}
    assert seen <= STATUSES
    assert seen >= {"met", "breached", "running", "paused", "void"}
    assert len({case.id for case in CASES}) == len(CASES)
    assert len(STOP_ONLY) >= 10  # the flat CSV export covers most cases too


# -- what each path is asked and what it answers -----------------------------------------


def _as_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def _minutes(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(minutes=value)


def expected(expect: Expect) -> dict[str, Any]:
    return {"status": expect.status, "due": expect.due, "stopped_at": expect.stopped_at,
            "elapsed": _minutes(expect.elapsed), "remaining": _minutes(expect.remaining),
            "overrun": _minutes(expect.overrun)}


def _instant(case: Case, text: str, form: str) -> str | datetime:
    """A ticket instant as the offset text, or as a datetime in the case's zone (the
    repeated hour's second pass has ``fold=1``, as ``astimezone`` sets it)."""
    return text if form == "offsets" else datetime.fromisoformat(text).astimezone(case.zone)


def ticket_dict(case: Case, form: str = "offsets") -> dict[str, Any]:
    return {"id": case.id, "tier": case.tier, "priority": case.priority,
            "opened_at": _instant(case, case.opened, form),
            "events": [{"kind": kind, "at": _instant(case, at, form)}
                       for kind, at in case.events]}


def test_zone_form_marks_the_second_pass_with_fold() -> None:
    ticket = ticket_dict(CASES[0], "zone")
    opened, responded = ticket["opened_at"], ticket["events"][0]["at"]
    assert (opened.fold, responded.fold) == (0, 1)
    assert responded.replace(tzinfo=None) == datetime(2025, 11, 2, 1, 10)
    assert responded.astimezone(UTC) - opened.astimezone(UTC) == timedelta(minutes=80)


@pytest.mark.parametrize("form", ["offsets", "zone"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_per_ticket_path(case: Case, form: str) -> None:
    now = None if case.now is None else datetime.fromisoformat(case.now)
    if now is not None and form == "zone":
        now = now.astimezone(case.zone)
    report = policy(case.policy).evaluate(ticket_dict(case, form), now)
    got = {}
    for metric in METRICS:
        m = report[metric]
        overrun = None
        if m.status == "breached":
            assert _as_utc(m.breached_at) == _as_utc(m.due)
            overrun = _as_utc(m.stopped_at or report.now) - _as_utc(m.breached_at)
        else:
            assert m.breached_at is None
        got[metric] = {"status": m.status, "due": _as_utc(m.due),
                       "stopped_at": _as_utc(m.stopped_at), "elapsed": m.elapsed,
                       "remaining": m.remaining, "overrun": overrun}
    assert got == {"response": expected(case.response),
                   "resolution": expected(case.resolution)}
    assert report.to_dict()["metrics"]["response"]["status"] == case.response.status


def _write_policy(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(POLICIES[name], encoding="utf-8")
    return path


def _run_report(source: Path, case: Case, capsys: pytest.CaptureFixture[str],
                *extra: str) -> dict[str, dict[str, Any]]:
    """``slacalc report`` on ``source`` (one ticket); its result rows by metric, read back."""
    out = source.parent / "out.csv"
    args = ["report", str(source), "--format", "csv", "-o", str(out), *extra]
    # The report is judged as of the clock unless told: a case without ``now`` (judged as
    # of its last event) gives that instant.
    last = max(datetime.fromisoformat(at) for at in (case.opened, *(at for _, at in case.events)))
    args += ["--now", case.now if case.now is not None else last.isoformat()]
    status = main(args)
    assert status == 0, capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(row["ticket_id"], row["metric"]) for row in rows] == [
        (case.id, metric) for metric in METRICS]
    zone = CALENDAR_ZONES[(case.policy, case.tier)]

    def instant(text: str) -> datetime | None:
        return None if not text else datetime.fromisoformat(text).astimezone(UTC)

    def seconds(text: str) -> timedelta | None:
        return None if not text else timedelta(seconds=float(text))

    got = {}
    for row in rows:
        assert row["status"] in STATUSES
        if row["due"]:  # docs/cli.md: due instants in the tier calendar's zone, at that time
            due = datetime.fromisoformat(row["due"])
            assert due.utcoffset() == due.astimezone(zone).utcoffset(), row["due"]
        got[row["metric"]] = {
            "status": row["status"], "due": instant(row["due"]),
            "stopped_at": instant(row["stopped_at"]),
            "elapsed": seconds(row["elapsed_seconds"]),
            "remaining": seconds(row["remaining_seconds"]),
            "overrun": seconds(row["overrun_seconds"])}
    return got


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_batch_path_jsonl(case: Case, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "tickets.jsonl"
    line = {"policy": str(_write_policy(tmp_path, case.policy)), **ticket_dict(case)}
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert _run_report(source, case, capsys) == {
        "response": expected(case.response), "resolution": expected(case.resolution)}


@pytest.mark.parametrize("case", STOP_ONLY, ids=[case.id for case in STOP_ONLY])
def test_batch_path_flat_csv(case: Case, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    stops = {f"{kind}_at": at for kind, at in case.events}
    header = ["ticket_id", "tier", "priority", "opened_at", "responded_at", "resolved_at"]
    assert set(stops) <= set(header)
    source = tmp_path / "tickets.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerow([case.id, case.tier, case.priority, case.opened,
                         stops.get("responded_at", ""), stops.get("resolved_at", "")])
    policy_file = _write_policy(tmp_path, case.policy)
    assert _run_report(source, case, capsys, "--policy", str(policy_file)) == {
        "response": expected(case.response), "resolution": expected(case.resolution)}
