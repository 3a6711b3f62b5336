"""Stage 1: validated plain frames → :class:`~matching.problem.MatchingProblem`."""

from __future__ import annotations

import pandas as pd

from matching import criteria as crit
from matching.distance import distance_matrix, distance_score
from matching.indicators import (
    STRENGTH_INDICATORS,
    entropy_weights,
    indicator_table,
    minmax_normalise,
    strength_index,
)
from matching.options import MatchSettings
from matching.problem import InputError, MatchingInputs, MatchingProblem

REQUIRED_COLUMNS: tuple[str, ...] = (
    "annex_name",
    "role",
    "prefecture",
    "gdp_2019_yi",
    "revenue_2019_yi",
    "urban_income_2019_yuan",
    "rural_income_2019_yuan",
    "population_wan",
    "industry_sectors",
    "resource_sectors",
    "focus_sectors",
)


def _ordered(counties: pd.DataFrame, role: str) -> tuple[str, ...]:
    part = counties[counties["role"] == role]
    if "annex_order" in part.columns and part["annex_order"].notna().all():
        part = part.sort_values("annex_order", kind="stable")
    return tuple(str(c) for c in part.index)


def _preferences(
    frame: pd.DataFrame | None, recipients: tuple[str, ...], supporters: tuple[str, ...]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    if frame is None or frame.empty:
        return {}, {}
    missing = [c for c in ("county", "rank", "partner") if c not in frame.columns]
    if missing:
        raise InputError(f"willingness frame lacks columns {missing}")
    rset, sset = set(recipients), set(supporters)
    problems: list[str] = []
    r_prefs: dict[str, tuple[str, ...]] = {}
    s_prefs: dict[str, tuple[str, ...]] = {}
    for county, group in frame.groupby(frame["county"].astype(str), sort=True):
        if county in rset:
            other, side, target = sset, "supporters", r_prefs
        elif county in sset:
            other, side, target = rset, "recipients", s_prefs
        else:
            problems.append(f"willingness list of unknown county {county!r}")
            continue
        ranks = pd.to_numeric(group["rank"], errors="coerce")
        if ranks.isna().any() or (ranks < 1).any():
            problems.append(f"willingness ranks of {county!r} must be numbers >= 1")
            continue
        if ranks.duplicated().any():
            problems.append(f"willingness ranks of {county!r} must be distinct")
            continue
        partners = [str(p) for p in group.assign(_k=ranks).sort_values("_k")["partner"]]
        bad = [p for p in partners if p not in other]
        if bad:
            problems.append(f"willingness list of {county!r} names {bad}, which are not {side}")
            continue
        if len(set(partners)) != len(partners):
            problems.append(f"willingness list of {county!r} names a partner twice")
            continue
        target[county] = tuple(partners)
    if problems:
        raise InputError(problems)
    return r_prefs, s_prefs


def indicator_weights(normalised: pd.DataFrame, settings: MatchSettings) -> pd.Series:
    """The strength indicators' weights: entropy weights of the table, or the given ones."""
    cs = settings.criteria
    if cs.strength_weighting == "entropy":
        return entropy_weights(normalised)
    given = dict(cs.indicator_weights)
    w = pd.Series({k: float(given.get(k, 0.0)) for k in STRENGTH_INDICATORS}, dtype=float)
    return w / w.sum()


def prepare(inputs: MatchingInputs, settings: MatchSettings | None = None) -> MatchingProblem:
    """Compute every criterion matrix and return the prepared problem.

    The caller's frames are never modified. Recipients and supporters are ordered by
    ``annex_order`` when it is given (Annex 2 order), otherwise by the frame's order.
    ``details`` keeps the intermediate figures: ``indicators`` (raw), ``indicators_normalised``,
    ``indicator_weights``, ``strength_index``, ``need``, ``distance_source`` and ``clusters``.
    Raises :class:`~matching.problem.InputError` listing every problem found.
    """
    settings = settings or MatchSettings()
    counties = inputs.counties.copy(deep=True)
    counties.index = counties.index.map(str)
    problems: list[str] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in counties.columns]
    if missing:
        raise InputError(f"counties frame lacks columns {missing}")
    if counties.index.duplicated().any():
        dup = sorted(set(counties.index[counties.index.duplicated()]))
        problems.append(f"duplicate county ids: {dup}")
    bad_roles = sorted(set(counties["role"]) - {"recipient", "supporter"})
    if bad_roles:
        problems.append(f"role must be 'recipient' or 'supporter', got {bad_roles}")
    if problems:
        raise InputError(problems)
    recipients, supporters = _ordered(counties, "recipient"), _ordered(counties, "supporter")

    sectors = {
        col: {c: crit.parse_sectors(v) for c, v in counties[col].items()}
        for col in ("industry_sectors", "resource_sectors", "focus_sectors")
    }
    codes = [str(c) for c in inputs.sectors.index]
    known = set(codes)
    for col, by_county in sectors.items():
        for county, seq in by_county.items():
            unknown = [c for c in seq if c not in known]
            if unknown:
                problems.append(f"{county}: {col} has unknown sector codes {unknown}")
    links = inputs.sector_links
    if links is not None and not links.empty:
        for col in ("source", "target", "relation", "strength"):
            if col not in links.columns:
                problems.append(f"sector_links lacks column {col!r}")
        if not problems:
            bad_rel = sorted(set(links["relation"]) - {"upstream", "complement"})
            if bad_rel:
                problems.append(f"sector link relation must be upstream/complement, got {bad_rel}")
            strength_col = pd.to_numeric(links["strength"], errors="coerce")
            if strength_col.isna().any() or (strength_col < 0).any() or (strength_col > 1).any():
                problems.append("sector link strengths must be numbers in [0, 1]")
    else:
        links = pd.DataFrame(columns=["source", "target", "relation", "strength"])

    # strength and need
    raw = indicator_table(counties.loc[list(recipients) + list(supporters)])
    normalised = minmax_normalise(raw)
    ind_w = indicator_weights(normalised, settings)
    index = strength_index(normalised, ind_w.to_dict())
    no_index = sorted(index.index[index.isna()])
    if no_index:
        problems.append(
            f"no strength indicator with positive weight available for {no_index}; give "
            "gdp_2019_yi, revenue_2019_yi, incomes or population"
        )
    if problems:
        raise InputError(problems)

    r_prefs, s_prefs = _preferences(inputs.willingness, recipients, supporters)
    dist, dist_note = distance_matrix(
        counties, recipients, supporters, inputs.distance, inputs.distance_unit
    )
    cluster_of: dict[str, str] = {}
    if inputs.regions is not None and not inputs.regions.empty:
        cluster_of = {
            str(p): str(c)
            for p, c in inputs.regions[["prefecture", "cluster"]].itertuples(index=False)
        }
    pref = {c: str(counties.at[c, "prefecture"]) for c in recipients + supporters}

    cs = settings.criteria
    matrices = {
        "strength": crit.strength_need(index.to_dict(), recipients, supporters),
        "industry": crit.industry_fit(
            [sectors["industry_sectors"][r] for r in recipients],
            [sectors["industry_sectors"][s] for s in supporters],
            codes,
            links,
        ),
        "resource": crit.resource_fit(
            [sectors["resource_sectors"][r] for r in recipients],
            [sectors["industry_sectors"][s] for s in supporters],
            codes,
            links,
        ),
        "distance": distance_score(dist, cs.distance_scale),
        "willingness": crit.willingness(
            recipients,
            supporters,
            r_prefs,
            s_prefs,
            unlisted=cs.willingness_unlisted,
            no_list=cs.willingness_no_list,
        ),
        "plan": crit.plan_alignment(
            [cluster_of.get(pref[r]) for r in recipients],
            [cluster_of.get(pref[s]) for s in supporters],
            [sectors["focus_sectors"][r] for r in recipients],
            [sectors["industry_sectors"][s] for s in supporters],
            cluster_share=cs.plan_cluster_share,
        ),
    }
    for m in matrices.values():
        m.setflags(write=False)
    incumbent: tuple[tuple[str, str], ...] = ()
    if inputs.incumbent is not None and not inputs.incumbent.empty:
        incumbent = tuple(
            (str(r), str(s))
            for r, s in inputs.incumbent[["recipient", "supporter"]].itertuples(index=False)
        )
    names = {c: str(counties.at[c, "annex_name"]) for c in recipients + supporters}
    full = {
        c: str(counties.at[c, "full_name"]) if "full_name" in counties.columns else names[c]
        for c in recipients + supporters
    }
    unit = "min" if inputs.distance_unit == "min" else "km"
    details = {
        "indicators": raw,
        "indicators_normalised": normalised,
        "indicator_weights": ind_w,
        "indicator_weighting": cs.strength_weighting,
        "strength_index": index,
        "need": 1.0 - index.loc[list(recipients)],
        "distance_source": dist_note,
        "clusters": {c: cluster_of.get(pref[c]) for c in recipients + supporters},
        "rural_income_missing": sorted(raw.index[raw["rural_income"].isna()]),
    }
    return MatchingProblem(
        recipients=recipients,
        supporters=supporters,
        names=names,
        full_names=full,
        prefecture=pref,
        criteria=matrices,
        weights=settings.weights.normalised(),
        distance=dist,
        distance_unit=unit,
        recipient_prefs=r_prefs,
        supporter_prefs=s_prefs,
        incumbent=incumbent,
        details=details,
    )
