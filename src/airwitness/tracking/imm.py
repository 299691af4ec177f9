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
    covariance_through,
    ekf_update,
    predicted_fit,
    propagate,
    transition,
)


@nb.njit(cache=True, nogil=True)
def predict(xm, Pm, mu, dt, noise, dwell_s):
    """Per-model predictions over ``dt`` after IMM mixing, and the predicted
    model probabilities ``c``."""
    switch = 1.0 - math.exp(-dt / dwell_s) if dt > 0.0 else 0.0
    stay = 1.0 - switch
    other = switch / (N_MODELS - 1)
    c = np.zeros(N_MODELS)
    for j in range(N_MODELS):
        for i in range(N_MODELS):
            c[j] += (stay if i == j else other) * mu[i]
    xp = np.empty((N_MODELS, N_STATE))
    Pp = np.empty((N_MODELS, N_STATE, N_STATE))
    w = np.empty(N_MODELS)
    x0 = np.empty(N_STATE)
    P0 = np.empty((N_STATE, N_STATE))
    for j in range(N_MODELS):
        for i in range(N_MODELS):
            w[i] = (stay if i == j else other) * mu[i] / c[j]
        for a in range(N_STATE):
            acc = 0.0
            for i in range(N_MODELS):
                acc += w[i] * xm[i, a]
            x0[a] = acc
        for a in range(N_STATE):
            for b in range(a, N_STATE):
                acc = 0.0
                for i in range(N_MODELS):
                    acc += w[i] * (Pm[i, a, b] + (xm[i, a] - x0[a]) * (xm[i, b] - x0[b]))
                P0[a, b] = acc
                P0[b, a] = acc
        F, Q = transition(j, x0, dt, noise)
        xp[j] = propagate(j, x0, dt)
        Pp[j] = covariance_through(F, P0, Q)
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
