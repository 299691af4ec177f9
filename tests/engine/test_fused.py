"""engine.fused: the memory engine corroborates across sensors like the pipeline; the
partitioned engines say when their inputs hold several sensors they do not associate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from airwitness.engine import run_crossings_scaled
from airwitness.engine.fused import unassociated_note
from airwitness.io.options import ReadOptions
from airwitness.report.tables import write_csv
from tests.engine.test_engines import _builtin

FUSION = Path(__file__).resolve().parents[2] / "examples" / "fusion"


def _csv(table) -> bytes:
    import io

    out = io.BytesIO()
    write_csv(table, out)
    return out.getvalue()


def test_the_memory_engine_corroborates_like_the_pipeline():
    from airwitness.pipeline import run_crossings

    files = [FUSION / "plots.ast", FUSION / "adsb.csv"]
    options = ReadOptions(date=dt.date(2025, 6, 16), sensors=FUSION / "sensors.csv")
    reference = run_crossings(files, _builtin(), options=options)
    mine = run_crossings_scaled(files, engine="memory", read_options=options)
    assert _csv(mine.crossings) == _csv(reference.crossings)
    assert mine.summary.fusion == reference.summary.fusion
    assert mine.crossings["sensors"].to_pylist().count(2) == 10


def test_a_partitioned_engine_says_what_it_does_not_associate():
    (line,) = unassociated_note(["asterix", "opensky", "gpx"], "local")
    assert line.startswith("not associated: inputs of several sensors (adsb, radar)")
    assert unassociated_note(["opensky", "sbs", "gpx", "csv"], "local") == ()
