"""Sovereign airspace: boundary sets and exact, fast point labelling (docs/architecture.md §3).

Two built-in sets: ``osm`` (the default; OpenStreetMap borders with maritime limits,
© OpenStreetMap contributors, ODbL) and ``ne10m`` (Natural Earth 1:10m countries plus
a computed 12 NM territorial sea). An area several states claim is an airspace of its
own with a joint code (``RUS+UKR``).

>>> from airwitness import Airspace
>>> sky = Airspace.builtin()
>>> sky.label([49.87, 0.0, 34.1], [40.41, -30.0, 44.95]).to_pylist()  # Baku, Atlantic, Crimea
['AZE', 'INTL', 'RUS+UKR']
>>> sky.codes_matching("UKR", include_disputed=True)
('RUS+UKR', 'UKR')
"""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import shapely

from airwitness.airspace.boundaries import (
    BUILTIN_SETS,
    DEFAULT_SET,
    BoundarySet,
    boundary_sigma_m,
    is_builtin_name,
    load_builtin,
    load_file,
)
from airwitness.airspace.label_index import LabelIndex
from airwitness.airspace.pathfilter import may_meet_boundary
from airwitness.airspace.pathhits import path_hits

INTL = "INTL"

__all__ = ["BUILTIN_SETS", "DEFAULT_SET", "INTL", "Airspace", "BoundarySet"]


class Airspace:
    """A set of airspaces, each a code with one or more polygons.

    Build it once (the index is built on first use) and label as many points as
    you like. Codes are the set's own (ISO 3166-1 alpha-3 for ``osm``, ``ADM0_A3``
    for ``ne10m``); points outside every polygon are ``INTL``; a joint code
    (``RUS+UKR``) is an area its claimants all claim.
    """

    def __init__(self, boundaries: BoundarySet) -> None:
        self.boundaries = boundaries
        #: Sorted distinct codes; a label id is an index into this list, -1 = INTL.
        self.code_names: list[str] = sorted(set(boundaries.codes))
        position = {c: i for i, c in enumerate(self.code_names)}
        self._code_of_geom = np.array([position[c] for c in boundaries.codes], dtype=np.int32)
        #: what :meth:`label` returns indices into: the codes, then INTL
        self._dictionary = pa.array([*self.code_names, INTL], type=pa.string())
        #: that index for each geometry, and for no geometry (-1, the last entry)
        self._entry_of_geom = np.append(self._code_of_geom, len(self.code_names)).astype(np.int32)
        #: the code id of each geometry, and -1 (INTL) for no geometry (-1, the last entry):
        #: one gather turns the index's answer into code ids
        self._id_of_geom = np.append(self._code_of_geom, -1).astype(np.int32)

    @classmethod
    def builtin(cls, name: str = DEFAULT_SET) -> Airspace:
        """A built-in set: ``osm`` (the default) or ``ne10m`` (``countries``, the name
        old case files use, means the default). Opened once per process."""
        return _builtin(DEFAULT_SET if name == "countries" else name)

    @classmethod
    def from_file(cls, path: str | Path, code_field: str) -> Airspace:
        """A user set: GeoJSON, GeoPackage or Shapefile with a code property."""
        return cls(load_file(path, code_field))

    @classmethod
    def open(cls, source: str | Path | None = None, code_field: str | None = None) -> Airspace:
        """A built-in set by name (``None``: the default), or a user's file with its
        code property (what ``--boundaries`` and ``--code-field`` name)."""
        if source is None or (code_field is None and is_builtin_name(str(source))):
            return cls.builtin() if source is None else cls.builtin(str(source))
        return cls.from_file(source, code_field or "")

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(self.boundaries.provenance)

    @property
    def boundary_sigma_m(self) -> float:
        """The set's stated 1-σ boundary error in metres (docs/uncertainty.md)."""
        return boundary_sigma_m(self.boundaries.provenance)

    @cached_property
    def index(self) -> LabelIndex:
        sha = self.boundaries.provenance.get("sha256")
        if not sha:
            return LabelIndex.build(self.boundaries.geoms)
        from airwitness.airspace.index_cache import cache_key, cached_index

        key = cache_key(sha, str(self.boundaries.provenance.get("code_field", "")))
        return cached_index(key, lambda: LabelIndex.build(self.boundaries.geoms))

    def label_ids(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """int32 code ids (index into :attr:`code_names`), -1 for INTL."""
        lon = np.ascontiguousarray(lon, dtype=np.float64)
        lat = np.ascontiguousarray(lat, dtype=np.float64)
        return self._id_of_geom[self.index.lookup(lon, lat)]

    def label_ids_and_cells(
        self, lon: np.ndarray, lat: np.ndarray, *, along_tracks: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`label_ids` and each point's clear cell (see
        :meth:`~airwitness.airspace.label_index.LabelIndex.lookup_cells`, and its
        ``along_tracks``), in one walk."""
        geom, cell = self.index.lookup_cells(lon, lat, along_tracks=along_tracks)
        return self._id_of_geom[geom], cell

    def label(self, lon: np.ndarray, lat: np.ndarray) -> pa.DictionaryArray:
        """Airspace code of each point (``INTL`` outside all), dictionary-encoded.

        int32 indices into :attr:`code_names` followed by ``INTL``, one per
        point (in C order, whatever the input's shape): no string is made per
        point, so returning millions of labels costs little beyond the index walk.
        ``.cast(pa.string())`` (an Arrow column) or :meth:`decode_labels` (a
        numpy str array) give the codes themselves.

        Exact: the same answer as a plain point-in-polygon test against the
        set's polygons, in lon/lat degrees (WGS-84).
        """
        geom = self.index.lookup(lon, lat).reshape(-1)
        return pa.DictionaryArray.from_arrays(
            self._entry_of_geom[geom], self._dictionary, safe=False
        )

    @staticmethod
    def decode_labels(labels: pa.DictionaryArray) -> np.ndarray:
        """The codes of a :meth:`label` result as a numpy str array, for code that
        slices and compares them: one gather, no string made per point."""
        return np.array(labels.dictionary.to_pylist())[labels.indices.to_numpy()]

    def has_code(self, code: str) -> bool:
        return code == INTL or code in self.code_names

    def claimants(self, code: str) -> tuple[str, ...]:
        """The codes a joint code stands for (``RUS+UKR`` → ``RUS``, ``UKR``); () for others."""
        return self.boundaries.claimants.get(code, ())

    def sovereign(self, code: str) -> str | None:
        """The state a dependency belongs to (``SJM`` → ``NOR``), else None."""
        return self.boundaries.sovereign.get(code)

    def codes_matching(self, code: str, *, include_disputed: bool = False) -> tuple[str, ...]:
        """``code`` itself, and with ``include_disputed`` every joint code it is a claimant of."""
        found = {code}
        if include_disputed:
            found.update(j for j, claim in self.boundaries.claimants.items() if code in claim)
        return tuple(sorted(found))

    def may_meet_boundary(self, lon, lat, i0, i1, cell=None) -> np.ndarray:
        """True where the path from report ``i0[k]`` to ``i1[k]`` may touch a boundary.

        Exact and conservative (never False where a path touches one): see
        :mod:`airwitness.airspace.pathfilter`. With the points' clear cells
        (:meth:`label_ids_and_cells`), paths inside one are settled at once.
        """
        return may_meet_boundary(self.index, lon, lat, i0, i1, cell)

    def path_hits(self, x, y, start) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where lon/lat polylines meet the boundaries, exactly decided: see
        :mod:`airwitness.airspace.pathhits` (path, chord, fraction along the chord)."""
        return path_hits(self.index, x, y, start)

    def info(self) -> dict[str, Any]:
        """What `airwitness airspace info` prints."""
        geoms = np.asarray(self.boundaries.geoms)
        return {
            "provenance": self.provenance,
            "codes": len(self.code_names),
            "polygons": int(shapely.get_num_geometries(geoms).sum()),
            "vertices": int(shapely.get_num_coordinates(geoms).sum()),
            "zones": sorted(set(self.boundaries.zones)),
            "dependencies": dict(sorted(self.boundaries.sovereign.items())),
            "joint_codes": {j: list(c) for j, c in sorted(self.boundaries.claimants.items())},
        }


@cache
def _builtin(name: str) -> Airspace:
    return Airspace(load_builtin(name))
