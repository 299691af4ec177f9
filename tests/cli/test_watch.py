"""The watch command: SIGTERM mid-stream flushes the store and exits 0, the store is
consistent and batch commands rerun on it; options are checked."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from airwitness.airspace import Airspace
from airwitness.pipeline import crossings_of_inputs
from airwitness.report.tables import text_columns
from airwitness.store import load
from bench._replay import ReplayServer, sbs_lines

from ..watch.helpers import alerts_of, crossing_key, flights
from ._cli import run

COMMAND = "from airwitness.cli import app; app()"


def test_sigterm_mid_stream_leaves_a_consistent_store_and_exits_0(tmp_path):
    lines = sbs_lines(flights("border_control", "alto_adige"))
    store = tmp_path / "live.duckdb"
    with ReplayServer(lines, rate=400) as server:
        url = f"sbs://127.0.0.1:{server.port}"
        args = ["watch", url, "--store", str(store), "--boundaries", "ne10m", "--stats", "0.5"]
        proc = subprocess.Popen(
            [sys.executable, "-c", COMMAND, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while server.next < 1200 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert server.next >= 1200, "the watch did not read the feed"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        sent = server.next
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stats" in err and f"{url}: " in err
    alerts = alerts_of(out)
    con = duckdb.connect(str(store), read_only=True)
    try:
        ((path, records, reports, rejects),) = con.execute(
            "SELECT path, records, reports, rejects FROM files"
        ).fetchall()
        stored_reports = con.execute("SELECT count(*) FROM reports").fetchone()[0]
        stored_rejects = con.execute("SELECT count(*) FROM rejects").fetchone()[0]
        stored_alerts = [json.loads(r[0]) for r in con.execute(
            "SELECT alert FROM alerts ORDER BY seq").fetchall()]  # fmt: skip
    finally:
        con.close()
    # every message received is in the store, once: the lines sent before the stop
    assert path == url
    assert 1200 <= records <= sent < len(lines)
    assert (records, reports, rejects) == (stored_reports + stored_rejects, stored_reports, 0)
    assert stored_alerts == alerts
    # the watch decided every track at the stop: confirmed = batch crossings on the store
    inputs = load(store)
    assert inputs.table.num_rows == reports
    run = crossings_of_inputs(inputs, Airspace.builtin("ne10m"))
    columns = text_columns(run.crossings)
    batch = [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]
    confirmed = [crossing_key(a) for a in alerts if a["status"] == "confirmed"]
    assert sorted(confirmed) == sorted(crossing_key(b) for b in batch)
    assert confirmed  # the stream was long enough to cross a border


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Missing argument"),
        (["ftp://x:1"], "unknown source scheme"),
        (["sbs://127.0.0.1:1", "sbs://127.0.0.1:1"], "a source given twice"),
        (["sbs://127.0.0.1:1", "--stats", "0"], "--stats: seconds, more than 0"),
        (["sbs://127.0.0.1:1", "--mqtt", "mqtt://127.0.0.1"], "--mqtt and --topic go together"),
        (["sbs://127.0.0.1:1", "--into", "XXX"], "unknown airspace code"),
        (["sbs://127.0.0.1:1", "--max-gap", "0"], "--max-gap > 0"),
        (["sbs://127.0.0.1:1", "--webhook", "x"], "an http:// or https:// URL"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, message):
    result = run("watch", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_help_names_the_sources_and_sinks():
    text = run("watch", "--help").output
    for word in ("sbs://HOST:PORT", "beast://", "asterix+udp://", "--webhook", "--mqtt", "--store"):
        assert word in text
