"""The allocation engine's errors, on the shared floor of :mod:`solverkit.errors`.

Both are :class:`solverkit.errors.InputError` (exit code 2) and carry structured
:class:`solverkit.errors.Problem` records: for the inputs the table in ``file``, the row (a
project id or ``row N``) in ``row`` and the field in ``column`` (``label="field"``); for the
settings the field in ``column``. The message texts are the engine's own words, unchanged.

>>> err = AllocationInputError([InputProblem("projects", "unknown category", "A", "category")])
>>> print(err)
1 problem in the allocation inputs:
  - projects A, field 'category': unknown category
>>> err.problems[0].file, err.problems[0].row, err.problems[0].column
('projects', 'A', 'category')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solverkit.errors import InputError, Problem


@dataclass(frozen=True)
class InputProblem(Problem):
    """A :class:`~solverkit.errors.Problem` of the allocation inputs, located by field.

    Positional order as before: ``(table, message, row, field, value, expected)``; ``table``
    and ``field`` read the shared ``file`` and ``column``.
    """

    label: str = "field"

    @property
    def table(self) -> str:
        """The table (``projects``, ``pairs``, ``executed``, ``population``, ``settings``)."""
        return self.file

    @property
    def field(self) -> str | None:
        """The field (column) of the table, if the problem has one."""
        return self.column


@dataclass(frozen=True)
class SettingProblem(Problem):
    """A problem of one allocation setting; its text is ``message`` alone (it names the field).

    ``column`` holds the field (dotted for nested groups, e.g. ``analysis.workers``), ``value``
    the offending value when there is one.
    """

    label: str = "field"

    def __str__(self) -> str:
        return self.message


def setting_problem(name: str | None, message: str, value: object = None) -> SettingProblem:
    """A :class:`SettingProblem` of field ``name`` (``None`` for cross-field problems)."""
    return SettingProblem("allocation settings", message, None, name, value)


class AllocationInputError(InputError):
    """One or more problems in the allocation inputs, all reported together."""

    where = "the allocation inputs"

    def __init__(self, problems: Sequence[Problem] | Problem | Sequence[str] | str) -> None:
        super().__init__(problems, file="allocation inputs")


class AllocationSettingsError(InputError):
    """A settings value is outside what the allocation engine accepts (all problems listed)."""

    where = "the allocation settings"

    def __init__(self, problems: Sequence[Problem] | Problem | Sequence[str] | str) -> None:
        if isinstance(problems, str):
            problems = [problems]
        if not isinstance(problems, Problem):
            # Plain strings (older callers) keep their text: a field-less SettingProblem each.
            problems = [p if isinstance(p, Problem) else setting_problem(None, p) for p in problems]
        super().__init__(problems, file="allocation settings")
