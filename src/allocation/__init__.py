"""shanchuan special-fund allocation engine.

Stages with public seams: :func:`prepare` (frames → validated :class:`AllocationProblem`),
:func:`build` (problem → PuLP model, one ``add_*`` per constraint family), :func:`solve`
(→ :class:`AllocationResult`, verified by :func:`verify` independently of the solver),
:func:`diagnose` (infeasible rules → conflicting families and smallest relaxations).

Every rule is one record of :mod:`allocation.rules` (settings, model rows, check, relaxations,
blockers, labels); ``solve(..., extra_constraints=fn)`` adds rows of the caller's own.
"""

from allocation.benefit import gini, project_value
from allocation.diagnose import (
    Diagnosis,
    Relaxation,
    RuleCost,
    Unfunded,
    best_unfunded,
    diagnose,
    rule_costs,
    why_unfunded,
)
from allocation.model import AllocationModel, ExtraConstraints, build
from allocation.options import (
    AllocationSettings,
    AllocationSettingsError,
    AnalysisSettings,
    BenefitWeights,
)
from allocation.prepare import prepare
from allocation.problem import (
    CATEGORIES,
    PRIORITY_FLAGS,
    PROJECT_COLUMNS,
    AllocationInputError,
    AllocationInputs,
    AllocationProblem,
    Category,
    InputProblem,
    LeftOut,
    Pair,
    Project,
)
from allocation.result import AllocationResult
from allocation.rules import FAMILIES, RELAXABLE, RULE_LABELS, RULES, Labels, Rule, register
from allocation.run import Run, run_model
from allocation.solve import solve
from allocation.verify import Verification, Violation, verify

__all__ = [
    "CATEGORIES",
    "FAMILIES",
    "PRIORITY_FLAGS",
    "PROJECT_COLUMNS",
    "RELAXABLE",
    "RULES",
    "RULE_LABELS",
    "AllocationInputError",
    "AllocationInputs",
    "AllocationModel",
    "AllocationProblem",
    "AllocationResult",
    "AllocationSettings",
    "AllocationSettingsError",
    "AnalysisSettings",
    "BenefitWeights",
    "Category",
    "Diagnosis",
    "ExtraConstraints",
    "InputProblem",
    "Labels",
    "LeftOut",
    "Pair",
    "Project",
    "Relaxation",
    "Rule",
    "RuleCost",
    "Run",
    "Unfunded",
    "Verification",
    "Violation",
    "best_unfunded",
    "build",
    "diagnose",
    "gini",
    "prepare",
    "project_value",
    "register",
    "rule_costs",
    "run_model",
    "solve",
    "verify",
    "why_unfunded",
]
