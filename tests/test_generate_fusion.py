"""The multi-sensor scenario generator (issue 21): byte-identical reruns, exact counts, the
primary radar's plots as in the radar scenario, Mode S plots that airwitness reads as
reports of the aircraft's address, ADS-B with the stated errors, a spoofed aircraft
whose ADS-B shows crossings the truth does not, and the designed true crossings.

ASTERIX records are split by hand (their layout is fixed) and decoded with the
``asterix`` package, and positions are compared with pyproj's geodesic, so neither
check uses the generator's own geometry.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import asterix as pkg
import numpy as np
import pytest
from pyproj import Geod

import airwitness.io as awio
from airwitness.airspace import Airspace
from airwitness.io.options import ReadOptions
from airwitness.pipeline import run_crossings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_fusion.py"
FILES = (
    "plots.ast",
    "adsb.csv",
    "adsb.ast",
    "sensors.csv",
    "truth.csv",
    "truth_plots.csv",
    "truth_adsb.csv",
    "truth_association.csv",
    "truth_spoof.csv",
    "truth_crossings.csv",
    "fake_crossings.csv",
    "scenario.json",
)
PLOTS, PSR, SSR, CLUTTER, K01 = 47_700, 46_190, 1_510, 43_109, 142
ADSB, SPOOFED = 1_692, 144
START = dt.datetime(2025, 6, 16, 4, tzinfo=dt.UTC)
START_S = int(START.timestamp())
DATE = dt.date(2025, 6, 16)
AIRLINERS = {
    "A01": ("600a01", "AHY021", "2101", 350),
    "A02": ("730a02", "IRA712", "2102", 340),
    "A03": ("4ba0c3", "THY7AB", "2103", 370),
    "A04": ("06a1d4", "QTR8KD", "2104", 360),
    "A05": ("896e15", "UAE3NF", "2105", 330),
    "A06": ("7300f6", "IRM112", "2106", 320),
    "A07": ("1521a7", "AFL183", "2107", 380),
    "A08": ("600a08", "AHY087", "2110", 300),
}
EPU_M = {8: 92.6, 9: 30.0, 10: 10.0}
GEOD = Geod(ellps="WGS84")


def _script(name: str):
    """A module of scripts/, registered under its name (scripts import each other)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


asterix_write = _script("asterix_write")
cat021_write = _script("cat021_write")


def _generate(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "-o", str(out), *extra], capture_output=True, text=True
    )


#: a smaller scenario with random objects of every kind and random spoofing
SMALL = (
    "--duration-s", "1800", "--airliners", "12", "--kinematic", "3", "--spoofed", "3",
    "--targets", "12",
)  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fusion")
    done = _generate(out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("fusion_a"), tmp_path_factory.mktemp("fusion_b")
    assert _generate(a, *SMALL).returncode == 0
    assert _generate(b, *SMALL, "--seed", "20250616", "--adsb-period-s", "5").returncode == 0
    return a, b


@pytest.fixture(scope="module")
def summary(run: Path) -> dict:
    return json.loads((run / "scenario.json").read_text(encoding="utf-8"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _seconds(text: str) -> float:
    return (dt.datetime.fromisoformat(text) - START).total_seconds()


def _truth(run: Path) -> dict[str, np.ndarray]:
    """Per object: rows of (seconds after the start, lon, lat) at 1 s steps."""
    out: dict[str, list] = {}
    for r in _rows(run / "truth.csv"):
        out.setdefault(r["object"], []).append(
            (_seconds(r["time"]), float(r["lon"]), float(r["lat"]))
        )
    return {k: np.array(v) for k, v in out.items()}


def _at(track: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.interp(t, track[:, 0], track[:, 1]), np.interp(t, track[:, 0], track[:, 2])


def _blocks(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos + 1 : pos + 3], "big")
        out.append(data[pos : pos + n])
        pos += n
    assert pos == len(data)
    return out


def _records(block: bytes) -> list[bytes]:
    """A CAT048 block's records: PSR plots (FSPEC F0, 11 octets) or Mode S (FD C0, 25)."""
    out, pos = [], 3
    while pos < len(block):
        n = {0xF0: 11, 0xFD: 25}[block[pos]]
        out.append(block[pos : pos + n])
        pos += n
    return out


#: what examples/fusion/ ships of the default scenario (the rest is regenerated at will)
EXAMPLE = ROOT / "examples" / "fusion"
SHIPPED = (
    "plots.ast",
    "adsb.csv",
    "sensors.csv",
    "truth_association.csv",
    "truth_crossings.csv",
    "fake_crossings.csv",
    "truth_spoof.csv",
    "scenario.json",
)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_example_is_the_default_scenario(run: Path, name: str) -> None:
    assert (EXAMPLE / name).read_bytes() == (run / name).read_bytes(), (
        f"examples/fusion/{name} is stale: see examples/fusion/README.md"
    )


@pytest.mark.parametrize("name", FILES)
def test_rerun_is_byte_identical(small_runs: tuple[Path, Path], name: str) -> None:
    a, b = small_runs
    assert (a / name).read_bytes() == (b / name).read_bytes()


def test_counts_and_headers(run: Path, summary: dict) -> None:
    counts = summary["counts"]
    assert (counts["plots"], counts["psr_plots"], counts["ssr_plots"]) == (PLOTS, PSR, SSR)
    assert (counts["clutter_plots"], counts["adsb_reports"]) == (CLUTTER, ADSB)
    assert (counts["spoofed_reports"], counts["spoofed"]) == (SPOOFED, 1)
    assert (counts["objects"], counts["drones"], counts["airliners"]) == (20, 11, 8)
    assert (counts["kinematic"], counts["crossings"], counts["fake_crossings"]) == (1, 14, 2)
    plots = _rows(run / "truth_plots.csv")
    assert [int(r["record"]) for r in plots] == list(range(1, PLOTS + 1))
    by_sensor: dict[str, dict[str, int]] = {}
    for r in plots:
        if r["object"]:
            by_sensor.setdefault(r["sensor"], {}).setdefault(r["object"], 0)
            by_sensor[r["sensor"]][r["object"]] += 1
    assert by_sensor == counts["object_plots"]
    assert set(by_sensor["AZ-SSR-1"]) == set(AIRLINERS)
    assert sum(by_sensor["AZ-SSR-1"].values()) == SSR
    assert by_sensor["AZ-PSR-1"]["K01"] == K01
    assert sum(r["object"] == "" for r in plots) == CLUTTER
    assert (run / "sensors.csv").read_text(encoding="utf-8") == (
        "name,sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,scan_period_s,pd,"
        "clutter_density\nAZ-PSR-1,1,17,39.6,47.35,250.0,50.0,0.15,5.0,0.9,0.00265277\n"
        "AZ-SSR-1,1,18,39.6,47.35,250.0,30.0,0.05,5.0,0.98,0\n"
    )
    truth = _rows(run / "truth.csv")
    assert list(truth[0]) == ["object", "time", "lon", "lat", "alt_m", "speed_mps", "class"]
    classes = {r["object"]: r["class"] for r in truth}
    assert {o for o, c in classes.items() if c == "airliner"} == set(AIRLINERS)
    assert {o for o, c in classes.items() if c == "aircraft"} == {"K01"}
    assert len(classes) == 20 and all(_seconds(r["time"]) % 1 == 0 for r in truth)
    assert summary["parameters"]["psr"]["seed"] == 20250616
    assert (run / "adsb.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
        "baroaltitude,geoaltitude,lastposupdate,lastcontact"
    )


def test_primary_plots_are_the_radar_scenarios(run: Path) -> None:
    """With the same options and seed, the PSR's plots other than K01's are the radar
    example's (examples/radar/plots.ast, generate_radar.py's defaults), in order."""
    mine = [r for b in _blocks((run / "plots.ast").read_bytes()) for r in _records(b)]
    assert len(mine) == PLOTS
    truth = _rows(run / "truth_plots.csv")
    psr = [rec for rec, t in zip(mine, truth, strict=True) if t["sensor"] == "AZ-PSR-1"]
    assert all(rec[0] == 0xF0 and rec[1:3] == bytes([1, 17]) for rec in psr)
    others = [
        rec
        for rec, t in zip(mine, truth, strict=True)
        if t["sensor"] == "AZ-PSR-1" and t["object"] != "K01"
    ]
    example = (ROOT / "examples" / "radar" / "plots.ast").read_bytes()
    assert others == [r for b in _blocks(example) for r in _records(b)]
    assert len(psr) - len(others) == K01


def test_mode_s_plots_decode(run: Path, summary: dict) -> None:
    """Every SSR record: SAC/SIC 1/18, TYP Mode S roll-call, the aircraft's address,
    Mode 3/A code, flight level and callsign; no track number."""
    truth = _rows(run / "truth_plots.csv")
    k, seen = 0, 0
    for block in _blocks((run / "plots.ast").read_bytes()):
        records = pkg.parse(block, verbose=False)
        for rec in records:
            t = truth[k]
            k += 1
            if t["sensor"] != "AZ-SSR-1":
                continue
            seen += 1
            address, callsign, squawk, fl = AIRLINERS[t["object"]]
            assert rec["len"] == 25 and "I161" not in rec
            assert (rec["I010"]["SAC"]["val"], rec["I010"]["SIC"]["val"]) == (1, 18)
            assert rec["I020"]["TYP"]["val"] == 5
            assert rec["I220"]["ACAddr"]["val"] == address.upper()
            assert rec["I240"]["TId"]["val"].strip() == callsign
            assert rec["I070"]["Mode3A"]["val"] == squawk
            assert rec["I090"]["FL"]["val"] == fl and rec["I090"]["V"]["val"] == 0
    assert (k, seen) == (PLOTS, SSR)


def test_airwitness_reads_the_capture(run: Path) -> None:
    """Mode S plots become reports of the SSR's track of the address
    (``asterix:1/18:<icao24>``, sensor ``asterix:1/18``, identity the address), at
    the flight level, σ from the SSR's accuracy, within a few σ of the truth;
    anonymous PSR plots become detections; nothing is rejected."""
    result = awio.read(
        run / "plots.ast", options=ReadOptions(date=DATE, sensors=run / "sensors.csv")
    )
    assert result.records == PLOTS and result.rejects == []
    assert result.detections.num_rows == PSR
    assert set(result.detections["sensor"].to_pylist()) == {"asterix:1/17"}
    table = result.table
    assert table.num_rows == SSR
    truth_plots = _rows(run / "truth_plots.csv")
    ssr_records = [int(r["record"]) for r in truth_plots if r["sensor"] == "AZ-SSR-1"]
    assert table["source_record"].to_pylist() == ssr_records
    objects = [truth_plots[k - 1]["object"] for k in ssr_records]
    assert table["track_id"].to_pylist() == [f"asterix:1/18:{AIRLINERS[o][0]}" for o in objects]
    assert table["identity"].to_pylist() == [AIRLINERS[o][0] for o in objects]
    assert set(table["sensor"].to_pylist()) == {"asterix:1/18"}
    assert table["callsign"].to_pylist() == [AIRLINERS[o][1] for o in objects]
    assert table["alt_m"].to_pylist() == [AIRLINERS[o][3] * 30.48 for o in objects]
    assert set(table["source"].to_pylist()) == {"asterix"}
    t = (table["time"].cast("int64").to_numpy() / 1e9) - START_S
    lon, lat = table["lon"].to_numpy(), table["lat"].to_numpy()
    sigma = table["pos_sigma_m"].to_numpy()
    truth = _truth(run)
    miss = np.empty(len(t))
    for o in AIRLINERS:
        mask = np.array([x == o for x in objects])
        tlon, tlat = _at(truth[o], t[mask])
        miss[mask] = GEOD.inv(tlon, tlat, lon[mask], lat[mask])[2] / sigma[mask]
    assert sigma.min() == 30.0 and sigma.max() < 220.0  # σ range near, 0.05° far
    assert np.median(miss) < 1.5 and miss.max() < 5.0


def test_airwitness_reads_the_adsb(run: Path, summary: dict) -> None:
    """Every state vector is a report of its icao24 (source opensky, no stated σ); honest
    positions lie within the NACp's EPU of the truth, spoofed ones are displaced by the
    offset of truth_adsb.csv; the reported velocity is always the true motion."""
    result = awio.read(run / "adsb.csv")
    assert result.records == ADSB and result.table.num_rows == ADSB and result.rejects == []
    table = result.table
    truth_adsb = _rows(run / "truth_adsb.csv")
    assert table["source_record"].to_pylist() == [int(r["line"]) for r in truth_adsb]
    assert table["track_id"].to_pylist() == [r["icao24"] for r in truth_adsb]
    assert set(table["source"].to_pylist()) == {"opensky"}
    assert table["pos_sigma_m"].null_count == ADSB
    nacp = {o["target"]["name"]: o["nacp"] for o in summary["objects"] if "nacp" in o}
    assert nacp["A05"] == 9 and set(nacp) == {*AIRLINERS, "K01"}
    t = table["time"].cast("int64").to_numpy() / 1e9 - START_S
    lon, lat = table["lon"].to_numpy(), table["lat"].to_numpy()
    obj = np.array([r["object"] for r in truth_adsb])
    spoof = np.array([[float(r["spoof_east_m"]), float(r["spoof_north_m"])] for r in truth_adsb])
    gnss = np.array([[float(r["gnss_east_m"]), float(r["gnss_north_m"])] for r in truth_adsb])
    truth = _truth(run)
    miss = np.empty(len(t))
    for o in set(obj.tolist()):
        mask = obj == o
        tlon, tlat = _at(truth[o], t[mask])
        miss[mask] = GEOD.inv(tlon, tlat, lon[mask], lat[mask])[2]
    honest = np.all(spoof == 0.0, axis=1)
    assert int((~honest).sum()) == SPOOFED and set(obj[~honest].tolist()) == {"A05"}
    epu = np.array([EPU_M[nacp[o]] for o in obj])
    assert np.all(miss[honest] < epu[honest])
    assert np.all(np.abs(miss - np.hypot(*(spoof + gnss).T)) < 20.0)
    assert 34_900 < miss.max() < 35_100  # A05's 35 km, held for 120 s
    speed = table["ground_speed_mps"].to_numpy()
    heading = table["track_deg"].to_numpy()
    a05 = obj == "A05"
    assert np.all(np.abs(speed[a05] - 220.0) < 2.5)
    assert np.all(np.abs((heading[a05] - 90.0 + 180.0) % 360.0 - 180.0) < 2.0)
    # while walked south, the positions move at 249 m/s, 118°: not the reported motion
    walked = np.flatnonzero(a05 & (spoof[:, 1] < -1_000) & (spoof[:, 1] > -34_000))
    a, b = walked[0], walked[10]  # the first 50 s of the walk out
    assert spoof[b, 1] < spoof[a, 1]
    az, _, dist = GEOD.inv(lon[a], lat[a], lon[b], lat[b])
    apparent = dist / (t[b] - t[a])
    assert 240.0 < apparent < 260.0 and 112.0 < az % 360 < 124.0


def test_airwitness_reads_the_adsb_as_cat021(run: Path, summary: dict) -> None:
    """adsb.ast holds the CSV's reports, record for record: same address, position to
    the CSV's 6 decimals, time to 1/128 s, velocity to its LSB, height to 1/4 FL (K01's
    2,500 m is FL82), and the σ its NACp states (EPU / 2.4477)."""
    cat021 = awio.read(run / "adsb.ast", options=ReadOptions(date=DATE))
    plain = awio.read(run / "adsb.csv")
    assert cat021.records == ADSB and cat021.table.num_rows == ADSB and cat021.rejects == []
    a, b = cat021.table, plain.table
    assert a["source_record"].to_pylist() == list(range(1, ADSB + 1))
    for column in ("track_id", "callsign", "alt_kind"):
        assert a[column].to_pylist() == b[column].to_pylist()
    alt_a, alt_b = a["alt_m"].to_numpy(), b["alt_m"].to_numpy()
    assert np.abs(alt_a - alt_b).max() < 3.82  # 1/4 FL: the airliners' FLs are exact
    k01 = np.array([t == "600b11" for t in b["track_id"].to_pylist()])
    assert np.array_equal(alt_a[~k01], alt_b[~k01]) and set(alt_a[k01]) == {8200 * 0.3048}
    assert set(a["source"].to_pylist()) == {"asterix"}
    dt_ns = a["time"].cast("int64").to_numpy() - b["time"].cast("int64").to_numpy()
    assert np.abs(dt_ns).max() <= 1e9 / 256 + 5e5  # half of 1/128 s, and the CSV's 0.5 ms
    half = 5e-7 + 180 / 2**31  # the CSV's 6 decimals and CAT021's LSB, halved (degrees)
    # ground speed: CAT021's LSB 1852/2^14 m/s and the CSV's 2 decimals, halved
    for column, tolerance in (("lat", half), ("lon", half), ("ground_speed_mps", 0.062)):
        assert np.abs(a[column].to_numpy() - b[column].to_numpy()).max() < tolerance
    nacp = {o["icao24"]: o["nacp"] for o in summary["objects"] if "nacp" in o}
    expected = [EPU_M[nacp[t]] / 2.4477 for t in a["track_id"].to_pylist()]
    assert np.allclose(a["pos_sigma_m"].to_numpy(), expected, rtol=1e-4)


def test_adsb_and_radar_tracks_share_the_identity(run: Path) -> None:
    """An aircraft's ADS-B track (its address) and its Mode S radar track
    (``asterix:1/18:<address>``) are two tracks with one identity, the address."""
    adsb = awio.read(run / "adsb.csv").table
    ssr = awio.read(run / "plots.ast", options=ReadOptions(date=DATE, sensors=run / "sensors.csv"))
    addresses = {a[0] for a in AIRLINERS.values()}
    assert set(ssr.table["track_id"].to_pylist()) == {f"asterix:1/18:{a}" for a in addresses}
    assert set(ssr.table["identity"].to_pylist()) == addresses
    assert set(adsb["track_id"].to_pylist()) == addresses | {"600b11"}
    assert adsb["identity"].to_pylist() == adsb["track_id"].to_pylist()
    assert set(adsb["sensor"].to_pylist()) == {"adsb"}
    assert _rows(run / "truth_association.csv")[:4] == [
        {"object": "A01", "class": "airliner", "sensor": "adsb", "track_id": "600a01",
         "identity": "address"},
        {"object": "A01", "class": "airliner", "sensor": "asterix:1/18",
         "track_id": "asterix:1/18:600a01", "identity": "address"},
        {"object": "A02", "class": "airliner", "sensor": "adsb", "track_id": "730a02",
         "identity": "address"},
        {"object": "A02", "class": "airliner", "sensor": "asterix:1/18",
         "track_id": "asterix:1/18:730a02", "identity": "address"},
    ]  # fmt: skip
    rows = _rows(run / "truth_association.csv")
    assert len(rows) == 29  # 8 airliners × 2, K01 × 2, 11 drones and fast movers
    assert [r for r in rows if r["object"] in ("K01", "T01")] == [
        {"object": "K01", "class": "aircraft", "sensor": "adsb", "track_id": "600b11",
         "identity": "address"},
        {"object": "K01", "class": "aircraft", "sensor": "asterix:1/17", "track_id": "K01",
         "identity": "plots"},
        {"object": "T01", "class": "uav", "sensor": "asterix:1/17", "track_id": "T01",
         "identity": "plots"},
    ]  # fmt: skip


def test_read_together_each_sensor_keeps_its_own_track(run: Path, tmp_path: Path) -> None:
    """The SSR's plots and the ADS-B read together: two tracks per airliner, one per
    sensor, none of their reports rejected (A05's disagree, but never within one
    track); A05's ADS-B track still shows its fake crossings (fusion flags them)."""
    blocks = _blocks((run / "plots.ast").read_bytes())
    ssr = [b for b in blocks if b[3] == 0xFD]  # the SSR's blocks (Mode S records only)
    assert all(r[0] == 0xFD for b in ssr for r in _records(b))
    (tmp_path / "ssr.ast").write_bytes(b"".join(ssr))
    options = ReadOptions(date=DATE, sensors=run / "sensors.csv")
    files = [tmp_path / "ssr.ast", run / "adsb.csv"]
    crossings_run = run_crossings(files, Airspace.builtin("osm"), options=options)
    assert crossings_run.summary.records == SSR + ADSB
    prepared = crossings_run.prepared
    ids, sources = prepared.table["track_id"].to_pylist(), prepared.table["source"].to_pylist()
    by_track: dict[str, set[str]] = {}
    for tid, src in zip(ids, sources, strict=True):
        by_track.setdefault(tid, set()).add(src)
    addresses = [a[0] for a in AIRLINERS.values()]
    assert by_track == (
        {a: {"opensky"} for a in [*addresses, "600b11"]}
        | {f"asterix:1/18:{a}": {"asterix"} for a in addresses}
    )
    assert prepared.rejects == []
    assert "896e15" in crossings_run.crossings["track_id"].to_pylist()
    assert "asterix:1/18:896e15" not in crossings_run.crossings["track_id"].to_pylist()


def test_truth_crossings_are_the_designed_ones(run: Path) -> None:
    rows = _rows(run / "truth_crossings.csv")
    assert list(rows[0]) == ["object", "time", "lon", "lat", "from", "to"]
    assert [(r["object"], r["from"], r["to"]) for r in rows] == [
        ("A01", "AZE", "IRN"),
        ("A02", "IRN", "AZE"),
        ("A04", "AZE", "IRN"),
        ("A07", "AZE", "IRN"),
        ("F01", "AZE", "IRN"),
        ("F02", "IRN", "AZE"),
        ("K01", "AZE", "IRN"),
        ("T01", "AZE", "IRN"),
        ("T02", "IRN", "AZE"),
        ("T03", "AZE", "IRN"),
        ("T03", "IRN", "AZE"),
        ("T05", "IRN", "AZE"),
        ("T08", "AZE", "IRN"),
        ("T09", "IRN", "AZE"),
    ]
    radar = _rows(ROOT / "examples" / "radar" / "truth_crossings.csv")
    drones = [r for r in rows if r["object"][0] in "TF"]
    assert [{"target": r.pop("object"), **r} for r in drones] == radar


def test_spoofed_adsb_shows_the_fake_crossings(run: Path) -> None:
    """airwitness finds in A05's ADS-B an out-and-back into Iran inside its spoofing
    episode; its truth crosses nothing; the honest aircraft's ADS-B crossings are the
    true ones, within seconds."""
    spoof = _rows(run / "truth_spoof.csv")
    assert spoof == [
        {"object": "A05", "icao24": "896e15", "start": "2025-06-16T04:50:20.000Z",
         "full": "2025-06-16T04:55:20.000Z", "release": "2025-06-16T04:57:20.000Z",
         "end": "2025-06-16T05:02:20.000Z", "offset_east_m": "0.0",
         "offset_north_m": "-35000.0", "offset_m": "35000.0", "reports": str(SPOOFED)},
    ]  # fmt: skip
    fakes = _rows(run / "fake_crossings.csv")
    assert [(r["object"], r["icao24"], r["from"], r["to"]) for r in fakes] == [
        ("A05", "896e15", "AZE", "IRN"),
        ("A05", "896e15", "IRN", "AZE"),
    ]
    assert [r["time"] for r in fakes] == ["2025-06-16T04:53:26.402Z", "2025-06-16T04:58:00.258Z"]
    table = run_crossings([run / "adsb.csv"], Airspace.builtin("osm")).crossings
    ids, times = table["track_id"].to_pylist(), table["time"].cast("int64").to_numpy() / 1e9
    found = {}
    for tid, t, a, b in zip(ids, times, table["from"].to_pylist(), table["to"].to_pylist(),
                            strict=True):  # fmt: skip
        found.setdefault(tid, []).append((t - START_S, a, b))
    assert [(a, b) for _, a, b in found.pop("896e15")] == [("AZE", "IRN"), ("IRN", "AZE")]
    truth = _rows(run / "truth_crossings.csv")
    assert not [r for r in truth if r["object"] == "A05"]
    address = {o: a[0] for o, a in AIRLINERS.items()} | {"K01": "600b11"}
    expected = {}
    for r in truth:
        if r["object"] in address:
            expected.setdefault(address[r["object"]], []).append(
                (_seconds(r["time"]), r["from"], r["to"])
            )
    assert set(found) == set(expected) == {"600a01", "730a02", "06a1d4", "1521a7", "600b11"}
    for tid, crossings in expected.items():
        assert [(a, b) for _, a, b in found[tid]] == [(a, b) for _, a, b in crossings]
        assert all(abs(f[0] - c[0]) < 3.0 for f, c in zip(found[tid], crossings, strict=True))


def test_scale_options(small_runs: tuple[Path, Path], tmp_path: Path) -> None:
    """More objects: random airliners A09…, K aircraft K02…, drones R01…; spoofing goes
    to random airliners when A05 is not flying; too many spoofed is refused."""
    small = small_runs[0]
    summary = json.loads((small / "scenario.json").read_text(encoding="utf-8"))
    counts = summary["counts"]
    assert (counts["objects"], counts["airliners"], counts["kinematic"]) == (16, 7, 3)
    assert (counts["drones"], counts["spoofed"]) == (6, 3)
    spoof = _rows(small / "truth_spoof.csv")
    assert [r["object"] for r in spoof] == ["A09", "A10", "A11"]
    assert sum(int(r["reports"]) for r in spoof) == counts["spoofed_reports"] == 164
    rows = _rows(small / "truth_association.csv")
    assert len(rows) == 2 * 7 + 2 * 3 + 6
    assert {r["object"] for r in rows if r["identity"] == "plots"} == {
        "K01", "K02", "K03", "T01", "T02", "T03", "T04", "T06", "R01",
    }  # fmt: skip
    refused = _generate(tmp_path / "x", "--duration-s", "600", "--spoofed", "2")
    assert refused.returncode != 0
    assert "--spoofed 2: only 0 airliners can be spoofed" in refused.stderr


def test_mode_s_record_by_hand() -> None:
    """04:00:00 UTC, 10 NM, 90°, code 4521, FL330, address 600ABC, AHY123."""
    record = asterix_write.mode_s_plot(
        1, 18, 14_400 * 128, 2_560, 16_384, (0o4521, 330 * 4, 0x600ABC, "AHY123")
    )
    assert record.hex().upper() == "FDC001121C2000A00A00400009510528600ABC048671CB3820"
    rec = pkg.parse(asterix_write.data_block([record]), verbose=False)[0]
    assert rec["I220"]["ACAddr"]["val"] == "600ABC"
    assert rec["I240"]["TId"]["val"] == "AHY123  "
    assert (rec["I090"]["FL"]["val"], rec["I070"]["Mode3A"]["val"]) == (330.0, "4521")
    with pytest.raises(ValueError, match="Mode S plot out of range"):
        asterix_write.mode_s_plot(1, 18, 0, 0, 0, (0o10000, 0, 0, ""))


def test_cat021_record_by_hand() -> None:
    """04:00:00 UTC at the radar's site, FL330, NACp 9, 220 m/s due east, UAE3NF."""
    record = cat021_write.report(
        1, 30, 14_400 * 128, 39.6, 47.35, (0x896E15, 0o2105, 330 * 4, 9, 220.0, 90.0, "UAE3NF")
    )
    assert record.hex().upper() == (
        "CB113B0980011E081C20000E147AE110D5E6F8896E1531F21204450528079A4000541173386820"
    )
    rec = pkg.parse(asterix_write.data_block([record], 21), verbose=False)[0]
    assert rec["I080"]["TAddr"]["val"] == "896E15"
    assert (rec["I090"]["NACp"]["val"], rec["I210"]["VN"]["val"]) == (9, 2)
    assert (rec["I145"]["FL"]["val"], rec["I070"]["Mode3A"]["val"]) == (330.0, "2105")
    assert rec["I160"]["TA"]["val"] == 90.0
    assert rec["I071"]["time_applicability_position"]["val"] == 14_400.0
    with pytest.raises(ValueError, match="ground speed out of range"):
        cat021_write.report(1, 30, 0, 0.0, 0.0, (0, 0, 0, 9, 4000.0, 0.0, ""))
