"""CPR position resolution: the numba kernels against pyModeS, and the rules of the walk."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyModeS import util as pms_util
from pyModeS.position import _cpr as pms_cpr

from airwitness.io.modes import _cpr

from ..helpers import by_record
from .adsb import IDENT, VELOCITY, airborne, cpr_encode, retarget, rows, run

# --- CPR against independent implementations ----------------------------


def test_nl_matches_pymodes():
    for lat in np.linspace(-90, 90, 3601):
        assert _cpr._nl(lat) == pms_util.cprNL(lat), lat


@settings(max_examples=300, deadline=None)
@given(st.floats(-85, 85), st.floats(-179.999, 179.999), st.integers(0, 1))
def test_global_pair_recovers_position(lat, lon, newer_odd):
    ye, xe = cpr_encode(lat, lon, 0)
    yo, xo = cpr_encode(lat, lon, 1)
    ok, la, lo = _cpr._global_air(ye, xe, yo, xo, newer_odd)
    expected = pms_cpr.airborne_position_pair(ye, xe, yo, xo, even_is_newer=not newer_odd)
    if expected is None:  # the pair straddles an NL band edge: both refuse
        assert not ok
        return
    assert ok
    assert la == pytest.approx(expected[0], abs=1e-9)
    assert lo == pytest.approx(expected[1], abs=1e-9)
    assert abs(la - lat) < 1e-4 and abs(_cpr._wrap(lo - lon)) < 1e-3


@settings(max_examples=300, deadline=None)
@given(
    st.floats(-80, 80),
    st.floats(-179.999, 179.999),
    st.integers(0, 1),
    st.floats(-1.5, 1.5),
    st.floats(-1.5, 1.5),
    st.booleans(),
)
def test_local_decoding_matches_pymodes(lat, lon, odd, dlat, dlon, is_surface):
    span, scale = (90.0, 0.25) if is_surface else (360.0, 1.0)
    y, x = cpr_encode(lat, lon, odd, span)
    ref_lat, ref_lon = lat + dlat * scale, _cpr._wrap(lon + dlon * scale)
    la, lo = _cpr._local(odd, y, x, ref_lat, ref_lon, span)
    fn = pms_cpr.surface_position_with_ref if is_surface else pms_cpr.airborne_position_with_ref
    e_lat, e_lon = fn(odd, y, x, ref_lat, ref_lon)
    assert la == pytest.approx(e_lat, abs=1e-9)
    assert _cpr._wrap(lo - e_lon) == pytest.approx(0, abs=1e-9)
    assert abs(la - lat) < 1e-3 and abs(_cpr._wrap(lo - lon)) < 1e-3


# --- resolution rules -----------------------------------------------------


def test_pair_within_10s_resolves_both_ways():
    r = run([(0, airborne(50.0, 6.0, 0)), (9.9, airborne(50.01, 6.02, 1))])
    assert by_record(r) == {1: "CPR unresolved"}
    row = rows(r)[2]
    assert row["lat"] == pytest.approx(50.01, abs=1e-4)
    assert row["lon"] == pytest.approx(6.02, abs=1e-4)
    assert row["track_id"] == "4ca2d4" and row["alt_kind"] == "baro"
    assert row["alt_m"] == pytest.approx(35_000 * 0.3048)


def test_pair_more_than_10s_apart_is_not_used():
    r = run([(0, airborne(50.0, 6.0, 0)), (10.5, airborne(50.01, 6.02, 1))])
    assert by_record(r) == {1: "CPR unresolved", 2: "CPR unresolved"}


def test_same_parity_frames_keep_the_chain():
    """rs1090 loses the position after two odd frames in a row; the chain must not."""
    msgs = [
        (0, airborne(50.0, 6.0, 0)),
        (1, airborne(50.001, 6.001, 1)),
        (2, airborne(50.002, 6.002, 1)),
        (3, airborne(50.003, 6.003, 1)),
        (40, airborne(50.04, 6.04, 1)),  # no fresh pair: local against the last position
        (200, airborne(50.2, 6.2, 1)),  # own position too old, no reference: unresolved
    ]
    r = run(msgs)
    assert by_record(r) == {1: "CPR unresolved", 6: "CPR unresolved"}
    got = rows(r)
    for rec, (_, _) in zip(range(2, 6), msgs[1:5], strict=True):
        assert rec in got
    assert got[5]["lat"] == pytest.approx(50.04, abs=1e-4)


def test_reference_resolves_single_frames_and_range_check():
    r = run([(0, airborne(50.0, 6.0, 1))], reference=(50.2, 6.2))
    assert rows(r)[1]["lat"] == pytest.approx(50.0, abs=1e-4)
    # 780 km north of the receiver: the lone frame aliases 111 km from it (more than
    # 360 NM - 600 km = 66.7 km: not trusted); the pair decodes globally, out of range
    far = run(
        [(0, airborne(57.0, 6.0, 0)), (1, airborne(57.0, 6.0, 1))],
        reference=(50.0, 6.0),
    )
    assert by_record(far) == {1: "CPR unresolved", 2: "position out of receiver range"}
    assert far.table.num_rows == 0


def test_out_of_range_position_does_not_seed_the_chain():
    r = run(
        [(0, airborne(57.0, 6.0, 0)), (1, airborne(57.0, 6.0, 1)), (20, airborne(57.0, 6.0, 1))],
        reference=(50.0, 6.0),
    )
    # seeded by the far position, frame 3 would decode locally (and be out of range too)
    assert by_record(r) == {
        1: "CPR unresolved",
        2: "position out of receiver range",
        3: "CPR unresolved",
    }


def test_velocity_and_callsign_attach_by_age():
    vel = retarget(VELOCITY)
    ident = retarget(IDENT)
    r = run(
        [
            (0, ident),
            (1, vel),
            (2, airborne(50.0, 6.0, 0)),
            (3, airborne(50.0, 6.0, 1)),  # velocity 2 s old, callsign 3 s old
            (12, airborne(50.0, 6.0, 0)),  # velocity 11 s old: dropped
            (32, airborne(50.0, 6.0, 1)),  # callsign 32 s old: dropped
        ]
    )
    assert by_record(r) == {1: "no position", 2: "no position", 3: "CPR unresolved"}
    got = rows(r)
    assert got[4]["ground_speed_mps"] == pytest.approx(493.6172606382398 * 1852 / 3600)
    assert got[4]["track_deg"] == pytest.approx(284.9089863638667)
    assert got[4]["vrate_mps"] == 0.0
    assert got[4]["callsign"] == "EZY85MH"
    assert got[5]["ground_speed_mps"] is None and got[5]["callsign"] == "EZY85MH"
    assert got[6]["callsign"] is None
