"""The bundled policies: they load, lint clean of errors, and give hand-checked deadlines.

Every expected instant below is derived in its comment from the policy's hours: nothing
here is computed by slacalc and pasted back.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slacalc import bundled_policy, bundled_policy_names, load_policies, load_policy
from slacalc.policy import lint

ROOT = Path(__file__).resolve().parent.parent
LA = ZoneInfo("America/Los_Angeles")
TORONTO = ZoneInfo("America/Toronto")
AS_OF = date(2026, 11, 22)


def la(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LA, fold=fold)  # type: ignore[misc]


def toronto(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=TORONTO, fold=fold)  # type: ignore[misc]


def test_the_four_vendor_policies_are_bundled() -> None:
    assert bundled_policy_names() == ["cloudmark", "perfectmail", "valimail", "vircom"]


def test_every_file_in_policies_loads() -> None:
    loaded = load_policies(ROOT / "policies")
    assert sorted(loaded) == bundled_policy_names()
    for name, policy in loaded.items():
        assert policy.notes, name
        assert policy.source, name
        assert policy.source.split(":")[0].endswith(".txt"), name


@pytest.mark.parametrize("name", ["cloudmark", "perfectmail", "valimail", "vircom"])
def test_every_bundled_policy_lints_without_errors(name: str) -> None:
    findings = lint(bundled_policy(name), as_of=AS_OF)
    assert [f for f in findings if f.severity == "error"] == []
    if name == "vircom":
        # Kept on purpose and explained in the notes: P2 resolution is 24 real hours, its
        # response 1 business hour, so a Friday-evening ticket is due to be resolved first.
        (finding,) = findings
        assert finding.key == "tiers.standard.targets.P2.resolution"
        assert finding.message.startswith("resolution is due before the response")
    else:
        assert findings == []


def test_a_negotiated_overlay_of_a_bundled_policy() -> None:
    negotiated = load_policy(Path(__file__).parent / "fixtures" / "valid" / "negotiated.yaml")
    # Only P2's response changed: 30 business minutes from Fri 17:45 -> 15 min Friday +
    # Mon 07:30-07:45. P1 is the bundled 30 real minutes.
    opened = toronto(2026, 11, 20, 17, 45)
    assert negotiated.deadlines("standard", "P2", opened)["response"] == toronto(2026, 11, 23,
                                                                                  7, 45)
    assert negotiated.deadlines("standard", "P1", opened)["response"] == toronto(2026, 11, 20,
                                                                                  18, 15)
    assert negotiated.rules.awaiting_customer == "void"


VALIMAIL = [
    # basic, 24 business hours (Mon-Fri 06:00-18:00 PT, 12 h a day).
    # Fri 10:00: 8 h Friday + 12 h Monday + 4 h Tuesday -> Tue 10:00 (weekend skipped).
    ("basic", "P1", la(2026, 11, 20, 10, 0), la(2026, 11, 24, 10, 0)),
    # Wed 15:00 before Thanksgiving (Thu 11-26): 3 h Wed, Thu closed, 12 h Fri, 9 h Mon.
    ("basic", "low", la(2026, 11, 25, 15, 0), la(2026, 11, 30, 15, 0)),
    # Fri 12:00 PST before the spring change: 6 h Fri + 12 h Mon (PDT) + 6 h Tue.
    ("basic", "P2", la(2026, 3, 6, 12, 0), la(2026, 3, 10, 12, 0)),
    # Mon 06:00: two whole days end on Tuesday's closing instant, not Wednesday 06:00.
    ("basic", "medium", la(2026, 11, 23, 6, 0), la(2026, 11, 24, 18, 0)),
    # enhanced: P1 1 business hour. Fri 17:30 -> 30 min Fri + Mon 06:00-06:30.
    ("enhanced", "urgent", la(2026, 11, 20, 17, 30), la(2026, 11, 23, 6, 30)),
    # P2 4 business hours from Fri 17:30 -> 30 min + Mon 06:00-09:30.
    ("enhanced", "high", la(2026, 11, 20, 17, 30), la(2026, 11, 23, 9, 30)),
    # P1 from Saturday counts from Monday's 06:00 opening.
    ("enhanced", "P1", la(2026, 11, 21, 10, 0), la(2026, 11, 23, 7, 0)),
    # P2 from Mon 14:00 lands on the 18:00 closing.
    ("enhanced", "P2", la(2026, 11, 23, 14, 0), la(2026, 11, 23, 18, 0)),
    # P1 on Thanksgiving Day counts from Friday 06:00.
    ("enhanced", "P1", la(2026, 11, 26, 9, 0), la(2026, 11, 27, 7, 0)),
    # P3 24 business hours from Fri 2026-07-03 (Independence Day observed) 09:00:
    # Mon 07-06 and Tue 07-07 make 24 h -> Tue 18:00.
    ("enhanced", "P3", la(2026, 7, 3, 9, 0), la(2026, 7, 7, 18, 0)),
    # valicare: 24x7, so business hours are real hours. Sat 10:00 + 1 h.
    ("valicare", "P1", la(2026, 11, 21, 10, 0), la(2026, 11, 21, 11, 0)),
    # Sun 2026-11-01 00:30 PDT + 4 real hours crosses the fall-back: 03:30 PST.
    ("valicare", "P2", la(2026, 11, 1, 0, 30), la(2026, 11, 1, 3, 30)),
    # Sun 2026-03-08 00:30 PST + 4 real hours crosses the spring gap: 05:30 PDT.
    ("valicare_plus", "P2", la(2026, 3, 8, 0, 30), la(2026, 3, 8, 5, 30)),
    ("valicare_plus", "P3", la(2026, 11, 21, 10, 0), la(2026, 11, 22, 10, 0)),
]


@pytest.mark.parametrize(("tier", "priority", "opened", "response"), VALIMAIL)
def test_valimail_response_deadlines(
    tier: str, priority: str, opened: datetime, response: datetime
) -> None:
    assert bundled_policy("valimail").deadlines(tier, priority, opened) == {"response": response}


CLOUDMARK = [
    # Mon-Fri 00:00-24:00 PT, US holidays, a business day is 24 business hours.
    # P1: 1 real hour; no resolution deadline ("continuous effort").
    ("P1", la(2026, 11, 21, 10, 0), la(2026, 11, 21, 11, 0), None),
    # P2 from Fri 10:00: 14 h Friday + 10 h Monday -> Mon 10:00; resolution 3 days =
    # 72 h: Fri 14 + Mon 24 + Tue 24 + Wed 10 -> Wed 10:00.
    ("P2", la(2026, 11, 20, 10, 0), la(2026, 11, 23, 10, 0), la(2026, 11, 25, 10, 0)),
    # P2 from Saturday: counting starts Mon 00:00 and a whole day ends at Monday's
    # midnight, the instant Tue 00:00; 3 days end when Wednesday does, the instant
    # Thu 00:00 (that Thursday, Thanksgiving, being closed changes nothing).
    ("P2", la(2026, 11, 21, 10, 0), la(2026, 11, 24, 0, 0), la(2026, 11, 26, 0, 0)),
    # P3 from Wed 11-25 12:00: 2 days = 48 h: Wed 12, Thu closed, Fri 24, Mon 12 -> Mon
    # 12:00. Resolution 10 days = 240 h: Wed 12 + Fri 24 = 36, Mon 11-30 to Wed 12-09
    # (8 weekdays) = 192 -> 228, and 12 h of Thu 12-10 -> 12:00.
    ("P3", la(2026, 11, 25, 12, 0), la(2026, 11, 30, 12, 0), la(2026, 12, 10, 12, 0)),
    # P4 from Fri 2026-03-06 12:00 PST (clocks change on the closed Sunday): 3 days = 72 h:
    # Fri 12 + Mon 24 + Tue 24 + Wed 12 -> Wed 12:00 PDT. No resolution deadline.
    ("P4", la(2026, 3, 6, 12, 0), la(2026, 3, 11, 12, 0), None),
]


@pytest.mark.parametrize(("priority", "opened", "response", "resolution"), CLOUDMARK)
def test_cloudmark_deadlines(
    priority: str, opened: datetime, response: datetime, resolution: datetime | None
) -> None:
    due = bundled_policy("cloudmark").deadlines("premium", priority, opened)
    assert due == {"response": response, "resolution": resolution}


VIRCOM = [
    # P1: 30 real minutes and 4 real hours, whatever the calendar: Sat 23:45.
    ("P1", {}, toronto(2026, 11, 21, 23, 45), toronto(2026, 11, 22, 0, 15),
     toronto(2026, 11, 22, 3, 45)),
    # P1 during the repeated hour: 01:15 EDT (first showing) + 30 min = 01:45 EDT;
    # + 4 h real = 05:15 UTC + 4 h = 09:15 UTC = 04:15 EST.
    ("critical", {}, toronto(2026, 11, 1, 1, 15), toronto(2026, 11, 1, 1, 45),
     toronto(2026, 11, 1, 4, 15)),
    # P2: 1 business hour from Fri 17:30 -> 30 min + Mon 07:30-08:00; 24 real hours.
    ("P2", {}, toronto(2026, 11, 20, 17, 30), toronto(2026, 11, 23, 8, 0),
     toronto(2026, 11, 21, 17, 30)),
    # P2 the evening before Saint-Jean-Baptiste (Wed 06-24): Tue 17:30 -> Thu 08:00.
    ("high", {}, toronto(2026, 6, 23, 17, 30), toronto(2026, 6, 25, 8, 0),
     toronto(2026, 6, 24, 17, 30)),
    # P3 from Fri 2026-03-06 16:00 EST: 2 h Friday + Mon 07:30-09:30 EDT. Resolution at
    # the range's upper bound, 72 real hours: 21:00 UTC Fri + 72 h = 21:00 UTC Mon =
    # 17:00 EDT (the wall clock moved an hour in between).
    ("P3", {}, toronto(2026, 3, 6, 16, 0), toronto(2026, 3, 9, 9, 30),
     toronto(2026, 3, 9, 17, 0)),
    # P3 defect: no resolution deadline ("fixed in the next operational release");
    # response from Mon 14:00 lands on the 18:00 closing.
    ("normal", {"category": "defect"}, toronto(2026, 11, 23, 14, 0),
     toronto(2026, 11, 23, 18, 0), None),
]


@pytest.mark.parametrize(("priority", "attributes", "opened", "response", "resolution"), VIRCOM)
def test_vircom_deadlines(
    priority: str,
    attributes: dict[str, str],
    opened: datetime,
    response: datetime,
    resolution: datetime | None,
) -> None:
    due = bundled_policy("vircom").deadlines("standard", priority, opened, **attributes)
    assert due == {"response": response, "resolution": resolution}


def test_perfectmail_has_no_time_targets() -> None:
    policy = bundled_policy("perfectmail")
    assert policy.deadlines("standard", "standard", la(2026, 11, 23, 9, 0)) == {}
