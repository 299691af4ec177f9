"""Generate a seeded multi-sensor scenario: one sky seen by a primary radar, a Mode S
secondary radar and ADS-B, with one aircraft's ADS-B spoofed, and the truth behind it.

Usage::

    python scripts/generate_fusion.py -o DIR [--seed 20250616] [--duration-s 5400]
        [--airliners 8] [--kinematic 1] [--spoofed 1] [--targets 11] [--adsb-period-s 5]
        [--clutter-per-scan 30] [--patch-per-scan 10] [--scan-period-s 5] [--pd 0.9]
        [--sigma-range-m 50] [--sigma-azimuth-deg 0.15] [--ssr-pd 0.98]
        [--ssr-sigma-range-m 30] [--ssr-sigma-azimuth-deg 0.05] [--ssr-range-bias-m 0]
        [--ssr-azimuth-bias-deg 0] [--ssr-time-bias-s 0] [--start ISO]

The scenario of issue 21 extends the primary-radar scenario of ``generate_radar.py``
(same site on the Aras, same defaults, same seed; read its docstring first):

- ``AZ-PSR-1`` (SAC 1, SIC 17), the 2D primary radar, sees the drones and fast
  movers of ``radar_targets.py`` (11 by default, ``--targets``), the aircraft that
  do not answer the secondary radar (``--kinematic``, below) and clutter, exactly as
  in ``generate_radar.py``: anonymous PSR plots. For the same options and seed the
  drones' and clutter's plots are those of ``generate_radar.py``, record for record
  (the other objects draw from their own random streams).
- ``AZ-SSR-1`` (SAC 1, SIC 18), a Mode S secondary radar on the same turning antenna
  (same site, same 5 s scan, north at every scan's start), sees every airliner: a
  roll-call plot at each sweep (Pd 0.98) within 0.5–250 km, slant range and azimuth
  with σ 30 m and 0.05° (a monopulse SSR), carrying the aircraft's Mode S address
  (I048/220), Mode 3/A code (I048/070), flight level (I048/090, exact: the flights
  cruise at flight levels) and callsign (I048/240), and no track number: TYP = Mode
  S roll-call (``asterix_write.mode_s_plot``). The primary radar does not report
  the airliners: a co-located PSR/SSR station merges its primary plots of aircraft
  that reply into the secondary's reports (plot combination), so the PSR channel
  carries the non-cooperative targets only. ``--ssr-range-bias-m``,
  ``--ssr-azimuth-bias-deg`` and ``--ssr-time-bias-s`` (0 by default) add a systematic
  error to every SSR plot (measured minus true: a late clock stamps each plot
  later than it was made), for fusion's bias estimation; the truth files are unchanged.
- ADS-B (``fusion_adsb.py``): every airliner and every ``K`` aircraft broadcasts;
  their state vectors, as OpenSky's history gives them, every ``--adsb-period-s``
  (5 s), over their whole flight, with GNSS error within the NACp each aircraft
  states (8–10: EPU 92.6, 30, 10 m). OpenSky's CSV holds no NACp, so airwitness
  gives those reports its default σ for ``opensky`` (50 m); the same reports as an
  ADS-B ground station's ASTERIX CAT021 (``cat021_write.py``: SAC 1, SIC 30) state
  it in I021/090, which airwitness reads as σ = EPU / 2.4477 (37.8, 12.3, 4.1 m).
  Read one or the other: both are the same aircraft's same broadcasts.
- Airliners (``fusion_objects.py``): 8 designed ones (``--airliners``; more are
  drawn from the seed: entering a 200 km circle, crossing it straight through a
  point within 80 km of the radar), 200–250 m/s at FL300–FL380 (9.1–11.6 km), four
  of them crossing the border (A01, A04, A07 AZE→IRN; A02 IRN→AZE), four not.
- Spoofing (``--spoofed``, 1): A05 flies due east 15 km north of the border's Iranian
  wedge and never crosses; from 320 s into its flight its ADS-B positions are walked
  35 km south over 300 s, held there 120 s and walked back over 300 s (about 117 m/s
  of drift), so its ADS-B track enters Iran and comes back — two crossings that
  never happened — while the secondary radar sees its true path and its reported
  velocity keeps matching its true motion (220 m/s due east). Further spoofed
  aircraft (or all of them, when A05 is not flying: a short ``--duration-s``) are
  the first random airliners (A09, …: ``--airliners`` must hold them), an episode
  from a tenth into the flight, offsets log-uniform from 300 m to 40 km in a random
  direction, ramps of 30–300 s, held up to 300 s (``fusion_objects.random_spoof``).
- Kinematic-only (``--kinematic``, 1): K01, a turboprop (110 m/s, 2,500 m) crossing
  AZE→IRN, whose transponder does not reply (its ADS-B is a portable unit's): the
  primary radar's anonymous plots and its ADS-B share no identity. More are drawn
  from the seed (within 45 km of the radar, 80–150 m/s, 1–3 km, 5–15 minutes).

With the defaults (90 minutes from 2025-06-16T04:00:00Z, seed 20250616): 20
objects (11 drones and fast movers, 8 airliners, K01); 47,700 plots in plots.ast:
46,190 primary (``generate_radar.py``'s 46,048, of which 43,109 clutter, plus 142
of K01) and 1,510 Mode S; 1,692 ADS-B state vectors (144 of them displaced by the
spoofing); 14 true crossings (the radar scenario's 9, four airliners', K01's) and
2 fake ones (A05's ADS-B); about 2 s. For the fusion benchmark's 100+ targets,
``--airliners 100 --kinematic 20 --spoofed 20 --targets 40`` makes 160 objects:
80,578 plots (28,420 Mode S), 31,464 state vectors (1,539 spoofed), 327 true
crossings (random airliners cross other borders too) and 3 fake ones, in about 4 s.

Heights: every flight keeps one height; pressure altitude is taken as the height
above the WGS-84 ellipsoid (standard atmosphere, no geoid), as airwitness's CAT048
reader assumes when it places a plot at its flight level.

Files written to DIR, byte-identical for the same options and seed:

- ``plots.ast`` — both radars' plots as raw ASTERIX CAT048 data blocks, in time
  order: per eighth of a scan, a block of the PSR's plots (SIC 17), then one of the
  SSR's (SIC 18);
- ``adsb.csv`` — the OpenSky state vectors (``time,icao24,lat,lon,velocity,heading,
  vertrate,callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude,
  lastposupdate,lastcontact``), in time then address order;
- ``adsb.ast`` — the same state vectors as raw ASTERIX CAT021 data blocks (one
  per state-vector time): record k is data line k of adsb.csv (its line k + 1),
  the time of applicability its ``lastposupdate`` to 1/128 s, the position to
  180/2³⁰ degrees, the NACp stated; read with ``--date``;
- ``sensors.csv`` — both radars, in ``generate_radar.py``'s columns (the SSR's
  clutter density 0);
- ``truth.csv`` — ``object,time,lon,lat,alt_m,speed_mps,class`` at 1 s steps, every
  object (class ``uav``, ``fast``, ``airliner``, ``aircraft``);
- ``truth_plots.csv`` — ``record,sensor,object,time`` for every record of plots.ast
  (object empty for clutter; sensor ``AZ-PSR-1`` or ``AZ-SSR-1``): how a tracker's
  tracks, citing their plots, map to objects;
- ``truth_adsb.csv`` — ``line,object,icao24,spoof_east_m,spoof_north_m,gnss_east_m,
  gnss_north_m`` for every state vector, by its line in adsb.csv (the header is line
  1: the ``source_record`` airwitness gives it): the spoofing displacement (0 when
  honest) and the GNSS error in the position, east and north in the radar's local
  plane (m);
- ``truth_association.csv`` — ``object,class,sensor,track_id,identity``: which track
  of each sensor belongs to which object; ``sensor`` is ``adsb``, ``asterix:1/18``
  or ``asterix:1/17``; ``track_id`` the one airwitness reads (the icao24 for ADS-B,
  ``asterix:1/18:<address>`` for the SSR's plots of an address) with ``identity``
  ``address``, or, for the PSR's anonymous plots, the object's name with
  ``identity`` ``plots`` (its tracks are made later: see truth_plots.csv);
- ``truth_spoof.csv`` — ``object,icao24,start,full,release,end,offset_east_m,
  offset_north_m,offset_m,reports``: each spoofing episode (displacement from
  ``start``, full from ``full`` to ``release``, none again from ``end``; east/north
  in the local plane) and how many state vectors it displaced;
- ``truth_crossings.csv`` — ``object,time,lon,lat,from,to``: airwitness's crossing
  logic on the 1 s truth (as in ``generate_radar.py``);
- ``fake_crossings.csv`` — ``object,icao24,time,lon,lat,from,to``: the crossings
  airwitness finds in adsb.csv alone on a spoofed aircraft's track between the
  start and end of its episode (a true crossing inside an episode would be listed
  too, displaced: none of the designed ones is);
- ``scenario.json`` — every parameter, the seed, the objects' recipes and
  identities, the spoofing, and the counts.

What airwitness makes of these files: a Mode S plot is a report of the SSR's track
``asterix:1/18:<address>`` with ``sensor`` ``asterix:1/18`` and ``identity`` the
address; the ADS-B of the same aircraft is track ``<address>`` with ``sensor``
``adsb``: two tracks of one object, which :mod:`airwitness.fusion` associates. SSR
reports carry no velocity (no I048/200); ADS-B from adsb.csv no stated σ, from
adsb.ast the NACp's.

Random streams (numpy PCG64, children of the seed): 0–3 as in ``generate_radar.py``
(PSR detection, PSR noise, clutter, extra drones), 4–5 the K aircraft's PSR
detection and noise, 6–7 SSR detection and noise, 8 ADS-B, 9 extra airliners, 10
extra K aircraft, 11 extra spoofing. The designed objects do not depend on the seed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asterix_write
import fusion_adsb
import fusion_objects
import fusion_truth
import generate_radar as gr

SSR = gr.Radar(name="AZ-SSR-1", sac=1, sic=18)


@dataclass(frozen=True)
class FusionScenario:
    """Every parameter of a run: the primary radar's scenario and what this one adds."""

    psr: gr.Scenario = field(default_factory=gr.Scenario)
    ssr: gr.Radar = SSR
    ssr_pd: float = 0.98
    ssr_sigma_range_m: float = 30.0
    ssr_sigma_azimuth_deg: float = 0.05
    #: a systematic error of the SSR (what it measures minus the truth), for fusion's
    #: bias estimation: 0 by default
    ssr_range_bias_m: float = 0.0
    ssr_azimuth_bias_deg: float = 0.0
    ssr_time_bias_s: float = 0.0
    ssr_range_max_m: float = 250_000.0
    airliners: int = 8
    kinematic: int = 1
    spoofed: int = 1
    adsb_period_s: int = 5

    def ssr_scenario(self) -> gr.Scenario:
        """The SSR as generate_radar's plot model sees it: same antenna, its own figures."""
        return dataclasses.replace(
            self.psr,
            radar=self.ssr,
            pd=self.ssr_pd,
            sigma_range_m=self.ssr_sigma_range_m,
            sigma_azimuth_deg=self.ssr_sigma_azimuth_deg,
            range_max_m=self.ssr_range_max_m,
        )


def aircraft(sc: FusionScenario, rngs: list[np.random.Generator]) -> list[fusion_objects.Aircraft]:
    """Airliners (designed, then random), then K aircraft; no spoofing yet."""
    n_designed = len(fusion_objects.DESIGNED_AIRLINERS)
    designed = fusion_objects.DESIGNED_AIRLINERS[: sc.airliners]
    airliners = [dataclasses.replace(a, spoof=None) for a in designed]
    airliners += fusion_objects.random_airliners(
        max(sc.airliners - n_designed, 0), n_designed + 1, sc.psr.duration_s, rngs[9]
    )
    kinematic = list(fusion_objects.DESIGNED_KINEMATIC[: sc.kinematic])
    kinematic += fusion_objects.random_kinematic(
        max(sc.kinematic - len(kinematic), 0), len(kinematic) + 1, sc.psr.duration_s, rngs[10]
    )
    return airliners + kinematic


def spoof(flights: list, n: int, rng: np.random.Generator) -> list:
    """Spoof ``n`` of the airliners flying: A05 as designed, then random airliners in
    order (A09, A10, …) with a random episode inside what is left of their flight."""
    designed = {a.target.name: a.spoof for a in fusion_objects.DESIGNED_AIRLINERS}
    candidates = [
        k
        for k, (ac, _) in enumerate(flights)
        if ac.mode_s and (designed.get(ac.target.name) or ac.target.name not in designed)
    ]
    if n > len(candidates):
        raise SystemExit(f"--spoofed {n}: only {len(candidates)} airliners can be spoofed")
    out = list(flights)
    for k in candidates[:n]:
        ac, tr = out[k]
        episode = designed.get(ac.target.name)
        if episode is None:
            episode = fusion_objects.random_spoof(float(tr.t_s[-1] - tr.t_s[0]), rng)
        out[k] = (dataclasses.replace(ac, spoof=episode), tr)
    return out


@dataclass
class Radars:
    """Both radars' plots in file order: record k of plots.ast is index k here."""

    records: list[bytes]
    time_ns: np.ndarray
    sensor: list[str]
    obj: list[str]  # object name, "" for clutter
    group: np.ndarray  # data block group: 2 × the eighth of a scan, + 1 for the SSR
    counts: dict[str, int]


def radar_plots(sc, geo, drones, flights, start_ns, rngs) -> Radars:
    """PSR plots (drones, K aircraft, clutter) and SSR plots (airliners), merged."""
    psr, ssr = sc.psr, sc.ssr_scenario()
    parts = [gr.target_plots(psr, geo, tr, k, rngs[0], rngs[1]) for k, tr in enumerate(drones)]
    psr_objects = [tr.target.name for tr in drones]
    ssr_parts, ssr_aircraft = [], []
    for ac, tr in flights:
        if ac.mode_s:
            idx = len(ssr_aircraft)
            ssr_parts.append(gr.target_plots(ssr, geo, tr, idx, rngs[6], rngs[7]))
            ssr_aircraft.append(ac)
        else:
            idx = len(psr_objects)
            parts.append(gr.target_plots(psr, geo, tr, idx, rngs[4], rngs[5]))
            psr_objects.append(ac.target.name)
    uniform, patch = gr.clutter_plots(psr, rngs[2])
    p = gr.order(psr, gr.Plots.concat([*parts, uniform, patch]), start_ns)
    empty = gr.Plots(*(np.zeros(0, dtype=d) for d in (float, float, float, np.int64)))
    measured = gr.Plots.concat([empty, *ssr_parts])
    if sc.ssr_range_bias_m or sc.ssr_azimuth_bias_deg or sc.ssr_time_bias_s:
        measured = dataclasses.replace(
            measured,
            t_s=measured.t_s + sc.ssr_time_bias_s,
            range_m=measured.range_m + sc.ssr_range_bias_m,
            azimuth_deg=(measured.azimuth_deg + sc.ssr_azimuth_bias_deg) % 360.0,
        )
    s = gr.order(ssr, measured, start_ns)
    day = 86_400 * asterix_write.TOD_PER_S
    records = [
        asterix_write.psr_plot(psr.radar.sac, psr.radar.sic, int(t % day), int(r), int(a))
        for t, r, a in zip(p.tod, p.rho, p.theta, strict=True)
    ]
    for t, r, a, k in zip(s.tod, s.rho, s.theta, s.target, strict=True):
        ac = ssr_aircraft[k]
        plot = (ac.squawk, round(ac.target.alt_m / fusion_objects.FT_M / 25), ac.address)
        records.append(
            asterix_write.mode_s_plot(
                ssr.radar.sac, ssr.radar.sic, int(t % day), int(r), int(a), (*plot, ac.callsign)
            )
        )
    group = np.concatenate([2 * p.block, 2 * s.block + 1])
    order = np.argsort(group, kind="stable")
    time_ns = np.concatenate([gr.plot_times_ns(p, start_ns), gr.plot_times_ns(s, start_ns)])
    sensor = [psr.radar.name] * len(p.tod) + [ssr.radar.name] * len(s.tod)
    obj = [psr_objects[k] if k >= 0 else "" for k in p.target.tolist()]
    obj += [ssr_aircraft[k].target.name for k in s.target.tolist()]
    counts = {
        "plots": len(records),
        "psr_plots": len(p.tod),
        "ssr_plots": len(s.tod),
        "clutter_plots": len(uniform.t_s) + len(patch.t_s),
        "uniform_clutter_plots": len(uniform.t_s),
        "patch_clutter_plots": len(patch.t_s),
    }
    return Radars(
        [records[k] for k in order],
        time_ns[order],
        [sensor[k] for k in order],
        [obj[k] for k in order],
        group[order],
        counts,
    )


def write_radar(out: Path, radars: Radars) -> None:
    blocks = asterix_write.pack(radars.records, radars.group)
    (out / "plots.ast").write_bytes(b"".join(blocks))
    lines = ["record,sensor,object,time"]
    times = gr.iso_ms(radars.time_ns)
    for k, (s, o, t) in enumerate(zip(radars.sensor, radars.obj, times, strict=True)):
        lines.append(f"{k + 1},{s},{o},{t}")
    (out / "truth_plots.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_sensors(out: Path, sc: FusionScenario) -> None:
    gr.write_sensors(out, sc.psr)
    r = sc.ssr
    row = (
        f"{r.name},{r.sac},{r.sic},{r.lat},{r.lon},{r.alt_m},{sc.ssr_sigma_range_m},"
        f"{sc.ssr_sigma_azimuth_deg},{sc.psr.scan_period_s},{sc.ssr_pd},0\n"
    )
    with (out / "sensors.csv").open("a", encoding="utf-8", newline="") as f:
        f.write(row)


def generate(sc: FusionScenario, out: Path) -> dict:
    """Write every file of the scenario to ``out``; returns what scenario.json holds."""
    out.mkdir(parents=True, exist_ok=True)
    start_s = int(dt.datetime.fromisoformat(sc.psr.start).timestamp())
    start_ns = start_s * gr.NS
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(sc.psr.seed).spawn(12)]
    geo = gr.Geometry(sc.psr.radar)
    end_s = sc.psr.scans * sc.psr.scan_period_s
    drones = gr.truths(sc.psr, geo, rngs[3])
    flights = [(ac, gr.truth_of(ac.target, geo, end_s)) for ac in aircraft(sc, rngs)]
    flights = spoof([(ac, tr) for ac, tr in flights if tr is not None], sc.spoofed, rngs[11])
    radars = radar_plots(sc, geo, drones, flights, start_ns, rngs)
    write_radar(out, radars)
    write_sensors(out, sc)
    period = sc.adsb_period_s
    reports = [fusion_adsb.state_vectors(ac, tr, geo, period, rngs[8]) for ac, tr in flights]
    adsb_counts = fusion_adsb.write(out, reports, start_s)
    plain = gr.write_truth(out, [*drones, *(tr for _, tr in flights)], start_ns, "object")
    crossings = [{"object": r.pop("target"), **r} for r in gr.truth_crossings(plain)]
    fusion_truth.write_csv(
        out / "truth_crossings.csv", ["object", "time", "lon", "lat", "from", "to"], crossings
    )
    associations = fusion_truth.association_rows(sc.psr.radar, sc.ssr, drones, flights)
    fusion_truth.write_csv(out / "truth_association.csv", list(associations[0]), associations)
    spoofs = fusion_truth.spoof_rows(reports, start_ns)
    spoof_columns = ["object", "icao24", "start", "full", "release", "end", "offset_east_m",
                     "offset_north_m", "offset_m", "reports"]  # fmt: skip
    fusion_truth.write_csv(out / "truth_spoof.csv", spoof_columns, spoofs)
    fakes = fusion_truth.fake_crossings(out, spoofs)
    fake_columns = ["object", "icao24", "time", "lon", "lat", "from", "to"]
    fusion_truth.write_csv(out / "fake_crossings.csv", fake_columns, fakes)
    plots_of: dict[str, dict[str, int]] = {}
    for s, o in zip(radars.sensor, radars.obj, strict=True):
        if o:
            plots_of.setdefault(s, {}).setdefault(o, 0)
            plots_of[s][o] += 1
    summary = {
        "generator": "scripts/generate_fusion.py",
        "parameters": asdict(sc),
        "scans": sc.psr.scans,
        "date": sc.psr.start[:10],
        "counts": {
            **radars.counts,
            **adsb_counts,
            "objects": len(drones) + len(flights),
            "airliners": sum(ac.mode_s for ac, _ in flights),
            "kinematic": sum(not ac.mode_s for ac, _ in flights),
            "drones": len(drones),
            "spoofed": len(spoofs),
            "object_plots": plots_of,
            "crossings": len(crossings),
            "fake_crossings": len(fakes),
        },
        "objects": [asdict(tr.target) for tr in drones]
        + [asdict(ac) | {"icao24": ac.icao24, "squawk": f"{ac.squawk:04o}"} for ac, _ in flights],
    }
    text = json.dumps(summary, indent=2, sort_keys=True)
    (out / "scenario.json").write_text(text + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", type=Path, required=True, help="folder to write to")
    d = FusionScenario()
    gr.add_radar_arguments(ap, "PSR: ")  # --seed, --start, --duration-s, --scan-period-s too
    ap.add_argument("--airliners", type=int, default=d.airliners, help="8 designed, more random")
    ap.add_argument(
        "--kinematic", type=int, default=d.kinematic,
        help="aircraft on the PSR only, with ADS-B: 1 designed, more random",
    )  # fmt: skip
    ap.add_argument(
        "--spoofed", type=int, default=d.spoofed,
        help="airliners whose ADS-B is spoofed: A05, then the first random ones",
    )  # fmt: skip
    ap.add_argument("--adsb-period-s", type=int, default=d.adsb_period_s)
    ap.add_argument("--ssr-pd", type=float, default=d.ssr_pd)
    ap.add_argument("--ssr-sigma-range-m", type=float, default=d.ssr_sigma_range_m)
    ap.add_argument("--ssr-sigma-azimuth-deg", type=float, default=d.ssr_sigma_azimuth_deg)
    ap.add_argument("--ssr-range-bias-m", type=float, default=d.ssr_range_bias_m)
    ap.add_argument("--ssr-azimuth-bias-deg", type=float, default=d.ssr_azimuth_bias_deg)
    ap.add_argument("--ssr-time-bias-s", type=float, default=d.ssr_time_bias_s)
    args = ap.parse_args(argv)
    if args.adsb_period_s < 1:
        ap.error("--adsb-period-s must be a whole number of seconds, at least 1")
    psr = gr.scenario_of(args)
    sc = FusionScenario(
        psr=psr,
        ssr_pd=args.ssr_pd,
        ssr_sigma_range_m=args.ssr_sigma_range_m,
        ssr_sigma_azimuth_deg=args.ssr_sigma_azimuth_deg,
        ssr_range_bias_m=args.ssr_range_bias_m,
        ssr_azimuth_bias_deg=args.ssr_azimuth_bias_deg,
        ssr_time_bias_s=args.ssr_time_bias_s,
        airliners=args.airliners,
        kinematic=args.kinematic,
        spoofed=args.spoofed,
        adsb_period_s=args.adsb_period_s,
    )
    summary = generate(sc, args.out)
    c = summary["counts"]
    print(
        f"{c['objects']} objects: {c['plots']:,} plots ({c['ssr_plots']:,} Mode S, "
        f"{c['clutter_plots']:,} clutter), {c['adsb_reports']:,} ADS-B state vectors "
        f"({c['spoofed_reports']:,} spoofed), {c['crossings']} crossings, "
        f"{c['fake_crossings']} fake → {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
