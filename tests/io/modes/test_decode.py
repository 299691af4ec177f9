"""The raw Mode S decoding core: hex, CRC, CPR resolution rules, clocks, rejects.

Messages are built by hand here (CPR encoded with the DO-260B formulas, CRC
from pyModeS, an implementation independent of ours) so each rule can be
checked with exact numbers; real messages come from the pyModeS sample.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyModeS import util as pms_util
from pyModeS.position import _cpr as pms_cpr

from airwitness.errors import InputError
from airwitness.io import _modes
from airwitness.io._convert import Checks
from airwitness.io.options import ReadOptions
from airwitness.schema import BENIGN_REASONS

from .helpers import reconcile

T0 = 1_700_000_000 * 10**9
ICAO = 0x4CA2D4
# Real messages of aircraft 406b90 (pyModeS sample): a velocity and an identification.
VELOCITY = "8D406B909945DE10000405999BE4"  # 493.6 kt, track 284.9°, 0 ft/min
IDENT = "8D406B902015A678D4D220AA4BDA"  # EZY85MH


# --- message builders -----------------------------------------------------


def with_crc(hex_without_parity: str) -> str:
    """Append the Mode S parity (computed by pyModeS, not by the code under test)."""
    return hex_without_parity + format(pms_util.crc(hex_without_parity + "000000"), "06x")


def cpr_encode(lat: float, lon: float, odd: int, span: float = 360.0) -> tuple[int, int]:
    """DO-260B A.1.7.2 CPR encoding (17 bits); span 360 airborne, 90 surface."""
    dlat = span / (60 - odd)
    yz = math.floor(2**17 * (lat % dlat) / dlat + 0.5)
    rlat = dlat * (yz / 2**17 + math.floor(lat / dlat))
    nl = pms_cpr.cprNL(rlat) - odd
    dlon = span / nl if nl > 0 else span
    xz = math.floor(2**17 * (lon % dlon) / dlon + 0.5)
    return yz % 2**17, xz % 2**17


def airborne(lat, lon, odd, alt_ft=35_000, tc=11, icao=ICAO, df=17, cf=5) -> str:
    yz, xz = cpr_encode(lat, lon, odd)
    n = (alt_ft + 1000) // 25
    ac = ((n & 0x7F0) << 1) | 0x10 | (n & 0xF)
    me = (tc << 51) | (ac << 36) | (odd << 34) | (yz << 17) | xz
    return with_crc(format((df << 3) | cf, "02x") + format(icao, "06x") + format(me, "014x"))


def surface(lat, lon, odd, tc=7, icao=ICAO) -> str:
    yz, xz = cpr_encode(lat, lon, odd, span=90.0)
    me = (tc << 51) | (1 << 44) | (odd << 34) | (yz << 17) | xz  # movement 1 = stopped
    return with_crc("8d" + format(icao, "06x") + format(me, "014x"))


def retarget(msg: str, icao: int = ICAO, first_byte: int = 0x8D) -> str:
    """A real message moved to another aircraft (and/or DF/CF), with a fresh CRC."""
    return with_crc(format(first_byte, "02x") + format(icao, "06x") + msg[8:22])


def run(msgs: list[tuple[float, str]], **options):
    """Decode (seconds after T0, hex) pairs; records are 1..n."""
    n = len(msgs)
    frames, nbytes = _modes.hex_frames(pa.array([m for _, m in msgs], pa.string()))
    time_ns = np.array([T0 + round(s * 1e9) for s, _ in msgs], dtype=np.int64)
    checks = Checks(n)
    checks.flag(nbytes == 0, _modes.UNDECODABLE)
    batch = _modes.Messages(np.arange(1, n + 1), time_ns, frames, nbytes, checks)
    result = _modes.decode("hand", "modes_raw", batch, ReadOptions(**options))
    reconcile(result, range(1, n + 1))
    return result


def reasons(result) -> dict[int, str]:
    return {r.record: r.reason for r in result.rejects}


def rows(result) -> dict[int, dict]:
    return {r["source_record"]: r for r in result.table.to_pylist()}


# --- hex and CRC ----------------------------------------------------------


def test_hex_frames():
    values = pa.array(
        ["8D406B9058B975870B738754F480", "5d4ca2d45e9a5a", "7700", "8D406", "zz" * 7, None]
    )
    frames, nbytes = _modes.hex_frames(values)
    assert nbytes.tolist() == [14, 7, 2, 0, 0, 0]
    assert bytes(frames[0]).hex() == "8d406b9058b975870b738754f480"
    assert bytes(frames[1][:7]).hex() == "5d4ca2d45e9a5a"
    assert bytes(frames[2][:2]).hex() == "7700"


def test_crc_matches_pymodes():
    msgs = [VELOCITY, IDENT, airborne(50, 5, 0), "8D406B9058B975870B738754F481"]
    frames, _ = _modes.hex_frames(pa.array(msgs))
    got = _modes.crc_residual(frames, 14).tolist()
    assert got == [pms_util.crc(m) for m in msgs]
    assert got[:3] == [0, 0, 0] and got[3] != 0


# --- CPR against independent implementations ----------------------------


def test_nl_matches_pymodes():
    for lat in np.linspace(-90, 90, 3601):
        assert _modes._nl(lat) == pms_util.cprNL(lat), lat


@settings(max_examples=300, deadline=None)
@given(st.floats(-85, 85), st.floats(-179.999, 179.999), st.integers(0, 1))
def test_global_pair_recovers_position(lat, lon, newer_odd):
    ye, xe = cpr_encode(lat, lon, 0)
    yo, xo = cpr_encode(lat, lon, 1)
    ok, la, lo = _modes._global_air(ye, xe, yo, xo, newer_odd)
    expected = pms_cpr.airborne_position_pair(ye, xe, yo, xo, even_is_newer=not newer_odd)
    if expected is None:  # the pair straddles an NL band edge: both refuse
        assert not ok
        return
    assert ok
    assert la == pytest.approx(expected[0], abs=1e-9)
    assert lo == pytest.approx(expected[1], abs=1e-9)
    assert abs(la - lat) < 1e-4 and abs(_modes._wrap(lo - lon)) < 1e-3


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
    ref_lat, ref_lon = lat + dlat * scale, _modes._wrap(lon + dlon * scale)
    la, lo = _modes._local(odd, y, x, ref_lat, ref_lon, span)
    fn = pms_cpr.surface_position_with_ref if is_surface else pms_cpr.airborne_position_with_ref
    e_lat, e_lon = fn(odd, y, x, ref_lat, ref_lon)
    assert la == pytest.approx(e_lat, abs=1e-9)
    assert _modes._wrap(lo - e_lon) == pytest.approx(0, abs=1e-9)
    assert abs(la - lat) < 1e-3 and abs(_modes._wrap(lo - lon)) < 1e-3


# --- resolution rules -----------------------------------------------------


def test_pair_within_10s_resolves_both_ways():
    r = run([(0, airborne(50.0, 6.0, 0)), (9.9, airborne(50.01, 6.02, 1))])
    assert reasons(r) == {1: "CPR unresolved"}
    row = rows(r)[2]
    assert row["lat"] == pytest.approx(50.01, abs=1e-4)
    assert row["lon"] == pytest.approx(6.02, abs=1e-4)
    assert row["track_id"] == "4ca2d4" and row["alt_kind"] == "baro"
    assert row["alt_m"] == pytest.approx(35_000 * 0.3048)


def test_pair_more_than_10s_apart_is_not_used():
    r = run([(0, airborne(50.0, 6.0, 0)), (10.5, airborne(50.01, 6.02, 1))])
    assert reasons(r) == {1: "CPR unresolved", 2: "CPR unresolved"}


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
    assert reasons(r) == {1: "CPR unresolved", 6: "CPR unresolved"}
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
    assert reasons(far) == {1: "CPR unresolved", 2: "position out of receiver range"}
    assert far.table.num_rows == 0


def test_out_of_range_position_does_not_seed_the_chain():
    r = run(
        [(0, airborne(57.0, 6.0, 0)), (1, airborne(57.0, 6.0, 1)), (20, airborne(57.0, 6.0, 1))],
        reference=(50.0, 6.0),
    )
    # seeded by the far position, frame 3 would decode locally (and be out of range too)
    assert reasons(r) == {
        1: "CPR unresolved",
        2: "position out of receiver range",
        3: "CPR unresolved",
    }


def test_gnss_height_and_surface():
    r = run(
        [
            (0, airborne(48.0, 11.0, 0, tc=20)),
            (1, airborne(48.0, 11.0, 1, tc=20)),
            (2, surface(48.35, 11.78, 0)),
            (3, surface(48.35, 11.78, 1)),
        ]
    )
    got = rows(r)
    assert got[2]["alt_kind"] == "geo"
    # surface frames: global pair, quadrant picked with the aircraft's own position
    assert got[4]["lat"] == pytest.approx(48.35, abs=1e-4)
    assert got[4]["lon"] == pytest.approx(11.78, abs=1e-4)
    assert (got[4]["alt_m"], got[4]["alt_kind"]) == (0.0, "agl")
    assert got[4]["ground_speed_mps"] == 0.0
    # a lone surface frame needs a reference within 45 NM
    alone = run([(0, surface(48.35, 11.78, 1))])
    assert reasons(alone) == {1: "CPR unresolved"}
    with_ref = run([(0, surface(48.35, 11.78, 1))], reference=(48.0, 11.5))
    assert rows(with_ref)[1]["lon"] == pytest.approx(11.78, abs=1e-4)


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
    assert reasons(r) == {1: "no position", 2: "no position", 3: "CPR unresolved"}
    got = rows(r)
    assert got[4]["ground_speed_mps"] == pytest.approx(493.6172606382398 * 1852 / 3600)
    assert got[4]["track_deg"] == pytest.approx(284.9089863638667)
    assert got[4]["vrate_mps"] == 0.0
    assert got[4]["callsign"] == "EZY85MH"
    assert got[5]["ground_speed_mps"] is None and got[5]["callsign"] == "EZY85MH"
    assert got[6]["callsign"] is None


def test_aircraft_are_kept_apart_and_tisb_addresses_marked():
    other = 0xABCDEF
    r = run(
        [
            (0, airborne(50.0, 6.0, 0)),
            (1, airborne(40.0, -3.0, 1, icao=other)),  # another aircraft: no pair
            (2, airborne(50.0, 6.0, 1, df=18, cf=1)),  # DF18 CF1: anonymous address
            (3, airborne(50.0, 6.0, 0, df=18, cf=1)),
            (4, airborne(50.0, 6.0, 1, df=18, cf=0)),  # DF18 CF0: ICAO address, pairs with 1
        ]
    )
    got = rows(r)
    assert reasons(r) == {1: "CPR unresolved", 2: "CPR unresolved", 3: "CPR unresolved"}
    assert got[4]["track_id"] == "~4ca2d4"
    assert got[5]["track_id"] == "4ca2d4"


def test_reject_reasons_for_damaged_and_other_messages():
    good = airborne(50.0, 6.0, 0)
    flipped = good[:10] + ("0" if good[10] != "0" else "1") + good[11:]
    msgs = [
        (0, flipped),  # bit flips: bad CRC
        (1, "5d3981e46dc8eb"),  # DF11 all-call (Beast sample), intact
        (2, "5d3981e56dc8eb"),  # DF11 with a flipped address bit
        (3, "20000CA8F70AA7"),  # DF4: address in parity, cannot be checked
        (4, "7700"),  # Mode A/C
        (5, good[:14]),  # DF17 cut to 56 bits
        (6, with_crc("0d" + good[2:22])),  # DF1: no such format
        (7, with_crc(good[:8] + "00" + good[10:22])),  # TC 0
        (8, with_crc(good[:8] + "e0" + good[10:22])),  # TC 28 (status)
        (9, airborne(50.0, 6.0, 0, df=18, cf=3)),  # coarse TIS-B
        (10, airborne(50.0, 6.0, 0, df=18, cf=7)),
    ]
    r = run(msgs)
    assert reasons(r) == {
        1: "bad CRC",
        2: "no position",
        3: "bad CRC",
        4: "no position",
        5: "no position",
        6: "undecodable message",
        7: "undecodable message",
        8: "no position",
        9: "no position",
        10: "unsupported message",
        11: "undecodable message",
    }
    assert r.table.num_rows == 0


def test_benign_reasons():
    assert _modes.NO_POSITION in BENIGN_REASONS
    # CPR unresolved is proposed as benign to the lead (normal start of every track)


# --- receiver clocks ------------------------------------------------------


def test_counter_times_12mhz_exact():
    counter = np.array([12_000_000, 12_000_000 + 3, 36_000_000, 0], dtype=np.int64)
    t, problems = _modes.counter_times(
        "f", counter, np.ones(4, bool), ReadOptions(start_time_ns=T0), "Beast capture"
    )
    assert t[:3].tolist() == [T0, T0 + 250, T0 + 2 * 10**9]
    assert problems["no timestamp"].tolist() == [False, False, False, True]
    assert not problems["bad timestamp"].any() and not problems["receiver clock reset"].any()


def test_counter_needs_start_time():
    counter = np.array([(1 << 30) - 1], dtype=np.int64)  # low 30 bits >= 1e9: not GPS-like
    with pytest.raises(InputError) as e:
        _modes.counter_times("f", counter, np.array([True]), None, "Beast capture")
    assert str(e.value) == (
        "f: Beast capture has only relative timestamps: give the start time (--start-time)"
    )


def test_counter_gps_time_of_day_with_date_and_rollover():
    tod = [(86_399 << 30) | 500_000_000, (86_399 << 30) | 900_000_000, (1 << 30) | 250]
    tod.insert(1, (1 << 30) - 1)  # does not fit the layout (ns field >= 1e9)
    t, problems = _modes.counter_times(
        "f", np.array(tod), np.ones(4, bool), ReadOptions(date=dt.date(2024, 2, 29)), "x"
    )
    midnight = int(dt.datetime(2024, 2, 29, tzinfo=dt.UTC).timestamp()) * 10**9
    assert problems["bad timestamp"].tolist() == [False, True, False, False]
    assert t[[0, 2, 3]].tolist() == [
        midnight + 86_399_500_000_000,
        midnight + 86_399_900_000_000,
        midnight + 86_401_000_000_250,
    ]


def test_counter_damage_and_reset():
    s = 12_000_000
    counter = np.array([100, 200, 300 + (1 << 44), 400, 5 * s, 5 * s + 9, 300, 400])
    t, problems = _modes.counter_times(
        "f", counter, np.ones(8, bool), ReadOptions(start_time_ns=T0), "x"
    )
    # a lone flipped bit is a bad timestamp; the later jump back is a restart
    assert np.flatnonzero(problems["bad timestamp"]).tolist() == [2]
    assert np.flatnonzero(problems["receiver clock reset"]).tolist() == [6, 7]
    assert t[4] == T0 + (5 * s - 100) * 250 // 3
    # a damaged first timestamp does not shift every time
    counter = np.array([1 << 47, 200, 300, 400], dtype=np.int64)
    t, problems = _modes.counter_times(
        "f", counter, np.ones(4, bool), ReadOptions(start_time_ns=T0), "x"
    )
    assert problems["bad timestamp"].tolist() == [True, False, False, False]
    assert t[1:].tolist() == [T0, T0 + 100 * 250 // 3, T0 + 200 * 250 // 3]
