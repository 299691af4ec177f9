"""engine.fused and engine.associating: every engine corroborates across sensors like
the pipeline — the memory engine on its whole table, the partitioned ones on the
tracks the sketch keeps apart, crossed together."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from airwitness.engine import run_crossings_scaled
from airwitness.io.options import ReadOptions
from airwitness.report.tables import write_csv
from tests.engine.test_engines import _builtin

FUSION = Path(__file__).resolve().parents[2] / "examples" / "fusion"
FILES = [FUSION / "plots.ast", FUSION / "adsb.csv"]
OPTIONS = ReadOptions(date=dt.date(2025, 6, 16), sensors=FUSION / "sensors.csv")


def _csv(table) -> bytes:
    out = io.BytesIO()
    write_csv(table, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def reference():
    from airwitness.pipeline import run_crossings

    return run_crossings(FILES, _builtin(), options=OPTIONS)


def test_the_memory_engine_corroborates_like_the_pipeline(reference):
    mine = run_crossings_scaled(FILES, engine="memory", read_options=OPTIONS)
    assert _csv(mine.crossings) == _csv(reference.crossings)
    assert mine.summary.fusion == reference.summary.fusion
    assert mine.crossings["sensors"].to_pylist().count(2) == 10


@pytest.mark.parametrize(("workers", "memory"), [(1, 2e9), (2, 3e7)])
def test_the_local_engine_associates_across_partitions(reference, workers, memory):
    """In one partition or in several (3e7 bytes: the tracks of each sensor spread over
    many), the same corroborated crossings, the same fusion lines, the same summary."""
    run = run_crossings_scaled(
        FILES, engine="local", workers=workers, memory_bytes=memory, read_options=OPTIONS
    )
    assert _csv(run.crossings) == _csv(reference.crossings)
    assert run.summary.fusion == reference.summary.fusion
    assert run.summary.fusion[0].startswith("9 pairs of tracks associated (8 by identity")
    assert run.summary.lines() == reference.summary.lines()
    assert "sketch" in run.seconds
    crossings = run.crossings
    assert crossings["sensors"].to_pylist().count(2) == 10
    assert crossings["suspect"].to_pylist().count(True) == 2


def test_dask_associates_like_the_memory_engine(reference):
    run = run_crossings_scaled(
        FILES, engine="dask", workers=2, memory_bytes=6e7, read_options=OPTIONS
    )
    assert _csv(run.crossings) == _csv(reference.crossings)
    assert run.summary.fusion == reference.summary.fusion


def test_inputs_of_one_sensor_are_not_sketched():
    run = run_crossings_scaled([FUSION / "adsb.csv"], engine="local", workers=1)
    assert "sketch" not in run.seconds
    assert run.summary.fusion == ()


def test_tracks_kept_apart_and_tracks_spilled_add_up_to_the_memory_engine():
    """The fusion example beside the Caucasus example (another day: its tracks are
    crossed in their partitions, not apart), rejects kept: the same crossings, the
    same summary, the same rejects."""
    caucasus = FUSION.parent / "caucasus"
    files = [*FILES, *(caucasus / n for n in ("opensky_states.csv", "drones.gpx"))]
    files.append(caucasus / "helicopter.kml")
    memory = run_crossings_scaled(files, engine="memory", read_options=OPTIONS, keep_rejects=True)
    run = run_crossings_scaled(
        files,
        engine="local",
        workers=2,
        memory_bytes=3e7,
        read_options=OPTIONS,
        keep_rejects=True,
    )
    assert _csv(run.crossings) == _csv(memory.crossings)
    assert run.summary.lines() == memory.summary.lines()
    assert run.rejects == memory.rejects
    assert memory.summary.rejects == {
        "clutter": 43_107,
        "duplicate": 4,
        "no position": 5,
        "position outlier": 1,
    }
    assert run.crossings.num_rows == 53


def test_tracks_kept_apart_beyond_a_workers_share_are_said():
    from airwitness.engine.apart import apart_note
    from airwitness.engine.plan import make_plan

    plan = make_plan(2e9, 100_000_000, 2)
    assert apart_note(100_000, plan) == ()
    (line,) = apart_note(20_000_000, plan)
    assert line.startswith("20,000,000 reports kept apart for fusion were crossed together")
    assert "about 11 GB, more than a worker's share of --memory" in line


def test_radar_sites_a_capture_states_serve_bias_estimation(tmp_path):
    """The fusion example's plots with their radars' CAT034 site reports in front and no
    sensors file: the plots are placed from CAT034 (as before), and now the radars'
    biases are estimated from those sites too, on every engine alike."""
    from tests.io.radar.captures import block, cat034_site

    sites = b"".join(
        block(34, cat034_site(0.0, 39.6, 47.35, 250, sac=1, sic=sic)) for sic in (17, 18)
    )
    capture = tmp_path / "plots.ast"
    capture.write_bytes(sites + (FUSION / "plots.ast").read_bytes())
    files = [capture, FUSION / "adsb.csv"]
    options = ReadOptions(date=dt.date(2025, 6, 16))
    memory = run_crossings_scaled(files, engine="memory", read_options=options)
    biases = [line for line in memory.summary.fusion if line.startswith("radar bias")]
    # the Mode S radar's, from its 8 tracks shared with ADS-B (the primary radar shares
    # one: too few for a fit)
    assert [line.split(" (not applied)")[0] for line in biases] == [
        "radar bias asterix:1/18: range -0.6 ± 0.9 m"
    ]
    local = run_crossings_scaled(
        files, engine="local", workers=2, memory_bytes=3e7, read_options=options
    )
    assert local.summary.fusion == memory.summary.fusion
    assert _csv(local.crossings) == _csv(memory.crossings)
    # a sensors file's site comes first
    from airwitness.pipeline import read_inputs

    stated = read_inputs(files, options=options).sites
    assert stated == {"asterix:1/17": pytest.approx((47.35, 39.6, 250.0), abs=1e-4)} | {
        "asterix:1/18": pytest.approx((47.35, 39.6, 250.0), abs=1e-4)
    }
    sensors = tmp_path / "sensors.csv"
    sensors.write_text("name,sac,sic,lat,lon,alt_m\nSSR,1,18,39.5,47.0,100\n")
    both = read_inputs(files, options=ReadOptions(date=options.date, sensors=sensors)).sites
    assert both["asterix:1/18"] == (47.0, 39.5, 100.0) == both["SSR"]
    assert both["asterix:1/17"] == pytest.approx((47.35, 39.6, 250.0), abs=1e-4)
