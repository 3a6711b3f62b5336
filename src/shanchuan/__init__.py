"""shanchuan application layer: scenarios, the CLI, result archives and exports.

>>> import shanchuan
>>> shanchuan.load_scenario().name
'hubei-2021'
"""

__version__ = "0.1.0"

from shanchuan.errors import (  # after __version__: submodules read it
    InfeasibleError,
    InputError,
    Problem,
    ScenarioError,
    ShanchuanError,
    SolveFailedError,
)
from shanchuan.pipeline import (
    AllocationOutcome,
    Analyses,
    MatchOutcome,
    RunOutcome,
    allocate,
    load_scenario,
    match,
    run,
)

__all__ = [
    "AllocationOutcome",
    "Analyses",
    "InfeasibleError",
    "InputError",
    "MatchOutcome",
    "Problem",
    "RunOutcome",
    "ScenarioError",
    "ShanchuanError",
    "SolveFailedError",
    "__version__",
    "allocate",
    "load_scenario",
    "match",
    "run",
]
