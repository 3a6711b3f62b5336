"""What the CLI writes on stderr when a run stops: errors, rendered from their problems.

Every :class:`~solverkit.errors.ShanchuanError` carries structured
:attr:`~solverkit.errors.ShanchuanError.problems`; a front end renders those (each
:class:`~solverkit.errors.Problem` knows its one-line form) instead of re-parsing the
exception's text. An infeasible error adds its diagnosis in planners' words.
"""

from __future__ import annotations

from typing import Protocol

from solverkit.errors import InputError, ShanchuanError

PREFIX = "shanchuan: "


class Diagnosis(Protocol):
    """An engine's diagnosis of infeasible rules (matching's or allocation's)."""

    def message(self) -> str: ...


def problem_lines(exc: ShanchuanError) -> list[str]:
    """The error as lines: ``N problem(s) in WHERE:`` and one ``  - problem`` each."""
    problems = exc.problems
    if not (isinstance(exc, InputError) and problems):
        return str(exc).split("\n")
    n = len(problems)
    # The words of InputError's own message (tests/app/test_outputs.py keeps them in step).
    head = f"{n} problem{'s' if n != 1 else ''} in {exc.where}:"
    return [head, *(f"  - {p}" for p in problems)]


def error_text(exc: ShanchuanError) -> str:
    """The CLI's stderr for ``exc``: prefixed problem lines, then the diagnosis if any."""
    lines = problem_lines(exc)
    text = PREFIX + "\n".join(lines) + "\n"
    diagnosis: Diagnosis | None = getattr(exc, "diagnosis", None)
    if diagnosis is not None:
        text += diagnosis.message() + "\n"
    return text


def stop_text(status: str, diagnosis: Diagnosis | None = None) -> str:
    """The CLI's stderr when a run ends without a verified solution (``status``).

    An infeasible run names the diagnosis; ``diagnosis`` is repeated in full when given (when
    stdout carries JSON or CSV, which do not show it as text).
    """
    if status == "infeasible":
        text = f"{PREFIX}the rules are infeasible (see the diagnosis).\n"
        if diagnosis is not None:
            text += diagnosis.message() + "\n"
        return text
    return f"{PREFIX}no verified solution (status {status}).\n"
