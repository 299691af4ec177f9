"""Fusion on the multi-sensor example (examples/fusion, scripts/generate_fusion.py):
associations against the generator's truth, corroborated and suspect crossings exact."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from airwitness.airspace import Airspace
from airwitness.io.options import ReadOptions
from airwitness.pipeline import CrossingsRun, run_crossings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fusion"
OPTIONS = ReadOptions(date=dt.date(2025, 6, 16), sensors=EXAMPLE / "sensors.csv")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def result() -> CrossingsRun:
    files = [EXAMPLE / "plots.ast", EXAMPLE / "adsb.csv"]
    return run_crossings(files, Airspace.builtin("osm"), options=OPTIONS)


@pytest.fixture(scope="module")
def truth_plots(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """Which object made each plot (record number of plots.ast), from the generator."""
    out = tmp_path_factory.mktemp("fusion")
    script = ROOT / "scripts" / "generate_fusion.py"
    subprocess.run([sys.executable, str(script), "-o", str(out)], check=True, capture_output=True)
    return {int(r["record"]): r["object"] for r in _rows(out / "truth_plots.csv")}


def _object_of_tracks(result: CrossingsRun, truth_plots: dict[int, str]) -> dict[str, str]:
    """Each track's object: by address for ADS-B and the SSR, by the plots its reports
    cite for the primary radar's tracks (the most common object among them)."""
    address = {
        r["track_id"]: r["object"]
        for r in _rows(EXAMPLE / "truth_association.csv")
        if r["identity"] == "address"
    }
    table = result.prepared.table
    ids = table["track_id"].to_pylist()
    records = table["source_record"].to_pylist()
    cited: dict[str, Counter[str]] = {}
    for t, rec in zip(ids, records, strict=True):
        if t not in address:
            cited.setdefault(t, Counter())[truth_plots.get(rec, "")] += 1
    return address | {t: c.most_common(1)[0][0] for t, c in cited.items()}


def _plain(result: CrossingsRun) -> list[dict]:
    """The crossings as dicts, without their nanosecond times (no pandas needed)."""
    return result.crossings.drop_columns(["time", "time_min", "time_max"]).to_pylist()


def test_associations_are_pure_and_complete(result: CrossingsRun, truth_plots) -> None:
    assert result.fusion is not None
    obj = _object_of_tracks(result, truth_plots)
    pairs = result.fusion.associations.drop_columns(["first", "last"]).to_pylist()
    # purity: every pair is of one object
    assert [(obj[p["track_id"]], obj[p["other_track_id"]]) for p in pairs] == [
        (obj[p["track_id"]],) * 2 for p in pairs
    ]
    # completeness: every object two sensors saw is associated, by the right method
    by_object = {obj[p["track_id"]]: p["method"] for p in pairs}
    assert by_object == {f"A0{k}": "identity" for k in range(1, 9)} | {"K01": "kinematic"}
    k01 = next(p for p in pairs if p["method"] == "kinematic")
    assert k01["other_track_id"] == "600b11" and k01["sensor"] == "asterix:1/17"
    assert k01["compared"] == k01["agreeing"] > 100 and k01["mean_z2"] < 1.0


def test_crossings_seen_by_two_sensors_are_corroborated(result: CrossingsRun) -> None:
    rows = _plain(result)
    honest = {"600a01", "730a02", "06a1d4", "1521a7", "600b11"}
    for r in rows:
        if r["track_id"] in honest or r["track_id"].startswith("asterix:1/18:"):
            assert (r["sensors"], r["suspect"]) == (2, False), r
            assert r["corroborated_by"] is not None
    pairs = {(r["track_id"], r["corroborated_by"], r["from"], r["to"]) for r in rows}
    for a in ("600a01", "730a02", "06a1d4", "1521a7"):
        radar = f"asterix:1/18:{a}"
        (a_from_to,) = [(f, t) for i, _, f, t in pairs if i == a]
        assert (a, radar, *a_from_to) in pairs and (radar, a, *a_from_to) in pairs
    # the drones: one sensor each, still crossings
    drones = [r for r in rows if r["track_id"].startswith("radar:") and r["sensors"] == 1]
    assert len(drones) == 9 and not any(r["suspect"] for r in drones)
    assert len(rows) == 21


def test_the_spoofed_aircraft_s_fake_crossings_are_suspect(result: CrossingsRun) -> None:
    rows = [r for r in _plain(result) if r["track_id"] == "896e15"]
    fakes = _rows(EXAMPLE / "fake_crossings.csv")
    assert [(r["from"], r["to"]) for r in rows] == [(f["from"], f["to"]) for f in fakes]
    for r in rows:
        assert r["suspect"] and r["sensors"] == 1 and r["corroborated_by"] is None
        assert r["suspect_reason"].startswith(
            "adsb positions depart from asterix:1/18:896e15 (asterix:1/18) by up to 35.1 km"
        )
        assert r["suspect_reason"].endswith("a GNSS spoofing signature")
    # the radar's track of the same aircraft crosses nothing
    assert "asterix:1/18:896e15" not in result.crossings["track_id"].to_pylist()
    # every displaced report is flagged; of the honest ones, at most the window's edge
    spoof = result.fusion.spoofing
    assert int(spoof.suspect.sum()) == 145 and len(spoof.reasons) == 1


def test_a_biased_secondary_radar_is_corrected_before_anything_is_decided(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The same scenario with the SSR reading 200 m long, turned 0.3° and its clock 1.5 s
    late: its biases are estimated from the airliners' ADS-B and taken out, and the
    crossings are those of the unbiased example — no honest aircraft contradicted (at
    0.3° an airliner 100 km out would be 520 m off its ADS-B, ten combined σ), A05
    still caught."""
    out = tmp_path_factory.mktemp("fusion_bias")
    script = ROOT / "scripts" / "generate_fusion.py"
    extra = ["--ssr-range-bias-m", "200", "--ssr-azimuth-bias-deg", "0.3"]
    extra += ["--ssr-time-bias-s", "1.5"]
    subprocess.run([sys.executable, str(script), "-o", str(out), *extra], check=True)
    options = ReadOptions(date=dt.date(2025, 6, 16), sensors=out / "sensors.csv")
    run = run_crossings(
        [out / "plots.ast", out / "adsb.csv"], Airspace.builtin("osm"), options=options
    )
    assert run.fusion is not None
    (bias,) = run.fusion.biases
    assert (bias.sensor, bias.tracks) == ("asterix:1/18", 8)
    assert (bias.applied_range, bias.applied_azimuth, bias.applied_time) == (True, True, True)
    assert bias.range_m == pytest.approx(200.0, abs=3.0)
    assert bias.azimuth_deg == pytest.approx(0.3, abs=0.02)
    assert bias.time_s == pytest.approx(1.5, abs=0.05)
    assert run.fusion.suspect_tracks() == {"896e15"}
    assert "radar bias asterix:1/18: range +" in "\n".join(run.summary.lines())
    keys = ["track_id", "from", "to", "sensors", "corroborated_by", "suspect"]
    example = run_crossings(
        [EXAMPLE / "plots.ast", EXAMPLE / "adsb.csv"], Airspace.builtin("osm"), options=OPTIONS
    )
    assert run.crossings.select(keys).to_pylist() == example.crossings.select(keys).to_pylist()
