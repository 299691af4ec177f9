"""End-to-end crossings at scale: generated reports in, crossings out, against the read floor.

    python bench/crossings.py [--reports 10000000] [--memory 2e9] [--engine local|dask|memory]
                              [--workers 2] [--data-dir /tmp/airwitness-bench] [--no-scaling]
                              [--input-format canonical|opensky|opensky-csv|all]

1. **Data**: ``scripts/generate_traffic.py`` writes N reports (seed 0) as hive-partitioned
   canonical Parquet under ``--data-dir/traffic-N-s0/``, or the dataset already there is
   reused when its manifest matches. ``--input-format opensky`` (``opensky-csv``, ``all``;
   a comma list works too) also runs the same reports as users get them from OpenSky,
   side by side with canonical: Parquet in the columns of OpenSky's Trino database
   (snappy) in ``traffic-N-s0-opensky/``, and the hourly CSV.gz files of its historical
   dumps in ``traffic-N-s0-opensky-csv/`` (``bench/_scale_data.py``). Every file is read
   once right before every run, so each starts from a warm page cache (this machine's
   kernel pages out file pages it has not touched for a while; a run that reads part of
   the dataset from disk would measure the disk).
2. **End to end**: airwitness finds every crossing of each dataset with
   ``airwitness.engine.run_crossings_scaled`` (``--engine``, ``--workers``, ``--memory``),
   against that format's read floor: the time pyarrow alone needs to read, from the same
   files, the columns airwitness needs (``pyarrow.dataset``, all cores; Parquet with
   ``to_table`` when the columns fit in half of ``--memory``, else batch by batch; CSV.gz
   with pyarrow's CSV reader, batch by batch). Each is run ``--repeat`` times (default 3), in
   fresh processes, alternately (floor, airwitness, floor, …) so that both see the
   same machine, and the formats in turn within each round (canonical's pair, then
   OpenSky's, …, then the next round), so that the formats compared see the same hour
   too; the table shows the median wall time with the range, reports/s and
   the ratio to the floor from the medians, the CPU time (user and system) of the whole
   process tree (median and range) and its ratio to canonical's, and the largest peak
   RSS and its ratio to ``--memory``; ``read / cross s`` gives each pass's wall time and,
   in brackets, its CPU time (from psutil, at the end of each pass). Below the table,
   each airwitness run's ratio to the floor run just before it. CPU time is what to
   compare on a shared machine: another session's work slows the wall clock, not the
   CPU seconds a run needs.
   The reports/s target is judged on the median run, the 4× target on the median of
   those paired ratios (this VM's speed drifts by a quarter within an hour, and the
   floor, pure multi-threaded decoding, moves with it on its own). Each OpenSky format's
   row also gives its ratio to the canonical run, and whether it found the same crossings
   (the same tracks, segments, times, places and airspaces: provenance differs by file,
   and the confidences by the source's default position error).
3. **Scaling** (unless ``--no-scaling``): local engine on 1 and 2 workers, and Dask on a
   ``LocalCluster`` of 2 workers against the local engine on 2 (medians of ``--repeat``
   runs). Every run must give the same crossings (the table compares a SHA-256 of them).

Each run is a fresh child process; its peak RSS is the largest sum of the resident sets
of the child and all its descendants (Dask's worker processes included), sampled every
50 ms from outside (psutil when installed, else /proc), next to the child's own
``getrusage`` figures. The load average is printed with each table: the machine may be
shared, which slows every figure alike.

Targets (issue 5, 2-core machine, 100M reports): ≥ 5M reports/s end to end, within 4× of
the read floor, peak RSS ≤ ``--memory`` + 20 %.

Optional 1B run (not part of ``make bench``): about 42 GB of canonical Parquet (42 bytes
per report as airwitness writes it: lz4, delta-coded times) and ~12–20 min of generation
on 2 cores (~50–90M rows/min with ``--jobs 2``), so point ``--data-dir`` at a disk with
45 GB free, ``TMPDIR`` at one with room for the engine's spilled partitions: 36 bytes
per report (36 GB) plain, 18.6 compressed (the engine compresses the spill by itself
where the disk lacks room for it plain: ``--spill-compression auto``), ~61–80 GB in all;
and skip the scaling runs::

    TMPDIR=/big/disk/tmp python bench/crossings.py --reports 1000000000 \
        --data-dir /big/disk --no-scaling

(``--input-format opensky`` adds ~52 GB of OpenSky Parquet, ``opensky-csv`` ~50 GB.)

The generated datasets are kept in ``--data-dir`` and reused while the generator scripts
and their settings are unchanged (the manifest records the scripts' SHA-256).

Where ``airwitness.engine`` is missing (a checkout from before issue 5), the in-memory
pipeline (read everything, ``prepare_tracks``, ``find_crossings``) stands in for every
engine and the tables say so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import machine
from bench._measure import PassCpu, cpu_s, tree_rss
from bench._scale_data import FLOOR_COLUMNS, FORMATS, LABELS, dataset, read_floor, warm

POLL_S = 0.05
#: The crossings' columns that say where, when and between which airspaces: the same
#: from every format of the same reports (provenance and confidence are not).
WHERE = ["track_id", "segment", "time", "lon", "lat", "alt_m", "from", "to", "kind", "gap_s"]


# ---------------------------------------------------------------- child runs


def child_main(argv: list[str]) -> int:
    """One measured run in this (fresh) process; prints a JSON line with its figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["floor", "airwitness"])
    ap.add_argument("data", type=Path)
    ap.add_argument("--engine", default="local")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory", type=float, default=2e9)
    ap.add_argument("--boundaries", default=None)
    ap.add_argument("--format", default="canonical", choices=FORMATS)
    ap.add_argument("--spill-compression", default=None)
    a = ap.parse_args(argv)
    import pyarrow.dataset  # noqa: F401  (imports are not what we measure)

    if a.what == "airwitness":
        try:
            import airwitness.engine
        except ImportError:
            import airwitness.pipeline  # noqa: F401
    t0 = time.perf_counter()
    if a.what == "floor":
        out = read_floor(a.data, a.memory, a.format)
    else:
        out = run_airwitness(
            a.data, a.engine, a.workers, a.memory, a.boundaries, a.spill_compression
        )
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = cpu_s()
    out["ru_self_b"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["ru_children_b"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print("RESULT " + json.dumps(out), flush=True)
    return 0


def run_airwitness(
    data: Path,
    engine: str,
    workers: int,
    memory: float,
    boundaries: str | None = None,
    spill_compression: str | None = None,
) -> dict:
    try:
        from airwitness.engine import run_crossings_scaled
    except ImportError:  # before issue 5's engine landed: the in-memory pipeline
        run_crossings_scaled = None
    extra = {}
    if run_crossings_scaled is None:
        crossings = _in_memory(data)
        used = f"in-memory pipeline (no engine; asked {engine})"
    else:
        named = {} if boundaries is None else {"airspace": boundaries}  # older code: its default
        if spill_compression is not None:
            named["spill_compression"] = spill_compression
        passes = PassCpu()
        run = run_crossings_scaled(
            [str(data)], engine=engine, workers=workers, memory_bytes=memory, **named,
            **passes.argument(),
        )  # fmt: skip
        crossings, used = run.crossings, run.engine
        extra = {"seconds": run.seconds, "partitions": run.partitions, "cpu": passes.seconds}
        if run.plan is not None:
            extra["plan"] = {k: v for k, v in vars(run.plan).items() if k != "note"}
    t, cpu = time.perf_counter(), time.process_time()
    digest = _digest(crossings)
    where = _digest(crossings.select(WHERE))
    return {
        "engine": used,
        "crossings": crossings.num_rows,
        "sha256": digest,
        "where_sha256": where,
        "digest_s": time.perf_counter() - t,  # subtracted from the wall time by the parent
        "digest_cpu_s": time.process_time() - cpu,  # and from the CPU time
        **extra,
    }


def _in_memory(data: Path):
    """The in-memory path: read the needed columns, clean tracks, find crossings."""
    import pyarrow.dataset as ds

    from airwitness.airspace import Airspace
    from airwitness.crossings import find_crossings
    from airwitness.tracks import prepare_tracks

    table = ds.dataset(data, format="parquet").to_table(columns=FLOOR_COLUMNS["canonical"])
    prepared = prepare_tracks(table)
    del table
    return find_crossings(prepared.table, Airspace.builtin())


def _digest(table) -> str:
    """SHA-256 of the crossings' values, independent of chunking and dictionaries."""
    import pyarrow as pa
    import pyarrow.compute as pc

    h = hashlib.sha256()
    for name in table.column_names:
        col = table[name]
        if pa.types.is_dictionary(col.type):
            col = pc.cast(col, col.type.value_type)
        h.update(name.encode())
        h.update(json.dumps(col.to_pylist(), default=str).encode())
    return h.hexdigest()


# ---------------------------------------------------------------- the parent


def measured(what: str, data: Path, **opts) -> dict:
    """Run one child and poll its process tree's resident memory until it ends."""
    cmd = [sys.executable, __file__, "--child", what, str(data)]
    for k, v in opts.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(POLL_S)
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.stderr.write(err)
        raise SystemExit(f"{what} run failed (exit {proc.returncode})")
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["wall_s"] -= result.get("digest_s", 0.0)
    result["cpu_s"] -= result.get("digest_cpu_s", 0.0)
    result["tree_peak_b"] = peak
    result["load"] = os.getloadavg()[0]
    return result


def repeated(what: str, data: Path, repeat: int, **opts) -> dict:
    """``repeat`` runs of one kind, each right after :func:`warm`: the median run's
    figures, with the fastest and slowest wall times and the largest peak RSS.

    The page cache is warmed before every run, not once: this machine's kernel
    pages out file pages it has not touched for a while (DAMON), and a run that
    reads part of the dataset from disk measures the disk.
    """
    runs = []
    for _ in range(repeat):
        warm(data)
        runs.append(measured(what, data, **opts))
    return summary(what, runs)


def alternated(data: Path, repeat: int, format: str, **opts) -> tuple[dict, dict, list[float]]:
    """The read floor and airwitness, ``repeat`` times each, one after the other
    (floor, airwitness, floor, …), each right after :func:`warm`: both see the
    same machine (this VM's speed drifts by a quarter within an hour). Returns
    both summaries and each pair's ratio (airwitness ÷ floor)."""
    floors, runs = [], []
    for _ in range(repeat):
        warm(data)
        floors.append(measured("floor", data, memory=opts["memory"], format=format))
        warm(data)
        runs.append(measured("airwitness", data, **opts))
    ratios = [r["wall_s"] / f["wall_s"] for f, r in zip(floors, runs, strict=True)]
    return summary("floor", floors), summary("airwitness", runs), ratios


def interleaved(
    data: dict[str, Path], repeat: int, **opts
) -> dict[str, tuple[dict, dict, list[float]]]:
    """:func:`alternated` for every format, round after round (canonical, OpenSky, …,
    then again): the formats compared see the same hour of this shared machine, not
    one hour each."""
    rounds = [
        {f: alternated(d, 1, f, **opts) for f, d in data.items()} for _ in range(repeat)
    ]  # fmt: skip
    out = {}
    for f in data:
        floors = [r[f][0] for r in rounds]
        runs = [r[f][1] for r in rounds]
        ratios = [r[f][2][0] for r in rounds]
        out[f] = (_merged("floor", floors), _merged("airwitness", runs), ratios)
        out[f][1]["rounds"] = [(r["wall_s"], r["cpu_median"]) for r in runs]
    return out


def _merged(what: str, summaries: list[dict]) -> dict:
    """The summary of several one-run summaries."""
    return summary(what, [{k: v for k, v in s.items() if k not in _SPREAD} for s in summaries])


_SPREAD = ("wall_min", "wall_max", "runs", "cpu_median", "cpu_min", "cpu_max")


def summary(what: str, runs: list[dict]) -> dict:
    """The median run's figures, with the fastest and slowest wall times and the
    largest peak RSS; all runs must give the same crossings."""
    digests = {r.get("sha256") for r in runs}
    if len(digests) > 1:
        raise SystemExit(f"{what}: runs disagree on the crossings ({len(digests)} results)")
    walls = sorted(r["wall_s"] for r in runs)
    median = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    cpus = sorted(r["cpu_s"] for r in runs)
    return {
        **median,
        "cpu_median": cpus[len(cpus) // 2],
        "cpu_min": cpus[0],
        "cpu_max": cpus[-1],
        "wall_min": walls[0],
        "wall_max": walls[-1],
        "runs": len(runs),
        "tree_peak_b": max(r["tree_peak_b"] for r in runs),
        "ru_self_b": max(r["ru_self_b"] for r in runs),
        "ru_children_b": max(r["ru_children_b"] for r in runs),
    }


def _wall(r: dict) -> str:
    """The median wall time, and the range when there were several runs."""
    if r.get("runs", 1) == 1:
        return f"{r['wall_s']:.2f}"
    return f"{r['wall_s']:.2f} ({r['wall_min']:.2f}–{r['wall_max']:.2f})"


def _fmt_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def fmt(cells: list[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in pairs)

    line = fmt(header)
    return "\n".join([line, "-" * len(line), *(fmt(r) for r in rows)])


def _gb(b: float) -> str:
    return f"{b / 1e9:.2f} GB"


def _formats(text: str) -> list[str]:
    """``--input-format``: canonical always first, then the OpenSky formats asked for."""
    asked = FORMATS if text == "all" else [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in asked if t not in FORMATS]
    if unknown:
        raise SystemExit(f"unknown input format {unknown[0]!r}: {', '.join(FORMATS)} or all")
    return list(dict.fromkeys(["canonical", *asked]))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child_main(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--memory", type=float, default=2e9, help="bytes (GB = 1e9)")
    ap.add_argument("--engine", default="local", choices=["local", "dask", "memory"])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/airwitness-bench"))
    ap.add_argument("--jobs", type=int, default=2, help="processes for the generator")
    ap.add_argument("--no-scaling", action="store_true", help="skip the scaling section")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each kind (median shown)")
    ap.add_argument(
        "--boundaries",
        choices=["osm", "ne10m"],
        help="the built-in set (default: the code's default set, osm since issue 15)",
    )
    ap.add_argument(
        "--spill-compression",
        choices=["auto", "lz4", "none"],
        help="the engine's spill_compression (default: the engine's, auto: compressed only "
        "where the spill folder's disk lacks room; the plan line says which it used)",
    )
    ap.add_argument(
        "--input-format",
        default="canonical",
        help="also run the same reports as OpenSky Parquet (opensky), as its hourly "
        "CSV.gz dumps (opensky-csv), or both (all); canonical always runs",
    )
    a = ap.parse_args()
    formats = _formats(a.input_format)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when piped to a file

    print(f"machine: {machine()}")
    named = {} if a.boundaries is None else {"boundaries": a.boundaries}
    if a.spill_compression is not None:
        named["spill_compression"] = a.spill_compression
    data = {}
    for format in formats:
        data[format] = dataset(a.reports, a.seed, a.data_dir, a.jobs, format)
        t = time.perf_counter()
        size = warm(data[format])
        took = time.perf_counter() - t
        print(f"dataset: {data[format]} ({size / 1e9:.2f} GB; read once in {took:.1f} s)")
    print(
        f"running each format's read floor and airwitness ({a.engine}, {a.workers} workers, "
        f"boundaries {a.boundaries or 'the default set'}), one after the other, format after "
        f"format, ×{a.repeat} …",
        flush=True,
    )
    results = interleaved(data, a.repeat, engine=a.engine, workers=a.workers, memory=a.memory,
                          **named)  # fmt: skip
    canonical_data = data["canonical"]
    end_to_end(a, results)
    if a.no_scaling:
        return 0

    print("\nscaling runs (canonical) …", flush=True)
    main_run = results["canonical"][1]
    runs = []
    for name, engine, workers in (
        ("local", "local", 1),
        ("local", "local", 2),
        ("dask LocalCluster", "dask", 2),
    ):
        if (engine, workers) == (a.engine, a.workers):
            r = main_run  # already measured
        else:
            r = repeated(
                "airwitness",
                canonical_data,
                a.repeat,
                engine=engine,
                workers=workers,
                memory=a.memory,
                **named,
            )
        runs.append((name, workers, r))
    scaling(a, runs, main_run)
    return 0


def end_to_end(a, results: dict[str, tuple[dict, dict, list[float]]]) -> None:
    n = a.reports
    loads = ", ".join(f"{run['load']:.2f}" for _, run, _ in results.values())
    some = next(iter(results.values()))[1]
    print(
        f"\n## End to end: {n:,} reports, --memory {_gb(a.memory)}, "
        f"load average {loads}; median of {some.get('runs', 1)} runs each "
        "(range in brackets), page cache warmed before every run\n"
    )
    canonical = results["canonical"][1]
    rows = []
    for format, (floor, run, _) in results.items():
        same = "yes" if run.get("where_sha256") == canonical.get("where_sha256") else "NO"
        for name, r in (
            (f"pyarrow read ({floor['how']})", floor),
            (f"airwitness {run['engine']} ×{a.workers}", run),
        ):
            aw = r is run
            rows.append(
                [
                    LABELS[format],
                    name,
                    _wall(r),
                    f"{n / r['wall_s'] / 1e6:.2f} M",
                    f"{r['wall_s'] / floor['wall_s']:.2f}×",
                    f"{r['wall_s'] / canonical['wall_s']:.2f}×" if aw else "",
                    _cpu(r),
                    f"{r['cpu_median'] / canonical['cpu_median']:.2f}×" if aw else "",
                    _gb(r["tree_peak_b"]),
                    f"{r['tree_peak_b'] / a.memory:.2f}",
                    _passes(r) if aw else "",
                    f"{r.get('crossings', '')}",
                    same if aw and format != "canonical" else "",
                ]
            )
    header = ["input", "run", "wall s", "reports/s", "× floor", "× canonical", "CPU s"]
    header += ["CPU × canonical", "peak RSS", "÷ memory", "read / cross s (CPU s)"]
    header += ["crossings", "same crossings"]
    print(_fmt_table(header, rows))
    for format, (_, run, ratios) in results.items():
        if "plan" in run:
            plan = ", ".join(f"{k} {_figure(v)}" for k, v in run["plan"].items())
            passes = ", ".join(f"{k} {v:.1f} s" for k, v in run.get("seconds", {}).items())
            print(f"\n{LABELS[format]}: plan: {plan}; partitions run {run.get('partitions')}")
            print(f"  passes: {passes}")
        each = ", ".join(f"{r:.2f}×" for r in ratios)
        print(f"  airwitness ÷ floor, run by run (each right after its floor run): {each}")
        if format != "canonical" and "rounds" in run:
            print(f"  airwitness ÷ canonical's, round by round: {_by_round(run, results)}")
    _targets(a, results)


def _figure(value: object) -> str:
    """A plan's figure: numbers with thousands separators, anything else as it is."""
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _passes(run: dict) -> str:
    seconds, cpu = run.get("seconds", {}), run.get("cpu", {})
    if "read" not in seconds:
        return ""
    wall = f"{seconds['read']:.1f} / {seconds['cross']:.1f}"
    if "cross" not in cpu:
        return wall
    return f"{wall} ({cpu['read']:.1f} / {cpu['cross']:.1f})"


def _by_round(run: dict, results: dict[str, tuple[dict, dict, list[float]]]) -> str:
    """A format's wall and CPU times over canonical's in the same round (minutes apart)."""
    pairs = zip(run["rounds"], results["canonical"][1]["rounds"], strict=True)
    return ", ".join(f"wall {w / cw:.2f}× CPU {c / cc:.2f}×" for (w, c), (cw, cc) in pairs)


def _cpu(r: dict) -> str:
    """The median CPU seconds of the process tree, and the range over the runs."""
    if r.get("runs", 1) == 1:
        return f"{r['cpu_median']:.1f}"
    return f"{r['cpu_median']:.1f} ({r['cpu_min']:.1f}–{r['cpu_max']:.1f})"


def _targets(a, results: dict[str, tuple[dict, dict, list[float]]]) -> None:
    """Issue 5's targets (canonical) and issue 19's (all formats), judged on the medians."""
    n = a.reports

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    def paired(ratios: list[float]) -> float:
        return sorted(ratios)[len(ratios) // 2]

    _, canonical, ratios = results["canonical"]
    print(
        f"\ntargets, canonical: ≥ 10M reports/s {verdict(n / canonical['wall_s'] >= 1e7)} "
        f"({n / canonical['wall_s'] / 1e6:.2f} M, median run); "
        f"≤ 4× floor {verdict(paired(ratios) <= 4.0)} (median of the pairs: "
        f"{paired(ratios):.2f}×)"
    )
    if "opensky" in results:
        run = results["opensky"][1]
        vs = run["wall_s"] / canonical["wall_s"]
        cpu = run["cpu_median"] / canonical["cpu_median"]
        print(
            f"targets, OpenSky Parquet: ≤ 1.25× canonical {verdict(vs <= 1.25)} ({vs:.2f}×; "
            f"CPU time {cpu:.2f}×); "
            f"≥ 6M reports/s {verdict(n / run['wall_s'] >= 6e6)} "
            f"({n / run['wall_s'] / 1e6:.2f} M)"
        )
    if "opensky-csv" in results:
        ratio = paired(results["opensky-csv"][2])
        print(
            f"targets, OpenSky CSV.gz: ≤ 2× pyarrow's CSV reader {verdict(ratio <= 2.0)} "
            f"(median of the pairs: {ratio:.2f}×)"
        )
    worst = max(run["tree_peak_b"] for _, run, _ in results.values())
    print(
        f"peak RSS ≤ memory + 20 % {verdict(worst <= a.memory * 1.2)} "
        f"(largest: {_gb(worst)}, {worst / a.memory:.2f} of --memory)"
    )


def scaling(a, runs: list[tuple[str, int, dict]], main_run: dict) -> None:
    n = a.reports
    loads = ", ".join(f"{r['load']:.2f}" for _, _, r in runs)
    print(
        f"\n## Scaling: {n:,} reports, --memory {_gb(a.memory)}, load average {loads}; "
        f"median of {a.repeat} runs each\n"
    )
    base, local2 = runs[0][2]["wall_s"], runs[1][2]["wall_s"]
    rows = []
    for name, w, r in runs:
        vs = f"{base / r['wall_s']:.2f}× vs 1 worker"
        if name.startswith("dask"):
            vs += f"; {local2 / r['wall_s']:.2f}× vs local ×2"
        rows.append(
            [
                name,
                str(w),
                _wall(r),
                f"{n / r['wall_s'] / 1e6:.2f} M",
                vs,
                _gb(r["tree_peak_b"]),
                str(r["crossings"]),
                "yes" if r["sha256"] == main_run["sha256"] else "NO",
            ]
        )
    header = ["engine", "workers", "wall s", "reports/s", "speed-up", "peak RSS", "crossings"]
    print(_fmt_table([*header, "same result"], rows))


if __name__ == "__main__":
    sys.exit(main())
