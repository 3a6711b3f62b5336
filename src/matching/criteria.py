"""The pairing criteria of section (五): one function per criterion, each an R × S matrix in [0, 1].

Every criterion is an absolute score in [0, 1] by construction — none is rescaled by the
instance's best pair — so adding or removing a county never changes another pair's score
(except through the strength index, which is normalised over all counties by definition).
The formulas are in ``docs/matching.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

SectorSet = frozenset[str]


def parse_sectors(value: object) -> tuple[str, ...]:
    """Sector codes from a tuple/list, a ``;``-separated string, or a missing value."""
    if value is None:
        return ()
    if isinstance(value, float) and np.isnan(value):
        return ()
    if isinstance(value, str):
        items: Iterable[object] = value.split(";")
    elif isinstance(value, Iterable):
        items = value
    else:
        raise TypeError(f"sector list must be a tuple or a ';'-separated string, got {value!r}")
    out = []
    for item in items:
        code = str(item).strip()
        if code and code not in out:
            out.append(code)
    return tuple(out)


def strength_need(
    strength: Mapping[str, float], recipients: Sequence[str], supporters: Sequence[str]
) -> np.ndarray:
    r"""Strength and need: :math:`c_{rs} = (1 - S_r)\,S_s`.

    :math:`S` is the composite strength index in [0, 1]; :math:`1 - S_r` is the recipient's
    need. The product is in [0, 1]. Over perfect matchings its sum is maximised by the
    assortative pairing "strongest supporter with neediest recipient" (rearrangement
    inequality), whereas a plain sum :math:`(1 - S_r) + S_s` would be the same for every
    perfect matching and could not influence the choice.
    """
    need = 1.0 - np.array([strength[r] for r in recipients], dtype=float)
    power = np.array([strength[s] for s in supporters], dtype=float)
    return np.clip(np.outer(need, power), 0.0, 1.0)


def link_matrix(
    codes: Sequence[str], links: pd.DataFrame, *, directed_upstream: bool
) -> np.ndarray:
    r"""Sector-to-sector link strength :math:`L[a, b] \in [0, 1]` over ``codes``.

    :math:`L[a, a] = 1` (same sector). A ``complement`` link of strength :math:`w` gives
    :math:`L[a, b] = L[b, a] = w`. An ``upstream`` link *source → target* gives
    :math:`L[\text{source}, \text{target}] = w` and, unless ``directed_upstream``, also
    :math:`L[\text{target}, \text{source}] = w` (downstream). Several links keep the strongest.
    """
    pos = {c: i for i, c in enumerate(codes)}
    mat = np.eye(len(codes))
    for src, tgt, rel, w in links[["source", "target", "relation", "strength"]].itertuples(
        index=False
    ):
        i, j = pos.get(str(src)), pos.get(str(tgt))
        if i is None or j is None:
            continue
        w = float(np.clip(float(w), 0.0, 1.0))
        mat[i, j] = max(mat[i, j], w)
        if rel == "complement" or not directed_upstream:
            mat[j, i] = max(mat[j, i], w)
    return mat


def coverage(
    needs: Sequence[Sequence[str]],
    offers: Sequence[Sequence[str]],
    codes: Sequence[str],
    link: np.ndarray,
) -> np.ndarray:
    r"""Share of each row's sectors matched by each column's sectors, weighted by link strength.

    .. math::  c_{rs} = \frac{1}{|A_r|} \sum_{a \in A_r} \max_{b \in B_s} L[a, b]

    with :math:`c_{rs} = 0` when :math:`A_r` or :math:`B_s` is empty. In [0, 1] because
    :math:`L \le 1`.
    """
    pos = {c: i for i, c in enumerate(codes)}
    out = np.zeros((len(needs), len(offers)))
    offer_idx = [[pos[b] for b in bs if b in pos] for bs in offers]
    for r, a_codes in enumerate(needs):
        a_idx = [pos[a] for a in a_codes if a in pos]
        if not a_idx:
            continue
        rows = link[a_idx]
        for s, b_idx in enumerate(offer_idx):
            if b_idx:
                out[r, s] = rows[:, b_idx].max(axis=1).sum() / len(a_idx)
    return out


def industry_fit(
    recipient_sectors: Sequence[Sequence[str]],
    supporter_sectors: Sequence[Sequence[str]],
    codes: Sequence[str],
    links: pd.DataFrame,
) -> np.ndarray:
    r"""Industrial-layout fit (横向配套 and 上下游关联 of section (八)).

    The coverage of the recipient's industry sectors by the supporter's industry sectors,
    where a sector is covered by the same sector (1), a complement link or an upstream link in
    either direction (its strength): :math:`c_{rs} = \frac{1}{|I_r|}\sum_{a\in I_r}
    \max_{b\in I_s} L[a,b]`, :math:`L` from :func:`link_matrix` with undirected upstream links.
    """
    link = link_matrix(codes, links, directed_upstream=False)
    return coverage(recipient_sectors, supporter_sectors, codes, link)


def resource_fit(
    recipient_resources: Sequence[Sequence[str]],
    supporter_sectors: Sequence[Sequence[str]],
    codes: Sequence[str],
    links: pd.DataFrame,
) -> np.ndarray:
    r"""Resource-endowment fit: the supporter's industries can process, market or invest in them.

    The coverage of the recipient's resource sectors :math:`E_r` by the supporter's industry
    sectors, where resource sector :math:`a` is taken up by the same sector (1), by a sector it
    supplies (upstream link *a → b*) or by a complement (their strength). Links pointing from a
    supporter sector *into* the resource sector do not count: they do not use the resource.
    """
    link = link_matrix(codes, links, directed_upstream=True)
    return coverage(recipient_resources, supporter_sectors, codes, link)


def borda_side_scores(
    owners: Sequence[str],
    partners: Sequence[str],
    prefs: Mapping[str, Sequence[str]],
    *,
    unlisted: float,
    no_list: float,
) -> np.ndarray:
    r"""One side's willingness: owner × partner matrix of Borda-like scores.

    Rank :math:`k` (1-based) in a list of length :math:`n` scores :math:`1 - (k - 1)/n`; a
    partner absent from the list scores ``unlisted``; an owner without a list gives
    ``no_list`` to every partner.
    """
    out = np.full((len(owners), len(partners)), float(no_list))
    pos = {p: j for j, p in enumerate(partners)}
    for i, owner in enumerate(owners):
        listed = prefs.get(owner)
        if not listed:
            continue
        out[i, :] = float(unlisted)
        n = len(listed)
        for k, partner in enumerate(listed, start=1):
            if partner in pos:
                out[i, pos[partner]] = 1.0 - (k - 1) / n
    return out


def willingness(
    recipients: Sequence[str],
    supporters: Sequence[str],
    recipient_prefs: Mapping[str, Sequence[str]],
    supporter_prefs: Mapping[str, Sequence[str]],
    *,
    unlisted: float,
    no_list: float,
) -> np.ndarray:
    r"""Both sides' stated willingness: :math:`c_{rs} = \tfrac12 (b^R_{rs} + b^S_{sr})`.

    :math:`b^R` and :math:`b^S` from :func:`borda_side_scores` on each side's lists.
    """
    r_side = borda_side_scores(
        recipients, supporters, recipient_prefs, unlisted=unlisted, no_list=no_list
    )
    s_side = borda_side_scores(
        supporters, recipients, supporter_prefs, unlisted=unlisted, no_list=no_list
    )
    return 0.5 * (r_side + s_side.T)


def plan_alignment(
    recipient_cluster: Sequence[str | None],
    supporter_cluster: Sequence[str | None],
    recipient_focus: Sequence[Sequence[str]],
    supporter_sectors: Sequence[Sequence[str]],
    *,
    cluster_share: float,
) -> np.ndarray:
    r"""14th-FYP alignment: :math:`c_{rs} = \alpha\,[K_r = K_s] + (1-\alpha)\,|F_r \cap I_s|/|F_r|`.

    :math:`K` is the city cluster of the county's prefecture in the provincial regional
    strategy (unknown cluster never matches), :math:`F_r` the recipient's 14th-FYP focus
    sectors (overlap 0 when empty), :math:`I_s` the supporter's industry sectors and
    :math:`\alpha` = ``cluster_share``. When no county has a cluster (no regions frame) the
    whole weight goes to the focus overlap, and vice versa when no recipient has focus sectors.
    """
    have_clusters = any(c for c in recipient_cluster) and any(c for c in supporter_cluster)
    have_focus = any(len(f) for f in recipient_focus)
    alpha = float(cluster_share)
    if not have_clusters and have_focus:
        alpha = 0.0
    elif have_clusters and not have_focus:
        alpha = 1.0
    same = np.array(
        [
            [1.0 if (kr and kr == ks) else 0.0 for ks in supporter_cluster]
            for kr in recipient_cluster
        ]
    ).reshape(len(recipient_cluster), len(supporter_cluster))
    focus = np.zeros_like(same)
    for r, f in enumerate(recipient_focus):
        fs = set(f)
        if fs:
            for s, sec in enumerate(supporter_sectors):
                focus[r, s] = len(fs & set(sec)) / len(fs)
    return alpha * same + (1.0 - alpha) * focus
