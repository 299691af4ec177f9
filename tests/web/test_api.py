"""The JSON API over the Caucasus example store: exact counts, filters, pages, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from airwitness.errors import InputError
from airwitness.web.query import encode_cursor
from airwitness.web.security import CSP

CASE_ID = "drones-into-iran-through-azerbaijan-june-2025"


def _all(client, path: str, params: dict, limit: int) -> list[dict]:
    """Every item of a list, page by page, checking each page's shape."""
    items, cursor, totals = [], None, set()
    while True:
        r = client.get(path, params={**params, "limit": limit, "cursor": cursor})
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "total", "next"}
        assert len(page["items"]) <= limit
        items += page["items"]
        totals.add(page["total"])
        cursor = page["next"]
        if cursor is None:
            break
    assert totals == {len(items)}
    return items


def test_info_counts(client):
    info = client.get("/api/info").json()
    assert (info["files"], info["tracks"], info["crossings"]) == (3, 14, 32)
    assert info["records"] == 4846 and info["reports"] == 4836
    assert info["rejects"] == {"duplicate": 4, "no position": 5, "position outlier": 1}
    assert info["time_span"] == {
        "first": "2025-06-13T04:20:07.712Z",
        "last": "2025-06-22T07:58:00.000Z",
    }
    assert {"AZE", "IRN", "ARM", "GEO", "TUR", "RUS"} <= set(info["codes"])
    assert info["colours"]["IRN"].startswith("#") and info["cases"] == [CASE_ID]
    assert info["store"] == "caucasus.duckdb"  # the name, never the folder
    assert info["dataset"] == (
        "OpenStreetMap country borders with maritime limits, simplified to 10 m; "
        "© OpenStreetMap contributors, licensed under the Open Database License (ODbL) 1.0"
    )


def test_crossings_into_iran(client):
    page = client.get("/api/crossings", params={"into": "IRN"}).json()
    # AHY71 (600a1c) enters Iran four times over OpenStreetMap's border: the Aras bends
    assert page["total"] == 7 and page["next"] is None
    assert {c["to"] for c in page["items"]} == {"IRN"}
    assert sorted(c["track_id"] for c in page["items"]) == [
        "4ba9e4", "600a1c", "600a1c", "600a1c", "600a1c", "UAV-1", "UAV-3",
    ]  # fmt: skip
    times = [c["time"] for c in page["items"]]
    assert times == sorted(times)
    first = page["items"][0]
    assert first == {
        "track_id": "600a1c",
        "segment": 0,
        "time": "2025-06-13T04:40:45.943Z",
        "lon": pytest.approx(47.8247, abs=1e-4),
        "lat": pytest.approx(39.6615, abs=1e-4),
        "alt_m": pytest.approx(9144.0, abs=0.1),
        "from": "AZE",
        "to": "IRN",
        "kind": "observed",
        "gap_s": pytest.approx(10.092),
        "before": "opensky_states.csv:125",
        "after": "opensky_states.csv:126",
        # its path clips a bend of the Aras between two reports in Azerbaijan: no report
        # inside Iran, so no evidence of having entered (AHY71 enters 4 s later, for sure)
        "confidence": 0.0,
        "time_min": "2025-06-13T04:40:38.369Z",
        "time_max": "2025-06-13T04:40:48.461Z",
        "along_min_m": pytest.approx(-1569.71, abs=0.01),
        "along_max_m": pytest.approx(521.88, abs=0.01),
        "evidence": None,
        "depth_m": None,
        "sigma_m": None,
        "boundary_sigma_m": 15.0,
        # one ADS-B source and GPX/KML tracks of other objects: nothing associated
        "sensors": 1,
        "corroborated_by": [],
        "suspect": False,
        "suspect_reason": None,
    }


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({}, 32),
        ({"from": "AZE", "into": "IRN"}, 7),
        ({"into": ["IRN", "ARM"]}, 11),
        ({"kind": "inferred"}, 3),
        ({"kind": "observed"}, 29),
        ({"since": "2025-06-14", "until": "2025-06-14"}, 2),  # a date: its whole day
        ({"since": "2025-06-14T13:00Z", "until": "2025-06-14T14:00Z"}, 1),
        ({"bbox": "48.9,38.4,49.1,38.5"}, 2),  # off Astara: 600b07 and UAV-3
        ({"track_id": "600a1c"}, 8),
        ({"into": "INTL"}, 0),
    ],
)
def test_crossing_filters(client, params, total):
    assert client.get("/api/crossings", params=params).json()["total"] == total


def test_crossings_pagination_round_trip(client):
    whole = client.get("/api/crossings", params={"limit": 1000}).json()["items"]
    assert len(whole) == 32
    for limit in (1, 3, 7, 32):
        assert _all(client, "/api/crossings", {}, limit) == whole
    assert _all(client, "/api/crossings", {"into": "IRN"}, 2) == [
        c for c in whole if c["to"] == "IRN"
    ]


def test_tracks_list_filters_and_pages(client):
    tracks = _all(client, "/api/tracks", {}, 4)
    assert len(tracks) == 14
    assert [t["first_seen"] for t in tracks] == sorted(t["first_seen"] for t in tracks)
    uav1 = next(t for t in tracks if t["track_id"] == "UAV-1")
    assert uav1["airspaces"] == ["AZE", "IRN"] and uav1["reports"] == 506 and uav1["crossings"] == 1
    ahy = next(t for t in tracks if t["track_id"] == "600a1c")
    assert (ahy["segments"], ahy["crossings"], ahy["callsign"]) == (2, 8, "AHY71")

    def ids(params):
        return sorted(t["track_id"] for t in _all(client, "/api/tracks", params, 100))

    assert ids({"airspace": "IRN"}) == sorted(
        ["600a1c", "UAV-1", "600b07", "730c4a", "7301b5", "4ba9e4", "UAV-3", "896458"]
    )
    assert ids({"since": "2025-06-14", "until": "2025-06-14"}) == ["600b07", "UAV-1"]
    assert ids({"bbox": "44,41,45,41.5"}) == ["HELI-1", "HELI-2"]
    assert len(ids({"airspace": ["GEO", "ARM"]})) == 6


def test_track_detail_and_report_pages(client):
    r = client.get("/api/tracks/UAV-1", params={"limit": 200})
    assert r.status_code == 200
    body = r.json()
    assert body["summary"]["track_id"] == "UAV-1"
    assert [(c["from"], c["to"]) for c in body["crossings"]] == [("AZE", "IRN")]
    assert body["reports"]["total"] == 506 and len(body["reports"]["items"]) == 200
    reports = list(body["reports"]["items"])
    cursor = body["reports"]["next"]
    while cursor:
        page = client.get("/api/tracks/UAV-1", params={"limit": 200, "cursor": cursor}).json()
        reports += page["reports"]["items"]
        cursor = page["reports"]["next"]
    assert len(reports) == 506
    assert [r["time"] for r in reports] == sorted(r["time"] for r in reports)
    assert {r["airspace"] for r in reports} == {"AZE", "IRN"}
    assert reports[0]["source_file"] == "drones.gpx"


def test_tracks_geojson_runs(client):
    doc = client.get("/api/tracks.geojson", params={"airspace": "IRN"}).json()
    assert doc["type"] == "FeatureCollection" and doc["truncated"] is False
    by_track = {}
    for f in doc["features"]:
        assert f["geometry"]["type"] == "LineString" and len(f["geometry"]["coordinates"]) >= 2
        p = f["properties"]
        assert p["t0_ms"] <= p["t1_ms"]
        by_track.setdefault(p["track_id"], []).append(p["airspace"])
    assert len(by_track) == 8
    assert by_track["UAV-1"] == ["AZE", "IRN"]


def test_profile_svg(client):
    for quantity in ("alt", "speed"):
        r = client.get("/api/profile", params={"track_id": "UAV-1", "quantity": quantity})
        assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
        assert r.text.startswith("<svg") and 'class="pl"' in r.text  # the profile line


def test_downloads_use_the_same_filters(client):
    r = client.get("/api/crossings.csv", params={"into": "IRN"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 7 and {row["to"] for row in rows} == {"IRN"}
    r = client.get("/api/crossings.geojson", params={"into": "IRN", "kind": "observed"})
    doc = r.json()
    assert r.headers["content-type"].startswith("application/geo+json")
    assert len(doc["features"]) == 7
    assert doc["features"][0]["geometry"]["type"] == "Point"


def test_airspace_simplified_by_zoom(client):
    world = client.get("/api/airspace", params={"zoom": 2})
    doc = world.json()
    assert doc["zoom"] == 2 and doc["type"] == "FeatureCollection"
    codes = {f["properties"]["code"] for f in doc["features"]}
    assert {"AZE", "IRN", "ARM", "GEO"} <= codes
    assert {f["properties"]["zone"] for f in doc["features"]} == {"territory"}  # the osm set
    fine = client.get("/api/airspace", params={"zoom": 8, "bbox": "44,38,50,42"})
    doc8 = fine.json()
    assert doc8["zoom"] == 8 and doc8["tolerance_deg"] < doc["tolerance_deg"]
    assert "AZE" in {f["properties"]["code"] for f in doc8["features"]}
    assert "USA" not in {f["properties"]["code"] for f in doc8["features"]}

    def vertices(d, code):
        return sum(
            len(ring)
            for f in d["features"]
            if f["properties"]["code"] == code
            for poly in f["geometry"]["coordinates"]
            for ring in poly
        )

    assert vertices(doc8, "AZE") > 5 * vertices(doc, "AZE")
    # The world is never served above zoom 5, whatever is asked (bounded responses).
    assert client.get("/api/airspace", params={"zoom": 14}).json()["zoom"] == 5
    assert client.get("/api/airspace", params={"zoom": 2}).content == world.content  # cached


def test_coverage_matches_the_case_report(client):
    r = client.get(
        "/api/coverage",
        params={"via": "AZE", "into": "IRN", "since": "2025-06-13", "until": "2025-06-24"},
    )
    assert r.status_code == 200
    cov = r.json()
    report = client.get(f"/api/cases/{CASE_ID}").json()
    assert cov["fraction"] == report["coverage"]["fraction"]
    assert len(cov["stretches"]) == len(report["coverage"]["stretches"])
    assert cov["bins"] == report["coverage"]["bins"]
    assert all(0 <= s["covered_fraction"] <= 1 for s in cov["stretches"])


def test_cases(client):
    page = client.get("/api/cases").json()
    assert page["total"] == 1 and page["next"] is None
    case = page["items"][0]
    assert case["id"] == CASE_ID and case["verdict"] == "confirmed"
    detail = client.get(f"/api/cases/{CASE_ID}").json()
    assert sorted(f["track_id"] for f in detail["findings"]) == ["UAV-1", "UAV-3"]
    assert detail["numbers"]["findings"] == 2
    assert all(len(i["sha256"]) == 64 for i in detail["inputs"])
    html = client.get(case["report_html"])
    assert html.status_code == 200 and "confirmed" in html.text
    assert "'unsafe-inline'" in html.headers["content-security-policy"]
    assert "http" not in html.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/crossings", {"since": "yesterday"}, "since"),
        ("/api/crossings", {"until": "2025-13-45"}, "until"),
        ("/api/crossings", {"since": "2025-06-15", "until": "2025-06-14"}, "until"),
        ("/api/crossings", {"limit": 0}, "limit"),
        ("/api/crossings", {"limit": 5000}, "limit"),
        ("/api/crossings", {"kind": "guessed"}, "kind"),
        ("/api/crossings", {"bbox": "1,2,3"}, "bbox"),
        ("/api/crossings", {"bbox": "10,50,20,40"}, "bbox"),
        ("/api/crossings", {"into": "XXX"}, "into"),
        ("/api/crossings", {"from": "Iran"}, "from"),
        ("/api/crossings", {"cursor": "not-a-cursor"}, "cursor"),
        ("/api/tracks", {"airspace": "ZZZ"}, "airspace"),
        ("/api/tracks/UAV-1", {"limit": -1}, "limit"),
        ("/api/airspace", {"zoom": 99}, "zoom"),
        ("/api/coverage", {"into": "IRN"}, "via"),
        ("/api/coverage", {"via": "INTL", "into": "IRN"}, "via"),
        ("/api/coverage", {"via": "IRN", "into": "IRN"}, "into"),
        ("/api/coverage", {"via": "AZE", "into": "IRN", "bin_min": 0}, "bin_min"),
        ("/api/profile", {"track_id": "UAV-1", "quantity": "colour"}, "quantity"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client, path, params, field):
    r = client.get(path, params=params)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail
    assert any(d["loc"][-1] == field for d in detail), detail


def test_stale_cursor_is_410(client):
    r = client.get("/api/crossings", params={"cursor": encode_cursor(99, 0)})
    assert r.status_code == 410 and "start again" in r.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/tracks/no-such-track",
        "/api/cases/no-such-case",
        "/api/cases/no-such-case/report.html",
        "/api/profile?track_id=no-such-track",
        "/api/nothing-here",
        "/no-such-page",
    ],
)
def test_not_found(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert isinstance(r.json()["detail"], str)


@pytest.mark.parametrize(
    "path",
    [
        "/api/tracks/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/tracks/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/api/tracks/../../../../etc/passwd",
        "/static/app/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/leaflet/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/api/profile?track_id=../../../../etc/passwd",
    ],
)
def test_path_traversal_in_ids_and_static_files(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text


def test_security_headers_everywhere(client):
    paths = ("/", "/crossings", "/api/info", "/static/app/map.js", "/static/leaflet/leaflet.js")
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "http" not in CSP and "default-src 'none'" in CSP


def test_pages_hold_no_data(client):
    page = client.get("/crossings").text
    assert "opensky" not in page and "600a1c" not in page
    assert '<script src="/static/app/crossings.js">' in page


def test_openapi_lists_every_endpoint_with_models(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/tracks",
        "/api/tracks/{track_id}",
        "/api/tracks.geojson",
        "/api/crossings",
        "/api/crossings.csv",
        "/api/crossings.geojson",
        "/api/airspace",
        "/api/coverage",
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/upload",
        "/api/info",
        "/api/profile",
    ):
        assert path in paths, path
    ok = paths["/api/crossings"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/CrossingPage")
    assert "from" in schema["components"]["schemas"]["Crossing"]["properties"]
    assert "/" not in paths  # pages are not API


def test_errors_never_leak_tracebacks_or_paths(web_app, client):
    def boom() -> None:
        raise OSError(2, "No such file or directory", "/secret/place/evidence.csv")

    def locked() -> None:
        raise InputError("/secret/place/other.duckdb", "locked by another process")

    web_app.add_api_route("/api/test-boom", boom)
    web_app.add_api_route("/api/test-locked", locked)
    try:
        r = client.get("/api/test-boom")
        assert r.status_code == 500
        assert r.json() == {"detail": "internal server error (logged on the server)"}
        assert "secret" not in r.text and "Traceback" not in r.text
        r = client.get("/api/test-locked")
        assert r.status_code == 503
        assert r.json() == {"detail": "other.duckdb: locked by another process"}
    finally:
        web_app.router.routes[:] = [
            route
            for route in web_app.router.routes
            if getattr(route, "path", "") not in ("/api/test-boom", "/api/test-locked")
        ]


def test_json_is_strict(client):
    """No NaN or Infinity anywhere (unknown values are null)."""

    def refuse(constant: str) -> None:
        pytest.fail(f"{constant} in a JSON response")

    for path in ("/api/crossings?limit=1000", "/api/tracks/600a1c?limit=10000", "/api/info"):
        json.loads(client.get(path).text, parse_constant=refuse)
