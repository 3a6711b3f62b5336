"""Frozen, closed option objects of the special-fund allocation engine.

Every field is a scenario key under ``[allocation]`` (nested groups under
``[allocation.<group>]``); ``metadata["doc"]`` documents it and ``metadata["unit"]`` gives its
unit. Every number the plan (鄂政办函〔2020〕38号) does not state is marked **assumption** in its
doc. Fields whose metadata has ``"projects": "ids"`` hold project ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from allocation.errors import AllocationSettingsError, SettingProblem, setting_problem
from solverkit.registry import SolverOptions

__all__ = [
    "COUNT_BASES",
    "FLOOR_COUNTS",
    "FLOOR_MODES",
    "FLOOR_TOPUPS",
    "AllocationSettings",
    "AllocationSettingsError",
    "AnalysisSettings",
    "BenefitWeights",
    "field_docs",
]

FLOOR_MODES: tuple[str, ...] = ("soft", "hard", "off")
FLOOR_COUNTS: tuple[str, ...] = ("all", "priority")
FLOOR_TOPUPS: tuple[str, ...] = ("none", "other_funds", "unlimited")
COUNT_BASES: tuple[str, ...] = ("active", "new")


def _finite_nonneg(name: str, value: float, problems: list[SettingProblem]) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        problems.append(
            setting_problem(name, f"{name} must be a finite number >= 0, got {value!r}", value)
        )


def _share(name: str, value: float, problems: list[SettingProblem]) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        problems.append(
            setting_problem(name, f"{name} must be a share in [0, 1], got {value!r}", value)
        )


@dataclass(frozen=True)
class BenefitWeights:
    """Weights of the benefit model (all **assumptions**; see ``docs/allocation.md``).

    A project's benefit, in person-equivalents over its whole duration, is
    ``(people·P + low_income·L + jobs·J + income_uplift·U) × (1 + priority·[priority kind])
    × (readiness_floor + (1 - readiness_floor)·readiness)``, scaled by the share of its
    financing plan that is funded when the special fund pays less than requested.
    """

    people: float = field(
        default=1.0,
        metadata={"doc": "Weight of one person benefited (assumption).", "unit": "per person"},
    )
    low_income: float = field(
        default=3.0,
        metadata={
            "doc": "Extra weight of one low-income person benefited, on top of `people` "
            "(assumption; the plan puts low-income households first).",
            "unit": "per person",
        },
    )
    jobs: float = field(
        default=20.0, metadata={"doc": "Weight of one job created (assumption).", "unit": "per job"}
    )
    income_uplift: float = field(
        default=5.0,
        metadata={
            "doc": "Weight of 1 万元 of annual income uplift for the people benefited "
            "(assumption).",
            "unit": "per 万元/year",
        },
    )
    priority: float = field(
        default=0.5,
        metadata={
            "doc": "Bonus factor for the plan's priority kinds (low-income income, ecological "
            "protection, infrastructure): benefit × (1 + priority) (assumption)."
        },
    )
    readiness_floor: float = field(
        default=0.5,
        metadata={
            "doc": "Benefit factor of a project with readiness 0; readiness 1 gives factor 1 "
            "(assumption)."
        },
    )
    scale_by_funded_share: bool = field(
        default=True,
        metadata={
            "doc": "Scale the benefit by the funded share of the financing plan when the special "
            "fund pays less than requested."
        },
    )

    def problems(self) -> list[str]:
        """Everything wrong with these weights (empty when valid)."""
        return [str(p) for p in self.setting_problems()]

    def setting_problems(self) -> list[SettingProblem]:
        """Everything wrong with these weights, as structured problems."""
        out: list[SettingProblem] = []
        for name in ("people", "low_income", "jobs", "income_uplift", "priority"):
            _finite_nonneg(f"benefit.{name}", getattr(self, name), out)
        _share("benefit.readiness_floor", self.readiness_floor, out)
        return out


@dataclass(frozen=True)
class AnalysisSettings:
    """What the engine computes around the optimum: rule costs, unfunded reasons, diagnosis."""

    rule_costs: bool = field(
        default=True,
        metadata={"doc": "Re-solve with each rule relaxed one step and report the benefit gained."},
    )
    budget_step: float = field(
        default=0.10, metadata={"doc": "Budget relaxation step for rule costs (share of budget)."}
    )
    count_step: int = field(
        default=5, metadata={"doc": "Projects-per-year range widened by this for rule costs."}
    )
    pair_step: int = field(
        default=1, metadata={"doc": "Per-pair project range widened by this for rule costs."}
    )
    share_step: float = field(
        default=0.05,
        metadata={"doc": "Pair share cap raised / priority share lowered by this (share points)."},
    )
    best_unfunded: int = field(
        default=10, metadata={"doc": "How many of the best unfunded projects to list with reasons."}
    )
    force_unfunded: int = field(
        default=3,
        metadata={
            "doc": "Re-solve with each of this many best unfunded projects forced in, to price "
            "it (0 = off)."
        },
    )
    diagnose: bool = field(
        default=True,
        metadata={
            "doc": "When infeasible, find the conflicting rules and the smallest relaxation."
        },
    )
    bisection_steps: int = field(
        default=12, metadata={"doc": "Bisection steps when searching the smallest relaxation."}
    )
    resolve_time_limit: float = field(
        default=20.0,
        metadata={"doc": "Time limit of each analysis re-solve.", "unit": "s"},
    )
    solver: str = field(
        default="",
        metadata={
            "doc": "Solver of the analysis re-solves (cbc, highs, scipy; empty = the main "
            "solver). Gap and threads are the main solver's."
        },
    )
    workers: int = field(
        default=2,
        metadata={
            "doc": "Analysis re-solves run this many at a time (each single-threaded; "
            "1 = one after another)."
        },
    )
    stop_when_decided: bool = field(
        default=True,
        metadata={
            "doc": "Stop each analysis re-solve as soon as its figure is decided (established "
            "with a narrow range, or impossible to establish at the gap); the ranges stay "
            "true. CBC is stopped from its log, so a range may differ slightly from run to "
            "run; false = every re-solve to the requested gap (reproducible bit for bit)."
        },
    )

    def problems(self) -> list[str]:
        """Everything wrong with these settings (empty when valid)."""
        return [str(p) for p in self.setting_problems()]

    def setting_problems(self) -> list[SettingProblem]:
        """Everything wrong with these settings, as structured problems."""
        out: list[SettingProblem] = []

        def bad(name: str, text: str) -> None:
            out.append(setting_problem(f"analysis.{name}", text, getattr(self, name)))

        _share("analysis.budget_step", self.budget_step, out)
        _share("analysis.share_step", self.share_step, out)
        for name in ("count_step", "pair_step", "best_unfunded", "force_unfunded"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 0):
                bad(name, f"analysis.{name} must be an integer >= 0, got {v!r}")
        if not isinstance(self.solver, str):
            bad("solver", f"analysis.solver must be a solver name or empty, got {self.solver!r}")
        if not isinstance(self.stop_when_decided, bool):
            bad(
                "stop_when_decided",
                f"analysis.stop_when_decided must be true or false, got {self.stop_when_decided!r}",
            )
        if not (isinstance(self.workers, int) and 1 <= self.workers <= 64):
            bad("workers", f"analysis.workers must be an integer in 1..64, got {self.workers!r}")
        if not (isinstance(self.bisection_steps, int) and 1 <= self.bisection_steps <= 60):
            bad(
                "bisection_steps",
                f"analysis.bisection_steps must be in 1..60, got {self.bisection_steps!r}",
            )
        if not (self.resolve_time_limit > 0 and math.isfinite(self.resolve_time_limit)):
            bad(
                "resolve_time_limit",
                f"analysis.resolve_time_limit must be a positive number of seconds, "
                f"got {self.resolve_time_limit!r}",
            )
        return out


@dataclass(frozen=True)
class AllocationSettings:
    """Everything under ``[allocation]`` in a scenario file.

    Defaults follow the plan where it states a number (2021–2025, about 50 projects a year,
    ≥ 500 万元 a year from each supporter, priority kinds first) and are labelled
    **assumption** otherwise.
    """

    first_year: int = field(
        default=2021,
        metadata={"doc": "First year of the pilot period (plan: 2021).", "unit": "year"},
    )
    last_year: int = field(
        default=2025,
        metadata={"doc": "Last year of the pilot period (plan: 2025).", "unit": "year"},
    )
    annual_budget_wan: float = field(
        default=12_500.0,
        metadata={
            "doc": "Provincial special fund per year. Assumption: the plan does not state it; "
            "≈ 50 projects × 250 万元 (a 2021 news report: 2.56 亿元 over 102 projects).",
            "unit": "万元/year",
        },
    )
    budget_by_year: tuple[tuple[int, float], ...] = field(
        default=(),
        metadata={
            "doc": "(year, 万元) pairs overriding annual_budget_wan for single years.",
            "unit": "万元",
        },
    )
    carry_over: bool = field(
        default=False,
        metadata={"doc": "Unspent budget carries over to the next year (assumption: it does not)."},
    )
    projects_per_year_min: int = field(
        default=45,
        metadata={"doc": "Fewest projects supported a year (plan: about 50; ±5 is an assumption)."},
    )
    projects_per_year_max: int = field(
        default=55,
        metadata={"doc": "Most projects supported a year (plan: about 50; ±5 is an assumption)."},
    )
    count_basis: str = field(
        default="active",
        metadata={
            "doc": "What the yearly project count counts: 'active' (every project funded that "
            "year, continuing ones included) or 'new' (projects starting that year)."
        },
    )
    pair_projects_min: int = field(
        default=0,
        metadata={
            "doc": "Fewest special-fund projects per pair per year (assumption: no hard minimum; "
            "use `lexicographic` to cover every pair first)."
        },
    )
    pair_projects_max: int = field(
        default=5,
        metadata={"doc": "Most special-fund projects per pair per year (assumption)."},
    )
    pair_share_max: float = field(
        default=0.10,
        metadata={
            "doc": "Cap on one pair's share of a year's special-fund budget; 1 = no cap "
            "(assumption; an even split over 22 pairs is 0.045)."
        },
    )
    priority_share_min: float = field(
        default=0.5,
        metadata={
            "doc": "Least share of each year's special funds going to the priority kinds "
            "(low-income income, ecological protection, infrastructure). The plan says "
            "'优先' without a number; 0.5 is an assumption."
        },
    )
    supporter_floor_wan: float = field(
        default=500.0,
        metadata={
            "doc": "Each supporter's aid to its recipient per year (plan (十三): ≥ 500 万元 a "
            "year from 2021).",
            "unit": "万元/year",
        },
    )
    floor_mode: str = field(
        default="soft",
        metadata={
            "doc": "'soft': shortfalls allowed at a large penalty and always reported; 'hard': "
            "the floor must be met (infeasible otherwise, with a diagnosis); 'off': reported only."
        },
    )
    floor_counts: str = field(
        default="all",
        metadata={
            "doc": "Which of the pair's funded projects count toward the floor: 'all' or "
            "'priority' (only the priority kinds)."
        },
    )
    floor_topup: str = field(
        default="other_funds",
        metadata={
            "doc": "How a supporter reaches the floor beyond its projects' supporter_fund_wan: "
            "'other_funds' (it tops up its pair's funded projects, priority kinds first, taking "
            "over at most each project's other funding), 'unlimited' (any funded project of the "
            "pair absorbs the top-up), 'none' (only supporter_fund_wan counts). Assumption: "
            "the plan says the aid goes to pair projects, not how it is split."
        },
    )
    shortfall_penalty: float = field(
        default=10.0,
        metadata={
            "doc": "Soft floor: penalty per 万元 of shortfall, as a multiple of the best benefit "
            "per 万元 of special fund in the pool (assumption)."
        },
    )
    locked_projects: tuple[str, ...] = field(
        default=(), metadata={"doc": "Projects that must be funded.", "projects": "ids"}
    )
    excluded_projects: tuple[str, ...] = field(
        default=(), metadata={"doc": "Projects that must not be funded.", "projects": "ids"}
    )
    lexicographic: bool = field(
        default=True,
        metadata={
            "doc": "First cover as many (pair, year) combinations as possible with at least one "
            "project, then maximise benefit among those plans."
        },
    )
    benefit: BenefitWeights = field(
        default_factory=BenefitWeights,
        metadata={"doc": "Weights of the benefit model ([allocation.benefit])."},
    )
    analysis: AnalysisSettings = field(
        default_factory=AnalysisSettings,
        metadata={"doc": "Rule costs, unfunded reasons, diagnosis ([allocation.analysis])."},
    )
    solver: SolverOptions = field(
        default_factory=lambda: SolverOptions(gap=0.001),
        metadata={
            "doc": "Solver options; the default relative gap is 0.1 % (assumption: proving the "
            "last 0.1 % takes 5–10× longer on a 22-pair pool)."
        },
    )

    def __post_init__(self) -> None:
        problems = self.setting_problems()
        if problems:
            raise AllocationSettingsError(problems)

    def problems(self) -> list[str]:
        """Everything wrong with these settings (empty when valid)."""
        return [str(p) for p in self.setting_problems()]

    def setting_problems(self) -> list[SettingProblem]:
        """Everything wrong with these settings, as structured problems (field, value)."""
        out: list[SettingProblem] = []

        def bad(name: str | None, text: str, value: object = None) -> None:
            out.append(setting_problem(name, text, value))

        if not (isinstance(self.first_year, int) and isinstance(self.last_year, int)):
            bad(None, "first_year and last_year must be integers")
        elif self.last_year < self.first_year:
            bad(
                "last_year",
                f"last_year ({self.last_year}) must not be before first_year ({self.first_year})",
                self.last_year,
            )
        _finite_nonneg("annual_budget_wan", self.annual_budget_wan, out)
        for item in self.budget_by_year:
            if not (isinstance(item, tuple) and len(item) == 2):
                bad(
                    "budget_by_year",
                    f"budget_by_year entries must be (year, 万元) pairs, got {item!r}",
                    item,
                )
                continue
            year, amount = item
            _finite_nonneg(f"budget_by_year[{year}]", amount, out)
            if isinstance(self.first_year, int) and not (self.first_year <= year <= self.last_year):
                bad(
                    "budget_by_year",
                    f"budget_by_year names year {year}, outside {self.first_year}–{self.last_year}",
                    year,
                )
        for name in (
            "projects_per_year_min",
            "projects_per_year_max",
            "pair_projects_min",
            "pair_projects_max",
        ):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 0):
                bad(name, f"{name} must be an integer >= 0, got {v!r}", v)
        if self.projects_per_year_min > self.projects_per_year_max:
            bad(
                "projects_per_year_min",
                f"projects_per_year_min ({self.projects_per_year_min}) exceeds "
                f"projects_per_year_max ({self.projects_per_year_max})",
                self.projects_per_year_min,
            )
        if self.pair_projects_min > self.pair_projects_max:
            bad(
                "pair_projects_min",
                f"pair_projects_min ({self.pair_projects_min}) exceeds "
                f"pair_projects_max ({self.pair_projects_max})",
                self.pair_projects_min,
            )
        _share("pair_share_max", self.pair_share_max, out)
        _share("priority_share_min", self.priority_share_min, out)
        _finite_nonneg("supporter_floor_wan", self.supporter_floor_wan, out)
        _finite_nonneg("shortfall_penalty", self.shortfall_penalty, out)
        for name, allowed in (
            ("floor_mode", FLOOR_MODES),
            ("floor_counts", FLOOR_COUNTS),
            ("floor_topup", FLOOR_TOPUPS),
            ("count_basis", COUNT_BASES),
        ):
            v = getattr(self, name)
            if v not in allowed:
                bad(name, f"{name} must be one of {', '.join(allowed)}, got {v!r}", v)
        both = sorted(set(self.locked_projects) & set(self.excluded_projects))
        if both:
            bad("locked_projects", f"projects both locked and excluded: {', '.join(both)}")
        out.extend(self.benefit.setting_problems())
        out.extend(self.analysis.setting_problems())
        return out

    @property
    def years(self) -> tuple[int, ...]:
        """The planning years, first to last."""
        return tuple(range(self.first_year, self.last_year + 1))

    def budget(self, year: int) -> float:
        """The special-fund budget of ``year`` (万元).

        >>> st = AllocationSettings(budget_by_year=((2023, 9000.0),))
        >>> st.budget(2022), st.budget(2023), st.years[0]
        (12500.0, 9000.0, 2021)
        """
        return float(dict(self.budget_by_year).get(year, self.annual_budget_wan))


def field_docs(cls: type) -> dict[str, str]:
    """``{field: doc}`` of a settings dataclass (what the application layer prints)."""
    return {f.name: str(f.metadata.get("doc", "")) for f in fields(cls)}
