"""`airwitness case draft`: short reports written for these tests, with the exact draft expected.

Each report asserts the parsed YAML values and which fields carry a ``# CHECK`` comment, so a
change to a rule shows up as a changed expectation here.
"""

from __future__ import annotations

import re
from datetime import date

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from airwitness.investigate.draft import draft_case

ALWAYS_CHECKED = {"title", "evidence"}  # a draft's title and evidence are always the analyst's


def checked(draft: str) -> set[str]:
    """Keys whose line carries a CHECK comment, minus those that always do."""
    keys = set()
    for line in draft.splitlines():
        m = re.match(r"\s*(\w+): .*#\s*CHECK:", line)
        if m:
            keys.add(m.group(1))
    assert keys >= ALWAYS_CHECKED
    return keys - ALWAYS_CHECKED


def comment(draft: str, key: str) -> str:
    line = next(x for x in draft.splitlines() if re.match(rf"\s*{key}: ", x))
    return line.split("#", 1)[1] if "#" in line else ""


def parse(draft: str) -> dict:
    case = yaml.safe_load(draft)
    assert set(case) == {"title", "allegation", "evidence", "airspace"}
    assert case["evidence"] == []
    assert case["airspace"] == "countries"
    return case


def test_iran_azerbaijan_june_without_year() -> None:
    text = (
        "Iran's foreign ministry has asked Azerbaijan to examine claims that Israeli drones "
        "entered Iranian airspace through Azerbaijan's territory between 13 and 24 June. "
        "Baku has not replied."
    )
    draft = draft_case(text)
    case = parse(draft)
    # Iranian dates are Tehran's (UTC+03:30): 13 June starts at 20:30 UTC on 12 June.
    assert case["allegation"] == {
        "into": "IRN",
        "via": "AZE",
        "since": "????-06-12T20:30Z",
        "until": "????-06-24T20:30Z",
        "timezone": "Asia/Tehran",
        "aircraft": ["uav"],
        "operator": "ISR",
    }
    assert case["title"].startswith("Iran's foreign ministry has asked Azerbaijan")
    assert len(case["title"]) <= 100
    assert checked(draft) == {"since", "until", "timezone"}
    assert "year not stated" in comment(draft, "since")
    assert comment(draft, "into") == ' from "entered Iranian airspace"'
    assert comment(draft, "via") == ' from "through Azerbaijan\'s territory"'
    assert 'since: "????-06-12T20:30Z"  # CHECK: year not stated' in draft
    assert comment(draft, "since").endswith("; = ????-06-13T00:00+03:30 Asia/Tehran")
    assert comment(draft, "until").endswith("; = ????-06-25T00:00+03:30 Asia/Tehran")


def test_poland_belarus_drones_with_headline_and_full_dates() -> None:
    text = (
        "Drones over Poland\n\n"
        "The Polish army said that Russian drones entered Polish airspace from Belarus "
        "on the night of 9–10 September 2025. Several were shot down near Lublin."
    )
    draft = draft_case(text)
    case = parse(draft)
    assert case["title"] == "Drones over Poland"
    # The night of 9-10 September starts at 18:00 on the 9th, Warsaw time (UTC+02:00).
    assert case["allegation"] == {
        "into": "POL",
        "via": "BLR",
        "since": "2025-09-09T16:00Z",
        "until": "2025-09-10T22:00Z",
        "timezone": "Europe/Warsaw",
        "aircraft": ["uav"],
        "operator": "RUS",
    }
    assert checked(draft) == {"since", "until", "timezone"}
    assert comment(draft, "timezone") == (
        " CHECK: local dates of POL, the country entered (Europe/Warsaw): the text names no zone"
    )
    assert comment(draft, "since").endswith(
        "; = 2025-09-09T18:00+02:00 Europe/Warsaw,"
        ' the evening of "the night of 9–10 September 2025"'
    )


def test_lithuania_belarus_balloons_weak_route_and_one_date() -> None:
    text = (
        "Vilnius airport closed again after balloons from Belarus crossed into Lithuanian "
        "airspace on 24 October 2025."
    )
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"] == {
        "into": "LTU",
        "via": "BLR",
        "since": "2025-10-23T21:00Z",
        "until": "2025-10-24T21:00Z",
        "timezone": "Europe/Vilnius",
        "aircraft": ["unknown"],
        "operator": None,
    }
    assert checked(draft) == {"via", "since", "until", "timezone", "aircraft", "operator"}
    assert 'role guessed from "from Belarus"' in comment(draft, "via")
    assert "window is that day only" in comment(draft, "since")
    assert "balloons" in comment(draft, "aircraft")


def test_text_without_dates() -> None:
    text = (
        "Georgian border guards said a Russian helicopter violated Georgia's airspace "
        "near the administrative boundary line."
    )
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"] == {
        "into": "GEO",
        "via": None,
        "since": None,
        "until": None,
        "timezone": "Asia/Tbilisi",
        "aircraft": ["helicopter"],
        "operator": "RUS",
    }
    assert checked(draft) == {"via", "since", "until", "timezone"}
    assert comment(draft, "since") == " CHECK: no date in the text"
    assert "no country named as the route (countries named: GEO, RUS)" in comment(draft, "via")


def test_text_without_year_and_relative_words() -> None:
    text = (
        "Ukraine said Belarusian territory was used by Shahed drones on 3 and 4 July; "
        "more were heard last night."
    )
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"] == {
        "into": "UKR",
        "via": "BLR",
        "since": "????-07-02T21:00Z",
        "until": "????-07-04T21:00Z",
        "timezone": "Europe/Kyiv",
        "aircraft": ["uav"],
        "operator": None,
    }
    assert checked(draft) == {"into", "since", "until", "timezone", "operator"}
    assert 'role guessed from "Ukraine said"' in comment(draft, "into")
    assert comment(draft, "via") == ' from "Belarusian territory was used"'
    assert "relative date" in comment(draft, "since")


def test_full_dates_with_year_and_model_name() -> None:
    text = (
        "Radar logs show an Israeli Hermes 900 drone flew from Azerbaijani airspace into Iran "
        "between June 13 and June 24, 2025."
    )
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"] == {
        "into": "IRN",
        "via": "AZE",
        "since": "2025-06-12T20:30Z",
        "until": "2025-06-24T20:30Z",
        "timezone": "Asia/Tehran",
        "aircraft": ["uav"],
        "operator": "ISR",
    }
    assert checked(draft) == {"since", "until", "timezone"}  # the zone is IRN's, not the text's


def test_two_countries_without_roles() -> None:
    text = (
        "Armenian and Azerbaijani officials traded accusations over drone flights near the "
        "border on 2 May 2024."
    )
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"] == {
        "into": None,
        "via": None,
        "since": date(2024, 5, 2),
        "until": date(2024, 5, 2),
        "timezone": None,
        "aircraft": ["uav"],
        "operator": None,
    }
    assert checked(draft) == {"into", "via", "since", "until", "timezone", "operator"}
    assert "countries named: ARM, AZE" in comment(draft, "into")
    assert "dates read as UTC days: the text names no time zone and no country entered" in (
        comment(draft, "since")
    )


def test_capitals_only() -> None:
    text = "Tehran accused Baku on 21 June of letting drones sent by Tel Aviv use its airspace."
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"] == {
        "into": "IRN",
        "via": "AZE",
        "since": "????-06-20T20:30Z",
        "until": "????-06-21T20:30Z",
        "timezone": "Asia/Tehran",
        "aircraft": ["uav"],
        "operator": "ISR",
    }
    assert checked(draft) == {"into", "via", "since", "until", "timezone"}
    assert 'role guessed from "Tehran accused"' in comment(draft, "into")
    assert "its airspace" in comment(draft, "via")
    assert comment(draft, "operator") == ' from "sent by Tel Aviv"'


def test_no_country_at_all() -> None:
    text = "Unidentified drones were seen over an airfield on the night of 3 to 4 March."
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"] == {
        "into": None,
        "via": None,
        "since": "????-03-03T18:00Z",
        "until": "????-03-04",
        "timezone": None,
        "aircraft": ["uav"],
        "operator": None,
    }
    assert checked(draft) == {"into", "via", "since", "until", "timezone", "operator"}
    assert comment(draft, "since").endswith(
        '= ????-03-03T18:00Z, the evening of "the night of 3 to 4 March"'
    )
    assert "no country named in the text" in comment(draft, "into")


def test_no_aircraft_type_numeric_dates_and_codes() -> None:
    text = (
        "Lithuania said objects from Belarus violated its airspace on 13/10/2025. "
        "An investigation into Belarus's role has begun."
    )
    draft = draft_case(text, codes={"LTU", "POL"})
    case = parse(draft)
    assert case["allegation"] == {
        "into": "LTU",
        "via": "BLR",
        "since": "2025-10-12T21:00Z",
        "until": "2025-10-13T21:00Z",
        "timezone": "Europe/Vilnius",
        "aircraft": "any",
        "operator": None,
    }
    assert checked(draft) == {
        "into",
        "via",
        "since",
        "until",
        "timezone",
        "aircraft",
        "operator",
    }
    assert "BLR is not a code of the airspace set" in comment(draft, "via")
    assert "no aircraft type named" in comment(draft, "aircraft")


def test_maker_is_not_operator_and_defenders_are_not_operator() -> None:
    text = "Iranian-made drones flew over Ukraine on 5 March 2024. Polish jets were scrambled."
    draft = draft_case(text)
    case = parse(draft)
    assert case["allegation"]["into"] == "UKR"
    assert case["allegation"]["operator"] == "IRN"
    assert case["allegation"]["aircraft"] == ["jet", "uav"]
    assert checked(draft) == {"into", "via", "since", "until", "timezone", "operator", "aircraft"}
    assert "not necessarily operator" in comment(draft, "operator")
    # Crimea (Europe/Simferopol) keeps Moscow time: UKR has two offsets in March.
    assert "UKR also has zones at UTC+03:00; took Europe/Kyiv (UTC+02:00)" in comment(
        draft, "timezone"
    )


def test_deterministic_and_never_today() -> None:
    text = "Drones were seen over Minsk on 1 May. Drones were seen yesterday too."
    first = draft_case(text)
    assert first == draft_case(text)
    assert str(date.today().year) not in first  # noqa: DTZ011 - only the year, for the check
    assert parse(first)["allegation"]["since"] == "????-04-30T21:00Z"  # Minsk: UTC+03:00


def test_empty_text() -> None:
    case = parse(draft_case(""))
    assert case["title"] is None
    assert case["allegation"]["into"] is None
    assert case["allegation"]["since"] is None


FRAGMENTS = st.sampled_from(
    [
        "Iran",
        "Azerbaijani airspace",
        " into ",
        " through ",
        " from ",
        "Israeli drones",
        "its airspace",
        " said ",
        "13 June",
        " and ",
        "24 June 2025",
        "June 13–24",
        "13/06/2025",
        "yesterday",
        ". ",
        "\n",
        "#",
        ": ",
        "- ",
        "'",
        '"',
        "????",
        "Tehran",
        "Kosovo",
        "\ue000N0\ue001",
        "\x07",
        "\u2028",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=14).map("".join))
def test_any_text_gives_valid_deterministic_yaml(text: str) -> None:
    draft = draft_case(text)
    assert draft == draft_case(text)
    case = parse(draft)
    assert set(case["allegation"]) == {
        "into",
        "via",
        "since",
        "until",
        "timezone",
        "aircraft",
        "operator",
    }
    for key in ("since", "until"):
        value = case["allegation"][key]
        assert (
            value is None
            or isinstance(value, date)
            or re.fullmatch(r"(\d{4}|\?{4})-\d\d-\d\d(T\d\d:\d\d(:\d\d)?Z)?", value)
        )
