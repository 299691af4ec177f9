"""Opening a store: every problem with the store file is an InputError naming it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest

from airwitness.errors import InputError
from airwitness.store import info, ingest, load

from .conftest import FILES


def test_store_errors(tmp_path, examples_store):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    for call in (lambda p: info(p), lambda p: load(p), lambda p: ingest([FILES[0]], p)):
        with pytest.raises(InputError, match="not a DuckDB database") as err:
            call(text)
        assert err.value.file == str(text)
    with pytest.raises(InputError, match="no such store"):
        info(tmp_path / "missing.duckdb")
    assert not (tmp_path / "missing.duckdb").exists()  # reading never creates a store
    with pytest.raises(InputError, match="no such directory"):
        ingest([FILES[0]], tmp_path / "no" / "such.duckdb")
    with pytest.raises(InputError, match="is a directory"):
        info(tmp_path)

    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as con:
        con.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(InputError, match="not an airwitness store"):
        ingest([FILES[0]], foreign)

    newer = tmp_path / "newer.duckdb"
    shutil.copyfile(examples_store, newer)
    with duckdb.connect(str(newer)) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for call in (lambda p: info(p), lambda p: ingest([FILES[0]], p)):
        with pytest.raises(InputError, match="schema version 99 is newer"):
            call(newer)

    # another process holds the write lock
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True);"
            " time.sleep(60)",
            str(newer),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        for call in (lambda p: info(p), lambda p: ingest([FILES[0]], p)):
            with pytest.raises(InputError, match=f"locked by another process \\(PID {holder.pid}"):
                call(newer)
    finally:
        holder.kill()
        holder.wait()
