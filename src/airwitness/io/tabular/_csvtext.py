"""CSV text to raw columns with the physical line number of every row.

pyarrow.csv parses (fast, multi-threaded) with every column as bytes, so no
cell can fail the file; conversion happens later, value by value. Arrow does
not report line numbers, so they come from the newline positions: the n-th
non-blank line after the header is the n-th row. That holds unless a quoted
value spans lines (or a lone CR ends a line); both are detected (row count
and line count disagree) and such files are re-read with the csv module,
which tracks lines exactly. Blank lines are not records. Rows with the wrong
number of fields are rejected as ``wrong number of fields``.

Columns are separated by commas; header names are matched trimmed and
case-insensitively; a UTF-8 byte-order mark is ignored.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from airwitness import reasons
from airwitness.io._source import Source
from airwitness.schema import Reject


@dataclass
class TextColumns:
    """Raw columns (binary) of the rows that had the right number of fields."""

    columns: dict[str, pa.Array]
    records: np.ndarray  # 1-based physical line number of each row
    rejects: list[Reject] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def read_csv(src: Source, wanted: Collection[str], data: bytes | None = None) -> TextColumns:
    """Read the ``wanted`` columns (those present) of a CSV file as binary arrays."""
    if data is None:
        data = src.read_all()
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    header_line, header_end, header_text = _header(src, data, start)
    names = _parse_header(src, header_text, header_line)
    present = [n for n in dict.fromkeys(wanted) if n in names]
    try:
        cols, records, rejects = _arrow(src, data, header_end, names, present, header_line)
    except _Fallback:
        cols, records, rejects = _python(src, data[header_end:], names, present, header_line)
    return TextColumns(cols, records, rejects, names)


def header_names(src: Source, head: bytes) -> list[str]:
    """Normalised column names from the start of a file (for sniffing)."""
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    line, _, text = _header(src, head, start)
    return _parse_header(src, text, line)


def _header(src: Source, data: bytes, start: int) -> tuple[int, int, str]:
    """(line number, end offset, text) of the first non-blank line."""
    line = 1
    pos = start
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl + 1
        raw = data[pos:end]
        if raw.strip():
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                raise src.fail("CSV header is not UTF-8 text", line) from None
            if "\r" in text:
                raise src.fail("CSV header contains a carriage return (CR-only line ends?)", line)
            return line, end, text
        line += 1
        pos = end
    raise src.fail("empty file")


def _parse_header(src: Source, text: str, line: int) -> list[str]:
    try:
        return _normalise(next(csv.reader([text])))
    except csv.Error as e:
        raise src.fail(f"unparseable CSV header: {e}", line) from None


def _normalise(names: list[str]) -> list[str]:
    """Trimmed lower-case names; later duplicates get a suffix so they never match."""
    out: list[str] = []
    for name in names:
        n = name.strip().lower()
        while n in out:
            n += "\x00"
        out.append(n)
    return out


class _Fallback(Exception):
    """Arrow's rows cannot be mapped to lines: use the csv module."""


def _arrow(
    src: Source, data: bytes, offset: int, names: list[str], present: list[str], header_line: int
) -> tuple[dict[str, pa.Array], np.ndarray, list[Reject]]:
    """Parse ``data[offset:]`` with Arrow; _Fallback when rows cannot be mapped to lines."""
    if data.find(b"\r", offset) >= 0 and _lone_cr(data, offset):
        raise _Fallback
    if not _utf8(data, offset):  # Arrow cannot report such rows: let the csv module do it
        raise _Fallback
    body = pa.py_buffer(data).slice(offset)  # no copy
    quoted = data.find(b'"', offset) >= 0
    invalid: list[int | None] = []

    def parse(threads: bool) -> pa.Table:
        invalid.clear()

        def handler(row: pcsv.InvalidRow) -> str:
            invalid.append(row.number)
            return "skip"

        return pcsv.read_csv(
            pa.BufferReader(body),
            read_options=pcsv.ReadOptions(
                column_names=names, use_threads=threads, block_size=1 << 24
            ),
            parse_options=pcsv.ParseOptions(newlines_in_values=quoted, invalid_row_handler=handler),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(present, pa.binary()),
                include_columns=present,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )

    try:
        table = parse(threads=True)
        if invalid:  # row numbers are only known single-threaded
            table = parse(threads=False)
    except pa.ArrowInvalid:
        raise _Fallback from None
    rows = table.num_rows + len(invalid)
    physical = data.count(b"\n", offset) + (0 if data.endswith(b"\n") or offset >= len(data) else 1)
    # As many rows as lines: no blank lines, no multi-line rows (the common case).
    lines = (
        np.arange(physical, dtype=np.int64) if rows == physical else _nonblank_lines(data, offset)
    )
    if len(lines) != rows or None in invalid:
        raise _Fallback
    lines += header_line + 1
    rejects: list[Reject] = []
    if invalid:
        bad_idx = np.asarray(invalid, dtype=np.int64) - 1
        rejects = [Reject(src.name, int(n), reasons.WRONG_NUMBER_OF_FIELDS) for n in lines[bad_idx]]
        lines = np.delete(lines, bad_idx)
    cols = {name: table.column(name).combine_chunks() for name in present}
    return cols, lines, rejects


def _utf8(data: bytes, offset: int) -> bool:
    """True if ``data[offset:]`` is valid UTF-8 (checked in chunks, without a copy)."""
    if data.isascii():  # fast, and the usual case
        return True
    view = memoryview(data)[offset:]
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(view), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _lone_cr(data: bytes, offset: int) -> bool:
    """True if some CR is not followed by LF (Arrow would end a row there)."""
    a = np.frombuffer(data, dtype=np.uint8, offset=offset)
    nxt = np.flatnonzero(a == 13) + 1
    return bool(np.any((nxt >= len(a)) | (a[np.minimum(nxt, len(a) - 1)] != 10)))


def _nonblank_lines(data: bytes, offset: int) -> np.ndarray:
    """0-based indices of the lines after ``offset`` that are not empty (or just CR)."""
    a = np.frombuffer(data, dtype=np.uint8, offset=offset)
    nl = np.flatnonzero(a == 10)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [len(a)]))
    if starts[-1] == len(a):  # text ends with a newline: no last partial line
        starts, ends = starts[:-1], ends[:-1]
    length = ends - starts
    first = a[np.minimum(starts, max(len(a) - 1, 0))] if len(a) else np.zeros(0, np.uint8)
    blank = (length == 0) | ((length == 1) & (first == 13))
    return np.flatnonzero(~blank).astype(np.int64)


def _python(
    src: Source, body: bytes, names: list[str], present: list[str], header_line: int
) -> tuple[dict[str, pa.Array], np.ndarray, list[Reject]]:
    """Exact but slower: the csv module knows which line each record starts on."""
    index = [names.index(n) for n in present]
    values: list[list[bytes | None]] = [[] for _ in present]
    lines: list[int] = []
    rejects: list[Reject] = []
    stream = io.TextIOWrapper(
        io.BytesIO(body), encoding="utf-8", errors="surrogateescape", newline=""
    )
    reader = csv.reader(stream)
    done = 0  # lines consumed so far
    try:
        for row in reader:
            line = header_line + done + 1
            done = reader.line_num
            if not row:
                continue
            if len(row) != len(names):
                rejects.append(Reject(src.name, line, reasons.WRONG_NUMBER_OF_FIELDS))
                continue
            lines.append(line)
            for out, i in zip(values, index, strict=True):
                v = row[i]
                out.append(v.encode("utf-8", "surrogateescape") if v else None)
    except csv.Error as e:
        raise src.fail(f"unparseable CSV: {e}", header_line + done + 1) from None
    cols = {n: pa.array(v, type=pa.binary()) for n, v in zip(present, values, strict=True)}
    return cols, np.asarray(lines, dtype=np.int64), rejects
