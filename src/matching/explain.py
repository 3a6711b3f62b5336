"""Why each chosen pair: criteria breakdown, reasons in words, ranks on both sides.

For a chosen pair ``(r, s)`` and every criterion ``c`` in use, the *contribution* is
``w_c * criteria[c][r, s]`` (the pair's score is their sum) and the *advantage* is
``w_c * (criteria[c][r, s] - mean_c)``, where ``mean_c`` is the criterion's mean over all
recipient × supporter pairs. The leading reasons are the criteria with the largest positive
advantage — what makes this pair better than an average pair — worded for planners:

========== ================================== =========================================
criterion  中文                                English
========== ================================== =========================================
strength   综合实力与帮扶需求匹配（前 7%）     strength and need fit (top 7%)
industry   产业互补度高（前 10%）             strong industrial complementarity (top 10%)
resource   资源禀赋互补（前 12%）             complementary resources (top 12%)
distance   距离近（186 公里）                 close (186 km)
willingness 双方意愿：受援方第 1 选择          stated wishes: recipient's 1st choice
plan       契合“十四五”区域战略（前 20%）     fits the 14th FYP regional strategy (top 20%)
========== ================================== =========================================

"前 p%" is the share of all pairs scoring at least as high on that criterion, rounded up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Protocol

import numpy as np
import pandas as pd

from matching.options import OptionsError
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


def _willingness_text(language: str, r_rank: int | None, s_rank: int | None) -> str:
    if language == "zh":
        parts = []
        if r_rank is not None:
            parts.append(f"受援方第 {r_rank} 选择")
        if s_rank is not None:
            parts.append(f"支援方第 {s_rank} 选择")
        return "双方意愿：" + ("、".join(parts) if parts else "均未列明（按默认分）")
    parts = []
    if r_rank is not None:
        parts.append(f"recipient's {_ordinal(r_rank)} choice")
    if s_rank is not None:
        parts.append(f"supporter's {_ordinal(s_rank)} choice")
    return "stated wishes: " + (", ".join(parts) if parts else "no list stated (default score)")


def top_percent(values: np.ndarray, value: float) -> int:
    """Share of ``values`` at least as high as ``value``, in percent, rounded up."""
    share = float(np.count_nonzero(values >= value - 1e-12)) / values.size
    return max(1, math.ceil(100.0 * share - 1e-9))


def reason_text(
    problem: MatchingProblem, criterion: str, r: str, s: str, language: str
) -> str:
    """One criterion's reason for the pair ``(r, s)`` in planners' words."""
    i, j = problem.r_index(r), problem.s_index(s)
    if criterion == "distance":
        d = float(problem.distance[i, j])
        unit = _UNIT[language].get(problem.distance_unit, problem.distance_unit)
        return f"距离近（{d:.0f} {unit}）" if language == "zh" else f"close ({d:.0f} {unit})"
    if criterion == "willingness":
        return _willingness_text(
            language,
            willingness_rank(problem.recipient_prefs, r, s),
            willingness_rank(problem.supporter_prefs, s, r),
        )
    matrix = np.asarray(problem.criteria[criterion], dtype=float)
    top = top_percent(matrix, float(matrix[i, j]))
    template = _LABEL[language].get(criterion)
    if template is None:
        return f"{criterion}（前 {top}%）" if language == "zh" else f"{criterion} (top {top}%)"
    return template.format(top=top)


def criteria_in_use(problem: MatchingProblem) -> list[str]:
    """Criteria with a positive weight, in report order (then any extra ones)."""
    named = [c for c in CRITERIA if c in problem.criteria]
    extra = sorted(c for c in problem.criteria if c not in CRITERIA)
    return [c for c in named + extra if problem.weights.get(c, 0.0) > 0]


def explain_pairs(
    problem: MatchingProblem,
    result: HasPairs | Iterable[Pair],
    language: str = "zh",
    reasons: int = 3,
) -> pd.DataFrame:
    """One row per chosen pair: criteria breakdown, leading reasons, ranks on both sides.

    Columns: ``recipient, supporter, recipient_name, supporter_name, score, score_rank``
    (the pair's rank among all the recipient's possible partners by score; 1 = best, ties
    share the better rank), ``recipient_rank`` / ``supporter_rank`` (each side's rank of its
    partner in its willingness list; ``None`` if unlisted or no list), ``distance``, then for
    every criterion ``c`` in use ``c`` (raw value in [0, 1]) and ``c_contribution``
    (``w_c * value``; they sum to ``score``), then ``leading`` (criteria with the largest
    positive advantage over the average pair, at most ``reasons`` of them) and ``reasons``
    (their words, joined).
    """
    check_language(language)
    if reasons < 1:
        raise OptionsError(f"reasons must be at least 1, got {reasons!r}")
    used = criteria_in_use(problem)
    mats = {c: np.asarray(problem.criteria[c], dtype=float) for c in used}
    means = {c: float(m.mean()) for c, m in mats.items()}
    score = problem.score
    rows = []
    for r, s in pairs_of(result):
        i, j = problem.r_index(r), problem.s_index(s)
        row: dict[str, object] = {
            "recipient": r,
            "supporter": s,
            "recipient_name": problem.names.get(r, r),
            "supporter_name": problem.names.get(s, s),
            "score": float(score[i, j]),
            "score_rank": int(np.count_nonzero(score[i] > score[i, j] + 1e-12)) + 1,
            "recipient_rank": willingness_rank(problem.recipient_prefs, r, s),
            "supporter_rank": willingness_rank(problem.supporter_prefs, s, r),
            # Raw distance under its own name: "distance" is the criterion's score column.
            f"distance_{problem.distance_unit}": float(problem.distance[i, j]),
        }
        advantage = {}
        for c in used:
            w = float(problem.weights[c])
            row[c] = float(mats[c][i, j])
            row[f"{c}_contribution"] = w * float(mats[c][i, j])
            advantage[c] = w * (float(mats[c][i, j]) - means[c])
        leading = sorted((c for c in used if advantage[c] > 1e-12), key=lambda c: -advantage[c])
        leading = leading[:reasons]
        row["leading"] = tuple(leading)
        row["reasons"] = (
            _SEP[language].join(reason_text(problem, c, r, s, language) for c in leading)
            if leading
            else _NO_LEAD[language]
        )
        rows.append(row)
    columns = [
        "recipient", "supporter", "recipient_name", "supporter_name", "score", "score_rank",
        "recipient_rank", "supporter_rank", f"distance_{problem.distance_unit}",
    ]
    for c in used:
        columns += [c, f"{c}_contribution"]
    columns += ["leading", "reasons"]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("recipient_rank", "supporter_rank"):
        frame[col] = pd.Series([row[col] for row in rows], index=frame.index, dtype=object)
    return frame
