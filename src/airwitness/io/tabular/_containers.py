"""Column-oriented inputs: CSV, Parquet, JSON array of records, JSON Lines.

The container is told by content (``PAR1`` magic, a leading ``[`` or ``{``,
otherwise CSV). The result is the wanted columns as raw Arrow arrays plus the
record number of each row: CSV line number (header = line 1), Parquet row
number (1-based), 1-based index in a JSON array, or JSON Lines line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from airwitness import reasons
from airwitness.io._source import CHUNK, Source
from airwitness.io.tabular._csvtext import header_names, read_csv
from airwitness.schema import Reject

PARQUET_MAGIC = b"PAR1"


@dataclass
class Columns:
    columns: dict[str, pa.Array]
    records: np.ndarray
    rejects: list[Reject] = field(default_factory=list)
    container: str = "csv"

    def __len__(self) -> int:
        return len(self.records)

    def get(self, name: str) -> pa.Array:
        """The column, or all nulls when the file does not have it."""
        if name in self.columns:
            return self.columns[name]
        return pa.nulls(len(self))


def container(head: bytes) -> str:
    """``parquet``, ``json``, ``jsonl`` or ``csv`` from the first bytes of the content."""
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    return "csv"


def column_names(src: Source, head: bytes) -> list[str]:
    """Column or key names visible at the start of a file (for sniffing)."""
    kind = container(head)
    if kind == "parquet":
        return [n.lower() for n in _parquet_file(src).schema_arrow.names]
    if kind in ("json", "jsonl"):
        return _json_keys(head)
    return header_names(src, head)


def load(src: Source, wanted: Collection[str], required: Collection[str], fmt: str) -> Columns:
    """The wanted columns that exist; InputError when a required one is absent."""
    kind = container(src.head(CHUNK))
    if kind == "parquet":  # read by columns, never as a whole
        out = _parquet(src, wanted)
        _require(src, required, set(out.columns), fmt)
        return out
    data = src.read_all()
    if not data or data.isspace():  # isspace() stops at the first other byte
        raise src.fail("empty file")
    if kind == "csv":
        _require(src, required, set(header_names(src, data[:CHUNK])), fmt)  # before parsing
        text = read_csv(src, wanted, data)
        return Columns(text.columns, text.records, text.rejects, "csv")
    out, names = (_json_array if kind == "json" else _json_lines)(src, data, wanted)
    if len(out) + len(out.rejects) > 0:  # an empty array has no columns to check
        _require(src, required, names, fmt)
    return out


def _require(src: Source, required: Collection[str], names: set[str], fmt: str) -> None:
    missing = [c for c in required if c not in names]
    if missing:
        raise src.fail(f"missing required column(s) for {fmt}: {', '.join(missing)}")


def _parquet_file(src: Source) -> pq.ParquetFile:
    local = src.local_path()
    target = str(local) if local is not None else pa.BufferReader(src.read_all())
    try:
        return pq.ParquetFile(target)
    except (pa.ArrowInvalid, OSError) as e:
        raise src.fail(f"unreadable Parquet: {e}") from None


def _parquet(src: Source, wanted: Collection[str]) -> Columns:
    pf = _parquet_file(src)
    actual = {n.lower(): n for n in reversed(pf.schema_arrow.names)}
    present = [w for w in dict.fromkeys(wanted) if w in actual]
    try:
        table = pf.read(columns=[actual[w] for w in present])
    except (pa.ArrowInvalid, OSError) as e:
        raise src.fail(f"unreadable Parquet: {e}") from None
    cols = {w: table.column(actual[w]).combine_chunks() for w in present}
    n = table.num_rows
    return Columns(cols, np.arange(1, n + 1, dtype=np.int64), container="parquet")


def _json_array(src: Source, data: bytes, wanted: Collection[str]) -> tuple[Columns, set[str]]:
    try:
        rows = json.loads(data)
    except json.JSONDecodeError as e:
        raise src.fail(f"unparseable JSON: {e.msg}", e.lineno) from None
    except UnicodeDecodeError:
        raise src.fail("JSON is not UTF-8 text") from None
    if not isinstance(rows, list):
        raise src.fail("JSON is not an array of records")
    return _from_objects(src, rows, np.arange(1, len(rows) + 1, dtype=np.int64), wanted)


def _json_lines(src: Source, data: bytes, wanted: Collection[str]) -> tuple[Columns, set[str]]:
    rows: list[object] = []
    numbers: list[int] = []
    rejects: list[Reject] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
            numbers.append(number)
        except (json.JSONDecodeError, UnicodeDecodeError):
            rejects.append(Reject(src.name, number, reasons.BAD_JSON))
    out, names = _from_objects(src, rows, np.asarray(numbers, dtype=np.int64), wanted)
    out.rejects = sorted([*rejects, *out.rejects])
    out.container = "jsonl"
    return out, names


def _from_objects(
    src: Source, rows: list, records: np.ndarray, wanted: Collection[str]
) -> tuple[Columns, set[str]]:
    """Columns from a list of JSON objects; non-objects are rejected as ``not an object``."""
    is_obj = np.fromiter((isinstance(r, dict) for r in rows), dtype=bool, count=len(rows))
    rejects = [Reject(src.name, int(n), reasons.NOT_AN_OBJECT) for n in records[~is_obj]]
    objs = [r for r in rows if isinstance(r, dict)] if rejects else rows
    keys: set[str] = set()
    for r in objs:
        keys.update(r)
    cols = {w: _py_array([r.get(w) for r in objs]) for w in dict.fromkeys(wanted) if w in keys}
    return Columns(cols, records[is_obj], rejects, "json"), keys


def _py_array(values: list) -> pa.Array:
    """Arrow array of JSON values; mixed types become text, converted value by value later."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array(
            [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values],
            type=pa.string(),
        )


def _json_keys(head: bytes) -> list[str]:
    """Keys of the first JSON object in ``head`` (which may be cut short)."""
    text = head.decode("utf-8", errors="replace")
    start = text.find("{")
    end = text.find("}", start)
    chunk = text[start : end if end > 0 else len(text)]
    return [k.lower() for k in re.findall(r'"([^"\\]+)"\s*:', chunk)]
