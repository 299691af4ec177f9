"""`airwitness ingest` and `store info`, and the analysis commands on a store."""

from __future__ import annotations

import json

from tests.cli._cli import DRONES, STATES, run


def test_ingest_store_info_and_commands_on_the_store(tmp_path):
    store = tmp_path / "s.duckdb"
    first = run("ingest", STATES, DRONES, "--store", str(store))
    assert first.exit_code == 0
    assert "stored as file 1 (opensky, 2979 reports, 5 rejects)" in first.stderr
    again = run("ingest", DRONES, "--store", str(store))
    assert again.exit_code == 0 and "skipped, already stored" in again.stderr
    info = json.loads(run("store", "info", "--store", str(store), "--json").stdout)
    assert (info["files"], info["reports"], info["rejects"]) == (2, 4544, 5)
    from_store = run("crossings", "--store", str(store), "-o", str(tmp_path / "a.csv"), "-q")
    from_files = run("crossings", STATES, DRONES, "-o", str(tmp_path / "b.csv"), "-q")
    assert from_store.exit_code == from_files.exit_code == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert run("tracks", "--store", str(store), "-q").exit_code == 0
    assert run("crossings", STATES, "--store", str(store)).exit_code == 2
    assert run("crossings").exit_code == 2


def test_ingest_of_an_unreadable_file_exits_3_but_stores_the_rest(tmp_path):
    store = tmp_path / "s.duckdb"
    result = run("ingest", str(tmp_path / "missing.csv"), DRONES, "--store", str(store))
    assert result.exit_code == 3 and "missing.csv" in result.stderr
    assert json.loads(run("store", "info", "--store", str(store), "--json").stdout)["files"] == 1
    assert run("store", "info", "--store", str(tmp_path / "none.duckdb")).exit_code == 3
