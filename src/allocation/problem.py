"""Inputs of the allocation engine: plain pandas frames in, a prepared problem out.

The engine never reads files: the application layer reads the scenario's project pool and
pairing and hands the frames below to :func:`allocation.prepare`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from allocation.errors import AllocationInputError, InputProblem


@dataclass(frozen=True)
class Category:
    """A project category of the plan's key tasks."""

    code: str
    zh: str
    en: str
    section: str
    """The plan section(s) the category comes from."""


_CATEGORY_LIST = (
    Category("industrial_park", "山川协作产业园区", "Co-built industrial park", "(七)"),
    Category("industry_chain", "产业分工协作", "Industrial division of labour and chains", "(八)"),
    Category("agriculture_income", "农业增效农民增收", "Agriculture and farmers' income", "(九)"),
    Category(
        "urbanisation_infrastructure",
        "新型城镇化与基础设施",
        "Urbanisation and infrastructure",
        "(十)",
    ),
    Category("ecological_protection", "生态环境保护", "Ecological protection", "(六)(十)(十三)"),
    Category("talent_skills", "人才引育和技能实训", "Talent and vocational skills", "(十一)"),
    Category("education", "教育合作", "Education", "(十二)"),
    Category("health", "医疗卫生合作", "Health care", "(十二)"),
    Category("culture", "公共文化", "Public culture", "(十二)"),
    Category("public_welfare", "公益事业", "Public welfare", "(十二)"),
)

#: Project categories, code -> :class:`Category` (Chinese and English labels, plan section).
CATEGORIES: Mapping[str, Category] = MappingProxyType({c.code: c for c in _CATEGORY_LIST})

#: The plan's priority kinds (section (十三)), as project flag columns.
PRIORITY_FLAGS: tuple[str, ...] = ("low_income", "ecological", "infrastructure")

#: Columns of the project pool, in file order.
PROJECT_COLUMNS: tuple[str, ...] = (
    "recipient",
    "supporter",
    "title",
    "category",
    "low_income",
    "ecological",
    "infrastructure",
    "earliest_start",
    "duration_years",
    "cost_per_year_wan",
    "special_fund_request_wan",
    "special_fund_min_wan",
    "supporter_fund_wan",
    "other_fund_wan",
    "people_benefited",
    "low_income_benefited",
    "jobs",
    "income_uplift_wan",
    "readiness",
    "requires",
    "excludes",
    "source",
)

#: Columns that may be absent (filled with these defaults).
OPTIONAL_COLUMNS: Mapping[str, object] = MappingProxyType(
    {"supporter": "", "title": "", "requires": "", "excludes": "", "source": ""}
)

__all__ = [
    "CATEGORIES",
    "EXECUTED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "PRIORITY_FLAGS",
    "PROJECT_COLUMNS",
    "AllocationInputError",
    "AllocationInputs",
    "AllocationProblem",
    "Category",
    "InputProblem",
    "LeftOut",
    "Pair",
    "Project",
]

EXECUTED_COLUMNS: tuple[str, ...] = ("project", "year", "special_fund_wan", "supporter_fund_wan")


@dataclass(frozen=True)
class AllocationInputs:
    """Plain frames the engine works from.

    projects
        Index = project id; columns :data:`PROJECT_COLUMNS` (all amounts in 万元 per year).
    pairs
        Columns ``recipient, supporter`` (county ids): the pairing in force.
    names
        County id -> name as printed in Annex 2.
    population_wan
        Recipient id -> resident population (万人), for per-head fairness figures.
    executed
        Optional rolling re-plan history: columns ``project, year, special_fund_wan,
        supporter_fund_wan``. Every year present is fixed as executed.
    """

    projects: pd.DataFrame
    pairs: pd.DataFrame
    names: Mapping[str, str]
    population_wan: Mapping[str, float] = field(default_factory=dict)
    executed: pd.DataFrame | None = None


@dataclass(frozen=True)
class Pair:
    """One pair of the pairing; ``key`` names it in constraints (the recipient id)."""

    key: str
    recipient: str
    supporter: str


@dataclass(frozen=True)
class Project:
    """One candidate project after validation (amounts in 万元 per year)."""

    id: str
    index: int
    pair: str
    recipient: str
    supporter: str
    title: str
    category: str
    flags: tuple[str, ...]
    """The priority kinds the project is flagged with (subset of :data:`PRIORITY_FLAGS`)."""
    earliest_start: int
    duration: int
    cost: float
    request: float
    minimum: float
    supporter_fund: float
    other_fund: float
    people: float
    low_income_people: float
    jobs: float
    income_uplift: float
    readiness: float
    requires: tuple[str, ...]
    excludes: tuple[str, ...]
    source: str
    value: float
    """Benefit (person-equivalents) when fully funded through its whole duration."""
    start_years: tuple[int, ...]
    """Years in which the project may start (so that it ends by the last year)."""
    locked: bool = False
    executed_start: int | None = None
    executed_amount: float | None = None
    supporter_by_year: Mapping[int, float] = field(default_factory=dict)
    """Executed supporter amounts, overriding ``supporter_fund`` in those years."""

    @property
    def priority(self) -> bool:
        """Whether the project is of one of the plan's priority kinds."""
        return bool(self.flags)

    @property
    def partial(self) -> bool:
        """Whether the special fund may pay less than requested."""
        return self.minimum < self.request

    @property
    def plan_per_year(self) -> float:
        """The project's yearly financing plan at full request."""
        return self.request + self.supporter_fund + self.other_fund

    def years_if_started(self, start: int) -> tuple[int, ...]:
        """The years the project runs when it starts in ``start``."""
        return tuple(range(start, start + self.duration))

    def supporter_in(self, year: int) -> float:
        """The supporter's funding of this project in ``year`` when it is active."""
        return float(self.supporter_by_year.get(year, self.supporter_fund))

    def benefit(self, amount: float, scale: bool) -> float:
        """Benefit when funded ``amount`` a year through its whole duration."""
        if not scale or self.plan_per_year <= 0:
            return self.value
        share = min(1.0, (amount + self.supporter_fund + self.other_fund) / self.plan_per_year)
        return self.value * share


@dataclass(frozen=True)
class LeftOut:
    """A candidate that cannot be funded, and why."""

    id: str
    reason: str
    """Code: ``supporter_mismatch``, ``excluded``, ``start_year``, ``dependency``."""
    detail: str


@dataclass(frozen=True)
class AllocationProblem:
    """A prepared, validated instance."""

    years: tuple[int, ...]
    fixed_years: tuple[int, ...]
    """Years fixed as executed (rolling re-plan); the model decides only the others."""
    budget: Mapping[int, float]
    carry_in: float
    """Unspent budget carried from the fixed years into the first open year (万元)."""
    pairs: Mapping[str, Pair]
    projects: Mapping[str, Project]
    """The projects the model may fund, in input order."""
    left_out: Mapping[str, LeftOut]
    names: Mapping[str, str]
    population_wan: Mapping[str, float]
    executed_spend: Mapping[int, float]
    """Special funds spent in each fixed year (万元)."""
    shortfall_unit: float
    """Objective penalty per 万元 of floor shortfall (``shortfall_penalty`` × best benefit/万元)."""
    all_ids: tuple[str, ...] = ()
    """Every candidate id in input order (funded-able and left out)."""
    raw: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Display fields (title, category, recipient, supporter, value) of every candidate."""

    @property
    def open_years(self) -> tuple[int, ...]:
        """Years the model decides."""
        return tuple(y for y in self.years if y not in self.fixed_years)

    def name(self, county: str) -> str:
        """The Annex-2 name of a county id (the id itself when unknown)."""
        return str(self.names.get(county, county))

    def pair_projects(self, pair: str) -> tuple[Project, ...]:
        """The candidates of one pair."""
        return tuple(p for p in self.projects.values() if p.pair == pair)
