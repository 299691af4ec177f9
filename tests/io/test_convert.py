"""The value parsers shared by the readers: times, numbers, text."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from airwitness.io._convert import Checks, floats, position_problem, safe_cast, text, times

from .helpers import utc_ns

BASE = utc_ns("2019-05-23T11:50:04Z")


def test_epoch_units_by_magnitude():
    ns, bad, missing = times(
        pa.array([1558612204, 1558612204000, 1558612204000000, 1558612204000000000, 5, None]),
        "auto",
    )
    assert ns[:4].tolist() == [BASE] * 4
    assert bad.tolist() == [False, False, False, False, True, False]
    assert missing.tolist() == [False] * 5 + [True]


def test_epoch_text_exact_and_float():
    ns, bad, _ = times(
        pa.array(
            ["1558612204.123456789", "1558612204.5", "1558612204", "1.558612204e9", "nan", "12"]
        ),
        "s",
    )
    assert ns[:4].tolist() == [BASE + 123456789, BASE + 500_000_000, BASE, BASE]
    assert bad.tolist() == [False] * 4 + [True, True]
    ns, bad, _ = times(pa.array([1558612204.25, np.nan, np.inf]), "s")
    assert ns[0] == BASE + 250_000_000 and bad.tolist() == [False, False, True]


def test_iso_forms_and_window():
    values = [
        "2019-05-23T11:50:04Z",
        "2019-05-23 13:50:04+02:00",
        "2019-05-23T06:50:04-0500",
        "2019-05-23T11:50:04",  # naive = UTC
        "2019-05-23T11:50Z",
        "2019-05-23T11:50:04.000000001Z",
        " 2019-05-23T11:50:04Z ",
        "2019-02-30T00:00:00Z",
        "1989-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
        "1990-01-01T00:00:00Z",
        "yesterday",
        "",
    ]
    ns, bad, missing = times(pa.array(values), None)
    assert ns[:7].tolist() == [BASE] * 4 + [BASE - 4 * 10**9, BASE + 1, BASE]
    assert bad.tolist() == [False] * 7 + [True, True, True, False, True, False]
    assert ns[10] == utc_ns("1990-01-01T00:00:00Z")
    assert missing.tolist() == [False] * 12 + [True]
    # ISO only when numbers are not allowed
    assert times(pa.array(["1558612204"]), None)[1].tolist() == [True]


def test_timestamp_types():
    arr = pa.array([1558612204, None], pa.timestamp("s"))
    ns, bad, missing = times(arr, None)
    assert ns.tolist() == [BASE, 0] and not bad.any() and missing.tolist() == [False, True]


def test_floats():
    values, bad = floats(pa.array(["1.5", " -2e3 ", "", "NaN", "inf", "1,5", None, ".5"]))
    assert values[:2].tolist() == [1.5, -2000.0] and values[7] == 0.5
    assert np.isnan(values[2:7]).all()
    assert bad.tolist() == [False, False, False, False, True, True, False, False]
    values, bad = floats(pa.array([True, False]))
    assert bad.all()


def test_text_and_safe_cast():
    s, bad = text(pa.array([b"  a ", b"", b"\xff", None], pa.binary()))
    assert s.to_pylist() == ["a", None, None, None]
    assert bad.tolist() == [False, False, True, False]
    arr, bad = safe_cast(pa.array(["1"] * 100 + ["x"] + ["2"] * 100), pa.int64())
    assert bad.sum() == 1 and bad[100] and arr.null_count == 1 and arr[101].as_py() == 2


def test_position_problem_is_checks_position_for_one_row():
    """The scalar check of the framed readers gives what the vectorised one gives."""
    cases = [(47.5, 8.5), (math.nan, 8.5), (47.5, math.nan), (90.5, 0.0), (0.0, -180.5), (-90, 180)]
    lat = np.array([c[0] for c in cases], dtype=float)
    lon = np.array([c[1] for c in cases], dtype=float)
    checks = Checks(len(cases))
    no_bad = np.zeros(len(cases), dtype=bool)
    checks.position((lat, no_bad), (lon, no_bad), "no position")
    vectorised = [checks.reasons[c] or None for c in checks.code.tolist()]
    assert [position_problem(*c) for c in cases] == vectorised
    assert vectorised == [None, "no position", "no position", *["lat/lon out of range"] * 2, None]
