"""The example evidence files, and one store holding them all shared by the store tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.store import ingest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(
    [
        *(EXAMPLES / "caucasus").glob("*.csv"),
        *(EXAMPLES / "caucasus").glob("*.gpx"),
        *(EXAMPLES / "caucasus").glob("*.kml"),
        *(EXAMPLES / "traffic").glob("*.json.gz"),
    ]
)
PATHS = [str(p) for p in FILES]


@pytest.fixture(scope="package")
def examples_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "examples.duckdb"
    results = ingest(PATHS, path)
    assert [r.status for r in results] == ["stored"] * len(PATHS)
    return path
