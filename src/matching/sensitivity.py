r"""Weight sensitivity: how robust is the pairing to the criterion weights.

Each sample multiplies every criterion weight :math:`w_c` by an independent factor
:math:`f_c \sim U[1 - \delta, 1 + \delta]` (``spread`` :math:`\delta \in [0, 1)`), renormalises
the weights to sum to 1 and re-solves under the same rules. The factors for all samples are
drawn at once from ``numpy.random.default_rng(seed)``, so a seed fixes the whole study.
Criteria with weight 0 stay at 0. ``min_pair_score`` applies to the perturbed scores, as it
would if the planners had chosen those weights.

Reported:

``frequency``
    recipient × supporter table: the share of (feasible) samples in which each pair is
    chosen. Each recipient's row sums to its demand.
``reproduced``
    how many samples give exactly the base pairing (solved with the given weights).
``partners``
    per recipient: its base partner and how often it is kept, and its most frequent partner.

Each sample is solved on the assignment form (one :func:`scipy.optimize.linear_sum_assignment`,
~0.1 ms at 22 × 22) when the rules allow it, otherwise with :func:`matching.solve` (one
integer programme per sample). Every sampled pairing is checked by :func:`matching.verify`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matching.forcing import (
    AnalysisError,
    base_pairing,
    pairs_from_columns,
    solve_assignment,
    use_assignment,
    verified,
)
from matching.options import MatchSettings
from matching.problem import MatchingProblem
from matching.result import NOT_COMPARABLE, MatchStatus
from matching.rules import chosen, records
from matching.solve import solve

Pair = tuple[str, str]

#: Weight samples drawn when the caller gives no ``samples``.
DEFAULT_SAMPLES = 200


@dataclass(frozen=True)
class SensitivityResult:
    """Outcome of :func:`sensitivity` (see the module doc)."""

    samples: int
    spread: float
    seed: int
    method: str
    """'assignment' or 'ip'."""
    base_pairs: tuple[Pair, ...]
    weights: pd.DataFrame
    """One row per sample: the perturbed, renormalised weights."""
    frequency: pd.DataFrame
    """Index = recipient ids, columns = supporter ids: share of feasible samples with the pair."""
    reproduced: int
    """Samples whose pairing equals the base pairing."""
    infeasible: int
    """Samples whose perturbed scores made ``min_pair_score`` unsatisfiable."""
    partners: pd.DataFrame
    """Per recipient: base partner and its frequency, most frequent partner and its frequency."""

    @property
    def reproduced_share(self) -> float:
        """Share of feasible samples reproducing the base pairing."""
        feasible = self.samples - self.infeasible
        return self.reproduced / feasible if feasible else float("nan")

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            # Each sample rescales the scores: its objective is on another scale, so the
            # study compares pairs (frequency, reproduced), never objectives.
            "objectives_comparable": False,
            "note": NOT_COMPARABLE["en"],
            "note_zh": NOT_COMPARABLE["zh"],
            "samples": self.samples,
            "spread": self.spread,
            "seed": self.seed,
            "method": self.method,
            "reproduced": self.reproduced,
            "reproduced_share": self.reproduced_share,
            "infeasible": self.infeasible,
            "partners": self.partners.to_dict(orient="records"),
            "frequency": {
                r: {s: float(v) for s, v in row.items() if v > 0}
                for r, row in self.frequency.iterrows()
            },
        }


def sample_weights(weights: dict[str, float], samples: int, spread: float, seed: int) -> np.ndarray:
    """``samples`` × criteria array of perturbed, renormalised weights (see the module doc)."""
    base = np.array(list(weights.values()), dtype=float)
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(samples, base.size))
    raw = base * factors
    return raw / raw.sum(axis=1, keepdims=True)


def sensitivity(
    problem: MatchingProblem,
    settings: MatchSettings | None = None,
    samples: int | None = None,
    spread: float | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SensitivityResult:
    """Re-solve under ``samples`` perturbed weight vectors (see the module doc).

    ``samples`` defaults to :data:`DEFAULT_SAMPLES`, ``spread`` and ``seed`` to
    ``settings.explain``.

    ``progress(done, total)`` is called after every tenth of the samples (long IP runs).

    Raises :class:`~matching.forcing.AnalysisError` when the base rules admit no pairing, and
    when ``samples < 1`` or ``spread`` is outside [0, 1).
    """
    settings = settings or MatchSettings()
    samples = DEFAULT_SAMPLES if samples is None else samples
    spread = settings.explain.sensitivity_spread if spread is None else spread
    seed = settings.explain.seed if seed is None else seed
    if samples < 1:
        raise AnalysisError(f"samples must be at least 1, got {samples!r}")
    if not 0.0 <= spread < 1.0:
        raise AnalysisError(f"spread must be in [0, 1), got {spread!r}")
    form = use_assignment(problem, settings)
    base_pairs, _ = base_pairing(problem, settings, None, form)
    base = frozenset(base_pairs)
    names = list(problem.weights)
    drawn = sample_weights(dict(problem.weights), samples, spread, seed)
    stack = np.stack([np.asarray(problem.criteria[c], dtype=float) for c in names])
    n_r, n_s = len(problem.recipients), len(problem.supporters)
    counts = np.zeros((n_r, n_s))
    reproduced = infeasible = 0
    step = max(1, samples // 10)
    for k, w in enumerate(drawn):
        if progress is not None and k and k % step == 0:
            progress(k, samples)  # k samples done
        perturbed = dataclasses.replace(
            problem, weights={c: float(v) for c, v in zip(names, w, strict=True)}
        )
        pairs = _solve_sample(perturbed, settings, form is not None, stack, w)
        if pairs is None:
            infeasible += 1
            continue
        for r, s in pairs:
            counts[problem.r_index(r), problem.s_index(s)] += 1
        reproduced += frozenset(pairs) == base
    if progress is not None:
        progress(samples, samples)
    feasible = samples - infeasible
    freq = counts / feasible if feasible else counts
    frequency = pd.DataFrame(freq, index=list(problem.recipients), columns=list(problem.supporters))
    return SensitivityResult(
        samples=samples,
        spread=spread,
        seed=seed,
        method="assignment" if form is not None else "ip",
        base_pairs=tuple(base_pairs),
        weights=pd.DataFrame(drawn, columns=names),
        frequency=frequency,
        reproduced=reproduced,
        infeasible=infeasible,
        partners=_partners(problem, base_pairs, frequency),
    )


def _solve_sample(
    perturbed: MatchingProblem,
    settings: MatchSettings,
    fast: bool,
    stack: np.ndarray,
    w: np.ndarray,
) -> tuple[Pair, ...] | None:
    """The verified optimum under one weight sample, or ``None`` when it is infeasible."""
    if fast:
        form = use_assignment(perturbed, settings)
        assert form is not None  # same rules, so the same form applies
        found = solve_assignment(form)
        if found is None:
            return None
        pairs = pairs_from_columns(perturbed, found[0])
        ver = verified(perturbed, settings, pairs)
        expected = (
            float(
                np.tensordot(w, stack, axes=1)[
                    [perturbed.r_index(r) for r, _ in pairs],
                    [perturbed.s_index(s) for _, s in pairs],
                ].sum()
            )
            + _terms(perturbed, settings, pairs)
        )
        if abs(ver.objective - expected) > 1e-7 * max(1.0, abs(expected)):
            raise AnalysisError("perturbed scores disagree with the verified objective")
        return pairs
    result = solve(perturbed, settings)
    if result.status == MatchStatus.INFEASIBLE:
        return None
    if not result.ok:
        raise AnalysisError(f"a sensitivity sample could not be solved: {result.message}")
    return result.pairs


def _terms(perturbed: MatchingProblem, settings: MatchSettings, pairs: tuple[Pair, ...]) -> float:
    """The rule records' terms of the objective (the change penalty) on a pairing."""
    ctx = chosen(perturbed, settings, list(pairs))
    return float(sum(rule.term(ctx) for rule in records() if rule.term is not None))


def _partners(
    problem: MatchingProblem, base_pairs: tuple[Pair, ...], frequency: pd.DataFrame
) -> pd.DataFrame:
    base_of: dict[str, list[str]] = {}
    for r, s in base_pairs:
        base_of.setdefault(r, []).append(s)
    rows = []
    for r in problem.recipients:
        row = frequency.loc[r]
        modal = str(row.idxmax())
        base = base_of.get(r, [])
        rows.append(
            {
                "recipient": r,
                "recipient_name": problem.name(r),
                "base_partner": ", ".join(base),
                "base_partner_name": "、".join(problem.name(s) for s in base),
                "base_frequency": float(min(row[s] for s in base)) if base else 0.0,
                "modal_partner": modal,
                "modal_partner_name": problem.name(modal),
                "modal_frequency": float(row[modal]),
            }
        )
    return pd.DataFrame(rows)
