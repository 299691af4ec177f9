"""Fixed-interval smoothing of a confirmed track: the best estimate of where it was.

Offline, every detection of a track is known before anything is reported, so
each position is estimated from the whole track, before and after (a
Rauch–Tung–Striebel smoother). The IMM's models are merged at each step: from
the filtered estimate at update k, each model predicts update k+1, the
predictions are weighted by the models' predicted probabilities and matched to
one Gaussian (mean, covariance, and its cross-covariance with step k), and the
RTS recursion runs on that — a Gaussian approximation of the IMM smoother that
keeps the turns the CT model saw.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from airwitness.tracking.motion import N_MODELS, N_STATE, propagate, switch_matrix, transition


@nb.njit(cache=True, nogil=True)
def smooth(idx, t, hx, hP, hmu, noise, dwell):
    """Smoothed states and covariances of the updates ``idx`` (in time order)."""
    k_n = idx.shape[0]
    xs = np.empty((k_n, N_STATE))
    Ps = np.empty((k_n, N_STATE, N_STATE))
    xs[k_n - 1] = hx[idx[k_n - 1]]
    Ps[k_n - 1] = hP[idx[k_n - 1]]
    for k in range(k_n - 2, -1, -1):
        p, q = idx[k], idx[k + 1]
        x, P, mu = hx[p], hP[p], hmu[p]
        dt = t[q] - t[p]
        pi = switch_matrix(dt, dwell)
        c = np.zeros(N_MODELS)
        for j in range(N_MODELS):
            for i in range(N_MODELS):
                c[j] += pi[i, j] * mu[i]
        preds = np.empty((N_MODELS, N_STATE))
        covs = np.empty((N_MODELS, N_STATE, N_STATE))
        cross = np.zeros((N_STATE, N_STATE))
        mean = np.zeros(N_STATE)
        for j in range(N_MODELS):
            F, Q = transition(j, x, dt, noise)
            preds[j] = propagate(j, x, dt)
            covs[j] = F @ P @ F.T + Q
            cross += c[j] * (P @ F.T)
            mean += c[j] * preds[j]
        P_pred = np.zeros((N_STATE, N_STATE))
        for j in range(N_MODELS):
            d = preds[j] - mean
            P_pred += c[j] * (covs[j] + np.outer(d, d))
        G = cross @ np.linalg.inv(P_pred)
        xs[k] = x + G @ (xs[k + 1] - mean)
        Ps[k] = P + G @ (Ps[k + 1] - P_pred) @ G.T
    return xs, Ps
