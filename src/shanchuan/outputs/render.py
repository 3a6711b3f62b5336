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


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` terminal columns, ending in ``…`` when it was cut."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def wrap(text: str, limit: int, *, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``limit`` columns (CJK-aware; breaks at spaces when it can).

    Continuation lines are indented two more columns than ``indent``.
    """
    lines: list[str] = []
    prefix = indent
    rest = text
    while rest:
        room = max(10, limit - width(prefix))
        if width(rest) <= room:
            lines.append(prefix + rest)
            break
        used, end, space = 0, 0, -1
        for i, ch in enumerate(rest):
            w = width(ch)
            if used + w > room:
                break
            used += w
            end = i + 1
            if ch == " ":
                space = i
        # Break at the last space in the line's second half, else where the room ends
        # (Chinese text has no spaces and may break between any two characters).
        cut_at = space if space > end // 2 else end
        lines.append(prefix + rest[:cut_at].rstrip())
        rest = rest[cut_at:].lstrip(" ")
        prefix = indent + "  "
    return lines


def table(
    frame: pd.DataFrame,
    *,
    digits: int = 3,
    columns: Sequence[str] | None = None,
    fit: int | None = None,
) -> str:
    """Render ``frame`` as an aligned text table (numbers right-aligned).

    With ``fit``, the widest text columns are cut (``…``) until a line takes at most ``fit``
    terminal columns; numbers are never cut.
    """
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
    titles = [[h] for h in headers]
    if fit is not None and _line_width(widths) > fit:
        # First a header wider than its cells goes on two lines, then long text is cut.
        cells = [max([0] + [width(r[i]) for r in rows]) for i in range(len(headers))]
        titles = [_split_header(h, cells[i]) for i, h in enumerate(headers)]
        widths = [max([cells[i]] + [width(x) for x in t]) for i, t in enumerate(titles)]
        widths = _fit(widths, headers, numeric, fit)
        rows = [[cut(c, widths[i]) for i, c in enumerate(r)] for r in rows]
        titles = [[cut(x, widths[i]) for x in t] for i, t in enumerate(titles)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - width(cell))
            out.append(pad + cell if numeric[i] else cell + pad)
        return "  ".join(out).rstrip()

    depth = max((len(t) for t in titles), default=1)
    # A two-line header: its first part on the first line when every header has one line
    # would read oddly, so the short headers sit on the last line, next to the rule.
    head = [
        line([(t[k - (depth - len(t))] if k >= depth - len(t) else "") for t in titles])
        for k in range(depth)
    ]
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([*head, sep, *(line(r) for r in rows)])


def _line_width(widths: Sequence[int]) -> int:
    return sum(widths) + 2 * (len(widths) - 1)


def _split_header(header: str, cells: int) -> list[str]:
    """``header`` on two lines when it is wider than its cells (at a space or before ``（``)."""
    if width(header) <= cells:
        return [header]
    cuts = [i for i, ch in enumerate(header) if ch in " （(" and i > 0]
    if not cuts:
        return [header]
    best = min(cuts, key=lambda i: max(width(header[:i]), width(header[i:].lstrip())))
    return [header[:best].rstrip(), header[best:].lstrip()]


def _fit(widths: list[int], headers: list[str], numeric: list[bool], fit: int) -> list[int]:
    """Column widths whose line (with two-space gaps) fits ``fit``: the widest text cut first."""
    out = list(widths)
    floor = 8  # a cut column still shows its first words
    while sum(out) + 2 * (len(out) - 1) > fit:
        text_cols = [i for i, n in enumerate(numeric) if not n and out[i] > floor]
        if not text_cols:
            break
        i = max(text_cols, key=lambda j: out[j])
        excess = sum(out) + 2 * (len(out) - 1) - fit
        others = sorted((out[j] for j in text_cols if j != i), reverse=True)
        # Cut the widest down to the next widest (or by the excess, whichever is less).
        target = max(floor, out[i] - excess, others[0] if others else floor)
        out[i] = target if target < out[i] else out[i] - 1
    return out
