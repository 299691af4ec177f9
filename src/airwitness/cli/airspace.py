"""The airspace commands: where a boundary set comes from and what it holds."""

from __future__ import annotations

import json

import typer

from airwitness.cli.command import command
from airwitness.cli.options import AsJson, Boundaries, CodeField, airspace_of


@command
def airspace_info(
    boundaries: Boundaries = None,
    code_field: CodeField = None,
    as_json: AsJson = False,
) -> None:
    """Where the boundary set comes from, its licence, and what it holds.

    Example: airwitness airspace info --boundaries ne10m --json
    """
    info = airspace_of(boundaries, code_field).info()
    if as_json:
        typer.echo(json.dumps(info, indent=2, sort_keys=True))
        return
    for key, value in info["provenance"].items():
        typer.echo(f"{key}: {value}")
    for key in ("codes", "polygons", "vertices", "zones"):
        typer.echo(f"{key}: {info[key]}")
    deps = info["dependencies"]
    if deps:
        typer.echo(f"dependencies: {', '.join(f'{d} ({s})' for d, s in deps.items())}")
    if info["joint_codes"]:
        typer.echo(f"joint codes (disputed): {', '.join(info['joint_codes'])}")
