"""shanchuan pairing engine: ``prepare`` → ``build`` → ``solve`` → ``verify``.

>>> from matching import MatchSettings, solve
>>> MatchSettings().objective
'weighted_sum'
"""

from matching.model import ExtraRow, MatchModel, build
from matching.options import (
    CriteriaSettings,
    ExplainSettings,
    MatchRules,
    MatchSettings,
    OptionsError,
    SensitivitySettings,
    Weights,
)
from matching.prepare import prepare
from matching.problem import CRITERIA, InputError, MatchingInputs, MatchingProblem
from matching.result import ChosenPair, MatchResult, MatchStatus
from matching.rules import REGISTRY, Route, Rule, register, unregister
from matching.solve import solve
from matching.verify import Verification, verify
from solverkit.registry import SolverError, SolverOptions, available_solvers

__all__ = [
    "CRITERIA",
    "REGISTRY",
    "ChosenPair",
    "CriteriaSettings",
    "ExplainSettings",
    "ExtraRow",
    "InputError",
    "MatchModel",
    "MatchResult",
    "MatchRules",
    "MatchSettings",
    "MatchStatus",
    "MatchingInputs",
    "MatchingProblem",
    "OptionsError",
    "Route",
    "Rule",
    "SensitivitySettings",
    "SolverError",
    "SolverOptions",
    "Verification",
    "Weights",
    "available_solvers",
    "build",
    "prepare",
    "register",
    "solve",
    "unregister",
    "verify",
]

from matching.alternatives import Alternative, alternatives, alternatives_frame
from matching.calibrate import Agreement, Calibration, CalibrationError, agreement, calibrate
from matching.diagnose import Diagnosis, Relaxation, RuleItem, diagnose
from matching.explain import explain_pairs
from matching.forcing import AnalysisError, forcing_costs, forcing_matrix
from matching.sensitivity import SensitivityResult, sensitivity
from matching.stability import blocking_pairs, is_stable

__all__ += [
    "Agreement",
    "Alternative",
    "AnalysisError",
    "Calibration",
    "CalibrationError",
    "Diagnosis",
    "Relaxation",
    "RuleItem",
    "SensitivityResult",
    "agreement",
    "alternatives",
    "alternatives_frame",
    "blocking_pairs",
    "calibrate",
    "diagnose",
    "explain_pairs",
    "forcing_costs",
    "forcing_matrix",
    "is_stable",
    "sensitivity",
]
