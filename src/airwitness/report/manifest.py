"""The evidence manifest: SHA-256 of every input, the airspace set and every output.

``manifest.json`` lets anyone check, later and elsewhere, that the inputs and
the outputs are the ones the verdict was drawn from. Paths are relative (inputs
to the case file's folder, outputs to the output folder), so the manifest does
not depend on where either lies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airwitness.digest import sha256_file

MANIFEST = "manifest.json"


def file_entry(path: Path, name: str) -> dict[str, Any]:
    return {"path": name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


@dataclass(frozen=True)
class Mismatch:
    path: str
    problem: str  # "changed", "missing"

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def check_manifest(
    out_dir: Path, manifest: dict[str, Any], case_dir: Path | None
) -> list[Mismatch]:
    """Re-hash outputs (and, given the case folder, inputs); list what differs."""
    problems = [
        _check(out_dir / e["path"], e, f"{out_dir}/{e['path']}") for e in manifest["outputs"]
    ]
    if case_dir is not None:
        entries = [*manifest["inputs"]]
        entries += [manifest[k] for k in ("case", "airspace_file") if k in manifest]
        problems += [_check(case_dir / e["path"], e, str(case_dir / e["path"])) for e in entries]
    return [p for p in problems if p is not None]


def _check(path: Path, entry: dict[str, Any], shown: str) -> Mismatch | None:
    if not path.is_file():
        return Mismatch(shown, "missing")
    if sha256_file(path) != entry["sha256"]:
        return Mismatch(shown, "changed (SHA-256 differs)")
    return None
