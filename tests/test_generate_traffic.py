"""The scale generator: exact row count, the canonical schema, byte-identical reruns,
time-sorted files that split tracks, and border crossings that the pipeline finds."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from airwitness.airspace import INTL, Airspace
from airwitness.crossings import find_crossings
from airwitness.schema import POSITION_SCHEMA
from airwitness.tracks import prepare_tracks

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_traffic.py"
N = 50_000


def _generate(out: Path, *extra: str) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--reports", str(N), "--files", "4", "-o", str(out), *extra],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("gen_a"), tmp_path_factory.mktemp("gen_b")
    _generate(a, "--seed", "7")
    _generate(b, "--seed", "7", "--jobs", "2")  # parallel writing changes nothing
    return a, b


def _parts(out: Path) -> list[Path]:
    return sorted(out.glob("day=*/part-*.parquet"))


def test_exact_rows_schema_and_layout(runs: tuple[Path, Path]) -> None:
    out = runs[0]
    parts = _parts(out)
    assert len(parts) >= 4  # about 4 slices, plus flights landing after midnight
    manifest = json.loads((out / "_generate_traffic.json").read_text())
    assert sum(manifest["files"].values()) == N
    total = 0
    for path in parts:
        table = pq.read_table(path)
        assert table.schema.equals(POSITION_SCHEMA)  # no partition column inside files
        rel = path.relative_to(out).as_posix()
        assert rel.startswith("day=2025-06-1")
        assert manifest["files"][rel] == table.num_rows
        t = table["time"].cast(pa.int64()).to_numpy()
        assert (np.diff(t) >= 0).all()  # a feed: sorted by time
        day = rel.split("/")[0].removeprefix("day=")
        days = pc.strftime(table["time"], format="%Y-%m-%d").unique().to_pylist()
        assert days == [day]
        assert table["source_file"].unique().to_pylist() == [rel]
        assert table["source_record"].to_pylist() == list(range(1, table.num_rows + 1))
        total += table.num_rows
        column = pq.ParquetFile(path).metadata.row_group(0).column
        assert column(1).path_in_schema == "time"  # as airwitness writes the canonical table
        assert (column(1).compression, column(1).encodings) == (
            "LZ4",
            ("RLE", "DELTA_BINARY_PACKED"),
        )
    assert total == N
    assert ds.dataset(out, format="parquet").count_rows() == N  # the manifest is skipped


def test_byte_identical_for_a_seed(runs: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = runs
    names = [p.relative_to(a) for p in _parts(a)]
    assert names == [p.relative_to(b) for p in _parts(b)]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes()
    _generate(tmp_path, "--seed", "8")
    assert (tmp_path / names[0]).read_bytes() != (a / names[0]).read_bytes()


def test_tracks_span_files_and_look_like_traffic(runs: tuple[Path, Path]) -> None:
    files_per_track = Counter()
    for path in _parts(runs[0]):
        for tid in pq.read_table(path, columns=["track_id"])["track_id"].unique().to_pylist():
            files_per_track[tid] += 1
    assert max(files_per_track.values()) >= 2
    table = ds.dataset(runs[0], format="parquet").to_table()
    assert all(len(t) == 6 and int(t, 16) >= 0 for t in files_per_track)
    assert set(table["alt_kind"].unique().to_pylist()) == {"baro", "geo"}  # airliners, drones
    speed = table["ground_speed_mps"].drop_null().to_numpy()
    assert 150 < np.median(speed) < 260 and speed.max() < 300
    assert table["alt_m"].drop_null().to_numpy().max() < 13_000


def test_border_crossings_come_out(runs: tuple[Path, Path]) -> None:
    table = ds.dataset(runs[0], format="parquet").to_table()
    prepared = prepare_tracks(table)
    crossings = find_crossings(prepared.table, Airspace.builtin())
    pairs = Counter(zip(crossings["from"].to_pylist(), crossings["to"].to_pylist(), strict=True))
    land = {p: n for p, n in pairs.items() if INTL not in p}
    assert sum(land.values()) >= 5
    # Drones loiter over borders: the same border is crossed both ways, again and again.
    assert any(n >= 3 and pairs.get((b, a), 0) >= 3 for (a, b), n in land.items())


@pytest.fixture(scope="module")
def opensky_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same seed in the three formats."""
    out = {}
    for fmt in ("canonical", "opensky", "opensky-csv"):
        out[fmt] = tmp_path_factory.mktemp(f"gen_{fmt}")
        _generate(out[fmt], "--seed", "7", "--format", fmt)
    return out


def _reports(folder: Path) -> pa.Table:
    """What airwitness reads from a dataset: the reports' values, sorted by track and time."""
    from airwitness.engine.chunks import read_whole
    from airwitness.engine.run import inspect
    from airwitness.schema import concat

    files, _ = inspect(str(folder), None)
    table = concat([read_whole(f, None).table for f in files])
    names = ["track_id", "time", "lon", "lat", "alt_m", "ground_speed_mps", "track_deg"]
    table = table.select([*names, "vrate_mps", "callsign"])
    table = table.set_column(0, "track_id", table["track_id"].cast(pa.string()))
    return table.sort_by([("track_id", "ascending"), ("time", "ascending")])


def test_opensky_layouts_hold_the_same_reports(opensky_runs: dict[str, Path]) -> None:
    """OpenSky's Parquet (its database's columns, snappy, the same files and row groups)
    and its hourly CSV.gz dumps give airwitness exactly the canonical reports."""
    canonical = _reports(opensky_runs["canonical"])
    assert canonical.num_rows == N
    for fmt in ("opensky", "opensky-csv"):
        assert _reports(opensky_runs[fmt]).equals(canonical), fmt

    parquet = sorted(
        p.relative_to(opensky_runs["opensky"]) for p in _parts(opensky_runs["opensky"])
    )
    assert parquet == [
        p.relative_to(opensky_runs["canonical"]) for p in _parts(opensky_runs["canonical"])
    ]
    meta = pq.ParquetFile(opensky_runs["opensky"] / parquet[0]).metadata
    assert meta.row_group(0).column(0).compression == "SNAPPY"
    first = pq.read_table(opensky_runs["opensky"] / parquet[0]).slice(0, 1).to_pylist()[0]
    assert list(first) == [
        "time", "icao24", "lat", "lon", "velocity", "heading", "vertrate", "callsign",
        "onground", "alert", "spi", "squawk", "baroaltitude", "geoaltitude",
        "lastposupdate", "lastcontact", "hour",
    ]  # fmt: skip
    assert first["time"] == -(-round(first["lastposupdate"] * 1000) // 1000)  # the next second
    assert first["hour"] == first["time"] // 3600 * 3600

    hourly = sorted(opensky_runs["opensky-csv"].rglob("*.csv.gz"))
    assert len(hourly) >= 12  # a day of departures, hours without a report have no file
    for path in hourly:
        day, hour = path.parent.parent.name, path.parent.name
        assert path.name == f"states_{day}-{hour}.csv.gz"
    text = gzip.decompress(hourly[0].read_bytes()).decode().splitlines()
    assert text[0] == (
        "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
        "baroaltitude,geoaltitude,lastposupdate,lastcontact"
    )
    manifest = json.loads((opensky_runs["opensky-csv"] / "_generate_traffic.json").read_text())
    assert sum(manifest["files"].values()) == N and manifest["format"] == "opensky-csv"


def test_opensky_csv_is_byte_identical_for_a_seed(
    opensky_runs: dict[str, Path], tmp_path: Path
) -> None:
    _generate(tmp_path, "--seed", "7", "--format", "opensky-csv", "--jobs", "2")
    for path in sorted(opensky_runs["opensky-csv"].rglob("*.csv.gz")):
        again = tmp_path / path.relative_to(opensky_runs["opensky-csv"])
        assert again.read_bytes() == path.read_bytes()
