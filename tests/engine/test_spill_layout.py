"""engine.spill_layout: where each partition's segment and its parts lie in a flush."""

from __future__ import annotations

import numpy as np

from airwitness.engine.spill_layout import Layout, Places


def test_segments_follow_each_other_on_whole_words():
    """Partition 0: 3 rows, 2 tracks, runs (file 1, high bits 1, errors 2, leg
    starts 3); partition 1: empty; partition 2: 1 row, every column one run."""
    layout = Layout(
        rows=np.array([3, 0, 1]),
        track_runs=np.array([2, 0, 1]),
        runs=np.array([[1, 1, 2, 3], [0, 0, 0, 0], [1, 1, 1, 1]]),
    )
    # 3 x 36 + 8 x (2 + 1 + 1 + 2) + 5 x 3 = 171 -> 176; 36 + 8 x 4 + 5 = 73 -> 80
    assert layout.start.tolist() == [0, 176, 176]
    assert layout.end.tolist() == [171, 176, 249]
    assert layout.stop.tolist() == [176, 176, 256]
    assert layout.size == 256
    assert layout.word.tolist() == [0, 22, 22]
    assert [s.tolist() for s in layout.shift] == [[0, 0, 0], [3, 0, 1], [6, 0, 2], [9, 0, 3],
                                                   [24, 22, 30]]  # fmt: skip
    assert layout.track_at.tolist() == [27, 44, 53]  # after 9 words a row
    # partition 0: tracks 27-30, files 31-32, high bits 33-34, errors 35-38, legs 39-41 + 3 bytes
    assert layout.ends_at[0].tolist() == [31, 33, 35, 39]
    assert layout.values_at[0].tolist() == [32, 34, 37, 4 * 42]
    assert layout.ends_at[2].tolist() == [55, 57, 59, 61]
    assert layout.values_at[2].tolist() == [56, 58, 60, 4 * 62]


def test_places_are_32_bit_while_the_words_fit():
    places = Places()
    dest, part = places.take(10, 16 << 30)  # 16 GiB: 2**31 words
    assert dest.dtype == part.dtype == np.int64 and len(dest) >= 10
    dest, part = places.take(5, (16 << 30) - 8)
    assert dest.dtype == part.dtype == np.int32 and len(dest) >= 5
    assert places.take(3, 1 << 20)[0] is dest  # kept for the next batch
