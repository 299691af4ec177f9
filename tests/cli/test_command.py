"""The command decorator: errors to one line and an exit code, the read options in place."""

from __future__ import annotations

import inspect

import pytest
import typer
from typer.testing import CliRunner

from airwitness.cli.command import command
from airwitness.cli.options import NO_READ_ARGS, Quiet, ReadArgs
from airwitness.errors import InputError, SpillError, UsageError

runner = CliRunner()


def test_a_read_parameter_becomes_the_read_and_tracker_options_in_its_place():
    seen = []

    @command
    def body(quiet: Quiet = False, read: ReadArgs = NO_READ_ARGS, last: int = 0) -> None:
        seen.append((quiet, read, last))

    names = list(inspect.signature(body).parameters)
    assert names == [
        "quiet",
        "start_time",
        "date",
        "reference",
        "sensors",
        "assumed_alt_m",
        "scan_period",
        "pd",
        "clutter_density",
        "max_speed",
        "last",
    ]
    app = typer.Typer()
    app.command()(body)
    app.command("other")(lambda: None)  # two commands: `body` is a subcommand
    got = runner.invoke(
        app, ["body", "-q", "--reference", "39.5,47.4", "--pd", "0.8", "--last", "3"]
    )
    assert got.exit_code == 0
    assert seen == [(True, ReadArgs(reference="39.5,47.4", pd=0.8), 3)]
    assert seen[0][1].options().reference == (39.5, 47.4)
    assert seen[0][1].tracker().pd == 0.8
    assert ReadArgs().options() is None and ReadArgs().tracker() is None


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (InputError("a.csv", "unreadable"), 3, "airwitness: error: a.csv"),
        (UsageError("no such option"), 2, "airwitness: usage error: no such option"),
        (SpillError("the spill folder is full"), 4, "airwitness: error: the spill folder"),
    ],
)
def test_errors_become_one_line_and_an_exit_code(error, code, line):
    @command
    def body() -> None:
        raise error

    app = typer.Typer()
    app.command()(body)
    got = runner.invoke(app, [])
    assert got.exit_code == code
    assert got.stderr.startswith(line) and got.stderr.count("\n") == 1
