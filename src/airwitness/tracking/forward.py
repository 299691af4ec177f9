"""The forward pass: one sensor's detections, in time order, into tracks.

Detections are taken in batches no longer than a quarter scan (a rotating
radar's plots of one target are a scan apart, so no batch holds two of them).
For each batch, in this order:

1. tracks that missed too many scans are closed (a confirmed track after
   ``max_misses``; a tentative one as soon as it can no longer be confirmed);
2. confirmed tracks, then tentative ones, take detections by global nearest
   neighbour: one optimal assignment (scipy's algorithm, compiled:
   :mod:`airwitness.tracking.assignment`) of the cost
   −ln(Pd·N(z; ẑ, S) / (λ·(1 − Pd))) — a detection goes to a track only where
   that is likelier than the track missing it and the detection being clutter
   of the local density λ (the clutter map) — within the gate;
   detections with different Mode 3/A codes never share a track;
3. tentative tracks that have ``confirm_hits`` updates within ``confirm_scans``
   scans and a log-likelihood ratio against clutter of ``confirm_score`` are
   confirmed, numbered in the order they are;
4. every detection left over starts a tentative track (position from the
   detection, velocity unknown up to ``max_speed_mps``).

Each update is kept per detection (the filtered state, covariance and model
probabilities) for the smoother. The whole pass is one compiled loop (numba):
no Python runs per batch, which is what makes 10⁵ plots a second possible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from airwitness.tracking import assignment, imm
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
    if len(m) == 0:
        empty = np.zeros(0)
        return Forward(np.zeros(0, np.int64), empty, empty, empty, [], 0)
    rules = np.array([
        s.dwell_s, s.pd, s.max_speed_mps, GATE_D2, scan_s, s.max_misses, s.confirm_hits,
        s.confirm_scans, s.confirm_score, s.max_speed_mps / 2.0,
    ])  # fmt: skip
    owner, hx, hP, hmu, confirmed, started = _forward(
        m.t, m.z, m.R, m.kind, m.xy, m.code, np.log(clutter), _batches(m.t, scan_s / 4.0),
        noise_of(s), rules,
    )  # fmt: skip
    return Forward(owner, hx, hP, hmu, confirmed.tolist(), int(started))


def noise_of(s: TrackerSettings) -> np.ndarray:
    """The models' noise parameters, as :func:`airwitness.tracking.motion.transition` takes them."""
    return np.array([s.accel_cv_mps2, s.accel_ct_mps2, s.turn_noise, INITIAL_TURN_SIGMA / 10])


@nb.njit(cache=True, nogil=True)
def _batches(t, window):
    """Start of each batch, and the end: consecutive detections within ``window``."""
    n = t.shape[0]
    starts = np.empty(n + 1, np.int64)
    starts[0] = 0
    k = 1
    first = t[0]
    for i in range(n - 1):
        if t[i + 1] > t[i] and t[i + 1] - first > window:
            starts[k] = i + 1
            k += 1
            first = t[i + 1]
    starts[k] = n
    return starts[: k + 1]


@nb.njit(cache=True, nogil=True)
def _forward(t, z, R, kind, xy, code_p, log_clutter, starts, noise, rules):
    """The whole pass (module doc), compiled: per detection its track and filtered
    state; the tracks in the order they were confirmed; how many were started.

    ``rules``: dwell, Pd, top speed, gate, scan period, max misses, confirm hits,
    confirm scans, confirm score, σ of a new track's velocity."""
    n = t.shape[0]
    dwell, pd, max_speed, gate, scan_s = rules[0], rules[1], rules[2], rules[3], rules[4]
    max_misses, confirm_hits, confirm_scans = rules[5], rules[6], rules[7]
    confirm_score, sigma_v = rules[8], rules[9]
    owner = np.full(n, -1, np.int64)
    hx = np.zeros((n, N_STATE))
    hP = np.zeros((n, N_STATE, N_STATE))
    hmu = np.zeros((n, N_MODELS))
    # every track ever started: at most one per detection
    xm = np.zeros((n, N_MODELS, N_STATE))
    Pm = np.zeros((n, N_MODELS, N_STATE, N_STATE))
    mu = np.zeros((n, N_MODELS))
    t_first = np.zeros(n)
    t_last = np.zeros(n)
    hits = np.zeros(n, np.int64)
    score = np.zeros(n)
    status = np.zeros(n, np.int8)
    code_t = np.zeros(n, np.int64)
    xc = np.zeros((n, N_STATE))  # the models' mixture after the last update
    spread = np.zeros((n, 2))  # ... its σ of position and of velocity
    alive = np.empty(n, np.int64)  # tentative or confirmed, in the order started
    n_alive = 0
    order = np.empty(n, np.int64)
    n_confirmed = 0
    started = 0
    log_miss = math.log(1.0 - pd)
    for b in range(starts.shape[0] - 1):
        a, e = starts[b], starts[b + 1]
        n_alive = _close(
            alive, n_alive, status, t_first, t_last, hits, t[a], scan_s, max_misses,
            confirm_hits, confirm_scans,
        )  # fmt: skip
        free = np.arange(a, e)
        for stage in (CONFIRMED, TENTATIVE):
            live = _with_status(alive, n_alive, status, stage)
            if live.shape[0] == 0 or free.shape[0] == 0:
                continue
            cost = _costs(
                live, free, xm, Pm, mu, t_last, code_t, hits, xc, spread, t, z, R, kind,
                log_clutter, code_p, xy, noise, dwell, pd, max_speed, gate,
            )  # fmt: skip
            rows, cols = _assign(cost)
            if rows.shape[0] == 0:
                continue
            _apply(
                live[rows], free[cols], xm, Pm, mu, t_last, hits, score, code_t, xc, spread,
                t, z, R, kind, log_clutter, code_p, noise, dwell, pd, owner, hx, hP, hmu,
            )  # fmt: skip
            taken = np.zeros(free.shape[0], np.bool_)
            taken[cols] = True
            free = free[~taken]
        n_confirmed = _confirm(
            alive, n_alive, status, t_first, t_last, hits, score, scan_s, log_miss,
            confirm_hits, confirm_score, order, n_confirmed,
        )  # fmt: skip
        if free.shape[0]:
            _start(
                free, started, xm, Pm, mu, t_first, t_last, hits, status, code_t, xc, spread,
                t, z, R, kind, xy, code_p, sigma_v, owner, hx, hP, hmu,
            )  # fmt: skip
            for i in range(free.shape[0]):
                alive[n_alive] = started + i
                n_alive += 1
            started += free.shape[0]
    return owner, hx, hP, hmu, order[:n_confirmed], started


@nb.njit(cache=True, nogil=True)
def _with_status(alive, n_alive, status, stage):
    out = np.empty(n_alive, np.int64)
    k = 0
    for i in range(n_alive):
        if status[alive[i]] == stage:
            out[k] = alive[i]
            k += 1
    return out[:k]


@nb.njit(cache=True, nogil=True)
def _close(alive, n_alive, status, t_first, t_last, hits, now, scan_s, max_misses,
           confirm_hits, confirm_scans):  # fmt: skip
    """Close confirmed tracks after ``max_misses`` scans without an update, and
    tentative ones that can no longer get ``confirm_hits`` in ``confirm_scans``;
    the number still alive (``alive`` compacted in place, order kept)."""
    kept = 0
    for i in range(n_alive):
        k = alive[i]
        if status[k] == CONFIRMED:
            done = now - t_last[k] > (max_misses + 0.5) * scan_s
        else:
            elapsed = math.floor((now - t_first[k]) / scan_s + 0.5)
            done = hits[k] + max(confirm_scans - elapsed, 0.0) < confirm_hits
        if done:
            status[k] = CLOSED
        else:
            alive[kept] = k
            kept += 1
    return kept


@nb.njit(cache=True, nogil=True)
def _confirm(alive, n_alive, status, t_first, t_last, hits, score, scan_s, log_miss,
             confirm_hits, confirm_score, order, n_confirmed):  # fmt: skip
    """Confirm the tentative tracks that qualify, in the order they were started
    (which is by their first detection's time); the new count of confirmed."""
    for i in range(n_alive):
        k = alive[i]
        if status[k] != TENTATIVE or hits[k] < confirm_hits:
            continue
        scans = math.floor((t_last[k] - t_first[k]) / scan_s + 0.5) + 1
        misses = max(scans - hits[k], 0.0)
        if score[k] + misses * log_miss >= confirm_score:
            status[k] = CONFIRMED
            order[n_confirmed] = k
            n_confirmed += 1
    return n_confirmed


@nb.njit(cache=True, nogil=True)
def _assign(cost):
    """The optimal assignment among the pairs worth making (cost < 0)."""
    nr, nc = cost.shape
    row_ok = np.zeros(nr, np.bool_)
    col_ok = np.zeros(nc, np.bool_)
    for i in range(nr):
        for j in range(nc):
            if cost[i, j] < 0.0:
                row_ok[i] = True
                col_ok[j] = True
    useful_rows = np.flatnonzero(row_ok)
    useful_cols = np.flatnonzero(col_ok)
    sub = np.empty((useful_rows.shape[0], useful_cols.shape[0]))
    for i in range(useful_rows.shape[0]):
        for j in range(useful_cols.shape[0]):
            sub[i, j] = cost[useful_rows[i], useful_cols[j]]
    r, c = assignment.solve(sub)
    keep = np.zeros(r.shape[0], np.bool_)
    for i in range(r.shape[0]):
        keep[i] = sub[r[i], c[i]] < 0.0
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
