"""engine.spill and spill_io: direct I/O or the page cache, the same rows; pass 2 reads ahead.

The round trip of every column, spills on object storage, 64-bit record
numbers and truncated files are in test_engines.py, beside the engines.
"""

from __future__ import annotations

import errno
import itertools
import os

import pyarrow as pa
import pytest

from airwitness.engine import spill, spill_io
from airwitness.engine.partition import AirspaceSpec, CrossingOptions, crossings_of_partition
from airwitness.engine.spill import Piece, SpillWriter, iter_piece, read_pieces
from airwitness.engine.tasks import CrossTask, cross_partitions, packed, unpacked
from tests.engine._spill_data import direct_io_here, reports, same


def _spill(path: str, table: pa.Table, partitions: int = 4) -> list[Piece]:
    writer = SpillWriter(path, partitions, buffer_rows=500)
    for start in range(0, table.num_rows, 300):  # several flushes: segments per partition
        writer.write(table.slice(start, 300))
    return writer.close()


def test_direct_and_cached_spills_hold_the_same_rows(tmp_path, monkeypatch):
    """Direct I/O pads each flush to whole 4 KiB blocks (segments then start
    further on); the rows, their segments and runs are those of a spill
    through the page cache, and either file reads back through either path."""
    table = reports(3_000)
    direct = _spill(str(tmp_path / "direct.spill"), table)
    with monkeypatch.context() as m:
        m.delattr(os, "O_DIRECT", raising=False)  # a system without direct I/O
        cached = _spill(str(tmp_path / "cached.spill"), table)
        cached_back = [read_pieces([p]) for p in cached]
        direct_back_cached = [read_pieces([p]) for p in direct]
    assert max(len(p.segments) for p in direct) > 1
    for d, c, c_back, d_back in zip(direct, cached, cached_back, direct_back_cached, strict=True):
        assert d.segments[:, 1:].tolist() == c.segments[:, 1:].tolist()
        assert same(read_pieces([d]), c_back)
        assert same(read_pieces([c]), c_back)
        assert same(d_back, c_back)
        assert same(pa.concat_tables(iter_piece(d)), pa.concat_tables(iter_piece(c)))
    whole = pa.concat_tables(cached_back)
    assert whole.num_rows == table.num_rows
    assert whole["source_record"].to_pylist() != sorted(whole["source_record"].to_pylist())
    assert sorted(whole["source_record"].to_pylist()) == list(range(1, 3_001))
    cached_size = os.path.getsize(tmp_path / "cached.spill")
    segments = sorted(  # (offset, size): 36 bytes a row, and the runs
        (at, 36 * rows + 8 * runs[0] + 8 * runs[1] + 8 * runs[2] + 8 * runs[3] + 5 * runs[4])
        for p in cached
        for at, _, rows, *runs in p.segments.tolist()
    )
    sizes = [size for _, size in segments]
    stored = sorted((s[0], s[1]) for p in cached for s in p.segments.tolist())
    assert stored == segments  # the bytes each takes
    assert cached_size == sum(-(-size // 8) * 8 for size in sizes)  # each on whole 8-byte words
    assert any(size % 8 for size in sizes)  # some were padded
    assert all(b[0] == a[0] + -(-a[1] // 8) * 8 for a, b in itertools.pairwise(segments))
    if direct_io_here(tmp_path):
        size = os.path.getsize(tmp_path / "direct.spill")
        assert size % 4096 == 0 and size > cached_size
        firsts = sorted(offset for p in direct for offset in p.segments[:, 0].tolist())
        assert any(offset % 4096 == 0 for offset in firsts[1:])  # a later flush's first segment


def test_a_filesystem_refusing_direct_io_gets_the_page_cache(tmp_path, monkeypatch):
    """Opening with O_DIRECT failing with EINVAL (as on filesystems without
    it) falls back to cached I/O; any other error is the caller's."""
    real_open = os.open
    refused = []

    def no_direct(path, flags, mode=0o777):
        if flags & getattr(os, "O_DIRECT", 0):
            refused.append(path)
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, mode)

    with pytest.raises(FileNotFoundError):  # not EINVAL: no second try
        spill_io.open_local(str(tmp_path / "no" / "such" / "folder"), os.O_RDONLY)
    table = reports(1_000)
    expected = [read_pieces([p]) for p in _spill(str(tmp_path / "a.spill"), table)]
    monkeypatch.setattr(os, "O_DIRECT", 0o40000, raising=False)
    monkeypatch.setattr(os, "open", no_direct)
    pieces = _spill(str(tmp_path / "b.spill"), table)
    got = [read_pieces([p]) for p in pieces]
    assert refused  # the writer and the reader both asked, and were refused
    assert all(same(g, e) for g, e in zip(got, expected, strict=True))


def test_pass_two_reads_ahead_and_gives_each_partition_its_crossings(tmp_path):
    pieces = [p for p in _spill(str(tmp_path / "u.spill"), reports(3_000)) if p.rows]
    airspace, options = AirspaceSpec.builtin(), CrossingOptions()
    got = cross_partitions(CrossTask(tuple((p,) for p in pieces), airspace, options))
    assert len(got) == len(pieces) == 4
    for (data, counts), piece in zip(got, pieces, strict=True):
        alone, alone_counts = crossings_of_partition(read_pieces([piece]), airspace, options)
        crossings = unpacked(data)
        assert crossings.equals(alone) and crossings.schema.equals(alone.schema, True)
        assert counts == alone_counts
        assert crossings.num_rows > 0  # every track crosses into Belarus
    assert sum(c.reports for _, c in got) == 3_000
    assert cross_partitions(CrossTask((), airspace, options)) == []
    empty = crossings_of_partition(read_pieces([]), airspace, options)[0]
    assert empty.num_rows == 0 and unpacked(packed(empty)).equals(empty)


def test_direct_io_refused_mid_file_goes_on_through_the_cache(tmp_path, monkeypatch):
    """A filesystem may accept O_DIRECT and then refuse a write or read for
    its alignment (EINVAL): the file goes on through the page cache, with the
    same layout, and reads back the same rows."""
    if not direct_io_here(tmp_path):
        pytest.skip("no direct I/O in the temporary folder")
    table = reports(3_000)
    expected = [read_pieces([p]) for p in _spill(str(tmp_path / "a.spill"), table)]
    refusals = {"pwrite": 1, "preadv": 1}

    def refusing_once(name, real):
        def call(*args):
            if refusals[name]:
                refusals[name] -= 1
                raise OSError(errno.EINVAL, "Invalid argument")
            return real(*args)

        return call

    monkeypatch.setattr(os, "pwrite", refusing_once("pwrite", os.pwrite))
    monkeypatch.setattr(os, "preadv", refusing_once("preadv", os.preadv))
    pieces = _spill(str(tmp_path / "b.spill"), table)
    got = [read_pieces([p]) for p in pieces]
    assert refusals == {"pwrite": 0, "preadv": 0}
    assert all(same(g, e) for g, e in zip(got, expected, strict=True))
    assert os.path.getsize(tmp_path / "b.spill") == os.path.getsize(tmp_path / "a.spill")


@pytest.mark.parametrize("readers", [1, 2, 4])
def test_a_partition_of_many_pieces_reads_back_in_order_on_any_number_of_threads(
    tmp_path, monkeypatch, readers
):
    """Pieces from several files (pass-1 units), read by ``readers`` threads:
    each piece's rows where one thread alone puts them; a piece whose segments
    hold other than its index's rows is an error naming its file."""
    table = reports(3_000)
    units = [_spill(str(tmp_path / f"u{k}.spill"), table.slice(500 * k, 500)) for k in range(6)]
    partition = [pieces[1] for pieces in units]  # partition 1 of every unit
    assert all(p.rows for p in partition)
    one_by_one = pa.concat_tables([read_pieces([p]) for p in partition])
    monkeypatch.setattr(spill, "READERS", readers)
    together = read_pieces(partition)
    assert same(together.select(["time", "lon", "lat", "alt_m", "source_record"]),
                one_by_one.select(["time", "lon", "lat", "alt_m", "source_record"]))  # fmt: skip
    assert together["track_id"].to_pylist() == one_by_one["track_id"].to_pylist()
    assert together["source_file"].to_pylist() == one_by_one["source_file"].to_pylist()
    partition[3].rows += 1
    with pytest.raises(ValueError, match=rf"spill file {partition[3].path}: \d+ rows, its index"):
        read_pieces(partition)
