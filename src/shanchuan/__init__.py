"""shanchuan application layer: scenarios, the CLI, result archives and exports.

>>> import shanchuan
>>> shanchuan.load_scenario().name
'hubei-2021'
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from shanchuan.errors import (  # after __version__: submodules read it
    InfeasibleError,
    InputError,
    Problem,
    ScenarioError,
    ShanchuanError,
    SolveFailedError,
)

# The pipeline pulls in both engines; it is imported on first use so that
# `python -m shanchuan.schemas` and `shanchuan --version` stay light.
_PIPELINE = (
    "AllocationOutcome",
    "Analyses",
    "MatchOutcome",
    "RunOutcome",
    "allocate",
    "load_scenario",
    "match",
    "run",
)


def __getattr__(name: str) -> Any:
    if name in _PIPELINE:
        from shanchuan import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'shanchuan' has no attribute {name!r}")


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
