from __future__ import annotations

import pytest

from airwitness.times import parse_utc_ns


def test_dates_and_datetimes():
    assert parse_utc_ns("2025-06-13") == 1_749_772_800 * 10**9
    assert parse_utc_ns("2025-06-13", end_of_day=True) == (1_749_772_800 + 86_400) * 10**9 - 1
    assert parse_utc_ns("2025-06-13T04:00Z") == (1_749_772_800 + 4 * 3600) * 10**9
    assert parse_utc_ns("2025-06-13T08:00+04:00") == (1_749_772_800 + 4 * 3600) * 10**9
    assert parse_utc_ns("2025-06-13T04:00:00.5") == (1_749_772_800 + 4 * 3600) * 10**9 + 5 * 10**8


def test_bad_time_names_the_text():
    with pytest.raises(ValueError, match="13/06/2025"):
        parse_utc_ns("13/06/2025")
