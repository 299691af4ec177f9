"""Result tables for people at a terminal (rich).

Compact on purpose: file references show the file name only, coordinates five
decimals (about a metre), altitudes and gaps whole units. The exact values are
in the machine formats (``-o FILE``).
"""

from __future__ import annotations

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from airwitness.confidence import SEARCH_SIGMAS
from airwitness.report.tables import text_columns

_DECIMALS = {"lon": 5, "lat": 5, "alt_m": 0, "gap_s": 1, "confidence": 4}
_REFERENCES = {"before", "after"}
#: Crossing columns folded into one "rests on" cell at the terminal (all are in -o FILE)
_EVIDENCE = (
    "time_min",
    "time_max",
    "along_min_m",
    "along_max_m",
    "evidence",
    "depth_m",
    "sigma_m",
    "boundary_sigma_m",
)


def print_table(table: pa.Table, title: str, *, console: Console | None = None) -> None:
    """Print every row of ``table`` (a crossing's evidence folded into one cell)."""
    console = console or Console(width=240)
    if "confidence" in table.column_names and "evidence" in table.column_names:
        table = _folded(table)
    view = Table(title=f"{title} ({table.num_rows})")
    cols = text_columns(table)
    for name in cols:
        view.add_column(name, no_wrap=True)
    for values in zip(*cols.values(), strict=True):
        view.add_row(*(_cell(n, v) for n, v in zip(cols, values, strict=True)))
    console.print(view)


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{_DECIMALS.get(name, 3)}f}"
    if name in _REFERENCES and isinstance(value, str):
        return value.replace("\\", "/").rsplit("/", 1)[-1]
    return str(value)


def _folded(table: pa.Table) -> pa.Table:
    """The crossing's evidence as one readable cell: the deciding report, how deep it
    lay, its error and the boundary's."""
    cells = []
    rows = table.select(["evidence", "depth_m", "sigma_m", "boundary_sigma_m"]).to_pylist()
    for r in rows:
        if r["evidence"] is None:
            cells.append("no report inside")
            continue
        where = r["evidence"].replace("\\", "/").rsplit("/", 1)[-1]
        searched = SEARCH_SIGMAS * (r["sigma_m"] + r["boundary_sigma_m"])
        at_least = "≥ " if r["depth_m"] >= searched else ""  # the search stopped there
        cells.append(
            f"{where}: {at_least}{r['depth_m']:,.0f} m in, σ {r['sigma_m']:,.0f} m, "
            f"border σ {r['boundary_sigma_m']:,.0f} m"
        )
    keep = [c for c in table.column_names if c not in _EVIDENCE]
    at = keep.index("confidence") + 1
    out = table.select(keep)
    out = out.add_column(at, "rests on", pa.array(cells, pa.string()))
    return _folded_suspect(out) if "suspect_reason" in out.column_names else out


def _folded_suspect(table: pa.Table) -> pa.Table:
    """``suspect`` as ``yes`` or nothing: its reason is a sentence, in -o FILE."""
    cells = ["yes" if flag else "" for flag in table["suspect"].to_pylist()]
    out = table.drop_columns(["suspect_reason"])
    at = out.schema.get_field_index("suspect")
    return out.set_column(at, "suspect", pa.array(cells, pa.string()))
