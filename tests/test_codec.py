"""The answer codec: whatever a kernel computed arrives in the grader as it was (property tests)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course.checks._codec import Opaque, decode, encode


def _trip(value):
    """Encode, send as strict JSON (no NaN literals, as over the kernel protocol), decode."""
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)))


def same(a, b) -> bool:
    """Equal in value *and* type, NaN equal to NaN, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and (a == b or (a.dtype.kind == "f" and np.isnan(a) and np.isnan(b)))
    return a == b


floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.none() | st.booleans() | st.integers() | floats | st.text() | st.binary(max_size=20)
hashables = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                         lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3), max_leaves=8)
values = st.recursive(
    scalars | st.just(Ellipsis),
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.dictionaries(hashables, inner, max_size=4) | st.sets(hashables, max_size=4)
                   | st.frozensets(hashables, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_plain_python_values_round_trip_exactly(value):
    assert same(_trip(value), value)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_string_round_trips_lone_surrogates_included(text):
    assert _trip(text) == text
    assert _trip(text + "\ud800") == text + "\ud800"


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.bool_, np.uint8]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)))
def test_numpy_arrays_keep_dtype_shape_and_nan(array):
    assert same(_trip(array), array)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.uint16]), floats)
def test_numpy_scalars_keep_their_type(dtype, x):
    if np.dtype(dtype).kind != "f":
        if not math.isfinite(x):
            return
        info = np.iinfo(dtype)
        x = int(max(info.min, min(info.max, int(x))))
    with np.errstate(over="ignore"):  # float32 overflow to inf is a value the codec must carry too
        value = dtype(x)
    assert same(_trip(value), value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-10**6, 10**6), floats, st.text(max_size=8) | st.none()), max_size=6))
def test_pandas_frames_and_series_round_trip(rows):
    frame = pd.DataFrame(rows, columns=["n", "x", "label"]).set_index(pd.Index(range(len(rows)), name="row"))
    pd.testing.assert_frame_equal(_trip(frame), frame)
    series = frame["x"]
    pd.testing.assert_series_equal(_trip(series), series)


def test_dates_round_trip():
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", None, "2025-05-31"])})
    pd.testing.assert_frame_equal(_trip(frame), frame)
    assert _trip(pd.Timestamp("2024-03-01")) == pd.Timestamp("2024-03-01")


def test_a_learners_dict_can_never_pose_as_a_tag():
    sneaky = {"$": "float", "v": "nan"}
    assert _trip(sneaky) == sneaky and isinstance(_trip(sneaky), dict)


def test_unknown_objects_arrive_as_a_named_stand_in():
    class Lexicon:
        def __repr__(self):
            return "Lexicon('vague', 47 terms)"

    out = _trip(Lexicon())
    assert isinstance(out, Opaque) and out.type_name == "Lexicon" and "47 terms" in repr(out)

    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    assert _trip(Hostile()).type_name == "Hostile"


def test_a_fact_check_round_trips_through_its_plain_form():
    from course.factcheck import factcheck, verdict

    fc = factcheck("T", verdict("S3.4", "supported", ["A22"], "Rows show it."))
    assert _trip(fc) == fc
