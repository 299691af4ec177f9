"""Investigations end to end on generated scenarios with known verdicts."""

from __future__ import annotations

import pytest

from airwitness.investigate.casefile import load_case
from airwitness.investigate.run import investigate
from airwitness.times import rows_ns
from tests.investigate.scenarios import BORDER_LON, M_PER_DEG_LON, write_scenario


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = {}
    for kind in ("confirmed", "indicated", "not_observed", "inconclusive", "suspect"):
        case = write_scenario(kind, tmp_path_factory.mktemp(kind))
        out[kind] = investigate(load_case(case))
    return out


def test_confirmed(results):
    inv = results["confirmed"]
    assert inv.verdict == "confirmed"
    (f,) = rows_ns(inv.findings)
    assert (f["track_id"], f["from"], f["to"], f["kind"]) == ("X1", "AAA", "BBB", "observed")
    assert f["lon"] == pytest.approx(BORDER_LON, abs=1e-12)
    assert f["before"].startswith("tracks.csv:") and f["after"].startswith("tracks.csv:")
    assert inv.coverage.fraction == 1.0


def test_indicated(results):
    inv = results["indicated"]
    assert inv.verdict == "indicated"
    assert inv.findings["kind"].to_pylist() == ["inferred"]
    # X1 seen only at its two ends: 0.2° of longitude at 45.1 N flown at 50 m/s.
    assert inv.findings["gap_s"].to_pylist()[0] == pytest.approx(0.2 * M_PER_DEG_LON / 50, abs=1e-3)


def test_not_observed(results):
    inv = results["not_observed"]
    assert inv.verdict == "not_observed"
    assert inv.findings.num_rows == 0
    assert inv.coverage.covered.shape == (2, 6)
    assert inv.coverage.fraction == 1.0
    assert inv.coverage.lowest_alt_m.tolist() == [1500.0, 1500.0]


def test_inconclusive(results):
    inv = results["inconclusive"]
    assert inv.verdict == "inconclusive"
    # The patrol flies 00:00–00:10: bin 0 of six, plus bin 1 from its report at 00:10:00.
    assert inv.coverage.fraction == pytest.approx(2 / 6)


def test_spoofed_crossing_is_suspect_not_evidence(results):
    inv = results["suspect"]
    assert inv.findings.num_rows == 0
    assert [(r["track_id"], r["from"], r["to"]) for r in rows_ns(inv.suspect)] == [
        ("SPOOF", "AAA", "BBB")
    ]
    assert inv.verdict == "not_observed"
    flags = {(r["track_id"], r["flag"]) for r in inv.flags.to_pylist()}
    assert {("SPOOF", "frozen"), ("SPOOF", "jump")} <= flags
