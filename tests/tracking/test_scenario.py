"""The tracker on the seeded scenario generator's radar (issue 17): its border crossings
are the true ones, every one, and none comes from clutter.

The first 25 minutes of ``scripts/generate_radar.py``'s default scenario: one rotating
2D radar near the Aras, Pd 0.9, 30 clutter plots a scan plus a dense patch (12,047 of the
12,910 plots are clutter), and three true crossings (T01, T02, T03). Each crossing's
track is tied to a target through the plots it was made of (``truth_plots.csv``), not
through positions, so the check does not lean on the tracker's own geometry.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from airwitness.airspace import Airspace
from airwitness.io.options import ReadOptions
from airwitness.pipeline import run_crossings
from airwitness.times import rows_ns

ROOT = Path(__file__).resolve().parents[2]
#: a found crossing is the true one when it is this close in time (the plots are 5 s apart)
MATCH_S = 30.0


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("radar")
    script = ROOT / "scripts" / "generate_radar.py"
    subprocess.run(
        [sys.executable, str(script), "-o", str(out), "--duration-s", "1500"],
        check=True,
        capture_output=True,
    )
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _seconds(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_the_crossings_are_the_true_ones_and_none_is_from_clutter(scenario: Path):
    run = run_crossings(
        [scenario / "plots.csv"],
        Airspace.builtin("osm"),
        options=ReadOptions(sensors=scenario / "sensors.csv"),
    )
    # which target each track's plots come from (plot k is data line k: record k + 1)
    target_of_plot = {int(r["record"]): r["target"] or "clutter" for r in _rows(
        scenario / "truth_plots.csv")}  # fmt: skip
    table = run.inputs.table
    votes: dict[str, Counter] = {}
    for track, record in zip(
        table["track_id"].to_pylist(), table["source_record"].to_pylist(), strict=True
    ):
        votes.setdefault(track, Counter())[target_of_plot[record - 1]] += 1
    follows = {track: v.most_common(1)[0][0] for track, v in votes.items()}
    assert "clutter" not in follows.values()  # no confirmed track is made of clutter

    true = _rows(scenario / "truth_crossings.csv")
    found = [
        (follows[c["track_id"]], c["from"], c["to"], c["time"] / 1e9)
        for c in rows_ns(run.crossings.select(["track_id", "from", "to", "time"]))
    ]
    matched = 0
    for target, src, dst, when in found:
        matched += any(
            (t["target"], t["from"], t["to"]) == (target, src, dst)
            and abs(_seconds(t["time"]) - when) <= MATCH_S
            for t in true
        )
    assert [t["target"] for t in true] == ["T01", "T02", "T03"]
    assert len(found) == 3
    assert matched / len(true) == 1.0  # recall
    assert matched / len(found) == 1.0  # precision
