"""Binding off loopback needs a token; with one, every API request must carry it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from airwitness.errors import UsageError
from airwitness.web import create_app, serve
from airwitness.web import server as server_module
from airwitness.web.security import check_bind, is_loopback, loopback_hosts

TOKEN = "s3cret-token"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_needs_no_token(host):
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", ""])
def test_off_loopback_without_token_refuses_to_start(host, monkeypatch):
    monkeypatch.delenv("AIRWITNESS_TOKEN", raising=False)
    with pytest.raises(UsageError) as err:
        serve(None, None, host=host, port=8750, token=None)
    message = str(err.value)
    assert "\n" not in message and "token" in message
    check_bind(host, TOKEN)  # a token makes it acceptable


def test_token_from_the_environment(monkeypatch):
    """With AIRWITNESS_TOKEN set, serve() gets past the check (and then binds)."""
    monkeypatch.setenv("AIRWITNESS_TOKEN", TOKEN)

    class Bound(Exception):
        pass

    def fake_bind(host, port):
        raise Bound(host)

    monkeypatch.setattr(server_module, "bind_socket", fake_bind)
    with pytest.raises(Bound):
        serve(None, None, host="0.0.0.0", port=8750)


def test_port_in_use_is_a_usage_error():
    sock = server_module.bind_socket("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        with pytest.raises(UsageError, match="cannot listen"):
            server_module.bind_socket("127.0.0.1", port)
    finally:
        sock.close()


@pytest.fixture(scope="module")
def guarded(caucasus_store) -> TestClient:
    return TestClient(create_app(caucasus_store, None, TOKEN), raise_server_exceptions=False)


def test_api_requests_without_the_token_are_refused(guarded):
    for path in ("/api/info", "/api/crossings?into=IRN", "/api/tracks/UAV-1", "/api/airspace"):
        r = guarded.get(path)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == "Bearer"
        assert "token" in r.json()["detail"]
    assert guarded.get("/api/info", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/api/info", params={"token": "wrong"}).status_code == 401
    assert guarded.get("/api/info", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    r = guarded.post("/api/upload", files={"file": ("a.csv", b"x")})
    assert r.status_code == 401


def test_api_requests_with_the_token_pass(guarded):
    r = guarded.get(
        "/api/crossings", params={"into": "IRN"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert r.status_code == 200 and r.json()["total"] == 7
    r = guarded.get("/api/crossings.csv", params={"into": "IRN", "token": TOKEN})
    assert r.status_code == 200 and r.text.count("\n") == 8


def test_pages_and_assets_load_without_the_token(guarded):
    for path in ("/", "/crossings", "/track?id=UAV-1", "/static/app/common.js", "/openapi.json"):
        assert guarded.get(path).status_code == 200, path
    schema = guarded.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert schema["paths"]["/api/crossings"]["get"]["security"] == [{"token": []}]


def test_cross_site_posts_are_refused(client):
    files = {"file": ("a.csv", b"track_id,time,lat,lon\n")}
    r = client.post("/api/upload", files=files, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/upload", files=files, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    r = client.post("/api/upload", files=files, headers={"Origin": "null"})
    assert r.status_code == 403


def test_loopback_server_refuses_other_host_names(caucasus_store):
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends Host: evil.example."""
    app = create_app(caucasus_store, None, None, allowed_hosts=loopback_hosts("127.0.0.1"))
    local = TestClient(app, base_url="http://127.0.0.1:8750")
    assert local.get("/api/info").status_code == 200
    assert local.get("/api/info", headers={"Host": "localhost:8750"}).status_code == 200
    assert local.get("/api/info", headers={"Host": "[::1]:8750"}).status_code == 200
    r = local.get("/api/info", headers={"Host": "evil.example:8750"})
    assert r.status_code == 403 and "Host" in r.json()["detail"]
