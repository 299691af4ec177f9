"""Lines of CSV parsed straight into typed columns, where that gives what the text path gives.

The reader's own path (:mod:`._csvtext`) reads every cell as bytes so that no
cell can fail the file, and converts value by value afterwards: exact, and a
third of the engines' time on OpenSky's hourly CSV dumps. Most lines of such
files are plain (ASCII, no quotes, a number in every number column), and for
those Arrow's CSV reader can parse the numbers as it reads: the same parser the
conversion uses on the text (``cast`` to float64 or int64), so the values are
the same, and the reader's conversion then takes them as it takes Parquet's
numbers. Whenever that is not certain, :func:`typed_columns` gives ``None`` and
the caller takes the text path, which decides every row as it always has:

* text that is not ASCII (the text path checks UTF-8 value by value), quotes,
  or a CR that does not end a line (Arrow and the csv module split such lines
  their own ways);
* a cell that does not parse as its column's type (Arrow fails the whole chunk),
  or a line with the wrong number of fields;
* blank lines: rows and lines no longer correspond one to one.

Which columns come typed, and as what, is the format's decision
(``CSV_TYPES`` in its reader module): only types whose conversion is exactly
that of the text (integers that the text path would read as whole numbers,
floats, text as dictionaries).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.csv as pcsv

from airwitness.schema import one_array


def typed_columns(
    body: bytes,
    names: Sequence[str],
    types: Mapping[str, pa.DataType],
    newlines: int | None = None,
) -> dict[str, pa.Array] | None:
    """The ``types`` columns of ``body`` (whole lines without the header, columns
    ``names``; ``newlines`` line ends, counted here unless given), one row per
    line; ``None`` when the text path must decide."""
    if not body.isascii() or b'"' in body:
        return None
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
        return None
    if newlines is None:
        newlines = body.count(b"\n")
    lines = newlines + (0 if body.endswith(b"\n") else 1)
    # one block: one array a column
    read_options = pcsv.ReadOptions(column_names=list(names), block_size=len(body) + 1)
    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=read_options,
            parse_options=pcsv.ParseOptions(newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict(types),
                include_columns=list(types),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != lines:
        return None
    return {name: one_array(table.column(name)) for name in types}
