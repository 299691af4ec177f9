"""How the engines size text inputs: rows from the first lines and the (decompressed) size."""

from __future__ import annotations

import gzip

from airwitness.engine.sources import detect, estimated_rows

HEADER = b"time,icao24,lat,lon\n"
LINE = b"1749788410,600a1c,40.125,50.5\n"  # 30 bytes


def test_plain_csv_rows_from_its_size_and_first_lines(tmp_path):
    path = tmp_path / "states.csv"
    path.write_bytes(HEADER + LINE * 1000)
    assert estimated_rows(detect(str(path))) == 1001  # lines, the header among them


def test_gzip_csv_rows_from_its_decompressed_size(tmp_path):
    path = tmp_path / "states.csv.gz"
    path.write_bytes(gzip.compress(HEADER + LINE * 100_000, mtime=0))
    f = detect(str(path))
    assert f.size < 30 * 100_000 / 50  # compresses well: its size says little
    assert abs(estimated_rows(f) - 100_001) <= 100  # the short header line: 0.1 % off


def test_gzip_of_several_members_falls_back_to_its_size(tmp_path):
    path = tmp_path / "states.csv.gz"
    path.write_bytes(gzip.compress(HEADER + LINE * 1000) + gzip.compress(LINE * 5))
    f = detect(str(path))
    assert f.rows_hint == 0 and estimated_rows(f) == max(1, f.size // 25)
