"""The application layer's exceptions, on the shared hierarchy of :mod:`solverkit.errors`.

Each maps to one CLI exit code.

=====  =================================================================
code   meaning
=====  =================================================================
0      solved, and the solution verified
2      bad input: a file, a scenario key, an override, a CLI argument
3      the rules are infeasible (a diagnosis is printed)
4      the solver failed or stopped without a verified solution
=====  =================================================================
"""

from __future__ import annotations

from solverkit.errors import (
    InfeasibleError,
    Problem,
    ShanchuanError,
    SolveFailedError,
)
from solverkit.errors import InputError as _BaseInputError

__all__ = [
    "InfeasibleError",
    "InputError",
    "OutputExistsError",
    "Problem",
    "ScenarioError",
    "ShanchuanError",
    "SolveFailedError",
]


class InputError(_BaseInputError):
    """One or more problems with the user's files or settings, reported all at once."""


class ScenarioError(InputError):
    """A scenario file, override set or ``--set`` is wrong (unknown key, conflict, bad value)."""


class OutputExistsError(ShanchuanError):
    """``--out`` names a directory holding an earlier run and ``--force`` was not given."""

    exit_code = 2
