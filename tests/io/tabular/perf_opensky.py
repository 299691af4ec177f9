"""Timing check (not a test): read a synthetic 1M-row OpenSky CSV.

Run: ``python tests/io/tabular/perf_opensky.py [ROWS]``. Prints the time taken; about
a third of the rows have no position, as in real OpenSky data.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from airwitness.io.tabular import opensky

HEADER = (
    "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
    "baroaltitude,geoaltitude,lastposupdate,lastcontact"
)


def synthetic(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    t = 1_589_155_200 + np.arange(rows) // 1000
    nopos = rng.random(rows) < 0.33
    lat = np.round(rng.uniform(35, 60, rows), 5).astype(str).astype(object)
    lon = np.round(rng.uniform(-10, 40, rows), 5).astype(str).astype(object)
    lat[nopos] = None
    lon[nopos] = None
    lastpos = np.round(t - rng.uniform(0, 2, rows), 3)
    table = pa.table(
        {
            "time": t,
            "icao24": np.char.mod("%06x", rng.integers(0, 1 << 24, rows)),
            "lat": pa.array(lat, pa.string()),
            "lon": pa.array(lon, pa.string()),
            "velocity": np.round(rng.uniform(50, 260, rows), 2),
            "heading": np.round(rng.uniform(0, 360, rows), 2),
            "vertrate": np.round(rng.normal(0, 3, rows), 2),
            "callsign": np.char.add(np.char.mod("ABC%04d", rng.integers(0, 9999, rows)), "  "),
            "onground": rng.random(rows) < 0.05,
            "alert": np.zeros(rows, bool),
            "spi": np.zeros(rows, bool),
            "squawk": np.char.mod("%04d", rng.integers(0, 7777, rows)),
            "baroaltitude": np.round(rng.uniform(0, 12000, rows), 2),
            "geoaltitude": np.round(rng.uniform(0, 12000, rows), 2),
            "lastposupdate": lastpos,
            "lastcontact": lastpos,
        }
    )
    pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="none"))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "states.csv"
        synthetic(path, rows)
        gz = path.with_suffix(".csv.gz")
        gz.write_bytes(gzip.compress(path.read_bytes(), compresslevel=1))
        for p in (path, gz):
            size = p.stat().st_size / 1e6
            start, cpu = time.perf_counter(), time.process_time()
            result = opensky.read(p)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(
                f"opensky.read {p.name}: {rows:,} rows ({size:.0f} MB) in {took:.2f} s "
                f"(CPU {cpu:.2f} s); {result.table.num_rows:,} positions, "
                f"{len(result.rejects):,} rejects {dict(result.reject_counts())}"
            )


if __name__ == "__main__":
    main()
