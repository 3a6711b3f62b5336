"""What changed from run A to run B: settings, pairs, projects, money, fairness, objectives.

:func:`diff` works on two :class:`~shanchuan.comparison.record.RunRecord` and solves nothing,
so a sweep compares its variants with the same code (``docs/compare.md``).

The tolerance rule: a gap-limited run proves its objective only to within ``gap × |objective|``
of the best possible, so another plan of the same rules may differ from it by that much
without either being worse. For each engine the tolerance is the larger of the two runs'
proven gaps; a difference ``|B − A| ≤ tolerance × max(|A|, |B|)`` (objective, a recipient's
funds, a year's total, ...) is marked ``within_tolerance`` and not reported as an effect. When
the objectives are comparable and equal within that tolerance, every pair or project that
moved is within tolerance too: both plans are equally good as far as the solvers proved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from shanchuan.comparison.model import (
    Comparison,
    CriterionDelta,
    FairnessDelta,
    MoneyRow,
    ObjectiveDelta,
    PairChange,
    ProjectChange,
    SettingDiff,
)
from shanchuan.comparison.record import AllocationView, RunRecord

#: Settings that shape neither the pairing nor the plan (texts, which analyses run, the
#: scenario's name), left out of "settings that differ".
NOT_SHAPING = ("scenario.", "matching.explain.", "allocation.analysis.")
#: Settings that define each engine's objective: objectives are compared only when all agree.
OBJECTIVE_KEYS: Mapping[str, tuple[str, ...]] = {
    "matching": (
        "matching.objective",
        "matching.maxmin_tolerance",
        "matching.weights.",
        "matching.criteria.",
        "matching.rules.change_penalty",
    ),
    "allocation": (
        "allocation.benefit.",
        "allocation.shortfall_penalty",
        "allocation.lexicographic",
        "allocation.floor_mode",
    ),
}
UNITS = {"matching": "score points", "allocation": "benefit points"}
#: Float noise below this (relative) is no difference at all.
EPS = 1e-9


#: Input files the pairing reads (a change in their bytes can move a pair).
MATCHING_DATA = (
    "counties",
    "sectors",
    "sector_links",
    "regions",
    "willingness",
    "distances",
    "incumbent",
    "distance_unit",
)


def _shapes_pairing(key: str) -> bool:
    return key.startswith("matching.") or key.removeprefix("data.") in MATCHING_DATA


def _is_path_key(key: str) -> bool:
    return key.startswith("data.") and key != "data.distance_unit"


def _shapes(key: str) -> bool:
    return not key.startswith(NOT_SHAPING) and not _is_path_key(key)


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, int | float) and isinstance(y, int | float):
        return x == y or abs(x - y) <= EPS * max(1.0, abs(x), abs(y))
    return bool(x == y)


def within(delta: float, a: float | None, b: float | None, tol: float) -> bool:
    """Whether ``delta`` is no larger than the proven gap ``tol`` allows (relative)."""
    scale = max(abs(a or 0.0), abs(b or 0.0))
    return abs(delta) <= tol * scale + EPS * max(1.0, scale)


def _change_sources(run: RunRecord) -> dict[str, tuple[Any, str]]:
    return {str(c["key"]): (c.get("new"), str(c.get("source", ""))) for c in run.changes}


Note = tuple[str, str]
"""A note on the comparison, in English and in Chinese."""


def settings_diff(a: RunRecord, b: RunRecord) -> tuple[list[SettingDiff], list[Note]]:
    """Settings (and input files, by SHA-256) that differ; notes on what could not be read."""
    notes: list[Note] = []
    src_a, src_b = _change_sources(a), _change_sources(b)
    out: list[SettingDiff] = []
    if a.settings and b.settings:
        keys = sorted(a.settings.keys() | b.settings.keys())
        values_a, values_b = dict(a.settings), dict(b.settings)
    else:
        # A run folder of format 1 records only its change log: compare what the logs set.
        missing = [r.label for r in (a, b) if not r.settings]
        notes.append(
            (
                f"{', '.join(missing)}: effective settings not recorded (older run folder); "
                "settings compared from the change logs only",
                f"{'、'.join(missing)}：未记录有效设置（旧版运行目录），仅按变更记录比较设置",
            )
        )
        keys = sorted(src_a.keys() | src_b.keys())
        values_a = {k: v for k, (v, _) in src_a.items()}
        values_b = {k: v for k, (v, _) in src_b.items()}
    for key in keys:
        if not _shapes(key):
            continue
        va, vb = values_a.get(key, "(default)"), values_b.get(key, "(default)")
        if not _same(va, vb):
            source = (
                src_b[key][1] if key in src_b else (f"A: {src_a[key][1]}" if key in src_a else "")
            )
            out.append(SettingDiff(key, va, vb, source))
    for key in sorted(a.inputs.keys() & b.inputs.keys()):
        if a.inputs[key] != b.inputs[key]:
            out.append(
                SettingDiff(
                    f"data.{key}", a.inputs[key][:12], b.inputs[key][:12], "file bytes (SHA-256)"
                )
            )
    return out, notes


def _definition_diff(engine: str, a: RunRecord, b: RunRecord) -> list[str] | None:
    """Keys defining ``engine``'s objective that differ; ``None`` when that is not known.

    Without recorded settings (an older run folder) the change logs stand in, but only for
    two runs of the same scenario: the logs list what differs from that scenario's file.
    """
    prefixes = OBJECTIVE_KEYS[engine]
    if a.settings and b.settings:
        va, vb = dict(a.settings), dict(b.settings)
    elif a.settings_hash and a.settings_hash == b.settings_hash:
        return []
    elif a.scenario and a.scenario == b.scenario:
        va = {k: v for k, (v, _) in _change_sources(a).items()}
        vb = {k: v for k, (v, _) in _change_sources(b).items()}
    else:
        return None
    keys = sorted(k for k in va.keys() | vb.keys() if k.startswith(prefixes))
    return [
        f"{k} {_text(va.get(k))} → {_text(vb.get(k))}"
        for k in keys
        if not _same(va.get(k), vb.get(k))
    ]


def _text(value: Any) -> str:
    return "(default)" if value is None else str(value)


def objective_delta(
    engine: str, a: RunRecord, b: RunRecord, obj_a: float | None, obj_b: float | None, tol: float
) -> ObjectiveDelta:
    """``engine``'s objectives B − A, or why they are not comparable."""
    differs = _definition_diff(engine, a, b)
    if differs is None and engine == "matching" and a.matching and b.matching:
        # Without the settings, the pairing's JSON still names its objective and weights.
        same = a.matching.objective_mode == b.matching.objective_mode and all(
            _same(a.matching.weights.get(c), b.matching.weights.get(c))
            for c in a.matching.weights.keys() | b.matching.weights.keys()
        )
        differs = [] if same else ["objective mode or weights"]
    unit = UNITS[engine]
    if differs is None:
        return ObjectiveDelta(
            engine,
            unit,
            obj_a,
            obj_b,
            False,
            None,
            "not comparable: a run does not record how its objective is defined",
        )
    if differs:
        return ObjectiveDelta(
            engine,
            unit,
            obj_a,
            obj_b,
            False,
            None,
            "not comparable: the objectives are defined differently (" + "; ".join(differs) + ")",
            differs=tuple(differs),
        )
    if obj_a is None or obj_b is None:
        return ObjectiveDelta(engine, unit, obj_a, obj_b, False, None, "a run has no objective")
    delta = obj_b - obj_a
    inside = within(delta, obj_a, obj_b, tol)
    note = f"same definition; tolerance {tol:.4%} of the objective (larger proven gap)"
    return ObjectiveDelta(engine, unit, obj_a, obj_b, True, delta, note, inside and delta != 0)


def pair_changes(a: RunRecord, b: RunRecord, equal_objective: bool) -> tuple[int, list[PairChange]]:
    """Recipients whose supporter differs, with the criteria that drove each change."""
    if a.matching and b.matching:
        pa = {r: (p.supporter, p.score, p.criteria) for r, p in a.matching.pairs.items()}
        pb = {r: (p.supporter, p.score, p.criteria) for r, p in b.matching.pairs.items()}
        wa, wb = a.matching.weights, b.matching.weights
    else:
        fa = a.allocation.pairs if a.allocation else None
        fb = b.allocation.pairs if b.allocation else None
        if fa is None and a.matching:
            fa = {r: p.supporter for r, p in a.matching.pairs.items()}
        if fb is None and b.matching:
            fb = {r: p.supporter for r, p in b.matching.pairs.items()}
        if fa is None or fb is None:
            return 0, []
        pa = {r: (s, None, {}) for r, s in fa.items()}
        pb = {r: (s, None, {}) for r, s in fb.items()}
        wa = wb = {}
    out = []
    for r in sorted(pa.keys() | pb.keys()):
        sa, score_a, ca = pa.get(r, (None, None, {}))
        sb, score_b, cb = pb.get(r, (None, None, {}))
        if sa == sb:
            continue
        crits = []
        for c in sorted(ca.keys() | cb.keys()):
            va, vb = ca.get(c), cb.get(c)
            wd = float(wb.get(c, 0.0)) * (vb or 0.0) - float(wa.get(c, 0.0)) * (va or 0.0)
            crits.append(CriterionDelta(c, va, vb, round(wd, 9)))
        crits.sort(key=lambda d: (-abs(d.weighted_delta), d.criterion))
        out.append(PairChange(r, sa, sb, score_a, score_b, tuple(crits), equal_objective))
    return len(pa.keys() | pb.keys()), out


def _per_project(view: AllocationView) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in view.projects:
        p = out.setdefault(
            str(row["id"]),
            {
                "title": str(row.get("title", "")),
                "recipient": str(row.get("recipient", "")),
                "supporter": str(row.get("supporter", "")),
                "category": str(row.get("category", "")),
                "fund": 0.0,
                "years": [],
            },
        )
        p["fund"] += float(row.get("special_fund_wan") or 0.0)
        p["years"].append(int(row["year"]))
    return out


def _why(run: RunRecord, pid: str) -> tuple[tuple[str, ...], str]:
    view = run.allocation
    assert view is not None
    if pid in view.left_out:
        code, detail = view.left_out[pid]
        return (code,), detail
    if pid in view.unfunded:
        return view.unfunded[pid]
    if run.why_unfunded is not None:
        found = run.why_unfunded(pid)
        if found is not None:
            return found
    return ("not recorded",), (
        f"{run.label} does not record why (not among its best unfunded projects, and its "
        "inputs are not at hand to ask)"
    )


def project_changes(a: RunRecord, b: RunRecord, equal_objective: bool) -> list[ProjectChange]:
    """Projects that left, entered, or are funded differently; why each left (B's rules)."""
    assert a.allocation is not None and b.allocation is not None
    pa, pb = _per_project(a.allocation), _per_project(b.allocation)
    out = []
    for pid in sorted(pa.keys() | pb.keys()):
        x, y = pa.get(pid), pb.get(pid)
        meta = x or y
        assert meta is not None
        fund_a = x["fund"] if x else 0.0
        fund_b = y["fund"] if y else 0.0
        years_a = tuple(sorted(x["years"])) if x else ()
        years_b = tuple(sorted(y["years"])) if y else ()
        reasons: tuple[str, ...] = ()
        detail = ""
        if x and y:
            if _same(fund_a, fund_b) and years_a == years_b:
                continue
            change = "changed"
        elif x:
            change = "left"
            reasons, detail = _why(b, pid)
        else:
            change = "entered"
            reasons, detail = _why(a, pid)  # why A had left it out
        out.append(
            ProjectChange(
                pid,
                change,
                meta["title"],
                meta["recipient"],
                meta["supporter"],
                meta["category"],
                round(fund_a, 6),
                round(fund_b, 6),
                years_a,
                years_b,
                tuple(reasons),
                detail,
                equal_objective,
            )
        )
    return out


def _sums(view: AllocationView, level: str) -> dict[str, tuple[float, float, str]]:
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    labels: dict[str, str] = {}
    for row in view.projects:
        if level == "recipient":
            key = str(row.get("recipient", ""))
        elif level == "year":
            key = str(row["year"])
        elif level == "category":
            key = str(row.get("category", ""))
            labels[key] = str(row.get("category_zh", key))
        else:
            key = "total"
        acc[key][0] += float(row.get("special_fund_wan") or 0.0)
        acc[key][1] += float(row.get("supporter_total_wan") or 0.0)
    return {k: (v[0], v[1], labels.get(k, k)) for k, v in acc.items()}


def _rel(delta: float, base: float) -> float | None:
    return None if base == 0 else round(delta / base, 9)


def money(a: AllocationView, b: AllocationView, tol: float) -> list[MoneyRow]:
    """Special fund and supporter aid per recipient, year, category and in total.

    Supporter aid is ``supporter_total_wan`` = ``supporter_fund_wan`` +
    ``supporter_topup_wan`` of the project rows: one definition everywhere.
    """
    rows = []
    for level in ("recipient", "year", "category", "total"):
        sa, sb = _sums(a, level), _sums(b, level)
        keys = sorted(sa.keys() | sb.keys()) or (["total"] if level == "total" else [])
        if level == "recipient":
            order = [r for r in [*a.pairs, *b.pairs] if r in keys]
            keys = list(dict.fromkeys([*order, *keys]))
        for key in keys:
            fa, ta, label = sa.get(key, (0.0, 0.0, ""))
            fb, tb, label_b = sb.get(key, (0.0, 0.0, ""))
            df, dt = round(fb - fa, 6), round(tb - ta, 6)
            small = within(df, fa, fb, tol) and within(dt, ta, tb, tol)
            rows.append(
                MoneyRow(
                    level,
                    key,
                    label or label_b or key,
                    round(fa, 6),
                    round(fb, 6),
                    df,
                    _rel(df, fa),
                    round(ta, 6),
                    round(tb, 6),
                    dt,
                    _rel(dt, ta),
                    small and (df != 0 or dt != 0),
                )
            )
    return rows


def fairness(a: AllocationView, b: AllocationView) -> list[FairnessDelta]:
    """Min, max and Gini of the special fund per recipient (and per head), B − A."""
    out = []
    for figure in ("special_fund_wan", "yuan_per_head"):
        fa, fb = a.fairness.get(figure) or {}, b.fairness.get(figure) or {}
        for stat in ("min", "max", "gini"):
            va, vb = fa.get(stat), fb.get(stat)
            if va is None and vb is None:
                continue
            delta = None if va is None or vb is None else round(vb - va, 9)
            who = f"{stat}_recipient"
            out.append(
                FairnessDelta(f"{figure}.{stat}", va, vb, delta, fa.get(who, ""), fb.get(who, ""))
            )
    return out


def diff(a: RunRecord, b: RunRecord, *, language: str = "zh") -> Comparison:
    """What changed from ``a`` to ``b`` (no solving)."""
    settings, notes = settings_diff(a, b)
    tolerance: dict[str, float] = {}
    objectives = []
    if a.matching and b.matching:
        tolerance["matching"] = max(a.matching.gap, b.matching.gap)
        objectives.append(
            objective_delta(
                "matching",
                a,
                b,
                a.matching.objective,
                b.matching.objective,
                tolerance["matching"],
            )
        )
    if a.allocation and b.allocation:
        tolerance["allocation"] = max(a.allocation.gap, b.allocation.gap)
        objectives.append(
            objective_delta(
                "allocation",
                a,
                b,
                a.allocation.objective,
                b.allocation.objective,
                tolerance["allocation"],
            )
        )

    def equal(engine: str) -> bool:
        o = next((o for o in objectives if o.engine == engine), None)
        return (
            o is not None
            and o.comparable
            and o.delta is not None
            and within(o.delta, o.a, o.b, tolerance[engine])
        )

    solved = all(r.status in ("optimal", "feasible") for r in (a, b))
    pairs_total, pairs = pair_changes(a, b, equal("matching")) if solved else (0, [])
    shaping = tuple(
        f"{s.key}: {_text(s.a)} → {_text(s.b)}" for s in settings if _shapes_pairing(s.key)
    )
    pairs = [replace(p, settings=shaping) for p in pairs]
    projects: list[ProjectChange] = []
    rows: list[MoneyRow] = []
    fair: list[FairnessDelta] = []
    projects_compared = bool(a.allocation and b.allocation) and solved
    if projects_compared and a.allocation and b.allocation:
        projects = project_changes(a, b, equal("allocation"))
        rows = money(a.allocation, b.allocation, tolerance["allocation"])
        fair = fairness(a.allocation, b.allocation)
    for run, other in ((a, b), (b, a)):
        if run.allocation is None and other.allocation is not None:
            notes.append(
                (
                    f"{run.label} has no special-fund plan (`{run.command}`): projects and "
                    "money are not compared",
                    f"{run.label} 没有专项资金方案（`{run.command}`）：不比较项目与资金",
                )
            )
        if run.matching is None and other.matching is not None:
            notes.append(
                (
                    f"{run.label} has no pairing of its own (`{run.command}`): pairs are "
                    "compared on the pairs its plan was allocated on",
                    f"{run.label} 没有自己的配对（`{run.command}`）：按其方案所用的结对比较",
                )
            )
    for run in (a, b):
        if run.status not in ("optimal", "feasible"):
            notes.append(
                (
                    f"{run.label} is {run.status}: it has no verified solution to compare",
                    f"{run.label} 的状态为 {run.status}：没有经验证的解可比较",
                )
            )
    return Comparison(
        a=a.side(),
        b=b.side(),
        settings=tuple(settings),
        pairs_compared=pairs_total > 0,
        pair_changes=tuple(pairs),
        pairs_total=pairs_total,
        projects_compared=projects_compared,
        project_changes=tuple(projects),
        money=tuple(rows),
        fairness=tuple(fair),
        objectives=tuple(objectives),
        tolerance=tolerance,
        notes=tuple(dict.fromkeys(en for en, _ in notes)),
        notes_zh=tuple(dict.fromkeys(zh for _, zh in notes)),
        language=language,
    )
