"""engine.spill_kernels: a flush's bytes, exactly as the spill format says, built by hand.

The writer groups rows by track through its kernels; these tests read the
bytes of a spill file written through the page cache (no padding to 4 KiB
blocks) and compare them with segments built here from the format's text:
plain columns row by row in track order, then each column's runs (ends,
then first values), the segment padded to whole 8-byte words.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pytest

from airwitness.engine.spill import SpillWriter, read_pieces
from airwitness.engine.spill_kernels import decode_segment
from airwitness.schema import make_table

T0 = 1_750_000_000 * 10**9


@pytest.fixture
def cached(monkeypatch):
    """Spill files through the page cache: a flush is its segments, back to back."""
    monkeypatch.delattr(os, "O_DIRECT", raising=False)


def _table(tracks, files, records, legs, sigmas, alts) -> pa.Table:
    n = len(tracks)
    table = make_table(
        {
            "track_id": tracks,
            "time": [T0 + i for i in range(n)],
            "lon": [20.0 + i for i in range(n)],
            "lat": [50.0 + i for i in range(n)],
            "alt_m": alts,
            "source_record": records,
            "leg_start": legs,
            "pos_sigma_m": sigmas,
        },
        source="opensky",  # 50 m where no error is stated
        source_file="unused",
    )
    names = pa.array(files).dictionary_encode()
    return table.set_column(table.schema.get_field_index("source_file"), "source_file", names)


def _segment(order, table, runs) -> bytes:
    """The bytes of a segment of ``table``'s rows ``order`` with ``runs``
    (ends and values of each run column, in segment order), on whole words."""
    t = table.take(order)
    plain = [
        np.asarray(t["time"].cast(pa.int64()), np.int64).tobytes(),
        np.asarray(t["lon"], np.float64).tobytes(),
        np.asarray(t["lat"], np.float64).tobytes(),
        t["alt_m"].to_numpy(zero_copy_only=False).astype(np.float64).tobytes(),
        (np.asarray(t["source_record"], np.int64) & 0xFFFFFFFF).astype(np.uint32).tobytes(),
    ]
    parts = b"".join(plain)
    for (ends, values), dtype in zip(runs, [np.int32] * 3 + [np.float32, np.uint8], strict=True):
        parts += np.asarray(ends, np.int32).tobytes() + np.asarray(values, dtype).tobytes()
    return parts + bytes(-len(parts) % 8)


def _five_rows() -> pa.Table:
    """Two tracks interleaved, whose run columns change within tracks and across them."""
    return _table(
        tracks=["a", "b", "a", "b", "a"],
        files=["f1", "f1", "f1", "f2", "f2"],
        records=[1, 2, 3, 2**32 + 4, 5],
        legs=[None, True, True, None, False],
        sigmas=[10.0, None, 10.0, 20.0, None],
        alts=[100.0, None, 300.0, 400.0, None],
    )


def test_a_flush_is_its_segments_byte_for_byte(tmp_path, cached):
    """Track ``a`` (rows 0, 2, 4) before ``b`` (rows 1, 3), the order met; runs
    change within tracks and across the track boundary, and merge across it
    where the values meet (the records' high bits, the errors)."""
    table = _five_rows()
    writer = SpillWriter(str(tmp_path / "u.spill"), 1)
    writer.write(table)
    (piece,) = writer.close()
    expected = _segment(
        [0, 2, 4, 1, 3],
        table,
        [
            ([3, 5], [0, 1]),  # tracks a, b
            ([2, 3, 4, 5], [0, 1, 0, 1]),  # files f1 f1 f2 | f1 f2
            ([4, 5], [0, 1]),  # high bits 0 0 0 | 0 1: merged across the tracks
            ([2, 4, 5], [10.0, 50.0, 20.0]),  # errors 10 10 50 | 50 20: merged
            ([1, 2, 3, 4, 5], [0, 1, 0, 1, 0]),  # leg starts (unknown: 0)
        ],
    )
    assert len(expected) == 296  # 5 x 36 + 8 x (2 + 4 + 2 + 3) + 5 x 5 = 293, on words
    assert piece.segments.tolist() == [[0, 293, 5, 2, 4, 2, 3, 5]]  # 293 bytes stored, 5 rows
    assert (tmp_path / "u.spill").read_bytes() == expected
    assert list(piece.tracks) == ["a", "b"] and writer.names == ["f1", "f2"]
    back = read_pieces([piece])
    assert back["source_record"].to_pylist() == [1, 3, 5, 2, 2**32 + 4]
    assert back["pos_sigma_m"].to_pylist() == [10.0, 10.0, 50.0, 50.0, 20.0]


def test_segments_of_several_batches_and_partitions(tmp_path, cached):
    """A track's rows from several batches (and sliced ones: bitmaps from bit 3)
    keep their order; each partition's segment follows the one before on
    whole words; every error is the source's (one run per segment)."""
    rows = 11
    tracks = ["x", "y", "z"] * 4
    whole = _table(
        tracks=tracks[:rows],
        files=["f"] * rows,
        records=list(range(1, rows + 1)),
        legs=[None, True, None, False, True, None, None, True, False, None, True],
        sigmas=[None] * rows,
        alts=[None if i % 3 == 1 else float(i) for i in range(rows)],
    )
    writer = SpillWriter(str(tmp_path / "u.spill"), 2, buffer_rows=1_000)
    writer.write(whole.slice(0, 3))
    writer.write(whole.slice(3))  # offset 3: bitmaps start within a byte
    pieces = writer.close()
    data = (tmp_path / "u.spill").read_bytes()
    at = 0
    for piece in sorted((p for p in pieces if p.rows), key=lambda p: p.segments[0, 0]):
        ((offset, _, n, *_),) = piece.segments.tolist()
        order = [i for t in list(piece.tracks) for i in range(rows) if tracks[i] == t]
        legs = np.asarray(whole["leg_start"].fill_null(False).take(order), np.uint8)
        starts = np.flatnonzero(np.diff(legs, prepend=255))
        leg_runs = (np.append(starts[1:], n).tolist(), legs[starts].tolist())
        track_ends = np.cumsum([tracks[:rows].count(t) for t in list(piece.tracks)]).tolist()
        expected = _segment(
            order,
            whole,
            [
                (track_ends, list(range(len(piece.tracks)))),
                ([n], [0]),
                ([n], [0]),
                ([n], [50.0]),
                leg_runs,
            ],
        )
        assert offset == at and n == len(order)
        assert data[offset : offset + len(expected)] == expected
        at += len(expected)
    assert at == len(data) and sum(p.rows for p in pieces) == rows


def test_unknown_errors_each_start_a_run_and_signed_zeros_do_not(tmp_path, cached):
    """Run values compare as numbers: NaN equals nothing (a run per row, as
    ``np.not_equal`` had it), -0.0 equals 0.0 (the run keeps its first value)."""
    table = _table(
        tracks=["a"] * 5,
        files=["f"] * 5,
        records=[1, 2, 3, 4, 5],
        legs=[None] * 5,
        sigmas=[None] * 5,
        alts=[1.0] * 5,
    )
    stated = pa.array([np.nan, np.nan, -0.0, 0.0, 5.0])  # NaN stated, not null
    table = table.set_column(table.schema.get_field_index("pos_sigma_m"), "pos_sigma_m", stated)
    writer = SpillWriter(str(tmp_path / "u.spill"), 1)
    writer.write(table)
    (piece,) = writer.close()
    assert piece.segments.tolist() == [[0, 241, 5, 1, 1, 1, 4, 1]]  # 5 x 36 + 8 x 7 + 5 bytes
    data = (tmp_path / "u.spill").read_bytes()
    errors = data[5 * 36 + 8 * 3 :][: 4 * 8]
    assert np.frombuffer(errors[:16], np.int32).tolist() == [1, 2, 4, 5]
    values = np.frombuffer(errors[16:], np.float32)
    assert np.isnan(values[:2]).all() and values[3] == 5.0
    assert np.signbit(values[2])  # -0.0: the first of its run


def test_run_columns_the_same_throughout_are_one_run_each(tmp_path, cached):
    """One file, one source, no leg start, record numbers past 2**32 (high bits
    1): one run of each per segment, over several batches; batches that are
    each the same throughout but differ from each other get their runs counted."""
    rows = 7
    table = _table(
        tracks=["p", "q", "p", "p", "q", "r", "p"],
        files=["f"] * rows,
        records=[2**32 + i for i in range(rows)],
        legs=[None] * rows,
        sigmas=[None] * rows,
        alts=[float(i) for i in range(rows)],
    )
    writer = SpillWriter(str(tmp_path / "u.spill"), 1, buffer_rows=1_000)
    writer.write(table.slice(0, 4))
    writer.write(table.slice(4))
    (piece,) = writer.close()
    order = [0, 2, 3, 6, 1, 4, 5]
    one = [rows]
    expected = _segment(order, table, [([4, 6, 7], [0, 1, 2]), (one, [0]), (one, [1]),
                                       (one, [50.0]), (one, [0])])  # fmt: skip
    assert piece.segments.tolist() == [[0, 305, rows, 3, 1, 1, 1, 1]]  # 7 x 36 + 8 x 6 + 5 bytes
    assert (tmp_path / "u.spill").read_bytes() == expected

    other = _table(
        tracks=["p", "q", "p"],
        files=["g"] * 3,
        records=[1, 2, 3],
        legs=[None] * 3,
        sigmas=[None] * 3,
        alts=[1.0] * 3,
    )
    writer = SpillWriter(str(tmp_path / "v.spill"), 1, buffer_rows=1_000)
    writer.write(table.slice(0, 2))  # p q, file f, high bits 1
    writer.write(other)  # p q p, file g, high bits 0
    (piece,) = writer.close()
    both = pa.concat_tables([table.slice(0, 2), other.cast(table.schema)])
    expected = _segment([0, 2, 4, 1, 3], both, [([3, 5], [0, 1]), ([1, 3, 4, 5], [0, 1, 0, 1]),
                                                ([1, 3, 4, 5], [1, 0, 1, 0]), ([5], [50.0]),
                                                ([5], [0])])  # fmt: skip
    assert (tmp_path / "v.spill").read_bytes() == expected


def _decoded(data: bytes, rows: int, runs: tuple[int, ...], tracks: int = 2, names: int = 2):
    out = [np.zeros(rows, t) for t in (np.int64, np.float64, np.float64, np.float64, np.int64,
                                       np.int32, np.int32, np.uint8, np.float32)]  # fmt: skip
    ok = decode_segment(
        np.frombuffer(data, np.uint8), rows, *runs,
        np.arange(10, 10 + tracks, dtype=np.int32), np.arange(20, 20 + names, dtype=np.int32),
        *out,
    )  # fmt: skip
    return ok, out


def test_a_segment_decodes_to_its_rows_and_a_damaged_one_is_refused():
    """The segment of the first test read back: runs written out a value a row,
    numbers translated, records whole; run ends that overrun the rows or stop
    short, and numbers without a translation, are refused."""
    table = _five_rows()
    runs = [([3, 5], [0, 1]), ([2, 3, 4, 5], [0, 1, 0, 1]), ([4, 5], [0, 1]),
            ([2, 4, 5], [10.0, 50.0, 20.0]), ([1, 2, 3, 4, 5], [0, 1, 0, 1, 0])]  # fmt: skip
    data = _segment([0, 2, 4, 1, 3], table, runs)
    counts = tuple(len(ends) for ends, _ in runs)
    ok, (time, lon, lat, alt, record, track, file, leg, sigma) = _decoded(data, 5, counts)
    assert ok and lat.tolist() == [50.0, 52.0, 54.0, 51.0, 53.0]
    assert (time - T0).tolist() == [0, 2, 4, 1, 3] and lon.tolist() == [
        20.0,
        22.0,
        24.0,
        21.0,
        23.0,
    ]
    assert np.isnan(alt[[2, 3]]).all() and alt[[0, 1, 4]].tolist() == [100.0, 300.0, 400.0]
    assert record.tolist() == [1, 3, 5, 2, 2**32 + 4]
    assert track.tolist() == [10, 10, 10, 11, 11] and file.tolist() == [20, 20, 21, 20, 21]
    assert leg.tolist() == [0, 1, 0, 1, 0] and sigma.tolist() == [10.0, 10.0, 50.0, 50.0, 20.0]
    assert not _decoded(data, 5, counts, tracks=1)[0]  # track number 1 has no translation
    short = bytearray(data)
    short[5 * 36 + 4 : 5 * 36 + 8] = np.int32(4).tobytes()  # the tracks' runs end at row 4
    assert not _decoded(bytes(short), 5, counts)[0]
    over = bytearray(data)
    at = 5 * 36 + 8 * (2 + 4 + 2 + 3)  # the leg starts' first run end: past the rows
    over[at : at + 4] = np.int32(9).tobytes()
    assert not _decoded(bytes(over), 5, counts)[0]


def test_a_damaged_spill_file_is_an_error_naming_it(tmp_path, cached):
    table = _table(["a", "b"], ["f", "f"], [1, 2], [None, None], [None, None], [1.0, 2.0])
    writer = SpillWriter(str(tmp_path / "u.spill"), 1)
    writer.write(table)
    (piece,) = writer.close()
    with open(tmp_path / "u.spill", "r+b") as f:
        f.seek(2 * 36 + 8)  # the tracks' first number
        f.write(np.int32(7).tobytes())
    with pytest.raises(ValueError, match=r"spill file .*u\.spill: the segment at 0 is damaged"):
        read_pieces([piece])
