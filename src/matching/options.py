"""Frozen, closed option objects of the pairing engine.

Every field is a scenario key (``[matching.<group>] <field>``); its ``metadata["doc"]`` is the
documentation the application layer prints and checks unknown keys against. Fields whose
metadata has ``"counties": "pairs"`` hold ``(recipient, supporter)`` id pairs; ``"counties":
"ids"`` holds county ids. The application layer resolves Annex-2 names to ids before building
these objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matching.indicators import STRENGTH_INDICATORS
from solverkit.registry import SolverOptions

Pair = tuple[str, str]


class OptionsError(ValueError):
    """An option value is outside what the engine accepts."""


@dataclass(frozen=True)
class Weights:
    """Criterion weights (any non-negative numbers; they are normalised to sum to 1)."""

    strength: float = field(default=0.30, metadata={"doc": "Comprehensive strength and need."})
    industry: float = field(default=0.25, metadata={"doc": "Industrial layout fit."})
    resource: float = field(default=0.15, metadata={"doc": "Resource endowment fit."})
    distance: float = field(default=0.15, metadata={"doc": "Spatial distance (nearer is better)."})
    willingness: float = field(default=0.10, metadata={"doc": "Both sides' stated willingness."})
    plan: float = field(default=0.05, metadata={"doc": "14th-FYP regional strategy alignment."})

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.as_dict().items() if not (v >= 0 and math.isfinite(v))}
        if bad:
            raise OptionsError(f"weights must be finite and non-negative, got {bad}")
        if sum(self.as_dict().values()) <= 0:
            raise OptionsError("at least one criterion weight must be positive")

    def as_dict(self) -> dict[str, float]:
        """The raw weights by criterion name."""
        return {
            "strength": self.strength,
            "industry": self.industry,
            "resource": self.resource,
            "distance": self.distance,
            "willingness": self.willingness,
            "plan": self.plan,
        }

    def normalised(self) -> dict[str, float]:
        """The weights divided by their sum."""
        total = sum(self.as_dict().values())
        return {k: v / total for k, v in self.as_dict().items()}


@dataclass(frozen=True)
class MatchRules:
    """Planners' rules. The defaults are the plan's one-to-one pairing with no side rules."""

    supporter_capacity: int = field(
        default=1, metadata={"doc": "Recipients one supporter may take."}
    )
    recipient_demand: int = field(default=1, metadata={"doc": "Supporters each recipient gets."})
    locks: tuple[Pair, ...] = field(
        default=(), metadata={"doc": "Pairs that must be chosen.", "counties": "pairs"}
    )
    forbids: tuple[Pair, ...] = field(
        default=(), metadata={"doc": "Pairs that must not be chosen.", "counties": "pairs"}
    )
    max_distance: float = field(
        default=math.inf,
        metadata={"doc": "No pair farther apart than this (inf = no cap).", "unit": "km"},
    )
    prefecture_spread: int = field(
        default=0,
        metadata={
            "doc": "At most this many recipients of one prefecture served from one supporter "
            "prefecture (0 = no limit)."
        },
    )
    min_pair_score: float = field(
        default=0.0, metadata={"doc": "Every chosen pair scores at least this (0..1)."}
    )
    max_changes: int = field(
        default=-1,
        metadata={"doc": "At most this many pairs differ from the incumbent (-1 = no limit)."},
    )
    change_penalty: float = field(
        default=0.0,
        metadata={"doc": "Objective penalty per incumbent pair not kept (score units)."},
    )
    stable: bool = field(
        default=False,
        metadata={"doc": "No blocking pair among acceptable pairs of the willingness lists."},
    )

    def __post_init__(self) -> None:
        problems = []
        if self.supporter_capacity < 1:
            problems.append(
                f"supporter_capacity must be at least 1, got {self.supporter_capacity!r}"
            )
        if self.recipient_demand < 1:
            problems.append(f"recipient_demand must be at least 1, got {self.recipient_demand!r}")
        if not self.max_distance > 0:
            problems.append(
                f"max_distance must be positive (inf = no cap), got {self.max_distance!r}"
            )
        if self.prefecture_spread < 0:
            problems.append(
                f"prefecture_spread must be 0 (no limit) or positive, "
                f"got {self.prefecture_spread!r}"
            )
        if not 0.0 <= self.min_pair_score <= 1.0:
            problems.append(f"min_pair_score must be in [0, 1], got {self.min_pair_score!r}")
        if self.max_changes < -1:
            problems.append(f"max_changes must be -1 (no limit) or >= 0, got {self.max_changes!r}")
        if not (self.change_penalty >= 0 and math.isfinite(self.change_penalty)):
            problems.append(f"change_penalty must be finite and >= 0, got {self.change_penalty!r}")
        if self.stable and self.recipient_demand != 1:
            problems.append(
                "stable = true needs recipient_demand = 1 (one supporter per recipient)"
            )
        both = set(self.locks) & set(self.forbids)
        if both:
            problems.append(f"pairs both locked and forbidden: {sorted(both)}")
        if problems:
            raise OptionsError("; ".join(problems))


@dataclass(frozen=True)
class CriteriaSettings:
    """How the criteria matrices are computed from the data."""

    strength_weighting: str = field(
        default="entropy",
        metadata={"doc": "Indicator weights of the strength index: 'entropy' or 'given'."},
    )
    indicator_weights: tuple[tuple[str, float], ...] = field(
        default=(),
        metadata={"doc": "With strength_weighting = 'given': (indicator, weight) pairs."},
    )
    distance_scale: float = field(
        default=250.0,
        metadata={"doc": "Distance decay scale: score = exp(-d / scale).", "unit": "km"},
    )
    willingness_unlisted: float = field(
        default=0.0,
        metadata={"doc": "Score of a partner absent from a county's list (0..1)."},
    )
    willingness_no_list: float = field(
        default=0.5,
        metadata={"doc": "Score given by a county that stated no list at all (0..1)."},
    )
    plan_cluster_share: float = field(
        default=0.5,
        metadata={
            "doc": "Share of the plan criterion from 'same city cluster'; the rest is the "
            "overlap of the recipient's focus sectors with the supporter's industries (0..1)."
        },
    )

    def __post_init__(self) -> None:
        problems = []
        if self.strength_weighting not in ("entropy", "given"):
            problems.append(
                f"strength_weighting must be 'entropy' or 'given', got {self.strength_weighting!r}"
            )
        names = [k for k, _ in self.indicator_weights]
        unknown = sorted(set(names) - set(STRENGTH_INDICATORS))
        if unknown:
            problems.append(
                f"unknown strength indicators {unknown}; known: {', '.join(STRENGTH_INDICATORS)}"
            )
        if len(set(names)) != len(names):
            problems.append("indicator_weights names an indicator twice")
        if any(not (w >= 0 and math.isfinite(w)) for _, w in self.indicator_weights):
            problems.append("indicator_weights must be finite and non-negative")
        if self.strength_weighting == "given" and not any(w > 0 for _, w in self.indicator_weights):
            problems.append(
                "strength_weighting = 'given' needs indicator_weights with a positive weight"
            )
        if not (self.distance_scale > 0 and math.isfinite(self.distance_scale)):
            problems.append(f"distance_scale must be positive, got {self.distance_scale!r}")
        for key in ("willingness_unlisted", "willingness_no_list", "plan_cluster_share"):
            value = getattr(self, key)
            if not 0.0 <= value <= 1.0:
                problems.append(f"{key} must be in [0, 1], got {value!r}")
        if problems:
            raise OptionsError("; ".join(problems))


@dataclass(frozen=True)
class ExplainSettings:
    """Explanations of the chosen pairs."""

    language: str = field(default="zh", metadata={"doc": "Text of the reasons: 'zh' or 'en'."})


#: The weight-sampling modes of :mod:`matching.sensitivity`.
SENSITIVITY_MODES = ("uniform", "dirichlet")


@dataclass(frozen=True)
class SensitivitySettings:
    """The robustness analysis (:func:`matching.sensitivity`): ``samples > 0`` switches it on.

    The other keys only shape that analysis (the section's name says so, and
    :meth:`shaping` lists those set while it is off, for a warning).
    """

    samples: int = field(
        default=0,
        metadata={
            "doc": "Samples of the robustness analysis; 0 = off (CLI: --sensitivity N). "
            "Each sample re-solves under drawn weights and, when asked, noisy data."
        },
    )
    mode: str = field(
        default="uniform",
        metadata={
            "doc": "'uniform': each weight times U[1 - spread, 1 + spread]; 'dirichlet': "
            "weights ~ Dirichlet(concentration * k * w) over the simplex (mean w)."
        },
    )
    spread: float = field(
        default=0.2, metadata={"doc": "Mode 'uniform': relative spread of each weight, [0, 1)."}
    )
    concentration: float = field(
        default=1.0,
        metadata={
            "doc": "Mode 'dirichlet': concentration (> 0); 1 with equal weights is uniform "
            "over the simplex, larger stays closer to the given weights."
        },
    )
    data_noise: float = field(
        default=0.0,
        metadata={
            "doc": "Relative sd of multiplicative noise on every strength indicator column "
            "(GDP, revenue, incomes, population), per county and sample; 0 = none."
        },
    )
    willingness_noise: float = field(
        default=0.0,
        metadata={
            "doc": "Probability that a stated willingness entry is dropped, and that two "
            "neighbouring entries swap, per sample; 0 = none."
        },
    )
    seed: int = field(default=20210101, metadata={"doc": "Seed of the robustness sampling."})

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.samples, int) or self.samples < 0:
            problems.append(f"samples must be 0 (off) or a positive integer, got {self.samples!r}")
        if self.mode not in SENSITIVITY_MODES:
            known = ", ".join(SENSITIVITY_MODES)
            problems.append(f"mode must be one of {known}, got {self.mode!r}")
        if not 0.0 <= self.spread < 1.0:
            problems.append(f"spread must be in [0, 1), got {self.spread!r}")
        if not (self.concentration > 0 and math.isfinite(self.concentration)):
            problems.append(f"concentration must be positive, got {self.concentration!r}")
        if not (0.0 <= self.data_noise < 1.0):
            problems.append(f"data_noise must be in [0, 1), got {self.data_noise!r}")
        if not 0.0 <= self.willingness_noise <= 1.0:
            problems.append(f"willingness_noise must be in [0, 1], got {self.willingness_noise!r}")
        if problems:
            raise OptionsError("; ".join(problems))

    @property
    def on(self) -> bool:
        """Whether the analysis runs."""
        return self.samples > 0

    def shaping(self) -> list[str]:
        """The keys set away from their defaults that only shape the analysis."""
        default = SensitivitySettings()
        return [
            name
            for name in ("mode", "spread", "concentration", "data_noise", "willingness_noise")
            if getattr(self, name) != getattr(default, name)
        ]


@dataclass(frozen=True)
class MatchSettings:
    """Everything under ``[matching]`` in a scenario file."""

    objective: str = field(
        default="weighted_sum",
        metadata={"doc": "'weighted_sum', or 'maxmin' (best worst pair, then weighted sum)."},
    )
    fast_path: bool = field(
        default=True,
        metadata={
            "doc": "Use scipy's exact assignment solver when the problem is a pure assignment, "
            "and the Lagrangian route (assignment bounds, warm start) when a prefecture "
            "spread is the only other rule; false = always the integer program."
        },
    )
    maxmin_tolerance: float = field(
        default=1e-6,
        metadata={
            "doc": "With objective = 'maxmin': the second stage keeps the worst pair's score "
            "at least t* - tolerance."
        },
    )
    weights: Weights = field(default_factory=Weights)
    criteria: CriteriaSettings = field(default_factory=CriteriaSettings)
    rules: MatchRules = field(default_factory=MatchRules)
    solver: SolverOptions = field(default_factory=SolverOptions)
    explain: ExplainSettings = field(default_factory=ExplainSettings)
    sensitivity: SensitivitySettings = field(default_factory=SensitivitySettings)

    def __post_init__(self) -> None:
        if self.objective not in ("weighted_sum", "maxmin"):
            raise OptionsError(
                f"objective must be 'weighted_sum' or 'maxmin', got {self.objective!r}"
            )
        if not 0.0 <= self.maxmin_tolerance < 1.0:
            raise OptionsError(f"maxmin_tolerance must be in [0, 1), got {self.maxmin_tolerance!r}")
