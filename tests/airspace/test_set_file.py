"""The file a built-in set ships in: integer coordinates written and read back exactly."""

from __future__ import annotations

import pytest
import shapely

from airwitness.airspace.set_file import SetRow, read_set, write_set


def test_rows_round_trip_exactly(tmp_path):
    square = shapely.Polygon(
        [(44.1234567, 39.0), (45.0, 39.0), (45.0, 40.7654321), (44.1234567, 40.7654321)],
        [[(44.5, 39.5), (44.6, 39.5), (44.6, 39.6), (44.5, 39.5)]],
    )
    two = shapely.MultiPolygon(
        [shapely.box(-180, -90, -179.9999999, -89.9), shapely.box(1, 1, 2, 2)]
    )
    rows = [
        SetRow("UKR", "territory", square),
        SetRow("RUS+UKR", "territory", shapely.box(33, 44, 36, 46), claimants=("RUS", "UKR")),
        SetRow("SJM", "territory", two, sovereign="NOR"),
    ]
    path = tmp_path / "set.parquet"
    write_set(rows, {"dataset": "test"}, path)
    held = read_set(path.read_bytes())
    assert held.codes == ("RUS+UKR", "SJM", "UKR")  # sorted
    assert held.zones == ("territory",) * 3
    assert held.sovereign == {"SJM": "NOR"}
    assert held.claimants == {"RUS+UKR": ("RUS", "UKR")}
    assert held.provenance == {"dataset": "test"}
    geoms = held.geoms()
    assert geoms[2].equals_exact(shapely.MultiPolygon([square]), tolerance=0)
    assert geoms[1].equals_exact(two, tolerance=0)
    assert shapely.get_coordinates(geoms[2]).tolist() == shapely.get_coordinates(square).tolist()
    again = tmp_path / "again.parquet"
    write_set(list(reversed(rows)), {"dataset": "test"}, again)
    assert again.read_bytes() == path.read_bytes()  # deterministic, whatever the row order


def test_a_vertex_off_the_grid_is_refused(tmp_path):
    off = shapely.box(0, 0, 1.00000001, 1)
    with pytest.raises(ValueError, match="not on the 1e-7 degree grid"):
        write_set([SetRow("AAA", "territory", off)], {}, tmp_path / "x.parquet")
