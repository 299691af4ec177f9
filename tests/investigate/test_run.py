"""Investigations end to end on generated scenarios with known verdicts."""

from __future__ import annotations

import pytest

from airwitness.investigate.casefile import load_case
from airwitness.investigate.run import investigate
from airwitness.times import rows_ns
from tests.investigate.scenarios import (
    BORDER_LON,
    M_PER_DEG_LON,
    write_routes_scenario,
    write_scenario,
)


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


def _routes(inv) -> list[tuple[str, str]]:
    return [(r.via, r.verdict) for r in inv.routes]


def _entries(table) -> list[tuple[str, str, str, str]]:
    return [(r["track_id"], r["from"], r["to"], r["route"]) for r in rows_ns(table)]


def test_two_routes_each_weighed_and_the_strongest_wins(tmp_path):
    """X1 enters BBB from AAA, seen every 5 s; nothing watches the CCC-BBB border."""
    inv = investigate(load_case(write_routes_scenario(tmp_path, "[AAA, CCC]")))
    assert _routes(inv) == [("AAA", "confirmed"), ("CCC", "inconclusive")]
    assert inv.verdict == "confirmed"
    assert inv.reason.startswith("via AAA: confirmed — 1 observed crossing(s) in the window")
    assert " | via CCC: inconclusive — no crossing seen, but the border was covered only 0.0%" in (
        inv.reason
    )
    assert _entries(inv.findings) == [("X1", "AAA", "BBB", "AAA")]  # X2 came from INTL
    aaa, ccc = inv.routes
    assert (aaa.coverage.fraction, ccc.coverage.fraction) == (1.0, 0.0)
    assert ccc.findings.num_rows == 0
    # the case's grid holds both borders: AAA-BBB's two stretches, then CCC-BBB's two
    assert inv.coverage.covered.shape == (4, 6)
    assert [len(r.coverage.stretches) for r in inv.routes] == [2, 2]


def test_any_route_counts_an_entry_from_international_airspace(tmp_path):
    inv = investigate(load_case(write_routes_scenario(tmp_path, "any")))
    assert _routes(inv) == [("any", "confirmed")]
    assert inv.verdict == "confirmed"
    assert inv.reason.startswith("2 observed crossing(s) in the window")  # one route: its own
    assert _entries(inv.findings) == [
        ("X1", "AAA", "BBB", "any"),
        ("X2", "INTL", "BBB", "any"),
    ]
    # the border of "any" is all of BBB's: 2 x 22.2 km north-south, 2 x 70.8 km east-west
    assert float(inv.coverage.stretch_length_m.sum()) == pytest.approx(186_000, rel=0.01)
    assert [c.holds for c in inv.set_checks] == [None, None]  # osm has no BBB


def test_no_crossing_on_any_route_is_not_observed_only_where_every_border_was_seen(tmp_path):
    case = write_routes_scenario(tmp_path, "[AAA, CCC]", with_crossings=False)
    inv = investigate(load_case(case))
    assert _routes(inv) == [("AAA", "not_observed"), ("CCC", "inconclusive")]
    assert inv.verdict == "inconclusive"
    assert inv.reason.startswith("via CCC: inconclusive — ")  # the unseen route is why
    only_aaa = investigate(
        load_case(write_routes_scenario(tmp_path / "a", "AAA", with_crossings=False))
    )
    assert (only_aaa.verdict, _routes(only_aaa)) == ("not_observed", [("AAA", "not_observed")])
