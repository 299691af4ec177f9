"""A store of the Caucasus example files and one app over it, shared by the web tests.

Building the app (reading the store, labelling, crossings) takes seconds, so the
read-only tests share one; tests that upload build their own over their own store.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install fastapi)")
pytest.importorskip("httpx", reason="the API tests need httpx")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient may warn about httpx versions
    from fastapi.testclient import TestClient

from airwitness import store as store_api
from airwitness.web import create_app

CAUCASUS = Path(__file__).resolve().parents[2] / "examples" / "caucasus"
FILES = ("opensky_states.csv", "drones.gpx", "helicopter.kml")


@pytest.fixture(scope="session")
def caucasus_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web-store") / "caucasus.duckdb"
    results = store_api.ingest([CAUCASUS / f for f in FILES], path)
    assert [r.status for r in results] == ["stored"] * 3
    return path


@pytest.fixture(scope="session")
def web_app(caucasus_store):
    return create_app(caucasus_store, CAUCASUS / "case.yaml", None)


@pytest.fixture(scope="session")
def client(web_app) -> TestClient:
    return TestClient(web_app, raise_server_exceptions=False)
