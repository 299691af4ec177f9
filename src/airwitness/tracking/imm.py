"""The interacting-multiple-model filter step on one track, and its moment matching.

A track holds, per model, a state and covariance (``xm[j]``, ``Pm[j]``) and
the models' probabilities ``mu``. :func:`predict` mixes and predicts them to a
measurement's time; :func:`fit` scores a measurement against the prediction
without changing anything (for gating and assignment); :func:`update` takes it.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from airwitness.tracking.motion import (
    N_MODELS,
    N_STATE,
    ekf_update,
    predicted_fit,
    propagate,
    switch_matrix,
    transition,
)


@nb.njit(cache=True, nogil=True)
def predict(xm, Pm, mu, dt, noise, dwell_s):
    """Per-model predictions over ``dt`` after IMM mixing, and the predicted
    model probabilities ``c``."""
    pi = switch_matrix(dt, dwell_s)
    c = np.zeros(N_MODELS)
    for j in range(N_MODELS):
        for i in range(N_MODELS):
            c[j] += pi[i, j] * mu[i]
    xp = np.empty((N_MODELS, N_STATE))
    Pp = np.empty((N_MODELS, N_STATE, N_STATE))
    for j in range(N_MODELS):
        x0 = np.zeros(N_STATE)
        for i in range(N_MODELS):
            x0 += (pi[i, j] * mu[i] / c[j]) * xm[i]
        P0 = np.zeros((N_STATE, N_STATE))
        for i in range(N_MODELS):
            d = xm[i] - x0
            P0 += (pi[i, j] * mu[i] / c[j]) * (Pm[i] + np.outer(d, d))
        F, Q = transition(j, x0, dt, noise)
        xp[j] = propagate(j, x0, dt)
        Pp[j] = F @ P0 @ F.T + Q
    return xp, Pp, c


@nb.njit(cache=True, nogil=True)
def fit(kind, xp, Pp, c, z, R):
    """(the smallest d² over the models, ln of the mixture likelihood of ``z``)."""
    best = math.inf
    logs = np.empty(N_MODELS)
    for j in range(N_MODELS):
        d2, ll = predicted_fit(kind, xp[j], Pp[j], z, R)
        best = min(best, d2)
        logs[j] = ll + math.log(max(c[j], 1e-300))
    return best, _log_sum_exp(logs)


@nb.njit(cache=True, nogil=True)
def update(kind, xp, Pp, c, z, R):
    """The models updated with ``z``, their new probabilities, and ln of the
    mixture likelihood."""
    xm = np.empty((N_MODELS, N_STATE))
    Pm = np.empty((N_MODELS, N_STATE, N_STATE))
    logs = np.empty(N_MODELS)
    for j in range(N_MODELS):
        x, P, _, ll = ekf_update(kind, xp[j], Pp[j], z, R)
        xm[j] = x
        Pm[j] = P
        logs[j] = ll + math.log(max(c[j], 1e-300))
    total = _log_sum_exp(logs)
    mu = np.empty(N_MODELS)
    for j in range(N_MODELS):
        mu[j] = max(math.exp(logs[j] - total), 1e-9)
    mu /= mu.sum()
    return xm, Pm, mu, total


@nb.njit(cache=True, nogil=True)
def combine(xm, Pm, mu):
    """The models' mixture as one Gaussian: mean and covariance."""
    x = np.zeros(N_STATE)
    for j in range(N_MODELS):
        x += mu[j] * xm[j]
    P = np.zeros((N_STATE, N_STATE))
    for j in range(N_MODELS):
        d = xm[j] - x
        P += mu[j] * (Pm[j] + np.outer(d, d))
    return x, P


@nb.njit(cache=True, nogil=True, inline="always")
def _log_sum_exp(v):
    m = v.max()
    return m + math.log(np.exp(v - m).sum())
