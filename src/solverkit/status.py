"""The outcome vocabulary shared by both engines and the application layer."""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    """Status of a result *after* independent verification (not the solver's own word)."""

    OPTIMAL = "optimal"
    """Proven optimal (within the requested gap, reported beside it) and verified."""
    FEASIBLE = "feasible"
    """Verified, but the run stopped (time or gap limit) before proving optimality."""
    INFEASIBLE = "infeasible"
    """The rules admit no solution; a diagnosis says which rules conflict."""
    FAILED = "failed"
    """The solver failed, found nothing in time, or its solution did not verify."""

    @property
    def ok(self) -> bool:
        """Whether a verified solution exists."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)
