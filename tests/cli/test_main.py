"""The app as a whole: every command listed with an example in its help, and --version."""

from __future__ import annotations

import pytest

from airwitness import __version__
from tests.cli._cli import run

COMMANDS = [
    ["crossings"],
    ["label"],
    ["tracks"],
    ["verify"],
    ["ingest"],
    ["serve"],
    ["watch"],
    ["airspace", "info"],
    ["manifest", "check"],
    ["case", "draft"],
    ["store", "info"],
]


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands")[1].splitlines()
    listed = [line.split()[1] for line in commands if line.startswith("│ ") and line[2] != " "]
    assert listed == [
        "crossings",
        "label",
        "tracks",
        "verify",
        "ingest",
        "serve",
        "watch",
        "airspace",
        "manifest",
        "case",
        "store",
    ]


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_each_command_help_shows_an_example(words):
    result = run(*words, "--help")
    assert result.exit_code == 0
    assert f"Example: airwitness {' '.join(words)} " in " ".join(result.stdout.split())


def test_read_options_are_shown_where_they_were():
    """The four read options, defined once, sit between --rejects and --store."""
    text = run("crossings", "--help").stdout
    names = ["--rejects", "--start-time", "--date", "--reference", "--sensors", "--store"]
    at = [text.index(f"{name} ") for name in names]
    assert at == sorted(at)


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"airwitness {__version__}\n"


def test_no_command_shows_the_help_and_exits_2():
    result = run()
    assert result.exit_code == 2 and "crossings" in result.output


def test_the_command_starts_without_the_heavy_libraries():
    """`airwitness --help` and `--version` must answer at once: building the app imports
    no reader, no DuckDB, no numba, no Arrow (they load when a command runs)."""
    import subprocess
    import sys

    heavy = ("numba", "duckdb", "pyarrow", "airwitness.io", "airwitness.store.ingestion")
    code = f"import sys, airwitness.cli; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
