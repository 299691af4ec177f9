"""Countries named in a text: the gazetteer's codes are Natural Earth's."""

from __future__ import annotations

from airwitness.investigate.draft import find_countries


def test_gazetteer_codes_are_natural_earth() -> None:
    text = "Kosovo, South Sudan, Palestinian, Türkiye, Kiev, the Kremlin, the US, us, polish."
    assert [(m.surface, m.code) for m in find_countries(text)] == [
        ("Kosovo", "KOS"),
        ("South Sudan", "SDS"),
        ("Palestinian", "PSX"),
        ("Türkiye", "TUR"),
        ("Kiev", "UKR"),
        ("Kremlin", "RUS"),
        ("US", "USA"),
    ]
    assert find_countries("Drones over New Mexico and the Gulf of Oman.") == []
