"""Mode S messages as bytes: hex text and the CRC, against pyModeS."""

from __future__ import annotations

import pyarrow as pa
from pyModeS import util as pms_util

from airwitness.io.modes._messages import crc_residual, hex_frames

from .adsb import IDENT, VELOCITY, airborne


def test_hex_frames():
    values = pa.array(
        ["8D406B9058B975870B738754F480", "5d4ca2d45e9a5a", "7700", "8D406", "zz" * 7, None]
    )
    frames, nbytes = hex_frames(values)
    assert nbytes.tolist() == [14, 7, 2, 0, 0, 0]
    assert bytes(frames[0]).hex() == "8d406b9058b975870b738754f480"
    assert bytes(frames[1][:7]).hex() == "5d4ca2d45e9a5a"
    assert bytes(frames[2][:2]).hex() == "7700"


def test_crc_matches_pymodes():
    msgs = [VELOCITY, IDENT, airborne(50, 5, 0), "8D406B9058B975870B738754F481"]
    frames, _ = hex_frames(pa.array(msgs))
    got = crc_residual(frames, 14).tolist()
    assert got == [pms_util.crc(m) for m in msgs]
    assert got[:3] == [0, 0, 0] and got[3] != 0
