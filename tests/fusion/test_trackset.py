"""fusion.trackset: a track's sensor and identity are its reports' most common ones."""

from __future__ import annotations

import pyarrow as pa

from airwitness.fusion import sensors_of
from airwitness.fusion.trackset import UNKNOWN, track_set
from tests.fusion.helpers import flight, prepared


def _with(table: pa.Table, name: str, values: list) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, table.schema.field(i), pa.array(values, table.schema.field(i).type))


def test_the_most_common_value_wins_ties_go_to_the_smallest_and_none_is_unknown():
    a = _with(flight("a", "mlat", times=[0, 1, 2, 3]), "sensor", ["mlat", "adsb", "adsb", None])
    b = _with(flight("b", "x", times=[0, 1]), "sensor", ["mlat", "adsb"])
    c = _with(flight("c", "x", times=[0, 1]), "sensor", [None, None])
    c = _with(c, "identity", ["4ca001", None])
    ts = track_set(prepared(a, b, c))
    assert ts.ids == ["a", "b", "c"]
    assert ts.sensor == ["adsb", "adsb", UNKNOWN]
    assert ts.identity == [None, None, "4ca001"]
    assert sensors_of(prepared(a, b, c)["sensor"]) == {"adsb", "mlat", None}
