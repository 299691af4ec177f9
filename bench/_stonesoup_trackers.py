"""Stone Soup trackers for ``bench/tracking.py``: the configurations issue 17 compares against.

Every configuration tracks in the radar's local plane (x east, y north, metres: the
azimuthal equidistant projection centred on the antenna, as ``generate_radar.py``
uses) with a constant-velocity model. A 2D plot (slant range ρ, azimuth θ) becomes a
``Detection`` of (bearing, ground range) for ``CartesianToBearingRange``: bearing =
90° − θ (Stone Soup measures it anticlockwise from x), ground range the arc on a
sphere of the slant range to a target at an assumed height (``ASSUMED_ALT_M``). Plots
are fed in batches of one scan (``SECTORS`` per scan: a target makes one plot a scan); each
track-detection pair is predicted to the detection's own time by the hypothesiser.

The "cheap distance pre-filter" (:class:`PlanePrefilterMixIn`) hands a track's
hypothesiser only the detections within ``1 km + 300 m/s × time since its last
update`` of its last updated position (plain numpy, no prediction): it can never
remove a detection of a target slower than 300 m/s, and it spares the EKF most of
the clutter.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

import numpy as np
from stonesoup.base import Base, Property
from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
from stonesoup.dataassociator.probability import JPDA
from stonesoup.deleter.time import UpdateTimeDeleter
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.hypothesiser.probability import PDAHypothesiser
from stonesoup.initiator.simple import MultiMeasurementInitiator
from stonesoup.measures import Mahalanobis
from stonesoup.models.measurement.nonlinear import CartesianToBearingRange
from stonesoup.models.transition.linear import (
    CombinedLinearGaussianTransitionModel,
    ConstantVelocity,
)
from stonesoup.predictor.kalman import ExtendedKalmanPredictor, UnscentedKalmanPredictor
from stonesoup.tracker.simple import MultiTargetMixtureTracker, MultiTargetTracker
from stonesoup.types.array import CovarianceMatrix, StateVector
from stonesoup.types.detection import Detection
from stonesoup.types.state import GaussianState
from stonesoup.types.update import Update
from stonesoup.updater.kalman import ExtendedKalmanUpdater, UnscentedKalmanUpdater

#: height the 2D plots are assumed to come from (m above the ellipsoid): mid-band of the
#: drones' 100-3000 m (the bench states it; airwitness takes ``--assumed-alt-m``)
ASSUMED_ALT_M = 1000.0
EARTH_RADIUS_M = 6_371_008.8
SECTORS = 1
#: process noise of each axis' constant-velocity model (m²/s³): a 3°/s turn at 40 m/s
Q_M2_S3 = 2.0
#: prior velocity σ of a new track (m/s): covers the fast movers (220 m/s) at 1.5 σ
PRIOR_SPEED_SIGMA = 150.0
#: Mahalanobis gate (GNN's missed distance)
GATE = 3.0
CONFIRM_UPDATES = 5
#: a tentative track dies after 2.5 scans without an update (one miss allowed), a
#: confirmed one after 4.5 (four misses)
TENTATIVE_LIFE_SCANS = 2.5
CONFIRMED_LIFE_SCANS = 4.5
PREFILTER_BASE_M = 1000.0
PREFILTER_SPEED_MPS = 300.0


class PlanePrefilterMixIn(Base):
    """Before the hypothesiser: only detections near the track's last update (see module doc)."""

    base_distance_m: float = Property(default=PREFILTER_BASE_M)
    max_speed_mps: float = Property(default=PREFILTER_SPEED_MPS)

    def generate_hypotheses(self, tracks, detections, timestamp, **kwargs):
        if not tracks:
            return {}
        found = list(detections)
        if not found:
            return {t: self.hypothesiser.hypothesise(t, set(), timestamp) for t in tracks}
        xy = np.array([d.metadata["xy"] for d in found])
        out = {}
        for track in tracks:
            last = next(s for s in reversed(track.states) if isinstance(s, Update))
            age = (timestamp - last.timestamp).total_seconds()
            reach = self.base_distance_m + self.max_speed_mps * max(age, 0.0)
            pos = np.array([last.state_vector[0, 0], last.state_vector[2, 0]])
            near = np.flatnonzero(((xy - pos) ** 2).sum(axis=1) <= reach * reach)
            chosen = {found[k] for k in near}
            out[track] = self.hypothesiser.hypothesise(track, chosen, timestamp, **kwargs)
        return out


class PrefilteredGNN2D(PlanePrefilterMixIn, GNNWith2DAssignment):
    """GNN with 2D assignment, behind the plane pre-filter."""


class PrefilteredJPDA(PlanePrefilterMixIn, JPDA):
    """JPDA, behind the plane pre-filter."""


@dataclass(frozen=True)
class Config:
    name: str
    filter: str  # "ekf" or "ukf"
    association: str  # "gnn" or "jpda"
    prefilter: bool
    confirm_updates: int = CONFIRM_UPDATES
    tentative_life_scans: float = TENTATIVE_LIFE_SCANS

    @property
    def label(self) -> str:
        pre = "pre-filter" if self.prefilter else "no pre-filter"
        return (
            f"{self.association.upper()}, {self.filter.upper()}, CV, {pre}, confirmed after "
            f"{self.confirm_updates} updates, tentative dies after "
            f"{self.tentative_life_scans:g} scans"
        )


CONFIGS = {
    "gnn-ekf": Config("gnn-ekf", "ekf", "gnn", True),
    # stricter confirmation: fewer false tracks from the dense clutter patch
    "gnn-ekf-c8": Config("gnn-ekf-c8", "ekf", "gnn", True, 8, 1.5),
    "gnn-ekf-nopre": Config("gnn-ekf-nopre", "ekf", "gnn", False),
    "gnn-ukf": Config("gnn-ukf", "ukf", "gnn", True),
    "jpda-ekf": Config("jpda-ekf", "ekf", "jpda", True),
}


@dataclass
class Plots:
    """Plots in the radar's terms: seconds after ``t0``, slant range (m), azimuth (deg)."""

    t0: dt.datetime
    t_s: np.ndarray
    range_m: np.ndarray
    azimuth_deg: np.ndarray


def ground_range_m(slant_m: np.ndarray, radar_alt_m: float, target_alt_m: float) -> np.ndarray:
    """Arc length on the sphere to a target at ``target_alt_m`` seen at slant range."""
    a, b = EARTH_RADIUS_M + radar_alt_m, EARTH_RADIUS_M + target_alt_m
    cos_g = np.clip((a * a + b * b - slant_m**2) / (2 * a * b), -1.0, 1.0)
    return EARTH_RADIUS_M * np.arccos(cos_g)


def detection_batches(plots: Plots, radar, scan_period_s: float, model) -> list:
    """(time, set of Detection) per ``1/SECTORS`` of a scan, in time order."""
    ground = ground_range_m(plots.range_m, radar["alt_m"], ASSUMED_ALT_M)
    az = np.radians(plots.azimuth_deg)
    bearing = (np.pi / 2 - az + np.pi) % (2 * np.pi) - np.pi
    x, y = ground * np.sin(az), ground * np.cos(az)
    sector = np.floor(plots.t_s / (scan_period_s / SECTORS)).astype(np.int64)
    batches = []
    edges = np.flatnonzero(np.r_[True, sector[1:] != sector[:-1], True])
    for a, b in itertools.pairwise(edges):
        dets = set()
        for k in range(a, b):
            when = plots.t0 + dt.timedelta(seconds=float(plots.t_s[k]))
            dets.add(
                Detection(
                    StateVector([bearing[k], ground[k]]),
                    timestamp=when,
                    measurement_model=model,
                    metadata={"xy": (float(x[k]), float(y[k])), "plot": k},
                )
            )
        end = plots.t0 + dt.timedelta(seconds=float(plots.t_s[b - 1]))
        batches.append((end, dets))
    return batches


def measurement_model(sigma_range_m: float, sigma_azimuth_deg: float) -> CartesianToBearingRange:
    return CartesianToBearingRange(
        ndim_state=4,
        mapping=(0, 2),
        noise_covar=np.diag([math.radians(sigma_azimuth_deg) ** 2, sigma_range_m**2]),
    )


def build(config: Config, model, scan_period_s: float, clutter_per_m2_scan: float, pd: float):
    """The tracker of ``config`` (without its detector) and its initiator."""
    transition = CombinedLinearGaussianTransitionModel(
        [ConstantVelocity(Q_M2_S3), ConstantVelocity(Q_M2_S3)]
    )
    if config.filter == "ekf":
        predictor = ExtendedKalmanPredictor(transition)
        updater = ExtendedKalmanUpdater(model)
    else:
        predictor = UnscentedKalmanPredictor(transition)
        updater = UnscentedKalmanUpdater(model)
    gnn_hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=GATE)
    gnn = (
        PrefilteredGNN2D(hypothesiser=gnn_hyp) if config.prefilter else GNNWith2DAssignment(gnn_hyp)
    )
    prior = GaussianState(
        StateVector([0.0, 0.0, 0.0, 0.0]),
        CovarianceMatrix(np.diag([0.0, PRIOR_SPEED_SIGMA**2, 0.0, PRIOR_SPEED_SIGMA**2])),
    )
    initiator = MultiMeasurementInitiator(
        prior_state=prior,
        measurement_model=model,
        deleter=UpdateTimeDeleter(
            dt.timedelta(seconds=config.tentative_life_scans * scan_period_s)
        ),
        data_associator=gnn,
        updater=updater,
        min_points=config.confirm_updates,
    )
    deleter = UpdateTimeDeleter(dt.timedelta(seconds=CONFIRMED_LIFE_SCANS * scan_period_s))
    if config.association == "gnn":
        return MultiTargetTracker(
            initiator=initiator,
            deleter=deleter,
            detector=None,
            data_associator=gnn,
            updater=updater,
        )
    # clutter per unit of the measurement space (rad × m) at mid-coverage range (30 km)
    density = clutter_per_m2_scan * 30_000.0
    pda_hyp = PDAHypothesiser(
        predictor, updater, clutter_spatial_density=density, prob_detect=pd, prob_gate=0.99
    )
    jpda = PrefilteredJPDA(hypothesiser=pda_hyp) if config.prefilter else JPDA(pda_hyp)
    return MultiTargetMixtureTracker(
        initiator=initiator, deleter=deleter, detector=None, data_associator=jpda, updater=updater
    )


def run(tracker, batches) -> tuple[list, float, float]:
    """Every track ever confirmed, and the CPU and wall time of the tracking loop alone."""
    import time

    confirmed = set()
    c0, t0 = time.process_time(), time.perf_counter()
    for when, detections in batches:
        _, tracks = tracker.update_tracker(when, detections)
        confirmed |= tracks
    return list(confirmed), time.process_time() - c0, time.perf_counter() - t0


def updates(tracks) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(track number, time as datetime64[ns], x, y) of every update with a measurement.

    Tracks are numbered 1, 2, … by the time of their first update (then x, y), so the
    numbering does not depend on Stone Soup's set order.
    """
    per_track = []
    for track in tracks:
        states = [s for s in track.states if isinstance(s, Update) and s.hypothesis]
        if states:
            per_track.append(
                (
                    np.array([np.datetime64(_naive(s.timestamp), "ns") for s in states]),
                    np.array([float(s.state_vector[0, 0]) for s in states]),
                    np.array([float(s.state_vector[2, 0]) for s in states]),
                )
            )
    per_track.sort(key=lambda p: (p[0][0], p[1][0], p[2][0]))
    if not per_track:
        empty = np.array([], dtype=np.float64)
        return np.array([], np.int64), np.array([], "datetime64[ns]"), empty, empty
    ids = np.concatenate([np.full(len(p[0]), k + 1) for k, p in enumerate(per_track)])
    return (
        ids,
        np.concatenate([p[0] for p in per_track]),
        np.concatenate([p[1] for p in per_track]),
        np.concatenate([p[2] for p in per_track]),
    )


def _naive(when: dt.datetime) -> dt.datetime:
    """UTC without its zone (numpy's datetime64 takes no zone)."""
    if when.tzinfo is None:
        return when
    return when.astimezone(dt.UTC).replace(tzinfo=None)
