"""Uploads: ingested under a server-chosen name, checked, size-limited, then served."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient

from airwitness import store as store_api
from airwitness.web import create_app

from .conftest import CAUCASUS

LIMIT = 1_000_000  # bytes; drones.gpx is 163 kB


@pytest.fixture(scope="module")
def upload_env(tmp_path_factory):
    """A store holding only the OpenSky file, and an app that accepts uploads of 1 MB."""
    root = tmp_path_factory.mktemp("upload")
    store = root / "data" / "evidence.duckdb"
    store.parent.mkdir()
    store_api.ingest([CAUCASUS / "opensky_states.csv"], store)
    app = create_app(store, None, None, max_upload_bytes=LIMIT)
    return root, store, TestClient(app, raise_server_exceptions=False)


def _uploads(store):
    folder = store.parent / f"{store.stem}-uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_upload_ingests_and_recomputes(upload_env):
    root, store, client = upload_env
    before = client.get("/api/crossings", params={"into": "IRN", "limit": 1}).json()
    assert before["total"] == 5  # the airliners only (AHY71 enters Iran four times)
    stale = before["next"]
    data = (CAUCASUS / "drones.gpx").read_bytes()
    r = client.post("/api/upload", files={"file": ("../../evil/../drones.gpx", data)})
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["status"] == "stored" and res["format"] == "gpx" and res["reports"] == 1565
    assert res["name"] == f"{res['sha256'][:16]}.gpx" and res["size"] == len(data)
    assert res["crossings"] == 30 and res["tracks"] == 12
    assert client.get("/api/crossings", params={"into": "IRN"}).json()["total"] == 7
    # The old cursor belongs to the old data.
    assert client.get("/api/crossings", params={"cursor": stale}).status_code == 410
    # Nothing written outside the uploads folder, and only under the server's name.
    assert _uploads(store) == [res["name"]]
    assert not any("evil" in p for _, dirs, files in os.walk(root) for p in dirs + files)
    info = client.get("/api/info").json()
    assert info["files"] == 2 and info["generation"] == 2
    # The source file is named relative to the store's folder, not by a server path.
    uav = client.get("/api/tracks/UAV-1", params={"limit": 1}).json()
    assert uav["reports"]["items"][0]["source_file"] == f"evidence-uploads/{res['name']}"
    # The same content again: skipped, nothing recomputed.
    again = client.post("/api/upload", files={"file": ("copy.gpx", data)}).json()
    assert again["status"] == "skipped" and client.get("/api/info").json()["generation"] == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.bin", b"hello, this is not a capture\n" * 20, "not a supported input"),
        ("..\\..\\x.csv", b"", "empty"),
        ("/etc/passwd", b"\x00\x01\x02garbage" * 100, "not a supported input"),
    ],
)
def test_unreadable_uploads_are_422_and_leave_nothing(upload_env, name, content, reason):
    _, store, client = upload_env
    before = _uploads(store)
    r = client.post("/api/upload", files={"file": (name, content)})
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"]
    assert "/" not in r.json()["detail"].replace("w/", "")  # no server path in the message
    assert _uploads(store) == before


def test_missing_file_field_is_422(upload_env):
    _, _, client = upload_env
    r = client.post("/api/upload", data={"other": "x"})
    assert r.status_code == 422
    assert any(d["loc"][-1] == "file" for d in r.json()["detail"])


def test_oversized_upload_is_413(upload_env):
    _, store, client = upload_env
    before = _uploads(store)
    big = b"0" * (LIMIT + 200_000)
    r = client.post("/api/upload", files={"file": ("big.csv", big)})
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    assert _uploads(store) == before


def test_oversized_streamed_upload_is_413(upload_env):
    """Without a Content-Length (chunked), the count of arriving bytes stops it."""
    _, store, client = upload_env
    before = _uploads(store)
    boundary = "aw-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()

    def body():
        yield head
        for _ in range(30):
            yield b"1" * 65536  # ~2 MB in all
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        "/api/upload",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413
    assert _uploads(store) == before


def test_upload_without_a_store_is_409(tmp_path):
    client = TestClient(create_app(None, None, None))
    r = client.post("/api/upload", files={"file": ("a.gpx", b"<gpx/>")})
    assert r.status_code == 409 and "--store" in r.json()["detail"]
    info = client.get("/api/info").json()
    assert (info["tracks"], info["crossings"], info["upload"]) == (0, 0, False)
    assert client.get("/api/crossings").json() == {"items": [], "total": 0, "next": None}
    assert client.get("/api/tracks.geojson").json()["features"] == []


def test_uploaded_detections_are_tracked(tmp_path):
    """A passive sensor's geographic detections, uploaded: stored as detections and
    tracked when the store is read, so the map shows the track they make."""
    from tests.tracking.sightings import write_sightings

    store = tmp_path / "data" / "evidence.duckdb"
    store.parent.mkdir()
    client = TestClient(create_app(store, None, None), raise_server_exceptions=False)
    data = write_sightings(tmp_path / "rf.csv").read_bytes()
    r = client.post("/api/upload", files={"file": ("rf.csv", data)})
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["status"] == "stored" and res["format"] == "detections"
    assert res["tracks"] == 1
    track = client.get("/api/tracks/detect:RF-EAST:1", params={"limit": 1}).json()
    assert track["reports"]["total"] == 60


def test_uploaded_radar_plots_are_read_with_the_server_s_options(tmp_path):
    """serve --date --sensors: an uploaded CAT048 capture of plots is read with them
    and its drones' crossings are on the map (examples/radar: 9 true crossings)."""
    import datetime as dt

    from airwitness.io.options import ReadOptions
    from airwitness.web.state import Reading

    radar = CAUCASUS.parent / "radar"
    store = tmp_path / "data" / "evidence.duckdb"
    store.parent.mkdir()
    options = ReadOptions(date=dt.date(2025, 6, 16), sensors=radar / "sensors.csv")
    app = create_app(store, None, None, reading=Reading(options))
    client = TestClient(app, raise_server_exceptions=False)
    data = (radar / "plots.ast").read_bytes()
    r = client.post("/api/upload", files={"file": ("plots.ast", data)})
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["status"] == "stored" and res["format"] == "asterix"
    assert (res["tracks"], res["crossings"]) == (12, 9)
    # plot times are 1/128 s, not whole microseconds: every page must still show them
    crossings = client.get("/api/crossings", params={"into": "IRN"}).json()
    assert crossings["total"] == 4  # T01, T03, T08 and F01 enter Iran
    track = crossings["items"][0]["track_id"]
    reports = client.get(f"/api/tracks/{track}").json()["reports"]
    assert reports["total"] > 100 and reports["items"][0]["time"].endswith("Z")
    speed = client.get("/api/profile", params={"track_id": track, "quantity": "speed"})
    assert speed.status_code == 200 and speed.text.startswith("<svg")
