"""The one JSON writer of every room: the same bytes for the same result, whoever writes it.

Rules: mappings keep their order (keys become strings), tuples become lists, numpy scalars
and arrays become Python numbers and lists, enums their values, paths strings, objects with a
``to_dict()`` their plain form, NaN becomes ``null``, and infinity the strings ``"inf"`` /
``"-inf"`` (JSON has no infinity; a distance cap of ``inf`` means "no cap", which ``null``
would lose).
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON data (see the module doc)."""
    if isinstance(obj, enum.Enum):
        obj = obj.value
    if isinstance(obj, Mapping):
        return {str(to_jsonable(k)) if not isinstance(k, str) else k: to_jsonable(v)
                for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, str | bool) or obj is None:
        return obj
    if hasattr(obj, "tolist") and type(obj).__module__ == "numpy":
        return to_jsonable(obj.tolist())
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, float):
        if math.isnan(obj):
            return None
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
    return obj


def dumps(obj: Any) -> str:
    """UTF-8 JSON text, indented, keys in the result's order, newline-terminated."""
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
