"""The truth files of ``generate_fusion.py`` that are not the sensors' own: the objects'
flights, which track of which sensor is which object, the spoofing episodes, and the
crossings airwitness finds in the truth and in the spoofed ADS-B."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import fusion_adsb
import generate_radar as gr
import numpy as np

ADSB = "adsb"


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def association_rows(psr: gr.Radar, ssr: gr.Radar, drones: list, flights: list) -> list[dict]:
    """truth_association.csv: per object and sensor, the track id airwitness reads
    (an address) or, for anonymous plots, the object's name."""
    rows = []
    primary, secondary = f"asterix:{psr.sac}/{psr.sic}", f"asterix:{ssr.sac}/{ssr.sic}"
    for tr in drones:
        name = tr.target.name
        rows.append(_assoc(name, tr.target.klass, primary, name, "plots"))
    for ac, _ in flights:
        name, klass = ac.target.name, ac.target.klass
        rows.append(_assoc(name, klass, ADSB, ac.icao24, "address"))
        if ac.mode_s:
            track = f"{secondary}:{ac.icao24}"  # the radar's track of the address
            rows.append(_assoc(name, klass, secondary, track, "address"))
        else:
            rows.append(_assoc(name, klass, primary, name, "plots"))
    return sorted(rows, key=lambda r: (r["object"], r["sensor"]))


def _assoc(obj: str, klass: str, sensor: str, track_id: str, identity: str) -> dict:
    return {"object": obj, "class": klass, "sensor": sensor, "track_id": track_id,
            "identity": identity}  # fmt: skip


def spoof_rows(reports: list[fusion_adsb.Reports], start_ns: int) -> list[dict]:
    """truth_spoof.csv: each episode's times, offset and the reports it displaced."""
    rows = []
    for r in reports:
        sp, tg = r.aircraft.spoof, r.aircraft.target
        if sp is None:
            continue
        at = [tg.start_s + s for s in (sp.start_s, sp.start_s + sp.ramp_s)]
        at += [tg.start_s + sp.end_s - sp.ramp_s, tg.start_s + sp.end_s]
        t = gr.iso_ms(start_ns + np.rint(np.array(at) * gr.NS).astype(np.int64))
        rows.append(
            {
                "object": tg.name, "icao24": r.aircraft.icao24,
                "start": t[0], "full": t[1], "release": t[2], "end": t[3],
                "offset_east_m": f"{sp.east_m:.1f}", "offset_north_m": f"{sp.north_m:.1f}",
                "offset_m": f"{sp.offset_m:.1f}",
                "reports": int(np.any(r.spoof != 0.0, axis=1).sum()),
            }
        )  # fmt: skip
    return rows


def adsb_crossings(out: Path) -> list[dict]:
    """The crossings airwitness finds in adsb.csv (every aircraft)."""
    from airwitness.airspace import Airspace
    from airwitness.pipeline import run_crossings

    table = run_crossings([out / "adsb.csv"], Airspace.builtin("osm")).crossings
    times = gr.iso_ms(table["time"].cast("int64").to_numpy())
    keys = ("track_id", "lon", "lat", "from", "to")
    cols = {k: table[k].to_pylist() for k in keys}
    return [
        {"icao24": cols["track_id"][i], "time": times[i], "lon": f"{cols['lon'][i]:.7f}",
         "lat": f"{cols['lat'][i]:.7f}", "from": cols["from"][i], "to": cols["to"][i]}
        for i in range(len(times))
    ]  # fmt: skip


def fake_crossings(out: Path, spoofs: list[dict]) -> list[dict]:
    """ADS-B crossings of a spoofed aircraft inside its spoofing episode."""
    rows = []
    for c in adsb_crossings(out):
        for sp in spoofs:
            if c["icao24"] == sp["icao24"] and sp["start"] <= c["time"] <= sp["end"]:
                rows.append({"object": sp["object"], **c})
    return sorted(rows, key=lambda r: (r["object"], r["time"]))
