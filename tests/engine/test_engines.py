"""Every engine gives the in-memory result, byte for byte.

Inputs: a seeded generator of OpenSky state vectors over central Europe (many
land borders; gaps, outliers, duplicates, rows without position), written as
hive-partitioned Parquet with small row groups, as an OpenSky CSV, and as
canonical Parquet; a hand-built track whose reports alternate between two
files; and the real examples. Tracks are interleaved in time, so each one
spans files, row groups, batches and CSV chunks.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import shutil
from collections import namedtuple
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from airwitness import io as readers
from airwitness.engine import run_crossings_scaled
from airwitness.engine.chunks import Unit, read_unit
from airwitness.engine.partition import COLUMNS
from airwitness.engine.sources import detect, expand
from airwitness.engine.spill import Piece, SpillWriter, partition_of, read_pieces
from airwitness.engine.spill_removal import wait_for_removals
from airwitness.errors import InputError, SpillError
from airwitness.pipeline import run_crossings
from airwitness.report.tables import write_csv
from airwitness.schema import concat
from airwitness.times import rows_ns

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [
    *(
        ROOT / "examples" / "caucasus" / n
        for n in ("opensky_states.csv", "drones.gpx", "helicopter.kml")
    ),
    *sorted((ROOT / "examples" / "traffic").glob("*.json.gz")),
]
R = 6_371_008.8
T_START = 1_749_772_800  # 2025-06-13T00:00:00Z


def generate(n_reports: int, seed: int) -> pa.Table:
    """OpenSky state vectors sorted by time: great circles at 40–240 m/s, every 6–14 s."""
    rng = np.random.default_rng(seed)
    n_tracks = max(1, n_reports // 300)
    counts = rng.integers(150, 450, n_tracks)
    counts = np.maximum(2, (counts * n_reports / counts.sum()).astype(np.int64))
    counts[-1] += n_reports - counts.sum()
    track = np.repeat(np.arange(n_tracks), counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    k = np.arange(len(track)) - first[track]
    start = T_START + rng.uniform(0, 86_400, n_tracks)
    step = 10.0 * rng.uniform(0.6, 1.4, len(track))
    gap = rng.random(len(track)) < 0.002
    step[gap] += rng.choice([300.0, 2_400.0], gap.sum())  # an inferred crossing, or a split
    step[first] = 0.0
    c = np.cumsum(step)
    t = start[track] + c - np.repeat(c[first], counts)
    lon0, lat0 = rng.uniform(4.0, 28.0, n_tracks), rng.uniform(43.0, 54.0, n_tracks)
    b = np.radians(rng.uniform(0, 360, n_tracks))[track]
    d = rng.uniform(40.0, 240.0, n_tracks)[track] * (t - start[track]) / R
    la0, lo0 = np.radians(lat0[track]), np.radians(lon0[track])
    lat = np.arcsin(np.sin(la0) * np.cos(d) + np.cos(la0) * np.sin(d) * np.cos(b))
    lon = lo0 + np.arctan2(
        np.sin(b) * np.sin(d) * np.cos(la0), np.cos(d) - np.sin(la0) * np.sin(lat)
    )
    lat = np.degrees(lat) + np.where((rng.random(len(track)) < 0.001) & (k > 0), 1.0, 0.0)
    lon = (np.degrees(lon) + 180.0) % 360.0 - 180.0
    lat[rng.random(len(track)) < 0.005] = np.nan  # no position: a benign reject
    icao = rng.choice(0xFFFFFF, n_tracks, replace=False)
    alt = np.round(rng.uniform(300, 11_000, n_tracks)[track] + 10 * k, 2)
    table = pa.table(
        {
            "time": np.ceil(t).astype(np.int64),
            "icao24": np.array([f"{v:06x}" for v in icao])[track],
            "lat": pa.array(np.round(lat, 5), from_pandas=True),
            "lon": np.round(lon, 5),
            "velocity": np.full(len(track), 200.0),
            "callsign": np.array([f"TST{v % 10000:04d}  " for v in icao])[track],
            "baroaltitude": alt,
            "lastposupdate": np.round(t, 3),
        }
    )
    rows = np.concatenate([np.arange(len(track)), np.flatnonzero(rng.random(len(track)) < 0.002)])
    table = table.take(np.sort(rows))  # exact duplicates
    return table.take(np.argsort(table["lastposupdate"].to_numpy(), kind="stable"))


def _csv_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    write_csv(table, buf)
    return buf.getvalue()


def _hand_track(folder: Path) -> list[Path]:
    """One track from Germany into Poland whose reports alternate between two files."""
    lon = np.linspace(14.2, 15.6, 40)  # crosses the Oder–Neisse border near 14.6–15.0 E
    lat = np.full(40, 52.0)
    t = T_START + 3600 + 10 * np.arange(40)
    paths = []
    for part in (0, 1):
        sel = np.arange(part, 40, 2)
        table = pa.table(
            {
                "track_id": ["HAND-1"] * len(sel),
                "time": [f"{int(x)}" for x in t[sel]],
                "lat": lat[sel],
                "lon": lon[sel],
                "alt_m": np.full(len(sel), 500.0),
            }
        )
        path = folder / f"hand-{part}.csv"
        pacsv.write_csv(table, path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("engines")
    states = generate(160_000, seed=5)
    n = states.num_rows
    cut = [0, n * 2 // 5, n * 4 // 5, n]
    for i in range(2):  # hive folders, row groups far smaller than a track
        folder = root / "states" / "date=2025-06-13" / f"hour={i}"
        folder.mkdir(parents=True)
        pq.write_table(
            states.slice(cut[i], cut[i + 1] - cut[i]),
            folder / "part-0.parquet",
            row_group_size=9_000,
        )
    (root / "states" / "_SUCCESS").write_text("")  # skipped, as pyarrow.dataset does
    pacsv.write_csv(states.slice(cut[2]), root / "states-tail.csv")  # same tracks, as CSV
    other = readers.read(_parquet_bytes(generate(40_000, seed=6)), format="opensky")
    canonical = root / "canonical"
    canonical.mkdir()
    for i, part in enumerate((other.table.slice(0, 20_000), other.table.slice(20_000))):
        pq.write_table(part, canonical / f"part-{i}.parquet", row_group_size=7_000)
    hand = _hand_track(root)
    return [
        str(root / "states"),
        str(root / "states-tail.csv"),
        str(root / "canonical" / "*.parquet"),
        *map(str, hand),
        *map(str, EXAMPLES),
    ]


def _parquet_bytes(table: pa.Table) -> Path:
    path = Path(__import__("tempfile").mkdtemp()) / "gen.parquet"
    pq.write_table(table, path)
    return path


@pytest.fixture(scope="module")
def in_memory(inputs):
    return run_crossings_scaled(inputs, engine="memory")


def test_memory_engine_is_the_pipeline(inputs, in_memory):
    """Where airwitness.io reads every file, the memory engine is run_crossings itself."""
    files = expand(inputs[1:2] + inputs[3:])  # the CSV of states, the hand track, the examples
    reference = run_crossings(files, _builtin())
    mine = run_crossings_scaled(files, engine="memory")
    assert _csv_bytes(mine.crossings) == _csv_bytes(reference.crossings)
    assert mine.summary == reference.summary
    assert in_memory.crossings.num_rows > 1_000
    hand = in_memory.crossings.filter(pa.compute.equal(in_memory.crossings["track_id"], "HAND-1"))
    assert [(r["from"], r["to"]) for r in rows_ns(hand)] == [("DEU", "POL")]


def _builtin():
    from airwitness.airspace import Airspace

    return Airspace.builtin()


def test_a_named_set_reaches_every_worker(inputs):
    """``airspace="ne10m"`` opens Natural Earth's set in the workers too, and gives the
    in-memory pipeline's crossings against that set, not the default one's."""
    from airwitness.airspace import Airspace

    files = expand(inputs[1:2] + inputs[3:])
    reference = run_crossings(files, Airspace.builtin("ne10m"))
    run = run_crossings_scaled(files, "ne10m", engine="local", workers=2, memory_bytes=1.9e9)
    assert _csv_bytes(run.crossings) == _csv_bytes(reference.crossings)
    default = run_crossings_scaled(files, engine="memory")
    assert run.crossings.num_rows != default.crossings.num_rows  # the sets disagree here


def test_streaming_in_tiny_memory_on_a_full_disk(inputs, in_memory, tmp_path, monkeypatch):
    """A disk without room for the plain spill: ``auto`` compresses it."""
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 10**6, 10**6))
    run = run_crossings_scaled(
        inputs, engine="local", workers=1, memory_bytes=2e7, spill_dir=str(tmp_path)
    )
    assert run.plan.partitions >= 20 and run.plan.batch_rows <= 20_000
    assert run.plan.spill_codec == "lz4"
    wait_for_removals()
    assert os.listdir(tmp_path) == []  # the spill is gone
    assert _csv_bytes(run.crossings) == _csv_bytes(in_memory.crossings)
    assert run.summary == in_memory.summary
    assert run.files == in_memory.files


Usage = namedtuple("Usage", "total used free")


@pytest.mark.parametrize(
    ("compression", "says"),
    [
        ("none", r"about 0.0058 GB there, half as much compressed; compress it "
                 r"\(--spill-compression lz4\) or give a folder with more \(--spill-dir"),
        ("lz4", r"about 0.0029 GB there, compressed; give a folder with more \(--spill-dir"),
    ],
)  # fmt: skip
def test_a_full_disk_says_how_much_room_the_spill_needs(inputs, monkeypatch, compression, says):
    from airwitness.engine import spill_io

    def full(self, arrays):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spill_io.Sink, "write", full)
    with pytest.raises(SpillError, match=r"ran out of room \(No space left on device\): "
                       r"these inputs need " + says):  # fmt: skip
        run_crossings_scaled(inputs[:2], engine="local", workers=1, spill_compression=compression)


def test_local_two_workers(inputs, in_memory):
    run = run_crossings_scaled(inputs, engine="local", workers=2, memory_bytes=1.9e9)
    assert run.plan.workers == 2 and run.plan.partitions >= 2
    assert run.plan.spill_codec is None  # room on the disk: plain
    assert _csv_bytes(run.crossings) == _csv_bytes(in_memory.crossings)
    assert run.summary == in_memory.summary


def test_dask_local_cluster_of_two(inputs, in_memory):
    run = run_crossings_scaled(inputs, engine="dask", workers=2)
    assert run.plan.workers == 2 and run.plan.partitions >= 2
    assert _csv_bytes(run.crossings) == _csv_bytes(in_memory.crossings)
    assert run.summary == in_memory.summary


def test_partitions_split_again_and_rejects_kept(inputs, in_memory, monkeypatch):
    """A wrong size estimate (one partition for everything) is repaired by re-splitting."""
    from airwitness.engine import run as run_module

    monkeypatch.setattr(run_module, "estimated_rows", lambda f: 1)
    files = [inputs[0], inputs[3], inputs[4]]
    told: list[tuple[str, int, int]] = []
    run = run_crossings_scaled(
        files,
        engine="local",
        workers=1,
        memory_bytes=2e7,
        keep_rejects=True,
        progress=lambda *step: told.append(step),
        spill_compression="lz4",  # the partitions cut again are compressed too
    )
    reference = run_crossings_scaled(files, engine="memory", keep_rejects=True)
    assert run.plan.partitions == 1 and run.partitions > 4
    assert run.plan.spill_codec == "lz4"
    # progress: each stage from 0 to its total, in order, counting up (the reports of
    # OpenSky files and of CSV files that name no sensor are sketched for fusion first)
    assert list(dict.fromkeys(stage for stage, _, _ in told)) == [
        "sketching",
        "reading",
        "splitting",
        "crossing",
    ]
    for stage in ("sketching", "reading", "splitting", "crossing"):
        steps = [(done, total) for s, done, total in told if s == stage]
        total = steps[0][1]
        assert steps[0] == (0, total) and steps[-1] == (total, total)
        assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert [t for s, _, t in told if s == "crossing"][-1] == run.partitions
    assert _csv_bytes(run.crossings) == _csv_bytes(reference.crossings)
    assert run.summary == reference.summary
    assert run.rejects == reference.rejects and len(run.rejects) > 1_000


# --- the pieces, exactly -------------------------------------------------------

MESSY_CSV = (
    b"\xef\xbb\xbf\n"
    b"time,icao24,lat,lon,callsign,baroaltitude\n"
    b"1749788410,600a1c,40.1,50.0,AHY71,1000\n"
    b"\n"
    b'1749788420,600a1c,40.2,50.1,"AHY\n71",1010\n'
    b"1749788430,600a1c,,50.2,AHY71,1020\n"
    b"1749788440,600a1c,40.4,50.3\n"
    b"1749788450,600a1c,40.5,50.4,AHY71,x\n"
) + b"".join(b"17497885%02d,4ca123,41.%d,51.0,,\n" % (i, i) for i in range(60))


@pytest.mark.parametrize("gz", [False, True])
def test_csv_chunks_equal_the_whole_file(tmp_path, gz):
    """Blank lines, a quoted line break, bad rows and a BOM, cut into 64-byte chunks."""
    path = tmp_path / ("messy.csv.gz" if gz else "messy.csv")
    path.write_bytes(gzip.compress(MESSY_CSV) if gz else MESSY_CSV)
    whole = readers.read(str(path))
    f = detect(str(path))
    assert f.container == "csv" and f.format == "opensky"
    parts = list(read_unit(Unit(f), batch_rows=10, chunk_bytes=64, options=None))
    assert len(parts) > 10
    # plain chunks are parsed typed (the crossings' columns only, text as dictionaries),
    # the others (quotes, blank lines, bad rows) through the reader
    typed = [p for p in parts if pa.types.is_dictionary(p.table.schema.field("track_id").type)]
    assert 0 < len(typed) < len(parts)
    names = [n for n in whole.table.column_names if n in {*COLUMNS, "source"}]
    got = pa.concat_tables([_as_read(p.table.select(names), whole.table) for p in parts])
    assert got.equals(whole.table.select(names))
    assert sorted(r for p in parts for r in p.rejects) == sorted(whole.rejects)
    assert sum(p.records for p in parts) == whole.records


EDGY_CSV = (
    b"time,icao24,lat,lon,velocity,heading,vertrate,callsign,baroaltitude,geoaltitude,"
    b"lastposupdate\r\n"
    b"1749788410,600A1C,40.1,50.0,200,90,0,AHY71   ,1000,1050,1749788409.123456789\r\n"
    b"1749788420, 600a1c ,40.2,50.1,nan,90,0,AHY71   ,,1060,1749788419.5\r\n"
    b"1749788430,600a1c,40.3,50.2,inf,90,0,AHY71   ,1020,,\r\n"
    b"1749788440,,40.4,50.3,200,90,0,AHY71   ,1030,1080,1749788439\r\n"
    b"1749788450,600a1c,,50.4,200,90,0,AHY71   ,1040,1090,1749788449.25\r\n"
    b"17497884,600a1c,40.6,50.5,200,90,0,AHY71   ,1050,1100,\r\n"
    b"1749788470,600a1c,95.0,50.6,200,-inf,0,,NaN,1110,1749788469.000001\r\n"
    b"1749788480,600a1c,40.8,50.7,200,90,0,,1070,1120,1749788479.0000001\r\n"
)


@pytest.mark.parametrize("gz", [False, True])
def test_typed_csv_chunks_equal_the_whole_file(tmp_path, gz):
    """Plain lines with every value the text path treats specially (upper case and padded
    addresses, nan, infinities, empty cells, times out of range, CRLF, position times with
    nine decimals): parsed typed, the same rows, values and rejects as the reader."""
    path = tmp_path / ("edgy.csv.gz" if gz else "edgy.csv")
    path.write_bytes(gzip.compress(EDGY_CSV) if gz else EDGY_CSV)
    whole = readers.read(str(path))
    assert whole.table.num_rows == 3 and len(whole.rejects) == 5
    f = detect(str(path))
    parts = list(read_unit(Unit(f), batch_rows=10, chunk_bytes=1 << 20, options=None))
    assert len(parts) == 1 and pa.types.is_dictionary(parts[0].table["track_id"].type)
    got = parts[0].table
    assert _as_read(got, whole.table).equals(whole.table.select(got.column_names))
    assert parts[0].rejects == whole.rejects
    assert got["time"].cast(pa.int64()).to_pylist()[0] == 1749788409_123456789


def _as_read(table: pa.Table, like: pa.Table) -> pa.Table:
    """``table``'s columns typed as in ``like`` (the engines keep text as dictionaries)."""
    schema = like.select(table.column_names).schema
    return pa.Table.from_arrays([table[f.name].cast(f.type) for f in schema], schema=schema)


def test_parquet_batches_equal_the_whole_file(tmp_path):
    """The engines read a tabular Parquet file's batches through its reader's conversion,
    with only the columns the crossings need: the same values and rejects as the whole
    file read by airwitness.io."""
    path = tmp_path / "states.parquet"
    pq.write_table(generate(3_000, seed=2), path, row_group_size=500)
    whole = readers.read(str(path))
    f = detect(str(path))
    parts = list(read_unit(Unit(f, tuple(range(len(f.row_groups)))), 77, 0, None))
    got = concat([p.table for p in parts])
    assert set(got.column_names) == {*COLUMNS, "source"}
    assert pa.types.is_dictionary(got.schema.field("track_id").type)
    assert _as_read(got, whole.table).equals(whole.table.select(got.column_names))
    assert sorted(r for p in parts for r in p.rejects) == sorted(whole.rejects)


def test_track_hash_is_stable_and_partitions_keep_tracks_whole(tmp_path):
    ids = ["4ca123", "600a1c", "HAND-1", "4ca123"]
    assert [partition_of(v, 7) for v in ids] == [_blake(v) % 7 for v in ids]
    assert partition_of("4ca123", 1 << 64) == 0x300E993C09C47D4A  # the same on every machine
    table = readers.read(_parquet_bytes(generate(5_000, seed=3)), format="opensky").table
    writer = SpillWriter(str(tmp_path / "spill.arrow"), 7)
    for start in range(0, table.num_rows, 999):  # the same track arrives in many batches
        writer.write(table.slice(start, 999))
    pieces = writer.close()
    seen: dict[str, int] = {}
    for p, piece in enumerate(pieces):
        for tid in set(read_pieces([piece])["track_id"].to_pylist()):
            assert seen.setdefault(tid, p) == p
    assert sum(piece.rows for piece in pieces) == table.num_rows
    assert read_pieces([Piece(pieces[0].path, [], [])]).num_rows == 0


def test_spill_round_trip_keeps_what_the_crossings_need(tmp_path):
    """Two units share tracks in another order; a partition read back has each
    row once, sorted distinct dictionaries, and every value the crossings use
    (unknown altitude as NaN, unknown leg start as False)."""
    from airwitness.schema import make_table

    t0 = T_START * 10**9

    def unit(ids, name):
        n = len(ids)
        return make_table(
            {
                "track_id": ids,
                "time": [t0 + i * 10**9 for i in range(n)],
                "lon": [float(i) for i in range(n)],
                "lat": [45.0 + i / 10 for i in range(n)],
                "alt_m": [None if i % 2 else 100.0 * i for i in range(n)],
                "source_record": list(range(1, n + 1)),
                "leg_start": [None, True, False, None, True][:n],
            },
            source="canonical",
            source_file=name,
        )

    pieces = []
    for k, (ids, name) in enumerate(
        [(["b", "a", "c", "a", "b"], "u1.parquet"), (["c", "c", "b", "d"], "u2.parquet")]
    ):
        writer = SpillWriter(str(tmp_path / f"u{k}.arrow"), 1, buffer_rows=3)
        source = unit(ids, name)
        dictionary = source.set_column(0, "track_id", source["track_id"].dictionary_encode())
        writer.write(dictionary.slice(0, 2))  # two flushes: tracks spread over batches
        writer.write(dictionary.slice(2))
        pieces.extend(writer.close())
    back = read_pieces(pieces)
    assert back["track_id"].chunk(0).dictionary.to_pylist() == ["a", "b", "c", "d"]
    assert back["source_file"].chunk(0).dictionary.to_pylist() == ["u1.parquet", "u2.parquet"]
    rows = sorted(
        zip(
            back["source_file"].cast(pa.string()).to_pylist(),
            back["source_record"].to_pylist(),
            back["track_id"].cast(pa.string()).to_pylist(),
            back["lon"].to_pylist(),
            [None if np.isnan(a) else a for a in back["alt_m"].to_numpy()],
            back["leg_start"].to_pylist(),
            strict=True,
        )
    )
    assert rows == [
        ("u1.parquet", 1, "b", 0.0, 0.0, False),
        ("u1.parquet", 2, "a", 1.0, None, True),
        ("u1.parquet", 3, "c", 2.0, 200.0, False),
        ("u1.parquet", 4, "a", 3.0, None, False),
        ("u1.parquet", 5, "b", 4.0, 400.0, True),
        ("u2.parquet", 1, "c", 0.0, 0.0, False),
        ("u2.parquet", 2, "c", 1.0, None, True),
        ("u2.parquet", 3, "b", 2.0, 200.0, False),
        ("u2.parquet", 4, "d", 3.0, None, False),
    ]


def _spilled(folder: str, table: pa.Table, partitions: int = 3) -> list[Piece]:
    writer = SpillWriter(f"{folder}/u.spill", partitions, buffer_rows=1_000)
    for start in range(0, table.num_rows, 700):  # several flushes: segments per partition
        writer.write(table.slice(start, 700))
    return writer.close()


def test_spill_on_object_storage_reads_back_as_a_local_one(tmp_path):
    """A spill folder given as a URI (here fsspec's memory filesystem) holds
    the same bytes and gives the same partitions as a local one."""
    table = readers.read(_parquet_bytes(generate(3_000, seed=5)), format="opensky").table
    local = _spilled(str(tmp_path), table)
    remote = _spilled(f"memory://airwitness-test-{tmp_path.name}", table)
    assert [len(p.segments) for p in local] == [len(p.segments) for p in remote]
    assert max(len(p.segments) for p in local) > 1
    for a, b in zip(local, remote, strict=True):
        assert read_pieces([a]).equals(read_pieces([b]))
        # the same segments (a local file's may start further on: direct I/O pads each flush)
        assert a.segments[:, 1:].tolist() == b.segments[:, 1:].tolist()
    whole = pa.concat_tables([read_pieces([p]) for p in local])
    assert sorted(whole["source_record"].to_pylist()) == sorted(table["source_record"].to_pylist())


def test_spilled_record_numbers_keep_all_64_bits(tmp_path):
    """The spill stores a record's low 32 bits per row and its high ones as
    runs: numbers past 2**32, negative ones and changes within a track
    come back exactly, through both readers."""
    from airwitness.engine.spill import iter_piece
    from airwitness.schema import make_table

    records = [1, 2**32 - 1, 2**32, 2**40 + 5, -3, 2**62, 7, -(2**63)]
    n = len(records)
    table = make_table(
        {
            "track_id": ["a", "b"] * (n // 2),
            "time": [T_START * 10**9 + i for i in range(n)],
            "lon": [float(i) for i in range(n)],
            "lat": [45.0] * n,
            "source_record": records,
        },
        source="canonical",
        source_file="big.parquet",
    )
    pieces = _spilled(str(tmp_path), table, partitions=2)
    back = pa.concat_tables([read_pieces([p]) for p in pieces if p.rows])
    assert sorted(back["source_record"].to_pylist()) == sorted(records)
    one_by_one = [t for p in pieces for t in iter_piece(p)]
    assert sorted(r for t in one_by_one for r in t["source_record"].to_pylist()) == sorted(records)
    by_lon = dict(zip(back["lon"].to_pylist(), back["source_record"].to_pylist(), strict=True))
    assert [by_lon[float(i)] for i in range(n)] == records


def test_a_truncated_spill_file_is_an_error_naming_it(tmp_path):
    table = readers.read(_parquet_bytes(generate(3_000, seed=5)), format="opensky").table
    pieces = _spilled(str(tmp_path), table, partitions=1)
    last = int(pieces[0].segments[:, 0].max())
    os.truncate(pieces[0].path, last + 1)  # the last segment's first byte only
    message = r"spill file .*u\.spill: \d+ bytes at \d+, its index says \d+"
    with pytest.raises(ValueError, match=message):
        read_pieces(pieces)


def _blake(s: str) -> int:
    import hashlib

    digest = hashlib.blake2b(s.encode(), digest_size=8, salt=bytes(8)).digest()
    return int.from_bytes(digest, "little")


def test_bad_inputs_fail_as_in_memory(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("just some text\n")
    with pytest.raises(InputError, match="cannot detect the format"):
        run_crossings_scaled([str(bad)], engine="local", workers=1)
    with pytest.raises(InputError, match="no file matches"):
        run_crossings_scaled([str(tmp_path / "*.parquet")], engine="local", workers=1)
