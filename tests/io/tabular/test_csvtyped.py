"""Typed parsing of plain CSV lines: the values when it is certain, None otherwise."""

from __future__ import annotations

import pyarrow as pa
import pytest

from airwitness.io.tabular._csvtyped import typed_columns

NAMES = ["time", "icao24", "lat"]
TYPES = {"time": pa.int64(), "icao24": pa.dictionary(pa.int32(), pa.string()), "lat": pa.float64()}


def test_plain_lines_come_typed_one_row_per_line():
    got = typed_columns(b"1749788410,abc,40.5\n1749788420,,nan\n1749788430,abc,-1e1", NAMES, TYPES)
    assert got is not None
    assert got["time"].to_pylist() == [1749788410, 1749788420, 1749788430]
    assert got["icao24"].type == TYPES["icao24"]
    assert got["icao24"].to_pylist() == ["abc", None, "abc"]
    lat = got["lat"].to_pylist()
    assert lat[0] == 40.5 and lat[1] != lat[1] and lat[2] == -10.0  # nan stays a number


def test_only_the_columns_asked_for():
    got = typed_columns(b"1749788410,abc,40.5\n", NAMES, {"lat": pa.float64()})
    assert got is not None and list(got) == ["lat"]


@pytest.mark.parametrize(
    "body",
    [
        b"1749788410,abc,40.5\n1749788420,\xc3\xa9,40.6\n",  # not ASCII: UTF-8 is checked per value
        b'1749788410,"abc",40.5\n',  # quotes
        b"1749788410,abc,40.5\r1749788420,abc,40.6\n",  # a CR that does not end a line
        b"1749788410,abc,x\n",  # not a number
        b"1749788410.5,abc,40.5\n",  # not a whole number
        b"1749788410,abc\n",  # too few fields
        b"1749788410,abc,40.5,1\n",  # too many
        b"1749788410,abc,40.5\n\n1749788420,abc,40.6\n",  # a blank line
    ],
)
def test_anything_but_plain_lines_is_left_to_the_text_path(body):
    assert typed_columns(body, NAMES, TYPES) is None


def test_crlf_line_ends_are_plain():
    got = typed_columns(b"1749788410,abc,40.5\r\n1749788420,abc,40.6\r\n", NAMES, TYPES)
    assert got is not None and got["lat"].to_pylist() == [40.5, 40.6]
