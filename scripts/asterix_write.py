"""Writing ASTERIX CAT048 plots of a primary radar, for ``generate_radar.py``.

Only what a PSR plot needs (EUROCONTROL ASTERIX Part 4, Category 048, edition 1.31):

=====  ========  ==========================================================
FRN    item      content
=====  ========  ==========================================================
1      I048/010  data source identifier: SAC, SIC (1 octet each)
2      I048/140  time of day: UTC seconds since midnight, LSB 1/128 s, 3 octets
3      I048/020  target report descriptor: TYP = 001 (single PSR detection), 1 octet
4      I048/040  measured position in polar coordinates: RHO, LSB 1/256 NM, and
                 THETA, LSB 360/2^16 degrees, 2 octets each
=====  ========  ==========================================================

Nothing else: no I048/161 track number, no I048/220 aircraft address, no I048/090
flight level (a 2D primary radar measures no height), so each record is 11 octets:
FSPEC ``F0``, then the items in FRN order. Records are packed into data blocks
(CAT, 2-octet length including the 3-octet header, records) of at most 65,535 octets.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

import numpy as np

CAT048 = 48
#: FSPEC with FRN 1-4 present and no extension
FSPEC_PSR_PLOT = 0xF0
#: I048/020 octet 1: TYP (bits 8-6) = 001 single PSR detection; SIM, RDP, SPI, RAB, FX = 0
TYP_PSR = 0x20
RECORD_OCTETS = 11
MAX_BLOCK_OCTETS = 0xFFFF
NM_M = 1852.0
TOD_PER_S = 128  # I048/140 units per second
RHO_PER_NM = 256  # I048/040 RHO units per nautical mile
THETA_PER_TURN = 1 << 16  # I048/040 THETA units per 360 degrees

_RECORD = struct.Struct(">BBB3sBHH")


def tod_units(seconds_of_day: np.ndarray) -> np.ndarray:
    """I048/140 counts (1/128 s) of UTC seconds since midnight, rounded to nearest."""
    return np.rint(np.asarray(seconds_of_day, dtype=np.float64) * TOD_PER_S).astype(np.int64)


def rho_units(slant_range_m: np.ndarray) -> np.ndarray:
    """I048/040 RHO counts (1/256 NM) of slant ranges in metres, rounded to nearest."""
    return np.rint(np.asarray(slant_range_m) / NM_M * RHO_PER_NM).astype(np.int64)


def theta_units(azimuth_deg: np.ndarray) -> np.ndarray:
    """I048/040 THETA counts (360/2^16 degrees) of azimuths, rounded, modulo a full turn."""
    turns = np.asarray(azimuth_deg, dtype=np.float64) / 360.0 * THETA_PER_TURN
    return np.rint(turns).astype(np.int64) % THETA_PER_TURN


def psr_plot(sac: int, sic: int, tod: int, rho: int, theta: int) -> bytes:
    """One CAT048 record of a PSR plot from raw counts (time of day, RHO, THETA)."""
    if not (0 <= tod < 1 << 24 and 0 <= rho < 1 << 16 and 0 <= theta < 1 << 16):
        raise ValueError(f"plot out of CAT048 range: tod={tod} rho={rho} theta={theta}")
    return _RECORD.pack(FSPEC_PSR_PLOT, sac, sic, tod.to_bytes(3, "big"), TYP_PSR, rho, theta)


def data_block(records: Iterable[bytes], cat: int = CAT048) -> bytes:
    """One data block holding ``records`` (CAT, LEN, records)."""
    body = b"".join(records)
    if not body or len(body) + 3 > MAX_BLOCK_OCTETS:
        raise ValueError(f"a data block holds 1 to 65,532 octets of records, not {len(body)}")
    return bytes([cat]) + struct.pack(">H", len(body) + 3) + body


def blocks(
    sac: int, sic: int, tod: np.ndarray, rho: np.ndarray, theta: np.ndarray, group: np.ndarray
) -> Iterator[bytes]:
    """Data blocks of PSR plots in the given order, a new block where ``group`` changes
    (e.g. the antenna's sector) or where a block would exceed 65,535 octets."""
    per_block = (MAX_BLOCK_OCTETS - 3) // RECORD_OCTETS
    records: list[bytes] = []
    last = None
    for k in range(len(tod)):
        g = int(group[k])
        if records and (g != last or len(records) == per_block):
            yield data_block(records)
            records = []
        records.append(psr_plot(sac, sic, int(tod[k]), int(rho[k]), int(theta[k])))
        last = g
    if records:
        yield data_block(records)
