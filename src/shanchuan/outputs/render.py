"""Plain-text tables for the terminal that line up with Chinese characters."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

import pandas as pd


def width(text: str) -> int:
    """Columns a string takes in a terminal (wide East Asian characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: object, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.{digits}f}" if abs(value) >= 1000 else f"{value:.{digits}f}"
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    return str(value)


def table(frame: pd.DataFrame, *, digits: int = 3, columns: Sequence[str] | None = None) -> str:
    """Render ``frame`` as an aligned text table (numbers right-aligned)."""
    if columns is not None:
        frame = frame.loc[:, list(columns)]
    headers = [str(c) for c in frame.columns]
    rows = [[_cell(v, digits) for v in row] for row in frame.itertuples(index=False, name=None)]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c])
        or all(isinstance(v, str) and v.endswith("%") for v in frame[c])
        for c in frame.columns
    ]
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - width(cell))
            out.append(pad + cell if numeric[i] else cell + pad)
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])
