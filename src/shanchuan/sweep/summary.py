"""What a sweep says: the index of its variants and the robustness tables built from them.

Every table counts only the variants with a verified solution (``optimal`` or ``feasible``);
the failed ones are in the index with their status and message.

- ``pair_frequency``: recipient × supporter, how many solved variants chose the pair (each
  row sums to the solved variants times the recipient's demand, 1 by default);
- ``modal_partners``: per recipient its most frequent partner and that partner's share;
- ``pair_drivers``: per swept numeric key and per pair chosen in some but not all solved
  variants, the Spearman rank correlation of "pair chosen" (0/1) with the key's value —
  positive: raising the value brings the pair in;
- ``funds_spread``: per recipient the special fund (万元, whole plan) over the variants: mean,
  standard deviation, min, 10th/50th/90th percentile, max (allocate and run);
- ``projects``: per project the share of variants that fund it; ``robust`` when at least
  ``robust_share``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

OK = ("optimal", "feasible")


def _ok(record: Mapping[str, Any]) -> bool:
    return record.get("status") in OK


def pairing_id(pairs: Sequence[Sequence[str]] | None) -> str:
    """A short name of a pairing (the same pairs, the same id), for the index."""
    if not pairs:
        return ""
    text = ";".join(sorted(f"{r}-{s}" for r, s in pairs))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _first_line(text: str | None) -> str:
    """The diagnosis's first lines, on one line, for the index."""
    if not text:
        return ""
    one = " ".join(line.strip() for line in str(text).splitlines()[:2] if line.strip())
    return one if len(one) <= 200 else one[:199] + "…"


def pair_frequency(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Recipient × supporter counts of the pair over the solved variants (0 where never)."""
    rows = [(r, s) for rec in records if _ok(rec) for r, s in rec.get("pairs") or []]
    if not rows:
        return pd.DataFrame(dtype=int)
    frame = pd.DataFrame(rows, columns=["recipient", "supporter"])
    table = pd.crosstab(frame["recipient"], frame["supporter"])
    recipients = list(dict.fromkeys(r for r, _ in rows))
    supporters = list(dict.fromkeys(s for _, s in rows))
    table = table.reindex(index=recipients, columns=supporters, fill_value=0).astype(int)
    table.index.name, table.columns.name = "recipient", "supporter"
    return table


def modal_partners(freq: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Per recipient: its most frequent partner, how often, and the share of solved variants."""
    rows = []
    for recipient, counts in freq.iterrows():
        total = int(counts.sum())
        # Ties go to the partner seen first (the first variant's), so the table is stable.
        top = counts[counts == counts.max()].index[0]
        rows.append(
            {
                "recipient": recipient,
                "recipient_name": names.get(str(recipient), str(recipient)),
                "modal_partner": top,
                "modal_partner_name": names.get(str(top), str(top)),
                "count": int(counts[top]),
                "share": round(counts[top] / total, 4) if total else 0.0,
                "partners_seen": int((counts > 0).sum()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "recipient",
            "recipient_name",
            "modal_partner",
            "modal_partner_name",
            "count",
            "share",
            "partners_seen",
        ],
    )


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rho (average ranks for ties); ``None`` when either side is constant."""
    rx, ry = rankdata(x), rankdata(y)
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def pair_drivers(
    records: Sequence[Mapping[str, Any]], keys: Sequence[str], names: Mapping[str, str]
) -> pd.DataFrame:
    """Per swept numeric key and contested pair: the rank correlation of choice on the value."""
    solved = [r for r in records if _ok(r)]
    columns = [
        "key",
        "recipient",
        "recipient_name",
        "supporter",
        "supporter_name",
        "spearman",
        "chosen_share",
        "variants",
    ]
    if len(solved) < 3:
        return pd.DataFrame(columns=columns)
    chosen = [{(r, s) for r, s in rec.get("pairs") or []} for rec in solved]
    every = sorted(set().union(*chosen))
    contested = [p for p in every if 0 < sum(p in c for c in chosen) < len(chosen)]
    rows = []
    for key in keys:
        values = [rec.get("values", {}).get(key) for rec in solved]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            continue
        x = np.asarray(values, dtype=float)
        for pair in contested:
            y = np.asarray([pair in c for c in chosen], dtype=float)
            rho = _spearman(x, y)
            if rho is None:
                continue
            rows.append(
                {
                    "key": key,
                    "recipient": pair[0],
                    "recipient_name": names.get(pair[0], pair[0]),
                    "supporter": pair[1],
                    "supporter_name": names.get(pair[1], pair[1]),
                    "spearman": round(rho, 4),
                    "chosen_share": round(float(y.mean()), 4),
                    "variants": len(y),
                }
            )
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    order = frame["spearman"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def funds_spread(records: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> pd.DataFrame:
    """Per recipient, the spread of its special fund over the solved variants (万元)."""
    solved = [r for r in records if _ok(r) and "funds" in r]
    columns = [
        "recipient",
        "recipient_name",
        "mean_wan",
        "std_wan",
        "min_wan",
        "p10_wan",
        "median_wan",
        "p90_wan",
        "max_wan",
        "variants",
    ]
    if not solved:
        return pd.DataFrame(columns=columns)
    recipients = sorted(
        {k for r in solved for k in r["funds"]}
        | {p[0] for r in solved for p in r.get("pairs") or []}
    )
    rows = []
    for rid in recipients:
        x = np.asarray([float(r["funds"].get(rid, 0.0)) for r in solved])
        rows.append(
            {
                "recipient": rid,
                "recipient_name": names.get(rid, rid),
                "mean_wan": round(float(x.mean()), 2),
                "std_wan": round(float(x.std(ddof=1)) if len(x) > 1 else 0.0, 2),
                "min_wan": round(float(x.min()), 2),
                "p10_wan": round(float(np.percentile(x, 10)), 2),
                "median_wan": round(float(np.median(x)), 2),
                "p90_wan": round(float(np.percentile(x, 90)), 2),
                "max_wan": round(float(x.max()), 2),
                "variants": len(x),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def project_shares(records: Sequence[Mapping[str, Any]], robust_share: float) -> pd.DataFrame:
    """Per project ever funded: the share of solved variants that fund it, and ``robust``."""
    solved = [r for r in records if _ok(r) and "funded" in r]
    columns = ["project", "funded_in", "share", "robust"]
    if not solved:
        return pd.DataFrame(columns=columns)
    counts: dict[str, int] = {}
    for r in solved:
        for pid in r["funded"]:
            counts[pid] = counts.get(pid, 0) + 1
    rows = [
        {
            "project": pid,
            "funded_in": n,
            "share": round(n / len(solved), 4),
            "robust": n / len(solved) >= robust_share,
        }
        for pid, n in counts.items()
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["share", "project"], ascending=[False, True]).reset_index(drop=True)


def index_frame(
    records: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    modal: Mapping[str, str],
    engine: str = "run",
) -> pd.DataFrame:
    """One row per variant, in sweep order: its values, status, gap, objective, key results.

    ``pairs_off_modal`` counts the recipients whose partner is not their modal one; the
    fund columns are there for the engines that allocate (``allocate``, ``run``).
    """
    rows = []
    for rec in records:
        pairs = rec.get("pairs") or []
        row: dict[str, Any] = {"key": rec["key"]}
        for k in keys:
            row[k] = rec.get("values", {}).get(k)
        row["perturb"] = ";".join(f"{c}={s}" for c, s in rec.get("perturb") or [])
        row["replicate"] = rec.get("replicate", 0)
        row["status"] = rec.get("status")
        row["gap"] = rec.get("gap")
        row["objective"] = rec.get("objective")
        funds = engine != "match"
        if funds:
            row["match_objective"] = rec.get("match_objective")
            row["allocation_objective"] = rec.get("allocation_objective")
        row["pairing"] = pairing_id(pairs)
        row["pairs_off_modal"] = (
            sum(modal.get(r) != s for r, s in pairs) if pairs and _ok(rec) else None
        )
        if funds:
            row["funded_projects"] = len(rec["funded"]) if "funded" in rec else None
            row["total_funds_wan"] = rec.get("total_funds")
        row["message"] = rec.get("message") or _first_line(rec.get("diagnosis"))
        row["seconds"] = rec.get("seconds")
        rows.append(row)
    return pd.DataFrame(rows)


def summarise(
    records: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    names: Mapping[str, str],
    *,
    robust_share: float = 0.9,
    engine: str = "run",
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, Any]]:
    """The index, the summary tables and the summary's JSON head (counts, robust pairs)."""
    freq = pair_frequency(records)
    modal = modal_partners(freq, names)
    modal_map = dict(zip(modal["recipient"], modal["modal_partner"], strict=True))
    index = index_frame(records, keys, modal_map, engine)
    drivers = pair_drivers(records, keys, names)
    tables = {
        "pair_frequency": freq,
        "modal_partners": modal,
        "pair_drivers": drivers,
        "funds_spread": funds_spread(records, names),
        "projects": project_shares(records, robust_share),
    }
    statuses: dict[str, int] = {}
    for rec in records:
        statuses[str(rec.get("status"))] = statuses.get(str(rec.get("status")), 0) + 1
    solved = sum(_ok(r) for r in records)
    robust = modal[modal["share"] >= robust_share]
    head: dict[str, Any] = {
        "variants": len(records),
        "solved": solved,
        "statuses": dict(sorted(statuses.items())),
        "robust_share": robust_share,
        "robust_pairs": [
            {"recipient": r.recipient_name, "supporter": r.modal_partner_name, "share": r.share}
            for r in robust.itertuples()
        ],
        "fragile_pairs": [
            {
                "recipient": r.recipient_name,
                "modal_partner": r.modal_partner_name,
                "share": r.share,
                "partners_seen": r.partners_seen,
            }
            for r in modal[modal["share"] < robust_share]
            .sort_values("share", kind="stable")
            .itertuples()
        ],
        "strongest_drivers": drivers.head(10).to_dict(orient="records"),
        "distinct_pairings": int(index["pairing"].replace("", np.nan).nunique())
        if len(index)
        else 0,
    }
    projects = tables["projects"]
    if not projects.empty:
        head["robust_projects"] = int(projects["robust"].sum())
        head["projects_ever_funded"] = len(projects)
    return index, tables, head


__all__ = [
    "funds_spread",
    "index_frame",
    "modal_partners",
    "pair_drivers",
    "pair_frequency",
    "pairing_id",
    "project_shares",
    "summarise",
]
