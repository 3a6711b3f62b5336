"""Spatial distance (空间距离): geodesic kilometres between county seats, or the user's matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from geopy.distance import geodesic

from matching.problem import InputError


def geodesic_matrix(
    origins: Sequence[tuple[float, float]], destinations: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Geodesic distances (km, WGS-84 ellipsoid, :func:`geopy.distance.geodesic`).

    ``origins`` and ``destinations`` are ``(lat, lon)`` pairs in degrees.
    """
    out = np.zeros((len(origins), len(destinations)))
    for i, a in enumerate(origins):
        for j, b in enumerate(destinations):
            out[i, j] = geodesic(a, b).km
    return out


def distance_matrix(
    counties: pd.DataFrame,
    recipients: Sequence[str],
    supporters: Sequence[str],
    user: pd.DataFrame | None = None,
    unit: str = "km",
) -> tuple[np.ndarray, dict[str, object]]:
    """Recipient × supporter distances and a note of where they came from.

    The user's matrix takes precedence. In km, pairs it leaves empty (NaN or absent) fall back
    to geodesic distances; in minutes (``unit='min'``) it must cover every pair, because
    kilometres cannot stand in for travel times. Without a user matrix every county needs
    ``lat`` and ``lon``.
    """
    if unit not in ("km", "min"):
        raise InputError(f"distance unit must be 'km' or 'min', got {unit!r}")
    r_ids, s_ids = list(recipients), list(supporters)
    given = np.full((len(r_ids), len(s_ids)), np.nan)
    if user is not None:
        frame = user.copy()
        frame.index = frame.index.map(str)
        frame.columns = frame.columns.map(str)
        unknown = sorted((set(frame.index) - set(r_ids)) | (set(frame.columns) - set(s_ids)))
        if unknown:
            raise InputError(
                f"distance matrix names counties that are not recipients (rows) or supporters "
                f"(columns): {unknown}"
            )
        given = frame.reindex(index=r_ids, columns=s_ids).to_numpy(dtype=float)
        negative = np.argwhere(given < 0)
        if len(negative):
            i, j = negative[0]
            raise InputError(f"distance matrix has negative entries, e.g. ({r_ids[i]}, {s_ids[j]})")
    missing = np.isnan(given)
    note: dict[str, object] = {"source": "user" if user is not None else "geodesic", "unit": unit}
    if not missing.any():
        return given, note
    if unit == "min":
        i, j = np.argwhere(missing)[0]
        raise InputError(
            f"travel-time matrix misses {int(missing.sum())} pair(s), e.g. ({r_ids[i]}, "
            f"{s_ids[j]}); in minutes every pair must be given"
        )
    coords = counties[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
    needed = sorted(
        {r_ids[i] for i in np.flatnonzero(missing.any(axis=1))}
        | {s_ids[j] for j in np.flatnonzero(missing.any(axis=0))}
    )
    lacking = [c for c in needed if coords.loc[c].isna().any()]
    if lacking:
        raise InputError(
            f"counties without lat/lon and no distance given for them: {lacking}; add "
            "coordinates or a distance matrix"
        )
    geo = geodesic_matrix(
        [tuple(coords.loc[r]) for r in r_ids], [tuple(coords.loc[s]) for s in s_ids]
    )
    out = np.where(missing, geo, given)
    if user is not None:
        note["source"] = "user+geodesic"
        note["geodesic_pairs"] = int(missing.sum())
    return out, note


def distance_score(distance: np.ndarray, scale: float) -> np.ndarray:
    r"""Nearness score :math:`\exp(-d / \text{scale})` in (0, 1]; ``scale`` in the distance unit."""
    return np.exp(-np.asarray(distance, dtype=float) / float(scale))
