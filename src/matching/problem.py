"""Inputs of the pairing engine: plain pandas frames in, a prepared :class:`MatchingProblem` out.

The engine never reads files. The application layer (``shanchuan``) reads and validates the
scenario's files and hands the frames below to :func:`matching.prepare`.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: The criteria, in report order. Each is a recipient × supporter matrix in [0, 1].
CRITERIA: tuple[str, ...] = ("strength", "industry", "resource", "distance", "willingness", "plan")


class InputError(ValueError):
    """The engine's inputs are inconsistent; the message lists every problem found."""

    def __init__(self, problems: list[str] | tuple[str, ...] | str) -> None:
        if isinstance(problems, str):
            problems = [problems]
        self.problems: tuple[str, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the matching inputs:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


@dataclass(frozen=True)
class MatchingInputs:
    """Plain frames the engine works from (see ``docs/data-schemas.md`` for every column).

    counties
        One row per county, index = stable ASCII id. Columns of the counties schema:
        ``annex_name, full_name, role ('recipient'|'supporter'), annex_order, prefecture, lat,
        lon, gdp_2019_yi, revenue_2019_yi, urban_income_2019_yuan, rural_income_2019_yuan
        (NaN where a district has no rural population), population_wan, area_km2, industries,
        resources, industry_sectors, resource_sectors, focus_sectors`` — the three ``*_sectors``
        columns are tuples of sector codes (``;``-separated strings are accepted too).
    sectors
        Index = sector code; columns ``name_zh, name_en, group``.
    sector_links
        Columns ``source, target, relation ('upstream'|'complement'), strength (0..1)``:
        ``upstream`` means *source* supplies *target*; ``complement`` is symmetric.
    regions
        Columns ``prefecture, cluster``: the provincial regional strategy's city clusters.
    willingness
        Columns ``county, rank, partner`` (ids): each county's ranked acceptable partners,
        1 = most wanted. Lists may be partial or absent; ranks within a list are distinct.
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

    Rows of every matrix follow ``recipients``, columns follow ``supporters``. The instance is
    checked on construction (shapes, ranges, ids), so a problem built directly from matrices —
    as the test strategies and benchmarks do — is as trustworthy as one from :func:`prepare`.
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
    """Recipient id -> its acceptable supporters, most wanted first (strict order)."""
    supporter_prefs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Supporter id -> its acceptable recipients, most wanted first (strict order)."""
    incumbent: tuple[tuple[str, str], ...] = ()
    details: Mapping[str, object] = field(default_factory=dict)
    """Intermediate figures for reports (strength index, entropy weights, …)."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        shape = (len(self.recipients), len(self.supporters))
        if not self.recipients or not self.supporters:
            problems.append("need at least one recipient and one supporter")
        ids = list(self.recipients) + list(self.supporters)
        dup = sorted({c for c in ids if ids.count(c) > 1}) if len(set(ids)) != len(ids) else []
        if dup:
            problems.append(f"county ids used more than once: {dup}")
        for name, mat in self.criteria.items():
            if name not in CRITERIA:
                problems.append(f"unknown criterion {name!r}; known: {', '.join(CRITERIA)}")
                continue
            arr = np.asarray(mat)
            if arr.shape != shape:
                problems.append(f"criterion {name!r} has shape {arr.shape}, expected {shape}")
            elif not np.all(np.isfinite(arr)) or arr.min() < -1e-12 or arr.max() > 1 + 1e-12:
                problems.append(f"criterion {name!r} must hold finite values in [0, 1]")
        for name, w in self.weights.items():
            if name not in self.criteria:
                problems.append(f"weight for criterion {name!r} without a matrix")
            elif not (w >= 0 and math.isfinite(w)):
                problems.append(f"weight of {name!r} must be finite and non-negative, got {w!r}")
        total = sum(self.weights.values())
        if self.weights and abs(total - 1.0) > 1e-9:
            problems.append(f"weights must sum to 1, got {total!r}")
        if np.asarray(self.distance).shape != shape:
            got = np.asarray(self.distance).shape
            problems.append(f"distance has shape {got}, expected {shape}")
        elif np.any(np.isnan(self.distance)) or np.any(np.asarray(self.distance) < 0):
            problems.append("distance must hold non-negative numbers (no NaN)")
        if self.distance_unit not in ("km", "min"):
            problems.append(f"distance_unit must be 'km' or 'min', got {self.distance_unit!r}")
        rset, sset = self._r_pos.keys(), self._s_pos.keys()  # the id look-ups, built once
        for own, others, prefs, side in (
            (rset, sset, self.recipient_prefs, "recipient"),
            (sset, rset, self.supporter_prefs, "supporter"),
        ):
            for county, listed in prefs.items():
                if county not in own:
                    problems.append(f"preference list of unknown {side} {county!r}")
                if len(set(listed)) != len(listed) or not others >= set(listed):
                    problems.append(
                        f"preference list of {county!r} must name distinct counties of the "
                        "other side"
                    )
        for r, s in self.incumbent:
            if r not in rset or s not in sset:
                problems.append(f"incumbent pair ({r!r}, {s!r}) names unknown counties")
        if problems:
            raise InputError(problems)
        # The score matrix is part of the prepared instance (the cost matrix every route
        # reads), so it is computed once here, not inside the first solve.
        _ = self.score

    @functools.cached_property
    def score(self) -> np.ndarray:
        """Weighted pair score: ``sum_c w_c * criteria[c]`` with the normalised weights."""
        total = np.zeros((len(self.recipients), len(self.supporters)))
        scratch = np.empty_like(total)
        for name, w in self.weights.items():
            if w:  # in place: no temporary matrix per criterion (the n >= 100 fast path)
                np.multiply(np.asarray(self.criteria[name], dtype=float), w, out=scratch)
                total += scratch
        total.setflags(write=False)
        return total

    @functools.cached_property
    def _r_pos(self) -> dict[str, int]:
        return dict(zip(self.recipients, range(len(self.recipients)), strict=True))

    @functools.cached_property
    def _s_pos(self) -> dict[str, int]:
        return dict(zip(self.supporters, range(len(self.supporters)), strict=True))

    @functools.cached_property
    def prefecture_codes(self) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
        """Each recipient's and supporter's prefecture as an index into the sorted names.

        A county without a prefecture has ``""``. Per county, once: the spread check and the
        model count pairs per prefecture pair with these codes instead of per-pair look-ups.
        """
        r_pref = [self.prefecture.get(c, "") for c in self.recipients]
        s_pref = [self.prefecture.get(c, "") for c in self.supporters]
        names = tuple(sorted(set(r_pref) | set(s_pref)))
        index = {p: i for i, p in enumerate(names)}
        r_code = np.fromiter(map(index.__getitem__, r_pref), dtype=np.intp, count=len(r_pref))
        s_code = np.fromiter(map(index.__getitem__, s_pref), dtype=np.intp, count=len(s_pref))
        return r_code, s_code, names

    @functools.cached_property
    def supporter_array(self) -> np.ndarray:
        """The supporter ids as an object array (pairs from columns without a Python loop)."""
        out = np.empty(len(self.supporters), dtype=object)
        out[:] = self.supporters
        return out

    def recipient_position(self, county: str) -> int:
        """Row of ``county``, -1 when it is not a recipient (no exception: for bulk look-ups)."""
        return self._r_pos.get(county, -1)

    def supporter_position(self, county: str) -> int:
        """Column of ``county``, -1 when it is not a supporter."""
        return self._s_pos.get(county, -1)

    def positions(self, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """Rows and columns of ``pairs``, -1 where an id is not of that side (vectorised)."""
        k = len(pairs)
        miss = itertools.repeat(-1)
        first, second = map(operator.itemgetter(0), pairs), map(operator.itemgetter(1), pairs)
        rows = np.fromiter(map(self._r_pos.get, first, miss), dtype=np.intp, count=k)
        cols = np.fromiter(map(self._s_pos.get, second, miss), dtype=np.intp, count=k)
        return rows, cols

    @functools.cached_property
    def incumbent_cells(self) -> np.ndarray:
        """(k, 2) positions of the incumbent pairs."""
        return self.cells_of(self.incumbent)

    def cells_of(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """(k, 2) positions of ``pairs`` (KeyError naming the first unknown id)."""
        if not pairs:
            return np.zeros((0, 2), dtype=np.intp)
        rs, ss = zip(*pairs, strict=True)
        try:
            rows = np.fromiter(map(self._r_pos.__getitem__, rs), dtype=np.intp, count=len(rs))
            cols = np.fromiter(map(self._s_pos.__getitem__, ss), dtype=np.intp, count=len(ss))
        except KeyError:
            for r, s in pairs:  # name the offending id
                self.r_index(r)
                self.s_index(s)
            raise
        return np.stack([rows, cols], axis=1)

    def r_index(self, county: str) -> int:
        """Row of recipient ``county`` (KeyError naming the id if it is not a recipient)."""
        try:
            return self._r_pos[county]
        except KeyError:
            raise KeyError(f"{county!r} is not a recipient of this problem") from None

    def s_index(self, county: str) -> int:
        """Column of supporter ``county`` (KeyError naming the id if it is not a supporter)."""
        try:
            return self._s_pos[county]
        except KeyError:
            raise KeyError(f"{county!r} is not a supporter of this problem") from None

    def is_recipient(self, county: str) -> bool:
        """Whether ``county`` is one of the recipients."""
        return county in self._r_pos

    def is_supporter(self, county: str) -> bool:
        """Whether ``county`` is one of the supporters."""
        return county in self._s_pos

    def name(self, county: str) -> str:
        """Annex-2 name of ``county`` (its id when no name is known)."""
        return self.names.get(county, county)

    def pair_score(self, recipient: str, supporter: str) -> float:
        """Weighted score of one pair."""
        return float(self.score[self.r_index(recipient), self.s_index(supporter)])
