"""Point labelling: airwitness's LabelIndex against geopandas, shapely, DuckDB and SedonaDB.

    python bench/label.py [--sets osm ne10m] [--regions box sphere] [--points 10000000]
                          [--seed 0] [--peer-points 1000000] [--source FILE] [--quick]

Labels N points with each built-in boundary set (``osm``, the default set, and
``ne10m``; every polygon) or a ``--source`` file (Parquet with a WKB ``geometry``
column), in each region: ``box``, uniform over the border-dense box 25–65 E, 20–50 N
(the Caucasus, Anatolia, the Middle East: the workload users have), and ``sphere``,
uniform on the sphere (70 % empty ocean). One table per set and region: each tool's
time, throughput, airwitness's throughput ratio to it, and how many of the points it
labelled got a different label from airwitness. Every tool runs on one
thread. Peers, slower by orders of magnitude, label a subsample (the first
--peer-points points; the table says how many): throughputs are compared, and
agreement is checked on the points each peer labelled.
Index building / data loading is timed separately from labelling.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from airwitness.airspace.boundaries import load_builtin
from airwitness.airspace.label_index import LabelIndex, reference_lookup
from bench._common import machine

BOX = (25.0, 20.0, 65.0, 50.0)  # lon/lat: border-dense (issue 15's measure)
PIECE_VERTICES = 64  # DuckDB's join is 60–90× faster on small pieces (DEPENDENCIES.md)


def sphere_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(-180.0, 180.0, n)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    return lon, lat


def box_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = BOX
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def load_geoms(path: Path) -> list[shapely.Geometry]:
    table = pq.read_table(path, columns=["geometry"])
    return list(shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False)))


def split_pieces(geoms: list[shapely.Geometry], max_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut polygons into pieces of at most max_vertices vertices (halving bounding boxes)."""
    parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    done_g, done_o = [], []
    while len(parts):
        small = shapely.get_num_coordinates(parts) <= max_vertices
        done_g.append(parts[small])
        done_o.append(owner[small])
        parts, owner = parts[~small], owner[~small]
        if not len(parts):
            break
        x0, y0, x1, y1 = shapely.bounds(parts).T
        wide = (x1 - x0) >= (y1 - y0)
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        a = _clip(parts, x0, y0, np.where(wide, xm, x1), np.where(wide, y1, ym))
        b = _clip(parts, np.where(wide, xm, x0), np.where(wide, y0, ym), x1, y1)
        halves = np.concatenate([a, b])
        owners = np.concatenate([owner, owner])
        pieces, idx = shapely.get_parts(halves, return_index=True)
        keep = (shapely.get_type_id(pieces) == 3) & (shapely.area(pieces) > 0)
        parts, owner = pieces[keep], owners[idx][keep]
    return np.concatenate(done_g), np.concatenate(done_o)


def _clip(parts, x0, y0, x1, y1):
    boxes = shapely.box(x0, y0, x1, y1)
    return shapely.intersection(parts, boxes)


# --------------------------------------------------------------------------- peers


def run_geopandas(geoms, lon, lat):
    import geopandas as gpd

    t0 = time.perf_counter()
    right = gpd.GeoDataFrame(geometry=geoms)
    t1 = time.perf_counter()
    left = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat))
    joined = gpd.sjoin(left, right, predicate="within", how="inner")
    out = np.full(len(lon), np.iinfo(np.int32).max, dtype=np.int64)
    np.minimum.at(out, joined.index.to_numpy(), joined["index_right"].to_numpy())
    t2 = time.perf_counter()
    return np.where(out == np.iinfo(np.int32).max, -1, out), t1 - t0, t2 - t1


def run_shapely(geoms, lon, lat):
    t0 = time.perf_counter()
    geoms = [shapely.from_wkb(shapely.to_wkb(g)) for g in geoms]  # fresh, unprepared copies
    shapely.prepare(geoms)
    t1 = time.perf_counter()
    out = reference_lookup(geoms, lon, lat)
    return out, t1 - t0, time.perf_counter() - t1


def spatial_extension() -> str:
    import duckdb_extension_spatial

    root = Path(duckdb_extension_spatial.__file__).parent
    found = sorted(root.glob("extensions/v*/spatial.duckdb_extension"))
    if not found:
        raise FileNotFoundError(f"no spatial.duckdb_extension under {root}")
    return str(found[-1])


def run_duckdb(geoms, lon, lat):
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.execute(f"LOAD '{spatial_extension()}'")
    pieces, owner = split_pieces(geoms, PIECE_VERTICES)
    polys = pa.table(
        {"gid": owner.astype(np.int32), "wkb": pa.array(shapely.to_wkb(pieces), pa.binary())}
    )
    con.register("polys_arrow", polys)
    con.execute("CREATE TABLE polys AS SELECT gid, ST_GeomFromWKB(wkb) AS geom FROM polys_arrow")
    pts = pa.table({"id": np.arange(len(lon), dtype=np.int64), "lon": lon, "lat": lat})
    con.register("pts_arrow", pts)
    con.execute("CREATE TABLE pts AS SELECT * FROM pts_arrow")
    t1 = time.perf_counter()
    res = con.execute("""
        SELECT p.id, min(g.gid) AS gid
        FROM pts p JOIN polys g ON ST_Contains(g.geom, ST_Point(p.lon, p.lat))
        GROUP BY p.id""").to_arrow_table()
    out = np.full(len(lon), -1, dtype=np.int64)
    out[res.column("id").to_numpy()] = res.column("gid").to_numpy()
    t2 = time.perf_counter()
    con.close()
    return out, t1 - t0, t2 - t1, len(pieces)


def run_sedonadb(geoms, lon, lat):
    import sedonadb

    t0 = time.perf_counter()
    sd = sedonadb.connect()
    sd.sql("SET datafusion.execution.target_partitions = 1").execute()
    sd.sql("SET sedona.spatial_join.spatial_library = 'geos'").execute()
    sd.sql("SET sedona.spatial_join.execution_mode = 'prepare_build'").execute()
    polys = pa.table(
        {
            "gid": np.arange(len(geoms), dtype=np.int32),
            "wkb": pa.array(shapely.to_wkb(geoms), pa.binary()),
        }
    )
    sd.create_data_frame(polys).to_view("polys_raw")
    sd.sql("SELECT gid, ST_GeomFromWKB(wkb) AS geom FROM polys_raw").to_memtable().to_view("polys")
    pts = pa.table({"id": np.arange(len(lon), dtype=np.int64), "lon": lon, "lat": lat})
    sd.create_data_frame(pts).to_view("pts")
    t1 = time.perf_counter()
    res = sd.sql("""
        SELECT p.id, min(g.gid) AS gid
        FROM pts p JOIN polys g ON ST_Contains(g.geom, ST_Point(p.lon, p.lat))
        GROUP BY p.id""").to_arrow_table()
    out = np.full(len(lon), -1, dtype=np.int64)
    out[res.column("id").to_numpy()] = res.column("gid").to_numpy()
    return out, t1 - t0, time.perf_counter() - t1


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--peer-points",
        type=int,
        default=1_000_000,
        help="how many of the points the peers label (the first ones)",
    )
    ap.add_argument("--quick", action="store_true", help="smoke test: 200,000 points")
    ap.add_argument("--sets", nargs="*", default=["osm", "ne10m"], choices=["osm", "ne10m"])
    ap.add_argument("--regions", nargs="*", default=["box", "sphere"], choices=["box", "sphere"])
    ap.add_argument(
        "--source", type=Path, help="a boundary file instead (Parquet, WKB 'geometry' column)"
    )
    ap.add_argument(
        "--skip", nargs="*", default=[], choices=["geopandas", "shapely", "duckdb", "sedonadb"]
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.points = min(args.points, 200_000)
        args.peer_points = min(args.peer_points, 50_000)
    print(f"machine: {machine()}")
    sets = (
        [(args.source.name, load_geoms(args.source))]
        if args.source
        else [(name, list(load_builtin(name).geoms)) for name in args.sets]
    )
    for name, geoms in sets:
        for region in args.regions:
            _run(name, geoms, region, args)
    return 0


def _run(name: str, geoms: list[shapely.Geometry], region: str, args: argparse.Namespace) -> None:
    n_vertices = int(shapely.get_num_coordinates(geoms).sum())
    where = {
        "box": f"uniform over {BOX[0]:g}–{BOX[2]:g} E, {BOX[1]:g}–{BOX[3]:g} N",
        "sphere": "uniform on the sphere",
    }[region]
    lon, lat = (box_points if region == "box" else sphere_points)(args.points, args.seed)
    print(
        f"\n## {name}, {region}: {len(geoms)} polygons, {n_vertices:,} vertices; "
        f"{args.points:,} points {where} (seed {args.seed}); one thread each"
    )

    t0 = time.perf_counter()
    index = LabelIndex.build(geoms)
    build_s = time.perf_counter() - t0
    index.lookup(lon[:1000], lat[:1000])  # JIT warm-up (numba cache)
    times = []
    for _ in range(3):  # a short run: take the median of three
        t0 = time.perf_counter()
        ours = index.lookup(lon, lat)
        times.append(time.perf_counter() - t0)
    query_s = float(np.median(times))
    ours_rate = args.points / query_s
    size_mb = len(index.to_bytes()) / 1e6
    print(
        f"airwitness index: built in {build_s:.2f} s, {size_mb:.1f} MB serialised, "
        f"{index.stats()['nbytes'] / 1e6:.0f} MB in memory"
    )

    rows = [
        (
            "airwitness",
            args.points,
            build_s,
            query_s,
            ours_rate,
            1.0,
            0,
            "LabelIndex.lookup, median of 3 runs",
        )
    ]
    peers = {
        "geopandas": (run_geopandas, args.peer_points, "sjoin within, raw polygons"),
        "shapely": (run_shapely, args.peer_points, "bbox + prepared contains_xy"),
        "duckdb": (run_duckdb, args.peer_points, f"pieces ≤ {PIECE_VERTICES} vertices"),
        "sedonadb": (run_sedonadb, args.peer_points, "geos, prepare_build"),
    }
    for name, (fn, n, note) in peers.items():
        if name in args.skip:
            continue
        n = min(n, args.points)
        try:
            result = fn(geoms, lon[:n], lat[:n])
        except Exception as exc:  # a peer failing must not hide the others' numbers
            rows.append(
                (
                    name,
                    n,
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    -1,
                    f"failed: {type(exc).__name__}: {exc}"[:80],
                )
            )
            continue
        labels, prep_s, run_s = result[:3]
        if name == "duckdb":
            note += f" ({result[3]:,} pieces)"
        rate = n / run_s
        disagree = int((np.asarray(labels) != ours[:n]).sum())
        rows.append((name, n, prep_s, run_s, rate, ours_rate / rate, disagree, note))

    print()
    head = (
        f"{'tool':<11} {'points':>11} {'build s':>8} {'query s':>9} {'points/s':>12} "
        f"{'aw ratio':>9} {'disagree':>9}  note"
    )
    print(head)
    print("-" * len(head))
    for name, n, prep_s, run_s, rate, ratio, dis, note in rows:
        print(
            f"{name:<11} {n:>11,} {prep_s:>8.2f} {run_s:>9.3f} {rate:>12,.0f} "
            f"{ratio:>8.1f}× {dis:>9,}  {note}"
        )
    print(
        "\naw ratio = airwitness points/s ÷ tool points/s; disagree = labels that differ "
        "from airwitness on the points that tool labelled."
    )


if __name__ == "__main__":
    sys.exit(main())
