"""pathhits.path_hits: meeting points of polylines with boundary edges, exact cases."""

from __future__ import annotations

import numpy as np
import shapely

from airwitness.airspace.label_index import LabelIndex
from airwitness.airspace.pathhits import path_hits

SQUARE = LabelIndex.build([shapely.box(10.0, 10.0, 10.5, 10.5)])


def hits(*paths):
    x = np.concatenate([np.asarray(p, float)[:, 0] for p in paths])
    y = np.concatenate([np.asarray(p, float)[:, 1] for p in paths])
    start = np.r_[0, np.cumsum([len(p) for p in paths])]
    path, chord, t = path_hits(SQUARE, x, y, start)
    px = x[chord] + t * (x[chord + 1] - x[chord])
    py = y[chord] + t * (y[chord + 1] - y[chord])
    pts = sorted(
        {
            (int(k), round(float(a), 12), round(float(b), 12))
            for k, a, b in zip(path, px, py, strict=True)
        }
    )
    return pts


def test_a_chord_through_the_square_meets_two_edges():
    assert hits([(9.5, 10.25), (11.0, 10.25)]) == [(0, 10.0, 10.25), (0, 10.5, 10.25)]


def test_paths_far_away_or_inside_meet_nothing():
    assert hits([(0.0, 0.0), (0.5, 0.5)], [(10.1, 10.1), (10.4, 10.4)]) == []


def test_a_chord_ending_on_an_edge_and_one_through_a_corner():
    assert hits([(9.9, 10.2), (10.0, 10.2)]) == [(0, 10.0, 10.2)]
    assert hits([(10.6, 9.9), (9.9, 10.6)]) == [(0, 10.0, 10.5), (0, 10.5, 10.0)]


def test_a_chord_along_an_edge_gives_both_ends_of_the_overlap():
    assert hits([(10.2, 10.0), (10.8, 10.0)]) == [(0, 10.2, 10.0), (0, 10.5, 10.0)]


def test_polylines_report_the_chord_and_path():
    got = hits([(9.0, 9.0), (9.0, 10.25), (10.25, 10.25)], [(10.25, 10.6), (10.25, 10.4)])
    assert got == [(0, 10.0, 10.25), (1, 10.25, 10.5)]
