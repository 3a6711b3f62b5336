r"""Robustness of the pairing: to the criterion weights, to the data and to the stated wishes.

Each sample re-solves the pairing under the same rules after three kinds of change, any of
which can be switched off:

weights (``mode``)
    ``uniform``: every criterion weight :math:`w_c` times an independent factor
    :math:`f_c \sim U[1 - \delta, 1 + \delta]` (``spread`` :math:`\delta \in [0, 1)`), then
    renormalised to sum to 1. ``dirichlet``: the weight vector drawn from
    :math:`\mathrm{Dirichlet}(\kappa k w)` over the simplex of the :math:`k` criteria in use
    (``concentration`` :math:`\kappa > 0`): its mean is the given :math:`w`, every vector of
    the simplex can be drawn (so "distance twice as important" is inside the space), and a
    large :math:`\kappa` keeps the draws close to :math:`w`; with equal given weights
    :math:`\kappa = 1` is uniform over the simplex. Criteria with weight 0 stay at 0.
data (``data_noise`` :math:`\sigma`)
    every strength indicator column (GDP, GDP per capita, revenue, urban and rural income) of
    every county multiplied by :math:`e^{\sigma z}`, :math:`z` standard normal (about
    :math:`\pm\sigma` relative); the strength-and-need criterion is recomputed from the noisy
    table exactly as :func:`matching.prepare` does (normalisation, entropy or given weights).
    Needs a prepared problem (``details['indicators']``).
willingness (``willingness_noise`` :math:`p`)
    every entry of every stated list dropped with probability :math:`p` (a list keeps at least
    one entry), then each pair of neighbouring entries swapped with probability :math:`p`; the
    willingness criterion moves by the change of :func:`matching.criteria.willingness` between
    the noisy and the stated lists, and the noisy lists are the problem's (stability reads
    them).

Draws come from ``numpy.random.default_rng`` seeded with ``seed`` (weights), ``[seed, 1]``
(data) and ``[seed, 2]`` (willingness), so a seed fixes the whole study and switching one kind
of noise on leaves the other draws as they were. ``min_pair_score`` applies to the perturbed
scores, as it would if the planners had chosen those weights.

Reported (frames, so the application layer writes them as CSV and JSON):

``frequency`` / ``counts``
    recipient × supporter: the share / number of (feasible) samples choosing each pair. Each
    recipient's row of ``counts`` sums to its demand times the feasible samples.
``reproduced``
    how many samples give exactly the base pairing.
``partners``
    per recipient: its base partner and how often it is kept, its most frequent partner, and
    the setting most associated with losing the base partner (``driver``, ``driver_rho``).
``fragility``
    per base pair, most fragile first: the share of samples keeping it, the modal partner, and
    the setting that flips it: the largest Spearman rank correlation (in absolute value)
    between "the pair is chosen" and each sampled setting — each weight, and with noise the
    pair's own noisy strength or willingness value.
``sample_table`` / ``sample_pairs``
    one row per sample (its weights, whether feasible, whether it reproduced the base, how many
    base pairs it changed) and one row per sample and chosen pair.

Each sample is solved on the assignment form (one :func:`scipy.optimize.linear_sum_assignment`,
~0.1 ms at 22 × 22) when the rules allow it, otherwise with :func:`matching.solve` (one
integer programme per sample). Every sampled pairing is checked by :func:`matching.verify`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching import criteria as crit
from matching.forcing import (
    AnalysisError,
    base_pairing,
    pairs_from_columns,
    solve_assignment,
    use_assignment,
    verified,
)
from matching.indicators import minmax_normalise, strength_index
from matching.options import SENSITIVITY_MODES, MatchSettings
from matching.problem import MatchingProblem
from matching.result import NOT_COMPARABLE, MatchStatus
from matching.rules import chosen, records
from matching.solve import solve

Pair = tuple[str, str]

#: Samples drawn when neither the caller nor ``settings.sensitivity.samples`` gives a number.
DEFAULT_SAMPLES = 200
#: Base pairs listed in the headline of :meth:`SensitivityResult.headline` (the most fragile).
FRAGILE_SHOWN = 3


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
    """One row per sample: the drawn, renormalised weights."""
    frequency: pd.DataFrame
    """Index = recipient ids, columns = supporter ids: share of feasible samples with the pair."""
    reproduced: int
    """Samples whose pairing equals the base pairing."""
    infeasible: int
    """Samples whose perturbed scores made ``min_pair_score`` unsatisfiable."""
    partners: pd.DataFrame
    """Per recipient: base partner and its frequency, most frequent partner and its frequency,
    and the setting most associated with losing the base partner."""
    mode: str = "uniform"
    concentration: float = 1.0
    data_noise: float = 0.0
    willingness_noise: float = 0.0
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Like ``frequency``, in samples (each row sums to demand × feasible samples)."""
    fragility: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per base pair, most fragile first: kept share, modal partner, the flipping setting."""
    sample_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per sample: ``sample``, ``w_<criterion>``, ``feasible``, ``reproduced``,
    ``changed`` (base pairs not kept) and ``lists_changed`` (willingness lists altered)."""
    sample_pairs: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per sample and chosen pair: ``sample``, ids and names."""

    @property
    def reproduced_share(self) -> float:
        """Share of feasible samples reproducing the base pairing."""
        feasible = self.samples - self.infeasible
        return self.reproduced / feasible if feasible else float("nan")

    def setting(self) -> str:
        """What was varied, in words (``weights ±20 %``, ``weights Dirichlet(κ = 1)``, …)."""
        parts = [
            f"weights Dirichlet(concentration {self.concentration:g})"
            if self.mode == "dirichlet"
            else f"weights ±{self.spread:.0%}"
        ]
        if self.data_noise:
            parts.append(f"strength data ±{self.data_noise:.0%}")
        if self.willingness_noise:
            parts.append(f"willingness entries dropped/swapped p = {self.willingness_noise:g}")
        return ", ".join(parts)

    def setting_zh(self) -> str:
        """:meth:`setting` in Chinese."""
        parts = [
            f"权重按 Dirichlet 分布抽样（集中度 {self.concentration:g}）"
            if self.mode == "dirichlet"
            else f"权重 ±{self.spread:.0%}"
        ]
        if self.data_noise:
            parts.append(f"实力数据 ±{self.data_noise:.0%}")
        if self.willingness_noise:
            parts.append(f"意愿名单条目删除/对调概率 {self.willingness_noise:g}")
        return "，".join(parts)

    def headline(self) -> str:
        """One line: what varied, the reproduction share and the most fragile pairs."""
        text = (
            f"{self.samples} samples, {self.setting()}: the pairing is reproduced exactly in "
            f"{self.reproduced_share:.1%} of samples"
        )
        weak = self.fragility[self.fragility["kept_share"] < 1.0].head(FRAGILE_SHOWN)
        if len(weak):
            text += "; most fragile: " + "; ".join(
                f"{r.recipient_name}–{r.supporter_name} kept {r.kept_share:.0%} ({r.reading})"
                for r in weak.itertuples()
            )
        return text

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON): the summaries, every sample's weights and pairs."""
        per_sample: dict[int, list[list[str]]] = {}
        for k, r, s in self.sample_pairs[["sample", "recipient", "supporter"]].itertuples(
            index=False
        ):
            per_sample.setdefault(int(k), []).append([str(r), str(s)])
        samples = [
            {
                **{str(k): _plain(v) for k, v in row.items()},
                "pairs": per_sample.get(int(row["sample"]), []),
            }
            for row in self.sample_table.to_dict(orient="records")
        ]
        return {
            # Each sample rescales the scores: its objective is on another scale, so the
            # study compares pairs (frequency, reproduced), never objectives.
            "objectives_comparable": False,
            "note": NOT_COMPARABLE["en"],
            "note_zh": NOT_COMPARABLE["zh"],
            "samples": self.samples,
            "mode": self.mode,
            "spread": self.spread,
            "concentration": self.concentration,
            "data_noise": self.data_noise,
            "willingness_noise": self.willingness_noise,
            "seed": self.seed,
            "method": self.method,
            "setting": self.setting(),
            "reproduced": self.reproduced,
            "reproduced_share": self.reproduced_share,
            "infeasible": self.infeasible,
            "partners": _records(self.partners),
            "fragility": _records(self.fragility),
            "frequency": {
                r: {s: float(v) for s, v in row.items() if v > 0}
                for r, row in self.frequency.iterrows()
            },
            "per_sample": samples,
        }


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def sample_weights(weights: dict[str, float], samples: int, spread: float, seed: int) -> np.ndarray:
    """``samples`` × criteria array of uniformly perturbed, renormalised weights."""
    base = np.array(list(weights.values()), dtype=float)
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(samples, base.size))
    raw = base * factors
    return raw / raw.sum(axis=1, keepdims=True)


def dirichlet_weights(
    weights: Mapping[str, float], samples: int, concentration: float, seed: int
) -> np.ndarray:
    r"""``samples`` × criteria weights from :math:`\mathrm{Dirichlet}(\kappa k w)` (mean ``w``).

    ``k`` counts the criteria with positive weight; zero weights stay 0.
    """
    base = np.array(list(weights.values()), dtype=float)
    used = base > 0
    out = np.zeros((samples, base.size))
    rng = np.random.default_rng(seed)
    alpha = concentration * int(used.sum()) * base[used] / base[used].sum()
    out[:, used] = rng.dirichlet(alpha, size=samples)
    return out


def sensitivity(
    problem: MatchingProblem,
    settings: MatchSettings | None = None,
    samples: int | None = None,
    spread: float | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    mode: str | None = None,
    concentration: float | None = None,
    data_noise: float | None = None,
    willingness_noise: float | None = None,
) -> SensitivityResult:
    """Re-solve under ``samples`` drawn weight vectors and noisy data (see the module doc).

    Every option defaults to ``settings.sensitivity`` (``samples`` to it when positive, else
    :data:`DEFAULT_SAMPLES`). ``progress(done, total)`` is called after every tenth of the
    samples (long IP runs).

    Raises :class:`~matching.forcing.AnalysisError` when the base rules admit no pairing, for
    options out of range, and for data noise on a problem without ``details['indicators']``.
    """
    settings = settings or MatchSettings()
    opts = settings.sensitivity
    if samples is None:
        samples = opts.samples if opts.samples > 0 else DEFAULT_SAMPLES
    spread = opts.spread if spread is None else spread
    seed = opts.seed if seed is None else seed
    mode = opts.mode if mode is None else mode
    concentration = opts.concentration if concentration is None else concentration
    data_noise = opts.data_noise if data_noise is None else data_noise
    willingness_noise = opts.willingness_noise if willingness_noise is None else willingness_noise
    bad = []
    if samples < 1:
        bad.append(f"samples must be at least 1, got {samples!r}")
    if not 0.0 <= spread < 1.0:
        bad.append(f"spread must be in [0, 1), got {spread!r}")
    if mode not in SENSITIVITY_MODES:
        bad.append(f"mode must be one of {', '.join(SENSITIVITY_MODES)}, got {mode!r}")
    if not concentration > 0:
        bad.append(f"concentration must be positive, got {concentration!r}")
    if not 0.0 <= data_noise < 1.0:
        bad.append(f"data_noise must be in [0, 1), got {data_noise!r}")
    if not 0.0 <= willingness_noise <= 1.0:
        bad.append(f"willingness_noise must be in [0, 1], got {willingness_noise!r}")
    if data_noise and "indicators" not in problem.details:
        bad.append(
            "data_noise needs a problem made by matching.prepare (details['indicators'] holds "
            "the strength indicators it perturbs)"
        )
    if bad:
        raise AnalysisError("; ".join(bad))
    form = use_assignment(problem, settings)
    base_pairs, _ = base_pairing(problem, settings, None, form)
    base = frozenset(base_pairs)
    names = list(problem.weights)
    if mode == "dirichlet":
        drawn = dirichlet_weights(problem.weights, samples, concentration, seed)
    else:
        drawn = sample_weights(dict(problem.weights), samples, spread, seed)
    data_rng = np.random.default_rng([seed, 1])
    will_rng = np.random.default_rng([seed, 2])
    n_r, n_s = len(problem.recipients), len(problem.supporters)
    counts = np.zeros((n_r, n_s))
    base_cells = problem.cells_of(tuple(base_pairs))
    chosen_base = np.zeros((samples, len(base_cells)), dtype=bool)
    own: dict[str, np.ndarray] = {}  # the pair's own noisy criterion value, per sample
    if data_noise:
        own["strength"] = np.full((samples, len(base_cells)), np.nan)
    if willingness_noise:
        own["willingness"] = np.full((samples, len(base_cells)), np.nan)
    base_will = (
        _willingness(problem, settings, problem.recipient_prefs, problem.supporter_prefs)
        if willingness_noise
        else None
    )
    rows: list[dict[str, object]] = []
    pair_rows: list[tuple[int, str, str]] = []
    infeasible = reproduced = 0
    step = max(1, samples // 10)
    for k, w in enumerate(drawn):
        if progress is not None and k and k % step == 0:
            progress(k, samples)  # k samples done
        matrices = dict(problem.criteria)
        r_prefs, s_prefs = problem.recipient_prefs, problem.supporter_prefs
        lists_changed = 0
        if data_noise:
            matrices["strength"] = _noisy_strength(problem, settings, data_noise, data_rng)
        if willingness_noise:
            assert base_will is not None
            r_prefs = _noisy_lists(problem.recipient_prefs, willingness_noise, will_rng)
            s_prefs = _noisy_lists(problem.supporter_prefs, willingness_noise, will_rng)
            lists_changed = sum(r_prefs[c] != v for c, v in problem.recipient_prefs.items())
            lists_changed += sum(s_prefs[c] != v for c, v in problem.supporter_prefs.items())
            noisy = _willingness(problem, settings, r_prefs, s_prefs)
            base_matrix = np.asarray(problem.criteria["willingness"], dtype=float)
            matrices["willingness"] = np.clip(base_matrix + noisy - base_will, 0.0, 1.0)
        for c, values in own.items():
            values[k] = np.asarray(matrices[c])[base_cells[:, 0], base_cells[:, 1]]
        perturbed = dataclasses.replace(
            problem,
            criteria=matrices,
            weights={c: float(v) for c, v in zip(names, w, strict=True)},
            recipient_prefs=r_prefs,
            supporter_prefs=s_prefs,
        )
        pairs = _solve_sample(perturbed, settings, form is not None)
        row: dict[str, object] = {"sample": k}
        row |= {f"w_{c}": float(v) for c, v in zip(names, w, strict=True)}
        if pairs is None:
            infeasible += 1
            blank = {"feasible": False, "reproduced": False, "changed": None}
            rows.append(row | blank | {"lists_changed": lists_changed})
            continue
        cells = problem.cells_of(pairs)
        np.add.at(counts, (cells[:, 0], cells[:, 1]), 1.0)
        picked = set(pairs)
        chosen_base[k] = [p in picked for p in base_pairs]
        same = frozenset(pairs) == base
        reproduced += same
        rows.append(
            row
            | {
                "feasible": True,
                "reproduced": same,
                "changed": int((~chosen_base[k]).sum()),
                "lists_changed": lists_changed,
            }
        )
        pair_rows.extend((k, r, s) for r, s in pairs)
    if progress is not None:
        progress(samples, samples)
    feasible = samples - infeasible
    freq = counts / feasible if feasible else counts
    frequency = pd.DataFrame(freq, index=list(problem.recipients), columns=list(problem.supporters))
    sample_table = pd.DataFrame(rows)
    ok = sample_table["feasible"].to_numpy(dtype=bool)
    drivers = {f"weight:{c}": drawn[:, j] for j, c in enumerate(names)}
    fragility = _fragility(problem, base_pairs, frequency, chosen_base[ok], drivers, own, ok)
    pairs_frame = pd.DataFrame(pair_rows, columns=["sample", "recipient", "supporter"])
    pairs_frame["recipient_name"] = [problem.name(r) for r in pairs_frame["recipient"]]
    pairs_frame["supporter_name"] = [problem.name(s) for s in pairs_frame["supporter"]]
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
        partners=_partners(problem, base_pairs, frequency, fragility),
        mode=mode,
        concentration=concentration,
        data_noise=data_noise,
        willingness_noise=willingness_noise,
        counts=pd.DataFrame(
            counts, index=list(problem.recipients), columns=list(problem.supporters)
        ),
        fragility=fragility,
        sample_table=sample_table,
        sample_pairs=pairs_frame,
    )


def _noisy_strength(
    problem: MatchingProblem, settings: MatchSettings, sigma: float, rng: np.random.Generator
) -> np.ndarray:
    """The strength-and-need matrix from the indicator table times ``exp(sigma * z)``."""
    from matching.prepare import indicator_weights  # prepare imports the analyses' options

    raw = problem.details["indicators"]
    assert isinstance(raw, pd.DataFrame)
    noisy = raw * np.exp(sigma * rng.standard_normal(raw.shape))
    normalised = minmax_normalise(noisy)
    index = strength_index(normalised, indicator_weights(normalised, settings).to_dict())
    m = crit.strength_need(index.to_dict(), problem.recipients, problem.supporters)
    m.setflags(write=False)
    return m


def _noisy_lists(
    prefs: Mapping[str, tuple[str, ...]], p: float, rng: np.random.Generator
) -> dict[str, tuple[str, ...]]:
    """Each list with entries dropped (prob. ``p``, at least one kept) and neighbours swapped."""
    out: dict[str, tuple[str, ...]] = {}
    for county in sorted(prefs):  # a fixed order: the draws do not depend on dict order
        listed = list(prefs[county])
        if listed:
            keep = rng.random(len(listed)) >= p
            if not keep.any():
                keep[int(rng.integers(len(listed)))] = True
            listed = [c for c, kept in zip(listed, keep, strict=True) if kept]
            swaps = rng.random(max(0, len(listed) - 1)) < p
            for i in np.flatnonzero(swaps):
                listed[i], listed[i + 1] = listed[i + 1], listed[i]
        out[county] = tuple(listed)
    return out


def _willingness(
    problem: MatchingProblem,
    settings: MatchSettings,
    r_prefs: Mapping[str, Sequence[str]],
    s_prefs: Mapping[str, Sequence[str]],
) -> np.ndarray:
    cs = settings.criteria
    return crit.willingness(
        problem.recipients,
        problem.supporters,
        r_prefs,
        s_prefs,
        unlisted=cs.willingness_unlisted,
        no_list=cs.willingness_no_list,
    )


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation; NaN when either side is constant."""
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    rx, ry = pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy()  # average ranks
    return float(np.corrcoef(rx, ry)[0, 1])


#: Prefix of each pair-own driver: data noise moves strength, list noise moves willingness.
_OWN_PREFIX = {"strength": "data:", "willingness": "lists:"}

#: Driver name -> words for the reading of a fragility row (``{dir}`` is raised/lowered).
_DRIVER_WORDS = {
    "weight": "the {c} weight",
    "strength": "its strength-and-need value (data noise)",
    "willingness": "its willingness value (list noise)",
}

#: The same in Chinese (``{c}`` is the criterion's Chinese name).
_DRIVER_WORDS_ZH = {
    "weight": "{c}权重",
    "strength": "本结对的实力匹配值（数据扰动）",
    "willingness": "本结对的意愿值（名单扰动）",
}


#: The built-in criteria's Chinese names (a criterion added by a scenario shows its code).
_CRITERIA_ZH = {
    "strength": "实力匹配度",
    "industry": "产业互补度",
    "resource": "资源禀赋互补度",
    "distance": "距离得分",
    "willingness": "意愿得分",
    "plan": "规划契合度",
}


def _criterion_zh(name: str) -> str:
    return _CRITERIA_ZH.get(name, name)


def _fragility(
    problem: MatchingProblem,
    base_pairs: Sequence[Pair],
    frequency: pd.DataFrame,
    kept: np.ndarray,
    drivers: Mapping[str, np.ndarray],
    own: Mapping[str, np.ndarray],
    feasible: np.ndarray,
) -> pd.DataFrame:
    """Per base pair: kept share, modal partner, and the setting most correlated with keeping it."""
    cols = [
        "recipient",
        "recipient_name",
        "supporter",
        "supporter_name",
        "kept_share",
        "modal_partner",
        "modal_partner_name",
        "modal_share",
        "driver",
        "driver_rho",
        "reading",
        "reading_zh",
    ]
    out = []
    for j, (r, s) in enumerate(base_pairs):
        row = frequency.loc[r]
        modal = str(row.idxmax())
        choice = kept[:, j].astype(float)
        best, rho = "", float("nan")
        candidates = {k: v[feasible] for k, v in drivers.items()}
        candidates |= {_OWN_PREFIX[c] + c: v[feasible, j] for c, v in own.items()}
        for name, values in candidates.items():
            value = _spearman(values, choice)
            if np.isfinite(value) and (not np.isfinite(rho) or abs(value) > abs(rho) + 1e-12):
                best, rho = name, value
        if best:
            kind, _, c = best.partition(":")
            what = _DRIVER_WORDS["weight"].format(c=c) if kind == "weight" else _DRIVER_WORDS[c]
            side = "higher" if rho > 0 else "lower"
            reading = f"kept more often the {side} {what} (rho {rho:+.2f})"
            what_zh = (
                _DRIVER_WORDS_ZH["weight"].format(c=_criterion_zh(c))
                if kind == "weight"
                else _DRIVER_WORDS_ZH[c]
            )
            reading_zh = f"{what_zh}越{'高' if rho > 0 else '低'}越常保留（秩相关 {rho:+.2f}）"
        else:
            always = float(row[s]) >= 1.0
            reading = "kept in every sample" if always else "no setting explains it"
            reading_zh = "每次抽样均保留" if always else "没有哪项设置能解释"
        out.append(
            {
                "recipient": r,
                "recipient_name": problem.name(r),
                "supporter": s,
                "supporter_name": problem.name(s),
                "kept_share": float(row[s]),
                "modal_partner": modal,
                "modal_partner_name": problem.name(modal),
                "modal_share": float(row[modal]),
                "driver": best or None,
                "driver_rho": rho,
                "reading": reading,
                "reading_zh": reading_zh,
            }
        )
    frame = pd.DataFrame(out, columns=cols)
    if frame.empty:
        return frame
    order = np.lexsort((np.arange(len(frame)), frame["kept_share"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _solve_sample(
    perturbed: MatchingProblem, settings: MatchSettings, fast: bool
) -> tuple[Pair, ...] | None:
    """The verified optimum under one sample, or ``None`` when it is infeasible."""
    if fast:
        form = use_assignment(perturbed, settings)
        assert form is not None  # same rules, so the same form applies
        found = solve_assignment(form)
        if found is None:
            return None
        pairs = pairs_from_columns(perturbed, found[0])
        ver = verified(perturbed, settings, pairs)
        cells = perturbed.cells_of(pairs)
        # the objective from the sample's own criteria and weights, independently of the
        # problem's cached score matrix
        expected = sum(
            float(w) * float(np.asarray(perturbed.criteria[c])[cells[:, 0], cells[:, 1]].sum())
            for c, w in perturbed.weights.items()
        ) + _terms(perturbed, settings, pairs)
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
    problem: MatchingProblem,
    base_pairs: tuple[Pair, ...],
    frequency: pd.DataFrame,
    fragility: pd.DataFrame,
) -> pd.DataFrame:
    base_of: dict[str, list[str]] = {}
    for r, s in base_pairs:
        base_of.setdefault(r, []).append(s)
    weakest = fragility.drop_duplicates("recipient").set_index("recipient")  # most fragile first
    rows = []
    for r in problem.recipients:
        row = frequency.loc[r]
        modal = str(row.idxmax())
        base = base_of.get(r, [])
        driver = weakest.loc[r] if r in weakest.index else None
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
                "driver": None if driver is None else driver["driver"],
                "driver_rho": float("nan") if driver is None else float(driver["driver_rho"]),
            }
        )
    return pd.DataFrame(rows)
