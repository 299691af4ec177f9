"""Timestamped raw Mode S messages as CSV, JSON Lines, a JSON array or Parquet.

One message per row: a time column (the first present of ``timestamp,
time, mintime, ts``; unix seconds, possibly fractional — ms/µs/ns are told
apart by magnitude — or ISO-8601, no zone = UTC) and a hex message column
(the first present of ``msg, rawmsg, message, hex, frame``; 14 or 28 hex
digits, optionally wrapped as ``*…;``). This is what OpenSky's raw tables
(``mintime``, ``rawmsg``) and jet1090/rs1090 JSON Lines (``timestamp``,
``frame``) give; other columns are ignored.

A CSV file without a header is accepted when its first line looks like a
row: one field is a hex message, an earlier or later one a time (as the
pyModeS sample ``sample_data_adsb.csv``: ``1457996400,"8D406B90…",406B90,19``).
The first such fields are used.

Records are CSV line numbers (JSON Lines line numbers, 1-based row numbers
for Parquet and JSON arrays). Rejects of this reader: ``bad time``,
``missing time``, ``missing message``, ``undecodable message`` (not 14/28 hex
digits), ``wrong number of fields``, ``bad JSON``; then every reason of the
decoding core (:mod:`airwitness.io.modes._decode`). Parquet cannot be sniffed (its
column names are at the end of the file): use ``--format modes_raw``. The
decoding core also sets ``pos_sigma_m`` (the aircraft's NACp, else the
position's type code).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import BinaryIO

import pyarrow.compute as pc

from airwitness import reasons
from airwitness.io._convert import Checks, text, times
from airwitness.io._source import CHUNK, Source
from airwitness.io.modes._decode import decode
from airwitness.io.modes._messages import Messages, hex_frames
from airwitness.io.options import ReadOptions
from airwitness.io.tabular._containers import Columns, container, load
from airwitness.io.tabular._csvtext import read_csv
from airwitness.schema import ReadResult, Reject

FORMAT = "modes_raw"
TIME_NAMES = ("timestamp", "time", "mintime", "ts")
MESSAGE_NAMES = ("msg", "rawmsg", "message", "hex", "frame")

_HEX_RE = re.compile(r"^\*?([0-9A-Fa-f]{14}|[0-9A-Fa-f]{28});?$")
_TIME_RE = re.compile(
    r"^(\d{9,10}(\.\d*)?|\d{12,13}(\.\d*)?|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"(Z|[+-]\d{2}(:?\d{2})?)?)$"
)
_BOM = b"\xef\xbb\xbf"


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read timestamped raw messages and decode them into position reports."""
    src = Source(path, stream)
    data, time_col, msg_col = _columns(src)
    n = len(data)
    checks = Checks(n)

    time_ns, bad, missing = times(data.get(time_col), "auto")
    checks.flag(bad, reasons.BAD_TIME)
    checks.flag(missing, reasons.MISSING_TIME)

    msg, bad = text(data.get(msg_col))
    checks.flag(bad, reasons.UNDECODABLE_MESSAGE)
    checks.flag(~msg.is_valid().to_numpy(zero_copy_only=False), reasons.MISSING_MESSAGE)
    frames, nbytes = hex_frames(pc.utf8_trim(msg, "*;"))
    checks.flag(nbytes == 0, reasons.UNDECODABLE_MESSAGE)

    msgs = Messages(data.records, time_ns, frames, nbytes, checks)
    result = decode(src.name, FORMAT, msgs, options)
    if data.rejects:
        result.rejects = sorted([*data.rejects, *result.rejects])
    return result


def _columns(src: Source) -> tuple[Columns, str, str]:
    """The file's columns and the names of its time and message columns."""
    head = src.head(CHUNK)
    if container(head) == "csv":
        row = _headerless(head)
        if row is not None:
            return _load_headerless(src, *row)
    data = load(src, TIME_NAMES + MESSAGE_NAMES, (), FORMAT)
    if len(data) + len(data.rejects) == 0:
        raise src.fail("no records")
    time_col = next((c for c in TIME_NAMES if c in data.columns), None)
    msg_col = next((c for c in MESSAGE_NAMES if c in data.columns), None)
    if time_col is None or msg_col is None:
        what = "time column (one of timestamp, time, mintime, ts)"
        if time_col is not None:
            what = "message column (one of msg, rawmsg, message, hex, frame)"
        raise src.fail(f"missing {what} for {FORMAT}")
    return data, time_col, msg_col


def _load_headerless(src: Source, fields: int, time_i: int, msg_i: int) -> tuple[Columns, str, str]:
    """Read a header-less CSV by giving it a synthetic header (records stay line numbers)."""
    names = [f"c{i}" for i in range(fields)]
    body = src.read_all().removeprefix(_BOM)
    header = ",".join(names).encode() + b"\n"
    parsed = read_csv(src, [names[time_i], names[msg_i]], header + body)
    rejects = [Reject(r.file, r.record - 1, r.reason, r.offset) for r in parsed.rejects]
    data = Columns(parsed.columns, parsed.records - 1, rejects, "csv")
    return data, names[time_i], names[msg_i]


def _first_lines(head: bytes, count: int) -> list[str]:
    """The first ``count`` non-blank lines (a line cut off by the 64 KiB head is left out)."""
    pieces = head.removeprefix(_BOM).split(b"\n")
    if len(head) >= CHUNK:
        pieces = pieces[:-1]
    lines = []
    for raw in pieces:
        if raw.strip():
            lines.append(raw.decode("utf-8", errors="replace").strip())
            if len(lines) == count:
                break
    return lines


def _headerless(head: bytes) -> tuple[int, int, int] | None:
    """``(fields, time index, message index)`` if the first line is a data row, else None."""
    lines = _first_lines(head, 1)
    return _data_row(lines[0]) if lines else None


def _data_row(line: str) -> tuple[int, int, int] | None:
    try:
        fields = [f.strip() for f in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return None
    msg_i = next((i for i, f in enumerate(fields) if _HEX_RE.match(f)), None)
    time_i = next((i for i, f in enumerate(fields) if i != msg_i and _TIME_RE.match(f)), None)
    if msg_i is None or time_i is None:
        return None
    return len(fields), time_i, msg_i


def sniff(head: bytes, extension: str) -> bool:
    """True for CSV or JSON whose first record has a time and a hex Mode S message."""
    kind = container(head)
    if kind == "parquet":
        return False  # column names are in the footer, not in the head
    if kind == "csv":
        return _sniff_csv(head)
    text_head = head.removeprefix(_BOM).lstrip()
    if kind == "json":
        text_head = text_head[1:].lstrip()
    line = text_head.split(b"\n", 1)[0] if kind == "jsonl" else text_head
    obj = _first_object(line)
    return obj is not None and _is_message_record(obj)


def _sniff_csv(head: bytes) -> bool:
    """Header-less: the first two lines are rows; else a header naming both columns."""
    lines = _first_lines(head, 2)
    if not lines:
        return False
    if _data_row(lines[0]) is not None:
        return all(_data_row(line) is not None for line in lines)
    if len(lines) < 2:
        return False
    try:
        names = [n.strip().lower() for n in next(csv.reader(lines[:1]))]
        first = next(csv.reader(lines[1:2]))
    except (csv.Error, StopIteration):
        return False
    msg_i = next((names.index(c) for c in MESSAGE_NAMES if c in names), None)
    if msg_i is None or not any(c in names for c in TIME_NAMES) or len(first) != len(names):
        return False
    return bool(_HEX_RE.match(first[msg_i].strip()))


def _first_object(chunk: bytes) -> dict | None:
    """The first JSON object in ``chunk`` (a line, or the start of an array)."""
    try:
        obj, _ = json.JSONDecoder().raw_decode(chunk.decode("utf-8", errors="replace"))
    except (json.JSONDecodeError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def _is_message_record(obj: dict) -> bool:
    keys = {str(k).lower(): v for k, v in obj.items()}
    msg = next((keys[c] for c in MESSAGE_NAMES if c in keys), None)
    return (
        isinstance(msg, str)
        and bool(_HEX_RE.match(msg.strip()))
        and any(keys.get(c) is not None for c in TIME_NAMES)
    )
