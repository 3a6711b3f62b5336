"""Typed outcomes of the application pipeline: an engine result composed with its provenance.

An outcome holds the engine's own typed result (:class:`matching.MatchResult`,
:class:`allocation.AllocationResult`) — it does not copy its fields — plus what the application
layer adds: the scenario, the analyses, the diagnosis, the provenance and the timings. Its
:attr:`status` is the shared :class:`solverkit.status.Status` vocabulary; ``to_dict()`` is the
JSON contract and ``tables()`` the CSV/workbook tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from solverkit.jsonio import to_jsonable
from solverkit.status import Status

if TYPE_CHECKING:
    import pandas as pd

    import allocation
    import matching
    from shanchuan.scenario import Scenario
    from shanchuan.stages import PreparedMatching

#: What a matching analysis produces: frames (explanations, forcing costs, alternatives),
#: the blocking pairs, or the weight-sensitivity result.
AnalysisValue: TypeAlias = "pd.DataFrame | list[tuple[str, str]] | matching.SensitivityResult"


@dataclass(frozen=True)
class Analyses:
    """Which matching analyses to run besides the solve (CLI flags of ``shanchuan match``)."""

    explain: bool = True
    forcing_costs: bool = False
    alternatives: int = 0
    sensitivity: int = 0
    stability: bool = False

    def __post_init__(self) -> None:
        from shanchuan.errors import InputError

        bad = [
            f"{name} must be 0 (off) or a positive number of {what}, got {value!r}"
            for name, value, what in (
                ("alternatives", self.alternatives, "pairings"),
                ("sensitivity", self.sensitivity, "samples"),
            )
            if not isinstance(value, int) or value < 0
        ]
        if bad:
            raise InputError(bad, file="analyses")


@dataclass
class MatchOutcome:
    """A solved (or diagnosed) pairing with its explanations and provenance."""

    scenario: Scenario
    problem: matching.MatchingProblem
    result: matching.MatchResult
    analyses: dict[str, AnalysisValue] = field(default_factory=dict)
    diagnosis: matching.Diagnosis | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    geodesic_km: pd.DataFrame | None = None
    """Recipient × supporter geodesic km, kept when the rules used a travel-time matrix."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage (``prepare_s``, ``solve_s``, one per analysis, ...)."""
    prepared: PreparedMatching | None = field(default=None, repr=False)
    """The prepared stage it was solved from (settings, data files), for :func:`analyse`."""

    def __repr__(self) -> str:
        r = self.result
        parts = [f"{len(r.pairs)} pairs"]
        if r.objective is not None:
            parts.append(f"objective {r.objective:.4f} score points")
        parts += _gap(r.gap)
        if self.analyses:
            parts.append(f"analyses {', '.join(self.analyses)}")
        return f"<MatchOutcome {self.status.value}: {', '.join(parts)}; {self.scenario.name}>"

    @property
    def status(self) -> Status:
        """The engine's verdict; ``optimal`` only when proven (gap <= 1e-6), else ``feasible``."""
        return proven(Status(self.result.status.value), getattr(self.result, "gap", None))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.result.to_dict())
        out["status"] = self.status.value
        out["objective_unit"] = "score points"
        if self.geodesic_km is not None:
            # The JSON contract always carries distance_km, also when the rules used travel times.
            for pair in out.get("pairs", []):
                pair.setdefault(
                    "distance_km",
                    round(
                        float(self.geodesic_km.at[pair["recipient_id"], pair["supporter_id"]]), 3
                    ),
                )
        if self.analyses:
            out["analyses"] = {k: _jsonable(v) for k, v in self.analyses.items()}
        if self.diagnosis is not None:
            out["diagnosis"] = self.diagnosis.to_dict()
        out["provenance"] = self.provenance
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        import pandas as pd

        import matching

        tables: dict[str, pd.DataFrame] = {}
        if self.result.pairs:
            tables["pairs.csv"] = self.result.pairs_frame()
        for name, value in self.analyses.items():
            if isinstance(value, pd.DataFrame):
                tables[f"{name}.csv"] = value
        forcing = self.analyses.get("forcing_costs")
        if isinstance(forcing, pd.DataFrame):
            loss = matching.forcing_matrix(forcing, "loss")
            tables["forcing_loss_matrix.csv"] = named_matrix(loss, self.problem)
        sens = self.analyses.get("sensitivity")
        if isinstance(sens, matching.SensitivityResult):
            tables["sensitivity_partners.csv"] = sens.partners
            tables["sensitivity_frequency.csv"] = named_matrix(sens.frequency, self.problem)
            tables["sensitivity_fragility.csv"] = sens.fragility  # most fragile pair first
            tables["sensitivity_samples.csv"] = sens.sample_table  # weights per sample
            tables["sensitivity_sample_pairs.csv"] = sens.sample_pairs  # pairs per sample
        return tables


@dataclass
class AllocationOutcome:
    """A funded project plan with its summary and provenance."""

    scenario: Scenario
    problem: allocation.AllocationProblem
    result: allocation.AllocationResult
    pairs_source: str
    match: MatchOutcome | None = None
    diagnosis: allocation.Diagnosis | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        r = self.result
        parts = [f"{len(r.schedule)} projects funded"]
        if r.objective is not None:
            parts.append(f"objective {r.objective:,.1f} person-equivalents")
        parts += [*_gap(r.gap), f"pairs from {self.pairs_source}"]
        return f"<AllocationOutcome {self.status.value}: {', '.join(parts)}; {self.scenario.name}>"

    @property
    def status(self) -> Status:
        """The solver's verdict, demoted to ``failed`` when the plan did not verify."""
        verdict = str(self.result.status.value)
        if verdict in ("optimal", "feasible"):
            if self.result.solution_status != "verified":
                return Status.FAILED
            return proven(Status(verdict), getattr(self.result, "gap", None))
        if verdict == "infeasible":
            return Status.INFEASIBLE
        return Status.FAILED  # not solved, unbounded: no verified plan

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.result.to_dict())
        out["solver_verdict"] = out["status"]
        out["status"] = self.status.value
        out["objective_unit"] = "person-equivalents"
        out["pairs_source"] = self.pairs_source
        if self.diagnosis is not None:
            out["diagnosis"] = self.diagnosis.to_dict()
        out["provenance"] = self.provenance
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        tables = {"projects.csv": self.result.projects_frame()}
        for name, frame in self.result.summary_frames().items():
            tables[f"{name}.csv"] = frame
        return tables


@dataclass
class RunOutcome:
    """``shanchuan run``: the pairing (unless a pair file is given), then the allocation."""

    match: MatchOutcome | None
    allocation: AllocationOutcome

    def __repr__(self) -> str:
        funded = repr(self.allocation).removeprefix("<AllocationOutcome ").removesuffix(">")
        if self.match is None:
            return f"<RunOutcome {self.status.value}: plan {funded}>"
        paired = repr(self.match).removeprefix("<MatchOutcome ").split(";")[0]
        return f"<RunOutcome {self.status.value}: pairing {paired}; plan {funded}>"

    @property
    def status(self) -> Status:
        if self.match is not None and not self.match.status.ok:
            return self.match.status
        return self.allocation.status

    @property
    def provenance(self) -> dict[str, Any]:
        return self.allocation.provenance

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value}
        if self.match is not None:
            m = self.match.to_dict()
            m.pop("provenance", None)
            out["matching"] = m
        a = self.allocation.to_dict()
        out["provenance"] = a.pop("provenance")
        out["allocation"] = a
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The pairing's tables, then the allocation's, as ``match`` and ``allocate`` name them.

        One run-folder layout (``docs/run-folder.md``): the two engines' table names must
        never collide (checked here, not assumed).
        """
        tables: dict[str, pd.DataFrame] = {}
        if self.match is not None:
            tables.update(self.match.tables())
        funded = self.allocation.tables()
        overlap = tables.keys() & funded.keys()
        if overlap:  # a new table named like the other engine's: rename it, never overwrite
            raise ValueError(f"both engines write {sorted(overlap)}")
        tables.update(funded)
        return tables


Outcome: TypeAlias = "MatchOutcome | AllocationOutcome | RunOutcome"


def proven(status: Status, gap: float | None) -> Status:
    """``optimal`` only when the gap is proven at or below 1e-6; otherwise ``feasible``.

    A solver's "optimal" at a requested gap is not optimal for a reader: the gap goes beside
    a ``feasible`` status everywhere (table, JSON, archive manifest).
    """
    from solverkit.progress import OPTIMALITY_TOLERANCE

    if status == Status.OPTIMAL and gap is not None and gap > OPTIMALITY_TOLERANCE:
        return Status.FEASIBLE
    return status


def _gap(gap: float | None) -> list[str]:
    return [f"gap {gap:.2%}"] if gap else []


def named_matrix(matrix: pd.DataFrame, problem: matching.MatchingProblem) -> pd.DataFrame:
    """A recipient × supporter matrix with Annex-2 names, as a table Excel shows well."""
    out = matrix.rename(index=problem.names, columns=problem.names)
    out.index.name = "受援地 \\ 支援地"
    return out.reset_index()


def _jsonable(value: object) -> object:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return to_jsonable(value)
