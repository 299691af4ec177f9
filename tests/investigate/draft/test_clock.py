"""Clock times a text names, each with the zone written right after it."""

from __future__ import annotations

from airwitness.investigate.draft.clock import find_clock_times
from airwitness.investigate.draft.zones import find_zones


def clocks(text: str) -> list[tuple]:
    return [
        (c.hour, c.minute, c.second, c.zone, c.quote)
        for c in find_clock_times(text, find_zones(text))
    ]


def test_clock_forms_and_their_zones() -> None:
    text = (
        "Around 00:50 Kyiv time; at 3 a.m.; 11:30 p.m. (CEST); 12 am; 9pm local time; "
        "03:00 (Tehran time); 10:15:30; 2025-09-09T21:50Z"
    )
    assert clocks(text) == [
        (0, 50, 0, "Europe/Kyiv", "00:50 Kyiv time"),
        (3, 0, 0, None, "3 a.m."),
        (23, 30, 0, "UTC+02:00", "11:30 p.m. (CEST)"),
        (0, 0, 0, None, "12 am"),
        (21, 0, 0, None, "9pm"),
        (3, 0, 0, "Asia/Tehran", "03:00 (Tehran time)"),
        (10, 15, 30, None, "10:15:30"),
        (21, 50, 0, "UTC", "21:50Z"),
    ]


def test_numbers_that_are_no_clock_times() -> None:
    assert clocks("on 13.06.2025, 12.30 km, a 1:2 ratio, 25:00, 13 pm, the 3 amigos") == []
