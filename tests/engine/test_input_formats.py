"""The same reports as canonical Parquet, OpenSky Parquet and OpenSky's hourly CSV.gz:
the same crossings from every format, on every engine.

The reports come from ``scripts/generate_traffic.py`` (seed 5), written in each
format. Within a format, every engine gives the in-memory result byte for byte
(the local engine in a small memory budget, so that files are read in many
batches and CSV chunks and tracks are spread over many partitions). Across
formats the crossings are the same tracks, segments, times, places, altitudes
and airspaces; only what says where each came from differs (each format names
its own files and rows) and the confidence (the default position error of the
source: generated reports 100 m, OpenSky 50 m).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from airwitness.engine import run_crossings_scaled
from airwitness.report.tables import write_csv

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_traffic.py"
N = 40_000
FORMATS = ("canonical", "opensky", "opensky-csv")
#: what the crossings say about where and when, the same from every format
WHERE = ["track_id", "segment", "time", "lon", "lat", "alt_m", "from", "to", "kind", "gap_s"]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for fmt in FORMATS:
        out[fmt] = tmp_path_factory.mktemp(f"traffic_{fmt}")
        cmd = [sys.executable, str(SCRIPT), "--reports", str(N), "--files", "3", "--seed", "5"]
        subprocess.run(
            [*cmd, "-o", str(out[fmt]), "--format", fmt], check=True, capture_output=True
        )
    return out


@pytest.fixture(scope="module")
def runs(datasets: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    spill = tmp_path_factory.mktemp("spill")
    out = {}
    for fmt, folder in datasets.items():
        out[fmt, "memory"] = run_crossings_scaled([str(folder)], engine="memory")
        out[fmt, "local"] = run_crossings_scaled(
            [str(folder)], engine="local", workers=1, memory_bytes=2e7, spill_dir=str(spill)
        )
    return out


def _csv_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    write_csv(table, buf)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_engine_gives_the_in_memory_result_byte_for_byte(runs: dict, fmt: str) -> None:
    memory, local = runs[fmt, "memory"], runs[fmt, "local"]
    assert local.plan is not None and local.plan.partitions >= 4  # tracks spread out
    assert local.plan.batch_rows <= 10_000  # files read in many batches
    assert _csv_bytes(local.crossings) == _csv_bytes(memory.crossings)
    assert local.summary == memory.summary
    assert memory.summary.records == N and memory.summary.reports + sum(
        memory.summary.rejects.values()
    ) == N  # fmt: skip


@pytest.mark.parametrize("fmt", ["opensky", "opensky-csv"])
@pytest.mark.parametrize("engine", ["memory", "local"])
def test_every_format_gives_the_same_crossings(runs: dict, fmt: str, engine: str) -> None:
    canonical = runs["canonical", "memory"].crossings
    assert canonical.num_rows >= 20  # drones loiter over borders: plenty to compare
    got = runs[fmt, engine].crossings
    assert _csv_bytes(got.select(WHERE)) == _csv_bytes(canonical.select(WHERE))
    assert runs[fmt, engine].summary.reports == runs["canonical", "memory"].summary.reports
    assert runs[fmt, engine].summary.rejects == runs["canonical", "memory"].summary.rejects
    suffix = ".csv.gz" if fmt == "opensky-csv" else ".parquet"
    files = {ref.rsplit(":", 1)[0] for ref in got["before"].to_pylist() + got["after"].to_pylist()}
    assert files and all(f.endswith(suffix) for f in files)  # each format names its own files
