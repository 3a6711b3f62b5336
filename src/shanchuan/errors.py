"""The application layer's exceptions. Each maps to one CLI exit code.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class ShanchuanError(Exception):
    """Base of every error shown to a user as one clear message (no traceback)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it (the header is
    line 1), or ``None`` for file-level problems.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None
    label: str = "column"
    """What ``column`` names: a table ``column``, or a scenario ``key``."""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", {self.label} '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class InputError(ShanchuanError):
    """One or more problems with the user's files or settings, reported all at once."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem] | Problem | str, *, file: str = "input"):
        if isinstance(problems, str):
            problems = [Problem(file=file, message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))

    @classmethod
    def collect(cls, problems: Iterable[Problem]) -> None:
        """Raise an :class:`InputError` if ``problems`` is not empty."""
        found = list(problems)
        if found:
            raise cls(found)


class ScenarioError(InputError):
    """A scenario file, override set or ``--set`` is wrong (unknown key, conflict, bad value)."""


class InfeasibleError(ShanchuanError):
    """The rules cannot all hold; ``diagnosis`` says which to relax, in planners' words."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: object = None):
        self.diagnosis = diagnosis
        super().__init__(message)


class SolveFailedError(ShanchuanError):
    """The solver failed, or stopped without a solution that passed verification."""

    exit_code = 4


class OutputExistsError(ShanchuanError):
    """``--out`` names a directory holding an earlier run and ``--force`` was not given."""

    exit_code = 2
