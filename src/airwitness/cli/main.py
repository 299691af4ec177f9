"""The ``airwitness`` app: every command in its place, and ``--version``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from airwitness import __version__
from airwitness.cli import airspace, analysis, case, serve, store, watch

app = typer.Typer(
    name="airwitness",
    help="Which aircraft or drones crossed from one country's airspace into another's, "
    "when and where, and how sure can we be.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for body in (
    analysis.crossings,
    analysis.label,
    analysis.tracks,
    case.verify,
    store.ingest,
    serve.serve,
    watch.watch,
):
    app.command()(body)


def _group(name: str, help: str, *commands: tuple[str, Callable[..., None]]) -> None:
    """A command group, ``airwitness NAME ...``."""
    group = typer.Typer(help=help, no_args_is_help=True)
    for sub_name, body in commands:
        group.command(sub_name)(body)
    app.add_typer(group, name=name)


_group(
    "airspace",
    "Inspect airspace boundary sets, and compare two.",
    ("info", airspace.airspace_info),
    ("diff", airspace.airspace_diff),
)
_group(
    "manifest",
    "Check the evidence manifest of a report folder.",
    ("check", case.manifest_check),
)
_group("case", "Case files.", ("draft", case.case_draft))
_group("store", "Inspect a store made by `airwitness ingest`.", ("info", store.store_info))


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(f"airwitness {__version__}")
        raise typer.Exit(0)
