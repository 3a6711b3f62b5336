"""The report's content, assembled from a run's JSON contract (``result.json``) and its context.

:func:`assemble` turns the result of ``match``, ``allocate`` or ``run`` into one plain dict
— the map layers, the chart series, the text sections — in the report's language. The page
(:mod:`.page`) embeds that dict and draws it; nothing here knows HTML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from shanchuan.htmlreport import boundaries as boundaries_mod
from shanchuan.htmlreport.context import CountyInfo, ReportContext
from shanchuan.htmlreport.labels import text

CRITERIA = ("strength", "industry", "resource", "distance", "willingness", "plan")

#: Colours: supporters, other counties, and the two ends of the recipients' and scores' scales.
SUPPORTER = "#4f7cc3"
OTHER = "#eeeeee"
RECIPIENT = "#e8894a"
FUND_SCALE = ("#fde4c8", "#b3361b")
SCORE_SCALE = ("#d7301f", "#e6b800", "#1a9850")
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def parts(result: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The pairing and the allocation of a result of ``run``, ``match`` or ``allocate``."""
    if "matching" in result or "allocation" in result:
        return result.get("matching"), result.get("allocation")
    if "projects" in result or "summary" in result:
        return None, result
    return result, None


def _mix(a: str, b: str, t: float) -> str:
    t = min(1.0, max(0.0, t))
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def _ramp(stops: Sequence[str], t: float) -> str:
    """A colour on the ramp through ``stops`` at ``t`` in [0, 1]."""
    t = min(1.0, max(0.0, t))
    k = min(len(stops) - 2, int(t * (len(stops) - 1)))
    return _mix(stops[k], stops[k + 1], t * (len(stops) - 1) - k)


def _scale(value: float, lo: float, hi: float) -> float:
    return 0.5 if hi <= lo else (value - lo) / (hi - lo)


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}"


def _pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def has_cjk(s: str) -> bool:
    """Whether ``s`` holds Chinese characters or full-width punctuation."""
    return bool(_CJK.search(s))


# --- pairs and reasons ------------------------------------------------------------------------


def _stated(side: str, kind: str | None, rank: Any, lang: str) -> str:
    if rank is not None:
        return text(f"stated_{side}_rank", lang, k=int(rank))
    if kind in ("others", "none"):
        return text(f"stated_{side}_{kind}", lang)
    return ""


def reasons(expl: Mapping[str, Any], lang: str) -> str:
    """The pair's reasons in ``lang``: the engine's own text when it is in that language.

    A run explained in the other language gets its reasons rebuilt from the structured fields
    (leading criteria with their values, what each side stated, the weakest criterion).
    """
    if expl.get(f"reasons_{lang}"):  # the engine writes both languages
        return str(expl[f"reasons_{lang}"])
    own = str(expl.get("reasons") or "")
    if own and has_cjk(own) == (lang == "zh"):
        return own
    sep = "；" if lang == "zh" else "; "
    bits = []
    leading = expl.get("leading") or []
    if leading:
        names = ", ".join(
            f"{text('crit_' + c, lang)} {float(expl.get(c, 0.0)):.2f}"
            for c in leading
            if f"crit_{c}" in _KNOWN_CRITERIA
        )
        bits.append(
            f"{text('leading', lang)}: {names}"
            if lang == "en"
            else f"{text('leading', lang)}：{names}"
        )
    r = _stated("r", expl.get("recipient_stated"), expl.get("recipient_rank"), lang)
    s = _stated("s", expl.get("supporter_stated"), expl.get("supporter_rank"), lang)
    if r or s:
        bits.append(("，" if lang == "zh" else ", ").join(x for x in (r, s) if x))
    weakest = expl.get("weakest")
    if weakest and f"crit_{weakest}" in _KNOWN_CRITERIA:
        pct = expl.get("weakest_percent")
        tail = f" ({text('bottom_pct', lang, pct=pct)})" if pct is not None else ""
        if lang == "zh" and pct is not None:
            tail = f"（{text('bottom_pct', lang, pct=pct)}）"
        colon = "：" if lang == "zh" else ": "
        bits.append(f"{text('weakest', lang)}{colon}{text('crit_' + weakest, lang)}{tail}")
    if expl.get("score_rank") is not None:
        bits.append(text("reason_ranked", lang, rank=expl["score_rank"]))
    return sep.join(bits)


_KNOWN_CRITERIA = {f"crit_{c}" for c in CRITERIA}


def _pairs(
    m: Mapping[str, Any] | None, a: Mapping[str, Any] | None, lang: str
) -> list[dict[str, Any]]:
    """One row per pair: names, score, criteria, distance, reasons, funds."""
    rows: list[dict[str, Any]] = []
    expl_by = {}
    if m is not None:
        for e in (m.get("analyses") or {}).get("explanations") or []:
            expl_by[(e.get("recipient_name"), e.get("supporter_name"))] = e
        for p in m.get("pairs") or []:
            e = expl_by.get((p["recipient"], p["supporter"]), {})
            rows.append(
                {
                    "recipient": p["recipient"],
                    "supporter": p["supporter"],
                    "recipient_id": p.get("recipient_id"),
                    "supporter_id": p.get("supporter_id"),
                    "score": p.get("score"),
                    "criteria": p.get("criteria") or {},
                    "distance_km": p.get("distance_km"),
                    "score_rank": e.get("score_rank"),
                    "reasons": reasons(e, lang) if e else "",
                }
            )
    if a is not None:
        per_pair = {q["recipient"]: q for q in (a.get("summary") or {}).get("per_pair") or []}
        if not rows:
            rows = [
                {
                    "recipient": q["recipient"],
                    "supporter": q["supporter"],
                    "recipient_id": q.get("recipient_id"),
                    "supporter_id": q.get("supporter_id"),
                    "score": None,
                    "criteria": {},
                    "distance_km": None,
                    "score_rank": None,
                    "reasons": "",
                }
                for q in per_pair.values()
            ]
        for row in rows:
            q = per_pair.get(row["recipient"], {})
            row["special_fund_wan"] = q.get("special_fund_wan")
            row["supporter_aid_wan"] = q.get("supporter_aid_wan", q.get("supporter_total_wan"))
            row["projects"] = q.get("projects")
    return rows


# --- map --------------------------------------------------------------------------------------


def _map(
    pairs: Sequence[Mapping[str, Any]],
    a: Mapping[str, Any] | None,
    ctx: ReportContext,
    lang: str,
    province: str | None,
) -> dict[str, Any]:
    by_name: dict[str, CountyInfo] = {}
    for c in ctx.counties:
        by_name.setdefault(c.annex_name, c)
        by_name.setdefault(c.full_name, c)
    names = [n for p in pairs for n in (p["recipient"], p["supporter"])]
    lookup_names = [by_name[n].full_name if n in by_name else n for n in names]
    bounds = boundaries_mod.load(lookup_names, province)

    per_head: dict[str, float] = {}
    fund: dict[str, float] = {}
    if a is not None:
        fair = ((a.get("summary") or {}).get("fairness") or {}).get("per_recipient") or []
        for f in fair:
            if f.get("yuan_per_head") is not None:
                per_head[f["recipient"]] = float(f["yuan_per_head"])
            fund[f["recipient"]] = float(f.get("special_fund_wan") or 0.0)
    heads = list(per_head.values())
    lo, hi = (min(heads), max(heads)) if heads else (0.0, 0.0)
    scores = [float(p["score"]) for p in pairs if p.get("score") is not None]
    slo, shi = (min(scores), max(scores)) if scores else (0.0, 1.0)

    districts = {c.name: c for c in bounds.counties} if bounds else {}
    regions: dict[str, dict[str, Any]] = {}
    unmatched: list[str] = []
    aliased: list[str] = []
    not_shown: list[str] = []
    points: dict[str, list[float] | None] = {}
    partner: dict[str, str] = {}
    for p in pairs:
        partner[p["recipient"]] = p["supporter"]
        partner[p["supporter"]] = p["recipient"]

    for role, key in (("recipient", "recipient"), ("supporter", "supporter")):
        for p in pairs:
            name = p[key]
            info = by_name.get(name)
            feature = None
            if districts:
                for candidate in (info.full_name if info else None, name):
                    if candidate:
                        feature = boundaries_mod.match_name(
                            candidate, set(districts), info.prefecture if info else ""
                        )
                        if feature:
                            break
                if (
                    feature
                    and name not in (feature,)
                    and ((info.full_name if info else name) in boundaries_mod.ALIASES)
                ):
                    aliased.append(f"{name} → {feature}")
            seat = (
                [info.lon, info.lat]
                if info and info.lon is not None and info.lat is not None
                else None
            )
            if feature is not None:
                colour = SUPPORTER
                if role == "recipient":
                    colour = (
                        _mix(*FUND_SCALE, _scale(per_head[name], lo, hi))
                        if name in per_head
                        else RECIPIENT
                    )
                regions[feature] = {
                    "county": name,
                    "role": role,
                    "colour": colour,
                    "partner": partner.get(name, ""),
                    "per_head": per_head.get(name),
                    "fund": fund.get(name),
                    "prefecture": districts[feature].prefecture,
                }
                cx, cy = districts[feature].centroid
                points[name] = seat or [cx, cy]
            else:
                if districts:
                    (unmatched if seat else not_shown).append(name)
                elif seat is None:
                    not_shown.append(name)
                points[name] = seat

    lines = []
    for p in pairs:
        a_pt, b_pt = points.get(p["recipient"]), points.get(p["supporter"])
        if a_pt is None or b_pt is None:
            continue
        score = p.get("score")
        colour = (
            _ramp(SCORE_SCALE, _scale(float(score), slo, shi)) if score is not None else "#777777"
        )
        lines.append({"coords": [a_pt, b_pt], "colour": colour, "pair": p})
    seats = [
        {
            "name": n,
            "value": pt,
            "role": ("recipient" if n in {p["recipient"] for p in pairs} else "supporter"),
        }
        for n, pt in points.items()
        if pt is not None
    ]
    out: dict[str, Any] = {
        "regions": regions,
        "lines": lines,
        "seats": seats,
        "unmatched": sorted(set(unmatched)),
        "aliased": sorted(set(aliased)),
        "not_shown": sorted(set(not_shown)),
        "fund_range": [lo, hi] if heads else None,
        "score_range": [slo, shi] if scores else None,
        "colours": {
            "recipient": RECIPIENT,
            "supporter": SUPPORTER,
            "other": OTHER,
            "fund": list(FUND_SCALE),
            "score": list(SCORE_SCALE),
        },
    }
    if bounds is not None:
        out["geojson"] = bounds.county_geojson()
        out["borders"] = bounds.prefecture_borders
        out["prefectures"] = [
            {"name": n, "value": list(xy)} for n, xy in bounds.prefecture_labels.items()
        ]
        out["province"] = bounds.province
        out["attribution"] = bounds.attribution
        out["boundary_source"] = bounds.source
        out["county_prefecture"] = {c.name: c.prefecture for c in bounds.counties}
    return out


# --- charts -----------------------------------------------------------------------------------


def _charts(m: Mapping[str, Any] | None, a: Mapping[str, Any] | None, lang: str) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    if a is not None:
        summary = a.get("summary") or {}
        per_year = summary.get("per_year") or []
        if per_year:
            charts["by_year"] = {
                "years": [str(y["year"]) for y in per_year],
                "special": [y.get("special_fund_wan", 0.0) for y in per_year],
                "aid": [
                    y.get("supporter_total_wan", y.get("supporter_fund_wan", 0.0)) for y in per_year
                ],
                "budget": [y.get("budget_wan") for y in per_year],
                "use": [y.get("budget_use") for y in per_year],
            }
        cat_name = {
            c["category"]: (c.get("category_zh") if lang == "zh" else c.get("category_en"))
            or c["category"]
            for c in summary.get("per_category") or []
        }
        projects = a.get("projects") or []
        years = sorted({int(p["year"]) for p in projects})
        cats = sorted({p["category"] for p in projects})
        if projects:
            charts["by_category"] = {
                "years": [str(y) for y in years],
                "series": [
                    {
                        "name": cat_name.get(c, c),
                        "data": [
                            round(
                                sum(
                                    float(p.get("special_fund_wan") or 0)
                                    for p in projects
                                    if p["category"] == c and int(p["year"]) == y
                                ),
                                2,
                            )
                            for y in years
                        ],
                    }
                    for c in cats
                ],
            }
        per_pair = summary.get("per_pair") or []
        if per_pair:
            charts["by_recipient"] = {
                "recipients": [q["recipient"] for q in per_pair],
                "special": [q.get("special_fund_wan", 0.0) for q in per_pair],
                "aid": [
                    q.get("supporter_aid_wan", q.get("supporter_total_wan", 0.0)) for q in per_pair
                ],
            }
        fairness = summary.get("fairness") or {}
        fair = [f for f in fairness.get("per_recipient") or [] if f.get("population_wan")]
        if fair:
            fair.sort(key=lambda f: float(f["yuan_per_head"]))
            pop = sum(float(f["population_wan"]) for f in fair)
            money = sum(float(f["special_fund_wan"]) for f in fair) or 1.0
            xs, ys, cx, cy = [0.0], [0.0], 0.0, 0.0
            for f in fair:
                cx += float(f["population_wan"]) / pop
                cy += float(f["special_fund_wan"]) / money
                xs.append(round(cx, 4))
                ys.append(round(cy, 4))
            gini = (fairness.get("yuan_per_head") or {}).get("gini")
            charts["lorenz"] = {
                "points": [[x, y] for x, y in zip(xs, ys, strict=True)],
                "names": ["", *[f["recipient"] for f in fair]],
                "gini": gini,
            }
    if m is not None:
        an = m.get("analyses") or {}
        forcing = an.get("forcing_costs") or []
        if forcing:
            recips = list(dict.fromkeys(f["recipient_name"] for f in forcing))
            supps = list(dict.fromkeys(f["supporter_name"] for f in forcing))
            cells = [
                [
                    supps.index(f["supporter_name"]),
                    recips.index(f["recipient_name"]),
                    round(float(f["loss"]), 5)
                    if f.get("loss") is not None
                    and f.get("status") in ("optimal", "feasible", "chosen")
                    else None,
                    bool(f.get("chosen")),
                ]
                for f in forcing
            ]
            charts["forcing"] = {"recipients": recips, "supporters": supps, "cells": cells}
        sens = an.get("sensitivity") or {}
        partners = sens.get("partners") or []
        if partners:
            charts["robustness"] = {
                "pairs": [f"{q['recipient_name']}–{q['base_partner_name']}" for q in partners],
                "frequency": [q.get("base_frequency") for q in partners],
                "samples": sens.get("samples"),
                "reproduced": sens.get("reproduced_share"),
            }
    return charts


# --- text sections ----------------------------------------------------------------------------


def _why(codes: str, lang: str) -> str:
    out = []
    for code in str(codes).split(";"):
        code = code.strip()
        if not code:
            continue
        base = code.split(" by ")[0]
        key = f"why_{base}"
        from shanchuan.htmlreport.labels import LABELS

        out.append(text(key, lang) if key in LABELS else text("why_other", lang))
    return ("、" if lang == "zh" else ", ").join(dict.fromkeys(out))


def _rules(a: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    # The rules' names in planners' words are the engine's own (one rule, one home).
    from allocation.rules import rule_labels

    names = rule_labels(lang)
    rows = []
    for r in (a.get("summary") or {}).get("rule_costs") or []:
        name = names.get(str(r.get("rule")), str(r.get("rule")))
        if r.get("established", True):
            what = text(
                "rule_gain",
                lang,
                gain=_fmt(r.get("gain")),
                pct=_pct(r.get("gain_pct_of_objective")),
            )
        else:
            what = text("rule_not_established", lang, high=_fmt(r.get("gain_high")))
        rows.append(
            {
                "rule": name,
                "change": str(r.get("change", "") if lang == "en" else r.get("change_zh", "")),
                "text": what,
                "gain": _fmt(r.get("gain")),
                "pct": _pct(r.get("gain_pct_of_objective")),
            }
        )
    return rows


def _unfunded(a: Mapping[str, Any], cat_name: Mapping[str, str], lang: str) -> list[dict[str, str]]:
    rows = []
    for u in (a.get("summary") or {}).get("best_unfunded") or []:
        rows.append(
            {
                "id": str(u.get("id", "")),
                "title": str(u.get("title", "")),
                "recipient": str(u.get("recipient", "")),
                "category": cat_name.get(u.get("category", ""), str(u.get("category", ""))),
                "value": _fmt(u.get("value")),
                "why": _why(u.get("reasons", ""), lang),
            }
        )
    return rows


def _diagnosis(diag: Mapping[str, Any] | None, lang: str) -> dict[str, list[str]] | None:
    """The rules in conflict and the smallest relaxations, in ``lang``, from either engine."""
    if not diag:
        return None
    from allocation.rules import rule_labels

    names = rule_labels(lang)

    def said(item: Any, stem: str) -> str:
        if isinstance(item, str):
            return names.get(item, item)
        for key in (f"{stem}_{lang}", f"{stem}_zh" if lang == "zh" else stem, stem):
            value = item.get(key)
            if value and has_cjk(str(value)) == (lang == "zh"):
                return str(value)
        return str(item.get("group") or item.get("rule") or "")

    conflict = [said(c, "label") for c in diag.get("conflict") or []]
    relax = [said(r, "text") for r in diag.get("relaxations") or []]
    said_all = diag.get("text_zh") if lang == "zh" and diag.get("text_zh") else diag.get("text")
    words = [str(t) for t in said_all or [] if has_cjk(str(t)) == (lang == "zh")]
    return {
        "conflict": [c for c in conflict if c],
        "relaxations": [r for r in relax if r],
        "text": words,
    }


def _provenance(prov: Mapping[str, Any], lang: str) -> list[list[str]]:
    rows: list[list[str]] = []
    rows.append([text("scenario", lang), str(prov.get("scenario", ""))])
    rows.append([text("hash", lang), str(prov.get("scenario_hash", ""))])
    rows.append([text("prov_settings_hash", lang), str(prov.get("settings_hash", ""))])
    changes = prov.get("changes") or []
    rows.append(
        [
            text("prov_changes", lang),
            "; ".join(f"{c['key']}: {c['old']} -> {c['new']} ({c['source']})" for c in changes)
            or text("none", lang),
        ]
    )
    files = prov.get("data_files") or {}
    rows.append(
        [
            text("prov_files", lang),
            "; ".join(f"{k}: {v.get('sha256', '')[:12]}" for k, v in files.items())
            or text("none", lang),
        ]
    )
    solver = prov.get("solver") or {}
    if solver:
        rows.append([text("prov_solver", lang), ", ".join(f"{k}={v}" for k, v in solver.items())])
    versions = prov.get("versions") or {}
    rows.append([text("prov_versions", lang), ", ".join(f"{k} {v}" for k, v in versions.items())])
    timings = prov.get("timings") or {}
    if timings:
        rows.append([text("prov_timings", lang), ", ".join(f"{k} {v}" for k, v in timings.items())])
    rows.append([text("prov_platform", lang), str(prov.get("platform", ""))])
    rows.append([text("prov_command", lang), str(prov.get("command", ""))])
    return rows


def _assumptions(ctx: ReportContext, lang: str) -> dict[str, Any]:
    return {
        "problem": ctx.problem,
        "changed": ctx.changed,
        "settings": [
            {"key": s.key, "value": _show(s.value), "doc": s.doc} for s in ctx.assumptions
        ],
        "files": [
            {
                "name": q.name,
                "rows": q.rows,
                "kinds": ("、" if lang == "zh" else ", ").join(
                    f"{text('kind_' + k, lang)} {n}" for k, n in q.kinds.items()
                ),
            }
            for q in ctx.quality
        ],
    }


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_show(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value)
    return str(value)


def assemble(
    result: Mapping[str, Any],
    ctx: ReportContext,
    *,
    lang: str = "zh",
    province: str | None = None,
) -> dict[str, Any]:
    """Everything the page shows, in ``lang``, from a result of ``run``, ``match``, ``allocate``."""
    text("title", lang)  # an unknown language fails here, before any work
    m, a = parts(result)
    prov = (
        result.get("provenance") or (m or {}).get("provenance") or (a or {}).get("provenance") or {}
    )
    pairs = _pairs(m, a, lang)
    cat_name: dict[str, str] = {}
    if a is not None:
        cat_name = {
            c["category"]: (c.get("category_zh") if lang == "zh" else c.get("category_en"))
            or c["category"]
            for c in (a.get("summary") or {}).get("per_category") or []
        }
    status = str(result.get("status", ""))
    head = {
        "scenario": str(prov.get("scenario", "")),
        "status": status,
        "status_text": text(f"status_{status}", lang)
        if status in ("optimal", "feasible", "infeasible", "failed")
        else status,
        "hash": str(prov.get("scenario_hash", ""))[:12],
        "objective_matching": _fmt((m or {}).get("objective"), 4) if m else None,
        "objective_allocation": _fmt((a or {}).get("objective"), 1) if a else None,
        "gap": _pct((a or m or {}).get("gap"), 3)
        if (a or m or {}).get("gap") is not None
        else None,
        "pairs_source": str((a or {}).get("pairs_source", "")) if a else "",
    }
    shortfalls = [
        {
            "pair": f"{s.get('recipient', '')}–{s.get('supporter', '')}",
            "year": str(s.get("year", "")),
            "floor": _fmt(s.get("floor_wan")),
            "shortfall": _fmt(s.get("shortfall_wan")),
        }
        for s in ((a or {}).get("summary") or {}).get("shortfalls") or []
    ]
    diagnosis = (a or {}).get("diagnosis") or (m or {}).get("diagnosis")
    return {
        "lang": lang,
        "head": head,
        "map": _map(pairs, a, ctx, lang, province),
        "charts": _charts(m, a, lang),
        "pairs": pairs,
        "has_allocation": a is not None,
        "rules": _rules(a, lang) if a is not None else None,
        "unfunded": _unfunded(a, cat_name, lang) if a is not None else [],
        "shortfalls": shortfalls,
        "diagnosis": _diagnosis(diagnosis, lang),
        "assumptions": _assumptions(ctx, lang),
        "provenance": _provenance(prov, lang),
    }


__all__ = ["assemble", "has_cjk", "parts", "reasons"]
