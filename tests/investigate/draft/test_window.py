"""The drafted window: local dates in UTC, nights, clock times; and every route named.

Short texts written for these tests, each with the exact window (UTC) expected.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from airwitness.investigate.casefile import parse_case
from airwitness.investigate.draft import draft_case
from airwitness.times import parse_utc_ns
from tests.investigate.draft.test_case import checked, comment

POLAND = (
    "Russian drones entered Polish airspace on the night of 10 September 2025. "
    "Around 00:50 Kyiv time, the first crossing of the Ukrainian-Polish border was recorded. "
    "Polish officials said the drones that entered Poland used Belarusian airspace."
)


def allegation(draft: str) -> dict:
    return yaml.safe_load(draft)["allegation"]


def test_named_zone_night_clock_time_and_two_routes() -> None:
    """Kyiv time is named, so the dates are Kyiv's (UTC+03:00 in September): the night
    of 10 September starts at 18:00 on the 9th (15:00 UTC) and takes in the first
    crossing at 00:50 Kyiv time (21:50 UTC on the 9th); both routes are kept."""
    draft = draft_case(POLAND)
    assert allegation(draft) == {
        "into": "POL",
        "via": ["BLR", "UKR"],
        "since": "2025-09-09T15:00Z",
        "until": "2025-09-10T21:00Z",
        "timezone": "Europe/Kyiv",
        "aircraft": ["uav"],
        "operator": "RUS",
    }
    assert checked(draft) == {"via", "since", "until"}
    assert comment(draft, "timezone") == ' from "Kyiv time"'
    assert comment(draft, "via") == (
        ' CHECK: UKR: role guessed from "crossing of the Ukrainian-Polish border" (crossing of'
        ' the X–Y border (direction not stated)); BLR from "used Belarusian airspace";'
        ' UKR from "crossing of the Ukrainian-Polish border"'
    )
    assert comment(draft, "since") == (
        ' CHECK: one night named ("10 September 2025"); window is that night and day;'
        ' = 2025-09-09T18:00+03:00 Kyiv time, the evening before "the night of 10 September 2025"'
    )
    assert comment(draft, "until").endswith("; = 2025-09-11T00:00+03:00 Kyiv time")
    first_crossing = parse_utc_ns("2025-09-09T21:50Z")
    case = _as_case(draft)
    assert case.since_ns < first_crossing < case.until_ns
    assert (case.routes, case.timezone) == (("BLR", "UKR"), "Europe/Kyiv")


def test_iranian_date_without_a_year_starts_the_evening_before_in_utc() -> None:
    """13 June in Tehran (UTC+03:30) starts at 20:30 UTC on 12 June; the year stays open."""
    draft = draft_case("Iran said Israeli drones entered its airspace from Azerbaijan on June 13.")
    got = allegation(draft)
    assert (got["since"], got["until"], got["timezone"]) == (
        "????-06-12T20:30Z",
        "????-06-13T20:30Z",
        "Asia/Tehran",
    )
    assert comment(draft, "since") == (
        ' CHECK: year not stated; one date named ("June 13"); window is that day only;'
        " local dates of IRN, the country entered (Asia/Tehran): the text names no zone;"
        " = ????-06-13T00:00+03:30 Asia/Tehran"
    )


def test_a_clock_time_in_another_zone_widens_the_window() -> None:
    """UTC is named first, so 10 September is a UTC day; 01:10 Kyiv time on it is 22:10
    UTC on the 9th, before that day: the window starts there."""
    draft = draft_case(
        "On 10 September 2025 at 23:30 UTC drones entered Polish airspace from Belarus; "
        "at 01:10 Kyiv time more had followed."
    )
    got = allegation(draft)
    assert (got["since"], got["until"], got["timezone"]) == (
        "2025-09-09T22:10Z",
        date(2025, 9, 10),  # a whole UTC day, written as a hand-written case file would be
        "UTC",
    )
    assert comment(draft, "since").endswith(
        '; = 2025-09-10T01:10+03:00 Europe/Kyiv, the time "01:10 Kyiv time" on "10 September 2025"'
    )
    assert 'the text also names "Kyiv time"' in comment(draft, "until")


def test_clock_times_inside_the_days_leave_the_window_as_it_is() -> None:
    draft = draft_case(
        "Iranian air defences said drones entered Iranian airspace at 03:00 Tehran time on "
        "13 June 2025 and again at 23:40 Tehran time on 14 June 2025."
    )
    got = allegation(draft)
    assert (got["since"], got["until"]) == ("2025-06-12T20:30Z", "2025-06-14T20:30Z")
    assert comment(draft, "since") == (
        ' CHECK: window spans the dates named: "13 June 2025", "14 June 2025";'
        " = 2025-06-13T00:00+03:30 Tehran time"
    )
    assert comment(draft, "timezone") == ' from "Tehran time"'


def test_an_afternoon_time_of_a_night_is_the_day_before() -> None:
    """After "the night of 3 March", 17:30 is on 2 March: 16:30 UTC (Warsaw is UTC+01:00
    in March), before the night's 18:00 start, so the window starts there."""
    draft = draft_case(
        "Drones entered Polish airspace on the night of 3 March 2025, the first seen at "
        "17:30 Warsaw time."
    )
    got = allegation(draft)
    assert (got["since"], got["until"]) == ("2025-03-02T16:30Z", "2025-03-03T23:00Z")
    assert comment(draft, "since").endswith(
        '= 2025-03-02T17:30+01:00 Europe/Warsaw, the time "17:30 Warsaw time" on "3 March 2025"'
    )


def test_two_routes_both_sure() -> None:
    draft = draft_case(
        "Drones entered Romanian airspace from Ukrainian airspace on 5 May 2025, and "
        "Moldovan airspace was used too."
    )
    assert allegation(draft)["via"] == ["UKR", "MDA"]
    assert "via" not in checked(draft)
    assert comment(draft, "via") == (
        ' UKR from "from Ukrainian airspace"; MDA from "Moldovan airspace was used"'
    )


def _as_case(draft: str):
    """The draft as a case file, with evidence filled in as an analyst would."""
    doc = yaml.safe_load(draft)
    doc["evidence"] = [{"path": "test_window.py"}]
    return parse_case(doc, base_dir=Path(__file__).parent)


def test_a_speaker_in_another_zone_is_named_in_the_check() -> None:
    """Ukraine (UTC+03:00) speaks of an entry into Poland (UTC+02:00 in September): the
    dates are read as Poland's, and the CHECK says whose else they could be."""
    draft = draft_case(
        "Ukraine's air force said Russian drones entered Polish airspace on 10 September 2025."
    )
    got = allegation(draft)
    assert (got["since"], got["until"], got["timezone"]) == (
        "2025-09-09T22:00Z",
        "2025-09-10T22:00Z",
        "Europe/Warsaw",
    )
    assert comment(draft, "timezone") == (
        " CHECK: local dates of POL, the country entered (Europe/Warsaw): the text names no"
        " zone; the text speaks for UKR, whose dates would be Europe/Kyiv's (UTC+03:00, not"
        " UTC+02:00)"
    )
