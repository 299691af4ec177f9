"""`airwitness verify` and `airwitness manifest check` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from airwitness.cli import app
from tests.investigate.scenarios import write_routes_scenario, write_scenario

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = (
    "report.html",
    "report.json",
    "crossings.csv",
    "crossings.geojson",
    "tracks.kml",
    "manifest.json",
)
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_example_case_is_confirmed_and_byte_identical_across_folders(tmp_path):
    case = ROOT / "examples" / "caucasus" / "case.yaml"
    a = run("verify", str(case), "-o", str(tmp_path / "a"))
    b = run("verify", str(case), "-o", str(tmp_path / "deeper" / "b"), "-q")
    assert a.exit_code == 0 and b.exit_code == 0
    assert "verdict: confirmed" in a.stdout
    for name in OUTPUTS:
        assert (tmp_path / "a" / name).read_bytes() == (
            tmp_path / "deeper" / "b" / name
        ).read_bytes(), name
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["verdict"] == "confirmed"
    assert [(f["track_id"], f["kind"], f["before"]) for f in report["findings"]] == [
        ("UAV-1", "observed", "drones.gpx:299"),
        ("UAV-3", "observed", "drones.gpx:1480"),
    ]
    # Both hold against Natural Earth's border too, which lies 2.1 km and 1.2 km away here:
    # there UAV-1 crosses 47 s earlier, UAV-3 24 s later (drones.gpx:275 and :1485).
    checks = [f["other_set"] for f in report["findings"]]
    keys = ("boundary_set", "holds", "distance_m", "time_shift_s", "before")
    rounded = [{k: round(v) if isinstance(v, float) else v for k, v in c.items()} for c in checks]
    assert [tuple(c[k] for k in keys) for c in rounded] == [
        ("ne10m", True, 2072, -47, "drones.gpx:275"),
        ("ne10m", True, 1244, 24, "drones.gpx:1485"),
    ]
    assert report["airspace"]["name"] == "osm"
    assert report["airspace"]["attribution"].startswith("© OpenStreetMap contributors")
    assert report["disputed_findings"] == []
    assert {i["path"] for i in report["inputs"]} == {
        "opensky_states.csv",
        "drones.gpx",
        "helicopter.kml",
    }
    assert all(len(i["sha256"]) == 64 for i in report["inputs"])
    html = (tmp_path / "a" / "report.html").read_text()
    assert str(tmp_path) not in html and str(ROOT) not in html


def test_manifest_check_catches_a_changed_input_and_output(tmp_path):
    case = write_scenario("confirmed", tmp_path / "case")
    out = tmp_path / "out"
    assert run("verify", str(case), "-o", str(out), "-q").exit_code == 0
    ok = run("manifest", "check", str(out), "--case", str(case))
    assert ok.exit_code == 0 and "ok: 8 files match" in ok.stdout
    tracks = case.parent / "tracks.csv"
    tracks.write_text(tracks.read_text().replace("PATROL", "PATR0L", 1))
    bad = run("manifest", "check", str(out), "--case", str(case))
    assert bad.exit_code == 1
    assert "tracks.csv: changed" in bad.stderr
    (out / "report.json").write_text("{}")
    outputs_only = run("manifest", "check", str(out))
    assert outputs_only.exit_code == 1 and "report.json: changed" in outputs_only.stderr


def test_each_verdict_from_the_cli(tmp_path):
    for kind, verdict in [
        ("indicated", "indicated"),
        ("not_observed", "not_observed"),
        ("inconclusive", "inconclusive"),
        ("suspect", "not_observed"),
    ]:
        case = write_scenario(kind, tmp_path / kind)
        result = run("verify", str(case), "-o", str(tmp_path / f"{kind}-out"), "-q")
        assert result.exit_code == 0
        assert result.stdout.startswith(f"verdict: {verdict} ")
        report = json.loads((tmp_path / f"{kind}-out" / "report.json").read_text())
        assert report["verdict"] == verdict
        if kind == "suspect":
            assert [s["track_id"] for s in report["suspect"]] == ["SPOOF"]
            assert report["findings"] == []


def test_bad_case_file_exits_2_naming_the_key(tmp_path):
    case = write_scenario("confirmed", tmp_path)
    case.write_text(case.read_text().replace("into: BBB", "into: CCC"))
    result = run("verify", str(case), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "allegation.into: CCC" in result.stderr


def test_case_draft(tmp_path):
    text = tmp_path / "news.txt"
    text.write_text(
        "Iran asked Azerbaijan on 20 June 2025 to investigate whether Israeli drones "
        "entered Iranian airspace through Azerbaijan's airspace between 13 and 24 June 2025.\n"
    )
    result = run("case", "draft", str(text))
    assert result.exit_code == 0
    assert "into: IRN" in result.stdout and "via: AZE" in result.stdout
    missing = run("case", "draft", str(tmp_path / "none.txt"))
    assert missing.exit_code == 3


def test_verify_prints_each_route(tmp_path):
    case = write_routes_scenario(tmp_path / "case", "[AAA, CCC]")
    result = run("verify", str(case), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "verdict: confirmed (the strongest of 2 routes)"
    assert lines[1].startswith("  via AAA: confirmed — 1 observed crossing(s) in the window")
    assert lines[2].startswith("  via CCC: inconclusive — no crossing seen, but the border")


def test_case_draft_writes_the_window_in_utc(tmp_path):
    text = tmp_path / "news.txt"
    text.write_text("Iran said Israeli drones entered its airspace from Azerbaijan on June 13.\n")
    result = run("case", "draft", str(text), "-o", str(tmp_path / "case.yaml"))
    assert result.exit_code == 0
    drafted = (tmp_path / "case.yaml").read_text(encoding="utf-8")
    assert 'since: "????-06-12T20:30Z"  # CHECK: year not stated' in drafted
    assert "timezone: Asia/Tehran  # CHECK:" in drafted
