"""Time zones for drafts: a country's zone from tzdata's tables, and the zones a text names."""

from __future__ import annotations

import pytest

from airwitness.investigate.draft.zones import choose_text_zone, country_zones, find_zones


@pytest.mark.parametrize(
    ("code", "first", "count"),
    [
        ("IRN", "Asia/Tehran", 1),
        ("POL", "Europe/Warsaw", 1),
        ("UKR", "Europe/Kyiv", 2),  # its capital's, before Crimea's Europe/Simferopol
        ("RUS", "Europe/Moscow", None),  # its capital's, though Kaliningrad is listed first
        ("USA", "America/New_York", None),  # no zone named after Washington: the first listed
        ("SDS", "Africa/Juba", 1),  # Natural Earth's South Sudan, ISO SSD
    ],
)
def test_country_zones_from_zone1970(code: str, first: str, count: int | None) -> None:
    zones = country_zones(code)
    assert zones[0] == first
    assert len(zones) == count if count is not None else len(zones) > 10


def test_a_country_without_a_zone_of_its_own() -> None:
    assert country_zones("KOS") == ()  # Kosovo has no ISO code in tzdata's tables


def test_zones_a_text_names() -> None:
    text = (
        "At 00:50 Kyiv time (21:50 UTC); Tehran Standard Time, Iranian time, UTC+3:30, "
        "GMT-4, 03:10 CEST and Moscow time."
    )
    assert [(z.zone, z.quote) for z in find_zones(text)] == [
        ("Europe/Kyiv", "Kyiv time"),
        ("UTC", "UTC"),
        ("Asia/Tehran", "Tehran Standard Time"),
        ("Asia/Tehran", "Iranian time"),
        ("UTC+03:30", "UTC+3:30"),
        ("UTC-04:00", "GMT-4"),
        ("UTC+02:00", "CEST"),
        ("Europe/Moscow", "Moscow time"),
    ]


def test_words_that_name_no_zone() -> None:
    assert find_zones("local time; at that time; EST-ablished; IST; the Polish timeline") == []


def test_choice_named_zone_wins_else_the_country_entered_else_utc_days() -> None:
    named = choose_text_zone(find_zones("00:50 Kyiv time and 01:50 Moscow time"), "POL")
    assert (named.name, named.label, named.source) == ("Europe/Kyiv", "Kyiv time", "Kyiv time")
    assert named.check == ('the text also names "Moscow time"',)
    entered = choose_text_zone([], "POL")
    assert (entered.name, entered.source) == ("Europe/Warsaw", "")
    assert entered.check == (
        "local dates of POL, the country entered (Europe/Warsaw): the text names no zone",
    )
    nowhere = choose_text_zone([], None)
    assert nowhere.name is None
    assert nowhere.check == (
        "dates read as UTC days: the text names no time zone and no country entered",
    )


def test_the_country_speaking_is_kept_beside_the_country_entered() -> None:
    """Ukraine speaks of an entry into Poland: Poland's zone is taken, Ukraine's kept for
    the CHECK; a speaker with the same zone, or none, adds nothing."""
    chosen = choose_text_zone([], "POL", "UKR")
    assert (chosen.name, chosen.country, chosen.speaker) == (
        "Europe/Warsaw",
        "POL",
        ("UKR", "Europe/Kyiv"),
    )
    assert choose_text_zone([], "POL", "POL").speaker is None
    assert choose_text_zone([], "IRN", None).speaker is None
    # the country entered has no zone of its own (Kosovo): the speaker's is taken
    spoken = choose_text_zone([], "KOS", "SRB")
    assert (spoken.name, spoken.country, spoken.speaker) == ("Europe/Belgrade", "SRB", None)
    assert spoken.check == (
        "local dates of SRB, the country speaking (Europe/Belgrade): the text names no zone",
    )
