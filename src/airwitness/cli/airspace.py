"""The airspace commands: where a boundary set comes from, what it holds, and where two
sets disagree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airwitness.cli.command import command
from airwitness.cli.options import AsJson, Boundaries, CodeField, airspace_of
from airwitness.errors import UsageError

if TYPE_CHECKING:
    from airwitness.airspace.diff import SetDiff


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


@command
def airspace_diff(
    a: Annotated[str, typer.Argument(help="A set: osm, ne10m, or a boundary file.")],
    b: Annotated[str, typer.Argument(help="The set to compare it with.")],
    code_field_a: Annotated[
        str | None, typer.Option("--code-field-a", help="Code property of A, if a file.")
    ] = None,
    code_field_b: Annotated[
        str | None, typer.Option("--code-field-b", help="Code property of B, if a file.")
    ] = None,
    codes: Annotated[
        str | None,
        typer.Option("--codes", help="Only these codes and their borders, e.g. AZE,IRN (faster)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the disagreement polygons here (.geojson)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Where two boundary sets disagree: per shared border, how far A's border lies from
    B's (points every 200 m: median, p90, max); per code, the area labelled differently.

    Example: airwitness airspace diff ne10m osm --codes AZE,IRN -o diff.geojson
    """
    from airwitness.airspace.diff import diff_sets

    if output is not None and output.suffix.lower() != ".geojson":
        raise UsageError("-o: the disagreement polygons are written as .geojson")
    wanted = {c.strip() for c in codes.split(",") if c.strip()} if codes else None
    sky_a, sky_b = airspace_of(a, code_field_a), airspace_of(b, code_field_b)
    result = diff_sets(sky_a, sky_b, wanted)
    if output is not None:
        write_pieces(result, output)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True))
        return
    print_table(
        [
            {
                "border": f"{d.codes[0]}|{d.codes[1]}",
                f"{result.a} km": f"{d.length_a_km:,.1f}",
                f"{result.b} km": f"{d.length_b_km:,.1f}",
                "median m": f"{d.median_m:,.0f}",
                "p90 m": f"{d.p90_m:,.0f}",
                "max m": f"{d.max_m:,.0f}",
            }
            for d in result.borders
        ],
        f"Borders: {result.a}'s border, every 200 m, to {result.b}'s",
    )
    print_table(
        [
            {
                "code": d.code,
                f"only in {result.a} km²": f"{d.only_a_km2:,.1f}",
                f"only in {result.b} km²": f"{d.only_b_km2:,.1f}",
            }
            for d in result.areas
        ],
        "Area labelled differently",
    )


def print_table(rows: list[dict[str, str]], title: str) -> None:
    import pyarrow as pa

    from airwitness.report.console import print_table as print_arrow

    names = list(rows[0]) if rows else ["none"]
    print_arrow(pa.table({n: [r[n] for r in rows] for n in names}), title)


def write_pieces(result: SetDiff, path: Path) -> None:
    """The disagreement polygons as GeoJSON: code, its label in A and in B, area."""
    import shapely

    from airwitness.airspace.diff import area_km2

    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "a": la, "b": lb, "area_km2": round(area_km2(g), 4)},
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for code, la, lb, g in result.pieces
    ]
    doc = {"type": "FeatureCollection", "a": result.a, "b": result.b, "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
