"""shanchuan application layer: scenarios, the CLI, result archives and exports.

The public stages (:mod:`shanchuan.stages`) on a scenario loaded once:

>>> import shanchuan
>>> loaded = shanchuan.load()            # the built-in default, hubei-2021
>>> loaded.name
'hubei-2021'
>>> outcome = shanchuan.solve(shanchuan.prepare(loaded), progress=lambda line: None)
>>> outcome.status.value
'optimal'

and the one-call API :func:`match`, :func:`allocate`, :func:`run` that composes them.
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

# Names -> the module that holds them. The pipeline pulls in both engines, so it is imported
# on first use: `shanchuan --version` and `python -m shanchuan.schemas` stay light.
_LAZY = {
    "AllocationOutcome": "shanchuan.outcomes",
    "Analyses": "shanchuan.outcomes",
    "MatchOutcome": "shanchuan.outcomes",
    "RunOutcome": "shanchuan.outcomes",
    "Loaded": "shanchuan.loaded",
    "load": "shanchuan.loaded",
    "prepare": "shanchuan.stages",
    "solve": "shanchuan.stages",
    "analyse": "shanchuan.stages",
    "report": "shanchuan.stages",
    "allocate": "shanchuan.pipeline",
    "compare": "shanchuan.comparison",
    "Comparison": "shanchuan.comparison",
    "load_scenario": "shanchuan.pipeline",
    "match": "shanchuan.pipeline",
    "run": "shanchuan.pipeline",
    "sweep": "shanchuan.sweep.run",
    "SweepResult": "shanchuan.sweep.run",
    "SCHEMA_VERSION": "shanchuan.contract",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'shanchuan' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The lazy names are not module globals until first used: list the public API instead of
    # whatever submodules happen to be imported (`dir(shanchuan)`, tab completion).
    return sorted(__all__)


__all__ = [
    "SCHEMA_VERSION",
    "AllocationOutcome",
    "Analyses",
    "Comparison",
    "InfeasibleError",
    "InputError",
    "Loaded",
    "MatchOutcome",
    "Problem",
    "RunOutcome",
    "ScenarioError",
    "ShanchuanError",
    "SolveFailedError",
    "SweepResult",
    "__version__",
    "allocate",
    "analyse",
    "compare",
    "load",
    "load_scenario",
    "match",
    "prepare",
    "report",
    "run",
    "solve",
    "sweep",
]
