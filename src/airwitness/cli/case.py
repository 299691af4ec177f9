"""The case commands: verify a case, draft a case file, check a report's manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from airwitness.cli.command import EXIT_CHANGED, command
from airwitness.cli.options import Quiet
from airwitness.cli.results import finish
from airwitness.errors import InputError, UsageError


@command
def verify(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the report.")],
    quiet: Quiet = False,
) -> None:
    """Test an allegation against the evidence: verdict, findings, coverage, manifest.

    Example: airwitness verify examples/caucasus/case.yaml -o report/
    """
    from airwitness.investigate.casefile import CaseError, load_case
    from airwitness.investigate.run import investigate
    from airwitness.pipeline import fusion_lines, summarize
    from airwitness.report.case_files import write_case_outputs

    try:
        case = load_case(case_file)
        inv = investigate(case)
    except CaseError as exc:
        raise UsageError(str(exc)) from None
    write_case_outputs(inv, output, case_file)
    summary = summarize(inv.inputs, inv.prepared, inv.findings.num_rows, "findings")
    if inv.fusion is not None:
        summary.fusion = fusion_lines(inv.fusion)
    finish(summary, [], strict=False, quiet=quiet)
    if len(inv.routes) == 1:
        typer.echo(f"verdict: {inv.verdict} — {inv.reason}")
    else:
        typer.echo(f"verdict: {inv.verdict} (the strongest of {len(inv.routes)} routes)")
        for route in inv.routes:
            typer.echo(f"  via {route.via}: {route.verdict} — {route.reason}")
    typer.echo(f"report: {output / 'report.html'}")


@command
def manifest_check(
    folder: Annotated[Path, typer.Argument(help="A folder written by `airwitness verify`.")],
    case_file: Annotated[
        Path | None,
        typer.Option("--case", help="The case file, to re-hash it and the inputs too."),
    ] = None,
) -> None:
    """Re-hash every file the manifest lists; exit 1 naming any that changed.

    Example: airwitness manifest check report/ --case examples/caucasus/case.yaml
    """
    from airwitness.report.manifest import MANIFEST, check_manifest

    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            str(path), f"cannot read the manifest ({exc.__class__.__name__})"
        ) from None
    problems = check_manifest(folder, manifest, case_file.parent if case_file else None)
    for problem in problems:
        typer.echo(f"airwitness: {problem}", err=True)
    extra = sum(k in manifest for k in ("case", "airspace_file"))
    checked = len(manifest["outputs"]) + (len(manifest["inputs"]) + extra if case_file else 0)
    if problems:
        raise typer.Exit(EXIT_CHANGED)
    typer.echo(
        f"ok: {checked} files match the manifest"
        + ("" if case_file else " (outputs only; give --case to check inputs)")
    )


@command
def case_draft(
    text_file: Annotated[Path, typer.Argument(help="A news report or statement (UTF-8 text).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Draft a case file from a text; every uncertain field is marked `# CHECK:`.

    Example: airwitness case draft statement.txt -o case.yaml
    """
    from airwitness.airspace import Airspace
    from airwitness.investigate.draft import draft_case, read_text_file

    text = read_text_file(text_file)
    yaml_text = draft_case(text, codes=set(Airspace.builtin().code_names))
    if output is None:
        typer.echo(yaml_text, nl=False)
    else:
        output.write_text(yaml_text, encoding="utf-8")
