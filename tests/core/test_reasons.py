"""Reject reasons: one constant each, all different, the benign ones, and no stray text."""

from __future__ import annotations

import ast
from pathlib import Path

from airwitness import reasons

SRC = Path(__file__).resolve().parents[2] / "src" / "airwitness"
#: where rejects are made: every reason there must come from airwitness.reasons
PRODUCERS = ("io", "engine", "tracks.py", "schema.py")


def constants() -> dict[str, str]:
    return {k: v for k, v in vars(reasons).items() if k.isupper() and isinstance(v, str)}


def test_every_reason_constant_is_unique():
    values = list(constants().values())
    assert len(values) == len(set(values))
    prefixes = [v for k, v in constants().items() if k.endswith("_PREFIX")]
    assert all(p.endswith(" ") for p in prefixes)
    fixed = [v for k, v in constants().items() if not k.endswith("_PREFIX")]
    assert not [(f, p) for f in fixed for p in prefixes if f.startswith(p)]


def test_benign_reasons_are_exactly_these():
    assert {
        reasons.NO_POSITION,
        reasons.SERVICE_MESSAGE,
        reasons.NOT_UDP,
        reasons.CLUTTER,
        reasons.CPR_UNRESOLVED,
    } == reasons.BENIGN_REASONS
    assert {
        "no position",
        "service message",
        "not UDP",
        "clutter",
        "CPR unresolved",
    } == reasons.BENIGN_REASONS


def test_reasons_with_a_detail_start_with_their_prefix():
    assert reasons.bad_number_in("altitude") == "bad number in altitude"
    assert reasons.read_error("Input/output error") == "read error: Input/output error"
    assert reasons.unsupported_category(1) == "unsupported category 1"
    assert reasons.unknown_category(99) == "unknown category 99"


def test_track_cleaning_reasons():
    from airwitness import track_kernels
    from airwitness.tracks import REASONS

    assert REASONS == {
        track_kernels.DUPLICATE: "duplicate",
        track_kernels.SAME_TIME: "same time, other position",
        track_kernels.OUTLIER: "position outlier",
    }


def test_no_reason_is_written_out_where_rejects_are_made():
    """A reason typed as text (or as the fixed start of an f-string) instead of its
    constant would escape the checks above."""
    fixed = {v for k, v in constants().items() if not k.endswith("_PREFIX")}
    prefixes = tuple(v for k, v in constants().items() if k.endswith("_PREFIX"))
    found = []
    for part in PRODUCERS:
        root = SRC / part
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                text = node.value if isinstance(node, ast.Constant) else None
                if isinstance(text, str) and (text in fixed or text.startswith(prefixes)):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {text!r}")
    assert found == []
