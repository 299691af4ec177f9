"""Which engine runs: memory for small files and stores, local for big or expanded
inputs, dask given a scheduler; what may not be asked is a usage error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from airwitness.engine import AUTO_MEMORY_INPUT_BYTES, EngineChoice, choose_engine
from airwitness.errors import UsageError


@pytest.fixture
def small(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.gpx"
    a.write_bytes(b"x" * 600)
    b.write_bytes(b"y" * 400)
    return [a, b]


def test_small_files_run_in_memory_through_the_pipeline(small):
    assert choose_engine("auto", small) == EngineChoice("memory", by_pipeline=True)
    assert choose_engine("memory", small) == EngineChoice("memory", by_pipeline=True)


def test_a_store_runs_in_memory_and_not_on_the_streaming_engines(tmp_path):
    store = tmp_path / "s.duckdb"
    assert choose_engine("auto", None, store=store) == EngineChoice("memory", by_pipeline=True)
    for engine in ("local", "dask"):
        with pytest.raises(UsageError, match="--store runs in memory"):
            choose_engine(engine, None, store=store)


def test_a_scheduler_makes_auto_mean_dask(small):
    choice = choose_engine("auto", small, scheduler="tcp://host:8786")
    assert choice == EngineChoice("dask", by_pipeline=False)
    asked = choose_engine("local", small, scheduler="tcp://host:8786")  # the engine says no
    assert asked == EngineChoice("local", by_pipeline=False)


def test_inputs_over_the_threshold_stream_on_the_local_engine(small):
    assert choose_engine("auto", small, memory_input_bytes=1000) == EngineChoice("memory", True)
    assert choose_engine("auto", small, memory_input_bytes=999) == EngineChoice("local", False)
    assert AUTO_MEMORY_INPUT_BYTES == 200e6


def test_folders_globs_and_uris_are_expanded_by_the_engines(small, tmp_path):
    assert choose_engine("auto", [tmp_path]) == EngineChoice("local", by_pipeline=False)
    glob = str(tmp_path / "*.csv")
    assert choose_engine("auto", [glob]) == EngineChoice("local", by_pipeline=False)
    assert choose_engine("memory", [tmp_path]) == EngineChoice("memory", by_pipeline=False)
    assert choose_engine("memory", [small[0], "s3://bucket/x"]).by_pipeline is False


def test_an_unknown_engine_is_a_usage_error(small):
    with pytest.raises(
        UsageError, match=r"--engine: one of auto, memory, local, dask \(not 'spark'\)"
    ):
        choose_engine("spark", small)


def test_a_folder_of_several_sensors_streams_like_any_other(tmp_path):
    """The partitioned engines associate too (docs/fusion.md): a folder is local."""
    fusion = Path(__file__).resolve().parents[2] / "examples" / "fusion"
    both = tmp_path / "both"
    both.mkdir()
    for name in ("plots.ast", "adsb.csv"):
        shutil.copy(fusion / name, both / name)
    assert choose_engine("auto", [both]) == EngineChoice("local", by_pipeline=False)
