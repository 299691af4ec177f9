"""polygonal: what a boundary set keeps of a drawn shape."""

from __future__ import annotations

import pytest
import shapely

from airwitness.airspace.polygonal import polygonal


def test_polygonal_repairs_bow_ties() -> None:
    bow = shapely.from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
    fixed = polygonal(bow)
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    assert fixed.area == pytest.approx(0.5)
