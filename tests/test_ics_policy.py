"""A policy's calendar takes closures from an iCalendar file beside it (``ics:``): read
when the policy is loaded, confined to the policy's folder like ``extends``."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slacalc import PolicyError, load_policy, loads_policy

FEED = Path(__file__).resolve().parent / "fixtures" / "ics" / "ca-holidays-2026.ics"
TORONTO = ZoneInfo("America/Toronto")
FRIDAY = datetime(2026, 10, 9, 16, 30, tzinfo=TORONTO)  # before Thanksgiving, Mon 10-12


def _text(feeds: str) -> str:
    return f"""schema_version: 1
name: ours
vendor: Us
calendars:
  office:
    timezone: America/Toronto
    hours: {{mon-fri: "09:00-17:00"}}
    ics: {feeds}
priorities: {{P1: {{name: P1}}}}
tiers:
  standard:
    calendar: office
    targets: {{P1: {{response: 1 business hour}}}}
"""


def test_a_feed_beside_the_policy_closes_its_dates(tmp_path: Path) -> None:
    shutil.copy(FEED, tmp_path / "holidays.ics")
    (tmp_path / "ours.yaml").write_text(_text("[holidays.ics]"), encoding="utf-8")
    policy = load_policy(tmp_path / "ours.yaml")
    # Thanksgiving is an all-day event of the feed: Fri 16:30 + 1 business hour is 30
    # minutes on Friday and 30 on Tuesday (Monday closed), so Tue 09:30.
    tuesday = datetime(2026, 10, 13, 9, 30, tzinfo=TORONTO)
    assert policy.calendar("office").add(FRIDAY, timedelta(hours=1)) == tuesday
    assert policy.deadlines("standard", "P1", FRIDAY)["response"] == tuesday


def test_without_the_feed_monday_is_open() -> None:
    policy = loads_policy(_text("[]"), "ours.yaml")
    assert policy.calendar("office").add(FRIDAY, timedelta(hours=1)) == datetime(
        2026, 10, 12, 9, 30, tzinfo=TORONTO)


def test_a_feed_written_inline() -> None:
    inline = "|\n" + "".join(f"      {line}\n" for line in FEED.read_text().splitlines())
    policy = loads_policy(_text(inline.replace("|\n", "\n    - |\n", 1)), "ours.yaml")
    assert policy.calendar("office").add(FRIDAY, timedelta(hours=1)) == datetime(
        2026, 10, 13, 9, 30, tzinfo=TORONTO)


@pytest.mark.parametrize(("feeds", "message"), [
    ("[../holidays.ics]", "leads outside"),
    ("[/etc/hosts]", "an absolute path"),
    ("[missing.ics]", "missing.ics"),
])
def test_a_feed_path_is_confined_and_located(tmp_path: Path, feeds: str, message: str) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(FEED, tmp_path / "holidays.ics")  # outside the policy's folder
    (folder / "ours.yaml").write_text(_text(feeds), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(folder / "ours.yaml")
    text = str(caught.value)
    assert text.startswith(f"{folder / 'ours.yaml'}:8:")  # the line of `ics:`
    assert "calendars.office.ics[0]" in text
    assert message in text
