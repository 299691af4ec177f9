"""Store throughput: `airwitness.store.ingest` and `load` against plain DuckDB.

    python bench/store_ingest.py [--sizes 1000000,10000000] [--dir DIR] [--keep]

For each size N, writes a plain CSV (docs/formats.md) of N generated position
reports with every column filled (1,000-point tracks, random-walk positions,
every 1,000th line a bad time, so rejects are stored too), then:

- ingest: `ingest([csv], fresh_store)` end to end, split into the reader
  (`airwitness.io.read`, the same for any caller), hashing, and the store's own
  part (the per-file transaction: provenance row, reports, rejects, commit);
- peer for the store part: plain DuckDB inserting the reader's Arrow table as
  is (`CREATE TABLE … AS SELECT * FROM arrow`, one statement, no constraints)
  into a fresh database file — the floor for getting those rows on disk;
- load: `load(store)` back to the canonical Arrow table, against plain DuckDB
  `SELECT * FROM reports` to Arrow on the same store.

Prints one table; ratio = airwitness throughput / peer throughput.
The machine is shared: figures vary by ±20 % from run to run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from airwitness import store
from airwitness.io import read
from airwitness.store import ingestion
from bench._common import machine

CHUNK = 1_000_000
TRACK_POINTS = 1_000
BAD_EVERY = 1_000


def write_csv(path: Path, n: int, seed: int = 0) -> None:
    """N reports in chunks (memory bounded): 1,000-point tracks, all columns filled."""
    rng = np.random.default_rng(seed)
    schema = _csv_schema()
    with pacsv.CSVWriter(
        path, schema, write_options=pacsv.WriteOptions(quoting_style="none")
    ) as out:
        for start in range(0, n, CHUNK):
            i = np.arange(start, min(n, start + CHUNK))
            track = i // TRACK_POINTS
            k = len(i)
            seconds = 1_749_787_506 + (track % 86_400) + (i % TRACK_POINTS) * 5
            times = pc.binary_join_element_wise(
                pa.array(seconds).cast(pa.string()),
                pa.array(i % 10).cast(pa.string()),
                ".",
            )
            times = pc.if_else(pa.array(i % BAD_EVERY == 7), pa.scalar("bad"), times)
            batch = pa.table(
                {
                    "track_id": pc.binary_join_element_wise(
                        "T", pa.array(track).cast(pa.string()), ""
                    ),
                    "time": times,
                    "lat": np.round(40 + np.cumsum(rng.normal(0, 1e-3, k)) % 10, 6),
                    "lon": np.round(20 + np.cumsum(rng.normal(0, 1e-3, k)) % 20, 6),
                    "alt_m": np.round(rng.uniform(0, 12_000, k), 1),
                    "alt_kind": np.where(i % 3 == 0, "geo", "baro"),
                    "ground_speed_mps": np.round(rng.uniform(0, 300, k), 2),
                    "track_deg": np.round(rng.uniform(0, 360, k), 1),
                    "vrate_mps": np.round(rng.normal(0, 5, k), 2),
                    "callsign": pc.binary_join_element_wise(
                        "AWX", pa.array(track % 5000).cast(pa.string()), ""
                    ),
                },
                schema=schema,
            )
            out.write_table(batch)


def _csv_schema() -> pa.Schema:
    return pa.schema(
        [
            ("track_id", pa.string()),
            ("time", pa.string()),
            ("lat", pa.float64()),
            ("lon", pa.float64()),
            ("alt_m", pa.float64()),
            ("alt_kind", pa.string()),
            ("ground_speed_mps", pa.float64()),
            ("track_deg", pa.float64()),
            ("vrate_mps", pa.float64()),
            ("callsign", pa.string()),
        ]
    )


class Timed:
    """Wraps a function and adds up the wall time spent in it."""

    def __init__(self, fn):
        self.fn = fn
        self.seconds = 0.0

    def __call__(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - t0


def run(n: int, work: Path) -> list[tuple[str, ...]]:
    csv = work / f"reports_{n}.csv"
    t0 = time.perf_counter()
    write_csv(csv, n)
    print(
        f"  generated {csv.stat().st_size / 1e6:.0f} MB CSV in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )

    # ingest, with its parts timed from inside
    db = work / f"store_{n}.duckdb"
    parts = {name: Timed(getattr(ingestion, name)) for name in ("_sha256", "_insert")}
    reader = Timed(ingestion.readers.read)
    originals = {name: getattr(ingestion, name) for name in parts}
    for name, timed in parts.items():
        setattr(ingestion, name, timed)
    ingestion.readers.read = reader
    try:
        t0 = time.perf_counter()
        (result,) = store.ingest([csv], db)
        ingest_s = time.perf_counter() - t0
    finally:
        for name, fn in originals.items():
            setattr(ingestion, name, fn)
        ingestion.readers.read = reader.fn
    assert result.status == "stored", result.message
    reports = result.reports
    rejects = sum(result.rejects.values())
    insert_s = parts["_insert"].seconds
    size_mb = db.stat().st_size / 1e6

    # peer: plain DuckDB writes the reader's table as is
    table = read(csv).table
    peer_db = work / f"peer_{n}.duckdb"
    con = duckdb.connect(str(peer_db))
    t0 = time.perf_counter()
    con.register("arrow_reports", table)
    con.execute("CREATE TABLE reports AS SELECT * FROM arrow_reports")
    peer_insert_s = time.perf_counter() - t0
    con.close()
    del table

    # load, and the peer: plain SELECT * to Arrow from the same store
    t0 = time.perf_counter()
    inputs = store.load(db)
    load_s = time.perf_counter() - t0
    assert inputs.table.num_rows == reports
    del inputs
    con = duckdb.connect(str(db), read_only=True)
    t0 = time.perf_counter()
    raw = con.execute("SELECT * FROM reports").to_arrow_table()
    peer_load_s = time.perf_counter() - t0
    con.close()
    assert raw.num_rows == reports
    del raw

    def rate(seconds: float) -> str:
        return f"{reports / seconds / 1e6:.2f} M/s"

    return [
        (f"{n:,}", "ingest end to end", f"{ingest_s:.2f}", rate(ingest_s), "", ""),
        ("", "  reader (io.read)", f"{reader.seconds:.2f}", rate(reader.seconds), "", ""),
        ("", "  SHA-256 (twice)", f"{parts['_sha256'].seconds:.2f}", "", "", ""),
        (
            "",
            f"  store insert ({rejects:,} rejects too)",
            f"{insert_s:.2f}",
            rate(insert_s),
            rate(peer_insert_s),
            f"{peer_insert_s / insert_s:.2f}",
        ),
        (
            "",
            "load → canonical table",
            f"{load_s:.2f}",
            rate(load_s),
            rate(peer_load_s),
            f"{peer_load_s / load_s:.2f}",
        ),
        ("", "store size", f"{size_mb:.0f} MB", f"{size_mb * 1e6 / reports:.1f} B/report", "", ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated report counts")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="aw-store-bench-", dir=args.dir))
    rows = []
    try:
        for n in sizes:
            print(f"N = {n:,}", file=sys.stderr)
            rows += run(n, work)
    finally:
        if not args.keep:
            shutil.rmtree(work)
    header = ("reports", "step", "seconds", "airwitness", "plain DuckDB", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(machine(f"DuckDB {duckdb.__version__}", f"pyarrow {pa.__version__}"))
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
