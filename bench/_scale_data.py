"""The generated datasets of ``bench/crossings.py``, in each input format, and their read floors.

Each format is written by ``scripts/generate_traffic.py --format F`` (seed 0): the same
reports as canonical Parquet (``traffic-N-s0/``), as OpenSky's Trino Parquet
(``traffic-N-s0-opensky/``) and as its hourly CSV.gz dumps (``traffic-N-s0-opensky-csv/``).
A dataset already there is reused while its manifest matches (generator SHA-256,
reports, seed, format).

The read floor of a format is pyarrow alone reading, from the same files, the columns
airwitness needs from that format for the crossings (:data:`FLOOR_COLUMNS`), with all
cores: ``pyarrow.dataset`` for Parquet (``to_table`` when the columns fit in half of
``--memory``, else batch by batch), pyarrow's CSV reader (through ``pyarrow.dataset``,
which decompresses gzip by the files' extension) for CSV.gz, batch by batch, the columns'
types given (type inference would take an all-digit ICAO address for a number).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "generate_traffic.py"
GENERATOR_PARTS = (GENERATOR, ROOT / "scripts" / "traffic_opensky.py")
FORMATS = ("canonical", "opensky", "opensky-csv")
#: What the bench tables call each format
LABELS = {
    "canonical": "canonical Parquet (lz4, delta times)",
    "opensky": "OpenSky Parquet (snappy)",
    "opensky-csv": "OpenSky CSV.gz (hourly)",
}
#: The columns airwitness reads from each format for the crossings
#: (``airwitness.engine.partition.COLUMNS`` and what makes them).
FLOOR_COLUMNS = {
    "canonical": ["track_id", "time", "lon", "lat", "alt_m", "source_file", "source_record"],
    "opensky": ["time", "icao24", "lat", "lon", "baroaltitude", "geoaltitude", "lastposupdate"],
    "opensky-csv": ["time", "icao24", "lat", "lon", "baroaltitude", "geoaltitude", "lastposupdate"],
}
SUFFIXES = (".parquet", ".csv.gz")


def folder(data_dir: Path, reports: int, seed: int, format: str) -> Path:
    name = f"traffic-{reports}-s{seed}"
    return data_dir / (name if format == "canonical" else f"{name}-{format}")


def generator_sha256() -> str:
    """What ``generate_traffic.py`` records in its manifest: both scripts' bytes, hashed."""
    return hashlib.sha256(b"".join(p.read_bytes() for p in GENERATOR_PARTS)).hexdigest()


def dataset(reports: int, seed: int, data_dir: Path, jobs: int, format: str) -> Path:
    """The dataset of ``reports`` reports in ``format``, generated unless it is there."""
    out = folder(data_dir, reports, seed, format)
    manifest = out / "_generate_traffic.json"
    if manifest.exists():
        made = json.loads(manifest.read_text())
        same_script = made.get("generator_sha256") == generator_sha256()
        settings = made["settings"]
        same = settings["reports"] == reports and settings["seed"] == seed
        if same_script and same and settings.get("format", "canonical") == format:
            print(f"reusing {out}", flush=True)
            return out
    cmd = [sys.executable, str(GENERATOR), "--reports", str(reports), "--seed", str(seed)]
    cmd += ["-o", str(out), "--jobs", str(jobs), "--format", format]
    if out.exists():
        cmd.append("--overwrite")
    print(f"generating {reports:,} reports ({format}) into {out} …", flush=True)
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    dt = time.perf_counter() - t
    print(f"generated in {dt:.1f} s ({reports / dt * 60 / 1e6:.1f} M rows/min)", flush=True)
    return out


def files(data: Path) -> list[Path]:
    return sorted(p for p in data.rglob("*") if p.name.endswith(SUFFIXES))


def warm(data: Path) -> int:
    """Read every file once so every run starts from the same (warm) page cache."""
    size = 0
    for path in files(data):
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 24):
                size += len(chunk)
    return size


def read_floor(data: Path, memory: float, format: str) -> dict:
    """pyarrow alone reading the columns airwitness needs from ``data``."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.dataset as ds

    columns = FLOOR_COLUMNS[format]
    rows = 0
    if format == "opensky-csv":
        types = {c: pa.float64() for c in columns} | {"time": pa.int64(), "icao24": pa.string()}
        csv = ds.CsvFileFormat(convert_options=pcsv.ConvertOptions(column_types=types))
        dataset = ds.dataset([str(p) for p in files(data)], format=csv)
        for batch in dataset.to_batches(columns=columns):
            rows += batch.num_rows
        return {"rows": rows, "how": "csv to_batches"}
    dataset = ds.dataset(data, format="parquet")
    if dataset.count_rows() * (8 * 5 + 11 + 4) <= memory / 2:  # 8 bytes a number, ~11 a text
        rows = dataset.to_table(columns=columns).num_rows
        how = "to_table"
    else:
        for batch in dataset.to_batches(columns=columns):
            rows += batch.num_rows
        how = "to_batches"
    return {"rows": rows, "how": how}
