"""Position errors: what each source says about its accuracy, as one number per report.

Every report carries ``pos_sigma_m`` (docs/architecture.md §2): the 1-σ horizontal
position error in metres, per axis, of a circular Gaussian model. Readers fill it
from what their source states, with the conversions below; where a source states
nothing the column is null and :func:`effective_sigma` uses the documented default
of that source (:data:`DEFAULT_SIGMA_M`; reasons and citations in
``docs/uncertainty.md``).

Conventions: a 95 % horizontal bound (ADS-B EPU, Remote ID accuracy) of a circular
Gaussian is σ·√(−2 ln 0.05) = 2.4477 σ; a containment radius (ADS-B NIC's Rc, an
integrity bound, far above 95 %) is taken as if it were a 95 % bound, which
overstates σ: conservative.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: a 95 % radius of a circular Gaussian, in units of its per-axis σ
R95_PER_SIGMA = math.sqrt(-2.0 * math.log(0.05))
NM_M = 1852.0

#: ADS-B NACp → EPU, the 95 % bound on horizontal position error (DO-260B §2.2.3.2.7.2.7)
NACP_EPU_M: Mapping[int, float] = {
    11: 3.0,
    10: 10.0,
    9: 30.0,
    8: 0.05 * NM_M,
    7: 0.1 * NM_M,
    6: 0.3 * NM_M,
    5: 0.5 * NM_M,
    4: 1.0 * NM_M,
    3: 2.0 * NM_M,
    2: 4.0 * NM_M,
    1: 10.0 * NM_M,
}

#: ADS-B airborne/surface position type code → containment radius Rc (DO-260B table
#: 2-14 / 2-20); where supplement bits choose between two radii, the larger is used.
TYPECODE_RC_M: Mapping[int, float] = {
    5: 7.5,  # surface
    6: 25.0,
    7: 0.1 * NM_M,  # 75 m with supplement A, else 0.1 NM
    9: 7.5,  # airborne, barometric altitude
    10: 25.0,
    11: 0.1 * NM_M,  # 75 m or 0.1 NM
    12: 0.2 * NM_M,
    13: 0.6 * NM_M,  # 0.3, 0.5 or 0.6 NM
    14: 1.0 * NM_M,
    15: 2.0 * NM_M,
    16: 8.0 * NM_M,  # 4 or 8 NM
    17: 20.0 * NM_M,
    20: 7.5,  # airborne, GNSS height
    21: 25.0,
}

#: Remote ID (ASTM F3411-22a) horizontal accuracy code → 95 % bound
REMOTE_ID_HACC_M: Mapping[int, float] = {
    1: 10.0 * NM_M,
    2: 4.0 * NM_M,
    3: 2.0 * NM_M,
    4: 1.0 * NM_M,
    5: 0.5 * NM_M,
    6: 0.3 * NM_M,
    7: 0.1 * NM_M,
    8: 0.05 * NM_M,
    9: 30.0,
    10: 10.0,
    11: 3.0,
    12: 1.0,
}

#: User equivalent range error (1 σ) that GPX ``hdop`` is multiplied by: a
#: conservative figure for single-frequency civil GNSS (docs/uncertainty.md)
UERE_M = 5.0

#: σ (m) of a report whose source states nothing, by the reader's ``source`` name
DEFAULT_SIGMA_M: Mapping[str, float] = {
    "opensky": 50.0,
    "traffic": 50.0,
    "readsb": 50.0,
    "sbs": 50.0,
    "beast": 50.0,
    "avr": 50.0,
    "modes_raw": 50.0,
    "asterix": 150.0,
    "gpx": 15.0,
    "kml": 50.0,
    "csv": 100.0,
    "ulog": 15.0,
    "mavlink": 15.0,
    "dataflash": 15.0,
    "remoteid": 50.0,
}
#: σ for a source not in :data:`DEFAULT_SIGMA_M`
FALLBACK_SIGMA_M = 100.0


def sigma_from_r95(r95_m: float | None) -> float | None:
    """Per-axis σ of a circular Gaussian whose 95 % radius is ``r95_m``.

    >>> round(sigma_from_r95(30.0), 3)
    12.256
    """
    if r95_m is None or not math.isfinite(r95_m) or r95_m < 0:
        return None
    return r95_m / R95_PER_SIGMA


def sigma_from_nacp(nacp: int | None) -> float | None:
    """σ from an ADS-B NACp (0 or unknown: None)."""
    return sigma_from_r95(NACP_EPU_M.get(nacp)) if nacp is not None else None


def sigma_from_typecode(typecode: int | None) -> float | None:
    """σ from the containment radius of a position message's type code (None if unknown)."""
    return sigma_from_r95(TYPECODE_RC_M.get(typecode)) if typecode is not None else None


def sigma_from_hdop(hdop: float | None, uere_m: float = UERE_M) -> float | None:
    """Per-axis σ from a horizontal dilution of precision: HDOP·UERE is the 2-D rms
    error, √2 times the per-axis σ.

    >>> round(sigma_from_hdop(1.0), 3)
    3.536
    """
    if hdop is None or not math.isfinite(hdop) or hdop <= 0:
        return None
    return hdop * uere_m / math.sqrt(2.0)


def sigma_from_range_azimuth(
    range_m: float, sigma_range_m: float, sigma_azimuth_deg: float
) -> float:
    """A radar plot's σ: the larger axis of its error ellipse, σ_range or range·σ_azimuth
    (the circular model keeps the worse axis: conservative)."""
    return max(sigma_range_m, range_m * math.radians(sigma_azimuth_deg))


def default_sigma(source: str) -> float:
    """The documented σ of a source that states nothing."""
    return DEFAULT_SIGMA_M.get(source, FALLBACK_SIGMA_M)


def effective_sigma(table: pa.Table) -> np.ndarray:
    """Each report's σ (m): its ``pos_sigma_m`` where stated, else its source's default,
    rounded to float32 (seven digits: far finer than any error is known, and what the
    scaled engines' spill holds, so every engine computes with the same values)."""
    n = table.num_rows
    column = table["pos_sigma_m"] if "pos_sigma_m" in table.column_names else None
    if column is not None and column.null_count == 0:
        return _float32_exact(column.to_numpy(zero_copy_only=False).astype(np.float64))
    defaults = _defaults(table)
    if column is None or column.null_count == n:
        return _float32_exact(defaults)
    stated = column.to_numpy(zero_copy_only=False).astype(np.float64)  # nulls: NaN
    missing = ~np.isfinite(stated)
    stated[missing] = defaults[missing]
    return _float32_exact(stated)


def _defaults(table: pa.Table) -> np.ndarray:
    """Each report's source default, from the source names once each (no text per row)."""
    n = table.num_rows
    if "source" not in table.column_names or n == 0:
        return np.full(n, FALLBACK_SIGMA_M)
    parts = []
    for chunk in table["source"].chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        per_name = np.array(
            [default_sigma(str(s)) for s in chunk.dictionary.to_pylist()] + [FALLBACK_SIGMA_M]
        )
        idx = chunk.indices.fill_null(len(per_name) - 1).to_numpy(zero_copy_only=False)
        parts.append(per_name[idx])
    return np.concatenate(parts) if parts else np.zeros(0)


def _float32_exact(values: np.ndarray) -> np.ndarray:
    return values.astype(np.float32).astype(np.float64)


#: ADS-B NIC (MOPS version 1 and 2) → containment radius Rc (DO-260A/B); NIC 6 stands
#: for 0.3, 0.5 or 0.6 NM by the NIC supplements, which are not at hand: the larger is used
NIC_RC_M: Mapping[int, float] = {
    11: 7.5,
    10: 25.0,
    9: 75.0,
    8: 0.1 * NM_M,
    7: 0.2 * NM_M,
    6: 0.6 * NM_M,
    5: 1.0 * NM_M,
    4: 2.0 * NM_M,
    3: 4.0 * NM_M,
    2: 8.0 * NM_M,
    1: 20.0 * NM_M,
}


def sigma_from_nic(nic: int | None) -> float | None:
    """σ from an ADS-B NIC (version 1/2), its containment radius taken as a 95 % bound
    (conservative); 0 or unknown: None.

    >>> round(sigma_from_nic(8), 3)
    75.661
    """
    return sigma_from_r95(NIC_RC_M.get(nic)) if nic is not None else None


#: ADS-B NUCp (MOPS version 0, DO-260) → horizontal protection limit HPL
#: (DO-260; ICAO Doc 9871)
NUCP_HPL_M: Mapping[int, float] = {
    9: 7.5,
    8: 25.0,
    7: 0.1 * NM_M,
    6: 0.2 * NM_M,
    5: 0.5 * NM_M,
    4: 1.0 * NM_M,
    3: 2.0 * NM_M,
    2: 10.0 * NM_M,
    1: 20.0 * NM_M,
}


def sigma_from_nucp(nucp: int | None) -> float | None:
    """σ from a version-0 ADS-B NUCp, its HPL (an integrity bound) taken as a 95 % bound
    (conservative, as for NIC); 0 or unknown: None.

    >>> round(sigma_from_nucp(7), 3)
    75.661
    """
    return sigma_from_r95(NUCP_HPL_M.get(nucp)) if nucp is not None else None


def sigma_from_drms(drms_m: float | None) -> float | None:
    """Per-axis σ from a horizontal accuracy given as the 2-D rms error √(σ_n² + σ_e²):
    what GNSS receivers report (u-blox ``hAcc``, hence PX4 GPS ``eph``, MAVLink
    ``h_acc``, ArduPilot ``HAcc``) and what PX4's estimator reports as ``eph``
    (√ of the trace of its horizontal position covariance). As for HDOP·UERE, the
    circular model's σ is that value / √2. 0 or less means "not stated": None.

    >>> round(sigma_from_drms(2.0), 4), sigma_from_drms(0.0)
    (1.4142, None)
    """
    if drms_m is None or not math.isfinite(drms_m) or drms_m <= 0:
        return None
    return drms_m / math.sqrt(2.0)
