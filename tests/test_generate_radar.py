"""The primary-radar scenario generator (issue 17): byte-identical reruns, exact counts, plot
files that agree record by record, plots made when the beam sweeps the target, measurement
errors as stated, and the designed border crossings.

The ASTERIX file is decoded with the ``asterix`` package directly, and the measured
slant range and azimuth are checked against the truth with the hand-written WGS-84
geometry of the ASTERIX tests (no pyproj), so neither check uses the generator's code.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import asterix as pkg
import numpy as np
import pytest

import airwitness.io as awio
from airwitness.io.options import ReadOptions

from .io.radar.captures import geodetic_to_ecef

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_radar.py"
FILES = (
    "plots.csv",
    "plots.ast",
    "sensors.csv",
    "truth.csv",
    "truth_plots.csv",
    "truth_crossings.csv",
    "scenario.json",
)
PLOTS, CLUTTER = 46_048, 43_109
SITE = (39.60, 47.35, 250.0)
START = dt.datetime(2025, 6, 16, 4, tzinfo=dt.UTC)

_spec = importlib.util.spec_from_file_location(
    "asterix_write", ROOT / "scripts" / "asterix_write.py"
)
asterix_write = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(asterix_write)


def _generate(out: Path, *extra: str) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "-o", str(out), *extra], check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("radar_a"), tmp_path_factory.mktemp("radar_b")
    _generate(a)
    _generate(b, "--seed", "20250616")
    return a, b


@pytest.fixture(scope="module")
def run(runs: tuple[Path, Path]) -> Path:
    return runs[0]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _seconds(text: str) -> float:
    """Seconds after the scenario's start of an ISO time ending in Z."""
    return (dt.datetime.fromisoformat(text) - START).total_seconds()


#: what examples/radar/ ships of the default scenario (the rest is regenerated at will)
EXAMPLE = ROOT / "examples" / "radar"
SHIPPED = ("plots.ast", "sensors.csv", "truth_crossings.csv", "scenario.json")


@pytest.mark.parametrize("name", SHIPPED)
def test_the_example_is_the_default_scenario(run: Path, name: str) -> None:
    assert (EXAMPLE / name).read_bytes() == (run / name).read_bytes(), (
        f"examples/radar/{name} is stale: see examples/radar/README.md"
    )


@pytest.mark.parametrize("name", FILES)
def test_rerun_is_byte_identical(runs: tuple[Path, Path], name: str) -> None:
    a, b = runs
    assert (a / name).read_bytes() == (b / name).read_bytes()


def test_other_seed_other_plots_same_designed_truth(run: Path, tmp_path: Path) -> None:
    """The seed draws measurements, clutter and the targets beyond the eleventh only."""
    _generate(tmp_path, "--seed", "1", "--duration-s", "610", "--targets", "12")
    lines = (tmp_path / "plots.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1] != (run / "plots.csv").read_text(encoding="utf-8").splitlines()[1]
    short = [r for r in _rows(run / "truth.csv") if _seconds(r["time"]) <= 610]
    truth = _rows(tmp_path / "truth.csv")
    assert [r for r in truth if r["target"] != "R01"] == short
    assert {r["target"] for r in short} == {"T01", "T02", "T04"}
    summary = json.loads((tmp_path / "scenario.json").read_text(encoding="utf-8"))
    assert summary["scans"] == 122
    assert [t["name"] for t in summary["targets"]][-1] == "R01"


def test_counts_and_headers(run: Path) -> None:
    lines = (run / "plots.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time,sensor,range_m,azimuth_deg,alt_m,mode3a,amplitude"
    assert len(lines) == PLOTS + 1
    truth_plots = _rows(run / "truth_plots.csv")
    assert [int(r["record"]) for r in truth_plots] == list(range(1, PLOTS + 1))
    assert sum(r["target"] == "" for r in truth_plots) == CLUTTER
    summary = json.loads((run / "scenario.json").read_text(encoding="utf-8"))
    counts = summary["counts"]
    assert (counts["plots"], counts["clutter_plots"]) == (PLOTS, CLUTTER)
    assert (counts["uniform_clutter_plots"], counts["patch_clutter_plots"]) == (32_286, 10_823)
    assert sum(counts["target_plots"].values()) == PLOTS - CLUTTER == 2_939
    per_target = {}
    for r in truth_plots:
        if r["target"]:
            per_target[r["target"]] = per_target.get(r["target"], 0) + 1
    assert per_target == counts["target_plots"]
    assert summary["parameters"]["seed"] == 20250616
    assert summary["scans"] == 1080
    assert (run / "sensors.csv").read_text(encoding="utf-8") == (
        "name,sac,sic,lat,lon,alt_m,sigma_range_m,sigma_azimuth_deg,scan_period_s,pd,"
        "clutter_density\nAZ-PSR-1,1,17,39.6,47.35,250.0,50.0,0.15,5.0,0.9,0.00265277\n"
    )
    truth = _rows(run / "truth.csv")
    assert list(truth[0]) == ["target", "time", "lon", "lat", "alt_m", "speed_mps", "class"]
    assert {r["target"] for r in truth} == {f"T0{k}" for k in range(1, 10)} | {"F01", "F02"}
    assert {r["class"] for r in truth if r["target"].startswith("F")} == {"fast"}
    assert all(_seconds(r["time"]) % 1 == 0 for r in truth)


def test_plot_files_agree_record_by_record(run: Path) -> None:
    """Record k of plots.ast is data line k of plots.csv: same time, range, azimuth."""
    records = pkg.parse((run / "plots.ast").read_bytes(), verbose=False)
    rows = _rows(run / "plots.csv")
    assert len(records) == len(rows) == PLOTS
    for rec, row in zip(records, rows, strict=True):
        assert rec["category"] == 48 and rec["len"] == 11
        assert set(rec) >= {"I010", "I140", "I020", "I040"}
        assert not {"I161", "I220", "I090"} & set(rec)
        assert (rec["I010"]["SAC"]["val"], rec["I010"]["SIC"]["val"]) == (1, 17)
        assert rec["I020"]["TYP"]["val"] == 1  # single PSR detection
        tod = round(rec["I140"]["ToD"]["val"] * 128)  # exact: 1/128 s counts
        ms = round(_seconds(row["time"]) * 1000) + 4 * 3_600_000
        assert ms == (tod * 1000 + 64) // 128  # to the nearest ms, halves up
        assert round(float(row["range_m"]) / 1852 * 256) == round(rec["I040"]["RHO"]["val"] * 256)
        theta = rec["I040"]["THETA"]["val"]
        assert round(float(row["azimuth_deg"]) * 2**16 / 360) == round(theta * 2**16 / 360)
        assert row["sensor"] == "AZ-PSR-1"
        assert row["alt_m"] == row["mode3a"] == row["amplitude"] == ""


def test_airwitness_reads_every_plot(run: Path) -> None:
    """Each plot is a record of the reader and a detection (no track number, no address:
    the tracker's input); none is damaged or dropped."""
    result = awio.read(
        run / "plots.ast",
        options=ReadOptions(date=dt.date(2025, 6, 16), sensors=run / "sensors.csv"),
    )
    assert result.records == PLOTS
    assert result.detections.num_rows == PLOTS
    assert result.table.num_rows == 0 and result.rejects == []
    assert result.detections["source_record"].to_pylist() == list(range(1, PLOTS + 1))


def test_plots_follow_the_beam(run: Path) -> None:
    """A plot's time within its 5 s scan is where the beam points: 72° a second from north."""
    rows = _rows(run / "plots.csv")
    t = np.array([_seconds(r["time"]) for r in rows])
    az = np.array([float(r["azimuth_deg"]) for r in rows])
    assert np.all(np.diff(t) >= 0)
    lag = (t % 5.0) - az / 72.0
    lag = (lag + 2.5) % 5.0 - 2.5  # a plot at 359.99° may be stamped at the next scan's start
    assert np.abs(lag).max() < 0.02  # noise (0.15° = 2 ms) and 1/128 s + 1 ms rounding


def _enu(lat: float, lon: float, h: float) -> tuple[float, float, float]:
    x, y, z = (
        a - b for a, b in zip(geodetic_to_ecef(lat, lon, h), geodetic_to_ecef(*SITE), strict=True)
    )
    p, lam = math.radians(SITE[0]), math.radians(SITE[1])
    east = -math.sin(lam) * x + math.cos(lam) * y
    north = -math.sin(p) * math.cos(lam) * x - math.sin(p) * math.sin(lam) * y + math.cos(p) * z
    up = math.cos(p) * math.cos(lam) * x + math.cos(p) * math.sin(lam) * y + math.sin(p) * z
    return east, north, up


def test_measurement_errors_are_as_stated(run: Path) -> None:
    """Target plots against the truth (1 s, linear between): errors of σ 50 m and 0.15°."""
    truth: dict[str, list[tuple[float, float, float, float]]] = {}
    for r in _rows(run / "truth.csv"):
        truth.setdefault(r["target"], []).append(
            (_seconds(r["time"]), float(r["lon"]), float(r["lat"]), float(r["alt_m"]))
        )
    plots = _rows(run / "plots.csv")
    dr, da = [], []
    for r in _rows(run / "truth_plots.csv"):
        if not r["target"]:
            continue
        track = np.array(truth[r["target"]])
        plot = plots[int(r["record"]) - 1]
        t = _seconds(plot["time"])
        lon, lat = (float(np.interp(t, track[:, 0], track[:, k])) for k in (1, 2))
        east, north, up = _enu(lat, lon, track[0, 3])
        dr.append(float(plot["range_m"]) - math.sqrt(east**2 + north**2 + up**2))
        da.append((float(plot["azimuth_deg"]) - math.degrees(math.atan2(east, north)) + 180) % 360)
    dr, da = np.array(dr) / 50.0, (np.array(da) - 180) / 0.15
    assert len(dr) == 2_939
    assert abs(dr.mean()) < 0.06 and abs(da.mean()) < 0.06
    assert 0.95 < dr.std() < 1.05 and 0.95 < da.std() < 1.05
    assert np.abs(dr).max() < 5 and np.abs(da).max() < 5


def test_truth_crossings_are_the_designed_ones(run: Path) -> None:
    rows = _rows(run / "truth_crossings.csv")
    assert list(rows[0]) == ["target", "time", "lon", "lat", "from", "to"]
    assert [(r["target"], r["from"], r["to"]) for r in rows] == [
        ("F01", "AZE", "IRN"),
        ("F02", "IRN", "AZE"),
        ("T01", "AZE", "IRN"),
        ("T02", "IRN", "AZE"),
        ("T03", "AZE", "IRN"),
        ("T03", "IRN", "AZE"),
        ("T05", "IRN", "AZE"),
        ("T08", "AZE", "IRN"),
        ("T09", "IRN", "AZE"),
    ]
    assert [r["time"] for r in rows if r["target"] == "T03"] == [
        "2025-06-16T04:20:36.655Z",
        "2025-06-16T04:33:59.909Z",
    ]


def test_psr_record_by_hand() -> None:
    """04:00:00 UTC, 10 NM, 90°: FSPEC F0, SAC/SIC, ToD 0x1C2000, TYP 001, RHO, THETA."""
    record = asterix_write.psr_plot(1, 17, 14_400 * 128, 2_560, 16_384)
    assert record.hex().upper() == "F001111C2000200A004000"
    block = asterix_write.data_block([record, record])
    assert block[:3] == bytes([48, 0, 25])
    decoded = pkg.parse(block, verbose=False)
    assert len(decoded) == 2
    assert decoded[0]["I140"]["ToD"]["val"] == 14_400.0
    assert decoded[0]["I040"]["RHO"]["val"] == 10.0
    assert decoded[0]["I040"]["THETA"]["val"] == 90.0
    with pytest.raises(ValueError, match="out of CAT048 range"):
        asterix_write.psr_plot(1, 17, 0, 1 << 16, 0)


def test_rounding_to_asterix_units() -> None:
    assert asterix_write.theta_units(np.array([359.999, 0.0027, 180.0])).tolist() == [0, 0, 32768]
    assert asterix_write.rho_units(np.array([1852.0, 7.0])).tolist() == [256, 1]
    assert asterix_write.tod_units(np.array([0.004, 1.0])).tolist() == [1, 128]
