"""One exception hierarchy for every room, carrying structured problems.

Every error a user can cause is a :class:`ShanchuanError` whose :attr:`~ShanchuanError.problems`
locate each fault (file or table, row, column or key, value, what was expected). Front ends
(the CLI, the Python API, a service) render ``problems`` instead of re-parsing messages.

=====  =================================================================
code   meaning (:attr:`ShanchuanError.exit_code`)
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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows.

    ``file`` is the file, or the table or option group when the engines are called with
    frames. ``row`` is the 1-based line number as a spreadsheet shows it (the header is line
    1), or the row's id (a project id, say) when an engine checks frames, or ``None`` for
    problems of a whole file or setting.
    """

    file: str
    message: str
    row: int | str | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None
    label: str = "column"
    """What ``column`` names: a table ``column``, a scenario ``key``, or a ``field``."""

    def __str__(self) -> str:
        where = self.file
        if isinstance(self.row, str):
            where += f" {self.row}"
        elif self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", {self.label} '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON and HTTP error bodies)."""
        value = self.value
        if value is not None and not isinstance(value, str | int | float | bool):
            value = repr(value)
        return {
            "file": self.file,
            "row": self.row,
            self.label: self.column,
            "value": value,
            "expected": self.expected,
            "message": self.message,
        }


class ShanchuanError(Exception):
    """Base of every error shown to a user as one clear message (no traceback)."""

    exit_code = 2
    problems: tuple[Problem, ...] = ()


ProblemsLike = Sequence[Problem | str] | Problem | str
"""Problems as an error accepts them: one or many, each a :class:`Problem` or a message."""


def _as_problems(problems: ProblemsLike, file: str) -> tuple[Problem, ...]:
    items: Sequence[Problem | str] = (
        [problems] if isinstance(problems, str | Problem) else problems
    )
    return tuple(p if isinstance(p, Problem) else Problem(file=file, message=p) for p in items)


class InputError(ShanchuanError, ValueError):
    """One or more problems with the user's files or settings, reported all at once."""

    exit_code = 2
    #: The words after "N problem(s) in": the application layer says "the input".
    where = "the input"

    def __init__(self, problems: ProblemsLike, *, file: str = "input") -> None:
        self.problems = _as_problems(problems, file)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.where}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))

    @classmethod
    def collect(cls, problems: Iterable[Problem]) -> None:
        """Raise this error if ``problems`` is not empty."""
        found = list(problems)
        if found:
            raise cls(found)


class InfeasibleError(ShanchuanError):
    """The rules cannot all hold; ``diagnosis`` says which to relax, in planners' words."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: object = None) -> None:
        self.diagnosis = diagnosis
        super().__init__(message)


class SolveFailedError(ShanchuanError):
    """The solver failed, or stopped without a solution that passed verification."""

    exit_code = 4
