"""The compiled assignment against scipy's, which it must equal pair for pair."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from airwitness.tracking.assignment import solve


def test_a_hand_made_case_takes_the_cheaper_whole():
    """Row 0 likes column 0 best, but rows 0 and 1 together do better crossed."""
    cost = np.array([[-5.0, -4.0], [-4.5, 0.0]])
    rows, cols = solve(cost)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_an_empty_side_assigns_nothing(shape):
    rows, cols = solve(np.zeros(shape))
    assert rows.tolist() == [] and cols.tolist() == []


def test_it_equals_scipy_on_random_sparse_and_tied_matrices():
    rng = np.random.default_rng(17)
    for k in range(500):
        nr, nc = rng.integers(1, 9, 2)
        cost = np.minimum(rng.normal(size=(nr, nc)), 0.0)
        cost[rng.uniform(size=cost.shape) < 0.5] = 0.0  # pairs not allowed
        if k % 3 == 0:
            cost = np.round(cost, 1)  # ties
        expected = linear_sum_assignment(cost)
        got = solve(cost)
        assert got[0].tolist() == expected[0].tolist()
        assert got[1].tolist() == expected[1].tolist()
