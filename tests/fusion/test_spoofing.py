"""fusion.spoofing: self-reported positions a measurement contradicts — exact cases."""

from __future__ import annotations

import numpy as np

from airwitness.fusion import SpoofRules, fuse
from tests.fusion.helpers import flight, prepared

TIMES = list(range(0, 601, 5))


def displaced(north_m: float, start_s: float = 200.0, end_s: float = 400.0) -> list[float]:
    return [north_m if start_s <= t <= end_s else 0.0 for t in TIMES]


def test_a_displaced_stretch_is_suspect_and_the_rest_is_not():
    ssr = flight("asterix:1/18:896e15", "asterix:1/18", times=TIMES, identity="896e15")
    adsb = flight(
        "896e15", "adsb", times=TIMES, identity="896e15", north_m=displaced(-2_000.0),
        reported_velocity=True,
    )  # fmt: skip
    f = fuse(prepared(ssr, adsb))
    rows = f.tracks.rows(f.tracks.index()["896e15"])
    suspect = f.spoofing.suspect[rows]
    t = np.array(TIMES)
    # the 41 displaced reports, and their neighbours whose window reaches into them
    assert suspect[(t >= 200) & (t <= 400)].all()
    assert not suspect[(t < 185) | (t > 415)].any()
    assert not f.spoofing.suspect[f.tracks.rows(f.tracks.index()["asterix:1/18:896e15"])].any()
    assert f.suspect_tracks() == {"896e15"}
    (why,) = f.spoofing.reasons.values()
    assert why.startswith(
        "adsb positions depart from asterix:1/18:896e15 (asterix:1/18) by up to 2.0 km"
    )
    assert "reported velocity kept matching the measured motion (within 0 m/s)" in why
    assert why.endswith("a GNSS spoofing signature")


def test_honest_noise_within_the_stated_errors_is_never_flagged():
    rng = np.random.default_rng(7)
    ssr = flight("asterix:1/18:4ca001", "asterix:1/18", times=TIMES, identity="4ca001")
    noise = rng.normal(0.0, 30.0, len(TIMES))  # as stated: σ 30 m
    adsb = flight("4ca001", "adsb", times=TIMES, identity="4ca001", north_m=noise)
    f = fuse(prepared(ssr, adsb))
    assert not f.spoofing.suspect.any() and f.spoofing.reasons == {}


def test_two_self_reported_tracks_never_accuse_each_other():
    log = flight("drone-1", "log", times=TIMES, identity="RID-1")
    rid = flight("RID-1", "remoteid", times=TIMES, identity="RID-1", north_m=displaced(5_000.0))
    f = fuse(prepared(log, rid))
    assert len(f.pairs) == 1 and not f.spoofing.suspect.any()


def test_the_threshold_is_a_rule():
    ssr = flight("asterix:1/18:4ca001", "asterix:1/18", times=TIMES, identity="4ca001")
    adsb = flight("4ca001", "adsb", times=TIMES, identity="4ca001", north_m=displaced(150.0))
    # 150 m against σ √(30² + 30² + 31²) ≈ 52 m, four reports as independent: z ≈ 5.8
    assert fuse(prepared(ssr, adsb)).spoofing.suspect.any()
    strict = fuse(prepared(ssr, adsb), spoof_rules=SpoofRules(z_flag=7.0))
    assert not strict.spoofing.suspect.any()
