"""Association on the partitioned engines: the tracks of several sensors crossed together.

Inputs that may hold reports of several sensors (:func:`may_hold_several_sensors`)
are read once more before pass 1, for a sketch of every track
(:mod:`airwitness.engine.sketch`); the tracks that could take part in fusion are
then kept out of the spill, written whole (every canonical column) to side files,
and crossed together in one task by :func:`airwitness.engine.fused.fused_crossings`,
exactly as the memory engine crosses them. Every other track is crossed in its
partition, where fusion could not change its crossings. The results equal the
memory engine's (docs/fusion.md, docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from airwitness.engine.sources import CANONICAL, InputFile, filesystem, open_parquet, open_text
from airwitness.errors import InputError
from airwitness.io.batches import CHUNK, csv_header
from airwitness.schema import POSITION_SCHEMA, one_array

#: The one sensor of every report of a file of these formats (None: not stated);
#: a file of any other format (readsb traces: ADS-B, MLAT, TIS-B; ASTERIX: several
#: radars, CAT021; radar plots and detections; plain CSV's ``sensor`` column) may
#: hold several.
SENSOR_OF_FORMAT: dict[str, str | None] = {
    **dict.fromkeys(("opensky", "traffic", "sbs", "beast", "avr", "modes_raw"), "adsb"),
    **dict.fromkeys(("ulog", "dataflash", "mavlink"), "log"),
    "remoteid": "remoteid",
    **dict.fromkeys(("gpx", "kml"), None),
}
_UNKNOWN = object()  # a file whose sensors cannot be told without reading it

#: Peak memory per report of crossing tracks together with fusion (every column,
#: cleaning, association): the memory engine on 10 M reports of three sensors peaked
#: at 530 bytes a report (BENCHMARKS.md, association on the partitioned engines)
FUSED_ROW_BYTES = 550
#: Side files hold every canonical column, text as plain strings (each batch's
#: dictionaries differ); they are cast back to the canonical schema when read.
SIDE_SCHEMA = pa.schema(
    [
        f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
        for f in POSITION_SCHEMA
    ]
)


def may_hold_several_sensors(files: Sequence[InputFile]) -> bool:
    """Whether the reports of ``files`` may come from more than one sensor (then the
    partitioned engines sketch them first). A canonical Parquet file says by its
    ``sensor`` column's statistics; a format that may mix sensors says yes."""
    seen: set[str | None] = set()
    for f in files:
        sensors = _sensors_of_file(f)
        if sensors is _UNKNOWN:
            return True
        seen |= sensors  # type: ignore[operator]
        if len(seen) > 1:
            return True
    return False


def _sensors_of_file(f: InputFile) -> set[str | None] | object:
    if f.format == CANONICAL:
        return _canonical_sensors(f)
    if f.format == "csv" and f.container == "csv":
        return _csv_sensors(f)
    if f.format in SENSOR_OF_FORMAT:
        return {SENSOR_OF_FORMAT[f.format]}
    return _UNKNOWN


def _csv_sensors(f: InputFile) -> set[str | None] | object:
    """A plain CSV file without a ``sensor`` column states none."""
    try:
        with open_text(f) as raw:
            names = csv_header(f.name, raw.read(CHUNK))
    except (InputError, OSError):
        return _UNKNOWN  # the read pass will say what is wrong
    return _UNKNOWN if "sensor" in names else {None}


def _canonical_sensors(f: InputFile) -> set[str | None] | object:
    """The sensors a canonical Parquet file holds, by its statistics, if they tell."""
    try:
        with open_parquet(f.location, f.name) as fh:
            meta = pq.ParquetFile(fh).metadata
    except (InputError, OSError, ValueError):
        return _UNKNOWN  # the read pass will say what is wrong
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    if "sensor" not in names:
        return {None}
    index = names.index("sensor")
    out: set[str | None] = set()
    for g in range(meta.num_row_groups):
        chunk = meta.row_group(g).column(index)
        stats = chunk.statistics
        if stats is None or not stats.has_null_count:
            return _UNKNOWN
        if stats.null_count:
            out.add(None)
        if stats.null_count == chunk.num_values:
            continue
        if not stats.has_min_max or stats.min != stats.max:
            return _UNKNOWN
        out.add(stats.min if isinstance(stats.min, str) else bytes(stats.min).decode())
    return out


# --- side files -------------------------------------------------------------


def in_tracks(column: pa.ChunkedArray, tracks: pa.Array) -> np.ndarray:
    """Per row, whether its ``track_id`` is one of ``tracks`` (looked up once per
    distinct id when the column is a dictionary)."""
    parts = []
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            known = pc.is_in(chunk.dictionary, value_set=tracks).to_numpy(zero_copy_only=False)
            rows = chunk.indices.to_numpy(zero_copy_only=False)
            parts.append(known[rows])
        else:
            parts.append(pc.is_in(chunk, value_set=tracks).to_numpy(zero_copy_only=False))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def side_table(table: pa.Table) -> pa.Table:
    """``table``'s rows in :data:`SIDE_SCHEMA` (absent columns null)."""
    arrays = []
    for f in SIDE_SCHEMA:
        if f.name in table.column_names:
            arrays.append(one_array(table[f.name]).cast(f.type))
        else:
            arrays.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(arrays, schema=SIDE_SCHEMA)


class SideWriter:
    """One side file (Arrow IPC stream) of whole tracks, written batch by batch."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.rows = 0
        self._sink = None
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._writer is None:
            fs, where = filesystem(self.path)
            self._sink = fs.open_output_stream(where)
            self._writer = pa.ipc.new_stream(self._sink, SIDE_SCHEMA)
        self._writer.write_table(side_table(table))
        self.rows += table.num_rows

    def close(self) -> tuple[str, int] | None:
        """Where the rows are, or None when there were none."""
        if self._writer is None:
            return None
        self._writer.close()
        self._sink.close()  # type: ignore[attr-defined]
        return self.path, self.rows


def read_side(paths: Sequence[str]) -> pa.Table:
    """The side files' rows in one canonical table."""
    tables = []
    for path in paths:
        fs, where = filesystem(path)
        with fs.open_input_stream(where) as fh:
            tables.append(pa.ipc.open_stream(fh).read_all())
    if not tables:
        return POSITION_SCHEMA.empty_table()
    whole = pa.concat_tables(tables)
    arrays = [pc.cast(whole[f.name], f.type) for f in POSITION_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=POSITION_SCHEMA)
