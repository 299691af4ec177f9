"""The raw Mode S decoding core: which message becomes a row and which a reject, and why."""

from __future__ import annotations

import pytest

from ..helpers import by_record
from .adsb import airborne, rows, run, surface, with_crc


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
