from __future__ import annotations

import pytest

from airwitness.times import local_iso, local_to_ns, parse_utc_ns, utc_offset_text, zone


def test_dates_and_datetimes():
    assert parse_utc_ns("2025-06-13") == 1_749_772_800 * 10**9
    assert parse_utc_ns("2025-06-13", end_of_day=True) == (1_749_772_800 + 86_400) * 10**9 - 1
    assert parse_utc_ns("2025-06-13T04:00Z") == (1_749_772_800 + 4 * 3600) * 10**9
    assert parse_utc_ns("2025-06-13T08:00+04:00") == (1_749_772_800 + 4 * 3600) * 10**9
    assert parse_utc_ns("2025-06-13T04:00:00.5") == (1_749_772_800 + 4 * 3600) * 10**9 + 5 * 10**8


def test_bad_time_names_the_text():
    with pytest.raises(ValueError, match="13/06/2025"):
        parse_utc_ns("13/06/2025")


def test_offset_with_minutes():
    """Iran's +03:30: midnight on 13 June in Tehran is 20:30 UTC on 12 June."""
    assert parse_utc_ns("2025-06-13T00:00+03:30") == (1_749_772_800 - 3 * 3600 - 1800) * 10**9


def test_zones_from_tzdata_and_fixed_offsets():
    summer, winter = parse_utc_ns("2025-09-09T21:50Z"), parse_utc_ns("2025-01-15T12:00Z")
    assert utc_offset_text(summer, zone("Europe/Kyiv")) == "UTC+03:00"
    assert utc_offset_text(winter, zone("Europe/Kyiv")) == "UTC+02:00"
    assert utc_offset_text(winter, zone("Asia/Tehran")) == "UTC+03:30"  # no DST since 2022
    assert utc_offset_text(summer, zone("UTC+03:30")) == "UTC+03:30"
    assert utc_offset_text(summer, zone("UTC-5")) == "UTC-05:00"
    assert utc_offset_text(summer, zone("UTC")) == "UTC+00:00"
    assert local_iso(summer, zone("Europe/Kyiv")) == "2025-09-10T00:50:00+03:00"
    assert local_to_ns(2025, 9, 10, 0, 50, zone("Europe/Kyiv")) == summer


def test_local_times_the_clocks_skip_or_repeat():
    """Kyiv's clocks went 03:00 -> 04:00 on 30 March 2025 and 04:00 -> 03:00 on 26 October."""
    skipped = local_to_ns(2025, 3, 30, 3, 30, zone("Europe/Kyiv"))
    assert skipped == parse_utc_ns("2025-03-30T01:30Z")  # read with the offset before
    repeated = local_to_ns(2025, 10, 26, 3, 30, zone("Europe/Kyiv"))
    assert repeated == parse_utc_ns("2025-10-26T00:30Z")  # the earlier of the two


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "UTC+25", "Kyiv", ""])
def test_unknown_zone_names_what_is_accepted(name):
    with pytest.raises(ValueError, match=r"not a (time zone|UTC offset)"):
        zone(name)
