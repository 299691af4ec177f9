"""Dates a text names: the usual news forms, the year only from the text."""

from __future__ import annotations

import pytest

from airwitness.investigate.draft import find_dates


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("from 13 to 24 June 2025", (2025, 6, 13), (2025, 6, 24)),
        ("between 13 and 24 June", (None, 6, 13), (None, 6, 24)),
        ("on 13 June", (None, 6, 13), (None, 6, 13)),
        ("June 13–24", (None, 6, 13), (None, 6, 24)),
        ("June 13 to June 24, 2025", (2025, 6, 13), (2025, 6, 24)),
        ("from 30 June to 2 July", (None, 6, 30), (None, 7, 2)),
        ("31 December 2024 to 2 January 2025", (2024, 12, 31), (2025, 1, 2)),
        ("on the 13th of June 2025", (2025, 6, 13), (2025, 6, 13)),
        ("on 2025-06-13", (2025, 6, 13), (2025, 6, 13)),
        ("on 13.06.2025", (2025, 6, 13), (2025, 6, 13)),
        ("on 13 Jun 25", (None, 6, 13), (None, 6, 13)),  # a two-digit year is not taken
        ("throughout June 2025", (2025, 6, 1), (2025, 6, 30)),
    ],
)
def test_date_forms(text: str, first: tuple, last: tuple) -> None:
    (mention,), notes = find_dates(text)
    assert (mention.first, mention.last) == (first, last)
    assert notes == []
