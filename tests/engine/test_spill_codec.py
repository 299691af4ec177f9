"""engine.spill_codec: compressed segments come back bit for bit; when ``auto`` compresses."""

from __future__ import annotations

import itertools
import os
import shutil
from collections import namedtuple

import numpy as np
import pyarrow as pa
import pytest

from airwitness.engine.spill import SpillWriter, iter_piece, read_pieces
from airwitness.engine.spill_codec import Packer, Unpacker
from airwitness.engine.spill_codec import spill_codec as codec_for
from airwitness.errors import UsageError
from tests.engine._spill_data import direct_io_here, reports, same

I64, U32 = np.iinfo(np.int64), np.iinfo(np.uint32)


def _segment(words: list[int], lows: list[int], tail: bytes) -> np.ndarray:
    """A segment of ``len(lows)`` rows: ``words`` (4 a row) as int64, ``lows`` as
    uint32, then ``tail`` (the runs), on an 8-byte boundary."""
    raw = np.asarray(words, np.int64).tobytes() + np.asarray(lows, np.uint32).tobytes() + tail
    room = np.zeros(-(-len(raw) // 8), np.int64).view(np.uint8)
    room[: len(raw)] = np.frombuffer(raw, np.uint8)
    return room[: len(raw)]


@pytest.mark.parametrize(
    ("words", "lows", "tail"),
    [
        ([], [], b""),  # no rows
        ([5, -7, 0, 9], [3], b"\x01\x02\x03"),  # one row, a tail off the 8-byte words
        ([I64.min, I64.max, -1, I64.max, 0, I64.min, 1, -1], [U32.max, 0], b"x" * 21),
    ],
)
def test_segments_come_back_bit_for_bit(words, lows, tail):
    """Differences wrap at the words' width: the extremes, and a tail of any length."""
    segment = _segment(words, lows, tail)
    packed = Packer().pack(segment, len(lows))
    back = Unpacker().unpack(packed, len(segment), len(lows))
    assert back is not None and back.tobytes() == segment.tobytes()


def test_floats_nan_and_signed_zero_come_back_exactly():
    """Longitudes and altitudes are differenced as their bits: NaN payloads,
    -0.0 and subnormals survive."""
    floats = np.array([np.nan, -0.0, 5e-324, -np.inf, 23.5, np.float64(np.nan) * -1, 0.0, 1e308])
    segment = _segment(floats.view(np.int64).tolist(), [7, 8], b"")
    back = Unpacker().unpack(Packer().pack(segment, 2), len(segment), 2)
    assert back is not None and back.view(np.int64)[:8].tolist() == floats.view(np.int64).tolist()


def test_a_track_in_time_order_compresses_to_less_than_half():
    """Rows grouped by track, one report a second, moving steadily: the
    differences' high byte planes are zeros, and LZ4 takes them to little."""
    n = 10_000
    step = np.arange(n)
    time = 1_750_000_000_000_000_000 + step * 1_000_000_000
    lon, lat = 44.0 + step * 1e-4, 39.0 + step * 5e-5
    alt = np.full(n, 3048.0)
    words = np.concatenate([time, lon.view(np.int64), lat.view(np.int64), alt.view(np.int64)])
    segment = _segment(words.tolist(), (step + 1).tolist(), b"")
    packed = Packer().pack(segment, n)
    assert len(packed) < 0.5 * len(segment)
    assert Unpacker().unpack(packed, len(segment), n).tobytes() == segment.tobytes()


def test_damage_is_found():
    """LZ4 input that does not decode is damage (None), as is a size below the rows'."""
    segment = _segment(list(range(400)), list(range(100)), b"")
    packed = Packer().pack(segment, 100)
    unpacker = Unpacker()
    assert unpacker.unpack(packed[: len(packed) // 2], len(segment), 100) is None
    assert unpacker.unpack(packed, 36 * 100 - 8, 100) is None


@pytest.mark.parametrize("cached", [False, True])
def test_a_compressed_spill_reads_back_as_the_plain_one(tmp_path, monkeypatch, cached):
    """The same rows, segments and runs; fewer bytes on disk; each segment's
    stored size is what its index says; with direct I/O and through the page cache."""
    if cached:
        monkeypatch.delattr(os, "O_DIRECT", raising=False)  # a system without direct I/O
    table = reports(3_000)

    def spill(name: str, codec: str | None):
        writer = SpillWriter(str(tmp_path / name), 4, buffer_rows=500, codec=codec)
        for start in range(0, table.num_rows, 300):
            writer.write(table.slice(start, 300))
        return writer.close()

    plain, packed = spill("plain.spill", None), spill("packed.spill", "lz4")
    assert max(len(p.segments) for p in packed) > 1
    for p, c in zip(plain, packed, strict=True):
        assert c.codec == "lz4" and p.codec is None
        assert p.segments[:, 2:].tolist() == c.segments[:, 2:].tolist()  # rows and runs
        assert (c.segments[:, 1] < p.segments[:, 1]).all()
        assert same(read_pieces([c]), read_pieces([p]))
        assert same(pa.concat_tables(iter_piece(c)), pa.concat_tables(iter_piece(p)))
    assert same(read_pieces(packed), read_pieces(plain))
    spans = sorted((s[0], s[0] + s[1]) for p in packed for s in p.segments.tolist())
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    if not direct_io_here(tmp_path):  # through the page cache: back to back
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
        assert spans[0][0] == 0 and spans[-1][1] == os.path.getsize(tmp_path / "packed.spill")
    assert os.path.getsize(tmp_path / "packed.spill") < os.path.getsize(tmp_path / "plain.spill")


def test_a_damaged_compressed_spill_names_its_file_and_segment(tmp_path):
    path = tmp_path / "u.spill"
    writer = SpillWriter(str(path), 1, codec="lz4")
    writer.write(reports(500))
    (piece,) = writer.close()
    offset, stored = piece.segments[0, :2].tolist()
    data = bytearray(path.read_bytes())
    data[offset : offset + stored] = bytes(stored)  # zeros: no LZ4 block of this size
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=rf"spill file {path}: the segment at {offset} is damaged"):
        read_pieces([piece])


Usage = namedtuple("Usage", "total used free")


@pytest.mark.parametrize(
    ("choice", "free", "expected"),
    [
        ("none", 0, None),
        ("lz4", 10**15, "lz4"),
        ("auto", 10**15, None),  # room for the plain spill
        ("auto", int(1.1 * 1000 * 36), None),  # just room (10 % over 36 bytes a report)
        ("auto", int(1.1 * 1000 * 36) - 1, "lz4"),
        ("auto", 0, "lz4"),
    ],
)
def test_auto_compresses_where_the_disk_lacks_room(tmp_path, monkeypatch, choice, free, expected):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(free, 0, free))
    assert codec_for(choice, str(tmp_path), 1_000, 36) == expected


def test_auto_leaves_a_remote_spill_plain_and_an_unknown_choice_is_a_usage_error(tmp_path):
    assert codec_for("auto", "s3://bucket/tmp/spill", 10**12, 36) is None
    assert codec_for("lz4", "s3://bucket/tmp/spill", 10**12, 36) == "lz4"
    with pytest.raises(UsageError, match="unknown spill compression 'zip'; choose one of auto"):
        codec_for("zip", str(tmp_path), 1, 36)


def test_a_piece_of_an_unknown_compression_is_an_error_naming_its_file(tmp_path):
    writer = SpillWriter(str(tmp_path / "u.spill"), 1, codec="lz4")
    writer.write(reports(100))
    (piece,) = writer.close()
    piece.codec = "zstd"
    with pytest.raises(ValueError, match=rf"spill file {piece.path}: unknown compression 'zstd'"):
        read_pieces([piece])
