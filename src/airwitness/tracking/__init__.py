"""Tracks from anonymous detections: radar plots and sightings with no identity.

Between reading and the track rules (docs/architecture.md §1): readers give
detections (:data:`airwitness.schema.DETECTION_SCHEMA`), and
:func:`track_detections` makes position reports of them — a track per object,
each report at the time of one detection, citing it (``source_file``,
``source_record``), with the smoothed position and its error (``pos_sigma_m``).
Detections in no confirmed track are rejects ``clutter``: nothing is dropped.

Per sensor: detections in the sensor's own plane
(:mod:`~airwitness.tracking.measurements`), the clutter density around each
(:mod:`~airwitness.tracking.clutter`), a forward pass of IMM filters with global
nearest-neighbour assignment and M-of-N confirmation
(:mod:`~airwitness.tracking.forward`), then a smoother over each confirmed
track (:mod:`~airwitness.tracking.smoother`). Deterministic: the same
detections and settings give the same tracks, whatever order the files came in.
The method, its defaults and how it compares: docs/tracking.md.
"""

from __future__ import annotations

from airwitness.tracking.inputs import track_inputs
from airwitness.tracking.run import SensorStats, Tracked, track_detections
from airwitness.tracking.settings import TrackerSettings, parse_alt_band

__all__ = [
    "SensorStats",
    "Tracked",
    "TrackerSettings",
    "parse_alt_band",
    "track_detections",
    "track_inputs",
]
