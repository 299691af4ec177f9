"""fusion.bias: a radar's range and azimuth biases from the aircraft it shares with
ADS-B, estimated, applied, and what happens without them — exact cases by hand."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from pyproj import Geod

from airwitness.fusion import BiasRules, fuse
from tests.fusion.helpers import flight, prepared

GEOD = Geod(ellps="WGS84")
SITE = (1.5, -0.45, 0.0)  # lon, lat, height: 50 km south of the flights
RADAR = "asterix:1/18"
TIMES = list(range(0, 601, 5))


def biased(adsb: pa.Table, radar: pa.Table, range_m: float, azimuth_deg: float) -> pa.Table:
    """The radar's reports: where the ADS-B says, turned and pushed out from the site."""
    lon, lat = adsb["lon"].to_numpy(), adsb["lat"].to_numpy()
    n = len(lon)
    az, _, dist = GEOD.inv(np.full(n, SITE[0]), np.full(n, SITE[1]), lon, lat)
    lon_r, lat_r, _ = GEOD.fwd(
        np.full(n, SITE[0]), np.full(n, SITE[1]), az + azimuth_deg, np.asarray(dist) + range_m
    )
    for name, values in (("lon", lon_r), ("lat", lat_r)):
        i = radar.schema.get_field_index(name)
        radar = radar.set_column(i, radar.schema.field(i), pa.array(values))
    return radar


def scene(range_m: float, azimuth_deg: float, late_s: float = 0.0) -> pa.Table:
    """Three aircraft passing north of the radar, each seen by ADS-B and by the radar,
    whose range, azimuth and clock (late by ``late_s``) are off."""
    tables = []
    for k, north in enumerate((0.0, 5_000.0, -5_000.0)):
        address = f"4ca00{k}"
        adsb = flight(address, "adsb", times=TIMES, identity=address, north_m=north, lon0=1.3)
        # where the aircraft was late_s before each of the radar's time stamps
        then = flight(address, "adsb", times=[t - late_s for t in TIMES], north_m=north, lon0=1.3)
        radar = flight(f"{RADAR}:{address}", RADAR, times=TIMES, identity=address, lon0=1.3)
        tables += [adsb, biased(then, radar, range_m, azimuth_deg)]
    return prepared(*tables)


def test_the_biases_are_estimated_and_taken_out():
    f = fuse(scene(150.0, 0.2), sites={RADAR: SITE})
    (b,) = f.biases
    # every report but the first two and the last two of each track, whose path's
    # rates need 10 s of path on either side
    assert (b.sensor, b.tracks, b.reports) == (RADAR, 3, 3 * (121 - 4))
    assert (b.applied_range, b.applied_azimuth, b.applied_time) == (True, True, False)
    # the curvature of the Earth at 50 km adds 0.4 m to a slant range
    assert b.range_m == pytest.approx(150.0, abs=1.0)
    assert b.azimuth_deg == pytest.approx(0.2, abs=1e-4)
    assert abs(b.time_s) < 0.01
    assert b.describe().startswith(f"radar bias {RADAR}: range +15")
    assert "time +0.00 ± 0.00 s (not applied)" in b.describe().replace("-0.00", "+0.00")
    # the radar's reports moved back onto the ADS-B: nothing is contradicted
    assert not f.spoofing.suspect.any()
    radar = f.tracks.rows(f.tracks.index()[f"{RADAR}:4ca000"])
    adsb = f.tracks.rows(f.tracks.index()["4ca000"])
    d = GEOD.inv(f.tracks.lon[radar], f.tracks.lat[radar], f.tracks.lon[adsb], f.tracks.lat[adsb])
    assert np.max(d[2]) < 2.0


def test_a_late_clock_is_told_from_a_long_range_and_taken_out():
    f = fuse(scene(150.0, 0.2, late_s=2.0), sites={RADAR: SITE})
    (b,) = f.biases
    assert (b.applied_range, b.applied_azimuth, b.applied_time) == (True, True, True)
    assert b.time_s == pytest.approx(2.0, abs=0.01)
    assert b.range_m == pytest.approx(150.0, abs=1.0)
    assert b.azimuth_deg == pytest.approx(0.2, abs=1e-4)
    # the radar's time stamps moved back by the offset: its reports now sit on the ADS-B
    radar = f.tracks.rows(f.tracks.index()[f"{RADAR}:4ca000"])
    assert (f.tracks.time_ns[radar][0] - f.tracks.time_ns[radar][1]) == -5 * 10**9
    assert not f.spoofing.suspect.any()


def test_without_the_site_a_biased_radar_contradicts_honest_adsb():
    f = fuse(scene(150.0, 0.2))
    assert f.biases == [] and f.suspect_tracks() == {"4ca000", "4ca001", "4ca002"}


def test_a_bias_the_data_cannot_tell_from_noise_is_not_applied():
    f = fuse(scene(3.0, 0.0), sites={RADAR: SITE})
    (b,) = f.biases
    assert not b.applied and b.range_m == pytest.approx(3.0, abs=0.5)
    assert f.source.column("lon").equals(scene(3.0, 0.0).column("lon"))


def test_too_few_tracks_estimate_nothing():
    f = fuse(scene(150.0, 0.2), sites={RADAR: SITE}, bias_rules=BiasRules(min_tracks=4))
    assert f.biases == []
