"""The raw Mode S decoding core: which message becomes a row and which a reject, and why."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyModeS
import pytest
import rs1090
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airwitness.io.modes._decode import _nacp
from airwitness.io.modes._messages import hex_frames

from ..helpers import by_record
from .adsb import ICAO, airborne, rows, run, status, surface, target_state, with_crc

# Real TC 31 (version 2) and TC 29 (subtype 1) frames of 48520a in the Beast sample: NACp 9.
BEAST_STATUS = "8d48520af82300060049b898ba5f"
BEAST_TARGET = "8d48520aea4a5867c53c08219a7d"


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
    assert by_record(alone) == {1: "CPR unresolved"}
    with_ref = run([(0, surface(48.35, 11.78, 1))], reference=(48.0, 11.5))
    assert rows(with_ref)[1]["lon"] == pytest.approx(11.78, abs=1e-4)


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
    assert by_record(r) == {1: "CPR unresolved", 2: "CPR unresolved", 3: "CPR unresolved"}
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
    assert by_record(r) == {
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


# --- position error: NACp, else the type code's NIC --------------------------

R95 = math.sqrt(-2.0 * math.log(0.05))  # a 95 % radius in σ of a circular Gaussian
TC11 = 0.1 * 1852 / R95  # TC 11: Rc < 0.1 NM (75 m with NIC supplement A: the larger)
NACP9, NACP10, NACP11 = 30 / R95, 10 / R95, 3 / R95  # EPU 30 m, 10 m, 3 m


def _sigmas(result) -> dict[int, float | None]:
    return {r["source_record"]: r["pos_sigma_m"] for r in result.table.to_pylist()}


def test_sigma_constants():
    assert [round(v, 4) for v in (TC11, NACP9, NACP10)] == [75.6614, 12.2562, 4.0854]


def test_position_error_from_the_newest_nacp_else_the_type_code():
    r = run(
        [
            (0, airborne(50.0, 6.0, 0)),  # 1: unresolved
            (1, airborne(50.0, 6.0, 1)),  # 2: no NACp yet: TC 11's Rc
            (2, status(9)),  # 3: TC 31 v2, NACp 9
            (3, airborne(50.0, 6.0, 0)),  # 4: EPU 30 m
            (4, status(0)),  # 5: NACp 0 (unknown) is now the newest statement
            (5, airborne(50.0, 6.0, 1)),  # 6: TC 11 again, not the older NACp 9
            (6, status(12)),  # 7: reserved NACp
            (7, airborne(50.0, 6.0, 0)),  # 8: TC 11
            (8, target_state(10)),  # 9: TC 29 subtype 1, NACp 10
            (9, airborne(50.0, 6.0, 1, tc=18)),  # 10: EPU 10 m (TC 18 alone: Rc unknown)
            (10, status(9, version=0)),  # 11: version 0 states no NACp
            (11, target_state(9, subtype=0)),  # 12: DO-260A layout: not read
            (68, airborne(50.0, 6.0, 0)),  # 13: record 9's NACp 10, exactly 60 s old
            (68.5, airborne(50.0, 6.0, 1, tc=18)),  # 14: 60.5 s old: TC 18, nothing stated
            (69, airborne(50.0, 6.0, 0)),  # 15: TC 11
        ]
    )
    assert by_record(r) == {1: "CPR unresolved"} | {n: "no position" for n in (3, 5, 7, 9, 11, 12)}
    assert _sigmas(r) == pytest.approx(
        {2: TC11, 4: NACP9, 6: TC11, 8: TC11, 10: NACP10, 13: NACP10, 14: None, 15: TC11}
    )


def test_nacp_is_per_aircraft_and_relayed_addresses_stay_apart():
    r = run(
        [
            (0, status(9, icao=0xABCDEF)),  # 1: another aircraft
            (1, airborne(50.0, 6.0, 0)),  # 2: unresolved
            (2, airborne(50.0, 6.0, 1)),  # 3: TC 11: the other aircraft's NACp is not ours
            (3, status(10, df=18, cf=6, imf=1)),  # 4: ADS-R, IMF set: a non-ICAO address
            (4, airborne(50.0, 6.0, 0)),  # 5: TC 11
            (5, status(10, df=18, cf=6)),  # 6: ADS-R of this ICAO address
            (6, airborne(50.0, 6.0, 1)),  # 7: EPU 10 m
        ]
    )
    assert _sigmas(r) == pytest.approx({3: TC11, 5: TC11, 7: NACP10})


def test_surface_and_unknown_containment():
    r = run(
        [
            (0, surface(48.35, 11.78, 0, tc=8)),  # 1: TC 8: Rc unknown, no NACp: null
            (1, status(11, subtype=1)),  # 2: surface operational status, NACp 11
            (2, surface(48.35, 11.78, 1, tc=8)),  # 3: EPU 3 m
            (3, surface(48.35, 11.78, 0)),  # 4: TC 7 takes the NACp too
        ],
        reference=(48.0, 11.5),
    )
    assert _sigmas(r) == pytest.approx({1: None, 3: NACP11, 4: NACP11})
    gnss = run([(0, airborne(48.0, 11.0, 0, tc=22)), (1, airborne(48.0, 11.0, 1, tc=20))])
    assert _sigmas(gnss) == pytest.approx({2: 7.5 / R95})  # TC 20: Rc < 7.5 m


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([29, 31]), st.integers(0, 2**51 - 1)), max_size=8))
def test_no_status_payload_costs_a_position(payloads):
    """Whatever a TC 29/31 message holds (reserved NACp, versions, subtypes), positions stay."""
    positions = [(float(t), airborne(50.0, 6.0, t % 2)) for t in range(8)]
    noise = [
        (t + 0.5, with_crc("8d" + format(ICAO, "06x") + format((tc << 51) | bits, "014x")))
        for t, (tc, bits) in enumerate(payloads)
    ]
    plain, mixed = run(positions), run(sorted(positions + noise))
    assert [r for r in by_record(mixed).values() if r != "CPR unresolved"] == ["no position"] * len(
        noise
    )
    keep = ["time", "lat", "lon", "alt_m", "ground_speed_mps", "callsign"]
    assert mixed.table.select(keep).equals(plain.table.select(keep))
    allowed = (
        {TC11}
        | {3 / R95, 10 / R95, 30 / R95}
        | {e * 1852 / R95 for e in (0.05, 0.1, 0.3, 0.5, 1, 2, 4, 10)}
    )
    for s in mixed.table["pos_sigma_m"].to_pylist():
        assert min(abs(s - a) for a in allowed) < 1e-9


def test_nacp_bits_agree_with_rs1090_and_pymodes():
    frames = [
        status(n, version=v, subtype=s) for v in range(8) for s in range(8) for n in range(16)
    ] + [target_state(n, subtype=s) for s in range(4) for n in range(16)]
    frames += [BEAST_STATUS, BEAST_TARGET]
    got, nbytes = hex_frames(pa.array(frames, pa.string()))
    assert (nbytes == 14).all()
    nacp = _nacp(got, (got[:, 4] >> 3).astype(np.int16)).tolist()
    stated = 0
    for frame, ours in zip(frames, nacp, strict=True):
        d = rs1090.decode(frame)
        if int(frame[8:10], 16) >> 3 == 31:  # rs1090: NACp for versions 1-2, subtypes 0-1
            assert ours == d.get("NACp", -1), frame
        else:  # rs1090 reads every subtype with the DO-260B layout; only subtype 1 has it
            subtype = (int(frame[8:10], 16) >> 1) & 3
            assert ours == (d["NACp"] if subtype == 1 else -1), frame
        if ours >= 0:
            assert pyModeS.decode(frame)["nac_p"] == ours, frame
            stated += 1
    assert stated == 2 * 2 * 16 + 16 + 2
    assert nacp[-2:] == [9, 9]
