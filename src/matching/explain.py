"""Why each chosen pair: criteria breakdown, reasons in words, ranks on both sides.

For a chosen pair ``(r, s)`` and every criterion ``c`` in use, the *contribution* is
``w_c * criteria[c][r, s]`` (the pair's score is their sum) and the *advantage* is
``w_c * (criteria[c][r, s] - mean_c)``, where ``mean_c`` is the criterion's mean over all
recipient × supporter pairs. The leading reasons are the criteria with the largest positive
advantage — what makes this pair better than an average pair.

Words are relative to the criterion's distribution over the pairs the rules allow
(:data:`QUARTER`): in the best quarter a criterion is 高 / 近 (strong / close), in the worst
quarter 低 / 远 (weak / far), otherwise 中等 (moderate / middling, with the median distance):

============ ======================================== =============================================
criterion    中文                                      English
============ ======================================== =============================================
industry     产业互补度高（前 10%）                    strong industrial complementarity (top 10%)
distance     距离近（186 公里，最近的 12%）            close (186 km, closest 12%)
distance     距离中等（230 公里，中位数 240 公里）     middling distance (230 km; median 240 km)
distance     距离远（526 公里，最远的 5%）             far (526 km, farthest 5%)
willingness  双方意愿：受援方列为第 1 选择，支援方未提交意向名单
                                                       stated wishes: recipient's 1st choice,
                                                       supporter stated no list
============ ======================================== =============================================

Willingness states what each side did: listed the partner at rank k, listed others but not
this one, or stated no list (:func:`stated`). A pair's *weakest* criterion (not among its
leading ones) is named after the reasons when it lies in the worst quarter: "短板：距离远（…）"
/ "weakest: far (…)". "前 p%" is the share of allowed pairs at least as good, rounded up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from matching.options import MatchSettings, OptionsError
from matching.problem import CRITERIA, MatchingProblem

Pair = tuple[str, str]

LANGUAGES: tuple[str, ...] = ("zh", "en")

_SEP = {"zh": "；", "en": "; "}

_LABEL = {
    "zh": {
        "strength": "综合实力与帮扶需求匹配（前 {top}%）",
        "industry": "产业互补度高（前 {top}%）",
        "resource": "资源禀赋互补（前 {top}%）",
        "plan": "契合“十四五”区域战略（前 {top}%）",
    },
    "en": {
        "strength": "strength and need fit (top {top}%)",
        "industry": "strong industrial complementarity (top {top}%)",
        "resource": "complementary resources (top {top}%)",
        "plan": "fits the 14th FYP regional strategy (top {top}%)",
    },
}

_UNIT = {"zh": {"km": "公里", "min": "分钟"}, "en": {"km": "km", "min": "min"}}

_WEAKEST = {"zh": "短板：", "en": "weakest: "}

_NO_LEAD = {
    "zh": "整体最优分配所需（各项均不高于平均）",
    "en": "needed by the overall optimum (no criterion above average)",
}


class HasPairs(Protocol):
    """Anything carrying the chosen pairs (a :class:`matching.MatchResult`)."""

    @property
    def pairs(self) -> tuple[Pair, ...]: ...


def check_language(language: str) -> str:
    """Return ``language`` if supported, else raise :class:`OptionsError` naming the choices."""
    if language not in LANGUAGES:
        raise OptionsError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language


def pairs_of(result: HasPairs | Iterable[Pair]) -> list[Pair]:
    """The ``(recipient, supporter)`` pairs of a result, or of a plain iterable of pairs."""
    raw = result.pairs if hasattr(result, "pairs") else result
    return [(str(r), str(s)) for r, s in raw]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def willingness_rank(prefs: Mapping[str, tuple[str, ...]], county: str, partner: str) -> int | None:
    """1-based rank of ``partner`` in ``county``'s list; ``None`` if unlisted or no list."""
    ranked = prefs.get(county, ())
    return ranked.index(partner) + 1 if partner in ranked else None


def stated(prefs: Mapping[str, tuple[str, ...]], county: str, partner: str) -> tuple[str, int]:
    """What ``county`` stated about ``partner``: ``(kind, k)``, see below.

    ``rank``: ``partner`` is at rank ``k`` of the list; ``others``: the county listed ``n``
    partners, not this one; ``none``: it stated no list (absent, or an empty list).
    """
    ranked = prefs.get(county, ())
    if partner in ranked:
        return "rank", ranked.index(partner) + 1
    return ("others", len(ranked)) if ranked else ("none", 0)


_SIDE = {"zh": {"r": "受援方", "s": "支援方"}, "en": {"r": "recipient", "s": "supporter"}}


def _side_text(language: str, side: str, what: tuple[str, int]) -> str:
    kind, k = what
    who = _SIDE[language][side]
    if language == "zh":
        return {
            "rank": f"{who}列为第 {k} 选择",
            "others": f"{who}列了 {k} 个其他意向、未列此县",
            "none": f"{who}未提交意向名单",
        }[kind]
    return {
        "rank": f"{who}'s {_ordinal(k)} choice",
        "others": f"{who} listed {k} other{'s' if k != 1 else ''}, not this one",
        "none": f"{who} stated no list",
    }[kind]


def willingness_text(
    language: str, recipient: tuple[str, int], supporter: tuple[str, int]
) -> str:
    """Each side's statement about the pair (:func:`stated`), in planners' words."""
    r, s = _side_text(language, "r", recipient), _side_text(language, "s", supporter)
    return f"双方意愿：{r}，{s}" if language == "zh" else f"stated wishes: {r}, {s}"


def top_percent(values: np.ndarray, value: float) -> int:
    """Share of ``values`` at least as high as ``value``, in percent, rounded up."""
    share = float(np.count_nonzero(values >= value - 1e-12)) / values.size
    return max(1, math.ceil(100.0 * share - 1e-9))


#: A criterion is called strong (高 / 近) for a pair in the best quarter of the allowed pairs,
#: weak (低 / 远) in the worst quarter, moderate (中等) in between (docs/matching.md).
QUARTER = 25


@dataclass(frozen=True)
class Spread:
    """One criterion's values over the allowed pairs, sorted, to rank a pair against them."""

    values: np.ndarray
    """Sorted ascending. For distance: the raw distances (smaller is better)."""
    lower_is_better: bool = False

    @classmethod
    def of(cls, matrix: np.ndarray, allowed: np.ndarray, lower_is_better: bool = False) -> Spread:
        vals = np.asarray(matrix, dtype=float)[allowed]
        if vals.size == 0:  # no allowed pair: rank against all pairs
            vals = np.asarray(matrix, dtype=float).ravel()
        return cls(np.sort(vals), lower_is_better)

    def _share(self, count: int) -> int:
        return max(1, math.ceil(100.0 * count / self.values.size - 1e-9))

    def best(self, value: float) -> int:
        """Percent of allowed pairs as good as ``value`` or better (rounded up; 1 = best)."""
        if self.lower_is_better:
            return self._share(int(np.searchsorted(self.values, value + 1e-9, side="right")))
        n = self.values.size
        return self._share(n - int(np.searchsorted(self.values, value - 1e-12, side="left")))

    def worst(self, value: float) -> int:
        """Percent of allowed pairs as bad as ``value`` or worse (rounded up; 1 = worst)."""
        if self.lower_is_better:
            n = self.values.size
            return self._share(n - int(np.searchsorted(self.values, value - 1e-9, side="left")))
        return self._share(int(np.searchsorted(self.values, value + 1e-12, side="right")))

    def median(self) -> float:
        return float(np.median(self.values))


def tier(spread: Spread, value: float) -> tuple[str, int]:
    """``("high", best%)``, ``("low", worst%)`` or ``("mid", best%)`` by :data:`QUARTER`."""
    best, worst = spread.best(value), spread.worst(value)
    if best <= QUARTER:
        return "high", best
    if worst <= QUARTER:
        return "low", worst
    return "mid", best


_WORDS = {
    "zh": {
        "strength": ("综合实力与帮扶需求匹配度", "高", "中等", "低"),
        "industry": ("产业互补度", "高", "中等", "低"),
        "resource": ("资源禀赋互补度", "高", "中等", "低"),
        "plan": ("与“十四五”区域战略契合度", "高", "中等", "低"),
        "willingness": ("意愿匹配度", "高", "中等", "低"),
    },
    "en": {
        "strength": ("strength and need fit", "strong", "moderate", "weak"),
        "industry": ("industrial complementarity", "strong", "moderate", "weak"),
        "resource": ("resource complementarity", "strong", "moderate", "weak"),
        "plan": ("fit with the 14th FYP regional strategy", "strong", "moderate", "weak"),
        "willingness": ("fit of stated wishes", "strong", "moderate", "weak"),
    },
}


def _criterion_text(language: str, criterion: str, kind: str, pct: int) -> str:
    default = (criterion, "高", "中等", "低") if language == "zh" else (
        criterion, "strong", "moderate", "weak"
    )
    name, high, mid, low = _WORDS[language].get(criterion, default)
    word = {"high": high, "mid": mid, "low": low}[kind]
    if language == "zh":
        rank = f"最低的 {pct}%" if kind == "low" else f"前 {pct}%"
        return f"{name}{word}（{rank}）"
    rank = f"bottom {pct}%" if kind == "low" else f"top {pct}%"
    return f"{word} {name} ({rank})"


def _distance_text(language: str, d: float, unit: str, spread: Spread) -> str:
    kind, pct = tier(spread, d)
    u = _UNIT[language].get(unit, unit)
    if language == "zh":
        if kind == "high":
            return f"距离近（{d:.0f} {u}，最近的 {pct}%）"
        if kind == "low":
            return f"距离远（{d:.0f} {u}，最远的 {pct}%）"
        return f"距离中等（{d:.0f} {u}，中位数 {spread.median():.0f} {u}）"
    if kind == "high":
        return f"close ({d:.0f} {u}, closest {pct}%)"
    if kind == "low":
        return f"far ({d:.0f} {u}, farthest {pct}%)"
    return f"middling distance ({d:.0f} {u}; median {spread.median():.0f} {u})"


class Context:
    """What the reason texts rank a pair against: each criterion over the allowed pairs."""

    def __init__(self, problem: MatchingProblem, allowed: np.ndarray | None = None) -> None:
        self.problem = problem
        shape = (len(problem.recipients), len(problem.supporters))
        self.allowed = np.ones(shape, dtype=bool) if allowed is None else np.asarray(allowed)
        self._spreads: dict[str, Spread] = {}

    def spread(self, criterion: str) -> Spread:
        """The distribution of ``criterion`` (``"distance_raw"``: raw distances)."""
        if criterion not in self._spreads:
            if criterion == "distance_raw":
                made = Spread.of(self.problem.distance, self.allowed, lower_is_better=True)
            else:
                made = Spread.of(self.problem.criteria[criterion], self.allowed)
            self._spreads[criterion] = made
        return self._spreads[criterion]


def reason_text(
    problem: MatchingProblem,
    criterion: str,
    r: str,
    s: str,
    language: str,
    context: Context | None = None,
) -> str:
    """One criterion's reason for the pair ``(r, s)`` in planners' words.

    Words are relative to the criterion over the allowed pairs of ``context`` (all pairs by
    default): the best quarter is 高 / 近, the worst quarter 低 / 远, the rest 中等.
    Willingness states what each side listed (:func:`stated`).
    """
    ctx = context or Context(problem)
    i, j = problem.r_index(r), problem.s_index(s)
    if criterion == "distance":
        d = float(problem.distance[i, j])
        return _distance_text(language, d, problem.distance_unit, ctx.spread("distance_raw"))
    if criterion == "willingness":
        return willingness_text(
            language,
            stated(problem.recipient_prefs, r, s),
            stated(problem.supporter_prefs, s, r),
        )
    kind, pct = tier(ctx.spread(criterion), float(problem.criteria[criterion][i, j]))
    return _criterion_text(language, criterion, kind, pct)


def weakest_text(
    problem: MatchingProblem, criterion: str, r: str, s: str, language: str, context: Context
) -> str:
    """The words for a pair's weakest criterion (it is in the worst quarter)."""
    i, j = problem.r_index(r), problem.s_index(s)
    if criterion == "distance":
        d = float(problem.distance[i, j])
        return _distance_text(language, d, problem.distance_unit, context.spread("distance_raw"))
    kind, pct = tier(context.spread(criterion), float(problem.criteria[criterion][i, j]))
    text = _criterion_text(language, criterion, kind, pct)
    if criterion == "willingness":
        facts = willingness_text(
            language, stated(problem.recipient_prefs, r, s), stated(problem.supporter_prefs, s, r)
        )
        text = f"{text}：{facts}" if language == "zh" else f"{text}: {facts}"
    return text


def criteria_in_use(problem: MatchingProblem) -> list[str]:
    """Criteria with a positive weight, in report order (then any extra ones)."""
    named = [c for c in CRITERIA if c in problem.criteria]
    extra = sorted(c for c in problem.criteria if c not in CRITERIA)
    return [c for c in named + extra if problem.weights.get(c, 0.0) > 0]


def allowed_mask(
    problem: MatchingProblem, result: object = None, settings: MatchSettings | None = None
) -> np.ndarray | None:
    """The pairs the rules allow (``settings``, else the result's own settings), or ``None``."""
    settings = settings if settings is not None else getattr(result, "settings", None)
    if settings is None:
        return None
    from matching.rules import pair_table  # the rules module imports this one

    return pair_table(problem, settings).allowed


def _reasons_text(
    problem: MatchingProblem,
    leading: list[str],
    weakest: str | None,
    r: str,
    s: str,
    language: str,
    ctx: Context,
) -> str:
    """The leading reasons' words in ``language``, then 短板 / weakest."""
    text = (
        _SEP[language].join(reason_text(problem, c, r, s, language, ctx) for c in leading)
        if leading
        else _NO_LEAD[language]
    )
    if weakest is not None:
        weak_words = weakest_text(problem, weakest, r, s, language, ctx)
        text += _SEP[language] + _WEAKEST[language] + weak_words
    return text


def explain_pairs(
    problem: MatchingProblem,
    result: HasPairs | Iterable[Pair],
    language: str = "zh",
    reasons: int = 3,
    settings: MatchSettings | None = None,
) -> pd.DataFrame:
    """One row per chosen pair: criteria breakdown, leading reasons, ranks on both sides.

    Columns: ``recipient, supporter, recipient_name, supporter_name, score, score_rank``
    (the pair's rank among all the recipient's possible partners by score; 1 = best, ties
    share the better rank), ``recipient_rank`` / ``supporter_rank`` (each side's rank of its
    partner in its willingness list; ``None`` if unlisted or no list), ``recipient_stated`` /
    ``supporter_stated`` (``rank``, ``others`` — listed others, not this one — or ``none`` —
    no list), ``distance``, then for every criterion ``c`` in use ``c`` (raw value in
    [0, 1]) and ``c_contribution`` (``w_c * value``; they sum to ``score``), then
    ``leading`` (criteria with the largest positive advantage over the average pair, at most
    ``reasons`` of them), ``weakest`` (the criterion in the worst quarter of the allowed
    pairs with the lowest rank, or ``None``), ``weakest_percent`` (share of allowed pairs as
    bad or worse) and ``reasons`` (the leading reasons' words, then 短板 / weakest), in
    ``language``, and the same words in every language as ``reasons_zh`` and ``reasons_en``.

    "Allowed pairs" are those the rules of ``settings`` admit (a :class:`MatchResult`
    carries its own); all pairs when neither is given.
    """
    check_language(language)
    if reasons < 1:
        raise OptionsError(f"reasons must be at least 1, got {reasons!r}")
    used = criteria_in_use(problem)
    ctx = Context(problem, allowed_mask(problem, result, settings))
    mats = {c: np.asarray(problem.criteria[c], dtype=float) for c in used}
    means = {c: float(m.mean()) for c, m in mats.items()}
    score = problem.score
    rows = []
    for r, s in pairs_of(result):
        i, j = problem.r_index(r), problem.s_index(s)
        r_said = stated(problem.recipient_prefs, r, s)
        s_said = stated(problem.supporter_prefs, s, r)
        row: dict[str, object] = {
            "recipient": r,
            "supporter": s,
            "recipient_name": problem.names.get(r, r),
            "supporter_name": problem.names.get(s, s),
            "score": float(score[i, j]),
            "score_rank": int(np.count_nonzero(score[i] > score[i, j] + 1e-12)) + 1,
            "recipient_rank": r_said[1] if r_said[0] == "rank" else None,
            "supporter_rank": s_said[1] if s_said[0] == "rank" else None,
            "recipient_stated": r_said[0],
            "supporter_stated": s_said[0],
            # Raw distance under its own name: "distance" is the criterion's score column.
            f"distance_{problem.distance_unit}": float(problem.distance[i, j]),
        }
        advantage = {}
        worst: dict[str, int] = {}
        for c in used:
            w = float(problem.weights[c])
            row[c] = float(mats[c][i, j])
            row[f"{c}_contribution"] = w * float(mats[c][i, j])
            advantage[c] = w * (float(mats[c][i, j]) - means[c])
            if c == "distance":
                worst[c] = ctx.spread("distance_raw").worst(float(problem.distance[i, j]))
            else:
                worst[c] = ctx.spread(c).worst(float(mats[c][i, j]))
        leading = sorted((c for c in used if advantage[c] > 1e-12), key=lambda c: -advantage[c])
        leading = leading[:reasons]
        weak = [c for c in used if worst[c] <= QUARTER and c not in leading]
        weakest = min(weak, key=lambda c: (worst[c], used.index(c))) if weak else None
        row["leading"] = tuple(leading)
        row["weakest"] = weakest
        row["weakest_percent"] = worst[weakest] if weakest else None
        words = {
            lang: _reasons_text(problem, leading, weakest, r, s, lang, ctx) for lang in LANGUAGES
        }
        row["reasons"] = words[language]
        for lang in LANGUAGES:  # both, so that any front end shows them in its own language
            row[f"reasons_{lang}"] = words[lang]
        rows.append(row)
    columns = [
        "recipient", "supporter", "recipient_name", "supporter_name", "score", "score_rank",
        "recipient_rank", "supporter_rank", "recipient_stated", "supporter_stated",
        f"distance_{problem.distance_unit}",
    ]
    for c in used:
        columns += [c, f"{c}_contribution"]
    columns += ["leading", "weakest", "weakest_percent", "reasons"]
    columns += [f"reasons_{lang}" for lang in LANGUAGES]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("recipient_rank", "supporter_rank", "weakest", "weakest_percent"):
        frame[col] = pd.Series([row[col] for row in rows], index=frame.index, dtype=object)
    return frame
