"""shanchuan special-fund allocation engine.

Stages with public seams: :func:`prepare` (frames → validated :class:`AllocationProblem`),
:func:`build` (problem → PuLP model, one ``add_*`` per constraint family), :func:`solve`
(→ :class:`AllocationResult`, verified by :func:`verify` independently of the solver),
:func:`diagnose` (infeasible rules → conflicting families and smallest relaxations).
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
)
from allocation.model import FAMILIES, RELAXABLE, AllocationModel, build
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
from allocation.run import Run, run_model
from allocation.solve import solve
from allocation.verify import Verification, Violation, verify

__all__ = [
    "CATEGORIES",
    "FAMILIES",
    "PRIORITY_FLAGS",
    "PROJECT_COLUMNS",
    "RELAXABLE",
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
    "InputProblem",
    "LeftOut",
    "Pair",
    "Project",
    "Relaxation",
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
    "rule_costs",
    "run_model",
    "solve",
    "verify",
]
