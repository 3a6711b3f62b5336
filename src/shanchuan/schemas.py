"""Input file schemas, written once as data.

Every input CSV is described by a :class:`Schema`: one :class:`Column` per column with its type,
unit, whether the column must exist and whether a cell may be empty, its range or allowed values,
and what it means; and the schema's ``checks``: small records for rules that involve several
columns (:class:`UniqueTogether`, :class:`AtMost`, :class:`Differs`, :class:`NotListed`,
:class:`Disjoint`). The same description drives reading (:mod:`shanchuan.validation.readers`),
validation (:mod:`shanchuan.validation.tables` applies every column rule and every check) and the
documentation: ``docs/data-schemas.md`` is the output of :func:`schemas_markdown` (regenerate it
with ``python -m shanchuan.schemas docs/data-schemas.md``), which also documents every output
table from its declaration (:mod:`shanchuan.outputs.columns`: headers in both languages, unit,
meaning).
"""

from __future__ import annotations

import string
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

DType = Literal["str", "id", "int", "float", "bool", "year", "ids", "codes", "enum"]

#: Every column type, with the phrase the docs and error messages use for it.
DTYPES: Mapping[str, str] = MappingProxyType(
    {
        "str": "text",
        "id": "id",
        "int": "whole number",
        "float": "number",
        "bool": "yes/no (1/0, true/false, 是/否)",
        "year": "year",
        "ids": "list of ids separated by ';'",
        "codes": "list of sector codes separated by ';'",
        "enum": "one of a fixed set of words",
    }
)

#: Pattern of a county id (stable ASCII, e.g. ``yunxi``).
COUNTY_ID = r"[a-z0-9-]+"
#: Pattern of a sector code (e.g. ``tea`` or ``auto_parts``).
SECTOR_CODE = r"[a-z0-9_-]+"
#: Pattern of a project id (e.g. ``P-yunxi-01``).
PROJECT_ID = r"[A-Za-z0-9_.-]+"

#: Separators accepted between the items of an ``ids`` or ``codes`` cell.
LIST_SEPARATORS: tuple[str, ...] = (";", "；")
#: Cell values accepted as true / false in a ``bool`` column (compared case-insensitively).
TRUE_WORDS: tuple[str, ...] = ("1", "true", "是")
FALSE_WORDS: tuple[str, ...] = ("0", "false", "否")
#: Range of any ``year`` cell (a column's own ``min``/``max`` may narrow it).
YEAR_RANGE: tuple[int, int] = (2000, 2100)


@dataclass(frozen=True)
class Column:
    """One column of an input file.

    ``required`` means the column must exist in the file; ``nullable`` means a cell may be empty.
    ``min``/``max`` bound numbers (exclusive when ``min_exclusive``/``max_exclusive``).
    ``pattern`` is the regular expression every id (or every item of an ``ids``/``codes`` list)
    must match. ``references`` names the input file (``counties``, ``sectors``, ``projects``)
    whose key every value must be; ``role`` narrows a county reference to recipients or
    supporters. ``unique`` values may not repeat; ``unique_within`` names a column inside whose
    groups the values may not repeat.
    """

    name: str
    dtype: DType
    unit: str = ""
    required: bool = True
    nullable: bool = False
    meaning: str = ""
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    pattern: str | None = None
    unique: bool = False
    unique_within: str | None = None
    references: str | None = None
    role: Literal["recipient", "supporter"] | None = None

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name!r}: unknown dtype {self.dtype!r}")
        if (self.dtype == "enum") != bool(self.choices):
            raise ValueError(f"column {self.name!r}: 'choices' goes with dtype 'enum' only")
        if self.dtype in ("ids", "codes") and self.pattern is None:
            raise ValueError(f"column {self.name!r}: dtype {self.dtype!r} needs a pattern")
        if self.role is not None and self.references != "counties":
            raise ValueError(f"column {self.name!r}: 'role' goes with references='counties'")

    def describe_type(self) -> str:
        """The column's type and constraints in a reader's words, e.g. ``number ≥ 0``."""
        if self.dtype == "enum":
            return "one of: " + ", ".join(f"`{c}`" for c in self.choices)
        if self.references == "counties":
            text = f"{self.role or 'county'} (id, Annex-2 name or full name)"
        elif self.dtype == "id" and self.pattern is not None:
            text = f"id matching `{self.pattern}`"
        else:
            text = DTYPES[self.dtype]
        bounds = self.describe_bounds()
        return f"{text} {bounds}" if bounds else text

    def describe_bounds(self) -> str:
        """``≥ 0``, ``> 0``, ``0 … 1``, ``(0, 1]`` or ``""`` when the column has no bounds."""
        lo, hi = self.min, self.max
        if lo is None and hi is None:
            return ""
        if lo is not None and hi is not None:
            left = "(" if self.min_exclusive else "["
            right = ")" if self.max_exclusive else "]"
            return f"in {left}{_num(lo)}, {_num(hi)}{right}"
        if lo is not None:
            return f"{'>' if self.min_exclusive else '≥'} {_num(lo)}"
        assert hi is not None
        return f"{'<' if self.max_exclusive else '≤'} {_num(hi)}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# ---------------------------------------------------------------------------------------------
# Checks across the columns of one file
#
# Each kind of check is a small record: the columns it reads, the words of its problem and a
# sentence for the docs. shanchuan.validation.tables holds one evaluator per kind (a test fails
# when a kind has none); a check that names a county column is applied after county names are
# resolved to ids, the others with the cells.


@dataclass(frozen=True)
class UniqueTogether:
    """Each combination of the values of ``columns`` appears at most once.

    A repeat is reported on the last column, as ``duplicate row (a=…, b=…), already on row N``;
    ``message``, when given, replaces ``duplicate row (…)`` and may name the cells of the
    repeated row as format fields (``"duplicate rank for county '{county}'"``).
    """

    columns: tuple[str, ...]
    message: str | None = None

    def describe(self) -> str:
        names = ", ".join(f"`{c}`" for c in self.columns)
        return f"Each combination of {names} appears at most once."


@dataclass(frozen=True)
class AtMost:
    """In every row where both are filled, ``column`` ≤ ``limit``; reported on ``column``.

    The problem's ``expected`` is ``at most <limit> (<limit's value>)``.
    """

    column: str
    limit: str
    message: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, self.limit)

    def describe(self) -> str:
        return f"`{self.column}` ≤ `{self.limit}`"


@dataclass(frozen=True)
class Differs:
    """In every row where both are filled, ``column`` ≠ ``other``; reported on ``column``."""

    column: str
    other: str
    message: str
    expected: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.other, self.column)

    def describe(self) -> str:
        return f"`{self.column}` differs from `{self.other}`"


@dataclass(frozen=True)
class NotListed:
    """In every row, the list ``column`` does not hold the row's own ``item`` (e.g. its id)."""

    column: str
    item: str
    message: str
    expected: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.item, self.column)

    def describe(self) -> str:
        return f"`{self.column}` does not list the row's own `{self.item}`"


@dataclass(frozen=True)
class Disjoint:
    """In every row, the lists ``other`` and ``column`` share no item; reported on ``column``.

    The problem's message is ``message`` followed by the shared items.
    """

    column: str
    other: str
    message: str
    expected: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.other, self.column)

    def describe(self) -> str:
        return f"no item is in both `{self.other}` and `{self.column}`"


Check = UniqueTogether | AtMost | Differs | NotListed | Disjoint
#: Every kind of check a schema may declare.
CHECK_KINDS: tuple[type, ...] = (UniqueTogether, AtMost, Differs, NotListed, Disjoint)

_LIST_DTYPES = ("ids", "codes")
_NUMBER_DTYPES = ("int", "float", "year")


@dataclass(frozen=True)
class Schema:
    """One input file: its columns, its key column (or ``None``) and what a row is.

    ``rows_required`` says whether a file with a header but no rows is a problem.
    ``checks`` are the rules across columns (see :data:`CHECK_KINDS`), applied in this order.
    """

    name: str
    columns: tuple[Column, ...]
    key: str | None
    description: str
    rows_required: bool = True
    checks: tuple[Check, ...] = ()
    by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"schema {self.name!r}: duplicate column names")
        object.__setattr__(self, "by_name", MappingProxyType({c.name: c for c in self.columns}))
        if self.key is not None and self.key not in self.by_name:
            raise ValueError(f"schema {self.name!r}: key {self.key!r} is not a column")
        for check in self.checks:
            self._check_fits(check)

    def _check_fits(self, check: Check) -> None:
        kind = type(check).__name__
        if not isinstance(check, CHECK_KINDS):
            raise ValueError(f"schema {self.name!r}: {check!r} is not a check")
        for name in check.columns:
            if name not in self.by_name:
                raise ValueError(f"schema {self.name!r}: {kind} names {name!r}")
        dtypes = [self.by_name[name].dtype for name in check.columns]
        if isinstance(check, AtMost) and any(d not in _NUMBER_DTYPES for d in dtypes):
            raise ValueError(f"schema {self.name!r}: {kind} compares numbers only")
        lists = {Disjoint: dtypes, NotListed: dtypes[1:]}.get(type(check), [])
        if any(d not in _LIST_DTYPES for d in lists):
            raise ValueError(f"schema {self.name!r}: {kind} needs list columns")
        if isinstance(check, UniqueTogether) and check.message is not None:
            fields = {f for _, f, _, _ in string.Formatter().parse(check.message) if f}
            if fields - set(check.columns):
                raise ValueError(
                    f"schema {self.name!r}: {kind} message names "
                    f"{sorted(fields - set(check.columns))}, which are not its columns"
                )

    @property
    def unique_together(self) -> tuple[tuple[str, ...], ...]:
        """Column combinations that may appear only once (from the :class:`UniqueTogether`)."""
        return tuple(c.columns for c in self.checks if isinstance(c, UniqueTogether))

    @property
    def filename(self) -> str:
        """The default file name, e.g. ``counties.csv``."""
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in schema order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns that must exist."""
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, dtype: DType, meaning: str, **kw: object) -> Column:
    return Column(name, dtype, meaning=meaning, **kw)  # type: ignore[arg-type]


_YI = "亿元"
_WAN = "万元"
_YUAN = "元"

COUNTIES = Schema(
    name="counties",
    description=(
        "One row per county of the programme (recipients and supporters). Figures are for 2019, "
        "the year before the 2021 pairing."
    ),
    key="id",
    columns=(
        _c("id", "id", "Stable ASCII id used everywhere else, e.g. `yunxi`.", pattern=COUNTY_ID),
        _c(
            "annex_name",
            "str",
            "Name as printed in Annex 2 of the programme document.",
            unique=True,
        ),
        _c("full_name", "str", "Full official name, e.g. 五峰土家族自治县 (Annex 2: 五峰县)."),
        _c(
            "role",
            "enum",
            "Whether the county receives or gives support.",
            choices=("recipient", "supporter"),
        ),
        _c(
            "annex_order",
            "int",
            "Position in Annex 2's list of its role (1 = first).",
            min=1,
            unique_within="role",
        ),
        _c("prefecture", "str", "Prefecture-level city (市/州) the county belongs to."),
        _c("lat", "float", "Latitude of the county seat.", unit="°", min=-90, max=90),
        _c("lon", "float", "Longitude of the county seat.", unit="°", min=-180, max=180),
        _c("gdp_2019_yi", "float", "Gross domestic product, 2019.", unit=_YI, min=0),
        _c("revenue_2019_yi", "float", "General public budget revenue, 2019.", unit=_YI, min=0),
        _c(
            "urban_income_2019_yuan",
            "float",
            "Per-capita disposable income of urban residents, 2019.",
            unit=_YUAN,
            min=0,
        ),
        _c(
            "rural_income_2019_yuan",
            "float",
            "Per-capita disposable income of rural residents, 2019; empty for districts without "
            "a rural population.",
            unit=_YUAN,
            min=0,
            nullable=True,
        ),
        _c(
            "population_wan",
            "float",
            "Resident population.",
            unit="万人",
            min=0,
            min_exclusive=True,
        ),
        _c("area_km2", "float", "Land area.", unit="km²", min=0, min_exclusive=True),
        _c("industries", "str", "Leading industries in words (from the county's own reports)."),
        _c("resources", "str", "Natural and cultural resources in words."),
        _c(
            "industry_sectors",
            "codes",
            "Leading industries as sector codes of sectors.csv.",
            pattern=SECTOR_CODE,
            references="sectors",
            nullable=True,
        ),
        _c(
            "resource_sectors",
            "codes",
            "Resources as sector codes of sectors.csv.",
            pattern=SECTOR_CODE,
            references="sectors",
            nullable=True,
        ),
        _c(
            "focus_sectors",
            "codes",
            "Sectors the county wants to develop (recipients) or to invest in (supporters).",
            pattern=SECTOR_CODE,
            references="sectors",
            nullable=True,
        ),
        _c("source", "str", "Where this row's figures come from (yearbook, bulletin, page)."),
    ),
)

SECTORS = Schema(
    name="sectors",
    description="The industry sector taxonomy that county sector codes refer to.",
    key="code",
    columns=(
        _c("code", "id", "Sector code, e.g. `tea`.", pattern=SECTOR_CODE),
        _c("name_zh", "str", "Chinese name."),
        _c("name_en", "str", "English name."),
        _c(
            "group",
            "enum",
            "Broad group of the sector.",
            choices=("agriculture", "processing", "manufacturing", "energy_resources", "services"),
        ),
        _c("description", "str", "What the sector covers.", nullable=True),
    ),
)

SECTOR_LINKS = Schema(
    name="sector_links",
    description=(
        "Links between sectors: `upstream` means *source* supplies *target*; `complement` is "
        "symmetric (the two sectors strengthen each other)."
    ),
    key=None,
    checks=(
        UniqueTogether(("source", "target", "relation")),
        Differs(
            "target",
            "source",
            message="a sector linked to itself",
            expected="a different sector than 'source'",
        ),
    ),
    columns=(
        _c("source", "id", "Sector code.", pattern=SECTOR_CODE, references="sectors"),
        _c("target", "id", "Sector code.", pattern=SECTOR_CODE, references="sectors"),
        _c("relation", "enum", "Kind of link.", choices=("upstream", "complement")),
        _c(
            "strength",
            "float",
            "How strong the link is (1 = strongest).",
            min=0,
            max=1,
            min_exclusive=True,
        ),
        _c("rationale", "str", "Why the link exists, in words.", nullable=True),
    ),
)

REGIONS = Schema(
    name="regions",
    description="Prefecture → city cluster of the provincial regional development strategy.",
    key="prefecture",
    columns=(
        _c("prefecture", "str", "Prefecture-level city (市/州), as in counties.csv."),
        _c("cluster", "str", "City cluster (城市群) the prefecture belongs to."),
        _c("cluster_en", "str", "English name of the cluster.", required=False, nullable=True),
        _c("source", "str", "Document the grouping comes from."),
    ),
)

WILLINGNESS = Schema(
    name="willingness",
    description=(
        "Each county's ranked acceptable partners (1 = most wanted). Lists may be partial; a "
        "county without rows expresses no preference. Counties may be given by id, Annex-2 "
        "name or full name."
    ),
    key=None,
    rows_required=False,
    checks=(
        UniqueTogether(("county", "rank"), message="duplicate rank for county '{county}'"),
        UniqueTogether(("county", "partner")),
    ),
    columns=(
        _c("county", "id", "County stating the preference.", references="counties"),
        _c("rank", "int", "Rank of the partner in the county's list (1 = first).", min=1),
        _c(
            "partner", "id", "Acceptable partner county (of the other role).", references="counties"
        ),
        _c("note", "str", "Free-text remark.", required=False, nullable=True),
    ),
)

PAIRS = Schema(
    name="pairs",
    description=(
        "Pairs of a recipient and a supporter: the pairing in force (incumbent.csv) or fixed "
        "pairs for allocation (pairs.csv). Counties may be given by id, Annex-2 name or full "
        "name."
    ),
    key=None,
    rows_required=False,
    checks=(UniqueTogether(("recipient", "supporter")),),
    columns=(
        _c("recipient", "id", "Recipient county.", references="counties", role="recipient"),
        _c("supporter", "id", "Supporter county.", references="counties", role="supporter"),
        # A run's pairs.csv carries these too (docs/run-folder.md), so it reads back as
        # `allocate --pairs`; they are informative: recipient and supporter decide.
        *(
            _c(
                name,
                "str",
                "In a run's pairs.csv (docs/run-folder.md); ignored: recipient, supporter decide.",
                required=False,
                nullable=True,
            )
            for name in ("recipient_id", "supporter_id")
        ),
        *(
            _c(
                name,
                "float",
                "In a run's pairs.csv (docs/run-folder.md); ignored: recipient, supporter decide.",
                required=False,
                nullable=True,
            )
            for name in (
                "score",
                "strength",
                "industry",
                "resource",
                "distance",
                "willingness",
                "plan",
                "distance_km",
                "distance_minutes",
            )
        ),
    ),
)

DISTANCES = Schema(
    name="distances",
    description=(
        "Distance or travel time between a recipient and a supporter, one row per pair "
        "(long format); when given it must cover every recipient × supporter pair. The unit "
        "(km or minutes) is set in the scenario."
    ),
    key=None,
    checks=(UniqueTogether(("recipient", "supporter")),),
    columns=(
        _c("recipient", "id", "Recipient county.", references="counties", role="recipient"),
        _c("supporter", "id", "Supporter county.", references="counties", role="supporter"),
        _c("value", "float", "Distance (km) or travel time (minutes).", unit="km or min", min=0),
    ),
)

PROJECT_CATEGORIES: tuple[str, ...] = (
    "industrial_park",
    "industry_chain",
    "agriculture_income",
    "urbanisation_infrastructure",
    "ecological_protection",
    "talent_skills",
    "education",
    "health",
    "culture",
    "public_welfare",
)

PROJECTS = Schema(
    name="projects",
    description="Candidate projects competing for the provincial special fund.",
    key="id",
    checks=(
        AtMost(
            "special_fund_min_wan",
            "special_fund_request_wan",
            message="minimum special fund is larger than the request",
        ),
        AtMost(
            "low_income_benefited",
            "people_benefited",
            message="more low-income beneficiaries than beneficiaries",
        ),
        Disjoint(
            "excludes",
            "requires",
            message="project both requires and excludes",
            expected="a project in at most one of the two lists",
        ),
        NotListed("requires", "id", message="project lists itself", expected="other projects' ids"),
        NotListed("excludes", "id", message="project lists itself", expected="other projects' ids"),
    ),
    columns=(
        _c("id", "id", "Stable project id, e.g. `P-yunxi-01`.", pattern=PROJECT_ID),
        _c(
            "recipient",
            "id",
            "Recipient county where the project is built.",
            references="counties",
            role="recipient",
        ),
        _c(
            "supporter",
            "id",
            "Supporter county co-funding it; empty = the recipient's partner.",
            references="counties",
            role="supporter",
            nullable=True,
        ),
        _c("title", "str", "Project title."),
        _c("category", "enum", "Kind of project.", choices=PROJECT_CATEGORIES),
        _c("low_income", "bool", "Benefits low-income population directly."),
        _c("ecological", "bool", "Ecological protection or restoration project."),
        _c("infrastructure", "bool", "Infrastructure project."),
        _c("earliest_start", "year", "First year the project can start."),
        _c("duration_years", "int", "Years the project runs.", unit="years", min=1, max=10),
        _c("cost_per_year_wan", "float", "Total cost per year.", unit=_WAN, min=0),
        _c(
            "special_fund_request_wan",
            "float",
            "Special fund requested per year.",
            unit=_WAN,
            min=0,
        ),
        _c(
            "special_fund_min_wan",
            "float",
            "Smallest special fund per year with which the project still makes sense.",
            unit=_WAN,
            min=0,
        ),
        _c("supporter_fund_wan", "float", "Supporter county's funding per year.", unit=_WAN, min=0),
        _c(
            "other_fund_wan",
            "float",
            "Other funding per year (county, bank, enterprise).",
            unit=_WAN,
            min=0,
        ),
        _c("people_benefited", "int", "People who benefit.", unit="people", min=0),
        _c("low_income_benefited", "int", "Low-income people among them.", unit="people", min=0),
        _c("jobs", "int", "Jobs created.", unit="jobs", min=0),
        _c(
            "income_uplift_wan",
            "float",
            "Added yearly income of the beneficiaries.",
            unit=_WAN,
            min=0,
        ),
        _c(
            "readiness",
            "float",
            "How ready the project is (land, permits, design); 1 = ready.",
            min=0,
            max=1,
        ),
        _c(
            "requires",
            "ids",
            "Projects that must be funded for this one to be funded.",
            pattern=PROJECT_ID,
            references="projects",
            nullable=True,
        ),
        _c(
            "excludes",
            "ids",
            "Projects that cannot be funded together with this one.",
            pattern=PROJECT_ID,
            references="projects",
            nullable=True,
        ),
        _c("source", "str", "Where the project's figures come from (application, plan)."),
    ),
)

EXECUTED = Schema(
    name="executed",
    description="Funding already paid out in earlier years, for a rolling re-plan.",
    key=None,
    rows_required=False,
    checks=(UniqueTogether(("project", "year")),),
    columns=(
        _c(
            "project",
            "id",
            "Project id of projects.csv.",
            pattern=PROJECT_ID,
            references="projects",
        ),
        _c("year", "year", "Year of the payment."),
        _c("special_fund_wan", "float", "Special fund paid that year.", unit=_WAN, min=0),
        _c("supporter_fund_wan", "float", "Supporter funding paid that year.", unit=_WAN, min=0),
    ),
)

#: Every schema, in documentation order.
SCHEMAS: tuple[Schema, ...] = (
    COUNTIES,
    SECTORS,
    SECTOR_LINKS,
    REGIONS,
    WILLINGNESS,
    PAIRS,
    DISTANCES,
    PROJECTS,
    EXECUTED,
)

#: Input file key (as in a scenario's ``[data]`` table) → schema of that file.
INPUT_FILES: Mapping[str, Schema] = MappingProxyType(
    {
        "counties": COUNTIES,
        "sectors": SECTORS,
        "sector_links": SECTOR_LINKS,
        "regions": REGIONS,
        "willingness": WILLINGNESS,
        "distances": DISTANCES,
        "incumbent": PAIRS,
        "pairs": PAIRS,
        "projects": PROJECTS,
        "executed": EXECUTED,
    }
)

_INTRO = """\
# Input data schemas

<!-- Generated by shanchuan.schemas.schemas_markdown(); do not edit by hand. Regenerate with
     `python -m shanchuan.schemas docs/data-schemas.md`. A test checks this file is current. -->

Every input is a CSV file with a header line naming its columns. The order of columns does not
matter; every column marked *required* must be present and no other columns may be.

**Saving from Excel.** Use *文件 → 另存为 → CSV UTF-8 (逗号分隔)*. Files saved as plain *CSV
(逗号分隔)* on Chinese Windows are GBK-encoded; they are read correctly too. Files separated by
`;`, tabs or the full-width comma `，` are rejected with a message saying how to save them;
`.xlsx` workbooks must be saved as CSV first.

**Cells.** Spaces around header names and cells are ignored, and completely empty rows are
skipped. A cell may be empty only where the table says *may be empty*. Numbers are written
without thousands separators and with a decimal point (`12.3`, not `12,3` or `十二`); `nan`,
`inf` and spreadsheet errors such as `#DIV/0!` are rejected. Yes/no cells take `1`/`0`,
`true`/`false` or `是`/`否`. Lists of ids or sector codes are separated by `;` (or `；`).

**Counties in other files.** Wherever a column refers to a county, the county may be written as
its id, its Annex-2 name or its full name; names are resolved to ids.

**Problems.** All problems of all files are reported together, each naming the file, the row as
a spreadsheet shows it (the header is row 1), the column, the value found and what was expected.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def schema_markdown(schema: Schema, file_keys: Sequence[str] = ()) -> str:
    """One schema as a Markdown section with a table (column, type, unit, required, meaning)."""
    files = ", ".join(f"`{k}.csv`" for k in file_keys) or f"`{schema.filename}`"
    lines = [f"## {schema.name}", "", f"Files: {files}. {schema.description}", ""]
    notes = []
    if schema.key is not None:
        notes.append(f"Key: `{schema.key}` (unique, one row per {schema.key}).")
    notes += [c.describe() for c in schema.checks if isinstance(c, UniqueTogether)]
    notes.append(
        "At least one row is required."
        if schema.rows_required
        else "A file with only the header line is allowed."
    )
    lines += [" ".join(notes), ""]
    in_row = [c.describe() for c in schema.checks if not isinstance(c, UniqueTogether)]
    if in_row:
        lines += ["In each row: " + "; ".join(in_row) + ".", ""]
    lines += ["| column | type | unit | required | meaning |", "|---|---|---|---|---|"]
    for col in schema.columns:
        required = "yes" if col.required else "no"
        if col.nullable:
            required += ", may be empty"
        extra = []
        if col.unique:
            extra.append("Unique.")
        if col.unique_within:
            extra.append(f"Unique within each `{col.unique_within}`.")
        if col.references == "counties":
            extra.append(f"Must be a {col.role or 'county'} of counties.csv.")
        elif col.references:
            extra.append(f"Must exist in {col.references}.csv.")
        meaning = " ".join([col.meaning, *extra])
        lines.append(
            f"| `{col.name}` | {_cell(col.describe_type())} | {_cell(col.unit)} | {required} "
            f"| {_cell(meaning)} |"
        )
    return "\n".join(lines) + "\n"


_OUTPUT_INTRO = """\
# Output tables

Every table a run writes, one CSV file each in `--out DIR` (`NAME.csv`; in a `run`,
`matching_NAME.csv` and `allocation_NAME.csv`), UTF-8 with a BOM. The CSV files keep the column
names below; the workbook (`--excel`) and the terminal show the headers, in Chinese by default and
in English with `--lang en`. Lists are written as `a;b` text, pairs as `recipient–supporter`,
missing values as empty cells. Declared in `shanchuan.outputs.columns`.

```bash
shanchuan allocate --fast --out runs/plan --excel                # these tables and results.xlsx
shanchuan allocate --fast --out runs/plan-en --excel --lang en   # the workbook in English
```

`status.csv` comes first: each engine's status (`optimal` only at a proven gap ≤ 1e-6, else
`feasible` with its gap), the objective and its unit, the solver and the time. The workbook adds
sheets for a planner: 概况 (the same, and what the objective is made of), 结对建议, 项目清单 (one
row per project with its years and totals), 资金安排表 (special fund, recipient × year),
假设与数据说明 (every estimate, assumption, illustrative and synthetic input the scenario
states) and 来源与版本 (provenance).
"""


def output_markdown() -> str:
    """The output tables as Markdown: one table per output (column, headers, unit, meaning)."""
    from shanchuan.outputs.columns import OUTPUT_COLUMNS, OUTPUT_TABLES

    parts = [_OUTPUT_INTRO]
    for table, (description, names) in OUTPUT_TABLES.items():
        lines = [f"## `{table}.csv`", "", description, ""]
        lines += ["| column | 表头 | header | unit | meaning |", "|---|---|---|---|---|"]
        for name in names:
            col = OUTPUT_COLUMNS[name]
            lines.append(
                f"| `{name}` | {_cell(col.zh)} | {_cell(col.en)} | {_cell(col.unit)} "
                f"| {_cell(col.meaning)} |"
            )
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def schemas_markdown() -> str:
    """The whole ``docs/data-schemas.md``: the inputs (one table per schema), then the outputs."""
    keys_of: dict[str, list[str]] = {}
    for key, schema in INPUT_FILES.items():
        keys_of.setdefault(schema.name, []).append(key)
    parts = [_INTRO]
    parts += [schema_markdown(s, keys_of.get(s.name, ())) for s in SCHEMAS]
    parts.append(output_markdown())
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Write :func:`schemas_markdown` to the file named in ``argv`` (or print it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    text = schemas_markdown()
    if args:
        with open(args[0], "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
