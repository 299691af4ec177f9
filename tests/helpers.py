"""Small builders shared by tests: canonical tables and airspaces made by hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import shapely

from airwitness.schema import make_table

T0 = 1_750_000_000 * 10**9  # 2025-06-15T15:06:40Z


def reports(
    points: Sequence[tuple[float, float, float]],
    *,
    track: str = "t1",
    alt_m: Sequence[float] | None = None,
    source_file: str = "hand.csv",
) -> pa.Table:
    """A canonical table from (seconds after T0, lon, lat) triples, records 1..n."""
    secs = np.array([p[0] for p in points], dtype=np.float64)
    cols = {
        "track_id": [track] * len(points),
        "time": (T0 + np.round(secs * 1e9)).astype(np.int64),
        "lon": [p[1] for p in points],
        "lat": [p[2] for p in points],
        "source_record": list(range(1, len(points) + 1)),
    }
    if alt_m is not None:
        cols["alt_m"] = list(alt_m)
    return make_table(cols, source="csv", source_file=source_file)


def hand_airspace(named: dict[str, shapely.Geometry]):
    """An Airspace of the given code -> polygon pairs (all zone ``land``)."""
    from airwitness.airspace import Airspace, BoundarySet

    codes = tuple(named)
    return Airspace(
        BoundarySet(
            codes=codes,
            zones=tuple("land" for _ in codes),
            geoms=tuple(named.values()),
            provenance={"dataset": "hand-built test set"},
        )
    )
