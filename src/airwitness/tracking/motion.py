"""The motion models and the measurement models of the tracker, compiled.

State, in a sensor's local plane (east ``x``, north ``y``, metres):
``[x, y, vx, vy, omega]`` — position, velocity (m/s) and turn rate (rad/s,
positive anticlockwise). Two models share it, mixed by an IMM (Blom and
Bar-Shalom 1988; Bar-Shalom, Li and Kirubarajan, *Estimation with Applications
to Tracking and Navigation*, 2001, §11.6):

- ``CV``: constant velocity, white-noise acceleration; the turn rate is reset
  to zero with a small spread (the target is not turning).
- ``CT``: coordinated turn at the current turn rate, which itself wanders
  (the "nearly coordinated turn" of §11.7.2), with white-noise acceleration.

Measurements: ``POLAR`` (ground distance and azimuth from the sensor, the
local plane being azimuthal-equidistant about the sensor so both are exact
functions of the state: an extended Kalman filter on them, never pretending a
plot is a point) or ``CARTESIAN`` (a located detection: x, y).

Everything here works on plain arrays and is called per track and plot by
:mod:`airwitness.tracking.forward`; 5×5 algebra is written out where it is hot.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

N_STATE = 5
N_MODELS = 2
CV = 0
CT = 1
POLAR = 0
CARTESIAN = 1
#: below this |omega·dt| the CT formulas use their series (no 0/0, no cancellation;
#: the terms left out are ~1e-12 of those kept)
_SMALL_TURN = 1e-3
LOG_2PI = math.log(2.0 * math.pi)


@nb.njit(cache=True, nogil=True)
def transition(model, x, dt, noise):
    """(F, Q) of ``model`` over ``dt`` at state ``x`` (F the Jacobian for CT).

    ``noise``: σ of the acceleration for CV and CT (m/s², per axis), of the turn
    rate's change for CT (rad/s² as a white-noise density), and the turn-rate
    spread the CV model keeps (rad/s)."""
    F = np.eye(N_STATE)
    Q = np.zeros((N_STATE, N_STATE))
    vx, vy, w = x[2], x[3], x[4]
    if model == CV:
        F[0, 2] = dt
        F[1, 3] = dt
        F[4, 4] = 0.0
        q = noise[0] ** 2
        Q[4, 4] = noise[3] ** 2
    else:
        wt = w * dt
        if abs(wt) < _SMALL_TURN:
            s_w, c_w = _small_turn(w, dt)
            ds = -w * dt**3 / 3.0 + w**3 * dt**5 / 30.0  # d/dw of sin(wT)/w
            dc = 0.5 * dt * dt - w * w * dt**4 / 8.0  # d/dw of (1-cos(wT))/w
        else:
            s, c = math.sin(wt), math.cos(wt)
            s_w = s / w
            c_w = (1.0 - c) / w
            ds = (dt * c * w - s) / (w * w)
            dc = (dt * s * w - (1.0 - c)) / (w * w)
        cos_t, sin_t = math.cos(wt), math.sin(wt)
        F[0, 2] = s_w
        F[0, 3] = -c_w
        F[1, 2] = c_w
        F[1, 3] = s_w
        F[2, 2] = cos_t
        F[2, 3] = -sin_t
        F[3, 2] = sin_t
        F[3, 3] = cos_t
        F[0, 4] = ds * vx - dc * vy
        F[1, 4] = dc * vx + ds * vy
        F[2, 4] = -dt * sin_t * vx - dt * cos_t * vy
        F[3, 4] = dt * cos_t * vx - dt * sin_t * vy
        q = noise[1] ** 2
        Q[4, 4] = noise[2] ** 2 * dt
    # white-noise acceleration, per axis: [[T^3/3, T^2/2], [T^2/2, T]] q
    for a in range(2):
        Q[a, a] += q * dt**3 / 3.0
        Q[a, a + 2] += q * dt * dt / 2.0
        Q[a + 2, a] += q * dt * dt / 2.0
        Q[a + 2, a + 2] += q * dt
    return F, Q


@nb.njit(cache=True, nogil=True)
def propagate(model, x, dt):
    """The state ``x`` moved on by ``dt`` under ``model`` (the exact CT motion)."""
    out = x.copy()
    vx, vy, w = x[2], x[3], x[4]
    if model == CV:
        out[0] = x[0] + vx * dt
        out[1] = x[1] + vy * dt
        out[4] = 0.0
        return out
    wt = w * dt
    if abs(wt) < _SMALL_TURN:
        s_w, c_w = _small_turn(w, dt)
    else:
        s_w, c_w = math.sin(wt) / w, (1.0 - math.cos(wt)) / w
    cos_t, sin_t = math.cos(wt), math.sin(wt)
    out[0] = x[0] + s_w * vx - c_w * vy
    out[1] = x[1] + c_w * vx + s_w * vy
    out[2] = cos_t * vx - sin_t * vy
    out[3] = sin_t * vx + cos_t * vy
    return out


@nb.njit(cache=True, nogil=True, inline="always")
def _small_turn(w, dt):
    """sin(wT)/w and (1 − cos(wT))/w by their series, for small wT."""
    wt2 = (w * dt) ** 2
    return dt * (1.0 - wt2 / 6.0), 0.5 * w * dt * dt * (1.0 - wt2 / 12.0)


@nb.njit(cache=True, nogil=True)
def switch_matrix(dt, dwell_s):
    """Model transition probabilities over ``dt``: a switch at rate 1/dwell."""
    p = 1.0 - math.exp(-dt / dwell_s) if dt > 0.0 else 0.0
    m = np.empty((N_MODELS, N_MODELS))
    for i in range(N_MODELS):
        for j in range(N_MODELS):
            m[i, j] = p / (N_MODELS - 1) if i != j else 1.0 - p
    return m


@nb.njit(cache=True, nogil=True)
def measure(kind, x):
    """The measurement a state predicts, and its Jacobian H (2×5)."""
    H = np.zeros((2, N_STATE))
    z = np.empty(2)
    if kind == POLAR:
        r2 = x[0] * x[0] + x[1] * x[1]
        r = math.sqrt(r2) if r2 > 1e-6 else 1e-3
        z[0] = r
        z[1] = math.atan2(x[0], x[1])
        H[0, 0] = x[0] / r
        H[0, 1] = x[1] / r
        H[1, 0] = x[1] / (r * r)
        H[1, 1] = -x[0] / (r * r)
    else:
        z[0] = x[0]
        z[1] = x[1]
        H[0, 0] = 1.0
        H[1, 1] = 1.0
    return z, H


@nb.njit(cache=True, nogil=True)
def innovation(kind, z, z_pred):
    """z − z_pred, the azimuth difference wrapped to (−π, π]."""
    d = z - z_pred
    if kind == POLAR:
        d[1] = (d[1] + math.pi) % (2.0 * math.pi) - math.pi
    return d


@nb.njit(cache=True, nogil=True)
def inv2(S):
    """Inverse and determinant of a 2×2 matrix."""
    det = S[0, 0] * S[1, 1] - S[0, 1] * S[1, 0]
    inv = np.empty((2, 2))
    inv[0, 0] = S[1, 1] / det
    inv[1, 1] = S[0, 0] / det
    inv[0, 1] = -S[0, 1] / det
    inv[1, 0] = -S[1, 0] / det
    return inv, det


@nb.njit(cache=True, nogil=True)
def covariance_through(F, P, Q):
    """F P Fᵀ + Q, written out (5×5: cheaper than a BLAS call) and exactly symmetric."""
    FP = np.empty((N_STATE, N_STATE))
    for i in range(N_STATE):
        for j in range(N_STATE):
            acc = 0.0
            for k in range(N_STATE):
                acc += F[i, k] * P[k, j]
            FP[i, j] = acc
    out = np.empty((N_STATE, N_STATE))
    for i in range(N_STATE):
        for j in range(i, N_STATE):
            acc = 0.5 * (Q[i, j] + Q[j, i])
            for k in range(N_STATE):
                acc += FP[i, k] * F[j, k]
            out[i, j] = acc
            out[j, i] = acc
    return out


@nb.njit(cache=True, nogil=True, inline="always")
def _innovation_covariance(H, P, R):
    """P Hᵀ (5×2) and S = H P Hᵀ + R; both measurement models see only x and y,
    so H's last three columns are zero."""
    PHt = np.empty((N_STATE, 2))
    for i in range(N_STATE):
        for r in range(2):
            PHt[i, r] = P[i, 0] * H[r, 0] + P[i, 1] * H[r, 1]
    S = np.empty((2, 2))
    for r in range(2):
        for q in range(2):
            S[r, q] = H[r, 0] * PHt[0, q] + H[r, 1] * PHt[1, q] + R[r, q]
    S[0, 1] = S[1, 0] = 0.5 * (S[0, 1] + S[1, 0])
    return PHt, S


@nb.njit(cache=True, nogil=True, inline="always")
def _d2(nu, S_inv):
    return nu[0] * (S_inv[0, 0] * nu[0] + S_inv[0, 1] * nu[1]) + nu[1] * (
        S_inv[1, 0] * nu[0] + S_inv[1, 1] * nu[1]
    )


@nb.njit(cache=True, nogil=True)
def ekf_update(kind, x, P, z, R):
    """Updated (x, P), the normalised squared innovation d², and ln N(z; ẑ, S)."""
    z_pred, H = measure(kind, x)
    nu = innovation(kind, z, z_pred)
    PHt, S = _innovation_covariance(H, P, R)
    S_inv, det = inv2(S)
    K = np.empty((N_STATE, 2))
    for i in range(N_STATE):
        for r in range(2):
            K[i, r] = PHt[i, 0] * S_inv[0, r] + PHt[i, 1] * S_inv[1, r]
    x_new = x.copy()
    for i in range(N_STATE):
        x_new[i] += K[i, 0] * nu[0] + K[i, 1] * nu[1]
    # Joseph form, (I − KH) P (I − KH)ᵀ + K R Kᵀ: stays symmetric and positive
    A = np.eye(N_STATE)
    for i in range(N_STATE):
        for j in range(2):
            A[i, j] -= K[i, 0] * H[0, j] + K[i, 1] * H[1, j]
    KRK = np.empty((N_STATE, N_STATE))
    for i in range(N_STATE):
        for j in range(N_STATE):
            KRK[i, j] = K[i, 0] * (R[0, 0] * K[j, 0] + R[0, 1] * K[j, 1]) + K[i, 1] * (
                R[1, 0] * K[j, 0] + R[1, 1] * K[j, 1]
            )
    P_new = covariance_through(A, P, KRK)
    d2 = _d2(nu, S_inv)
    return x_new, P_new, d2, -0.5 * (d2 + math.log(det)) - LOG_2PI


@nb.njit(cache=True, nogil=True)
def predicted_fit(kind, x, P, z, R):
    """d² and ln N(z; ẑ, S) of a measurement against a prediction, without updating."""
    z_pred, H = measure(kind, x)
    nu = innovation(kind, z, z_pred)
    _, S = _innovation_covariance(H, P, R)
    S_inv, det = inv2(S)
    d2 = _d2(nu, S_inv)
    return d2, -0.5 * (d2 + math.log(det)) - LOG_2PI
