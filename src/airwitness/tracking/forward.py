"""The forward pass: one sensor's detections, in time order, into tracks.

Detections are taken in batches no longer than a quarter scan (a rotating
radar's plots of one target are a scan apart, so no batch holds two of them).
For each batch, in this order:

1. tracks that missed too many scans are closed (a confirmed track after
   ``max_misses``; a tentative one as soon as it can no longer be confirmed);
2. confirmed tracks, then tentative ones, take detections by global nearest
   neighbour: one optimal assignment (``scipy.optimize.linear_sum_assignment``)
   of the cost −ln(Pd·N(z; ẑ, S) / (λ·(1 − Pd))) — a detection goes to a track
   only where that is likelier than the track missing it and the detection
   being clutter of the local density λ (the clutter map) — within the gate;
   detections with different Mode 3/A codes never share a track;
3. tentative tracks that have ``confirm_hits`` updates within ``confirm_scans``
   scans and a log-likelihood ratio against clutter of ``confirm_score`` are
   confirmed, numbered in the order they are;
4. every detection left over starts a tentative track (position from the
   detection, velocity unknown up to ``max_speed_mps``).

Each update is kept per detection (the filtered state, covariance and model
probabilities) for the smoother.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numba as nb
import numpy as np

from airwitness.tracking import imm
from airwitness.tracking.measurements import Measurements
from airwitness.tracking.motion import N_MODELS, N_STATE, POLAR
from airwitness.tracking.settings import TrackerSettings

FREE, TENTATIVE, CONFIRMED, CLOSED = 0, 1, 2, 3
#: chi-square gate on the normalised innovation (2 degrees of freedom: 99.99 %)
GATE_D2 = 18.42
#: the turn rate a new track may have, rad/s (1σ, about 3°/s)
INITIAL_TURN_SIGMA = 0.05
#: how sure a new track starts of flying straight
INITIAL_CV_PROBABILITY = 0.7


@dataclass
class Tracks:
    """Every track started on one sensor: arrays grown as tracks are started."""

    n: int = 0
    xm: np.ndarray = field(default_factory=lambda: np.zeros((0, N_MODELS, N_STATE)))
    Pm: np.ndarray = field(default_factory=lambda: np.zeros((0, N_MODELS, N_STATE, N_STATE)))
    mu: np.ndarray = field(default_factory=lambda: np.zeros((0, N_MODELS)))
    t_first: np.ndarray = field(default_factory=lambda: np.zeros(0))
    t_last: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hits: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    score: np.ndarray = field(default_factory=lambda: np.zeros(0))
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: the models' mixture after the last update: state, and σ of position and velocity
    xc: np.ndarray = field(default_factory=lambda: np.zeros((0, N_STATE)))
    spread: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    #: the tracks that are tentative or confirmed
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def reserve(self, more: int) -> None:
        need = self.n + more
        if need <= len(self.t_last):
            return
        cap = max(need, 2 * len(self.t_last), 64)
        names = ("xm", "Pm", "mu", "t_first", "t_last", "hits", "score", "status", "code", "xc")
        for name in (*names, "spread"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)


@dataclass
class Forward:
    """What the forward pass leaves for the smoother and the output."""

    owner: np.ndarray  # per detection: the track that took it, -1 for none
    x: np.ndarray  # per detection: the filtered state after taking it
    P: np.ndarray
    mu: np.ndarray
    confirmed: list[int]  # tracks in the order they were confirmed
    started: int  # tracks started (confirmed or not)


def run(m: Measurements, clutter: np.ndarray, s: TrackerSettings, scan_s: float) -> Forward:
    """Track one sensor's measurements ``m`` (``clutter``: λ per detection, in the
    measurement's own units) with scan period ``scan_s``."""
    n = len(m)
    owner = np.full(n, -1, dtype=np.int64)
    hx = np.zeros((n, N_STATE))
    hP = np.zeros((n, N_STATE, N_STATE))
    hmu = np.zeros((n, N_MODELS))
    noise = noise_of(s)
    log_clutter = np.log(clutter)
    tracks = Tracks()
    confirmed: list[int] = []
    starts = _batches(m.t, scan_s / 4.0)
    for a, b in itertools.pairwise(starts.tolist()):
        _close(tracks, m.t[a], scan_s, s)
        free = np.arange(a, b)
        for stage in (CONFIRMED, TENTATIVE):
            live = tracks.alive[tracks.status[tracks.alive] == stage]
            if len(live) == 0 or len(free) == 0:
                continue
            cost = _costs(
                live, free, tracks.xm, tracks.Pm, tracks.mu, tracks.t_last, tracks.code,
                tracks.hits, tracks.xc, tracks.spread, m.t, m.z, m.R, m.kind, log_clutter,
                m.code, m.xy, noise, s.dwell_s, s.pd, s.max_speed_mps, GATE_D2,
            )  # fmt: skip
            pairs = _assign(cost)
            if pairs is None:
                continue
            rows, cols = pairs
            _apply(
                live[rows], free[cols], tracks.xm, tracks.Pm, tracks.mu, tracks.t_last,
                tracks.hits, tracks.score, tracks.code, tracks.xc, tracks.spread, m.t, m.z,
                m.R, m.kind, log_clutter, m.code, noise, s.dwell_s, s.pd, owner, hx, hP, hmu,
            )  # fmt: skip
            free = np.delete(free, cols)
        _confirm(tracks, scan_s, s, confirmed)
        if len(free):
            tracks.reserve(len(free))
            _start(
                free, tracks.n, tracks.xm, tracks.Pm, tracks.mu, tracks.t_first, tracks.t_last,
                tracks.hits, tracks.status, tracks.code, tracks.xc, tracks.spread, m.t, m.z,
                m.R, m.kind, m.xy, m.code, s.max_speed_mps / 2.0, owner, hx, hP, hmu,
            )  # fmt: skip
            new = np.arange(tracks.n, tracks.n + len(free))
            tracks.alive = np.concatenate([tracks.alive, new])
            tracks.n += len(free)
    return Forward(owner, hx, hP, hmu, confirmed, tracks.n)


def noise_of(s: TrackerSettings) -> np.ndarray:
    """The models' noise parameters, as :func:`airwitness.tracking.motion.transition` takes them."""
    return np.array([s.accel_cv_mps2, s.accel_ct_mps2, s.turn_noise, INITIAL_TURN_SIGMA / 10])


def _batches(t: np.ndarray, window: float) -> np.ndarray:
    """Start of each batch, and the end: consecutive detections within ``window``."""
    starts = [0]
    first = t[0] if len(t) else 0.0
    for i in np.flatnonzero(np.diff(t) > 0).tolist():
        if t[i + 1] - first > window:
            starts.append(i + 1)
            first = t[i + 1]
    starts.append(len(t))
    return np.asarray(starts, dtype=np.int64)


def _close(tracks: Tracks, now: float, scan_s: float, s: TrackerSettings) -> None:
    """Close confirmed tracks after ``max_misses`` scans without an update, and
    tentative ones that can no longer get ``confirm_hits`` in ``confirm_scans``."""
    k = tracks.alive
    status = tracks.status[k]
    quiet = now - tracks.t_last[k] > (s.max_misses + 0.5) * scan_s
    elapsed = np.floor((now - tracks.t_first[k]) / scan_s + 0.5)
    possible = tracks.hits[k] + np.maximum(s.confirm_scans - elapsed, 0)
    hopeless = possible < s.confirm_hits
    done = ((status == CONFIRMED) & quiet) | ((status == TENTATIVE) & hopeless)
    if done.any():
        tracks.status[k[done]] = CLOSED
        tracks.alive = k[~done]


def _confirm(tracks: Tracks, scan_s: float, s: TrackerSettings, order: list[int]) -> None:
    tentative = tracks.alive[tracks.status[tracks.alive] == TENTATIVE]
    if len(tentative) == 0:
        return
    hits = tracks.hits[tentative]
    scans = np.floor((tracks.t_last[tentative] - tracks.t_first[tentative]) / scan_s + 0.5) + 1
    misses = np.maximum(scans - hits, 0)
    score = tracks.score[tentative] + misses * math.log(1.0 - s.pd)
    ready = tentative[(hits >= s.confirm_hits) & (score >= s.confirm_score)]
    if len(ready):
        ready = ready[np.lexsort((ready, tracks.t_first[ready]))]
        tracks.status[ready] = CONFIRMED
        order.extend(ready.tolist())


def _assign(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The optimal assignment among the pairs worth making (cost < 0)."""
    from scipy.optimize import linear_sum_assignment  # heavy: only when tracking

    useful_rows = np.flatnonzero((cost < 0).any(axis=1))
    if len(useful_rows) == 0:
        return None
    useful_cols = np.flatnonzero((cost < 0).any(axis=0))
    sub = cost[np.ix_(useful_rows, useful_cols)]
    r, c = linear_sum_assignment(sub)
    keep = sub[r, c] < 0
    return useful_rows[r[keep]], useful_cols[c[keep]]


@nb.njit(cache=True, nogil=True)
def _costs(
    live, free, xm, Pm, mu, t_last, code_t, hits, xc, spread, t, z, R, kind, log_clutter,
    code_p, xy, noise, dwell, pd, max_speed, gate,
):  # fmt: skip
    """Assignment cost of each (track, detection) pair; 0 where not allowed.

    A pair is first screened on positions alone: within the fastest speed of a
    track's only detection, else within 5 σ of where the track's last estimate
    and its velocity put it."""
    cost = np.zeros((live.shape[0], free.shape[0]))
    log_gain = math.log(pd) - math.log(1.0 - pd)
    for i in range(live.shape[0]):
        k = live[i]
        sp, sv = spread[k, 0], spread[k, 1]
        for j in range(free.shape[0]):
            p = free[j]
            if code_t[k] != -1 and code_p[p] != -1 and code_t[k] != code_p[p]:
                continue
            dt = max(t[p] - t_last[k], 0.0)
            sm = math.sqrt(R[p, 0, 0] + R[p, 1, 1] * (z[p, 0] ** 2 if kind == POLAR else 1.0))
            if hits[k] == 1:
                ex, ey = xc[k, 0] - xy[p, 0], xc[k, 1] - xy[p, 1]
                reach = max_speed * dt + 3.0 * (sp + sm)
            else:
                ex = xc[k, 0] + xc[k, 2] * dt - xy[p, 0]
                ey = xc[k, 1] + xc[k, 3] * dt - xy[p, 1]
                reach = 5.0 * (sp + sv * dt + sm) + 50.0
            if ex * ex + ey * ey > reach * reach:
                continue
            xp, Pp, c = imm.predict(xm[k], Pm[k], mu[k], dt, noise, dwell)
            d2, ll = imm.fit(kind, xp, Pp, c, z[p], R[p])
            if d2 > gate:
                continue
            value = -(log_gain + ll - log_clutter[p])
            if value < 0.0:
                cost[i, j] = value
    return cost


@nb.njit(cache=True, nogil=True, inline="always")
def _keep_mixture(k, x, P, xc, spread):
    xc[k] = x
    spread[k, 0] = math.sqrt(P[0, 0] + P[1, 1])
    spread[k, 1] = math.sqrt(P[2, 2] + P[3, 3])


@nb.njit(cache=True, nogil=True)
def _apply(
    ks, ps, xm, Pm, mu, t_last, hits, score, code_t, xc, spread, t, z, R, kind, log_clutter,
    code_p, noise, dwell, pd, owner, hx, hP, hmu,
):  # fmt: skip
    """Update each track ``ks[i]`` with detection ``ps[i]``, and keep the result."""
    for i in range(ks.shape[0]):
        k, p = ks[i], ps[i]
        dt = max(t[p] - t_last[k], 0.0)
        xp, Pp, c = imm.predict(xm[k], Pm[k], mu[k], dt, noise, dwell)
        x_new, P_new, mu_new, ll = imm.update(kind, xp, Pp, c, z[p], R[p])
        xm[k] = x_new
        Pm[k] = P_new
        mu[k] = mu_new
        t_last[k] = t[p]
        hits[k] += 1
        score[k] += math.log(pd) + ll - log_clutter[p]
        if code_t[k] == -1:
            code_t[k] = code_p[p]
        owner[p] = k
        x, P = imm.combine(x_new, P_new, mu_new)
        hx[p], hP[p] = x, P
        hmu[p] = mu_new
        _keep_mixture(k, x, P, xc, spread)


@nb.njit(cache=True, nogil=True)
def _start(
    ps, first, xm, Pm, mu, t_first, t_last, hits, status, code_t, xc, spread, t, z, R, kind, xy,
    code_p, sigma_v, owner, hx, hP, hmu,
):  # fmt: skip
    """A tentative track from each detection ``ps[i]``, numbered from ``first``."""
    for i in range(ps.shape[0]):
        p, k = ps[i], first + i
        x = np.zeros(N_STATE)
        x[0], x[1] = xy[p, 0], xy[p, 1]
        P = np.zeros((N_STATE, N_STATE))
        if kind == POLAR:
            d, a = z[p, 0], z[p, 1]
            J = np.array([[math.sin(a), d * math.cos(a)], [math.cos(a), -d * math.sin(a)]])
            P[:2, :2] = J @ R[p] @ J.T
        else:
            P[:2, :2] = R[p]
        P[2, 2] = P[3, 3] = sigma_v * sigma_v
        P[4, 4] = INITIAL_TURN_SIGMA * INITIAL_TURN_SIGMA
        for j in range(N_MODELS):
            xm[k, j] = x
            Pm[k, j] = P
        mu[k, 0] = INITIAL_CV_PROBABILITY
        mu[k, 1] = 1.0 - INITIAL_CV_PROBABILITY
        t_first[k] = t_last[k] = t[p]
        hits[k] = 1
        status[k] = TENTATIVE
        code_t[k] = code_p[p]
        owner[p] = k
        hx[p], hP[p] = x, P
        hmu[p] = mu[k]
        _keep_mixture(k, x, P, xc, spread)
