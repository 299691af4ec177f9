"""How right fusion is against the generator's truth: the metrics of ``bench/fusion.py``.

The truth (``scripts/generate_fusion.py``'s files) says which object made each track:
an ADS-B track and a Mode S radar's track by their address
(``truth_association.csv``), a primary radar's track by the plots its reports cite
(``truth_plots.csv``: the most common object among them; "" for clutter).

- **Association**, per category — ``identity`` (both tracks carry an identity: here
  ADS-B and the Mode S radar) and ``kinematic`` (one carries none: the primary
  radar's tracks). *Purity*: pairs whose two tracks are one object ÷ all pairs.
  *Completeness*: objects that two sensors tracked and that have a pure pair of the
  category ÷ all such objects (an object is in the ``identity`` category when two
  sensors' tracks of it carry its identity, else in ``kinematic`` when two sensors
  tracked it). *Tracks*: of those objects' tracks (the unidentified ones for
  ``kinematic``), how many are in a pure pair — a primary radar's track broken in
  two needs both halves associated.
- **Spoofing**, per ADS-B report with a measured partner (a report that falls inside
  the path of a measured track of the same object, by truth: :func:`align`'s rule):
  its true displacement (``truth_adsb.csv``) against the *combined σ* there
  (:attr:`Aligned.sigma_m`, per axis: the report's and the measured path's). A
  displaced report whose offset is ≥ 3 combined σ should be flagged (*detection*);
  an honest one (displacement 0) should not (*false flag*). Per episode
  (``truth_spoof.csv``): detected when at least one of its reports ≥ 3 σ is
  flagged. Honest reports within the spoofing window of an episode of the same
  aircraft are counted apart (*near*: the window's mean straddles the edge).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.fusion.align import align
from airwitness.fusion.trackset import TrackSet

CATEGORIES = ("identity", "kinematic")
SIGMA_K = 3.0  # "offsets ≥ 3 combined σ"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _ns(text: str) -> int:
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return round(stamp.timestamp() * 1e9)


def objects_of_tracks(folder: Path, table: pa.Table) -> dict[str, str]:
    """Each track's object: by address (ADS-B, Mode S radar), else by cited plots."""
    address = {
        r["track_id"]: r["object"]
        for r in _rows(folder / "truth_association.csv")
        if r["identity"] == "address"
    }
    plot_object = {int(r["record"]): r["object"] for r in _rows(folder / "truth_plots.csv")}
    ids = pc.cast(table["track_id"], pa.string()).to_pylist()
    records = table["source_record"].to_pylist()
    cited: dict[str, Counter[str]] = defaultdict(Counter)
    for t, rec in zip(ids, records, strict=True):
        if t not in address:
            cited[t][plot_object.get(rec, "")] += 1
    return address | {t: c.most_common(1)[0][0] for t, c in cited.items()}


# ------------------------------------------------------------------ association


@dataclass
class AssociationScore:
    pairs: int = 0
    pure: int = 0
    objects: int = 0  # tracked by two sensors, in this category
    associated: int = 0
    tracks: int = 0
    tracks_associated: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: AssociationScore) -> None:
        for name in ("pairs", "pure", "objects", "associated", "tracks", "tracks_associated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong += other.wrong

    @property
    def purity(self) -> float:
        return self.pure / self.pairs if self.pairs else float("nan")

    @property
    def completeness(self) -> float:
        return self.associated / self.objects if self.objects else float("nan")


def category(ts: TrackSet, a: int, b: int) -> str:
    """``identity`` when both tracks carry one, else ``kinematic`` (airwitness's rule)."""
    both = ts.identity[a] is not None and ts.identity[b] is not None
    return CATEGORIES[0] if both else CATEGORIES[1]


def score_association(
    ts: TrackSet, obj: dict[str, str], pairs: list[tuple[int, int]]
) -> dict[str, AssociationScore]:
    """Purity and completeness of ``pairs`` (track indices), per category."""
    out = {c: AssociationScore() for c in CATEGORIES}
    of = [obj.get(t, "") for t in ts.ids]
    linked: dict[str, set[str]] = {c: set() for c in CATEGORIES}
    in_pure: set[int] = set()
    for a, b in pairs:
        c = category(ts, a, b)
        out[c].pairs += 1
        if of[a] and of[a] == of[b]:
            out[c].pure += 1
            linked[c].add(of[a])
            in_pure |= {a, b}
        else:
            out[c].wrong.append(
                f"{ts.ids[a]} ({of[a] or 'clutter'}) ~ {ts.ids[b]} ({of[b] or 'clutter'})"
            )
    for name, tracks in _two_sensor_objects(ts, of).items():
        c = out[name]
        for o, ks in tracks.items():
            c.objects += 1
            c.associated += o in linked[name]
            c.tracks += len(ks)
            c.tracks_associated += sum(k in in_pure for k in ks)
    return out


def _two_sensor_objects(ts: TrackSet, of: list[str]) -> dict[str, dict[str, list[int]]]:
    """Per category, the objects two sensors tracked and the tracks that count."""
    by_object: dict[str, list[int]] = defaultdict(list)
    for k, o in enumerate(of):
        if o:
            by_object[o].append(k)
    out: dict[str, dict[str, list[int]]] = {c: {} for c in CATEGORIES}
    for o, ks in by_object.items():
        identified = {ts.sensor[k] for k in ks if ts.identity[k] is not None}
        if len(identified) > 1:
            out["identity"][o] = [k for k in ks if ts.identity[k] is not None]
        elif len({ts.sensor[k] for k in ks}) > 1:
            out["kinematic"][o] = [k for k in ks if ts.identity[k] is None]
    return out


# ------------------------------------------------------------------ spoofing


@dataclass
class SpoofCounts:
    eligible: int = 0  # displaced reports ≥ 3 combined σ, with a measured partner
    detected: int = 0
    episodes: int = 0  # episodes with an eligible report
    episodes_detected: int = 0
    below: int = 0  # displaced, but less than 3 combined σ
    below_flagged: int = 0
    honest: int = 0  # displacement 0, with a measured partner
    false: int = 0
    near: int = 0  # of the false flags: within the window of an episode of that aircraft
    honest_tracks: int = 0  # ADS-B tracks never spoofed, with a measured partner
    flagged_honest_tracks: int = 0
    untested: int = 0  # ADS-B reports with no measured partner

    def add(self, other: SpoofCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def detection(self) -> float:
        return self.detected / self.eligible if self.eligible else float("nan")

    @property
    def episode_detection(self) -> float:
        return self.episodes_detected / self.episodes if self.episodes else float("nan")

    @property
    def false_rate(self) -> float:
        return self.false / self.honest if self.honest else float("nan")


@dataclass
class SpoofTruth:
    """Per report of the track set: what the truth says, and its combined σ."""

    adsb: np.ndarray  # bool: an ADS-B report (adsb.csv)
    offset_m: np.ndarray  # true displacement (NaN: not ADS-B)
    sigma_m: np.ndarray  # combined σ per axis against the measured partner (NaN: none)
    episode: np.ndarray  # episode index, -1 for none
    near: np.ndarray  # honest, within the window of an episode of its aircraft
    track: np.ndarray  # track index of each report
    spoofed_tracks: set[int]
    episodes: int

    def count(self, suspect: np.ndarray) -> SpoofCounts:
        partner = np.isfinite(self.sigma_m)
        eligible = partner & (self.offset_m >= SIGMA_K * self.sigma_m)
        honest = partner & (self.offset_m == 0)
        below = partner & (self.offset_m > 0) & ~eligible
        ep = self.episode[eligible]
        seen = np.unique(ep[ep >= 0])
        caught = np.unique(ep[(ep >= 0) & suspect[eligible]])
        tracks = set(np.unique(self.track[honest]).tolist()) - self.spoofed_tracks
        flagged = set(np.unique(self.track[honest & suspect]).tolist()) - self.spoofed_tracks
        return SpoofCounts(
            eligible=int(eligible.sum()),
            detected=int((eligible & suspect).sum()),
            episodes=len(seen),
            episodes_detected=len(caught),
            below=int(below.sum()),
            below_flagged=int((below & suspect).sum()),
            honest=int(honest.sum()),
            false=int((honest & suspect).sum()),
            near=int((honest & suspect & self.near).sum()),
            honest_tracks=len(tracks),
            flagged_honest_tracks=len(flagged),
            untested=int((self.adsb & ~partner).sum()),
        )


def spoof_truth(
    folder: Path, table: pa.Table, ts: TrackSet, obj: dict[str, str], window_s: float,
    max_interp_s: float,
) -> SpoofTruth:  # fmt: skip
    """The truth and combined σ of every ADS-B report of the prepared ``table``."""
    n = table.num_rows
    files = pc.cast(table["source_file"], pa.string()).to_pylist()
    adsb = np.array([f.endswith("adsb.csv") for f in files], dtype=bool)
    records = table["source_record"].to_numpy()
    displacement = {
        int(r["line"]): float(np.hypot(float(r["spoof_east_m"]), float(r["spoof_north_m"])))
        for r in _rows(folder / "truth_adsb.csv")
    }
    offset = np.full(n, np.nan)
    offset[adsb] = [displacement[int(r)] for r in records[adsb]]
    track = np.repeat(np.arange(len(ts)), ts.stop - ts.start)
    sigma = np.full(n, np.nan)
    measured_of: dict[str, list[int]] = defaultdict(list)
    for k, t in enumerate(ts.ids):
        if ts.measured(k) and obj.get(t):
            measured_of[obj[t]].append(k)
    for k, t in enumerate(ts.ids):
        if not ts.self_reported(k):
            continue
        for m in measured_of.get(obj.get(t, ""), ()):
            al = align(ts, m, k, max_interp_s)
            sigma[al.rows] = np.fmin(sigma[al.rows], al.sigma_m)
    episode = np.full(n, -1)
    near = np.zeros(n, dtype=bool)
    index = ts.index()
    episodes = _rows(folder / "truth_spoof.csv")
    spoofed: set[int] = set()
    half = int(window_s * 1e9)
    for e, r in enumerate(episodes):
        k = index[r["icao24"]]
        spoofed.add(k)
        rows = np.arange(ts.start[k], ts.stop[k])
        t = ts.time_ns[rows]
        t0, t1 = _ns(r["start"]), _ns(r["end"])
        episode[rows[(t >= t0) & (t <= t1) & (offset[rows] > 0)]] = e
        near[rows[(t >= t0 - half) & (t <= t1 + half) & (offset[rows] == 0)]] = True
    return SpoofTruth(adsb, offset, sigma, episode, near, track, spoofed, len(episodes))
