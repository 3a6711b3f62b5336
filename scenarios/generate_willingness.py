"""Seeded generator of the ILLUSTRATIVE pairing-willingness lists of scenario ``hubei-2021``.

Section (五) of the plan says the pairing takes the counties' 结对意愿 into account, but no county's
stated preferences are public. This script writes plausible, clearly labelled illustrative lists:
each county ranks 1-5 counties of the opposite role, sampled without replacement with a preference
that favours short distance, sector fit (shared sectors and links in ``sector_links.csv``) and the
same regional cluster; recipients also lean towards economically stronger supporters. About a
quarter of the counties of each role state no list at all.

Usage::

    python scenarios/generate_willingness.py            # writes the committed default file
    python scenarios/generate_willingness.py --seed 7 --out /tmp/willingness.csv
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "shanchuan" / "data" / "hubei-2021"
DEFAULT_SEED = 2021
COLUMNS = ["county", "rank", "partner", "note"]

#: Weights of the preference terms, per role of the county that states the list.
WEIGHTS = {
    "recipient": {"distance": 0.35, "fit": 0.35, "cluster": 0.15, "strength": 0.15},
    "supporter": {"distance": 0.40, "fit": 0.40, "cluster": 0.20, "strength": 0.0},
}
#: Sampling temperature: lower means lists closer to the deterministic ranking by score.
TEMPERATURE = 0.07


def split_codes(value: object) -> list[str]:
    """Split a ``;``-separated code list; empty or missing values give an empty list."""
    if not isinstance(value, str) or not value.strip():
        return []
    return [part.strip() for part in value.split(";") if part.strip()]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _link_strengths(links: pd.DataFrame) -> dict[frozenset[str], float]:
    return {
        frozenset((s, t)): float(w)
        for s, t, w in zip(links["source"], links["target"], links["strength"], strict=True)
    }


def _fit(a: Iterable[str], b: Iterable[str], strengths: dict[frozenset[str], float]) -> float:
    a_set, b_set = set(a), set(b)
    score = float(len(a_set & b_set))
    for x in a_set:
        for y in b_set:
            if x != y:
                score += strengths.get(frozenset((x, y)), 0.0)
    return score


def preference_scores(
    counties: pd.DataFrame, regions: pd.DataFrame, links: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Score every recipient-supporter pair from both sides.

    Returns ``{"recipient": R, "supporter": S, ...}``: ``R`` is indexed by recipient id with one
    column per supporter id (the recipient's view), ``S`` is the supporter view, indexed by
    supporter id. Every term is scaled to [0, 1]: distance as ``1 - d / d_max``; sector fit
    (shared sectors count 1, linked sectors their link strength; the supporter's industries
    against the recipient's industries and resources) divided by its maximum; cluster 1 for the
    same cluster; strength the supporter's GDP over the largest. The raw terms are returned too,
    under ``distance_km``, ``fit`` and ``cluster`` (recipient-indexed).
    """
    cluster = dict(zip(regions["prefecture"], regions["cluster"], strict=True))
    strengths = _link_strengths(links)
    rec = counties[counties["role"] == "recipient"].sort_values("annex_order")
    sup = counties[counties["role"] == "supporter"].sort_values("annex_order")
    dist = pd.DataFrame(
        [
            [haversine_km(r.lat, r.lon, s.lat, s.lon) for s in sup.itertuples()]
            for r in rec.itertuples()
        ],
        index=rec["id"],
        columns=sup["id"],
    )
    fit = pd.DataFrame(
        [
            [
                _fit(
                    split_codes(s.industry_sectors),
                    split_codes(r.industry_sectors) + split_codes(r.resource_sectors),
                    strengths,
                )
                for s in sup.itertuples()
            ]
            for r in rec.itertuples()
        ],
        index=rec["id"],
        columns=sup["id"],
    )
    same = pd.DataFrame(
        [
            [float(cluster[r.prefecture] == cluster[s.prefecture]) for s in sup.itertuples()]
            for r in rec.itertuples()
        ],
        index=rec["id"],
        columns=sup["id"],
    )
    gdp = sup.set_index("id")["gdp_2019_yi"].astype(float)
    strength = pd.DataFrame(
        np.tile((gdp / gdp.max()).to_numpy(), (len(rec), 1)), index=rec["id"], columns=sup["id"]
    )
    terms = {
        "distance": 1.0 - dist / dist.to_numpy().max(),
        "fit": fit / fit.to_numpy().max(),
        "cluster": same,
        "strength": strength,
    }
    views = {}
    for role, weights in WEIGHTS.items():
        total = sum(weights[k] * terms[k] for k in weights)
        views[role] = total if role == "recipient" else total.T
    views["distance_km"] = dist
    views["fit"] = terms["fit"]
    views["cluster"] = same
    return views


def _note(seed: int, km: float, fit: float, same: bool) -> str:
    drivers = [f"{km:.0f} km", f"sector fit {fit:.2f}"]
    if same:
        drivers.append("same cluster")
    return (
        "illustrative, not stated by the county; "
        f"scenarios/generate_willingness.py --seed {seed}; drivers: " + ", ".join(drivers)
    )


def generate_willingness(
    counties: pd.DataFrame,
    regions: pd.DataFrame,
    links: pd.DataFrame,
    seed: int,
    silent_share: float = 0.25,
    max_partners: int = 5,
) -> pd.DataFrame:
    """Sample partial, ranked willingness lists for both roles.

    Per role, ``round(silent_share * n)`` counties state no list; each other county ranks
    1..``max_partners`` counties of the opposite role, drawn without replacement by the Gumbel
    top-k trick on ``score / TEMPERATURE``. Same inputs and seed give the identical frame.
    """
    if not 0.0 <= silent_share < 1.0:
        raise ValueError(f"silent_share must be in [0, 1), got {silent_share}")
    if max_partners < 1:
        raise ValueError(f"max_partners must be >= 1, got {max_partners}")
    rng = np.random.default_rng(seed)
    views = preference_scores(counties, regions, links)
    rows: list[dict[str, object]] = []
    for role in ("recipient", "supporter"):
        scores = views[role]
        ids = list(scores.index)
        n_silent = round(silent_share * len(ids))
        silent = set(rng.choice(ids, size=n_silent, replace=False).tolist())
        cap = min(max_partners, scores.shape[1])
        for county in ids:
            if county in silent:
                continue
            n = int(rng.integers(1, cap + 1))
            keys = scores.loc[county].to_numpy() / TEMPERATURE + rng.gumbel(size=scores.shape[1])
            order = np.argsort(-keys, kind="stable")[:n]
            for rank, j in enumerate(order, start=1):
                partner = scores.columns[j]
                rec, sup = (county, partner) if role == "recipient" else (partner, county)
                rows.append(
                    {
                        "county": county,
                        "rank": rank,
                        "partner": partner,
                        "note": _note(
                            seed,
                            float(views["distance_km"].loc[rec, sup]),
                            float(views["fit"].loc[rec, sup]),
                            bool(views["cluster"].loc[rec, sup]),
                        ),
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def load_inputs(data_dir: Path = DATA_DIR) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read counties, regions and sector links of the scenario data directory."""
    counties = pd.read_csv(data_dir / "counties.csv", encoding="utf-8")
    regions = pd.read_csv(data_dir / "regions.csv", encoding="utf-8")
    links = pd.read_csv(data_dir / "sector_links.csv", encoding="utf-8")
    return counties, regions, links


def to_csv_text(frame: pd.DataFrame) -> str:
    """Serialise exactly as the committed file (UTF-8 text, ``\\n`` line ends, no index)."""
    return frame.to_csv(index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2021)")
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR / "willingness.csv", help="output CSV path"
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="scenario data directory")
    args = parser.parse_args(argv)
    frame = generate_willingness(*load_inputs(args.data_dir), seed=args.seed)
    args.out.write_text(to_csv_text(frame), encoding="utf-8")
    print(f"wrote {len(frame)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
