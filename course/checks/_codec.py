"""A tagged JSON codec for answers crossing the kernel boundary: what the learner computed arrives as it was.

JSON alone loses NaN and infinities, tuples, sets, numpy and pandas types and strings that are not
valid UTF-8. Here every JSON object in the encoded form is a tag (``{"$": "tuple", ...}``), so a
learner's own dictionary can never be mistaken for one, and :func:`decode` rebuilds the value:

>>> decode(encode((1, float("nan"), {"a"})))
(1, nan, {'a'})

An object the codec does not know arrives as an :class:`Opaque` stand-in that keeps its type name
and a short ``repr``, so feedback can still say "that is a Lexicon".
"""

from __future__ import annotations

import base64
import math
from typing import Any

__all__ = ["Opaque", "decode", "encode"]

_REPR_LIMIT = 200


class Opaque:
    """A value the codec cannot rebuild: its type name and a short repr, for messages only."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and (self.type_name, self.text) == (other.type_name, other.text)

    def __hash__(self) -> int:
        return hash((self.type_name, self.text))


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return {"$": "float", "v": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _str(s: str) -> Any:
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:  # lone surrogates: carried as bytes that round-trip them
        return {"$": "str", "b64": base64.b64encode(s.encode("utf-8", "surrogatepass")).decode()}


def _sort_key(encoded: Any) -> str:
    import json

    return json.dumps(encoded, sort_keys=True)


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data with tags wherever plain JSON would lose something."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and type(value) is int:
        return value
    if type(value) is float:
        return _float(value)
    if type(value) is str:
        return _str(value)
    if value is Ellipsis:
        return {"$": "ellipsis"}
    if type(value) is list:
        return [encode(v) for v in value]
    if type(value) is tuple:
        return {"$": "tuple", "items": [encode(v) for v in value]}
    if type(value) in (set, frozenset):
        items = sorted((encode(v) for v in value), key=_sort_key)
        return {"$": type(value).__name__, "items": items}
    if type(value) is dict:
        return {"$": "dict", "items": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (bytes, bytearray)):
        return {"$": "bytes", "b64": base64.b64encode(bytes(value)).decode()}
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        return _encode_numpy(value)
    if module == "pandas":
        return _encode_pandas(value)
    to_plain = getattr(type(value), "to_plain", None)
    if callable(to_plain) and type(value).__name__ == "FactCheck":
        return {"$": "factcheck", "v": encode(value.to_plain())}
    if isinstance(value, Opaque):
        return {"$": "object", "type": value.type_name, "repr": value.text}
    if isinstance(value, (int, float, str, list, tuple, dict)):  # subclasses: kept as their plain base
        for base in (bool, int, float, str, list, tuple, dict):
            if isinstance(value, base):
                return encode(base(value))
    return {"$": "object", "type": type(value).__name__, "repr": _short_repr(value)}


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a learner's __repr__ may raise; the type name still says enough
        text = f"<{type(value).__name__}>"
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 1] + "…"


def _encode_numpy(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufcUSM" or value.dtype.kind == "c":
            return {"$": "object", "type": "ndarray", "repr": _short_repr(value)}
        flat = [encode(v) for v in value.ravel().tolist()] if value.dtype.kind != "M" else \
            [str(v) for v in value.ravel()]
        return {"$": "ndarray", "dtype": value.dtype.str, "shape": list(value.shape), "data": flat}
    if isinstance(value, np.generic):
        if isinstance(value, np.datetime64):
            return {"$": "np", "dtype": value.dtype.str, "v": str(value)}
        if value.dtype.kind in "biuf":
            return {"$": "np", "dtype": value.dtype.str, "v": encode(value.item())}
        if value.dtype.kind in "US":
            return {"$": "np", "dtype": value.dtype.str, "v": encode(value.item())}
    return {"$": "object", "type": type(value).__name__, "repr": _short_repr(value)}


def _column(values: Any) -> dict[str, Any]:
    """One pandas column (or index) as its dtype and its values."""
    dtype = str(values.dtype)
    if dtype.startswith("datetime64") or dtype.startswith("timedelta64"):
        data = [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                for v in values.astype(str).where(values.notna(), None).tolist()]
    else:
        data = [encode(_plain_scalar(v)) for v in values.tolist()]
    return {"dtype": dtype, "data": data}


def _index(index: Any) -> dict[str, Any]:
    return {"name": encode(index.name), **_column(index)}


def _plain_scalar(v: Any) -> Any:
    item = getattr(v, "item", None)
    if callable(item) and type(v).__module__.split(".")[0] == "numpy":
        return v.item()
    if v is not None and type(v).__name__ in {"NAType", "NaTType"}:
        return None
    return v


def _encode_pandas(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return {"$": "frame", "columns": encode(list(value.columns)), "index": _index(value.index),
                "data": [_column(value.iloc[:, i]) for i in range(value.shape[1])]}
    if isinstance(value, pd.Series):
        return {"$": "series", "name": encode(value.name), "index": _index(value.index), "values": _column(value)}
    if isinstance(value, pd.Index):
        return {"$": "index", "name": encode(value.name), "values": _column(value)}
    if isinstance(value, pd.Timestamp):
        return {"$": "timestamp", "v": value.isoformat()}
    return {"$": "object", "type": type(value).__name__, "repr": _short_repr(value)}


def decode(data: Any) -> Any:
    """The value :func:`encode` was given (or an :class:`Opaque` stand-in for an unknown object)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    tag = data.get("$")
    if tag == "float":
        return float(data["v"])
    if tag == "str":
        return base64.b64decode(data["b64"]).decode("utf-8", "surrogatepass")
    if tag == "ellipsis":
        return ...
    if tag == "tuple":
        return tuple(decode(v) for v in data["items"])
    if tag == "set":
        return {decode(v) for v in data["items"]}
    if tag == "frozenset":
        return frozenset(decode(v) for v in data["items"])
    if tag == "dict":
        return {decode(k): decode(v) for k, v in data["items"]}
    if tag == "bytes":
        return base64.b64decode(data["b64"])
    if tag == "object":
        return Opaque(str(data.get("type", "object")), str(data.get("repr", "")))
    if tag == "factcheck":
        from course.factcheck import FactCheck

        return FactCheck.from_plain(decode(data["v"]))
    if tag in {"np", "ndarray"}:
        return _decode_numpy(data)
    if tag in {"frame", "series", "index", "timestamp"}:
        return _decode_pandas(data)
    raise ValueError(f"unknown tag {tag!r} in an encoded answer")


def _decode_numpy(data: dict[str, Any]) -> Any:
    import numpy as np

    dtype = np.dtype(data["dtype"])
    if data["$"] == "np":
        if dtype.kind == "M":
            return np.datetime64(data["v"])
        return dtype.type(decode(data["v"]))
    values = [decode(v) for v in data["data"]] if dtype.kind != "M" else data["data"]
    return np.array(values, dtype=dtype).reshape(data["shape"])


def _uncolumn(col: dict[str, Any]) -> Any:
    import pandas as pd

    dtype = col["dtype"]
    values = [decode(v) for v in col["data"]]
    if dtype.startswith("datetime64") or dtype.startswith("timedelta64"):
        return pd.Series(values, dtype="object").pipe(
            pd.to_datetime if dtype.startswith("datetime64") else pd.to_timedelta).astype(dtype)
    try:
        return pd.Series(values, dtype=dtype)
    except (TypeError, ValueError):
        return pd.Series(values, dtype="object")


def _decode_pandas(data: dict[str, Any]) -> Any:
    import pandas as pd

    tag = data["$"]
    if tag == "timestamp":
        return pd.Timestamp(data["v"])
    if tag == "index":
        return pd.Index(_uncolumn(data["values"]), name=decode(data["name"]))
    index = pd.Index(_uncolumn(data["index"]), name=decode(data["index"].get("name")))
    if tag == "series":
        s = _uncolumn(data["values"])
        s.index = index
        s.name = decode(data["name"])
        return s
    columns = decode(data["columns"])
    frame = pd.DataFrame({i: _uncolumn(c).set_axis(index) for i, c in enumerate(data["data"])}, index=index)
    frame.columns = pd.Index(columns) if columns else pd.RangeIndex(0)
    return frame
