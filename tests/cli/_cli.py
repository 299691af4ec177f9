"""Running the `airwitness` command in-process, and the example inputs the tests read."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from airwitness.cli import app

ROOT = Path(__file__).resolve().parents[2]
CAUCASUS = ROOT / "examples" / "caucasus"
STATES = str(CAUCASUS / "opensky_states.csv")
DRONES = str(CAUCASUS / "drones.gpx")

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)
