"""Writing ASTERIX CAT021 ADS-B reports, for ``generate_fusion.py``.

What an ADS-B ground station sends of a state vector (EUROCONTROL ASTERIX Part 12,
Category 021, edition 2.6), every record with the same items:

=====  ========  ==========================================================
FRN    item      content
=====  ========  ==========================================================
1      I021/010  data source identifier: SAC, SIC
2      I021/040  target report descriptor: ATP = 0 (24-bit address), ARC = 25 ft
5      I021/071  time of applicability for position: LSB 1/128 s, 3 octets
7      I021/131  high-resolution position: latitude, longitude, LSB 180/2^30 degrees
11     I021/080  target address, 3 octets
17     I021/090  quality indicators: NACv 1, NIC 8; NICbaro 1, SIL 3, NACp
18     I021/210  MOPS version: VN = 2 (DO-260B), LTT = 2 (1090 ES)
19     I021/070  Mode 3/A code (octal), 2 octets
21     I021/145  flight level, LSB 1/4 FL, 2 octets
26     I021/160  airborne ground vector: ground speed (LSB 2^-14 NM/s), track angle
                 (LSB 360/2^16 degrees)
29     I021/170  target identification: 8 characters of 6 bits (ICAO IA-5)
=====  ========  ==========================================================

FSPEC ``CB 11 3B 09 80``; 39 octets a record.
"""

from __future__ import annotations

import struct

import numpy as np
from asterix_write import NM_M, callsign_octets

CAT021 = 21
FSPEC = bytes([0xCB, 0x11, 0x3B, 0x09, 0x80])
#: I021/040: ATP 000 (24-bit ICAO address), ARC 01 (25 ft), RC 0, RAB 0, no extension
DESCRIPTOR = 0x08
#: I021/090 primary octet: NACv 1, NIC 8, FX (one extension follows)
QUALITY = (1 << 5) | (8 << 1) | 1
#: I021/210: VNS 0, VN 2 (DO-260B), LTT 2 (1090 ES)
MOPS = (2 << 3) | 2
POSITION_PER_DEG = (1 << 30) / 180.0
SPEED_PER_MPS = (1 << 14) / NM_M
RECORD_OCTETS = 39
_RECORD = struct.Struct(">5sBBB3sii3sBBBHhHH6s")


def report(sac: int, sic: int, tod: int, lat_deg: float, lon_deg: float, state: tuple) -> bytes:
    """One CAT021 record; ``state`` is (address, Mode 3/A code as the value of its octal
    digits, flight level in 1/4 FL, NACp, ground speed m/s, track degrees, callsign)."""
    address, mode3a, fl_quarters, nacp, speed_mps, track_deg, callsign = state
    if not (0 <= tod < 1 << 24 and 0 <= address < 1 << 24 and 0 <= nacp < 16):
        raise ValueError(f"ADS-B report out of range: tod={tod} state={state}")
    gs = int(np.rint(speed_mps * SPEED_PER_MPS))
    ta = int(np.rint(track_deg / 360.0 * (1 << 16))) % (1 << 16)
    if not (0 <= gs < 1 << 15):
        raise ValueError(f"ground speed out of range: {speed_mps} m/s")
    return _RECORD.pack(
        FSPEC,
        sac,
        sic,
        DESCRIPTOR,
        tod.to_bytes(3, "big"),
        int(np.rint(lat_deg * POSITION_PER_DEG)),
        int(np.rint(lon_deg * POSITION_PER_DEG)),
        address.to_bytes(3, "big"),
        QUALITY,
        0x80 | (3 << 5) | (nacp << 1),
        MOPS,
        mode3a,
        fl_quarters,
        gs,
        ta,
        callsign_octets(callsign),
    )
