"""Opening a store file: a checked DuckDB connection, every problem an InputError.

One process at a time may write a store; readers may share it (DuckDB's file lock).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from airwitness.errors import InputError
from airwitness.store.tables import create_or_check


@contextmanager
def open_store(store_path: str | Path, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A checked connection, read-only unless ``write`` (a writer creates a missing store
    and its tables); every problem with the store file is an InputError."""
    con = connect(store_path, write=write)
    try:
        yield con
    finally:
        con.close()


def connect(store_path: str | Path, *, write: bool) -> duckdb.DuckDBPyConnection:
    """:func:`open_store`'s connection, for a caller that closes it itself."""
    name = str(store_path)
    path = Path(store_path)
    if path.is_dir():
        raise InputError(name, "is a directory, not a store")
    if not write and not path.exists():
        raise InputError(name, "no such store")
    try:
        con = duckdb.connect(str(path), read_only=not write)
    except duckdb.Error as exc:
        raise InputError(name, _why(exc)) from None
    try:
        create_or_check(con, name, create=write)
    except BaseException:
        con.close()
        raise
    return con


def _why(exc: duckdb.Error) -> str:
    """DuckDB's refusal to open the file, in the user's words."""
    text = str(exc).splitlines()[0]
    if "not a valid DuckDB database file" in text:
        return "not a DuckDB database (not an airwitness store)"
    if "Could not set lock" in text:
        pid = re.search(r"\(PID (\d+)\)", text)
        who = f" (PID {pid.group(1)})" if pid else ""
        return f"locked by another process{who}: one writer at a time, or readers only"
    if "No such file or directory" in text:
        return "cannot create the store: no such directory"
    return f"cannot open the store: {text.removeprefix('IO Error: ')}"
