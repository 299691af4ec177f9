"""`airwitness crossings`, `label` and `tracks`: exit codes, summaries, output formats."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.cli._cli import CAUCASUS, DRONES, STATES, run


def test_crossings_jsonl_on_stdout_and_summary_on_stderr():
    result = run("crossings", STATES, DRONES, "--into", "IRN")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["to"] for r in rows} == {"IRN"}
    uav1 = [r for r in rows if r["track_id"] == "UAV-1"]
    # over OpenStreetMap's border (the default set); over Natural Earth's it was 02:39:09
    assert [(r["from"], r["kind"], r["time"][:19]) for r in uav1] == [
        ("AZE", "observed", "2025-06-14T02:39:56")
    ]
    assert "records read: 4549" in result.stderr
    assert "  no position: 5" in result.stderr
    assert "  duplicate: 4" in result.stderr
    assert "  position outlier: 1" in result.stderr


@pytest.mark.parametrize(
    ("boundary_set", "times"),
    [
        # AHY71 over the Aras at 04:40 and AHY72 at Julfa at 06:39, both on the 13th
        ("ne10m", ["04:40:29.218", "06:39:44.924"]),
        # OSM's border follows the Aras's bends: AHY71 enters Iran twice within 4 s,
        # AHY72 enters at Julfa 16 s later than over Natural Earth's border, and AHY71's
        # way back (06:56) also clips a bend of the river
        ("osm", ["04:40:45.943", "04:40:49.479", "06:40:00.850", "06:56:47.572"]),
    ],
)
def test_filters_since_until_from(tmp_path, boundary_set, times):
    out = tmp_path / "x.csv"
    result = run(
        "crossings",
        STATES,
        "--boundaries",
        boundary_set,
        "--from",
        "AZE",
        "--since",
        "2025-06-13",
        "--until",
        "2025-06-13",
        "-o",
        str(out),
        "-q",
    )
    assert result.exit_code == 0 and result.stderr == ""
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + len(times)
    assert all('"600a1c"' in line and '"AZE","IRN"' in line for line in lines[1:])
    assert [line.split(",")[2][12:24] for line in lines[1:]] == times


@pytest.mark.parametrize("ext", [".jsonl", ".csv", ".geojson", ".parquet", ".kml"])
def test_every_output_format_is_written_and_deterministic(tmp_path, ext):
    a, b = tmp_path / f"a{ext}", tmp_path / f"b{ext}"
    assert run("crossings", DRONES, "-o", str(a), "-q").exit_code == 0
    assert run("crossings", DRONES, "-o", str(b), "-q").exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    if ext == ".parquet":
        assert pq.read_table(a).num_rows == 2
    if ext == ".geojson":
        doc = json.loads(a.read_text())
        assert [f["properties"]["to"] for f in doc["features"]] == ["IRN", "IRN"]


def test_unreadable_file_exits_3_with_one_line(tmp_path):
    missing = tmp_path / "nope.csv"
    result = run("crossings", str(missing))
    assert result.exit_code == 3
    assert result.stderr.strip().count("\n") == 0
    assert "nope.csv" in result.stderr and "Traceback" not in result.stderr


def test_undetectable_format_exits_3(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello,world\n1,2\n")
    result = run("crossings", str(junk))
    assert result.exit_code == 3 and "junk.txt" in result.stderr


def test_bad_records_are_counted_and_strict_fails_on_them(tmp_path):
    path = tmp_path / "t.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("track_id,time,lat,lon\n")
        fh.write("a,2025-06-14T00:00:00Z,39.6,47.4\n")
        fh.write("a,not-a-time,39.5,47.4\n")
        fh.write("a,2025-06-14T00:01:00Z,39.3,47.4\n")
    ok = run("crossings", str(path))
    assert ok.exit_code == 0
    assert "  bad time: 1" in ok.stderr
    assert [json.loads(x)["to"] for x in ok.stdout.splitlines()] == ["IRN"]
    strict = run("crossings", str(path), "--strict")
    assert strict.exit_code == 3
    assert f"{path}:3: bad time" in strict.stderr


def test_usage_errors_exit_2():
    assert run("crossings", STATES, "--into", "XXX").exit_code == 2
    assert run("crossings", STATES, "--since", "13/06/2025").exit_code == 2
    assert run("crossings", STATES, "--since", "2025-06-20", "--until", "2025-06-13").exit_code == 2
    assert run("crossings", STATES, "--code-field", "X").exit_code == 2
    assert run("crossings", STATES, "-o", "out.xlsx").exit_code == 2


def test_user_boundaries(tmp_path):
    geo = tmp_path / "zones.geojson"
    square = [[[47.0, 39.4], [48.0, 39.4], [48.0, 40.0], [47.0, 40.0], [47.0, 39.4]]]
    geo.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "NORTH"},
                        "geometry": {"type": "Polygon", "coordinates": square},
                    }
                ],
            }
        )
    )
    result = run(
        "crossings", DRONES, "--boundaries", str(geo), "--code-field", "name", "--track", "UAV-1"
    )
    assert result.exit_code == 0
    assert [(json.loads(x)["from"], json.loads(x)["to"]) for x in result.stdout.splitlines()] == [
        ("NORTH", "INTL")
    ]


def test_label_and_tracks(tmp_path):
    out = tmp_path / "labels.parquet"
    assert run("label", DRONES, "-o", str(out), "-q").exit_code == 0
    labels = pq.read_table(out)
    assert labels.num_rows == 1565
    assert set(labels["airspace"].to_pylist()) == {"AZE", "IRN"}
    result = run("tracks", DRONES, "-q")
    rows = {r["track_id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["UAV-1"]["airspaces"] == "AZE > IRN"
    assert rows["UAV-2"]["airspaces"] == "AZE"
    assert rows["UAV-1"]["reports"] == 506
    # GPX says nothing of who made the positions: no sensor, nothing associated
    assert (rows["UAV-1"]["sensor"], rows["UAV-1"]["associated_with"]) == (None, None)


def test_tracks_name_their_sensor_and_the_tracks_of_the_same_object():
    fusion = Path(__file__).resolve().parents[2] / "examples" / "fusion"
    files = [str(fusion / "plots.ast"), str(fusion / "adsb.csv")]
    read = ["--date", "2025-06-16", "--sensors", str(fusion / "sensors.csv")]
    result = run("tracks", *files, *read, "-q")
    assert result.exit_code == 0, result.stderr
    rows = {r["track_id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert (rows["600a01"]["sensor"], rows["600a01"]["associated_with"]) == (
        "adsb",
        "asterix:1/18:600a01",
    )
    assert rows["asterix:1/18:600a01"]["sensor"] == "asterix:1/18"
    k01 = rows["600b11"]["associated_with"]
    assert k01.startswith("radar:1/17:") and rows[k01]["associated_with"] == "600b11"


def test_rejects_are_listed_with_their_records(tmp_path):
    out = tmp_path / "rejects.csv"
    result = run("crossings", STATES, "--rejects", str(out), "-q")
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == '"file","record","offset","reason"'
    assert len(lines) == 1 + 10  # 5 no position + 4 duplicates + 1 outlier
    assert f'"{STATES}",2238,,"position outlier"' in lines


def test_read_options_are_checked():
    bad = run("crossings", DRONES, "--reference", "north")
    assert bad.exit_code == 2 and "--reference" in bad.stderr
    assert run("crossings", DRONES, "--reference", "95,10").exit_code == 2
    assert run("crossings", DRONES, "--start-time", "yesterday").exit_code == 2
    ok = run("crossings", DRONES, "--reference", "39.5,47.4", "--date", "2025-06-14", "-q")
    assert (
        ok.exit_code == 0 and len(ok.stdout.splitlines()) == 2
    )  # formats that need none ignore them


def test_engines_from_the_cli_give_the_same_bytes(tmp_path):
    mem, local = tmp_path / "m.csv", tmp_path / "l.csv"
    assert (
        run("crossings", STATES, DRONES, "--engine", "memory", "-o", str(mem), "-q").exit_code == 0
    )
    spill = tmp_path / "spill"
    one = run(
        "crossings",
        STATES,
        DRONES,
        "--engine",
        "local",
        "--workers",
        "1",
        "--memory",
        "1GB",
        "--spill-dir",
        str(spill),
        "--spill-compression",
        "lz4",
        "-o",
        str(local),
        "-q",
    )
    assert one.exit_code == 0
    assert mem.read_bytes() == local.read_bytes()  # the spill compressed: the same bytes
    assert spill.is_dir() and list(spill.iterdir()) == []  # used, and emptied
    # A folder in memory too: read through the engines' dataset expansion.
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (STATES, DRONES):
        (folder / Path(name).name).write_bytes(Path(name).read_bytes())
    from_folder = tmp_path / "f.csv"
    got = run("crossings", str(folder), "--engine", "memory", "-o", str(from_folder), "-q")
    assert got.exit_code == 0
    # the same rows; `before`/`after` name the files as they were given
    assert from_folder.read_text().replace(f"{folder}/", "") == mem.read_text().replace(
        f"{CAUCASUS}/", ""
    )
    assert run("crossings", STATES, "--engine", "spark").exit_code == 2
    bad = run("crossings", STATES, "--engine", "local", "--spill-compression", "zip")
    assert bad.exit_code == 2 and "unknown spill compression 'zip'" in bad.stderr
    assert run("crossings", STATES, "--engine", "local", "--memory", "lots").exit_code == 2
    assert run("crossings", "--store", "x.duckdb", "--engine", "dask").exit_code == 2


def test_a_full_spill_disk_exits_4_with_one_line(tmp_path, monkeypatch):
    """No room for the spill is neither bad input nor bad usage: exit 4, one
    line naming the folder and the room these inputs need."""
    import errno

    from airwitness.engine import spill_io

    def disk_full(self, arrays):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spill_io.Sink, "write", disk_full)
    spill = tmp_path / "spill"
    args = ["crossings", STATES, "--engine", "local", "--workers", "1", "--spill-dir", str(spill)]
    got = run(*args)
    assert got.exit_code == 4
    assert got.stderr.startswith(f"airwitness: error: the spill folder {spill}/airwitness-spill-")
    assert "No space left on device" in got.stderr and "GB there" in got.stderr
    assert "(--spill-compression lz4)" in got.stderr
    assert "Traceback" not in got.stderr and got.stderr.count("\n") == 1
    assert list(spill.iterdir()) == []  # what was written is gone
    (tmp_path / "a-file").write_text("")
    got = run(*args[:-1], str(tmp_path / "a-file" / "spill"))
    assert got.exit_code == 4
    assert "cannot make a spill folder in" in got.stderr


def _into_crimea(path) -> str:
    """A drone from mainland Ukraine over the Perekop isthmus into Crimea, one report a
    minute: into the area Russia and Ukraine both claim in the osm set."""
    rows = ["track_id,time,lat,lon,alt_m"]
    for k in range(31):
        f = k / 30
        lat, lon = 46.50 + (45.30 - 46.50) * f, 33.60 + (34.00 - 33.60) * f
        rows.append(f"UAV-C,2025-06-14T02:{k:02d}:00Z,{lat:.5f},{lon:.5f},300")
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_include_disputed_matches_the_areas_a_code_claims_with_others(tmp_path):
    track = _into_crimea(tmp_path / "crimea.csv")

    def crossings(*args: str) -> list[tuple[str, str]]:
        result = run("crossings", track, "-q", *args)
        assert result.exit_code == 0, result.stderr
        return [(r["from"], r["to"]) for r in map(json.loads, result.stdout.splitlines())]

    assert crossings() == [("UKR", "RUS+UKR")]
    assert crossings("--into", "RUS") == []
    assert crossings("--into", "RUS", "--include-disputed") == [("UKR", "RUS+UKR")]
    assert crossings("--from", "UKR", "--into", "UKR", "--include-disputed") == [("UKR", "RUS+UKR")]
    # Natural Earth (German point of view) draws Crimea as Ukraine: no crossing at all.
    assert crossings("--boundaries", "ne10m") == []


def test_every_crossing_has_a_confidence_and_min_confidence_filters():
    def rows(*args: str) -> list[dict]:
        result = run("crossings", STATES, DRONES, "--into", "IRN", "-q", *args)
        assert result.exit_code == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    everything = rows()
    assert len(everything) == 7 and all(0 <= r["confidence"] <= 1 for r in everything)
    assert {"time_min", "time_max", "along_min_m", "along_max_m", "evidence", "depth_m",
            "sigma_m", "boundary_sigma_m"} <= set(everything[0])  # fmt: skip
    sure = rows("--min-confidence", "0.99")
    assert [r["track_id"] for r in sure] == ["600a1c", "600a1c", "UAV-1", "UAV-3"]
    assert all(r["confidence"] >= 0.99 for r in sure)
    # the bends of the Aras that AHY71 clips without a report inside are not evidence
    assert sorted(r["confidence"] for r in everything)[:3] == [0.0, 0.0, 0.0]


def test_confidence_options_are_checked():
    assert run("crossings", DRONES, "--min-confidence", "1.5").exit_code == 2
    assert run("crossings", DRONES, "--boundary-sigma-m", "-1").exit_code == 2
