"""Composite strength index of the counties (综合实力) and the entropy-weight method.

The five indicators are all "more is stronger" (positive direction):

=======================  =====================================================  ========
indicator                from the counties frame                                unit
=======================  =====================================================  ========
``gdp``                  ``gdp_2019_yi``                                         1e8 yuan
``gdp_per_capita``       ``gdp_2019_yi * 1e8 / (population_wan * 1e4)``          yuan
``revenue``              ``revenue_2019_yi``                                     1e8 yuan
``urban_income``         ``urban_income_2019_yuan``                              yuan
``rural_income``         ``rural_income_2019_yuan`` (NaN: no rural population)   yuan
=======================  =====================================================  ========

Missing values (NaN) mean "not applicable" — an urban district has no rural income. Such a
county is left out of that indicator's normalisation and entropy, and its strength index is
the weighted mean over the indicators it has, with the weights renormalised over them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Indicator names, in report order.
STRENGTH_INDICATORS: tuple[str, ...] = (
    "gdp",
    "gdp_per_capita",
    "revenue",
    "urban_income",
    "rural_income",
)


def indicator_table(counties: pd.DataFrame) -> pd.DataFrame:
    """The five strength indicators of every county (index = county id), NaN where missing.

    GDP per capita is NaN when the population is missing or not positive.
    """
    gdp = pd.to_numeric(counties["gdp_2019_yi"], errors="coerce").astype(float)
    pop = pd.to_numeric(counties["population_wan"], errors="coerce").astype(float)
    per_capita = (gdp * 1e8) / (pop.where(pop > 0) * 1e4)
    table = pd.DataFrame(
        {
            "gdp": gdp,
            "gdp_per_capita": per_capita,
            "revenue": pd.to_numeric(counties["revenue_2019_yi"], errors="coerce"),
            "urban_income": pd.to_numeric(counties["urban_income_2019_yuan"], errors="coerce"),
            "rural_income": pd.to_numeric(counties["rural_income_2019_yuan"], errors="coerce"),
        },
        index=counties.index,
    )
    return table.astype(float)


def minmax_normalise(table: pd.DataFrame) -> pd.DataFrame:
    r"""Column-wise min–max normalisation ``x' = (x - min) / (max - min)`` ignoring NaN.

    A column whose available values are all equal carries no information: it becomes 0
    everywhere (and gets entropy weight 0). NaN stays NaN.
    """
    out = {}
    for col in table.columns:
        x = table[col].astype(float)
        lo, hi = x.min(skipna=True), x.max(skipna=True)
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo <= 0:
            out[col] = x.where(x.isna(), 0.0)
        else:
            out[col] = (x - lo) / (hi - lo)
    return pd.DataFrame(out, index=table.index)


def entropy_weights(normalised: pd.DataFrame) -> pd.Series:
    r"""Entropy weights of the columns of a min–max normalised table.

    For indicator :math:`j` with :math:`n_j` available (non-NaN) values :math:`x'_{ij}`:

    .. math::

        p_{ij} = x'_{ij} / \sum_i x'_{ij}, \qquad
        e_j = -\frac{1}{\ln n_j} \sum_i p_{ij} \ln p_{ij}, \qquad
        d_j = 1 - e_j, \qquad w_j = d_j / \sum_k d_k,

    with the convention :math:`0 \ln 0 = 0` (the county at an indicator's minimum has
    :math:`x' = 0`; no shift is added). An indicator whose values are all equal (or with
    fewer than two values) has :math:`d_j = 0`. If every :math:`d_j` is 0 the weights are equal.
    """
    d = {}
    for col in normalised.columns:
        x = normalised[col].dropna().to_numpy(dtype=float)
        total = x.sum()
        if len(x) < 2 or total <= 0:
            d[col] = 0.0
            continue
        p = x / total
        nz = p[p > 0]
        e = -float(np.sum(nz * np.log(nz))) / math.log(len(x))
        d[col] = max(0.0, 1.0 - e)
    ds = pd.Series(d, dtype=float)
    if ds.sum() <= 0:
        return pd.Series(1.0 / len(ds), index=ds.index) if len(ds) else ds
    return ds / ds.sum()


def strength_index(normalised: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    r"""Composite strength :math:`S_i = \sum_j w_j x'_{ij} / \sum_{j\,\text{avail}} w_j` in [0, 1].

    The sum runs over the indicators available for county :math:`i` (non-NaN); a county with
    none of them, or only zero-weight ones, gets NaN (the caller reports it).
    """
    w = pd.Series({c: float(weights.get(c, 0.0)) for c in normalised.columns}, dtype=float)
    avail = normalised.notna()
    num = normalised.fillna(0.0).mul(w, axis=1).sum(axis=1)
    den = avail.mul(w, axis=1).sum(axis=1)
    return (num / den.where(den > 0)).astype(float)
