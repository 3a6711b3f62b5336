"""Inputs of the pairing engine: plain pandas frames in, a prepared :class:`MatchingProblem` out.

The engine never reads files. The application layer (``shanchuan``) reads and validates the
scenario's files and hands the frames below to :func:`matching.prepare`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: The criteria, in report order. Each is a recipient × supporter matrix in [0, 1].
CRITERIA: tuple[str, ...] = ("strength", "industry", "resource", "distance", "willingness", "plan")


@dataclass(frozen=True)
class MatchingInputs:
    """Plain frames the engine works from (see ``docs/data.md`` for every column).

    counties
        One row per county, index = stable ASCII id. Columns of the counties schema:
        ``annex_name, full_name, role ('recipient'|'supporter'), annex_order, prefecture, lat,
        lon, gdp_2019_yi, revenue_2019_yi, urban_income_2019_yuan, rural_income_2019_yuan
        (NaN where a district has no rural population), population_wan, area_km2, industries,
        resources, industry_sectors, resource_sectors, focus_sectors`` — the three ``*_sectors``
        columns are tuples of sector codes.
    sectors
        Index = sector code; columns ``name_zh, name_en, group``.
    sector_links
        Columns ``source, target, relation ('upstream'|'complement'), strength (0..1)``:
        ``upstream`` means *source* supplies *target*; ``complement`` is symmetric.
    regions
        Columns ``prefecture, cluster``: the provincial regional strategy's city clusters.
    willingness
        Columns ``county, rank, partner`` (ids): each county's ranked acceptable partners,
        1 = most wanted. Lists may be partial or absent.
    distance
        Optional recipient × supporter matrix (index = recipient ids, columns = supporter ids)
        that takes precedence over geodesic distances; ``distance_unit`` says km or minutes.
    incumbent
        Optional columns ``recipient, supporter``: the pairing in force, for continuity rules.
    """

    counties: pd.DataFrame
    sectors: pd.DataFrame
    sector_links: pd.DataFrame
    regions: pd.DataFrame | None = None
    willingness: pd.DataFrame | None = None
    distance: pd.DataFrame | None = None
    distance_unit: str = "km"
    incumbent: pd.DataFrame | None = None


@dataclass(frozen=True)
class MatchingProblem:
    """A prepared instance: ids, criteria matrices, weights and everything the rules refer to.

    Rows of every matrix follow ``recipients``, columns follow ``supporters``.
    """

    recipients: tuple[str, ...]
    supporters: tuple[str, ...]
    names: Mapping[str, str]
    """id -> name as printed in Annex 2."""
    full_names: Mapping[str, str]
    prefecture: Mapping[str, str]
    criteria: Mapping[str, np.ndarray]
    weights: Mapping[str, float]
    """Criterion weights, normalised to sum to 1 over the criteria in use."""
    distance: np.ndarray
    """Distance between county seats (km), or travel time when ``distance_unit`` is minutes."""
    distance_unit: str = "km"
    recipient_prefs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    supporter_prefs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    incumbent: tuple[tuple[str, str], ...] = ()
    details: Mapping[str, object] = field(default_factory=dict)
    """Intermediate figures for reports (strength index, entropy weights, …)."""

    @property
    def score(self) -> np.ndarray:
        """Weighted pair score: ``sum_c w_c * criteria[c]`` with the normalised weights."""
        total = np.zeros((len(self.recipients), len(self.supporters)))
        for name, w in self.weights.items():
            if w:
                total = total + w * self.criteria[name]
        return total

    def r_index(self, county: str) -> int:
        return self.recipients.index(county)

    def s_index(self, county: str) -> int:
        return self.supporters.index(county)
