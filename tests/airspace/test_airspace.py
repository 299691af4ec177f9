"""Airspace.label: a dictionary-encoded code per point, INTL outside every polygon."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import shapely

from airwitness.airspace import INTL, Airspace, BoundarySet

# BBB's two polygons sit on either side of AAA's; CCC overlaps nothing.
SKY = Airspace(
    BoundarySet(
        ("BBB", "AAA", "BBB", "CCC"),
        ("land", "land", "sea", "land"),
        (
            shapely.box(0, 0, 1, 1),
            shapely.box(1, 0, 2, 1),
            shapely.box(2, 0, 3, 1),
            shapely.box(10, 10, 11, 11),
        ),
        {},
    )
)
LON = np.array([1.5, 0.5, 2.5, 50.0, 10.5, np.nan, 0.5])
LAT = np.array([0.5, 0.5, 0.5, 50.0, 10.5, 0.5, 95.0])
WANT = ["AAA", "BBB", "BBB", INTL, "CCC", INTL, INTL]


def test_label_is_dictionary_encoded_over_the_sorted_codes_and_intl() -> None:
    labels = SKY.label(LON, LAT)
    assert isinstance(labels, pa.DictionaryArray)
    assert labels.type == pa.dictionary(pa.int32(), pa.string())
    assert labels.dictionary.to_pylist() == ["AAA", "BBB", "CCC", INTL]
    assert labels.indices.to_pylist() == [0, 1, 1, 3, 2, 3, 3]


def test_label_values_match_label_ids() -> None:
    labels = SKY.label(LON, LAT)
    assert labels.to_pylist() == WANT
    assert labels.cast(pa.string()).to_pylist() == WANT
    ids = SKY.label_ids(LON, LAT)
    names = np.array([*SKY.code_names, INTL])
    assert np.array_equal(SKY.decode_labels(labels), names[ids])
    assert SKY.decode_labels(labels).dtype == names.dtype


def test_points_outside_every_polygon_are_intl() -> None:
    labels = SKY.label([-5.0, 5.0, 200.0], [-5.0, 5.0, 0.5])  # 200° wraps to -160°
    assert labels.to_pylist() == [INTL, INTL, INTL]
    assert set(labels.indices.to_pylist()) == {len(SKY.code_names)}


def test_label_of_no_points() -> None:
    labels = SKY.label(np.zeros(0), np.zeros(0))
    assert len(labels) == 0
    assert labels.type == pa.dictionary(pa.int32(), pa.string())
    assert labels.dictionary.to_pylist() == ["AAA", "BBB", "CCC", INTL]
    assert labels.cast(pa.string()).to_pylist() == []
    assert SKY.decode_labels(labels).tolist() == []


def test_label_takes_any_shape_in_c_order() -> None:
    labels = SKY.label(LON[:4].reshape(2, 2), LAT[:4].reshape(2, 2))
    assert labels.to_pylist() == WANT[:4]


def test_label_refuses_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="shape"):
        SKY.label(np.zeros(2), np.zeros(3))
