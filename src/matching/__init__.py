"""shanchuan pairing engine: ``prepare`` → ``build`` → ``solve`` → ``verify``.

>>> from matching import MatchSettings, solve
>>> MatchSettings().objective
'weighted_sum'
"""

from matching.model import MatchModel, build
from matching.options import (
    CriteriaSettings,
    ExplainSettings,
    MatchRules,
    MatchSettings,
    OptionsError,
    Weights,
)
from matching.prepare import prepare
from matching.problem import CRITERIA, InputError, MatchingInputs, MatchingProblem
from matching.result import ChosenPair, MatchResult, MatchStatus
from matching.solve import solve
from matching.solvers import SolverError, SolverOptions, available_solvers
from matching.verify import Verification, verify

__all__ = [
    "CRITERIA",
    "ChosenPair",
    "CriteriaSettings",
    "ExplainSettings",
    "InputError",
    "MatchModel",
    "MatchResult",
    "MatchRules",
    "MatchSettings",
    "MatchStatus",
    "MatchingInputs",
    "MatchingProblem",
    "OptionsError",
    "SolverError",
    "SolverOptions",
    "Verification",
    "Weights",
    "available_solvers",
    "build",
    "prepare",
    "solve",
    "verify",
]

# ---------------------------------------------------------------------------------------------
# Analysis helper's exports (forcing costs, alternatives, sensitivity, stability, diagnosis):
# add imports and extend __all__ below this line.
# ---------------------------------------------------------------------------------------------
